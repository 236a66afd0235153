"""Multiboot v1 boot loader: puts an image into guest RAM and sets the Multiboot entry state.

Called once per run by bt/runtime/machine.py (cold). `parse_image` is pure (bytes in, a BootImage plan
out); `load_image` reads the file, writes the plan and the Multiboot information into guest RAM and sets
the CPU state. Every problem with the image raises ImageError with one line naming it.

Which kind of image, decided as QEMU's -kernel multiboot loader decides (hw/i386/multiboot.c):
1. a Multiboot header (magic 0x1BADB002, 4-byte aligned, flags + checksum summing to 0 with the magic)
   whose magic starts in the first 8192-48 bytes. With flags bit 16 (the "a.out kludge") its address
   fields say where the file goes, even if the file is also an ELF file. Without bit 16 the file must be
   an ELF32 i386 executable.
2. no header, but an ELF file: loaded as an ELF executable (btvm only; QEMU would not boot it).
3. no header and not ELF: a raw flat binary, loaded at `load_addr` (default 1 MiB), entry there
   (btvm only).
ELF segments go to their physical addresses (p_paddr). The a.out kludge is honoured like QEMU:
file offset = header offset - (header_addr - load_addr); load_end_addr 0 loads to the end of the file;
bss_end_addr 0 means no bss.
"""
import ctypes
import os
import struct
from dataclasses import dataclass

from bt.runtime import multiboot_info
from bt.runtime.elf32 import Segment, is_elf, parse_elf32
from bt.runtime.events import ImageError

MULTIBOOT_HEADER_MAGIC = 0x1BADB002
HEADER_SEARCH_BYTES = 8192
HEADER_SCAN_LIMIT = HEADER_SEARCH_BYTES - 48   # QEMU scans magic offsets below 8192 - 48
FLAG_AOUT_KLUDGE = 1 << 16
DEFAULT_LOAD_ADDR = 0x100000
MAX_IMAGE_FILE = 4 << 30


@dataclass(frozen=True)
class BootImage:
    """What will be loaded: `segments` into RAM, entry at `entry_eip`. `kind` is "elf",
    "multiboot-aout" or "raw"; low_gpa..high_gpa spans all segments including bss."""
    kind: str
    entry_eip: int
    segments: tuple
    low_gpa: int
    high_gpa: int


def find_multiboot_header(data, name="image"):
    """(offset, flags) of the first valid Multiboot header, or None if there is no magic at all.
    A magic whose checksum is wrong, with no valid header elsewhere, is an ImageError: QEMU would not
    boot it, and loading it as a raw binary would hide the mistake."""
    bad_checksum_at = None
    for offset in range(0, min(HEADER_SCAN_LIMIT, len(data) - 11), 4):
        magic, flags, checksum = struct.unpack_from("<III", data, offset)
        if magic == MULTIBOOT_HEADER_MAGIC:
            if (magic + flags + checksum) & 0xFFFFFFFF == 0:
                return offset, flags
            if bad_checksum_at is None:
                bad_checksum_at = offset
    if bad_checksum_at is not None:
        raise ImageError(f"{name}: Multiboot header at offset {bad_checksum_at:#x} has a bad checksum "
                         "(magic + flags + checksum must be 0 mod 2^32)")
    return None


def _aout_image(data, offset, name):
    if offset + 32 > len(data):
        raise ImageError(f"{name}: Multiboot header at offset {offset:#x} has the a.out kludge flag "
                         "but the file ends before its address fields")
    header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr = \
        struct.unpack_from("<IIIII", data, offset + 12)
    if header_addr < load_addr:
        raise ImageError(f"{name}: Multiboot header_addr {header_addr:#x} is below load_addr "
                         f"{load_addr:#x}")
    if header_addr - load_addr > offset:
        raise ImageError(f"{name}: Multiboot header_addr {header_addr:#x} - load_addr {load_addr:#x} "
                         f"is more than the header's file offset {offset:#x}")
    file_offset = offset - (header_addr - load_addr)
    if load_end_addr:
        if load_end_addr < load_addr:
            raise ImageError(f"{name}: Multiboot load_end_addr {load_end_addr:#x} is below load_addr "
                             f"{load_addr:#x}")
        load_size = load_end_addr - load_addr
        if file_offset + load_size > len(data):
            raise ImageError(f"{name}: Multiboot load_end_addr {load_end_addr:#x} asks for "
                             f"{load_size:#x} bytes from file offset {file_offset:#x}, but the file has "
                             f"only {len(data)} bytes; is it truncated?")
    else:
        load_size = len(data) - file_offset
    if load_addr + load_size > 1 << 32:
        raise ImageError(f"{name}: image at {load_addr:#x} (+{load_size:#x} bytes) does not fit in "
                         "the 32-bit address space")
    if bss_end_addr:
        if bss_end_addr < load_addr + load_size:
            raise ImageError(f"{name}: Multiboot bss_end_addr {bss_end_addr:#x} is below the end of "
                             f"the loaded data {load_addr + load_size:#x}")
        memsz = bss_end_addr - load_addr
    else:
        memsz = load_size
    segment = Segment(load_addr, bytes(data[file_offset:file_offset + load_size]), memsz)
    return BootImage("multiboot-aout", entry_addr, (segment,), load_addr, load_addr + memsz)


