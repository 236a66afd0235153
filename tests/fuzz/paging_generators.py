"""Fuzz-case generators for paging (issue 6 item 2): each takes a random.Random and returns a
harness.Case that turns paging on over random page tables. Registered in generators.KINDS.

- paging: a page directory and tables with random entries (present/RW/US/A/D/PS bits, frames inside
  and beyond RAM, tables mapping themselves, 4 MiB pages), a second directory, then random CR3 loads
  (either directory or a random value), CR0.WP / CR4.PSE flips, loads, stores and read-modify-writes
  at linear addresses biased to the mapped ones, stores into the page tables, INVLPG, string moves
  across pages. #PF and #GP go to a handler that folds CR2 and the error code into registers and
  resumes at the next operation; other vectors halt; a fault it cannot deliver ends in #DF or a triple
  fault (shutdown), which both engines must agree on.
- paging_idt: a GDT and a random IDT with paging on: the IDT itself, the handlers or the stack on
  unmapped, not-present, supervisor or read-only pages (-> nested #PF, #DF, triple fault), then a
  faulting instruction; the handlers that run record CR2 and the error code in registers and halt.
Test-time only.
"""
import struct

from tests.fuzz.harness import CODE_GPA, RAM_SIZE, Case

PD, PD2, PT_IDENT, PT1, PT2 = 0x180000, 0x181000, 0x182000, 0x183000, 0x184000
GDT_GPA, IDT_GPA, HANDLERS_GPA = 0x1000, 0x2000, 0x3000
P, RW, US, A, D, PS = 0x1, 0x2, 0x4, 0x20, 0x40, 0x80
HLT = b"\xf4"
FLAT_GDT = bytes(8) + bytes.fromhex("ffff0000009bcf00") + bytes.fromhex("ffff00000093cf00")


def _u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def _frame(rnd):
    pick = rnd.random()
    if pick < 0.7:
        return rnd.randrange(0, RAM_SIZE, 0x1000)
    if pick < 0.85:
        return rnd.choice([PD, PD2, PT_IDENT, PT1, PT2, CODE_GPA])     # aliases of tables and code
    return rnd.choice([RAM_SIZE, RAM_SIZE + 0x1000, 0xFFFFF000, rnd.getrandbits(20) << 12])


def _bits(rnd):
    bits = rnd.getrandbits(12) & ~PS
    if rnd.random() < 0.85:
        bits |= P
    if rnd.random() < 0.7:
        bits |= RW | US
    return bits


def _identity_table(rnd, noise):
    """Page table mapping 0..4 MiB onto itself (user, writable), each entry randomised with
    probability `noise` (the code and stack pages too: then the run faults early)."""
    out = bytearray()
    for i in range(1024):
        e = (i << 12) | P | RW | US | (rnd.getrandbits(2) << 5)        # random A/D
        if rnd.random() < noise:
            e = _frame(rnd) | _bits(rnd)
        out += _u32(e)
    return bytes(out)


def _directory(rnd, pse):
    out = bytearray(4096)
    struct.pack_into("<I", out, 0, PT_IDENT | P | RW | US | (A if rnd.random() < 0.5 else 0))
    struct.pack_into("<I", out, 4, PT1 | _bits(rnd) | P)
    for i in range(2, 1024):
        r = rnd.random()
        if r < 0.02:
            e = rnd.choice([PT1, PT2, PT_IDENT, PD, PD2]) | _bits(rnd)
        elif r < 0.04:
            e = (rnd.getrandbits(10) << 22) | (rnd.getrandbits(12) if rnd.random() < 0.3 else 0) | _bits(rnd) | PS
        elif r < 0.05:
            e = rnd.getrandbits(32)
        else:
            continue
        struct.pack_into("<I", out, 4 * i, e)
    if pse and rnd.random() < 0.5:                                     # a 4 MiB page at 8 MiB
        struct.pack_into("<I", out, 4 * 2, rnd.choice([0, 0x400000 * rnd.randrange(4)]) | _bits(rnd) | PS | P)
    return bytes(out)


def _random_table(rnd):
    out = bytearray(4096)
    for i in range(1024):
        if rnd.random() < 0.5:
            struct.pack_into("<I", out, 4 * i, _frame(rnd) | _bits(rnd))
    return bytes(out)


def _linear(rnd):
    r = rnd.random()
    if r < 0.45:
        return 0x400000 + rnd.randrange(0x400000)                      # PT1's range
    if r < 0.6:
        return rnd.randrange(0x180000, 0x186000)                       # the tables through identity
    if r < 0.75:
        return rnd.randrange(0x800000, 0xC00000)                       # a possible 4 MiB page
    if r < 0.85:
        return rnd.randrange(0x1000, RAM_SIZE)                         # identity, code and stack included
    return rnd.getrandbits(32)


