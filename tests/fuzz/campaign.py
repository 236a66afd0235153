"""The long fuzz campaign: batches of cases in worker subprocesses, crash/hang detection, a summary.

    python -m tests.fuzz.campaign --seconds 600 [--kinds random_code,gdt] [--batch 20] [--first-seed N]

Each batch runs in a fresh `python -m tests.fuzz.worker` process, so a host crash (SIGSEGV from a stray
access, SIGABRT from LLVM) or a hang is seen here, pinned to the seed that was running. Prints every
failure with its reproducer, then cases run, cases per second and the end kinds seen; exit status 1 if
anything failed. `run_batches` is what tests/test_fuzz_subprocess.py calls for the CI slice.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import time

from tests.fuzz.generators import KINDS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PER_CASE_SECONDS = 40          # two engines under their --timeout, translation and startup included


def run_batch(kind, first, count):
    """-> (results, failures): per-case dicts, and failure texts (crash, hang, divergence, internal)."""
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "tests.fuzz.worker", kind, str(first), str(count)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO,
                              timeout=30 + PER_CASE_SECONDS * count)
        out, rc, hung = proc.stdout, proc.returncode, False
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        rc, hung = None, True
    results, failures, running = [], [], None
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if "start" in rec:
            running = rec["start"]
        else:
            running = None
            results.append(rec)
            if not rec["ok"]:
                failures.append(f"{kind} seed {rec['seed']}: {rec['text']}")
    if hung:
        failures.append(f"{kind} seed {running}: HANG (worker killed after its time limit)")
    elif rc != 0:
        what = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
        failures.append(f"{kind} seed {running}: HOST CRASH ({what}); worker command: {' '.join(cmd)}\n"
                        f"{proc.stderr[-2000:]}")
    return results, failures


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tests.fuzz.campaign", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--batch", type=int, default=20)
    p.add_argument("--first-seed", type=int, default=1_000_000)
    args = p.parse_args(argv)
    kinds = args.kinds.split(",")
    start = time.monotonic()
    seeds = {k: args.first_seed for k in kinds}
    counts, ends, failures = collections.Counter(), collections.Counter(), []
    i = 0
    while time.monotonic() - start < args.seconds:
        kind = kinds[i % len(kinds)]
        i += 1
        results, fails = run_batch(kind, seeds[kind], args.batch)
        seeds[kind] += args.batch
        counts[kind] += len(results)
        ends.update(f"{kind}:{'/'.join(r['ends'])}" for r in results)
        for f in fails:
            print("FAIL", f, flush=True)
        failures += fails
    elapsed = time.monotonic() - start
    total = sum(counts.values())
    print(f"cases {total} in {elapsed:.0f} s: {total / elapsed:.2f} cases/s "
          f"({', '.join(f'{k} {n}' for k, n in counts.items())}); failures {len(failures)}")
    for k, n in sorted(ends.items()):
        print(f"  {k:40} {n}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
