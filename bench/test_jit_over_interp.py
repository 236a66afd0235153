"""The JIT against the reference interpreter on the CoreMark-class guest (bench/guests/cmark.elf), in
the same run: the same first N guest instructions on both engines (`--max-insns N`), each a whole run
in a fresh machine, translation included. Issue 3's goal: the JIT at least 100x faster.

Run: pytest bench/test_jit_over_interp.py --benchmark-only -m slow   (the interpreter takes ~1 min;
BTVM_BENCH_INSNS=1000000000 for nearly the whole program, ~8 min)
"""
import io
import os

import pytest

from bt.runtime.machine import Machine
from bench.workloads import BUILD

N = int(os.environ.get("BTVM_BENCH_INSNS", 100_000_000))   # cmark.elf runs 1,207 M in all
RESULTS = {}


def run(engine, n):
    machine = Machine(memory_size=32 << 20, stdout=io.BytesIO())
    with machine:
        machine.load(str(BUILD / "cmark.elf"))
        result = machine.run(engine=engine, max_insns=n)
    assert result.reason == "limit", result.message
    return result.eip


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["jit", "interp"])
def test_cmark_first_instructions(benchmark, engine):
    eip = benchmark.pedantic(run, args=(engine, N), rounds=1, iterations=1)
    RESULTS.setdefault("eip", eip)
    assert RESULTS["eip"] == eip            # both engines stopped at the same instruction
    if benchmark.disabled:
        return
    RESULTS[engine] = benchmark.stats.stats.median
    benchmark.extra_info["guest_insns_per_s"] = N / RESULTS[engine]
    if "jit" in RESULTS and "interp" in RESULTS:
        benchmark.extra_info["interp_time_over_jit"] = RESULTS["interp"] / RESULTS["jit"]


def test_cmark_short_prefix_agrees():
    """CI slice: both engines reach the same EIP after the same short prefix."""
    assert run("jit", 200_000) == run("interp", 200_000)
