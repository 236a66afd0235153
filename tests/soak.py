"""Differential soak (issue 6): the JIT against the reference interpreter on generated programs, for as
long as asked, counting programs, guest instructions and divergences (expected: 0).

    python -m tests.soak --seconds 600 [--seed N] [--modes blocks,lockstep]

Programs are tests/random_programs.py's (straight-line blocks and bounded loops of integer
instructions, random registers, flags and data window), drawn by hypothesis in batches, one seed per
batch (printed, so a batch can be replayed with --seed). Two modes, alternating:
- blocks: as tests/jit_diff.py's run_both: whole translated blocks (quick tier, symbolic flags across
  instructions, loops), compared at the end: registers, EIP, EFLAGS minus the flags the table leaves
  undefined, the data window and the stack.
- hot: the same with --hot-threshold 2, so loop bodies run in the optimising tier (in-function loops).
- lockstep: the program as a raw image under `btvm run --diff` (bt/runtime/lockstep.py): one-instruction
  blocks compared after every instruction, so a divergence names its instruction.
Each divergence is printed with the program's listing and its start state. Exit status 1 if any.
tests/test_soak.py runs a bounded slice in the default test run.
"""
import argparse
import gc
import io
import os
import sys
import tempfile
import time

_TESTS = os.path.dirname(os.path.abspath(__file__))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)          # the test helpers import each other as top-level modules

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from bt.runtime.machine import Machine  # noqa: E402
from bt.runtime.state import REG_NAMES, W_EFLAGS  # noqa: E402
from bt.runtime.interp import Interpreter  # noqa: E402
from bt.runtime.jit_engine import Jit  # noqa: E402
from jit_diff import CODE_ADDR, _run, decode_all, differences, undefined_flags  # noqa: E402
from test_jit_random_blocks import case  # noqa: E402

BATCH = 50
MODES = ("blocks", "hot", "lockstep")
HOT_THRESHOLD = 2
LOCKSTEP_MEMORY = 4 << 20
LOCKSTEP_LOAD = 0x100000


class Tally:
    def __init__(self):
        self.programs = self.insns = 0
        self.by_mode = {m: [0, 0] for m in MODES}
        self.divergences = []

    def add(self, mode, insns):
        self.programs += 1
        self.insns += insns
        self.by_mode[mode][0] += 1
        self.by_mode[mode][1] += insns


def describe(c):
    code, loop, regs, eflags, memory = c
    listing = "\n".join(f"  {i.address:#x}: {i.text}" for i in decode_all(code))
    return (f"program {code.hex()} (loop x{loop}):\n{listing}\nregs {regs} eflags {eflags:#x}\n"
            f"data {memory[min(memory)].hex()}")


def run_blocks(c, jit_class=Jit):
    """(guest instructions executed, list of differences) on whole blocks."""
    code, loop, regs, eflags, memory = c
    jit = _run(jit_class, code, regs, eflags, memory, {}, 1_000_000, CODE_ADDR)
    ref = _run(Interpreter, code, regs, eflags, memory, {}, 1_000_000, CODE_ADDR)
    diffs = differences(jit, ref, undefined_flags(code))
    if ref.end != "halt":
        diffs.insert(0, f"interpreter ended with {ref.end}")
    return ref.extra.get("executed", 0), diffs


def run_lockstep(c, image_dir):
    """(guest instructions executed, list of differences) under `btvm run --diff`."""
    code, loop, regs, eflags, memory = c
    path = os.path.join(image_dir, "program.bin")
    with open(path, "wb") as f:
        f.write(code)
    with Machine(memory_size=LOCKSTEP_MEMORY) as m:
        m.load(path, LOCKSTEP_LOAD)
        for addr, data in memory.items():
            m.mem.write(addr, bytes(data))
        for r, name in enumerate(REG_NAMES):
            if name in regs:
                m.state.w[r] = regs[name]
        m.state.w[REG_NAMES.index("esp")] = 0x70000
        m.state.w[W_EFLAGS] = eflags | 0x2
        result = m.run(engine="diff", max_insns=100_000, engine_options={"log": io.StringIO()})
        executed = getattr(getattr(m.engine, "jit", None), "executed", 0)
    if result.reason == "halt":
        return executed, []
    report = getattr(result.error, "report", None) or result.message
    return executed, [report]


def soak_batch(tally, mode, batch_seed, count, image_dir, log=print):
    @seed(batch_seed)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case())
    def one(c):
        if mode == "blocks":
            insns, diffs = run_blocks(c)
        elif mode == "hot":
            insns, diffs = run_blocks(c, lambda m: Jit(m, hot_threshold=HOT_THRESHOLD))
        else:
            insns, diffs = run_lockstep(c, image_dir)
        tally.add(mode, insns)
        if diffs:
            text = f"DIVERGENCE ({mode}, batch seed {batch_seed}):\n{describe(c)}\n" + "\n".join(diffs)
            tally.divergences.append(text)
            log(text)

    one()
    gc.collect()        # each run made its own JIT; free their engines and tables promptly


def soak(seconds, first_seed=0, modes=MODES, batch=BATCH, log=print):
    tally = Tally()
    start = time.monotonic()
    batch_seed = first_seed
    with tempfile.TemporaryDirectory() as image_dir:
        while time.monotonic() - start < seconds or batch_seed < first_seed + len(modes):   # each mode once
            mode = modes[batch_seed % len(modes)]
            soak_batch(tally, mode, batch_seed, batch, image_dir, log)
            batch_seed += 1
    return tally, time.monotonic() - start


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=None, help="first batch seed (default: from the clock)")
    p.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    p.add_argument("--batch", type=int, default=BATCH, help="programs per batch (one seed each)")
    args = p.parse_args(argv)
    modes = tuple(m for m in args.modes.split(",") if m)
    if not modes or any(m not in MODES for m in modes):
        p.error(f"--modes: choose from {', '.join(MODES)}")
    first = int(time.time()) * 1000 if args.seed is None else args.seed
    print(f"soak: {args.seconds:g} s, modes {', '.join(modes)}, first batch seed {first}", flush=True)
    tally, elapsed = soak(args.seconds, first, modes, args.batch,
                          log=lambda text: print(text, flush=True))
    for mode in modes:
        n, insns = tally.by_mode[mode]
        print(f"  {mode:9} {n} programs, {insns} guest instructions")
    print(f"soak: {tally.programs} programs, {tally.insns} guest instructions in {elapsed:.0f} s "
          f"({tally.programs / elapsed:.1f} programs/s), {len(tally.divergences)} divergences")
    return 1 if tally.divergences else 0


if __name__ == "__main__":
    sys.exit(main())
