"""The Multiboot loader: where bytes land, the entry state, the info structure, and every malformed image
turned into one line and status 2 by the real CLI."""
import os
import struct
import subprocess
import sys

import pytest

from bt.runtime import loader, multiboot_info
from bt.runtime.events import ImageError
from bt.runtime.memory import GuestMemory
from bt.runtime.state import CR0_PE, CR0_PG, CS, DS, IF, SS, State, VM
from image_builders import AOUT, CLI_HLT, aout_image, elf32, elf_with_mb_header, mb_header

RAM = 4 << 20
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def mem():
    m = GuestMemory(RAM)
    yield m
    m.close()


def load(tmp_path, mem, data, load_addr=None, name="img"):
    path = tmp_path / name
    path.write_bytes(data)
    state = State()
    image = loader.load_image(mem, state, str(path), load_addr)
    return image, state


def check_entry_state(state, entry):
    c = state.cpu
    assert c.regs[0] == 0x2BADB002
    assert c.regs[3] == multiboot_info.INFO_GPA
    assert c.eip == entry
    assert c.cr[0] & CR0_PE and not c.cr[0] & CR0_PG
    assert not c.eflags & (IF | VM)
    assert (c.regs[4], c.eflags) == (0x6F08, 0x6)     # what QEMU's option ROM leaves
    assert c.seg[CS].base == 0 and c.seg[CS].limit == 0xFFFFFFFF and c.seg[CS].attrs & 0x4000  # D=1
    for s in (DS, SS):
        assert c.seg[s].base == 0 and c.seg[s].limit == 0xFFFFFFFF
    assert c.cpl == 0


# -- well-formed images --------------------------------------------------------------------------

def test_aout_kludge_places_bytes_and_bss(tmp_path, mem):
    mem.write(0x100000, b"\xAA" * 0x3000)          # bss must be zeroed even over old bytes
    data = aout_image(code=b"\x90\x90" + CLI_HLT, bss=0x2000)
    image, state = load(tmp_path, mem, data)
    assert image.kind == "multiboot-aout"
    assert mem.read(0x100000, len(data)) == data
    assert mem.read(0x100000 + len(data), 0x2000) == bytes(0x2000)
    assert mem.read(0x100000 + len(data) + 0x2000, 1) == b"\xAA"
    check_entry_state(state, 0x100000 + 32)


def test_aout_header_not_at_file_start(tmp_path, mem):
    # Header at file offset 0x40, header_addr = load_addr + 0x40: the file loads from offset 0.
    data = aout_image(code=CLI_HLT, load_addr=0x200000, header_offset=0x40, entry_offset=0x10)
    image, state = load(tmp_path, mem, data)
    assert mem.read(0x200000, len(data)) == data
    check_entry_state(state, 0x200010)


def test_aout_file_offset_skips_leading_bytes(tmp_path, mem):
    # header_addr == load_addr with the header at file offset 8: loading starts at file offset 8.
    hdr = mb_header(AOUT, header_addr=0x100000, load_addr=0x100000, load_end_addr=0,
                    bss_end_addr=0, entry_addr=0x100020)
    data = b"JUNKJUNK" + hdr + CLI_HLT
    load(tmp_path, mem, data)
    assert mem.read(0x100000, len(data) - 8) == data[8:]


def test_aout_load_end_addr_limits_the_copy(tmp_path, mem):
    data = aout_image(code=CLI_HLT + b"TAILBYTES", load_end=0x100000 + 34)
    load(tmp_path, mem, data)
    assert mem.read(0x100000, 34) == data[:34]
    assert mem.read(0x100000 + 34, 9) == bytes(9)


def test_aout_kludge_wins_over_elf(tmp_path, mem):
    # QEMU uses the a.out fields whenever flags bit 16 is set, even for an ELF file.
    elf = elf32([(0x300000, b"\xf4" * 16, 16)], entry=0x300000)
    hdr = mb_header(AOUT, header_addr=0x100000 + len(elf), load_addr=0x100000, load_end_addr=0,
                    bss_end_addr=0, entry_addr=0x100000 + len(elf) + 32)
    data = elf + hdr + CLI_HLT
    image, state = load(tmp_path, mem, data)
    assert image.kind == "multiboot-aout"
    assert mem.read(0x100000, len(data)) == data
    assert mem.read(0x300000, 16) == bytes(16)
    check_entry_state(state, 0x100000 + len(elf) + 32)


def test_elf_segments_at_physical_addresses(tmp_path, mem):
    text, dat = b"\xfa\xf4" + b"T" * 30, b"D" * 8
    data = elf32([(0x100000, text, len(text), 0xC0100000), (0x180000, dat, 0x1000, 0xC0180000)],
                 entry=0x100000)
    mem.write(0x180000, b"\x55" * 0x1000)
    image, state = load(tmp_path, mem, data)
    assert image.kind == "elf"
    assert mem.read(0x100000, len(text)) == text
    assert mem.read(0x180000, 8) == dat
    assert mem.read(0x180008, 0x1000 - 8) == bytes(0x1000 - 8)
    check_entry_state(state, 0x100000)


