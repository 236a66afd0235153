"""Data-movement handlers (bt/runtime/interp/ops_move.py) against Unicorn: edge cases from the SDM."""
import pytest

from interp_uc import check

# Registers that make the memory operands below land in RAM (data at 0x2000.., stack at 0x8000).
REGS = dict(eax=0x80FF7F01, ecx=0x00008001, edx=0xFFFF8000, ebx=0x2000, esp=0x8000, ebp=0x7000,
            esi=0x3000, edi=0x4000)
DATA = [(0x2000, bytes(range(0x80, 0x100)) + bytes(range(0x80))), (0x3000, bytes(range(256)) * 2),
        (0x6F00, bytes(range(255, -1, -1)) * 3), (0x7F00, bytes((i * 37) & 0xFF for i in range(512)))]
ALL_ARITH = 0x2 | 0x8D5
EFLAGS = (0x2, ALL_ARITH, 0x2 | 0x1 | 0x40, 0x2 | 0x80, 0x2 | 0x880, 0x2 | 0x4, 0x2 | 0x800, 0x2 | 0x40 | 0x80)


def run(hexcode, eflags=0x2, **regs):
    check(bytes.fromhex(hexcode), {**REGS, **regs}, eflags, DATA)


@pytest.mark.parametrize("code", [
    "0fb6c3", "660fb6c3", "0fb6c4", "0fb703", "0fb70b", "660fb603", "0fb6e4",     # movzx
    "0fbec2", "0fbec4", "0fbe03", "0fbf03", "0fbfc2", "660fbec1", "660fbe03", "0fbe43ff",   # movsx
])
def test_movzx_movsx(code):
    run(code)
    run(code, eax=0x7F, ebx=0x2001, edx=0x7FFF)


@pytest.mark.parametrize("code", [
    "8d0498", "8d4498fc", "668d0498", "678d00", "67668d46ff", "8d05ffffffff", "8d0c24", "8d2c09",
    "66678d00", "678d4201", "8d04ad00000080",
])
def test_lea(code):
    run(code)
    run(code, eax=0xFFFFFFFF, ebx=0xFFFF, esi=0xFFFF, ebp=0, edx=0xFFFF)


@pytest.mark.parametrize("code", ["8703", "8603", "8623", "86e0", "91", "6691", "6687d8", "87c0", "86c4", "87e4",
                                  "86e4", "6687e4"])
def test_xchg(code):
    run(code)


@pytest.mark.parametrize("code", [
    "50", "54", "6654", "6650", "6a80", "666a80", "6a7f", "6844332211", "66684433", "ff33", "ff3424",
    "66ff33", "ff7424fc", "58", "5c", "665c", "6658", "8f03", "8f442404", "8f0424", "8f4424fc", "668f03",
    "668f0424", "50585c", "6a01" "6a02" "58" "5b",
])
def test_push_pop(code):
    run(code)
    run(code, esp=0x8002)


@pytest.mark.parametrize("code", ["60", "6660", "61", "6661", "6061", "666166605c"])
def test_pusha_popa(code):
    run(code)
    run(code, esp=0x7F10, eax=0x11111111)


@pytest.mark.parametrize("code", [
    "c8100000", "c8100001", "c8080003", "c800011f", "c8040021", "66c8100002", "66c8000000", "c8ffff02",
    "66c8000105", "c8100000c9", "c8100003c9", "66c9", "c9", "66c8080003" "66c9",
])
def test_enter_leave(code):
    run(code)
    run(code, ebp=0x7F80, esp=0x7FF0)


@pytest.mark.parametrize("code", ["6698", "98", "6699", "99"])
@pytest.mark.parametrize("eax", [0, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0x1234_80FF])
def test_sign_extensions(code, eax):
    run(code, eax=eax, edx=0x5A5A5A5A)


@pytest.mark.parametrize("code", ["d7", "26d7", "64d7", "67d7"])
@pytest.mark.parametrize("eax", [0, 0x7F, 0x80, 0x123456FF])
def test_xlatb(code, eax):
    run(code, eax=eax)
    run(code, eax=eax, ebx=0x000200F0)


@pytest.mark.parametrize("code", ["0fc8", "0fcb", "0fcc", "660fc8", "660fcb"])
def test_bswap(code):
    run(code)
    run(code, eax=0x11223344, ebx=0xAABBCCDD)


@pytest.mark.parametrize("eflags", EFLAGS + (0x2 | 0x10, 0x2 | 0x400 | 0x200))
def test_lahf(eflags):
    run("9f", eflags)
    run("9f", eflags, eax=0)


@pytest.mark.parametrize("ah", [0, 0xFF, 0xD5, 0x2A, 0x01, 0x40, 0x80, 0x10, 0x04])
@pytest.mark.parametrize("eflags", [0x2, 0x2 | 0x8D5])
def test_sahf(ah, eflags):
    run("9e", eflags, eax=ah << 8)
    run("9e9f", eflags, eax=ah << 8)


@pytest.mark.parametrize("cc", range(16))
@pytest.mark.parametrize("eflags", EFLAGS)
def test_cmov_setcc(cc, eflags):
    for form in ("0f%02xc3", "0f%02x03", "660f%02xc3", "660f%02x4b02"):
        run(form % (0x40 + cc), eflags)           # cmovcc
    for form in ("0f%02xc0", "0f%02xc4", "0f%02x03"):
        run(form % (0x90 + cc), eflags)           # setcc
    run("39d8" + "0f%02xc3" % (0x40 + cc))        # after a CMP: lazy flags path
    run("39d8" + "0f%02xc1" % (0x90 + cc))


def test_cmov_false_keeps_upper_bits():
    run("0f44c3", 0x2, eax=0xDEADBEEF)           # cmove false: EAX unchanged (32-bit mode)


@pytest.mark.parametrize("code", ["0fc103", "0fc003", "0fc0c0", "0fc1c0", "0fc1d8", "660fc1d8", "0fc0e0",
                                  "660fc103", "0fc0c4", "f00fc103"])
@pytest.mark.parametrize("regs", [{}, dict(eax=0xFFFFFFFF, ecx=1, edx=0x80000000), dict(eax=0x7FFFFFFF)])
def test_xadd(code, regs):
    run(code, **regs)


@pytest.mark.parametrize("code", ["0fb10b", "0fb00b", "660fb10b", "0fb1c8", "0fb1d9", "0fb0e1", "0fb0c4",
                                  "f00fb10b", "0fb1c0"])
@pytest.mark.parametrize("eax", [0x83828180, 0x80, 0x8180, 0x12345678, 0x2000, 0])
def test_cmpxchg(code, eax):
    run(code, eax=eax)
    run(code, ALL_ARITH, eax=eax, ecx=eax)


@pytest.mark.parametrize("edx_eax", [(0x07060504, 0x03020100), (0x07060504, 0x03020101),
                                     (0x17060504, 0x03020100), (0, 0)])
def test_cmpxchg8b(edx_eax):
    edx, eax = edx_eax
    for eflags in (0x2, ALL_ARITH):
        run("0fc70e", eflags, eax=eax, edx=edx, ecx=0xCAFEBABE, ebx=0x12345678)
        run("f00fc70e", eflags, eax=eax, edx=edx, ecx=0xCAFEBABE, ebx=0x12345678)
