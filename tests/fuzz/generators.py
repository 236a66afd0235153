"""Fuzz-case generators: each takes a random.Random and returns a harness.Case.

- random_code: a page of random bytes (sometimes biased towards one-byte opcodes and prefixes) with
  random registers, half of them pointing into RAM;
- port_io: random IN/OUT/INS/OUTS sequences over the devices' ports and unassigned ones;
- smc_storm: loops that rewrite immediates and opcodes of instructions in the running block and in
  the next one, plus byte sprays over code ahead of EIP;
- gdt: a GDT of random descriptors (besides a flat code/data pair), LGDT, then random segment loads,
  far jumps/calls, RETF, segment-relative memory accesses, LAR/LSL/VERR/VERW.
Test-time only.
"""
import struct

from tests.fuzz.harness import CODE_GPA, RAM_SIZE, Case

REGS = ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi")
M32 = 0xFFFFFFFF
HLT = b"\xf4"


def _reg_value(rnd):
    pick = rnd.random()
    if pick < 0.5:
        return rnd.randrange(0x1000, RAM_SIZE - 0x1000)          # inside RAM
    if pick < 0.7:
        return rnd.choice([0, 1, M32, 0x80000000, 0x7FFFFFFF, RAM_SIZE - 1, RAM_SIZE - 2, RAM_SIZE])
    return rnd.getrandbits(32)


def random_regs(rnd, keep_esp=True):
    regs = {r: _reg_value(rnd) for r in REGS if not (keep_esp and r == "esp")}
    return regs


def random_code(rnd, max_insns=300):
    n = rnd.choice([16, 64, 256, 4096])
    if rnd.random() < 0.3:
        # Biased: common one-byte opcodes, prefixes, ModRM-heavy ALU forms.
        alphabet = list(range(0x00, 0x40)) + list(range(0x40, 0x62)) + [0x66, 0x67, 0xF2, 0xF3, 0x0F,
                                                                         0x0F, 0x88, 0x89, 0x8B, 0xC1,
                                                                         0xD1, 0xF7, 0xFF, 0xA4, 0xA5]
        code = bytes(rnd.choice(alphabet) for _ in range(n))
    else:
        code = rnd.randbytes(n)
    return Case(code, random_regs(rnd), eflags=rnd.getrandbits(12) & 0xCD5,
                max_insns=max_insns, timeout=2.0, label="random_code")


# ---- port I/O ------------------------------------------------------------------------------------

_PORTS = [0x3F8 + i for i in range(8)] + [0x80, 0x20, 0x21, 0xA0, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x70,
                                          0x71, 0x3F7, 0x400, 0xFFFF, 0xFFFE, 0xF8]


def _port(rnd):
    return rnd.choice(_PORTS) if rnd.random() < 0.85 else rnd.getrandbits(16)


