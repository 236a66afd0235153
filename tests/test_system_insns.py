"""System-instruction semantics of issue 4 on both engines, from the SDM: the TSS I/O-permission
bitmap (Vol. 1, 18.5.2). Machines come from tests/test_interrupts.py's set-up (GDT, TSS, IDT, a
ring-3 entry through IRET); expected values are derived by hand from the SDM."""
import struct

import pytest

from test_interrupts import ENGINES, HANDLER, HLT, TSS, USER, U_CODE, machine, run, stack, to_ring3
from bt.runtime.state import W_EIP

GP_HANDLER_EIP = HANDLER + 13 * 0x10 + 1          # after the HLT of the #GP handler
UD2 = b"\x0f\x0b"                                  # ends a ring-3 program: #UD, whose handler halts


def bitmap_machine(user, blocked=(), limit=0x68 + 0x2000, bitmap_at=0x68):
    """Ring 3 with IOPL 0 running `user`; the TSS bitmap at `bitmap_at` blocks the ports `blocked`."""
    m = machine(to_ring3(), user + UD2, handlers={13: HLT, 6: HLT})
    bitmap = bytearray(0x2001)
    bitmap[0x2000] = 0xFF
    for port in blocked:
        bitmap[port >> 3] |= 1 << (port & 7)
    m.mem.write(TSS + 0x66, struct.pack("<H", bitmap_at))
    m.mem.write(TSS + bitmap_at, bytes(bitmap))
    m.state.cpu.tr.limit = limit
    return m


def in_dx(port, size):
    """mov dx, port ; in al/ax/eax, dx"""
    return b"\x66\xba" + struct.pack("<H", port) + {1: b"\xec", 2: b"\x66\xed", 4: b"\xed"}[size]


def assert_gp0_at(m, eip):
    assert m.state.w[W_EIP] == GP_HANDLER_EIP
    assert stack(m, 3) == [0, eip, U_CODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_clear_bits_allow_io_in_ring3(engine):
    code = in_dx(0x2F7, 1) + in_dx(0x2F0, 4) + b"\xe6\x80"          # ... ; out 0x80, al
    m = bitmap_machine(code, blocked=(0x2F8, 0x2F4))
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == HANDLER + 6 * 0x10 + 1 and stack(m, 2) == [USER + len(code), U_CODE]
    assert m.state.w[0] == 0xFFFFFFFF
    assert m.io.writes == [(0x80, 1, 0xFF)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("port,size", [(0x21, 1), (0x2F7, 2), (0x2F5, 4), (0xFFFF, 2)])
def test_any_set_bit_of_the_access_faults(engine, port, size):
    """0x2F7 word and 0x2F5 dword reach 0x2F8 in the next bitmap byte; port 0xFFFF's second byte
    has its bit in the 0xFF byte after the bitmap."""
    m = bitmap_machine(in_dx(port, size), blocked=(0x21, 0x2F8))
    m.state.w[0] = 0x5A5A5A5A
    assert run(engine, m) == "halt"
    assert_gp0_at(m, USER + 4)
    assert m.state.w[0] == 0x5A5A5A5A


@pytest.mark.parametrize("engine", ENGINES)
def test_bitmap_bytes_beyond_the_tss_limit_count_as_set(engine):
    """Two bitmap bytes are read: port 0x78's pair is 0x0F-0x10, inside a limit of 0x68 + 0x10;
    port 0x80's pair 0x10-0x11 crosses it."""
    m = bitmap_machine(in_dx(0x78, 1) + in_dx(0x80, 1), limit=0x68 + 0x10)
    assert run(engine, m) == "halt"
    assert_gp0_at(m, USER + 9)


@pytest.mark.parametrize("engine", ENGINES)
def test_bitmap_not_consulted_at_cpl_le_iopl(engine):
    """Ring 0 (CPL 0 <= IOPL 0) ignores a fully set bitmap."""
    m = machine(in_dx(0x21, 1) + HLT, handlers={13: HLT})
    m.mem.write(TSS + 0x66, struct.pack("<H", 0x68))
    m.mem.write(TSS + 0x68, b"\xff" * 0x10)
    m.state.cpu.tr.limit = 0x78
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == 0x1000 + 6 and m.state.w[0] & 0xFF == 0xFF