def test_elf_virtual_entry_moves_to_its_physical_place(tmp_path, mem):
    # A higher-half kernel: e_entry is a virtual address inside an executable segment whose p_paddr
    # differs; QEMU's load_elf enters at the physical address (checked under qemu-system-i386).
    text = b"\x90" * 16 + CLI_HLT
    data = elf32([(0x100000, text, len(text), 0xC0100000)], entry=0xC0100010)
    _, state = load(tmp_path, mem, data)
    check_entry_state(state, 0x100010)


def test_elf_with_multiboot_header_without_kludge(tmp_path, mem):
    data = elf_with_mb_header()
    image, state = load(tmp_path, mem, data)
    assert image.kind == "elf"
    check_entry_state(state, 0x100000 + 12)


def test_elf_non_load_segments_ignored(tmp_path, mem):
    data = elf32([(0x100000, CLI_HLT, 2)], entry=0x100000,
                 extra_phdrs=[(4, 0, 0, 0x5000000, 0x10, 0x10, 4, 4)])   # PT_NOTE far outside RAM
    load(tmp_path, mem, data)
    assert mem.read(0x100000, 2) == CLI_HLT


def test_raw_binary_default_and_load_addr(tmp_path, mem):
    image, state = load(tmp_path, mem, CLI_HLT + b"RAW")
    assert image.kind == "raw"
    assert mem.read(0x100000, 5) == CLI_HLT + b"RAW"
    check_entry_state(state, 0x100000)
    image, state = load(tmp_path, mem, b"\xf4OTHER", load_addr=0x20000, name="raw2")
    assert mem.read(0x20000, 6) == b"\xf4OTHER"
    check_entry_state(state, 0x20000)


