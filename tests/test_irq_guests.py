"""Guests that use the PIC, the PIT, the UART's interrupt and HLT (tests/guests_irq/*.asm), matched
against QEMU: each NAME.expected is QEMU's serial output for the image (recorded with the command of
tests/guest_images.py; `test_expected_still_matches_qemu` records it again when QEMU is installed).
Every guest exits with status 0 through port 0xF4 (QEMU: process status 1)."""
import pathlib
import shutil
import subprocess

import pytest

from guest_images import run_btvm, run_qemu

HERE = pathlib.Path(__file__).resolve().parent / "guests_irq"
GUESTS = sorted(p.stem for p in HERE.glob("*.asm"))
RUNS = {"interp": ("interp", ()), "jit": ("jit", ()), "jit-hot": ("jit", ("--hot-threshold", "3")),
        "interp-icount": ("interp", ("--icount", "3")), "jit-icount": ("jit", ("--icount", "3"))}


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    out = tmp_path_factory.mktemp("irq_guests")
    built = {}
    for name in GUESTS:
        built[name] = out / f"{name}.bin"
        subprocess.run(["nasm", "-f", "bin", "-o", str(built[name]), str(HERE / f"{name}.asm")],
                       check=True, capture_output=True)
    return built


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", GUESTS)
def test_guest_matches_qemu(images, name, run):
    engine, extra = RUNS[run]
    out, status, err = run_btvm(images[name], engine, timeout=300, extra_args=extra)
    assert (out.decode(), status) == ((HERE / f"{name}.expected").read_text(), 0), err


@pytest.mark.parametrize("name", GUESTS)
def test_guest_in_lockstep_with_icount(images, name):
    out, status, err = run_btvm(images[name], "diff", timeout=600, extra_args=("--icount", "5"))
    assert status == 0, err
    assert "no divergence" in err
    assert out.decode() == (HERE / f"{name}.expected").read_text()


@pytest.mark.skipif(shutil.which("qemu-system-i386") is None, reason="QEMU is not installed")
@pytest.mark.parametrize("name", GUESTS)
def test_expected_still_matches_qemu(images, name):
    out, value = run_qemu(images[name])
    assert (out.decode(), value) == ((HERE / f"{name}.expected").read_text(), 0)
