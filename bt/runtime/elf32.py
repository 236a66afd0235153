"""Parse an ELF32 i386 executable into the segments a boot loader copies to guest RAM.

Called once per run by bt/runtime/loader.py (cold). Pure: takes the file's bytes, returns where each
PT_LOAD segment goes, and raises ImageError with one line naming what is wrong. Segments go to their
PHYSICAL addresses (p_paddr), as QEMU's load_elf does for -kernel; the entry point is e_entry, moved to
its physical place when it lies in an executable segment whose p_vaddr differs from p_paddr (QEMU too).
"""
import struct
from dataclasses import dataclass

from bt.runtime.events import ImageError

ELF_MAGIC = b"\x7fELF"
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB = 1
ET_EXEC = 2
EM_386, EM_X86_64 = 3, 62
PT_LOAD = 1
PF_X = 1

_EHDR = struct.Struct("<16sHHIIIIIHHHHHH")    # Elf32_Ehdr, 52 bytes
_PHDR = struct.Struct("<IIIIIIII")            # Elf32_Phdr, 32 bytes


@dataclass(frozen=True)
class Segment:
    """`data` goes to dest_gpa; bytes dest_gpa+len(data) .. dest_gpa+memsz are zeroed."""
    dest_gpa: int
    data: bytes
    memsz: int


@dataclass(frozen=True)
class ElfImage:
    entry: int
    segments: tuple


def is_elf(data):
    return data[:4] == ELF_MAGIC


def parse_elf32(data, name="image"):
    if len(data) < _EHDR.size:
        raise ImageError(f"{name}: truncated ELF header ({len(data)} bytes, need {_EHDR.size})")
    (ident, e_type, e_machine, _version, e_entry, e_phoff, _shoff, _flags, _ehsize,
     e_phentsize, e_phnum, _shentsize, _shnum, _shstrndx) = _EHDR.unpack_from(data)
    if ident[4] == ELFCLASS64 or e_machine == EM_X86_64:
        raise ImageError(f"{name}: is a 64-bit ELF file; btvm boots 32-bit i386 images "
                         "(build with -m32 / nasm -f elf32)")
    if ident[4] != ELFCLASS32:
        raise ImageError(f"{name}: unknown ELF class {ident[4]} (expected 1, ELFCLASS32)")
    if ident[5] != ELFDATA2LSB:
        raise ImageError(f"{name}: big-endian ELF file (expected little-endian i386)")
    if e_machine != EM_386:
        raise ImageError(f"{name}: ELF machine {e_machine} is not i386 (EM_386 = 3)")
    if e_type != ET_EXEC:
        raise ImageError(f"{name}: ELF type {e_type} is not an executable (ET_EXEC = 2); "
                         "link it to fixed addresses")
    if e_phnum == 0:
        raise ImageError(f"{name}: ELF file has no program headers")
    if e_phentsize < _PHDR.size:
        raise ImageError(f"{name}: ELF program header size {e_phentsize} is smaller than {_PHDR.size}")
    if e_phoff + e_phnum * e_phentsize > len(data):
        raise ImageError(f"{name}: ELF program headers run past the end of the file "
                         f"(offset {e_phoff:#x}, {e_phnum} x {e_phentsize} bytes, file {len(data)} bytes)")
    segments = []
    entry = e_entry
    for i in range(e_phnum):
        (p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, _align) = \
            _PHDR.unpack_from(data, e_phoff + i * e_phentsize)
        if p_type != PT_LOAD or p_memsz == 0:
            continue
        if p_filesz > p_memsz:
            raise ImageError(f"{name}: ELF segment {i} has p_filesz {p_filesz:#x} larger than "
                             f"p_memsz {p_memsz:#x}")
        if p_offset + p_filesz > len(data):
            raise ImageError(f"{name}: ELF segment {i} (offset {p_offset:#x}, {p_filesz:#x} bytes) "
                             f"runs past the end of the file ({len(data)} bytes); is the file truncated?")
        if p_paddr + p_memsz > 1 << 32:
            raise ImageError(f"{name}: ELF segment {i} at {p_paddr:#x} (+{p_memsz:#x}) wraps past 4 GiB")
        segments.append(Segment(p_paddr, bytes(data[p_offset:p_offset + p_filesz]), p_memsz))
        if (p_vaddr != p_paddr and p_vaddr <= e_entry < p_vaddr + p_filesz and p_flags & PF_X):
            # e_entry is virtual: QEMU's load_elf moves it into the executable segment's physical
            # place, so a kernel linked higher-half with AT() load addresses starts where it lies.
            entry = e_entry - p_vaddr + p_paddr
    if not segments:
        raise ImageError(f"{name}: ELF file has no loadable (PT_LOAD) segments")
    return ElfImage(entry, tuple(segments))