def parse_image(data, load_addr=None, name="image"):
    """Decide the kind of image and plan its segments (no RAM checks yet: see check_fits)."""
    if not data:
        raise ImageError(f"{name}: file is empty")
    header = find_multiboot_header(data, name)
    if header is not None:
        offset, flags = header
        if flags & FLAG_AOUT_KLUDGE:
            return _aout_image(data, offset, name)
        if not is_elf(data):
            raise ImageError(f"{name}: has a Multiboot header without the a.out kludge (flags bit 16) "
                             "but is not an ELF file; set bit 16 and the address fields, or link as ELF")
    if is_elf(data):
        elf = parse_elf32(data, name)
        low = min(s.dest_gpa for s in elf.segments)
        high = max(s.dest_gpa + s.memsz for s in elf.segments)
        return BootImage("elf", elf.entry, elf.segments, low, high)
    addr = DEFAULT_LOAD_ADDR if load_addr is None else load_addr
    if not 0 <= addr < 1 << 32:
        raise ImageError(f"{name}: load address {addr:#x} is outside the 32-bit address space")
    segment = Segment(addr, bytes(data), len(data))
    return BootImage("raw", addr, (segment,), addr, addr + len(data))


def check_fits(image, ram_size, name="image"):
    """Every segment inside RAM, clear of the Multiboot information area and of the other segments
    (QEMU refuses overlapping ROM blobs: "rom: requested regions overlap")."""
    info_lo, info_hi = multiboot_info.INFO_AREA
    spans = sorted((seg.dest_gpa, seg.dest_gpa + seg.memsz, i) for i, seg in enumerate(image.segments))
    for (lo_a, hi_a, a), (lo_b, hi_b, b) in zip(spans, spans[1:]):
        if lo_b < hi_a:
            a, b = sorted((a, b))
            raise ImageError(f"{name}: segments {a} and {b} overlap ({lo_a:#x}..{hi_a:#x} and "
                             f"{lo_b:#x}..{hi_b:#x})")
    for i, seg in enumerate(image.segments):
        end = seg.dest_gpa + seg.memsz
        what = f"segment {i}" if len(image.segments) > 1 else "image"
        if end > ram_size:
            raise ImageError(f"{name}: {what} at {seg.dest_gpa:#x}..{end:#x} lies outside guest RAM "
                             f"(0..{ram_size:#x}); give more --memory or link it lower")
        if seg.dest_gpa < info_hi and end > info_lo:
            raise ImageError(f"{name}: {what} at {seg.dest_gpa:#x}..{end:#x} overlaps the Multiboot "
                             f"information at {info_lo:#x}..{info_hi:#x}; load it at 1 MiB instead")


def read_image(path):
    """The file's bytes, or ImageError saying why it cannot be read."""
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise ImageError(f"{path}: is a directory, not an image file")
        if size > MAX_IMAGE_FILE:
            raise ImageError(f"{path}: file is too large to be a boot image ({size} bytes)")
        with open(path, "rb") as f:
            return f.read()
    except ImageError:
        raise
    except OSError as e:
        raise ImageError(f"{path}: cannot read image: {e.strerror or e}") from None


def load_image(mem, state, path, load_addr=None):
    """Load the image at `path` into `mem`, write the Multiboot information, set the entry state.
    Returns the BootImage. RAM is written only after every check has passed."""
    name = str(path)
    data = read_image(path)
    image = parse_image(data, load_addr, name)
    check_fits(image, mem.size, name)
    info = multiboot_info.build_boot_info(mem.size, image.low_gpa, image.high_gpa, f"{name} ")
    info_lo, info_hi = multiboot_info.INFO_AREA
    for blob in info.trailing:
        end = blob.gpa + len(blob.data)
        if end > mem.size:
            raise ImageError(f"{name}: no room in RAM after the image (ends at {image.high_gpa:#x}) "
                             "for the Multiboot command line; give more --memory")
        if blob.gpa < info_hi and end > info_lo:
            raise ImageError(f"{name}: the Multiboot command line after the image would overlap the "
                             f"Multiboot information at {info_lo:#x}..{info_hi:#x}; load it at 1 MiB")
    for seg in image.segments:
        mem.write(seg.dest_gpa, seg.data)
        _zero(mem, seg.dest_gpa + len(seg.data), seg.memsz - len(seg.data))
    for blob in info.fixed + info.trailing:
        mem.write(blob.gpa, blob.data)
    set_entry_state(state, image.entry_eip, info.info_gpa)
    return image


def _zero(mem, gpa, length):
    if length > 0:
        ctypes.memset(mem.base_hva + gpa, 0, length)   # bounds checked by check_fits


# What QEMU's multiboot option ROM leaves in ESP and EFLAGS (measured with testcases/asm/probe.asm).
# Multiboot leaves both undefined; mirroring them keeps a guest that forgets to set a stack, or prints
# its entry state, identical under both.
QEMU_ENTRY_ESP = 0x6F08
QEMU_ENTRY_EFLAGS = 0x00000006     # bit 1 and PF


def set_entry_state(state, entry_eip, info_gpa):
    """The Multiboot machine state (platform.md): EAX = magic, EBX = info, flat protected mode."""
    state.reset_protected_flat()
    state.set_reg("eax", multiboot_info.MULTIBOOT_BOOTLOADER_MAGIC)
    state.set_reg("ebx", info_gpa)
    state.set_reg("esp", QEMU_ENTRY_ESP)
    state.cpu.eflags = QEMU_ENTRY_EFLAGS
    state.cpu.eip = entry_eip & 0xFFFFFFFF
