"""Tiny ring 0 / ring 3 guest kernels for the differential tests of interrupt delivery and IRET
(tests/test_native_delivery.py). Test-time only; not hot.

A Scenario is data: a GDT of fixed, deliberately odd descriptors (segments without the Accessed bit,
conforming, not present, expand-down, 16-bit, with a base other than 0, in the LDT), an IDT whose
"variant" vectors get random gates (32/16-bit interrupt and trap gates, task gates, DPL, present bit,
selector), a TSS (SS0, ESP0, base, limit, type), optional paging (identity map; the pages holding the
GDT, IDT, TSS, LDT and stacks get random P/RW/US/A/D bits), and a list of Ops: INT n, INT3, #DE
from DIV/IDIV in ring 3 or ring 0, IRET to ring 3 or ring 0 with odd frames, and ring-0 pokes into
those tables between them. `source()` turns it into a nasm kernel, self-contained (it builds its
tables and page tables) and bootable by QEMU's -kernel (Multiboot header).

How the kernel runs: each Op first stores its end label into RESUME; an Op that wants ring 0 (or 3)
gets there first (INT 0x80, or an IRET with a plain frame). Every vector's handler logs the event
(vector, error code, saved EIP/CS/EFLAGS, the data selectors, SS:ESP and EFLAGS inside the handler,
the outer SS:ESP) into LOG_GPA and returns to RESUME with IRET, in the ring it came from (INT 0x80:
in ring 0); handlers of 16-bit gates jump to RESUME instead. So whatever faults, the kernel goes on
with the next Op: the run ends with an exit (status 0), or a triple fault or the instruction limit
when the scenario broke the kernel beyond repair. Engines must agree on all of it.

`run(scenario, engine)` runs one engine and returns an Ending (how the run ended, every CpuState
field, registers, a digest of RAM, the event log) for comparison.
"""
import hashlib
import io
import pathlib
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field

from bt.runtime import flags
from bt.runtime.machine import Machine
from bt.runtime.state import CpuState, REG_NAMES, W_EFLAGS, W_EIP

RAM_SIZE = 2 << 20
IMAGE_GPA = 0x100000
LOW16_GPA = 0x7000            # handlers of 16-bit gates: their offset is 16 bits
GDT_PAGE_GPA = 0x10000        # the GDT lies here, or across this page and the next (GDT_SPLIT)
IDT_GPA = 0x12000
TSS_PAGE_GPA = 0x13000
KSTACK_TOP = 0x16000          # ring-0 stack: pages 0x14000 and 0x15000
USTACK_TOP = 0x17000          # ring-3 stack: page 0x16000
LOG_GPA = 0x18000
LDT_GPA = 0x19000
PD_GPA, PT_GPA = 0x20000, 0x21000
RESUME = LOG_GPA              # where each handler returns to
LOG_COUNT = LOG_GPA + 4
LOG_RECORDS = LOG_GPA + 0x100
LOG_N, LOG_RECORD_SIZE = 32, 64
SYSCALL = 0x80                # back to ring 0 at RESUME
VARIANT_VECTORS = (0, 3) + tuple(range(0x30, 0x38))     # INT n / #DE targets with random gates
GATE_VECTORS = VARIANT_VECTORS + (13, 14)                # random gates also for #GP and #PF
GDT_SPLIT = GDT_PAGE_GPA + 0x1000 - 24    # entries 0-2 on the first page, 3 and up on the next
TSS_SPLIT = TSS_PAGE_GPA + 0x1000 - 10    # SS0 (at +8) in the last two bytes of the page
M32 = 0xFFFFFFFF

# Page-table bits.
P, RW, US, ACC, DIRTY = 0x1, 0x2, 0x4, 0x20, 0x40
SYSTEM_PAGES = {"gdt": GDT_PAGE_GPA, "gdt2": GDT_PAGE_GPA + 0x1000, "idt": IDT_GPA, "tss": TSS_PAGE_GPA,
                "kstack": 0x14000, "kstack2": 0x15000, "ustack": 0x16000, "ldt": LDT_GPA, "low16": LOW16_GPA}


def _descriptor(base, limit, access, flags_nibble):
    return struct.unpack("<Q", struct.pack("<HHBBBB", limit & 0xFFFF, base & 0xFFFF, (base >> 16) & 0xFF, access,
                                           (flags_nibble << 4) | ((limit >> 16) & 0xF), base >> 24))[0]


def _flat(access, flags_nibble=0xC, base=0, limit=0xFFFFF):
    return _descriptor(base, limit, access, flags_nibble)