def paging_on(rnd, pse, wp):
    out = b"\xb8" + _u32(PD) + b"\x0f\x22\xd8"                          # mov eax, PD; mov cr3, eax
    if pse:
        out += b"\x0f\x20\xe0\x0d" + _u32(0x10) + b"\x0f\x22\xe0"        # cr4 |= PSE
    out += b"\x0f\x20\xc0\x0d" + _u32(0x80000000 | (0x10000 if wp else 0)) + b"\x0f\x22\xc0"
    return out


RESUME_GPA = 0xF80
# #PF / #GP handler: fold CR2 into ESI and the error code into EDI, count in EBP, then resume at the
# next operation (its address is stored at RESUME_GPA before each operation).
SKIP_HANDLER = (b"\x0f\x20\xd0\x31\xc6\x8b\x04\x24\x01\xc7\x45\x83\xc4\x04"
                b"\xa1" + _u32(RESUME_GPA) + b"\x89\x04\x24\xcf")
# Any other vector: mov eax, cr2; hlt.
HALT_HANDLER = b"\x0f\x20\xd0" + HLT


def _kernel(memory, idt_base=IDT_GPA, idt=None):
    """GDT, IDT (by default #GP and #PF skip, the rest halt) and the code loading them."""
    memory[GDT_GPA] = FLAT_GDT
    memory[0xF00] = struct.pack("<HI", len(FLAT_GDT) - 1, GDT_GPA)
    if idt is None:
        memory[HANDLERS_GPA], memory[HANDLERS_GPA + 0x40] = SKIP_HANDLER, HALT_HANDLER
        idt = b"".join(_gate(HANDLERS_GPA if v in (13, 14) else HANDLERS_GPA + 0x40, 0x8E) for v in range(256))
        memory[0xF08] = struct.pack("<HI", 0x7FF, idt_base)
    memory[IDT_GPA] = idt
    code = b"\x0f\x01\x15" + _u32(0xF00)                                 # lgdt [0xf00]
    code += b"\xea" + _u32(CODE_GPA + len(code) + 7) + b"\x08\x00"        # jmp 0x08:next
    code += b"\x66\xb8\x10\x00\x8e\xd8\x8e\xc0\x8e\xd0"                  # ds = es = ss = 0x10
    code += b"\x0f\x01\x1d" + _u32(0xF08)                                # lidt [0xf08]
    return code


def _gate(target, kind):
    return struct.pack("<Q", (target & 0xFFFF) | (0x08 << 16) | (kind << 40) | ((target >> 16) << 48))


def paging(rnd):
    pse, wp = rnd.random() < 0.6, rnd.random() < 0.6
    memory = {PD: _directory(rnd, pse), PD2: _directory(rnd, pse), PT_IDENT: _identity_table(rnd, 0.01),
              PT1: _random_table(rnd), PT2: _random_table(rnd)}
    code = _kernel(memory) + paging_on(rnd, pse, wp)
    for _ in range(rnd.randrange(5, 60)):
        before = code
        k = rnd.randrange(12)
        if k == 11 and rnd.random() < 0.7:       # a stack on a random page mostly ends the run: rarer
            k = 0
        la = _linear(rnd)
        if k <= 2:
            code += b"\xa1" + _u32(la)                                  # mov eax, [la]
        elif k <= 4:
            code += rnd.choice([b"\xc7\x05" + _u32(la) + _u32(rnd.getrandbits(32)),
                                b"\xc6\x05" + _u32(la) + bytes([rnd.getrandbits(8)]),
                                b"\x66\xc7\x05" + _u32(la) + rnd.randbytes(2),
                                b"\x83\x05" + _u32(la) + bytes([rnd.getrandbits(8)])])
        elif k == 5:                                                    # a page-table entry edit
            table = rnd.choice([PD, PD2, PT1, PT2, PT_IDENT])
            code += b"\xc7\x05" + _u32(table + 4 * rnd.randrange(1024)) + _u32(_frame(rnd) | _bits(rnd))
        elif k == 6:                                                    # mov eax, cr3-value; mov cr3, eax
            value = rnd.choice([PD, PD2]) if rnd.random() < 0.93 else rnd.choice([PT1, rnd.getrandbits(32)])
            code += b"\xb8" + _u32(value) + b"\x0f\x22\xd8"
        elif k == 7:
            code += b"\x0f\x01\x3d" + _u32(la)                          # invlpg [la]
        elif k == 8:                                                    # flip CR0.WP or CR4.PSE
            code += rnd.choice([b"\x0f\x20\xc0\x35" + _u32(0x10000) + b"\x0f\x22\xc0",
                                b"\x0f\x20\xe0\x35" + _u32(0x10) + b"\x0f\x22\xe0"])
        elif k == 9:                                                    # rep movsb / stosd across pages
            code += b"\xbe" + _u32(la) + b"\xbf" + _u32(_linear(rnd)) + b"\xb9" + _u32(rnd.randrange(1, 40))
            code += rnd.choice([b"\xf3\xa4", b"\xf3\xab", b"\xf3\xa5"])
        elif k == 10:                                                   # a loop re-reading a page
            code += (b"\xb9" + _u32(rnd.randrange(2, 30)) + b"\xa1" + _u32(la)
                     + b"\x01\x05" + _u32(_linear(rnd)) + b"\x49\x75\xf2")   # add [la2], eax; dec ecx; jnz
        else:                                                           # the stack on a random page
            code += b"\xbc" + _u32(la & ~3) + b"\x50\x58"                # mov esp, la; push eax; pop eax
            code += b"\xbc" + _u32(0x1F0000)
        op = code[len(before):]                                         # resume after op if it faults
        code = before + b"\xc7\x05" + _u32(RESUME_GPA) + _u32(CODE_GPA + len(before) + 10 + len(op)) + op
    code += HLT
    return Case(code, {"esp": 0x1F0000, "esi": 0, "edi": 0, "ebp": 0}, memory=memory, max_insns=3000,
                timeout=4.0, label="paging")


