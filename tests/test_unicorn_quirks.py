"""Regressions for the Unicorn deviations worked around in tests/unicorn_quirks.py (and the oracle).

Each test pins the quirk on raw Unicorn (so a Unicorn upgrade that fixes it shows up here: then drop the
workaround) and checks that the interpreter does what the SDM says instead.
"""
import pytest

from bt.runtime.state import ESP, EAX
from diff_check import run_interpreter, run_unicorn, oracle
from diff_forms import Case, FORMS_BY_NAME, CODE_GPA, WINDOW_GPA, WINDOW_END, decode
from unicorn_oracle import UnicornOracle

SF, PF, ZF, CF, AF = 0x80, 0x4, 0x40, 0x1, 0x10


def _case(name, code, regs=None, eflags=0x2, window=None):
    regs = regs or [0, 0, 0, 0, 0xD000, 0, 0, 0]
    window = window or bytes(WINDOW_END - WINDOW_GPA)
    return Case(FORMS_BY_NAME[name][0], code, list(regs), eflags, window, decode(code))


def test_ret_imm16_is_sign_extended_by_unicorn():
    # ret 0xFFFF from ESP=0xD000: the SDM gives ESP = 0xD000 + 4 + 0xFFFF.
    case = _case("ret", bytes([0xC2, 0xFF, 0xFF]))
    raw = run_unicorn(case, workarounds=False)
    assert raw.regs[ESP] == 0xD003                       # quirk: 0xD000 + 4 + (-1)
    assert run_interpreter(case).regs[ESP] == 0x1D003
    assert run_unicorn(case).regs[ESP] == 0x1D003         # corrected


def test_lock_neg_flags_are_wrong_in_unicorn():
    window = bytearray(WINDOW_END - WINDOW_GPA)
    window[0x400] = 1
    case = _case("neg", bytes([0xF0, 0xF6, 0x18]), regs=[0x8400, 0, 0, 0, 0xD000, 0, 0, 0], window=bytes(window))
    raw = run_unicorn(case, workarounds=False)
    assert raw.memory[0x8400] == 0xFF
    assert raw.eflags & (SF | PF) == 0                   # quirk: flags of NEG 0xFF (= 1), not of NEG 1
    got = run_interpreter(case)
    assert got.memory[0x8400] == 0xFF
    assert got.eflags & (SF | PF | CF | AF | ZF) == SF | PF | CF | AF


def test_unicorn_reports_double_fault_after_a_fault_in_a_reused_engine():
    # Why the oracle replaces its Uc after every CPU exception: QEMU keeps the first exception pending.
    from unicorn import Uc, UC_ARCH_X86, UC_MODE_32, UC_HOOK_INTR
    uc = Uc(UC_ARCH_X86, UC_MODE_32)
    uc.mem_map(0, 1 << 20)
    uc.mem_write(CODE_GPA, bytes([0xF6, 0xF0]))           # div al with AL = 0: #DE
    seen = []

    def hook(uc, vector, _):
        seen.append(vector)
        uc.emu_stop()
    uc.hook_add(UC_HOOK_INTR, hook)
    for _ in range(2):
        uc.emu_start(CODE_GPA, 0xFFFFFFFF, count=1)
    assert seen == [0, 8]                                  # quirk: the second #DE is reported as #DF
    o = UnicornOracle()
    regs = [0, 0, 0, 0, 0xD000, 0, 0, 0]
    assert [o.run(CODE_GPA, bytes([0xF6, 0xF0]), regs, 0x2, {}).fault for _ in range(2)] == [0, 0]


def test_unicorn_keeps_stale_translations_over_mem_write():
    # Why the oracle drops its translation cache for the code page before every run.
    o = oracle()
    regs = [0, 0, 0, 0, 0xD000, 0, 0, 0]
    for value in (1, 2):
        out = o.run(CODE_GPA, bytes([0xB8, value, 0, 0, 0]), regs, 0x2, {})
        assert out.regs[EAX] == value


@pytest.mark.parametrize("loope", ["67 e1 00", "e1 00", "e0 00"])
def test_loopcc_flags_quirk_is_still_there(loope):
    """Unicorn 2.1: `add al, 0; loope/loopne` leaves CF and AF set (the SDM: LOOPcc writes no flag)."""
    import unicorn
    from unicorn import x86_const as X
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_32)
    uc.mem_map(0, 1 << 20)
    uc.mem_write(0x1000, bytes.fromhex("04 00 " + loope + " f4"))
    uc.reg_write(X.UC_X86_REG_ECX, 1)
    uc.reg_write(X.UC_X86_REG_EFLAGS, 0x402)
    uc.emu_start(0x1000, 0x1002 + len(bytes.fromhex(loope)), count=2)
    assert uc.reg_read(X.UC_X86_REG_EFLAGS) & 0x11 == 0x11