# Selectors (GDT index << 3, with the RPL used for them) and the GDT itself.
K_CODE, K_DATA, U_CODE, U_DATA, TSS_SEL, LDT_SEL = 0x08, 0x10, 0x1B, 0x23, 0x28, 0x30
K_CODE_NA, K_DATA_NA, K_CONF, K_CODE_B, K_DATA16, K_DATA_ED = 0x38, 0x40, 0x48, 0x50, 0x58, 0x60
K_DATA_NP, K_DATA_RO, U_DATA_D3, U_CODE_NA, U_DATA_NA, U_CONF = 0x68, 0x70, 0x78, 0x83, 0x8B, 0x93
U_DATA16, K_CODE_NP, K_DATA_B, K_DATA_LIM, U_CODE_B = 0x9B, 0xA0, 0xA8, 0xB0, 0xBB
LDT_K_CODE, LDT_K_DATA, LDT_U_CODE, LDT_U_DATA = 0x04, 0x0C, 0x17, 0x1F
CODE_BASE_B = 0x1000          # base of K_CODE_B, U_CODE_B and K_DATA_B
GDT = {
    K_CODE: _flat(0x9B), K_DATA: _flat(0x93), U_CODE: _flat(0xFB), U_DATA: _flat(0xF3),
    LDT_SEL: _descriptor(LDT_GPA, 0x1F, 0x82, 0),
    K_CODE_NA: _flat(0x9A), K_DATA_NA: _flat(0x92),
    K_CONF: _flat(0x9F),                                   # conforming, readable, DPL 0
    K_CODE_B: _flat(0x9B, base=CODE_BASE_B, limit=0xFFFFE),
    K_DATA16: _flat(0x93, 0x8),                            # B = 0: a 16-bit stack
    K_DATA_ED: _descriptor(0, 0xFFF, 0x97, 0x4),           # expand-down: offsets 0x1000 and up
    K_DATA_NP: _flat(0x13), K_DATA_RO: _flat(0x91),
    U_DATA_D3: _flat(0xF3),                                # DPL 3 data (as SS0: DPL != 0)
    U_CODE_NA: _flat(0xFA), U_DATA_NA: _flat(0xF2),
    U_CONF: _flat(0xFF),                                   # conforming, DPL 3
    U_DATA16: _flat(0xF3, 0x8),
    K_CODE_NP: _flat(0x1B),
    K_DATA_B: _flat(0x93, base=CODE_BASE_B, limit=0xFFFFE),
    K_DATA_LIM: _descriptor(0, KSTACK_TOP - 1, 0x93, 0x4),  # byte-granular, ends at the stack top
    U_CODE_B: _flat(0xFB, base=CODE_BASE_B, limit=0xFFFFE),
}
GDT_ENTRIES = 32
LDT = {LDT_K_CODE: _flat(0x9B), LDT_K_DATA: _flat(0x93), LDT_U_CODE: _flat(0xFB), LDT_U_DATA: _flat(0xF3)}
BASED_CODE = (K_CODE_B, U_CODE_B)

# EFLAGS bits.
TF, IF, IOPL3, NT, RF, VM, AC, ID = 0x100, 0x200, 0x3000, 0x4000, 0x10000, 0x20000, 0x40000, 0x200000


@dataclass(frozen=True)
class Gate:
    """An IDT entry: gate type (0xE, 0xF 32-bit interrupt/trap; 0x6, 0x7 16-bit; 0x5 task; others
    invalid), DPL, present, code selector. The handler is the vector's logging stub (16-bit gates:
    its copy below 64 KiB), its offset adjusted to the selector's base."""
    type: int = 0xE
    dpl: int = 0
    present: bool = True
    selector: int = K_CODE


@dataclass(frozen=True)
class Tss:
    ss0: int = K_DATA
    esp0: int = KSTACK_TOP
    base: int = TSS_PAGE_GPA
    limit: int = 0x67
    type: int = 0x9                   # 32-bit available; 0x1: 16-bit


@dataclass(frozen=True)
class Op:
    """One step of the scenario; `kind` and its arguments:
    - "int": INT `vector` (3: INT3 form when `arg`), in ring `ring`, ESP `esp` in ring 0
    - "div" / "idiv": #DE from DIV by zero / IDIV overflow in ring `ring`
    - "to_user": IRET from ring 0 with frame (cs, ss, eflags, esp3) at `frame_gpa`, DS/ES/FS/GS =
      `data`, NT set before the IRET if `nt`, the PTEs in `ptes` ((page, bits) pairs) changed
      (and INVLPG) between the pushes and the IRET; in ring 3 then STI if `arg` and INT `vector`
      (0: nothing)
    - "iret0": IRET from ring 0 to ring 0 with frame (cs, eflags) at `frame_gpa`, `ptes` as above,
      then INT `vector` (0: nothing)
    - "spin": a loop of `arg` iterations in ring `ring` (time for the timer)
    - "touch": in ring `ring`, a load (`arg` 0) or store (1) at offset 0xC00 of system page `page`
      (unused there): #PF from a user or read-only page, delivered natively by the JIT
    - "tss": SS0, ESP0 := ss0, esp0; "gate": IDT[vector] := gate; "pte": PTE of `page` := bits
      (then CR3 reloaded if `arg`); "unaccess": clear the Accessed bit of descriptor `cs`; "cr3"
    """
    kind: str
    vector: int = 0
    ring: int = 3
    esp: int = KSTACK_TOP
    cs: int = None                    # to_user: U_CODE, iret0: K_CODE
    ss: int = U_DATA
    eflags: int = 0x2
    esp3: int = USTACK_TOP
    frame_gpa: int = KSTACK_TOP - 0x100
    data: int = U_DATA
    nt: bool = False
    ss0: int = K_DATA
    esp0: int = KSTACK_TOP
    gate: Gate = None
    page: str = ""
    bits: int = 0
    arg: int = 0
    ptes: tuple = ()