def test_multiboot_info_structure(tmp_path, mem):
    load(tmp_path, mem, aout_image(), name="kern.bin")
    info = multiboot_info.INFO_GPA
    flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr = \
        struct.unpack("<7I", mem.read(info, 28))
    assert flags == 0x24F
    assert mem_lower == 639
    assert mem_upper == (RAM - (1 << 20) - (128 << 10)) // 1024
    assert boot_device == 0x8000FFFF
    assert mods_count == 0
    mmap_length, mmap_addr = struct.unpack("<II", mem.read(info + 44, 8))
    assert mmap_addr == 0x9000
    entries = []
    for off in range(0, mmap_length, 24):
        size, base, length, kind = struct.unpack("<IQQI", mem.read(mmap_addr + off, 24))
        assert size == 20
        entries.append((base, length, kind))
    assert entries == [
        (0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
        (0x100000, RAM - 0x100000 - 0x20000, 1), (RAM - 0x20000, 0x20000, 2),
        (0xFFFC0000, 0x40000, 2),
    ]
    # Command line and loader name go right after the image, page-aligned (QEMU's layout).
    assert cmdline == 0x101000 and mods_addr == 0x101000
    path = str(tmp_path / "kern.bin")
    assert mem.read(cmdline, len(path) + 2) == path.encode() + b" \0"
    (loader_name,) = struct.unpack("<I", mem.read(info + 64, 4))
    assert mem.read(loader_name, 5) == b"qemu\0"


def test_mem_upper_follows_ram_size():
    for ram in (2 << 20, 128 << 20, 1 << 30):
        regions = multiboot_info.e820_map(ram)
        assert multiboot_info.mem_upper_kib(regions) == (ram - (1 << 20) - (128 << 10)) >> 10


def test_header_search_window():
    # The magic must start below 8192 - 48 and be 4-byte aligned.
    ok = b"\0" * 8140 + mb_header(AOUT, 0x100000 + 8140, 0x100000, 0, 0, 0x100000)
    assert loader.find_multiboot_header(ok) == (8140, AOUT)
    late = b"\0" * 8144 + mb_header(AOUT, 0x100000 + 8144, 0x100000, 0, 0, 0x100000)
    assert loader.find_multiboot_header(late) is None
    unaligned = b"\0" * 2 + mb_header(AOUT, 0x100002, 0x100000, 0, 0, 0x100000)
    assert loader.find_multiboot_header(unaligned) is None


# -- malformed images: ImageError in process ----------------------------------------------------

def elf_ok(**kw):
    return elf32([(0x100000, CLI_HLT, 2)], entry=0x100000, **kw)


MALFORMED = {
    "empty": (b"", "empty"),
    "elf_truncated_header": (elf_ok()[:30], "truncated ELF header"),
    "elf64": (elf_ok(ei_class=2), "64-bit"),
    "elf_x86_64_machine": (elf_ok(machine=62), "64-bit"),
    "elf_bad_class": (elf_ok(ei_class=7), "ELF class"),
    "elf_big_endian": (elf_ok(ei_data=2), "big-endian"),
    "elf_wrong_machine": (elf_ok(machine=40), "not i386"),
    "elf_relocatable": (elf_ok(e_type=1), "not an executable"),
    "elf_no_phdrs": (elf32([], entry=0x100000), "no program headers"),
    "elf_no_load": (elf32([], entry=0, extra_phdrs=[(4, 0, 0, 0, 0, 0, 4, 4)]), "no loadable"),
    "elf_phdrs_past_eof": (elf_ok()[:60], "program headers run past"),
    "elf_segment_truncated": (elf32([(0x100000, b"A" * 64, 64)], entry=0x100000)[:-10], "truncated"),
    "elf_filesz_gt_memsz": (elf32([(0x100000, b"A" * 64, 16)], entry=0x100000), "larger than p_memsz"),
    "elf_outside_ram": (elf32([(RAM - 4, b"A" * 16, 16)], entry=RAM - 4), "outside guest RAM"),
    "elf_absurd_memsz": (elf32([(0x100000, b"A", 0xF0000000)], entry=0x100000), "outside guest RAM"),
    "elf_wraps_4g": (elf32([(0xFFFFF000, b"A", 0x2000)], entry=0x100000), "wraps past 4 GiB"),
    "elf_over_info": (elf32([(0x8000, b"A" * 0x2000, 0x2000)], entry=0x8000), "overlaps the Multiboot"),
    "bad_checksum": (mb_header(AOUT, 0x100000, 0x100000, 0, 0, 0x100000, checksum=1) + CLI_HLT,
                     "bad checksum"),
    "header_no_kludge_not_elf": (mb_header(0) + CLI_HLT, "not an ELF file"),
    "aout_truncated_header": (mb_header(AOUT, 0x100000, 0x100000, 0, 0, 0x100000)[:20], "ends before"),
    "aout_header_below_load": (mb_header(AOUT, 0xFF000, 0x100000, 0, 0, 0x100000) + CLI_HLT,
                               "below load_addr"),
    "aout_header_addr_past_offset": (mb_header(AOUT, 0x100040, 0x100000, 0, 0, 0x100000) + CLI_HLT,
                                     "more than the header's file offset"),
    "aout_load_end_below_load": (mb_header(AOUT, 0x100000, 0x100000, 0xFFFFF, 0, 0x100000) + CLI_HLT,
                                 "load_end_addr"),
    "aout_load_end_past_eof": (mb_header(AOUT, 0x100000, 0x100000, 0x101000, 0, 0x100000) + CLI_HLT,
                               "truncated"),
    "aout_bss_below_end": (mb_header(AOUT, 0x100000, 0x100000, 0, 0x100001, 0x100000) + CLI_HLT,
                           "bss_end_addr"),
    "aout_absurd_bss": (mb_header(AOUT, 0x100000, 0x100000, 0, 0xFFFFFFF0, 0x100000) + CLI_HLT,
                        "outside guest RAM"),
    "aout_outside_ram": (mb_header(AOUT, RAM, RAM, 0, 0, RAM) + CLI_HLT, "outside guest RAM"),
    "aout_over_info": (mb_header(AOUT, 0x9000, 0x9000, 0, 0, 0x9000) + CLI_HLT, "overlaps the Multiboot"),
    "aout_beyond_4g": (mb_header(AOUT, 0xFFFFFFF0, 0xFFFFFFF0, 0, 0, 0) + CLI_HLT * 20,
                       "32-bit address space"),
    "raw_too_big_for_ram": (b"\x90" * (RAM - 0x100000 + 1), "outside guest RAM"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_image_raises_image_error(tmp_path, mem, case):
    data, needle = MALFORMED[case]
    with pytest.raises(ImageError) as e:
        load(tmp_path, mem, data)
    msg = str(e.value)
    assert needle in msg and "\n" not in msg


def test_raw_image_with_cmdline_over_info(tmp_path, mem):
    with pytest.raises(ImageError, match="overlap"):
        load(tmp_path, mem, b"\xf4" * 16, load_addr=0x8000)


# -- malformed images through the real CLI -------------------------------------------------------

def run_cli(*args, stdin=subprocess.DEVNULL):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("BTVM_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "bt", *args], capture_output=True, text=True,
                          stdin=stdin, env=env, timeout=120, cwd=REPO)


def assert_one_line_error(proc, status=2):
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("btvm: error: ")


def test_every_malformed_image_is_one_line_and_status_2_via_cli(tmp_path):
    # One subprocess per case would be slow; the CLI path is the same for each, so check them all here.
    for case, (data, needle) in sorted(MALFORMED.items()):
        path = tmp_path / case
        path.write_bytes(data)
        proc = run_cli("run", str(path), "--memory", str(RAM))
        assert_one_line_error(proc)
        assert needle in proc.stderr, (case, proc.stderr)


@pytest.mark.parametrize("kind", ["missing", "directory", "unreadable", "not_a_directory"])
def test_unreadable_paths_via_cli(tmp_path, kind):
    path = tmp_path / "img"
    if kind == "not_a_directory":
        (tmp_path / "file").write_bytes(CLI_HLT)
        path = tmp_path / "file" / "img"
    elif kind == "directory":
        path.mkdir()
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root can read a mode-000 file")
        path.write_bytes(CLI_HLT)
        path.chmod(0)
    proc = run_cli("run", str(path))
    assert_one_line_error(proc)
    assert str(path) in proc.stderr
