"""Bad images and arguments not covered by test_loader.py / test_cli.py (issue 6 item 1): each gives
one "btvm: error: ..." line on stderr naming the problem, exit status 2 and no traceback."""
import os
import struct

import pytest

from bt.runtime import loader
from bt.runtime.events import ImageError
from bt.runtime.memory import GuestMemory
from bt.runtime.state import State
from image_builders import AOUT, CLI_HLT, elf32, mb_header
from test_loader import assert_one_line_error, run_cli

RAM = 4 << 20


def _elf_patched(offset, fmt, value, segments=None):
    data = bytearray(elf32(segments or [(0x100000, CLI_HLT, 2)], entry=0x100000))
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


PHDR0 = 52          # first program header
IMAGES = {
    "elf_segments_overlap": (elf32([(0x100000, b"A" * 0x100, 0x2000), (0x101000, b"B" * 16, 16)],
                                   entry=0x100000), "overlap"),
    "elf_segments_same_place": (elf32([(0x100000, CLI_HLT, 2), (0x100000, CLI_HLT, 2)], entry=0x100000),
                                "overlap"),
    "elf_segment_far_beyond_ram": (elf32([(0x100000, CLI_HLT, 2), (0x40000000, b"X", 1)], entry=0x100000),
                                   "outside guest RAM"),
    "elf_segment_at_top_of_4g": (elf32([(0xFFFFF000, b"X", 0x1000)], entry=0x100000), "outside guest RAM"),
    "elf_huge_filesz": (_elf_patched(PHDR0 + 16, "<I", 0xFFFFFFFF), "larger than p_memsz"),
    "elf_huge_filesz_and_memsz": (elf32([(0x100000, CLI_HLT, 2)], entry=0x100000)[:PHDR0 + 16]
                                  + struct.pack("<IIII", 0xFFFFFFF0, 0xFFFFFFF0, 7, 0x1000) + CLI_HLT,
                                  "past the end of the file"),
    "elf_huge_offset": (_elf_patched(PHDR0 + 4, "<I", 0xFFFFFFF0), "past the end of the file"),
    "elf_huge_phoff": (_elf_patched(28, "<I", 0xFFFFFFF0), "program headers run past"),
    "elf_huge_phnum": (_elf_patched(44, "<H", 0xFFFF), "program headers run past"),
    "elf_small_phentsize": (_elf_patched(42, "<H", 8), "program header size"),
    "aout_load_end_beyond_4g": (mb_header(AOUT, 0x100000, 0x100000, 0xFFFFFFFF, 0, 0x100000) + CLI_HLT,
                                "truncated"),
    "aout_bss_end_beyond_ram": (mb_header(AOUT, 0x100000, 0x100000, 0, 0x8000000, 0x100000) + CLI_HLT,
                                "outside guest RAM"),
    "aout_load_addr_zero_header_far": (mb_header(AOUT, 0xFFFFFFF0, 0, 0, 0, 0) + CLI_HLT,
                                       "more than the header's file offset"),
    "garbage": (bytes(range(256)) * 4 + b"\x7fEL", None),     # raw binary: loads fine
}


def _load(tmp_path, data):
    path = tmp_path / "img"
    path.write_bytes(data)
    m = GuestMemory(RAM)
    try:
        return loader.load_image(m, State(), str(path))
    finally:
        m.close()


@pytest.mark.parametrize("case", sorted(IMAGES))
def test_bad_image_in_process(tmp_path, case):
    data, needle = IMAGES[case]
    if needle is None:
        assert _load(tmp_path, data).kind == "raw"
        return
    with pytest.raises(ImageError) as e:
        _load(tmp_path, data)
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_bad_images_via_cli(tmp_path):
    for case, (data, needle) in sorted(IMAGES.items()):
        if needle is None:
            continue
        path = tmp_path / case
        path.write_bytes(data)
        proc = run_cli("run", str(path), "--memory", str(RAM))
        assert_one_line_error(proc)
        assert needle in proc.stderr, (case, proc.stderr)


def test_file_too_large_via_cli(tmp_path):
    path = tmp_path / "huge.bin"
    with open(path, "wb") as f:
        f.truncate(loader.MAX_IMAGE_FILE + 1)          # sparse: no disk space used
    proc = run_cli("run", str(path))
    assert_one_line_error(proc)
    assert "too large" in proc.stderr


@pytest.mark.parametrize("args,needle", [
    (["explain", "{missing}"], "No such file"),
    (["explain", "{dir}"], "is a directory"),
    (["explain", "{img}", "--addr", "zz"], "--addr"),
    (["explain", "{img}", "--addr", "0x1FFFFFFFF"], "--addr"),
    (["explain", "{img}", "--tier", "warp"], "--tier"),
    (["explain", "{img}", "--memory", "7"], "--memory"),
    (["run", "{img}", "--hot-threshold", "0"], "--hot-threshold"),
    (["run", "{img}", "--hot-threshold", "-5"], "--hot-threshold"),
    (["run", "{img}", "--hot-threshold", "many"], "--hot-threshold"),
    (["run", "{img}", "--hot-threshold", "4294967297"], "--hot-threshold"),   # would wrap to 1 in i32
    (["run", "{img}", "--timeout", "NaN"], "--timeout"),
    (["run", "{img}", "--timeout", "inf"], "--timeout"),
    (["run", "{img}", "--timeout", "1e400"], "--timeout"),
    (["run", "{img}", "--timeout", "0"], "--timeout"),
    (["run", "{img}", "--timeout", ""], "--timeout"),
    (["run", "{img}", "--diff-full-every", "0"], "--diff-full-every"),
    (["run", "{img}", "--tcache-size", "0"], "--tcache-size"),
    (["run", "{img}", "--tcache-size", "lots"], "--tcache-size"),
    (["run", "{img}", "--tcache-size", "2000G"], "--tcache-size"),
    (["run", "{img}", "--memory", "99999999999999999999999G"], "--memory"),
    (["run", "{img}", "--memory", "-128M"], "--memory"),
    (["run", "{img}", "--load-addr", "-1"], "--load-addr"),
    (["run", "{img}", "--max-insns", "1.5"], "--max-insns"),
    (["run", "{missing}"], "No such file"),
    (["run", "{dir}"], "is a directory"),
    (["frobnicate"], "frobnicate"),
])
def test_bad_arguments(tmp_path, args, needle):
    img = tmp_path / "ok.bin"
    img.write_bytes(CLI_HLT)
    (tmp_path / "d").mkdir()
    names = {"img": str(img), "missing": str(tmp_path / "nope.bin"), "dir": str(tmp_path / "d")}
    proc = run_cli(*[a.format(**names) for a in args])
    assert_one_line_error(proc)
    assert needle in proc.stderr, proc.stderr