@dataclass(frozen=True)
class Scenario:
    ops: tuple
    gates: tuple = ()                 # (vector, Gate), vector in GATE_VECTORS or 0x80; the others plain
    tss: Tss = Tss()
    gdt_gpa: int = GDT_PAGE_GPA
    paging: tuple = None              # None: off; else (page name, PTE bits) for SYSTEM_PAGES
    wp: bool = False
    pic_timer: int = 0                # PIT channel 0 count (mode 2) with IRQ 0 -> vector 0x20; 0: off
    max_insns: int = 10_000
    dump: bool = False                # print the event log on COM1 at the end (for QEMU)


# Unusual values the random scenarios pick (tests/test_native_delivery.py, tests/fuzz/ring_generators.py).
SS0S = (K_DATA_NA, 0, K_DATA | 2, U_DATA_D3 & ~3, U_DATA_D3, K_DATA_NP, K_DATA_RO, K_DATA_ED, K_DATA16, LDT_K_DATA,
        K_DATA_B, K_DATA_LIM, K_CODE, 0x3F8)
ESP0S = (0x15008, 0x15002, 0x15000, 8, 0x1400C, KSTACK_TOP - 4, 0x15010, 0x16006)
GATE_SELECTORS = (K_CODE_NA, LDT_K_CODE, K_CONF, K_CODE_B, K_CODE_NP, U_CODE, K_DATA, 0, 0x3F8, K_CODE | 3)
GATE_TYPES = (0xE, 0xE, 0xE, 0xF, 0xF, 0x6, 0x7, 0x5, 0xC, 0x0)
EFLAGS = (0x202, 0x3202, 0x102, 0x4002, 0x20002, 0x40202, 0x200202, 0x3302, 0x10002, 0x2 | 0xCD5)
PAGE_BITS = (P | RW | ACC | DIRTY, P | RW, P, P | US | RW, P | US, 0, P | RW | US | ACC)
PAGE_NAMES = tuple(SYSTEM_PAGES)
USER_CS = (U_CODE_NA, LDT_U_CODE, U_CONF, K_CONF | 3, K_CODE | 3, U_CODE_B, U_CODE & ~3 | 1, K_CODE_NP | 3)
USER_SS = (U_DATA_NA, LDT_U_DATA, U_DATA16, U_DATA_D3, K_DATA | 3, 0, K_DATA_NP | 3)
USER_DATA = (K_DATA, 0, LDT_U_DATA, K_CONF, U_DATA_NA)
KERNEL_CS = (K_CODE_NA, LDT_K_CODE, K_CONF, K_CODE_B, K_CODE_NP, K_CODE | 1, U_CODE)
FRAME_GPAS = (KSTACK_TOP - 0x100,) * 3 + (0x15000 - 12, 0x15000 - 14, 0x15000 - 8, 0x15000 - 20, 0x15000 - 6)
RING0_ESPS = (0x15008, 0x15002, 8, 0x1000C)


def random_scenario(rnd):
    """A Scenario from random.Random `rnd`, with the choices of tests/test_native_delivery.py's
    hypothesis strategy (for the fuzz campaign: tests/fuzz/ring_generators.py)."""
    def pick(common, rare):
        return common if rnd.random() < 0.75 else rnd.choice(rare)

    def gate():
        g = Gate(rnd.choice(GATE_TYPES), rnd.choice((3, 3, 3, 0, 1)), rnd.random() < 0.8,
                 pick(K_CODE, GATE_SELECTORS))
        return Gate(g.type, g.dpl, g.present, K_CODE) if g.type in (6, 7) and g.selector == K_CODE_B else g

    def gate_vector():
        return rnd.choice((13, 14)) if rnd.random() < 0.25 else rnd.choice(VARIANT_VECTORS)

    def ptes():
        return tuple((rnd.choice(PAGE_NAMES), rnd.choice(PAGE_BITS)) for _ in range(rnd.randrange(3)))

    def op():
        k = rnd.choice(("int", "div", "to_user", "iret0", "tss", "gate", "pte", "unaccess", "cr3", "touch", "spin"))
        if k == "int":
            return Op(k, rnd.choice(VARIANT_VECTORS + (SYSCALL,)), ring=pick(3, (0,)), arg=rnd.randrange(2),
                      esp=pick(KSTACK_TOP, RING0_ESPS))
        if k == "div":
            return Op(rnd.choice(("div", "idiv")), ring=pick(3, (0,)))
        if k == "to_user":
            return Op(k, rnd.choice(VARIANT_VECTORS + (0,)), cs=pick(U_CODE, USER_CS), ss=pick(U_DATA, USER_SS),
                      eflags=pick(0x2, EFLAGS), esp3=pick(USTACK_TOP, (0, 0x15002)), frame_gpa=rnd.choice(FRAME_GPAS),
                      data=pick(U_DATA, USER_DATA), nt=pick(False, (True,)), arg=pick(0, (1,)), ptes=ptes())
        if k == "iret0":
            return Op(k, rnd.choice(VARIANT_VECTORS + (0,)), cs=pick(K_CODE, KERNEL_CS), eflags=pick(0x2, EFLAGS),
                      frame_gpa=rnd.choice(FRAME_GPAS), ptes=ptes())
        if k == "tss":
            return Op(k, ss0=pick(K_DATA, SS0S), esp0=pick(KSTACK_TOP, ESP0S))
        if k == "gate":
            return Op(k, gate_vector(), gate=gate())
        if k == "pte":
            return Op(k, page=rnd.choice(PAGE_NAMES), bits=rnd.choice(PAGE_BITS), arg=rnd.randrange(2))
        if k == "unaccess":
            return Op(k, cs=rnd.choice((U_CODE, U_DATA, K_CODE, K_DATA, K_CODE_NA, K_DATA_NA)))
        if k == "touch":
            return Op(k, ring=pick(3, (0,)), page=rnd.choice(PAGE_NAMES), arg=rnd.randrange(2))
        if k == "spin":
            return Op(k, ring=rnd.choice((0, 3)), arg=rnd.choice((50, 400)))
        return Op(k)

    tss = Tss()
    if rnd.random() < 0.5:
        tss = Tss(pick(K_DATA, SS0S), pick(KSTACK_TOP, ESP0S), pick(TSS_PAGE_GPA, (TSS_SPLIT,)),
                  pick(0x67, (8, 9)), pick(0x9, (0x1,)))
    paging = None
    if rnd.random() < 0.5:
        paging = tuple((rnd.choice(PAGE_NAMES), pick(P | RW | ACC | DIRTY, PAGE_BITS)) for _ in range(rnd.randrange(5)))
    return Scenario(tuple(op() for _ in range(rnd.randrange(1, 13))),
                    tuple((gate_vector(), gate()) for _ in range(rnd.randrange(5))), tss,
                    pick(GDT_PAGE_GPA, (GDT_SPLIT,)), paging, rnd.random() < 0.5, pick(0, (2, 3)))


