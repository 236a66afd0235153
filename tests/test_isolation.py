"""Isolation is checked, not assumed (issue 6 item 3): guest RAM sits between PROT_NONE guard regions,
so a host access just outside it faults (proved in a subprocess), and guest physical addresses beyond
RAM behave as platform.md says on both engines: reads give 0, writes are dropped, RAM is untouched."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from bt.runtime.memory import GUARD_SIZE, UNBACKED_BYTE
from tests.fuzz import harness

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _touch(where):
    script = textwrap.dedent(f"""
        import ctypes
        from bt.runtime.memory import GuestMemory
        m = GuestMemory(1 << 20)
        ctypes.c_uint8.from_address(m.base_hva).value = 1             # first and last RAM bytes work
        ctypes.c_uint8.from_address(m.base_hva + m.size - 1).value = 2
        print("ram ok", flush=True)
        addr = {{"below": m.base_hva - 1, "above": m.base_hva + m.size,
                "far_below": m.base_hva - {GUARD_SIZE}, "far_above": m.base_hva + m.size + {GUARD_SIZE} - 1}}["{where}"]
        ctypes.c_uint8.from_address(addr).value
        print("guard readable", flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.mark.parametrize("where", ["below", "above", "far_below", "far_above"])
def test_host_access_outside_ram_faults(where):
    proc = _touch(where)
    assert "ram ok" in proc.stdout, proc.stderr
    assert "guard readable" not in proc.stdout
    assert proc.returncode == -signal.SIGSEGV, (proc.returncode, proc.stderr)


RAM = harness.RAM_SIZE


def _unbacked_program():
    # Reads of every width at and across the end of RAM and far beyond it, stored into RAM at 0x8000;
    # writes of every width beyond RAM (and one straddling the end: its in-RAM bytes land).
    code = b""
    for i, (addr, op) in enumerate([(RAM, b"\x8b"), (RAM + 0x1234, b"\x8b"), (0xC0000000, b"\x8b"),
                                    (RAM - 2, b"\x8b"), (RAM - 1, b"\x66\x8b"), (0x80000000, b"\x8a")]):
        code += b"\xb8\x55\x55\x55\x55"                                    # mov eax, 0x55555555
        code += op + b"\x05" + addr.to_bytes(4, "little")                    # mov eax/ax/al, [addr]
        code += b"\xa3" + (0x8000 + 4 * i).to_bytes(4, "little")            # mov [0x8000+4i], eax
    code += b"\xb8\x11\x22\x33\x44"                                          # mov eax, 0x44332211
    for addr in (RAM, RAM + 0x10000, 0xFFFFFFF0):
        code += b"\xa3" + addr.to_bytes(4, "little")                          # mov [addr], eax
        code += b"\xc6\x05" + addr.to_bytes(4, "little") + b"\x99"          # mov byte [addr], 0x99
    code += b"\xa3" + (RAM - 2).to_bytes(4, "little")                        # straddles the end of RAM
    code += b"\xbf" + (RAM - 8).to_bytes(4, "little") + b"\xb9\x10\x00\x00\x00\xf3\xaa"  # rep stosb over the end
    code += b"\x8b\x05" + (RAM + 4).to_bytes(4, "little")                    # read back beyond RAM
    return code + b"\xf4"


@pytest.mark.parametrize("engine", ["interp", "jit"])
def test_unbacked_physical_addresses(engine):
    case = harness.Case(_unbacked_program(), memory={RAM - 2: b"\xab\xcd"}, max_insns=10_000)
    m = harness.build_machine(case)
    try:
        result = m.run(engine=engine, max_insns=case.max_insns, timeout=30)
        assert result.reason == "halt", result.message
        ub = UNBACKED_BYTE
        words = [m.mem.read_u32(0x8000 + 4 * i) for i in range(6)]
        assert words[:3] == [ub * 0x01010101] * 3
        assert words[3] == ub * 0x01010000 | 0xCDAB              # dword across the end of RAM
        assert words[4] == 0x55550000 | ub << 8 | 0xCD           # word across the end of RAM
        assert words[5] == 0x55555500 | ub                       # byte far beyond RAM
        assert m.mem.read(RAM - 8, 8) == b"\x11" * 8             # in-RAM part of REP STOSB over the end
        assert m.state.w[0] == ub * 0x01010101                   # writes beyond RAM were dropped
    finally:
        m.close()


def test_unbacked_same_on_both_engines():
    ok, text, (a, b) = harness.compare(harness.Case(_unbacked_program(), memory={RAM - 2: b"\xab\xcd"},
                                                   max_insns=10_000, timeout=30))
    assert ok, text
    assert a.reason == "halt"
