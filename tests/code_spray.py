"""A hostile guest for the translation-cache bound: it writes fresh code forever and jumps to it.

Raw flat binary, loaded at LOAD (the CLI's default for raw images). Each round writes into the next
128-byte slot of a RING_SLOTS-slot ring at RING: 16 x `add eax, imm32` with immediates that change
every round, then `jmp esi`; it jumps there and the code comes back to `back`. Every round needs a new
translation, and once the ring wraps each round's stores also invalidate an old one. Hand-assembled
(no toolchain needed); tests/test_tcache_bound.py checks the disassembly.
"""
import struct

LOAD = 0x100000
RING = 0x200000
SLOT = 128
RING_SLOTS = 256
MEMORY = "4M"


def spray_image():
    ring_end = RING + SLOT * RING_SLOTS
    code = bytearray()

    def at():
        return LOAD + len(code)

    code += b"\xbb" + struct.pack("<I", RING)             # mov ebx, RING
    code += b"\x31\xc9"                                   # xor ecx, ecx
    mov_esi = len(code)
    code += b"\xbe" + b"\0\0\0\0"                         # mov esi, back (patched below)
    top = at()
    code += b"\x89\xdf"                                   # top: mov edi, ebx
    code += b"\xba" + struct.pack("<I", 16)               # mov edx, 16
    fill = at()
    code += b"\xb0\x05"                                   # fill: mov al, 0x05 (add eax, imm32)
    code += b"\xaa"                                       # stosb
    code += b"\x89\xc8"                                   # mov eax, ecx
    code += b"\x01\xd0"                                   # add eax, edx
    code += b"\xab"                                       # stosd
    code += b"\x4a"                                       # dec edx
    code += b"\x75" + struct.pack("<b", fill - (at() + 2))  # jnz fill
    code += b"\x66\xb8\xff\xe6"                           # mov ax, 0xe6ff (jmp esi)
    code += b"\x66\xab"                                   # stosw
    # A store that leaves native code (it hit a code page) is finished by the interpreter, which
    # keeps stepping until EIP starts a translation: end the block here so that `jmp ebx` is one,
    # else the interpreter would run the fresh code and the JIT would never translate it.
    code += b"\xeb\x00"                                   # jmp $+2
    code += b"\xff\xe3"                                   # jmp ebx
    back = at()
    code[mov_esi + 1:mov_esi + 5] = struct.pack("<I", back)
    code += b"\x41"                                       # back: inc ecx
    code += b"\x81\xc3" + struct.pack("<I", SLOT)         # add ebx, SLOT
    code += b"\x81\xfb" + struct.pack("<I", ring_end)     # cmp ebx, ring_end
    code += b"\x72" + struct.pack("<b", top - (at() + 2))   # jb top
    code += b"\xbb" + struct.pack("<I", RING)             # mov ebx, RING
    code += b"\xeb" + struct.pack("<b", top - (at() + 2))   # jmp top
    return bytes(code)