# ---- random IDT contents with paging on -----------------------------------------------------------------

# Handler: mov eax, cr2; mov ebx, [esp]; mov ecx, [esp+4]; hlt  (error code or EIP, and the next word)
HANDLER = b"\x0f\x20\xd0\x8b\x1c\x24\x8b\x4c\x24\x04" + HLT


def paging_idt(rnd):
    pse, wp = rnd.random() < 0.5, rnd.random() < 0.6
    ident = bytearray(_identity_table(rnd, 0.0))
    pt1 = bytearray(_random_table(rnd))
    handler_places = []                     # linear addresses of handler copies
    memory = {}
    for i in range(4):
        gpa = HANDLERS_GPA + 0x100 * i
        memory[gpa] = HANDLER
        handler_places.append(gpa)
    # Pages of PT1 that map the handler page: present supervisor, user, read-only, not present.
    for i in range(4):
        e = HANDLERS_GPA | rnd.choice([P, P | RW, P | US, 0, P | RW | US])
        struct.pack_into("<I", pt1, 4 * i, e)
        handler_places.append(0x400000 + (i << 12))
    # The IDT: at IDT_GPA through identity, or at 0x404000 / 0x405000 mapped (or not) onto it.
    struct.pack_into("<I", pt1, 4 * 4, IDT_GPA | rnd.choice([P | RW, P, 0]))
    idt_base = rnd.choice([IDT_GPA, IDT_GPA, 0x404000, 0x405000, rnd.getrandbits(32)])
    idt = bytearray(256 * 8)
    for v in range(256):
        if rnd.random() < 0.9:
            target = rnd.choice(handler_places) + (0 if rnd.random() < 0.9 else 0x100 * rnd.randrange(4))
            if rnd.random() < 0.1:
                target = _linear(rnd)
            kind = rnd.choice([0x8E, 0x8E, 0x8F, 0xEE, 0x0E, rnd.getrandbits(8)])
            idt[8 * v:8 * v + 8] = _gate(target, kind)
    memory[0xF08] = struct.pack("<HI", rnd.choice([0x7FF, 0x7FF, 0x77, rnd.getrandbits(16)]), idt_base)
    # The stack: normal, on an unmapped / read-only / not-present page, or at a page boundary.
    struct.pack_into("<I", pt1, 4 * 6, 0x1E0000 | rnd.choice([P | RW, P, 0, P | US | RW]))
    esp = rnd.choice([0x1F0000, 0x1F0000, 0x407000, 0x406008, 0x406000, rnd.getrandbits(32) & ~3, 0x1000004])
    if rnd.random() < 0.3:                  # the identity page holding the IDT made not present
        struct.pack_into("<I", ident, 4 * (IDT_GPA >> 12), IDT_GPA | rnd.choice([0, P]))
    memory.update({PD: struct.pack("<II", PT_IDENT | P | RW | US, PT1 | P | RW | US), PT_IDENT: bytes(ident),
                   PT1: bytes(pt1)})
    code = _kernel(memory, idt=bytes(idt)) + paging_on(rnd, pse, wp)
    code += b"\xbc" + _u32(esp)                                          # mov esp, esp
    for _ in range(rnd.randrange(1, 4)):
        code += rnd.choice([
            b"\xa1" + _u32(_linear(rnd)),                                # a load that may fault
            b"\xc7\x05" + _u32(_linear(rnd)) + _u32(rnd.getrandbits(32)),
            b"\x0f\x0b",                                                 # ud2
            b"\xcd" + bytes([rnd.getrandbits(8)]),                       # int n
            b"\x31\xc9\xf7\xf1",                                         # xor ecx, ecx; div ecx
            b"\xcc",                                                     # int3
            b"\xe9" + struct.pack("<i", rnd.choice([0x400000, 0x402000, 0x300000]) - (CODE_GPA + len(code) + 5)),
        ])                                                               # jmp to a handler alias or unmapped
    code += HLT
    return Case(code, {"esp": 0x1F0000, "eax": 0, "ebx": 0, "ecx": 0}, memory=memory, max_insns=2000,
                timeout=4.0, label="paging_idt")
