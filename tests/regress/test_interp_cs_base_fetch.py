"""Regression (found by the GDT fuzzer, tests/fuzz gdt seed 1000077): the interpreter fetches code at
EIP instead of CS.base + EIP, so after a far jump into a code segment with a non-zero base it runs the
wrong bytes. Fixed: the interpreter fetches and tracks code at CS.base + EIP (SDM Vol. 3, 3.4) and
flushes its EIP-keyed blocks when CS is reloaded."""
import struct

import pytest

from tests.fuzz import harness

GDT = bytes(8) + bytes.fromhex("ffff0000009bcf00" "ffff00000093cf00") + \
    struct.pack("<HHBBBB", 0xFFFF, 0x1000, 0, 0x9B, 0xCF, 0)        # 0x18: code, base 0x1000, 4 GiB


def _case():
    code = b"\x0f\x01\x15" + struct.pack("<I", 0x1F00)                 # lgdt [0x1f00]
    code += b"\xea" + struct.pack("<IH", 0x100100, 0x18)               # ljmp 0x18:0x100100
    return harness.Case(code, memory={0x2000: GDT, 0x1F00: struct.pack("<HI", len(GDT) - 1, 0x2000),
                                      0x100100: b"\xb8\xad\xde\x00\x00\xf4",      # mov eax, 0xdead; hlt
                                      0x101100: b"\xb8\xde\xc0\x00\x00\xf4"},     # mov eax, 0xc0de; hlt
                        max_insns=100)


def _eax(engine):
    out, result = harness.run_case(_case(), engine)
    assert out.reason == "halt", result.message
    return out.regs[0]


def test_jit_fetches_at_cs_base_plus_eip():
    assert _eax("jit") == 0xC0DE



def test_interp_fetches_at_cs_base_plus_eip():
    assert _eax("interp") == 0xC0DE