# ---- the kernel's source ---------------------------------------------------------------------------

def _gate_expr(vector, gate):
    """nasm expression pair (low dword, high dword) of the IDT entry."""
    if gate.type in (0x6, 0x7):
        target = f"{LOW16_GPA + 16 * GATE_VECTORS.index(vector):#x}" if vector in GATE_VECTORS else "0"
    else:
        target = f"LIN(stub_{vector:02x})"
    if gate.selector & ~3 == K_CODE_B:
        target = f"({target} - {CODE_BASE_B:#x})"
    access = (0x80 if gate.present else 0) | (gate.dpl << 5) | gate.type
    lo = f"(({target}) & 0xFFFF) | ({gate.selector:#x} << 16)"
    hi = f"(({target}) & 0xFFFF0000) | ({access:#x} << 8)"
    return lo, hi


def _descriptor_bytes(table, entries):
    out = bytearray(8 * entries)
    for sel, value in table.items():
        struct.pack_into("<Q", out, sel & ~7, value)
    return bytes(out)


def _tables_data(scn):
    """nasm data: the GDT, LDT, TSS and IDT images the start-up code copies into place."""
    gdt = bytearray(_descriptor_bytes(GDT, GDT_ENTRIES))
    t = scn.tss
    struct.pack_into("<Q", gdt, TSS_SEL, _descriptor(t.base, t.limit, 0x80 | t.type, 0))
    tss = bytearray(0x68)
    if t.type == 0x1:                              # 16-bit TSS: SP0 at 2, SS0 at 4
        struct.pack_into("<HH", tss, 2, t.esp0 & 0xFFFF, t.ss0)
    else:
        struct.pack_into("<IH", tss, 4, t.esp0, t.ss0)
        struct.pack_into("<H", tss, 0x66, 0x68)
    gates = dict(scn.gates)
    lines = ["gdt_image:", "    db " + ", ".join(str(b) for b in gdt), "gdt_image_end:",
             "ldt_image:", "    db " + ", ".join(str(b) for b in _descriptor_bytes(LDT, 4)), "ldt_image_end:",
             "tss_image:", "    db " + ", ".join(str(b) for b in tss), "tss_image_end:",
             "idt_image:"]
    for v in range(256):
        gate = gates.get(v)
        if gate is None:
            if v in VARIANT_VECTORS:
                gate = Gate(dpl=3)
            elif v < 32 or v == SYSCALL or (v == 0x20 and scn.pic_timer):
                gate = Gate(0xF, 3, True, K_CODE) if v == SYSCALL else Gate()
            else:
                lines.append("    dd 0, 0")
                continue
        lines.append("    dd " + ", ".join(_gate_expr(v, gate)))
    lines += ["idt_image_end:", "low16_image:"]
    for v in GATE_VECTORS:                         # mov eax, v | 0x1600; mov ebx, on_event16; jmp ebx
        lines.append(f"    db 0xB8\n    dd {v | 0x1600:#x}\n    db 0xBB\n    dd on_event16\n    db 0xFF, 0xE3, 0, 0, 0, 0")
    lines.append("low16_image_end:")
    if scn.paging is not None:
        lines += ["pd_image:", f"    dd {PT_GPA | P | RW | US:#x}", "    times 1023 dd 0", "pd_image_end:",
                  "pt_image:", "    dd " + ", ".join(f"{e:#x}" for e in _page_table(scn)), "pt_image_end:"]
    return lines


ERROR_CODE_VECTORS = (8, 10, 11, 12, 13, 14, 17)

