"""Reference-interpreter speed on a hot integer loop, as a ratio to Unicorn measured in the same run.

Run: pytest bench/test_interp_speed.py --benchmark-only
The guest (hand-assembled, 4 instructions):
    mov ecx, N ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt
"""
import pytest

from cpu_harness import BareMachine
from bt.runtime.events import GuestHalt
from bt.runtime.interp import Interpreter

N = 200_000
CODE = bytes.fromhex("b9") + N.to_bytes(4, "little") + bytes.fromhex("01c8 49 75fb f4")
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
    unicorn = pytest.importorskip("unicorn")
    from unicorn import x86_const as X
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_32)
    uc.mem_map(0, 1 << 20)
    uc.mem_write(0x1000, CODE)
    uc.reg_write(X.UC_X86_REG_EAX, 0)
    uc.emu_start(0x1000, 0x1000 + len(CODE) - 1)
    assert uc.reg_read(X.UC_X86_REG_EAX) == (N * (N + 1) // 2) & 0xFFFFFFFF


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
