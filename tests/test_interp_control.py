"""Near control transfers (bt/runtime/interp/ops_control.py) against Unicorn, one instruction each."""
import pytest

from interp_uc import check

REGS = dict(eax=0x1010, ecx=0x10, edx=0x2000, ebx=0x2000, esp=0x8000, ebp=0x7000, esi=0x3000, edi=0x4000)
# [0x2000] holds near targets: dword 0x00001234, then word 0x1F00 at 0x2004.
DATA = [(0x2000, bytes.fromhex("34120000 001f 0000")), (0x7FF0, bytes.fromhex("00000000 00000000 56340000 00000000"))]
ZF = 0x40


def run(hexcode, eflags=0x2, **regs):
    check(bytes.fromhex(hexcode), {**REGS, **regs}, eflags, DATA, steps=1)


@pytest.mark.parametrize("code", ["e2fe", "e1fe", "e0fe", "67e2fe", "67e1fe", "67e0fe", "66e2fe", "e210", "e280"])
@pytest.mark.parametrize("ecx", [0, 1, 2, 0x10000, 0x10001, 0xFFFFFFFF])
@pytest.mark.parametrize("eflags", [0x2, 0x2 | ZF])
def test_loop(code, ecx, eflags):
    run(code, eflags, ecx=ecx)


@pytest.mark.parametrize("code", ["e3fe", "67e3fe", "e310", "67e380"])
@pytest.mark.parametrize("ecx", [0, 1, 0x10000, 0xFFFF0000, 0xFFFFFFFF])
def test_jcxz_jecxz(code, ecx):
    run(code, ecx=ecx)


@pytest.mark.parametrize("code", [
    "e800000000", "e8fbffffff", "e8f0ff0000", "66e80000", "66e8f0ff",   # rel32 / rel16
    "ffd0", "ffd4", "ff13", "ff1424", "ff5424fa", "66ffd0", "66ff13", "ff15" "04200000", "66ff15" "04200000",
])
def test_call(code):
    run(code)
    run(code, esp=0x7FFE, eax=0xF00)


@pytest.mark.parametrize("code", ["c3", "c20800", "c2ff7f", "c20000", "66c3", "66c20400", "c20100"])
@pytest.mark.parametrize("esp", [0x7FF8, 0x7FFA, 0x7FFC])
def test_ret(code, esp):
    run(code, esp=esp)


@pytest.mark.parametrize("code", ["ebfe", "eb10", "e9f0ffffff", "66e9f0ff", "ffe0", "66ffe0", "ff23", "66ff23"])
def test_jmp(code):
    run(code)


def test_call_ret_sequence():
    # call +5 (to the pop), pop ebx, push 0x1010, ret: ends at 0x1010 (the end of the snippet is 0x100C)
    check(bytes.fromhex("e800000000 5b 6810100000 c3"), dict(esp=0x8000), steps=4)


def test_ret_imm16_is_unsigned():
    """SDM RET: ESP += imm16 (zero-extended). QEMU/Unicorn sign-extend it (ESP 0x7FFB here); we follow
    the SDM: imm16 >= 0x8000 never occurs in compiled code and hardware treats it as unsigned."""
    from interp_uc import run_interp
    r, _ = run_interp(bytes.fromhex("c2ffff"), {**REGS, "esp": 0x7FF8}, 0x2, DATA, steps=1)
    assert r.reg("esp") == 0x7FF8 + 4 + 0xFFFF and r.eip == 0x3456
