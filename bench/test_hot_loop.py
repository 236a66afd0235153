"""The JIT on a hot integer loop against Unicorn (QEMU's TCG as a library) on the same code, in the
same run: guest instructions per second, and the ratio. Issue 3's goal: the JIT at least as fast.

Run: pytest bench/test_hot_loop.py --benchmark-only
The guest (hand-assembled): mov ecx, N ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt
Each round is a whole run from a fresh machine/engine, translation and promotion included.
"""
import pytest

from cpu_harness import BareMachine
from bt.runtime.events import GuestHalt
from bt.runtime.jit_engine import Jit

N = 50_000_000
CODE = bytes.fromhex("b9") + N.to_bytes(4, "little") + bytes.fromhex("01c8 49 75fb f4")
GUEST_INSNS = 1 + 3 * N
EXPECTED_EAX = (N * (N + 1) // 2) & 0xFFFFFFFF
RESULTS = {}


def run_jit():
    m = BareMachine().load_code(CODE, eax=0)
    jit = Jit(m)
    with pytest.raises(GuestHalt):
        jit.run()
    assert m.state.reg("eax") == EXPECTED_EAX


def run_unicorn():
    unicorn = pytest.importorskip("unicorn")
    from unicorn import x86_const as X
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_32)
    uc.mem_map(0, 1 << 20)
    uc.mem_write(0x1000, CODE)
    uc.reg_write(X.UC_X86_REG_EAX, 0)
    uc.emu_start(0x1000, 0x1000 + len(CODE) - 1)
    assert uc.reg_read(X.UC_X86_REG_EAX) == EXPECTED_EAX


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
