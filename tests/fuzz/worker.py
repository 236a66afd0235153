"""Run a batch of fuzz cases in this process and report each on stdout as one JSON line.

    python -m tests.fuzz.worker KIND FIRST_SEED COUNT

Before a case it prints {"start": seed}, after it {"seed": .., "ok": .., "ends": [interp, jit],
"text": ..}; the parent (tests/fuzz/campaign.py) sees a crash as a missing result after a start, and
the case is rebuilt from (KIND, seed) by `make_case`.
"""
import json
import random
import sys

from tests.fuzz import generators, harness


def make_case(kind, seed):
    return generators.KINDS[kind](random.Random(f"{kind}-{seed}"))


def main(argv):
    kind, first, count = argv[0], int(argv[1]), int(argv[2])
    for seed in range(first, first + count):
        print(json.dumps({"start": seed}), flush=True)
        case = make_case(kind, seed)
        ok, text, (a, b) = harness.compare(case)
        if not ok:
            text += "\nreproducer: " + case.describe()
        print(json.dumps({"seed": seed, "ok": ok, "ends": [a.reason, b.reason], "text": text}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
