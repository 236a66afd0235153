"""Guest test programs: QEMU still gives the recorded output, and btvm gives the same.

The expected files (testcases/expected/NAME.out, NAME.status) were recorded from QEMU by
testcases/record_expected.py; new programs are picked up from there automatically.
"""
import shutil

import pytest

import guest_images
from guest_images import expected, image_path, pending_reason, run_btvm, run_qemu

NAMES = guest_images.testcase_names()


@pytest.mark.qemu
@pytest.mark.parametrize("name", NAMES)
def test_qemu_matches_recording(name):
    if shutil.which("qemu-system-i386") is None:
        pytest.skip("qemu-system-i386 is not installed")
    want_out, want_status = expected(name)
    out, status = run_qemu(image_path(name))
    assert status == want_status
    assert out == want_out


# jit-hot: every block is promoted to the optimising tier after 3 executions, so the hot tier and
# its in-function loops run on every program (the default threshold is far above these programs).
# jit-flush: a 1 MiB translation cache, so the bigger programs flush it (new LLVM engines) mid-run.
ENGINE_ARGS = {"interp": ("interp", ()), "jit": ("jit", ()), "jit-hot": ("jit", ("--hot-threshold", "3")),
               "jit-flush": ("jit", ("--tcache-size", "1M"))}


@pytest.mark.parametrize("engine", list(ENGINE_ARGS))
@pytest.mark.parametrize("name", NAMES)
def test_btvm_matches_qemu(name, engine, request):
    """Needs no QEMU: compares with the committed recording. A program whose feature btvm lacks
    (expected/NAME.pending) must fail: strict xfail, so it reports when the feature lands."""
    reason = pending_reason(name)
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"btvm lacks {reason}"))
    want_out, want_status = expected(name)
    engine_name, extra = ENGINE_ARGS[engine]
    out, status, err = run_btvm(image_path(name), engine=engine_name, extra_args=extra)
    assert out.decode(errors="replace") == want_out.decode(errors="replace"), err[-2000:]
    assert out == want_out
    assert status == want_status, err[-2000:]


def test_every_recorded_program_has_an_image():
    assert NAMES, "no expected outputs in testcases/expected"
    for name in NAMES:
        assert image_path(name).exists()
        out, status = expected(name)
        assert status == 0 and out.endswith(b"ALL PASS\n"), f"{name} did not pass under QEMU"