def port_io(rnd, length=None):
    out = bytearray()
    buf = 0x180000
    for _ in range(length or rnd.randrange(4, 40)):
        port, value = _port(rnd), rnd.getrandbits(32)
        kind = rnd.randrange(9)
        out += b"\x66\xba" + struct.pack("<H", port)                   # mov dx, port
        out += b"\xb8" + struct.pack("<I", value)                      # mov eax, value
        if kind == 0:
            out += b"\xee"                                             # out dx, al
        elif kind == 1:
            out += b"\x66\xef"                                         # out dx, ax
        elif kind == 2:
            out += b"\xef"                                             # out dx, eax
        elif kind == 3:
            out += rnd.choice([b"\xec", b"\x66\xed", b"\xed"])         # in al/ax/eax, dx
            out += b"\xa3" + struct.pack("<I", buf + rnd.randrange(0, 0x100, 4))   # mov [buf], eax
        elif kind == 4 and port < 0x100:
            out += bytes([rnd.choice([0xE4, 0xE5, 0xE6, 0xE7]), port])  # in/out imm8
        elif kind in (5, 6):
            count = rnd.randrange(0, 20)
            out += b"\xb9" + struct.pack("<I", count)                  # mov ecx, count
            out += b"\xbe" + struct.pack("<I", buf)                    # mov esi, buf
            out += b"\xbf" + struct.pack("<I", buf + 0x200)            # mov edi, buf+0x200
            rep = b"\xf3" if rnd.random() < 0.8 else b""
            op = rnd.choice([b"\x6c", b"\x66\x6d", b"\x6d"] if kind == 5 else [b"\x6e", b"\x66\x6f", b"\x6f"])
            if op.startswith(b"\x66"):
                out += b"\x66" + rep + op[1:]
            else:
                out += rep + op
        elif kind == 7:
            out += b"\xb0" + bytes([rnd.getrandbits(8)]) + b"\xee"     # mov al, v; out dx, al
            out += b"\xec"                                             # in al, dx (read back)
            out += b"\xa2" + struct.pack("<I", buf + 0x400 + rnd.randrange(0x100))
        else:
            out += b"\xec"
    if rnd.random() < 0.1:
        out += b"\x66\xba\xf4\x00\xb0" + bytes([rnd.getrandbits(8)]) + b"\xee"   # exit with status
    out += HLT
    stdin = rnd.randbytes(rnd.randrange(0, 24))
    return Case(bytes(out), {"ebx": 0}, stdin=stdin, max_insns=5000, label="port_io")


# ---- self-modifying storms -------------------------------------------------------------------------

_ALU_IMM32 = [0x05, 0x2D, 0x35, 0x25, 0x0D, 0x15, 0x1D, 0x3D]    # add/sub/xor/and/or/adc/sbb/cmp eax, imm32


def smc_storm(rnd):
    """A loop of ECX iterations over two blocks A and B (A ends with a jmp to B). Each block holds
    "slots" (`op eax, imm32`, 5 bytes) and "patchers" writing into slots of A or B: the immediate (any
    byte of it, byte/word/dword stores, ADD/INC/XOR read-modify-writes) or the opcode (swapped for
    another 5-byte ALU form)."""
    base = CODE_GPA
    # Layout: [prologue][A: items ... jmp B][B: items ... dec ecx; jnz A][hlt]
    prologue = b"\xb9" + struct.pack("<I", rnd.randrange(1, 24))      # mov ecx, n
    prologue += b"\xbb" + struct.pack("<I", rnd.getrandbits(32))      # mov ebx, seed
    items_a = [rnd.choice(["slot", "patch", "slot", "mix"]) for _ in range(rnd.randrange(2, 8))]
    items_b = [rnd.choice(["slot", "patch", "mix"]) for _ in range(rnd.randrange(1, 8))]
    patch_len = 10        # every patcher is padded to 10 bytes so addresses are known before encoding

    def layout(items, start):
        addrs, addr = [], start
        for it in items:
            addrs.append(addr)
            addr += 5 if it == "slot" else (patch_len if it == "patch" else 3)
        return addrs, addr

    a_start = base + len(prologue)
    a_addrs, a_end = layout(items_a, a_start)
    b_start = a_end + 2                                                # jmp short B
    b_addrs, b_end = layout(items_b, b_start)
    slots = [ad for it, ad in zip(items_a, a_addrs) if it == "slot"] + \
            [ad for it, ad in zip(items_b, b_addrs) if it == "slot"]
    if not slots:
        slots = [a_start]          # patch whatever starts A

    def patcher():
        target = rnd.choice(slots)
        kind = rnd.randrange(7)
        if kind == 0:      # mov dword [imm], ebx
            code = b"\x89\x1d" + struct.pack("<I", target + 1)
        elif kind == 1:    # mov byte [imm+k], imm8
            code = b"\xc6\x05" + struct.pack("<I", target + 1 + rnd.randrange(4)) + bytes([rnd.getrandbits(8)])
        elif kind == 2:    # add dword [imm], imm8
            code = b"\x83\x05" + struct.pack("<I", target + 1) + bytes([rnd.getrandbits(8)])
        elif kind == 3:    # inc byte [imm+k]
            code = b"\xfe\x05" + struct.pack("<I", target + 1 + rnd.randrange(4))
        elif kind == 4:    # mov byte [opcode], another ALU opcode
            code = b"\xc6\x05" + struct.pack("<I", target) + bytes([rnd.choice(_ALU_IMM32)])
        elif kind == 5:    # mov word [imm+k], bx
            code = b"\x66\x89\x1d" + struct.pack("<I", target + 1 + rnd.randrange(3))
        else:              # xor dword [imm], ebx
            code = b"\x31\x1d" + struct.pack("<I", target + 1)
        return code + b"\x90" * (patch_len - len(code))

    def emit(items):
        out = b""
        for it in items:
            if it == "slot":
                out += bytes([rnd.choice(_ALU_IMM32)]) + struct.pack("<I", rnd.getrandbits(32))
            elif it == "patch":
                out += patcher()
            else:            # mix the state: add ebx, eax (01 c3) + nop
                out += b"\x01\xc3\x90"
        return out

    a = emit(items_a) + b"\xeb" + bytes([0])                          # jmp B (falls to B: rel 0)
    b = emit(items_b)
    tail_addr = b_end
    loop = b"\x49" + b"\x0f\x85" + struct.pack("<i", a_start - (tail_addr + 1 + 6))   # dec ecx; jnz A
    code = prologue + a + b + loop + HLT
    assert len(prologue) + len(a) + len(b) == tail_addr - base
    if rnd.random() < 0.3:
        # Spray: one more loop that stores EBX-derived bytes over the code after it, then runs into it.
        spray_at = base + len(code) + 32
        spray = (b"\xbf" + struct.pack("<I", spray_at) + b"\xb9" + struct.pack("<I", rnd.randrange(1, 48))
                 + b"\x88\x1f\x47\xc1\xc3\x05\x49\x75\xf7")  # l: mov [edi],bl; inc edi; rol ebx,5; dec ecx; jnz l
        code = code[:-1] + spray
        code += b"\x90" * (spray_at - base - len(code)) + rnd.randbytes(64)
    return Case(code, {"eax": rnd.getrandbits(32)}, max_insns=5000, timeout=4.0, label="smc_storm")


