"""NOPs, flag-bit instructions, BOUND, UD0/UD2 (vs Unicorn) and btvm's own CPUID/RDTSC choices
(bt/runtime/interp/ops_misc.py)."""
import pytest

from interp_uc import check, run_interp, run_unicorn
from bt.runtime.events import GuestFault, GuestShutdown, BR, UD
from bt.runtime.interp import Interpreter
from bt.runtime.state import EAX, EBX, ECX, EDX
from cpu_harness import BareMachine

REGS = dict(eax=0x2000, ebx=0x2000, ecx=5, edx=0xFFFFFFFF, esp=0x8000)
DATA = [(0x2000, bytes.fromhex("fbffffff 0a000000 0080 ff7f"))]   # dword bounds [-5, 10], word [-32768, 32767]


@pytest.mark.parametrize("code", ["90", "6690", "0f1f00", "0f1f4000", "0f1f440000", "660f1f440000",
                                  "0f1f8000000000", "0f1f840000000000", "f390", "f30f1efb", "9b",
                                  "0f1800", "0f1808", "0f1810", "0f1818", "0f1f05ffffff7f"])
def test_nops(code):
    check(bytes.fromhex(code), REGS, 0x2 | 0x8D5)


@pytest.mark.parametrize("code", ["f8", "f9", "f5", "fc", "fd", "f5f5", "f9f5", "fdfc"])
@pytest.mark.parametrize("eflags", [0x2, 0x2 | 0x8D5 | 0x400])
def test_flag_bits(code, eflags):
    check(bytes.fromhex(code), REGS, eflags)
    check(bytes.fromhex("39d8" + code), dict(REGS, eax=1), eflags)     # with lazy flags pending


@pytest.mark.parametrize("index", [-6, -5, 0, 10, 11, 0x7FFFFFFF, -0x80000000])
def test_bound32(index):
    code = bytes.fromhex("620b")     # bound ecx, [ebx]
    regs = dict(REGS, ecx=index & 0xFFFFFFFF)
    if -5 <= index <= 10:
        check(code, regs, mem=DATA)
    else:
        check(code, regs, mem=DATA, fault=BR)


@pytest.mark.parametrize("index", [0x8000, 0x7FFF, 0, 0xFFFF])
def test_bound16(index):
    check(bytes.fromhex("66624b08"), dict(REGS, ecx=0xABCD0000 | index), mem=DATA)   # always in range


def test_bound16_out_of_range():
    check(bytes.fromhex("66624b04"), dict(REGS, ecx=0x0B), mem=DATA, fault=BR)     # words [10, 0]: 11 is above


@pytest.mark.parametrize("code", ["0f0b", "0fff00"])
def test_ud(code):
    u = run_unicorn(bytes.fromhex(code), REGS)
    assert u.fault is not None and "INSN_INVALID" in str(u.fault)
    i, _ = run_interp(bytes.fromhex(code), REGS)
    assert i.fault == UD and i.eip == 0x1000


def _machine(code, **regs):
    m = BareMachine()
    m.load_code(code + b"\x0f\x0b", 0x1000, **regs)
    return m, Interpreter(m)


def test_cpuid_vendor_and_features():
    m, x = _machine(b"\x0f\xa2", eax=0)
    x.step()
    w = m.state.w
    assert w[EAX] == 1
    assert b"".join(w[r].to_bytes(4, "little") for r in (EBX, EDX, ECX)) == b"GenuineIntel"
    m, x = _machine(b"\x0f\xa2", eax=1)
    x.step()
    assert w is not m.state.w and m.state.w[EAX] == 0x663
    edx = m.state.w[EDX]
    assert edx & (1 << 15) and edx & (1 << 8) and edx & (1 << 4)     # CMOV, CX8, TSC
    assert not edx & 1 and not edx & (1 << 23)                     # no FPU, no MMX


def test_rdtsc_strictly_increases_within_a_block():
    m, x = _machine(b"\x0f\x31\x89\xc3\x89\xd1\x0f\x31")      # rdtsc; mov ebx,eax; mov ecx,edx; rdtsc
    with pytest.raises(GuestShutdown):           # the #UD past the end: no IDT, a triple fault
        x.run(max_insns=10)
    w = m.state.w
    first, second = w[ECX] << 32 | w[EBX], w[EDX] << 32 | w[EAX]
    assert second > first
    assert m.state.cpu.tsc == second
