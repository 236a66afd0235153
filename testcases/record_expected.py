#!/usr/bin/env python3
"""Record the expected serial output and exit status of each image under QEMU.

Usage: record_expected.py [IMAGE ...]   (default: every testcase image in build/)
Writes expected/NAME.out (exact stdout bytes) and expected/NAME.status (the
guest's exit value v, recovered from QEMU's exit code (v << 1) | 1).
"""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
# probe prints loader addresses; seglimit and cslimit check themselves, as QEMU 7.2 takes none of
# their faults (README.md)
NOT_TESTCASES = {"probe", "seglimit", "cslimit"}

QEMU_CMD = ["qemu-system-i386", "-accel", "tcg", "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel"]


def run_qemu(image, timeout=60):
    """Run image under QEMU; return (stdout bytes, guest exit value or None)."""
    proc = subprocess.run(QEMU_CMD + [str(image)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    rc = proc.returncode
    status = rc >> 1 if rc & 1 else None     # even codes: QEMU itself failed/quit
    return proc.stdout, status, proc.stderr


def main(argv):
    images = [pathlib.Path(a) for a in argv] or sorted(
        p for p in (HERE / "build").iterdir() if p.suffix in (".elf", ".bin"))
    out_dir = HERE / "expected"
    out_dir.mkdir(exist_ok=True)
    bad = 0
    for image in images:
        name = image.stem
        if name in NOT_TESTCASES:
            continue
        out, status, err = run_qemu(image)
        if status is None:
            print(f"{name}: QEMU did not exit through isa-debug-exit: {err.decode()!r}")
            bad += 1
            continue
        (out_dir / f"{name}.out").write_bytes(out)
        (out_dir / f"{name}.status").write_text(f"{status}\n")
        print(f"{name}: status {status}, {len(out)} bytes")
        bad += status != 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