KERNEL_HEAD = f"""
bits 32
org {IMAGE_GPA:#x}
%define RESUME {RESUME:#x}
%define LOG_COUNT {LOG_COUNT:#x}
%define KSTACK_TOP {KSTACK_TOP:#x}
%define USTACK_TOP {USTACK_TOP:#x}
%define LIN(label) ((label) - $$ + {IMAGE_GPA:#x})

start:
    jmp near boot
align 4
mb_header:                             ; Multiboot (a.out kludge): QEMU's -kernel loads the image as is
    dd 0x1BADB002, 0x00010000, 0xe4514ffe
    dd mb_header, start, 0, 0, start

; Every vector's handler (32-bit gates): log the event, then IRET to RESUME in the ring the event
; came from (INT 0x80: in ring 0). Stack on entry from the stub: vector, error code, EIP, CS,
; EFLAGS[, ESP, SS]. Clobbers EAX and EBX.
on_event:
    mov eax, ds
    shl eax, 16
    mov ax, es
    mov ebx, fs
    shl ebx, 16
    mov bx, gs
    push eax                           ; [esp + 4] DS:ES
    push ebx                           ; [esp] FS:GS, then vector, error, EIP, CS, EFLAGS at +8 .. +24
    mov ax, {K_DATA:#x}
    mov ds, ax
    mov es, ax
    mov ebx, [LOG_COUNT]
    inc dword [LOG_COUNT]
    and ebx, {LOG_N - 1}
    shl ebx, 6
    add ebx, {LOG_RECORDS:#x}
    mov eax, [esp + 8]
    mov [ebx], eax
    mov eax, [esp + 12]
    mov [ebx + 4], eax
    mov eax, [esp + 16]
    mov [ebx + 8], eax
    mov eax, [esp + 20]
    mov [ebx + 12], eax
    mov eax, [esp + 24]
    mov [ebx + 16], eax
    mov eax, [esp + 4]
    mov [ebx + 20], eax
    mov eax, [esp]
    mov [ebx + 24], eax
    mov eax, ss
    mov [ebx + 28], eax
    mov [ebx + 32], esp
    mov eax, cs
    mov [ebx + 36], eax
    pushfd
    pop eax
    mov [ebx + 40], eax                ; IF inside the handler: interrupt vs trap gate
    mov eax, cr2
    mov [ebx + 52], eax
    mov eax, [{PT_GPA + 4 * ((GDT_PAGE_GPA >> 12) + 1):#x}]
    mov [ebx + 56], eax                ; the PTE of the GDT's second page (A bit: who read it)
    test byte [esp + 20], 3
    jz .same
    mov eax, [esp + 28]
    mov [ebx + 44], eax                ; outer ESP
    mov eax, [esp + 32]
    mov [ebx + 48], eax                ; outer SS
.same:
    mov eax, [RESUME]
    mov [esp + 16], eax
    and dword [esp + 24], ~{TF:#x}     ; no single-step trap after the return
    cmp dword [esp + 8], {SYSCALL:#x}
    jne .restore
    mov dword [esp + 20], {K_CODE:#x}  ; system call: on at RESUME in ring 0 (a same-level IRET)
    mov dword [esp + 24], 0x2
    add esp, 16
    iretd
.restore:
    pop eax
    mov gs, ax
    shr eax, 16
    mov fs, ax
    pop eax
    mov es, ax
    shr eax, 16
    mov ds, ax
    add esp, 8
    iretd

; Handlers of 16-bit gates (EAX = vector | 0x1600 from their stub): log the 16-bit frame, then go
; on at RESUME without a return (its 16-bit IP could not hold RESUME).
on_event16:
    mov bx, {K_DATA:#x}
    mov ds, bx
    mov ebx, [LOG_COUNT]
    inc dword [LOG_COUNT]
    and ebx, {LOG_N - 1}
    shl ebx, 6
    add ebx, {LOG_RECORDS:#x}
    mov [ebx], eax
    mov eax, [esp]
    mov [ebx + 8], eax                 ; IP, CS
    mov eax, [esp + 4]
    mov [ebx + 16], eax                ; FLAGS[, SP]
    mov eax, [esp + 8]
    mov [ebx + 44], eax                ; [SS]
    mov eax, ss
    mov [ebx + 28], eax
    mov [ebx + 32], esp
    mov eax, cs
    mov [ebx + 36], eax
    mov ax, {K_DATA:#x}
    mov es, ax
    mov ss, ax
    mov esp, KSTACK_TOP
    jmp [RESUME]

; With Scenario.dump, at the end: the log on COM1 (its count, then each record's 16 dwords in hex).
dump_log:
    mov eax, [LOG_COUNT]
    call put_hex
    call put_nl
    mov ecx, [LOG_COUNT]
    cmp ecx, {LOG_N}
    jbe .records
    mov ecx, {LOG_N}
.records:
    mov esi, {LOG_RECORDS:#x}
.record:
    jecxz .done
    push ecx
    mov ecx, 16
.dword:
    lodsd
    call put_hex
    mov al, ' '
    call put_ch
    loop .dword
    call put_nl
    pop ecx
    dec ecx
    jmp .record
.done:
    ret
put_hex:
    push ecx
    push edx
    mov edx, eax
    mov ecx, 8
.digit:
    rol edx, 4
    mov al, dl
    and al, 15
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 7
.out:
    call put_ch
    loop .digit
    pop edx
    pop ecx
    ret
put_nl:
    mov al, 10
put_ch:
    push edx
    mov dx, 0x3F8
    out dx, al
    pop edx
    ret

; IRQ 0 (with pic_timer): log the interrupted EIP and CS, EOI, back where it was.
irq0:
    push eax
    push ebx
    push ds
    mov ax, {K_DATA:#x}
    mov ds, ax
    mov ebx, [LOG_COUNT]
    inc dword [LOG_COUNT]
    and ebx, {LOG_N - 1}
    shl ebx, 6
    add ebx, {LOG_RECORDS:#x}
    mov dword [ebx], 0x20
    mov eax, [esp + 12]
    mov [ebx + 8], eax
    mov eax, [esp + 16]
    mov [ebx + 12], eax
    mov al, 0x20
    out 0x20, al
    pop ds
    pop ebx
    pop eax
    iretd
"""


