"""String instructions (bt/runtime/interp/ops_string.py) against Unicorn, plus the REP chunking and
precise-fault behaviour that Unicorn cannot show."""
import pytest

from interp_uc import check
from bt.runtime.events import GuestFault, GuestShutdown, PF
from bt.runtime.interp import Interpreter
from bt.runtime.rep_chunks import CHUNK
from bt.runtime.state import W_EIP, ECX, ESI, EDI, W_EFLAGS
from cpu_harness import BareMachine

SRC = bytes((i * 7) & 0xFF for i in range(0x400))
DST = bytes((i * 7) & 0xFF for i in range(0x100)) + b"\x55" + bytes((i * 7 + 1) & 0xFF for i in range(0x2FF))
DATA = [(0x3000, SRC), (0x5000, DST), (0x0000, bytes(range(64))), (0xFF00, bytes(range(256)))]
REGS = dict(eax=0x1234_5655, ecx=0x10, esi=0x3100, edi=0x5100, ebx=0, edx=0, ebp=0, esp=0x8000)
DF = 0x400


def run(hexcode, eflags=0x2, **regs):
    check(bytes.fromhex(hexcode), {**REGS, **regs}, eflags, DATA)


OPS = ["a4", "a5", "66a5", "aa", "ab", "66ab", "ac", "ad", "66ad", "a6", "a7", "66a7", "ae", "af", "66af"]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("eflags", [0x2, 0x2 | DF, 0x2 | 0x8D5])
def test_single(op, eflags):
    run(op, eflags)
    run("67" + op, eflags, esi=0xABCD_FFFF, edi=0x1234_FFFE)       # SI/DI wrap at 64 KiB
    run("26" + op, eflags)                                          # segment override (ES) on the source
    run("64" + op, eflags)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("prefix", ["f3", "f2"])
@pytest.mark.parametrize("eflags", [0x2, 0x2 | DF])
@pytest.mark.parametrize("ecx", [0, 1, 7, 0x100, 0x1_0000_0003 & 0xFFFFFFFF])
def test_rep(op, prefix, eflags, ecx):
    run(prefix + op, eflags | 0x8D5 if ecx == 0 else eflags, ecx=ecx)    # count 0: nothing, flags kept


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("prefix", ["f3", "f2"])
def test_rep_16bit_address(op, prefix):
    run("67" + prefix + op, 0x2, ecx=0xFFFF_0005, esi=0x0001_FFFC, edi=0x0003_FFFD)
    run("67" + prefix + op, 0x2 | DF, ecx=0x7777_0000, esi=0x0001_0002, edi=0x0003_0001)   # CX=0


@pytest.mark.parametrize("op", ["a6", "a7", "ae", "af", "66af"])
@pytest.mark.parametrize("prefix", ["f3", "f2"])
def test_repe_repne_stop_positions(op, prefix):
    # 0x5100 holds a copy of 0x3100.. except the byte at 0x5100 = 0x55; EAX's low byte/word 0x55.
    run(prefix + op, esi=0x3000, edi=0x5000, ecx=0x300)   # equal run then the mismatch at 0x100
    run(prefix + op, esi=0x3001, edi=0x5001, ecx=0x300)
    run(prefix + op, esi=0x3000, edi=0x5100, ecx=0x20)
    run(prefix + op, eax=0x0705, esi=0x3000, edi=0x5000, ecx=0x40)


def test_overlapping_movs_replicates():
    run("f3a4", esi=0x3000, edi=0x3001, ecx=0x80)     # byte-by-byte forward copy smears byte 0
    run("f3a5", esi=0x3000, edi=0x3002, ecx=0x40)
    run("f3a4", 0x2 | DF, esi=0x3080, edi=0x307F, ecx=0x80)


