"""Clean failure reports (issue 6 item 5): an internal error during a run prints the reason, the guest
EIP, the registers, the block being executed (instruction at EIP marked) and the hint to rerun with
--diff or --engine interp; no traceback unless BTVM_DEBUG=1."""
import pytest

from bt import cli
from bt.runtime.interp import registry
from bt.runtime.state import W_EIP
from image_builders import aout_image

# mov eax, 1; mov ecx, 2; cpuid; add eax, ecx; hlt   (CPUID is a callout on the JIT: the interpreter runs it)
CODE = bytes.fromhex("b801000000" "b902000000" "0fa2" "01c8" "f4")
CPUID_EIP = 0x100020 + 10


@pytest.fixture
def broken_cpuid(monkeypatch):
    def factory(x, insn):
        def op():
            raise KeyError("simulated handler bug")
        return op
    monkeypatch.setitem(registry.HANDLERS, "cpuid", factory)
    monkeypatch.delenv("BTVM_DEBUG", raising=False)


@pytest.mark.parametrize("engine", ["jit", "interp"])
def test_internal_error_report(tmp_path, capsys, broken_cpuid, engine):
    path = tmp_path / "g.bin"
    path.write_bytes(aout_image(CODE))
    status = cli.main(["run", str(path), "--engine", engine])
    err = capsys.readouterr().err
    assert status == 125, err
    lines = err.splitlines()
    assert lines[0] == (f"btvm: internal error: KeyError: 'simulated handler bug' "
                        f"(guest eip={CPUID_EIP:#010x})")
    assert "Traceback" not in err
    for reg in ("eax=00000001", "ecx=00000002", f"eip={CPUID_EIP:08x}", "cs=0008", "cr0="):
        assert reg in err
    marked = [l for l in lines if l.startswith("=>")]
    assert marked == [f"=> {CPUID_EIP:08x}  0f a2                    cpuid"], err
    assert any("mov" in l and "ecx, 2" in l for l in lines)          # the block around EIP
    assert any("add" in l and "eax, ecx" in l for l in lines)
    assert lines[-1].startswith("btvm: rerun with BTVM_DEBUG=1 for a traceback")
    assert lines[-1].endswith("please report a bug")
    assert ("--diff" in lines[-1] and "--engine interp" in lines[-1]) == (engine == "jit")


def test_internal_error_traceback_with_debug(tmp_path, capsys, broken_cpuid, monkeypatch):
    monkeypatch.setenv("BTVM_DEBUG", "1")
    path = tmp_path / "g.bin"
    path.write_bytes(aout_image(CODE))
    assert cli.main(["run", str(path), "--engine", "interp"]) == 125
    err = capsys.readouterr().err
    assert "Traceback" in err and "simulated handler bug" in err and "=> " in err


def test_report_survives_unreadable_state(monkeypatch):
    from bt.runtime import crash_report

    class Broken:
        state = None
    text = crash_report.internal_error_report(Broken())
    assert text.count("report incomplete") == 2
