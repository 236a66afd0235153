"""Build boot images byte by byte (struct, no toolchain) for the loader, device and CLI tests."""
import struct

MB_MAGIC = 0x1BADB002
AOUT = 1 << 16

# Guest code snippets (32-bit).
HLT = b"\xf4"
CLI_HLT = b"\xfa\xf4"


def mb_header(flags=AOUT, header_addr=0, load_addr=0, load_end_addr=0, bss_end_addr=0, entry_addr=0,
              checksum=None):
    if checksum is None:
        checksum = (-(MB_MAGIC + flags)) & 0xFFFFFFFF
    head = struct.pack("<III", MB_MAGIC, flags, checksum)
    if not flags & AOUT:
        return head
    return head + struct.pack("<IIIII", header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr)


def aout_image(code=CLI_HLT, load_addr=0x100000, pad=0, bss=0, entry_offset=None, load_end=None,
               header_offset=0):
    """A flat Multiboot a.out-kludge image: [pad bytes][header][code]; loaded from its first byte."""
    header_addr = load_addr + header_offset
    body_len = header_offset + 32 + len(code)
    entry = load_addr + header_offset + 32 if entry_offset is None else load_addr + entry_offset
    load_end_addr = load_addr + body_len if load_end is None else load_end
    bss_end = load_end_addr + bss if bss else 0
    hdr = mb_header(AOUT, header_addr, load_addr, load_end_addr, bss_end, entry)
    return b"\x90" * header_offset + hdr + code


def elf32(segments, entry, machine=3, ei_class=1, ei_data=1, e_type=2, extra_phdrs=(), phentsize=32):
    """An ELF32 executable. segments: [(paddr, data, memsz) or (paddr, data, memsz, vaddr)]."""
    phnum = len(segments) + len(extra_phdrs)
    phoff = 52
    data_off = phoff + phnum * phentsize
    phdrs, blobs = b"", b""
    for seg in segments:
        paddr, data, memsz = seg[:3]
        vaddr = seg[3] if len(seg) > 3 else paddr
        off = data_off + len(blobs)
        phdrs += struct.pack("<IIIIIIII", 1, off, vaddr, paddr, len(data), memsz, 7, 0x1000)
        phdrs += b"\0" * (phentsize - 32)
        blobs += data
    for ph in extra_phdrs:
        phdrs += struct.pack("<IIIIIIII", *ph) + b"\0" * (phentsize - 32)
    ident = b"\x7fELF" + bytes([ei_class, ei_data, 1]) + b"\0" * 9
    ehdr = struct.pack("<16sHHIIIIIHHHHHH", ident, e_type, machine, 1, entry, phoff if phnum else 0, 0,
                       0, 52, phentsize, phnum, 40, 0, 0)
    return ehdr + phdrs + blobs


def elf_with_mb_header(code=CLI_HLT, paddr=0x100000, flags=0):
    """An ELF executable whose first segment starts with a Multiboot header (no a.out kludge)."""
    body = mb_header(flags) + code
    return elf32([(paddr, body, len(body))], entry=paddr + len(mb_header(flags)))
