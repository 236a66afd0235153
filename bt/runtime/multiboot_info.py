"""The Multiboot information structure and memory map, with the figures QEMU's pc machine gives a guest.

Called once per run by bt/runtime/loader.py (cold). Pure: computes bytes and addresses; the loader
writes them into guest RAM.

Where QEMU (hw/i386/multiboot.c plus its multiboot option ROM, running on SeaBIOS) puts things, and what
btvm therefore does:
- the memory map at MMAP_GPA = 0x9000 and the 88-byte info structure at INFO_GPA = 0x9500;
- flags = MEMORY | BOOT_DEVICE | CMDLINE | MODS | MMAP | LOADER_NAME (0x24F), boot_device = 0x8000FFFF,
  mods_count = 0 with mods_addr pointing just past the image;
- the command line "<image path> " (QEMU writes "%s %s" of the kernel path and the empty -append) and the
  loader name "qemu", placed right after the image rounded up to a 4 KiB page;
- the memory map is SeaBIOS's e820 table as the option ROM copies it (24-byte entries, size field 20):
  conventional memory up to the 1 KiB EBDA at 0x9FC00, the BIOS area 0xF0000..0xFFFFF, RAM from 1 MiB up
  to the 128 KiB SeaBIOS keeps at the top of RAM, and the 256 KiB BIOS flash below 4 GiB;
- mem_lower is what INT 12h reports (639 KiB, below the EBDA); mem_upper is, as the option ROM computes
  it, the KiB of RAM contiguous from 1 MiB in that map.
"""
import struct
from dataclasses import dataclass

MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002

MMAP_GPA = 0x9000
INFO_GPA = MMAP_GPA + 0x500
INFO_SIZE = 88
INFO_AREA = (MMAP_GPA, INFO_GPA + INFO_SIZE)   # guest-physical range the image must not overlap

FLAG_MEMORY, FLAG_BOOT_DEVICE, FLAG_CMDLINE, FLAG_MODS = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FLAG_MMAP, FLAG_LOADER_NAME = 1 << 6, 1 << 9
INFO_FLAGS = FLAG_MEMORY | FLAG_BOOT_DEVICE | FLAG_CMDLINE | FLAG_MODS | FLAG_MMAP | FLAG_LOADER_NAME
BOOT_DEVICE = 0x8000FFFF
LOADER_NAME = b"qemu"

E820_RAM, E820_RESERVED = 1, 2
EBDA_GPA = 0x9FC00
BIOS_AREA_GPA = 0xF0000
HIGH_MEMORY_GPA = 0x100000
SEABIOS_HIGH_RESERVE = 128 * 1024
BIOS_FLASH_GPA, BIOS_FLASH_SIZE = 0xFFFC0000, 0x40000
MMAP_ENTRY_SIZE = 24
MIN_RAM = 2 << 20        # below this the SeaBIOS-shaped map makes no sense


@dataclass(frozen=True)
class MemoryRegion:
    base_gpa: int
    length: int
    type: int


def e820_map(ram_size):
    """The memory map a QEMU pc guest with `ram_size` bytes of RAM (below 4 GiB) sees, in order."""
    if ram_size < MIN_RAM:
        raise ValueError(f"RAM size {ram_size} is below the {MIN_RAM >> 20} MiB minimum")
    top_ram = ram_size - SEABIOS_HIGH_RESERVE
    return (
        MemoryRegion(0, EBDA_GPA, E820_RAM),
        MemoryRegion(EBDA_GPA, 0xA0000 - EBDA_GPA, E820_RESERVED),
        MemoryRegion(BIOS_AREA_GPA, 0x100000 - BIOS_AREA_GPA, E820_RESERVED),
        MemoryRegion(HIGH_MEMORY_GPA, top_ram - HIGH_MEMORY_GPA, E820_RAM),
        MemoryRegion(top_ram, SEABIOS_HIGH_RESERVE, E820_RESERVED),
        MemoryRegion(BIOS_FLASH_GPA, BIOS_FLASH_SIZE, E820_RESERVED),
    )


def mem_lower_kib(regions):
    """KiB of RAM from 0 (what INT 12h reports)."""
    first = regions[0]
    return first.length // 1024 if first.base_gpa == 0 and first.type == E820_RAM else 0


def mem_upper_kib(regions):
    """KiB of RAM contiguous from 1 MiB, found as the option ROM does: extend while some RAM entry below
    4 GiB covers the current end."""
    end = HIGH_MEMORY_GPA
    grown = True
    while grown:
        grown = False
        for r in regions:
            if r.type == E820_RAM and r.base_gpa <= end < r.base_gpa + r.length and r.base_gpa < 1 << 32:
                end = r.base_gpa + r.length
                grown = True
    return (end - HIGH_MEMORY_GPA) >> 10


def encode_mmap(regions):
    return b"".join(struct.pack("<IQQI", MMAP_ENTRY_SIZE - 4, r.base_gpa, r.length, r.type)
                    for r in regions)


@dataclass(frozen=True)
class InfoBlob:
    """A piece of boot information and where it goes in guest RAM."""
    gpa: int
    data: bytes


def page_align(n):
    return (n + 0xFFF) & ~0xFFF


@dataclass(frozen=True)
class BootInfo:
    """`info_gpa` goes in EBX. `fixed` blobs live at INFO_AREA; `trailing` ones right after the image."""
    info_gpa: int
    fixed: tuple
    trailing: tuple


def build_boot_info(ram_size, image_low_gpa, image_high_gpa, cmdline):
    """Everything QEMU writes besides the image, as a BootInfo.

    `image_low_gpa`..`image_high_gpa` is the loaded image including bss; the command line and loader
    name go right after it, rounded up to a page (QEMU's mb_buf layout)."""
    regions = e820_map(ram_size)
    mmap = encode_mmap(regions)
    extra_gpa = image_low_gpa + page_align(image_high_gpa - image_low_gpa)
    cmdline_bytes = cmdline.encode("utf-8", "replace") + b"\0"
    cmdline_gpa = extra_gpa
    loader_gpa = cmdline_gpa + len(cmdline_bytes)
    info = struct.pack(
        "<IIIIIII16xII12xI20x",
        INFO_FLAGS,                      # 0  flags
        mem_lower_kib(regions),          # 4  mem_lower
        mem_upper_kib(regions),          # 8  mem_upper
        BOOT_DEVICE,                     # 12 boot_device
        cmdline_gpa,                     # 16 cmdline
        0,                               # 20 mods_count
        extra_gpa,                       # 24 mods_addr
        len(mmap),                       # 44 mmap_length
        MMAP_GPA,                        # 48 mmap_addr
        loader_gpa,                      # 64 boot_loader_name
    )
    assert len(info) == INFO_SIZE
    return BootInfo(INFO_GPA,
                    (InfoBlob(MMAP_GPA, mmap), InfoBlob(INFO_GPA, info)),
                    (InfoBlob(cmdline_gpa, cmdline_bytes), InfoBlob(loader_gpa, LOADER_NAME + b"\0")))
