"""`btvm run`: option checking, exit statuses and messages for every way a run ends.

Run endings are driven through a fake engine (in process) so these tests do not depend on how much of
the ISA the interpreter covers; a few subprocess runs check the real command and the real interpreter."""
import io
import os
import subprocess
import sys

import pytest

import bt.runtime.machine as machine_mod
from bt import cli
from bt.runtime.events import (GP, GuestFault, GuestHalt, GuestShutdown, LimitReached, STATUS_HALTED,
                               STATUS_INTERNAL_ERROR, STATUS_LIMIT, STATUS_SHUTDOWN,
                               STATUS_UNHANDLED_FAULT)
from image_builders import CLI_HLT, aout_image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, module="bt", env_extra=None, input=None):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("BTVM_DEBUG", None)
    env.update(env_extra or {})
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          stdin=stdin, input=input, env=env, timeout=120, cwd=REPO)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "guest.bin"
    path.write_bytes(aout_image(CLI_HLT))
    return str(path)


# -- option values -------------------------------------------------------------------------------

@pytest.mark.parametrize("opts,needle", [
    (["--memory", "0"], "--memory"),
    (["--memory", "abc"], "--memory"),
    (["--memory", "1M"], "--memory"),
    (["--memory", "64G"], "--memory"),
    (["--memory", "1000001"], "--memory"),
    (["--max-insns", "-1"], "--max-insns"),
    (["--max-insns", "0"], "--max-insns"),
    (["--max-insns", "lots"], "--max-insns"),
    (["--timeout", "-3"], "--timeout"),
    (["--timeout", "nan"], "--timeout"),
    (["--load-addr", "0x8000000"], "--load-addr"),
    (["--load-addr", "0x100000000"], "--load-addr"),
    (["--load-addr", "zz"], "--load-addr"),
    (["--engine", "warp"], "--engine"),
    (["--bogus"], "--bogus"),
])
def test_bad_option_values_exit_2_with_one_line(image, opts, needle):
    proc = run_cli("run", image, *opts)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("btvm: error: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_image_argument_is_one_line():
    proc = run_cli("run")
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize("text,size", [("128M", 128 << 20), ("1G", 1 << 30), ("65536K", 64 << 20),
                                       ("134217728", 128 << 20), ("256MiB", 256 << 20), ("2m", 2 << 20)])
def test_size_parsing(text, size):
    assert cli.parse_size(text) == size


def test_help_works_both_ways():
    for module in ("bt", "bt.cli"):
        proc = run_cli("run", "--help", module=module)
        assert proc.returncode == 0 and "--max-insns" in proc.stdout


# -- run endings (fake engine) -------------------------------------------------------------------

def fake_engine(action):
    class FakeEngine:
        def __init__(self, machine):
            self.machine = machine

        def run(self, max_insns=None, deadline=None):
            action(self.machine, max_insns, deadline)
    return FakeEngine


def run_with(monkeypatch, capsys, image, action, *opts, debug=False):
    monkeypatch.setattr(machine_mod, "engine_class", lambda name: fake_engine(action))
    if debug:
        monkeypatch.setenv("BTVM_DEBUG", "1")
    else:
        monkeypatch.delenv("BTVM_DEBUG", raising=False)
    status = cli.main(["run", image, *opts])
    return status, capsys.readouterr().err


def at(eip, exc):
    def action(m, *_):
        m.state.cpu.eip = eip
        raise exc
    return action


def test_guest_exit_status_is_the_value_written(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, lambda m, *_: m.io.write(0xF4, 1, 42))
    assert (status, err) == (42, "")
    status, err = run_with(monkeypatch, capsys, image, lambda m, *_: m.io.write(0xF4, 4, 0x1FF))
    assert (status, err) == (0xFF, "")


def test_guest_output_reaches_stdout(monkeypatch, capfd, image):
    def action(m, *_):
        m.uart.output._sink = sys.stdout.buffer   # capfd swaps fd 1; the UART writes through it
        for b in b"hi\n":
            m.io.write(0x3F8, 1, b)
        m.io.write(0xF4, 1, 0)
    monkeypatch.setattr(machine_mod, "engine_class", lambda name: fake_engine(action))
    assert cli.main(["run", image]) == 0
    assert capfd.readouterr().out == "hi\n"


def test_halt(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, at(0x100022, GuestHalt(0x100022)))
    assert status == STATUS_HALTED
    assert err == "btvm: guest halted at eip=0x00100022\n"


def test_shutdown_prints_reason_and_register_dump(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, at(0x100040, GuestShutdown()))
    assert status == STATUS_SHUTDOWN
    assert err.startswith("btvm: guest shutdown (triple fault) at eip=0x00100040\n")
    for reg in ("eax=2badb002", "ebx=00009500", "esp=", "edi=", "eip=00100040", "eflags=00000006", "esp=00006f08",
                "cs=0008 base=00000000", "ss=0010", "gs=0010", "cr0=00000011", "cr2=", "cr3=", "cr4="):
        assert reg in err


def test_unhandled_fault(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, at(0x100050, GuestFault(GP, 0x10, "bad selector")))
    assert status == STATUS_UNHANDLED_FAULT
    assert err.splitlines()[0] == "btvm: unhandled guest exception #GP(0x10) bad selector at eip=0x00100050"
    assert "cr0=" in err


@pytest.mark.parametrize("which,text", [("max-insns", "instruction limit (--max-insns)"),
                                        ("timeout", "time limit (--timeout)")])
def test_limits(monkeypatch, capsys, image, which, text):
    status, err = run_with(monkeypatch, capsys, image, at(0x100060, LimitReached(which, 0x100060)))
    assert status == STATUS_LIMIT
    assert err == f"btvm: {text} reached at eip=0x00100060\n"


def test_limits_are_passed_to_the_engine(monkeypatch, capsys, image):
    seen = {}

    def action(m, max_insns, deadline):
        seen.update(max_insns=max_insns, deadline=deadline)
        raise GuestHalt(0)
    run_with(monkeypatch, capsys, image, action, "--max-insns", "0x100", "--timeout", "2.5")
    assert seen["max_insns"] == 256 and seen["deadline"] is not None


def test_internal_error_without_traceback(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, at(0x100070, ZeroDivisionError("oops")))
    assert status == STATUS_INTERNAL_ERROR
    lines = err.splitlines()      # the reason, registers, the code at EIP, hints (test_failure_report.py)
    assert "Traceback" not in err
    assert "ZeroDivisionError: oops" in lines[0] and "eip=0x00100070" in lines[0]
    assert "BTVM_DEBUG=1" in lines[-1] and "report a bug" in lines[-1]


def test_internal_error_traceback_with_btvm_debug(monkeypatch, capsys, image):
    status, err = run_with(monkeypatch, capsys, image, at(0, ZeroDivisionError("oops")), debug=True)
    assert status == STATUS_INTERNAL_ERROR and "Traceback" in err


def test_engine_that_cannot_load_is_an_internal_error(monkeypatch, capsys, image):
    monkeypatch.setitem(machine_mod.ENGINES, "interp", "bt.no_such_module:Engine")
    monkeypatch.delenv("BTVM_DEBUG", raising=False)
    assert cli.main(["run", image, "--engine", "interp"]) == STATUS_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "cannot be loaded" in err.splitlines()[0] and "Traceback" not in err


def test_machine_run_result_fields(tmp_path):
    path = tmp_path / "g.bin"
    path.write_bytes(aout_image(CLI_HLT))
    m = machine_mod.Machine(memory_size=4 << 20, stdout=io.BytesIO())
    try:
        m.load(str(path))
        orig = machine_mod.engine_class
        machine_mod.engine_class = lambda name: fake_engine(lambda mm, *_: mm.io.write(0xF4, 2, 0x0107))
        try:
            result = m.run()
        finally:
            machine_mod.engine_class = orig
        assert (result.reason, result.status, result.message) == ("exit", 7, "")
    finally:
        m.close()


# -- the real command with the real interpreter --------------------------------------------------

def real_run(tmp_path, code, *opts, input=None):
    path = tmp_path / "real.bin"
    path.write_bytes(aout_image(code))
    proc = run_cli("run", str(path), *opts, input=input)
    if proc.returncode == STATUS_SHUTDOWN and "not implemented" in proc.stderr:
        pytest.skip(f"the interpreter does not run this yet: {proc.stderr.splitlines()[0]}")
    return proc


def test_real_hello_and_exit(tmp_path):
    code = b"\x66\xba\xf8\x03"                       # mov dx, 0x3f8
    for ch in b"hi\n":
        code += b"\xb0" + bytes([ch]) + b"\xee"      # mov al, ch; out dx, al
    code += b"\x66\xba\xf4\x00\xb0\x05\xee"          # mov dx, 0xf4; mov al, 5; out dx, al
    proc = real_run(tmp_path, code)
    assert (proc.returncode, proc.stdout, proc.stderr) == (5, "hi\n", "")


def test_real_halt(tmp_path):
    proc = real_run(tmp_path, b"\xfa\xf4")             # cli; hlt
    assert proc.returncode == STATUS_HALTED
    assert proc.stderr == "btvm: guest halted at eip=0x00100022\n"   # EIP after the HLT, as the SDM has it


def test_real_max_insns(tmp_path):
    proc = real_run(tmp_path, b"\xeb\xfe", "--max-insns", "1000")   # jmp $
    assert proc.returncode == STATUS_LIMIT
    assert "instruction limit" in proc.stderr and "eip=0x00100020" in proc.stderr


def test_real_timeout(tmp_path):
    proc = real_run(tmp_path, b"\xeb\xfe", "--timeout", "0.5")
    assert proc.returncode == STATUS_LIMIT
    assert "time limit" in proc.stderr


def test_real_echo_from_stdin(tmp_path):
    code = bytes.fromhex(
        "66bafd03"      # start: mov dx, 0x3fd
        "ec"            # poll:  in al, dx
        "a801"          #        test al, 1          ; LSR.DR
        "74fb"          #        jz poll
        "66baf803"      #        mov dx, 0x3f8
        "ec"            #        in al, dx           ; RBR
        "3c71"          #        cmp al, 'q'
        "7403"          #        je done
        "ee"            #        out dx, al          ; echo
        "ebeb"          #        jmp start
        "66baf400"      # done:  mov dx, 0xf4
        "b009"          #        mov al, 9
        "ee")           #        out dx, al
    proc = real_run(tmp_path, code, "--timeout", "60", input="abcq")
    assert (proc.returncode, proc.stdout) == (9, "abc"), proc.stderr
