"""The JIT on a hot integer loop against Unicorn (QEMU's TCG as a library) on the same code, in the
same run: guest instructions per second, and the ratio. Issue 3's goal: the JIT at least as fast.

Run: pytest bench/test_hot_loop.py --benchmark-only
The guest (hand-assembled): mov ecx, N ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt
Each round is a whole run from a fresh machine/engine, translation and promotion included.
"""
import pytest

from bench import loop_guest

from cpu_harness import BareMachine
from bt.runtime.events import GuestHalt
from bt.runtime.jit_engine import Jit

N = 50_000_000
CODE = loop_guest.loop_code(N)
GUEST_INSNS = 1 + 3 * N
EXPECTED_EAX = loop_guest.loop_sum(N)
RESULTS = {}


def run_jit():
    m = BareMachine().load_code(CODE, eax=0)
    jit = Jit(m)
    with pytest.raises(GuestHalt):
        jit.run()
    assert m.state.reg("eax") == EXPECTED_EAX


def run_unicorn():
    loop_guest.run_unicorn(N)


def test_unicorn_hot_loop_long(benchmark):
    benchmark.pedantic(run_unicorn, rounds=3, iterations=1)
    if benchmark.disabled:              # CI slice: correctness only
        return
    RESULTS["unicorn"] = benchmark.stats.stats.median
    benchmark.extra_info["guest_insns_per_s"] = GUEST_INSNS / benchmark.stats.stats.median


def test_jit_hot_loop_long(benchmark):
    benchmark.pedantic(run_jit, rounds=3, iterations=1)
    if benchmark.disabled:
        return
    RESULTS["jit"] = benchmark.stats.stats.median
    benchmark.extra_info["guest_insns_per_s"] = GUEST_INSNS / benchmark.stats.stats.median
    if "unicorn" in RESULTS:
        benchmark.extra_info["jit_speed_over_unicorn"] = RESULTS["unicorn"] / RESULTS["jit"]