# ---- GDT, segment loads, far transfers -------------------------------------------------------------

GDT_GPA = 0x2000
GDTR_GPA = 0x1F00
FAR_PTR_GPA = 0x1F10
FLAT_CODE = bytes.fromhex("ffff0000009bcf00")     # base 0 limit 4G, 32-bit, DPL0, exec/read, accessed
FLAT_DATA = bytes.fromhex("ffff00000093cf00")     # base 0 limit 4G, 32-bit, DPL0, read/write, accessed


def _descriptor(rnd):
    kind = rnd.random()
    if kind < 0.3:
        return rnd.randbytes(8)
    base = rnd.choice([0, 0, rnd.getrandbits(32), rnd.randrange(0, 0x100000, 0x1000)])
    limit = rnd.choice([0xFFFFF, 0xFFFFF, rnd.getrandbits(20), 0, 0x10])
    typ = rnd.choice([0x9B, 0x93, 0x9A, 0x92, 0x9F, 0x97, 0x91, 0x99, 0x1B, 0x13, 0xFB, 0xF3, 0xBB, 0xD3,
                      0x89, 0x82, 0x8C, rnd.getrandbits(8)])
    flags = rnd.choice([0xC, 0xC, 0x4, 0x8, 0x0, rnd.getrandbits(4)])
    return struct.pack("<HHBBBB", limit & 0xFFFF, base & 0xFFFF, (base >> 16) & 0xFF, typ,
                       (flags << 4) | (limit >> 16), base >> 24)


