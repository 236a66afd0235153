"""The hand-assembled hot-loop guest the loop benches share, and how Unicorn runs it (bench-time only).

    mov ecx, N ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt
"""
import pytest


def loop_code(n):
    return bytes.fromhex("b9") + n.to_bytes(4, "little") + bytes.fromhex("01c8 49 75fb f4")


def loop_sum(n):
    """EAX at the HLT."""
    return (n * (n + 1) // 2) & 0xFFFFFFFF


def run_unicorn(n):
    unicorn = pytest.importorskip("unicorn")
    from unicorn import x86_const as X
    code = loop_code(n)
    uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_32)
    uc.mem_map(0, 1 << 20)
    uc.mem_write(0x1000, code)
    uc.reg_write(X.UC_X86_REG_EAX, 0)
    uc.emu_start(0x1000, 0x1000 + len(code) - 1)
    assert uc.reg_read(X.UC_X86_REG_EAX) == loop_sum(n)
