#!/usr/bin/env python3
"""Record the expected serial output and exit value of each benchmark image under QEMU.

Usage: record.py [IMAGE ...]   (default: every image in build/ but empty.elf)
Writes expected/NAME.out and expected/NAME.status, like testcases/record_expected.py (whose
QEMU command it uses), and checks that each image's native peer prints the same line.
"""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "testcases"))
from record_expected import run_qemu  # noqa: E402


def main(argv):
    images = [pathlib.Path(a) for a in argv] or sorted((HERE / "build").glob("*.elf"))
    out_dir = HERE / "expected"
    out_dir.mkdir(exist_ok=True)
    bad = 0
    for image in images:
        name = image.stem
        out, status, err = run_qemu(image, timeout=300)
        if status is None:
            print(f"{name}: QEMU did not exit through isa-debug-exit: {err.decode()!r}")
            bad += 1
            continue
        (out_dir / f"{name}.out").write_bytes(out)
        (out_dir / f"{name}.status").write_text(f"{status}\n")
        print(f"{name}: status {status}: {out.decode(errors='replace').strip()}")
        bad += status != 0
        peer = HERE / "native" / name
        if peer.exists():
            native = subprocess.run([str(peer)], capture_output=True, check=False).stdout
            if native != out:
                print(f"{name}: the native peer prints {native!r}")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