def test_long_rep_is_chunked_and_counts_one_per_call():
    # Chunks end where ECX is a multiple of CHUNK (bt/runtime/rep_chunks.py): 5 iterations first.
    n = 3 * CHUNK + 5
    m = BareMachine()
    m.load_code(b"\xf3\xab\x0f\x0b", 0x1000, ecx=n, edi=0x10000, eax=0xA5A5A5A5)
    x = Interpreter(m)
    w = m.state.w
    x.step()
    assert w[W_EIP] == 0x1000 and w[ECX] == 3 * CHUNK and w[EDI] == 0x10000 + 4 * 5
    assert x.insn_count == 1
    x.step()
    assert w[ECX] == 2 * CHUNK and x.insn_count == 2
    while w[W_EIP] == 0x1000:
        x.step()
    assert w[ECX] == 0 and w[EDI] == 0x10000 + 4 * n and w[W_EIP] == 0x1002 and x.insn_count == 4
    assert m.mem.read(0x10000 + 4 * n - 4, 8) == b"\xa5" * 4 + b"\x00" * 4
    # The same through run(): the budget stops the loop between chunks.
    from bt.runtime.events import LimitReached
    m.load_code(b"\xf3\xab\x0f\x0b", 0x1000, ecx=n, edi=0x10000)
    with pytest.raises(LimitReached):
        x.run(max_insns=x.insn_count + 2)
    assert w[W_EIP] == 0x1000 and w[ECX] == 2 * CHUNK


def test_long_repe_cmps_matches_unicorn():
    m = [(0x10000, bytes(3 * CHUNK)), (0x30000, bytes(3 * CHUNK - 1) + b"\x01")]
    check(b"\xf3\xa6", dict(esi=0x10000, edi=0x30000, ecx=3 * CHUNK + 10), 0x2, m)
    check(b"\xf2\xae", dict(edi=0x30000, ecx=3 * CHUNK + 10, eax=1), 0x2, m)


@pytest.mark.parametrize("code,size", [(b"\xf3\xa4", 1), (b"\xf3\x66\xa5", 2), (b"\xf3\xab", 4)])
@pytest.mark.parametrize("df", [0, DF])
def test_fault_mid_rep_is_precise(code, size, df):
    """A store fault in iteration 3 leaves ESI/EDI/ECX after 3 completed iterations, EIP at the insn."""
    m = BareMachine()
    m.load_code(code + b"\x0f\x0b", 0x1000, ecx=10, esi=0x3000, edi=0x5000)
    m.state.w[W_EFLAGS] |= df
    x = Interpreter(m)
    step = -size if df else size
    bad = 0x5000 + 3 * step
    real = x.writers[size]

    def faulting(addr, value):
        if addr == bad:
            raise GuestFault(PF, 2)
        real(addr, value)
    x.writers[size] = faulting
    with pytest.raises(GuestShutdown):           # no IDT: the #PF ends in a triple fault
        x.run(max_insns=10)
    w = m.state.w
    assert w[W_EIP] == 0x1000 and w[ECX] == 7
    assert w[EDI] == 0x5000 + 3 * step
    if code[-1] != 0xAB:
        assert w[ESI] == 0x3000 + 3 * step


def test_fault_mid_repe_cmps_keeps_flags_of_last_completed_iteration():
    m = BareMachine()
    m.load_code(b"\xf3\xa6\x0f\x0b", 0x1000, ecx=10, esi=0x3000, edi=0x5000)
    x = Interpreter(m)
    real = x.readers[1]

    def faulting(addr):
        if addr == 0x5002:
            raise GuestFault(PF, 0)
        return real(addr)
    x.readers[1] = faulting
    with pytest.raises(GuestFault):
        x.step()
    w = m.state.w
    assert (w[ECX], w[ESI], w[EDI]) == (8, 0x3002, 0x5002)
    assert x.eflags() & 0x40       # ZF from the last (equal) completed comparison


def test_long_rep_mid_block_resumes_without_running_the_rest_twice():
    n = 2 * CHUNK + 1
    m = BareMachine()
    m.load_code(b"\x50\xf3\xab\x50\x0f\x0b", 0x1000, ecx=n, edi=0x10000, esp=0x8000, eax=7)
    x = Interpreter(m)
    with pytest.raises(GuestShutdown):       # the UD2 at the end (no IDT: a triple fault)
        x.run(max_insns=100)
    w = m.state.w
    assert w[ECX] == 0 and w[EDI] == 0x10000 + 4 * n and w[4] == 0x8000 - 8
    assert w[W_EIP] == 0x1004 and x.insn_count == 1 + 3 + 1
