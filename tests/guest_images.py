"""The committed guest test images (testcases/) and how to run them under QEMU and btvm."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTCASES = ROOT / "testcases"
BUILD = TESTCASES / "build"
EXPECTED = TESTCASES / "expected"

QEMU = "qemu-system-i386"
QEMU_ARGS = ["-accel", "tcg", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel"]
QEMU_TIMEOUT = 60
BTVM_TIMEOUT = 600


def testcase_names():
    """Names of the programs with recorded QEMU output (expected/NAME.out)."""
    return sorted(p.stem for p in EXPECTED.glob("*.out"))


def pending_reason(name):
    """Why btvm cannot run NAME yet (expected/NAME.pending, one line naming the missing feature),
    or None. Pending programs are expected to fail on btvm (strict xfail): when the feature lands
    the test reports XPASS and the .pending file must be deleted."""
    path = EXPECTED / f"{name}.pending"
    return path.read_text().strip() if path.exists() else None


def image_path(name):
    """build/NAME.elf or build/NAME.bin."""
    for suffix in (".elf", ".bin"):
        path = BUILD / (name + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"no image for {name} in {BUILD}")


def all_images():
    return sorted(p for p in BUILD.iterdir() if p.suffix in (".elf", ".bin"))


def expected(name):
    """(stdout bytes, exit status) recorded from QEMU."""
    out = (EXPECTED / f"{name}.out").read_bytes()
    status = int((EXPECTED / f"{name}.status").read_text().strip())
    return out, status


def run_qemu(image, timeout=QEMU_TIMEOUT):
    """Run under QEMU: (stdout bytes, guest exit value or None if QEMU ended otherwise)."""
    proc = subprocess.run([QEMU] + QEMU_ARGS + [str(image)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    rc = proc.returncode
    return proc.stdout, (rc >> 1 if rc & 1 else None)


def run_btvm(image, engine="interp", timeout=BTVM_TIMEOUT, extra_args=()):
    """Run under btvm: (stdout bytes, exit status, stderr text)."""
    proc = subprocess.run([sys.executable, "-m", "bt.cli", "run", str(image), "--engine", engine, *extra_args],
                          cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    return proc.stdout, proc.returncode, proc.stderr.decode(errors="replace")


# Self-checking guests (no QEMU recording: QEMU departs from the SDM there; testcases/README.md).
SELF_CHECK_ENGINES = {"interp": ("interp", ()), "jit": ("jit", ()), "jit-hot": ("jit", ("--hot-threshold", "3")),
                      "diff": ("diff", ())}


def run_self_checking(image_name, engine, extra_args=()):
    """Run self-checking guest IMAGE_NAME on one of SELF_CHECK_ENGINES: (exit status, stdout
    text, stderr text)."""
    name, extra = SELF_CHECK_ENGINES[engine]
    out, status, err = run_btvm(BUILD / image_name, engine=name, extra_args=extra + tuple(extra_args))
    return status, out.decode(errors="replace"), err


def qemu_text(image_name):
    """(stdout text, exit value) of IMAGE_NAME under QEMU; skips the test without QEMU."""
    import shutil
    import pytest
    if shutil.which(QEMU) is None:
        pytest.skip("qemu-system-i386 is not installed")
    out, status = run_qemu(BUILD / image_name)
    return out.decode(errors="replace"), status


def parse_toolchain(text):
    """testcases/TOOLCHAIN -> {tool: version line}."""
    tools = {}
    for line in text.splitlines():
        m = re.match(r"^(\w+): (.*)$", line)
        if m:
            tools[m.group(1)] = m.group(2).strip()
    return tools