def _stubs():
    lines = []
    for v in range(256):
        lines.append(f"stub_{v:02x}:")
        if v == 0x20:
            lines.append("    jmp irq0")
            continue
        if v not in ERROR_CODE_VECTORS:
            lines.append("    push 0")
        lines += [f"    push {v:#x}", "    jmp on_event"]
    return lines


def _copy(src, dst_gpa):
    return [f"    mov esi, {src}", f"    mov edi, {dst_gpa:#x}", f"    mov ecx, {src}_end - {src}", "    rep movsb"]


def _boot(scn):
    tss_base = scn.tss.base
    lines = ["boot:", "    cld"]
    lines += _copy("gdt_image", scn.gdt_gpa) + _copy("ldt_image", LDT_GPA) + _copy("tss_image", tss_base)
    lines += _copy("idt_image", IDT_GPA) + _copy("low16_image", LOW16_GPA)
    if scn.paging is not None:
        lines += _copy("pd_image", PD_GPA) + _copy("pt_image", PT_GPA)
    lines += ["    mov al, 0xFF", "    out 0x21, al", "    out 0xA1, al",     # QEMU's BIOS left IRQ 0 on
              f"    mov edi, {LOG_GPA:#x}", "    xor eax, eax", "    mov ecx, 0x400", "    rep stosd",
              "    lgdt [gdtr]", f"    jmp {K_CODE:#x}:.cs", ".cs:",
              f"    mov ax, {K_DATA:#x}", "    mov ds, ax", "    mov es, ax", "    mov fs, ax", "    mov gs, ax",
              "    mov ss, ax", "    mov esp, KSTACK_TOP", "    lidt [idtr]",
              f"    mov ax, {LDT_SEL:#x}", "    lldt ax", f"    mov ax, {TSS_SEL:#x}", "    ltr ax"]
    if scn.pic_timer:
        lines += ["    mov al, 0x11", "    out 0x20, al", "    mov al, 0x20", "    out 0x21, al",
                  "    mov al, 4", "    out 0x21, al", "    mov al, 1", "    out 0x21, al",
                  "    mov al, 0xFE", "    out 0x21, al",                       # IRQ 0 only
                  "    mov al, 0x34", "    out 0x43, al",                        # counter 0, mode 2
                  f"    mov al, {scn.pic_timer & 0xFF}", "    out 0x40, al",
                  f"    mov al, {scn.pic_timer >> 8}", "    out 0x40, al"]
    if scn.paging is not None:
        cr0 = 0x80000000 | (0x10000 if scn.wp else 0)
        lines += [f"    mov eax, {PD_GPA:#x}", "    mov cr3, eax", "    mov eax, cr0",
                  f"    or eax, {cr0:#x}", "    mov cr0, eax"]
    lines += ["    jmp op_0"]
    return lines


def _to_ring(n, ring):
    """Get to ring `ring` (0 or 3) from whichever ring the kernel is in, then RESUME := the end."""
    if ring == 0:
        body = [f"    jz op_{n}_r", f"    mov dword [RESUME], op_{n}_r", f"    int {SYSCALL:#x}"]
    else:
        body = [f"    jnz op_{n}_r", f"    mov ax, {K_DATA:#x}", "    mov ss, ax", "    mov esp, KSTACK_TOP - 64",
                f"    push {U_DATA:#x}", "    push USTACK_TOP", "    push 0x2", f"    push {U_CODE:#x}",
                f"    push op_{n}_r", f"    mov ax, {U_DATA:#x}", "    mov es, ax", "    mov fs, ax",
                "    mov gs, ax", "    iretd"]
    return ["    mov ax, cs", "    test al, 3", *body, f"op_{n}_r:", f"    mov dword [RESUME], op_{n + 1}"]


def _kernel_stack(esp):
    return [f"    mov ax, {K_DATA:#x}", "    mov ss, ax", f"    mov esp, {esp:#x}"]


def _pte_changes(ptes):
    """Right before an IRET (DS may be null by then: through SS, the flat ring-0 stack segment)."""
    lines = []
    for name, bits in ptes:
        page = SYSTEM_PAGES[name]
        lines += [f"    mov dword [ss:{PT_GPA + 4 * (page >> 12):#x}], {page | bits:#x}", f"    invlpg [ss:{page:#x}]"]
    return lines


