"""Reference-interpreter speed on a hot integer loop, as a ratio to Unicorn measured in the same run.

Run: pytest bench/test_interp_speed.py --benchmark-only
The guest (hand-assembled, 4 instructions):
    mov ecx, N ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt
"""
import pytest

from bench import loop_guest

from cpu_harness import BareMachine
from bt.runtime.events import GuestHalt
from bt.runtime.interp import Interpreter

N = 200_000
CODE = loop_guest.loop_code(N)
GUEST_INSNS = 1 + 3 * N
RESULTS = {}


def run_interpreter():
    m = BareMachine().load_code(CODE, eax=0)
    interp = Interpreter(m)
    with pytest.raises(GuestHalt):
        interp.run()
    assert m.state.reg("eax") == (N * (N + 1) // 2) & 0xFFFFFFFF
    return interp.insn_count


def run_unicorn():
    loop_guest.run_unicorn(N)


def test_interpreter_hot_loop(benchmark):
    count = benchmark.pedantic(run_interpreter, rounds=3, iterations=1)
    assert count == GUEST_INSNS + 1     # the HLT counts as executed
    if benchmark.disabled:              # CI slice: no timings to record
        return
    RESULTS["interp"] = benchmark.stats.stats.median
    benchmark.extra_info["guest_insns_per_s"] = GUEST_INSNS / benchmark.stats.stats.median


def test_unicorn_hot_loop(benchmark):
    benchmark.pedantic(run_unicorn, rounds=3, iterations=1)
    if benchmark.disabled:
        return
    RESULTS["unicorn"] = benchmark.stats.stats.median
    benchmark.extra_info["guest_insns_per_s"] = GUEST_INSNS / benchmark.stats.stats.median
    if "interp" in RESULTS:
        benchmark.extra_info["interp_time_over_unicorn"] = RESULTS["interp"] / RESULTS["unicorn"]