def gdt(rnd):
    entries = 16
    table = bytes(8) + FLAT_CODE + FLAT_DATA + b"".join(_descriptor(rnd) for _ in range(entries - 3))
    limit = rnd.choice([entries * 8 - 1, entries * 8 - 1, rnd.randrange(0, entries * 8), 0xFFFF])
    memory = {GDT_GPA: table, GDTR_GPA: struct.pack("<HI", limit, GDT_GPA),
              0x1E00: rnd.randbytes(0x100)}       # random far pointers and data for LDS & co
    out = b"\x0f\x01\x15" + struct.pack("<I", GDTR_GPA)               # lgdt [gdtr]
    here = CODE_GPA + len(out)

    def sel():
        r = rnd.random()
        if r < 0.2:
            return rnd.choice([0x08, 0x10, 0x0B, 0x13, 0, 3])
        if r < 0.9:
            return rnd.randrange(entries + 2) << 3 | rnd.choice([0, 0, 0, 1, 2, 3, 4])
        return rnd.getrandbits(16)

    for _ in range(rnd.randrange(3, 25)):
        kind = rnd.randrange(10)
        s = sel()
        if kind <= 2:          # mov ax, sel; mov sreg, ax
            out += b"\x66\xb8" + struct.pack("<H", s) + bytes([0x8E, 0xC0 | (rnd.choice([0, 2, 3, 4, 5]) << 3)])
        elif kind == 3:        # ljmp sel:next (next = offset of the following instruction)
            nxt = CODE_GPA + len(out) + 7
            off = nxt if rnd.random() < 0.8 else rnd.getrandbits(32)
            out += b"\xea" + struct.pack("<IH", off, s)
        elif kind == 4:        # push sel; push next; retf
            nxt = CODE_GPA + len(out) + 11
            out += b"\x68" + struct.pack("<I", s) + b"\x68" + struct.pack("<I", nxt) + b"\xcb"
        elif kind == 5:        # lds/les/lss/lfs/lgs eax, [random far pointer]
            ptr = 0x1E00 + rnd.randrange(0, 0xF8)
            op = rnd.choice([b"\xc5", b"\xc4", b"\x0f\xb2", b"\x0f\xb4", b"\x0f\xb5"])
            out += op + b"\x05" + struct.pack("<I", ptr)
            if op == b"\x0f\xb2":
                out += b"\xbc" + struct.pack("<I", 0x1F0000)                # mov esp, back to the stack
        elif kind == 6:        # seg-prefixed load/store through a random offset
            prefix = rnd.choice([b"\x26", b"\x2e", b"\x36", b"\x3e", b"\x64", b"\x65"])
            out += b"\xbb" + struct.pack("<I", rnd.choice([0, 4, 0xFFC, 0xFFFFF, rnd.getrandbits(32)]))
            out += prefix + rnd.choice([b"\x8b\x03", b"\x89\x03", b"\x8a\x03", b"\x88\x03"])
        elif kind == 7:        # lar/lsl/verr/verw on ax
            out += b"\x66\xb8" + struct.pack("<H", s)
            out += rnd.choice([b"\x0f\x02\xc8", b"\x0f\x03\xc8", b"\x0f\x00\xe0", b"\x0f\x00\xe8"])
        elif kind == 8:        # push/pop sreg, mov ax, sreg
            out += rnd.choice([b"\x1e\x07", b"\x06\x1f", b"\x0f\xa0\x0f\xa9", b"\x0f\xa8\x0f\xa1",
                               b"\x8c\xd8", b"\x16\x17", b"\x8c\xc8"])
        else:                  # lcall sel:next then the callee returns at once
            nxt = CODE_GPA + len(out) + 7
            out += b"\x9a" + struct.pack("<IH", nxt, s) + b"\xcb"
    out += HLT
    del here
    return Case(out, random_regs(rnd), memory=memory, max_insns=2000, label="gdt")


KINDS = {"random_code": random_code, "port_io": port_io, "smc_storm": smc_storm, "gdt": gdt}


# ---- paging (tests/fuzz/paging_generators.py) --------------------------------------------------------

from tests.fuzz.paging_generators import paging, paging_idt  # noqa: E402

KINDS.update(paging=paging, paging_idt=paging_idt)

from tests.fuzz.ring_generators import rings  # noqa: E402

KINDS.update(rings=rings)