def _op(n, op, scn):
    lines = [f"op_{n}:", f"    mov ax, {U_DATA:#x}", "    mov ds, ax", f"    mov dword [RESUME], op_{n + 1}"]
    k = op.kind
    if k in ("int", "div", "idiv"):
        lines += _to_ring(n, op.ring)
        if op.ring == 0:
            lines += _kernel_stack(op.esp)
        if k == "div":
            lines += ["    xor edx, edx", "    mov eax, 7", "    xor ecx, ecx", "    div ecx"]
        elif k == "idiv":
            lines += ["    mov eax, 0x80000000", "    cdq", "    mov ecx, -1", "    idiv ecx"]
        elif op.vector == 3 and op.arg:
            lines += ["    int3"]
        else:
            lines += [f"    int {op.vector:#x}"]
    elif k == "to_user":
        cs = U_CODE if op.cs is None else op.cs
        lines += _to_ring(n, 0) + _kernel_stack(op.frame_gpa + 20)
        based = cs & ~3 in (K_CODE_B & ~3, U_CODE_B & ~3)
        target = f"op_{n}_u - {CODE_BASE_B:#x}" if based else f"op_{n}_u"
        lines += [f"    push {op.ss:#x}", f"    push {op.esp3:#x}", f"    push {op.eflags:#x}",
                  f"    push {cs:#x}", f"    push {target}"]
        if op.nt:
            lines += ["    pushfd", f"    or dword [esp], {NT:#x}", "    popfd"]
        lines += [f"    mov ax, {op.data:#x}", "    mov es, ax", "    mov fs, ax", "    mov gs, ax",
                  "    mov ds, ax", *_pte_changes(op.ptes), "    iretd", f"op_{n}_u:"]
        if based:                    # RESUME is not an offset in this segment: straight back to ring 0
            lines += [f"    int {SYSCALL:#x}"]
        elif op.vector:
            lines += ["    sti"] * bool(op.arg) + [f"    int {op.vector:#x}"]
    elif k == "spin":
        lines += _to_ring(n, op.ring) + [f"    mov ecx, {op.arg}", f"op_{n}_l:", f"    loop op_{n}_l"]
    elif k == "touch":
        at = SYSTEM_PAGES[op.page] + 0xC00
        lines += _to_ring(n, op.ring)
        lines += [f"    mov dword [{at:#x}], {n:#x}" if op.arg else f"    mov eax, [{at:#x}]"]
    elif k == "iret0":
        cs = K_CODE if op.cs is None else op.cs
        lines += _to_ring(n, 0)
        based = cs & ~3 == K_CODE_B
        if based:
            lines += [f"    mov dword [RESUME], op_{n}_b - {CODE_BASE_B:#x}"]
        lines += _kernel_stack(op.frame_gpa + 12)
        target = f"op_{n}_k - {CODE_BASE_B:#x}" if based else f"op_{n}_k"
        lines += [f"    push {op.eflags:#x}", f"    push {cs:#x}", f"    push {target}"]
        lines += _pte_changes(op.ptes) + ["    iretd", f"op_{n}_k:"]
        if op.vector:
            lines += [f"    int {op.vector:#x}"]
        if based:
            lines += [f"op_{n}_b:", f"    jmp {K_CODE:#x}:op_{n + 1}"]
    else:
        lines += _to_ring(n, 0)
        if k == "tss":
            lines += [f"    mov dword [{scn.tss.base + 4:#x}], {op.esp0:#x}",
                      f"    mov word [{scn.tss.base + 8:#x}], {op.ss0:#x}"]
        elif k == "gate":
            lo, hi = _gate_expr(op.vector, op.gate)
            at = IDT_GPA + 8 * op.vector
            lines += [f"    mov dword [{at:#x}], {lo}", f"    mov dword [{at + 4:#x}], {hi}"]
        elif k == "pte":
            page = SYSTEM_PAGES[op.page]
            lines += [f"    mov dword [{PT_GPA + 4 * (page >> 12):#x}], {page | op.bits:#x}"]
            if op.arg:
                lines += ["    mov eax, cr3", "    mov cr3, eax"]
        elif k == "unaccess":
            lines += [f"    and byte [{scn.gdt_gpa + (op.cs & ~7) + 5:#x}], 0xFE"]
        elif k == "cr3":
            lines += ["    mov eax, cr3", "    mov cr3, eax"]
        else:
            raise ValueError(f"unknown op {k!r}")
    return lines


def source(scn):
    """The kernel's nasm source."""
    lines = [KERNEL_HEAD, *_stubs(), *_boot(scn)]
    for n, op in enumerate(scn.ops):
        lines += _op(n, op, scn)
    n = len(scn.ops)
    lines += [f"op_{n}:", f"    mov ax, {U_DATA:#x}", "    mov ds, ax", f"    mov dword [RESUME], op_{n}_h"]
    lines += _to_ring(n, 0)[:-1] + [f"    mov dword [RESUME], op_{n}_h"]
    if scn.dump:
        lines += _kernel_stack(KSTACK_TOP) + [f"    mov ax, {K_DATA:#x}", "    mov ds, ax", "    mov es, ax",
                                               "    call dump_log"]
    lines += ["    xor eax, eax", "    mov dx, 0xF4", "    out dx, al", f"op_{n}_h:", "    hlt",
              f"op_{n + 1}:", f"    jmp op_{n}_h"]
    lines += ["align 8", "gdtr:", f"    dw {8 * GDT_ENTRIES - 1}", f"    dd {scn.gdt_gpa:#x}",
              "idtr:", "    dw 0x7FF", f"    dd {IDT_GPA:#x}"]
    lines += _tables_data(scn)
    return "\n".join(lines) + "\n"


_assembled = {}


