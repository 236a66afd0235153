"""The committed guest images rebuild byte-for-byte from their sources (testcases/Makefile)."""
import shutil
import subprocess

import pytest

from guest_images import BUILD, TESTCASES, all_images, parse_toolchain

VERSION_CMDS = {
    "nasm": ["nasm", "-v"],
    "gcc": ["gcc", "--version"],
    "ld": ["ld", "--version"],
}


def _installed_versions():
    versions = {}
    for tool, cmd in VERSION_CMDS.items():
        if shutil.which(cmd[0]) is None:
            return None, f"{cmd[0]} is not installed"
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        versions[tool] = out.splitlines()[0].strip() if out else ""
    return versions, None


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    versions, why = _installed_versions()
    if versions is None:
        pytest.skip(f"cannot rebuild the test images: {why}")
    recorded = parse_toolchain((TESTCASES / "TOOLCHAIN").read_text())
    for tool, version in versions.items():
        if recorded.get(tool) != version:
            pytest.skip(f"{tool} version differs from testcases/TOOLCHAIN "
                        f"({version!r} installed, images built with {recorded.get(tool)!r})")
    tmp = tmp_path_factory.mktemp("testcases")
    proc = subprocess.run(["make", "-C", str(TESTCASES), f"O={tmp / 'obj'}", f"B={tmp / 'build'}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp / "build"


@pytest.mark.parametrize("image", [p.name for p in all_images()])
def test_image_rebuilds_identically(rebuilt, image):
    fresh = rebuilt / image
    assert fresh.exists(), f"the Makefile no longer builds {image}"
    assert fresh.read_bytes() == (BUILD / image).read_bytes(), \
        f"{image} differs from the committed build/{image}: rebuild and re-record (see testcases/README.md)"


def test_makefile_builds_nothing_uncommitted(rebuilt):
    committed = {p.name for p in all_images()}
    built = {p.name for p in rebuilt.iterdir()}
    assert built == committed