def assemble(text):
    if text not in _assembled:
        with tempfile.TemporaryDirectory() as tmp:
            src, out = pathlib.Path(tmp, "k.asm"), pathlib.Path(tmp, "k.bin")
            src.write_text(text)
            proc = subprocess.run(["nasm", "-f", "bin", "-o", str(out), str(src)], capture_output=True, text=True)
            if proc.returncode:
                raise RuntimeError(f"nasm: {proc.stderr[:2000]}")
            if len(_assembled) > 64:
                _assembled.clear()
            _assembled[text] = out.read_bytes()
    return _assembled[text]


def _page_table(scn):
    """Identity over the first 4 MiB; the system pages with the scenario's bits."""
    pt = [(i << 12) | P | RW | US | ACC | DIRTY for i in range(1024)]
    for name, bits in scn.paging:
        page = SYSTEM_PAGES[name]
        pt[page >> 12] = page | bits
    return pt


# ---- running ---------------------------------------------------------------------------------------

_STATE_FIELDS = [name for name, _ in CpuState._fields_ if name not in ("regs", "eip", "eflags", "cc_op", "cc_a",
                                                                      "cc_b", "cc_res", "tsc")]


def _field(cpu, name):
    value = getattr(cpu, name)
    if hasattr(value, "selector"):
        return (value.selector, value.base, value.limit, value.attrs)
    if hasattr(value, "__len__"):
        return tuple(_field_item(v) for v in value)
    return value


def _field_item(v):
    return (v.selector, v.base, v.limit, v.attrs) if hasattr(v, "selector") else v


@dataclass
class Ending:
    reason: str
    status: int
    message: str
    eip: int
    regs: tuple
    eflags: int
    state: dict                       # every other CpuState field
    ram: str
    log: tuple                        # the event log's records (vector, error, EIP, CS, EFLAGS, ...)
    ptes: dict                        # the system pages' PTEs at the end (with paging)
    serial: bytes = b""
    traceback: str = ""
    stats: dict = field(default_factory=dict)

    def key(self):
        return (self.reason, self.status, self.message, self.eip, self.regs, self.eflags,
                tuple(sorted(self.state.items())), self.ram, self.log, tuple(sorted(self.ptes.items())),
                self.serial)

    def differences(self, other, names=("a", "b")):
        out = []
        for name in ("reason", "status", "message", "eip", "eflags", "ram", "serial"):
            x, y = getattr(self, name), getattr(other, name)
            if x != y:
                out.append(f"  {name}: {names[0]} {_show(x)} / {names[1]} {_show(y)}")
        for i, (x, y) in enumerate(zip(self.regs, other.regs)):
            if x != y:
                out.append(f"  {REG_NAMES[i]}: {names[0]} {x:#x} / {names[1]} {y:#x}")
        for k in self.state:
            if self.state[k] != other.state.get(k):
                out.append(f"  {k}: {names[0]} {_show(self.state[k])} / {names[1]} {_show(other.state.get(k))}")
        for k in self.ptes:
            if self.ptes[k] != other.ptes.get(k):
                out.append(f"  PTE {k}: {names[0]} {self.ptes[k]:#x} / {names[1]} {other.ptes.get(k, 0):#x}")
        for i, (x, y) in enumerate(zip(self.log, other.log)):
            if x != y:
                out.append(f"  log[{i}]: {names[0]} {_show(x)} / {names[1]} {_show(y)}")
        return out


def _show(v):
    if isinstance(v, int):
        return f"{v:#x}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_show(x) for x in v) + ")"
    return repr(v)


def run(scn, engine, image=None):
    """Run the scenario's kernel on `engine` ("interp", "jit", "jit-hot", "diff") with --icount 0 guest time."""
    image = image if image is not None else assemble(source(scn))
    out = io.BytesIO()
    m = Machine(memory_size=RAM_SIZE, stdin=io.BytesIO(), stdout=out, icount=0)
    try:
        m.mem.write(IMAGE_GPA, image)
        w = m.state.w
        w[W_EIP] = IMAGE_GPA
        w[W_EFLAGS] = 0x2
        options = {"hot_threshold": 1} if engine == "jit-hot" else None     # every block in the hot tier
        result = m.run(engine="jit" if engine == "jit-hot" else engine, max_insns=scn.max_insns, timeout=120,
                       engine_options=options)
        cpu = m.state.cpu
        state = {name: _field(cpu, name) for name in _STATE_FIELDS}
        log = tuple(struct.unpack_from("<16I", m.mem.read(LOG_RECORDS + LOG_RECORD_SIZE * i, LOG_RECORD_SIZE))
                    for i in range(LOG_N))
        ptes = {}
        if scn.paging is not None:
            ptes = {name: struct.unpack("<I", m.mem.read(PT_GPA + 4 * (page >> 12), 4))[0]
                    for name, page in SYSTEM_PAGES.items()}
        stats = {}
        eng = m.engine
        if hasattr(eng, "stats") and hasattr(eng.stats, "callouts"):
            stats = dict(eng.stats.callouts)
        return Ending(result.reason, result.status, result.message, w[W_EIP], tuple(w[:8]), flags.materialize(w),
                      state, hashlib.sha1(m.mem.view).hexdigest(), log, ptes, out.getvalue(),
                      result.traceback or "", stats)
    finally:
        m.close()


def log_count(ending):
    """Events logged (from the run's RAM this is not kept; the records are): non-empty records."""
    return sum(1 for r in ending.log if any(r))
