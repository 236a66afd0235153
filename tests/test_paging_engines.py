"""Paging guests on the interpreter, the JIT and the lockstep `--diff` engine: CR3 switches, INVLPG,
user/supervisor switches (a CPL change flushes the JIT's shadow class), a store into a page table
through an alias, code patched through an alias, and the A/D bits after the JIT ran natively.

Each guest is a small kernel assembled with nasm at test time (GDT, TSS, IDT with a #PF handler and an
INT 0x80 gate back to ring 0, paging with CR0.WP and CR4.PSE) and a scenario that checks itself
against values derived by hand from the SDM; it writes 0 to the exit port when every check held, or the
number of the first failed check. Both engines must also end with the same registers and the same RAM
(page tables and their A/D bits included). Test-time only; not hot.
"""
import shutil
import struct
import subprocess

import pytest

from tests.fuzz import harness

pytestmark = pytest.mark.skipif(shutil.which("nasm") is None, reason="nasm is not installed")

PD, PT0, PT1, PD2, PT2 = 0x180000, 0x181000, 0x182000, 0x183000, 0x184000
A_GPA, B_GPA, C_GPA, D_GPA = 0x190000, 0x191000, 0x192000, 0x193000
E_GPA = 0x1A0000                     # eight frames for the A/D scenario
P, RW, US, ACC, DIRTY = 0x1, 0x2, 0x4, 0x20, 0x40

PRELUDE = f"""
bits 32
org 0x100000
%define PD {PD:#x}
%define PD2 {PD2:#x}
%define PT1 {PT1:#x}
%define IDT 0x185000
%define KSTACK 0x1F0000
%define USTACK 0x1E0000
%define A_GPA {A_GPA:#x}
%define B_GPA {B_GPA:#x}
; The kernel's variables, on a data page of their own: stores to them stay native on the JIT.
%define pf_cr2 0x1C0000
%define pf_err 0x1C0004
%define pf_count 0x1C0008
%define pf_resume 0x1C000C
%define sys_resume 0x1C0010
%define seen 0x1C0014

%macro CHECK 3                       ; operand, expected value, number of the check
    cmp %1, %2
    je %%ok
    mov al, %3
    jmp fail
%%ok:
%endmacro

%macro TO_USER 2                     ; user entry, kernel continuation after its INT 0x80
    mov dword [sys_resume], %2
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    push 0x23
    push USTACK
    push 0x2
    push 0x1B
    push %1
    iretd
%endmacro

start:
    lgdt [gdtr]
    jmp 0x08:.cs
.cs:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, KSTACK
    xor ebx, ebx
.gates:
    mov eax, unexpected
    mov edx, 0x8E00
    call set_gate
    inc ebx
    cmp ebx, 256
    jne .gates
    mov eax, pf_handler
    mov ebx, 14
    call set_gate
    mov eax, sys_handler
    mov ebx, 0x80
    mov edx, 0xEE00                   ; DPL 3: ring 3 may INT 0x80
    call set_gate
    lidt [idtr]
    mov ax, 0x28
    ltr ax
    mov eax, PD
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                      ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80010000                ; PG | WP
    mov cr0, eax
    jmp body

set_gate:                             ; eax handler, ebx vector, edx type word
    lea edi, [IDT + ebx * 8]
    mov [edi], ax
    mov word [edi + 2], 0x08
    mov [edi + 4], dx
    shr eax, 16
    mov [edi + 6], ax
    ret

pass:
    xor eax, eax
fail:                                 ; al: 0, or the number of the failed check
    mov dx, 0xF4
    out dx, al
    hlt

unexpected:
    mov al, 0xEE
    jmp fail

pf_handler:                           ; log the fault, run the fix (retry) or resume elsewhere
    push eax
    mov eax, cr2
    mov [pf_cr2], eax
    mov eax, [esp + 4]
    mov [pf_err], eax
    inc dword [pf_count]
    cmp dword [pf_count], 1000
    jb .go
    mov al, 0xEF
    jmp fail
.go:
    mov eax, [pf_resume]
    test eax, eax
    jz .retry
    mov [esp + 8], eax
    mov dword [pf_resume], 0
.retry:
    pop eax
    add esp, 4
    iretd

sys_handler:                          ; INT 0x80 from ring 3: back to the kernel at sys_resume
    add esp, 20
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    jmp [sys_resume]

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
    dq 0x00CFFA000000FFFF
    dq 0x00CFF2000000FFFF
TSS_ADDR equ tss - $$ + 0x100000
    dw 0x67, TSS_ADDR & 0xFFFF
    db (TSS_ADDR >> 16) & 0xFF, 0x89, 0, TSS_ADDR >> 24
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd gdt
idtr:
    dw 0x7FF
    dd IDT
align 4
tss:
    dd 0, KSTACK, 0x10
    times 23 dd 0
    dw 0, 0x68

body:
"""


def page_tables(pt1=(), pt2=()):
    """PD: the low 2 MiB identity-mapped (user, writable) and PDE 1 (0x400000) -> PT1; PD2 the same
    but PDE 1 -> PT2. `pt1`/`pt2`: (index, entry) pairs."""
    mem = {PT0: b"".join(struct.pack("<I", (i << 12) | P | RW | US) for i in range(512)),
           PD: struct.pack("<II", PT0 | P | RW | US, PT1 | P | RW | US),
           PD2: struct.pack("<II", PT0 | P | RW | US, PT2 | P | RW | US)}
    for base, entries in ((PT1, pt1), (PT2, pt2)):
        for index, entry in entries:
            mem[base + 4 * index] = struct.pack("<I", entry)
    return mem


_built = {}


def assemble(body, tmp_path_factory):
    if body not in _built:
        d = tmp_path_factory.mktemp("guest")
        (d / "g.asm").write_text(PRELUDE + body)
        proc = subprocess.run(["nasm", "-f", "bin", "-o", str(d / "g.bin"), str(d / "g.asm")],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        _built[body] = (d / "g.bin").read_bytes()
    return _built[body]


def run_everywhere(body, memory, tmp_path_factory, engines=("interp", "jit", "diff")):
    """Run the guest on each engine: each must pass its own checks, and all end in the same state."""
    case = harness.Case(assemble(body, tmp_path_factory), memory={**memory}, max_insns=3_000_000,
                        timeout=120.0, label="paging")
    outcomes = {}
    for engine in engines:
        out, result = harness.run_case(case, engine)
        assert (out.reason, out.status) == ("exit", 0), \
            f"{engine}: {out.reason} status {out.status:#x} {out.message}\n{result.traceback or ''}"
        outcomes[engine] = out
    first = outcomes[engines[0]]
    for engine, out in outcomes.items():
        assert out.key() == first.key(), f"{engines[0]} / {engine}:\n{harness.diff_text(first, out)}"
    return outcomes


def test_cr3_switch_flushes_the_shadow(tmp_path_factory):
    body = f"""
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, 0xAAAA0001, 1
    mov eax, PD2
    mov cr3, eax
    mov eax, [0x400000]
    CHECK eax, 0xBBBB0002, 2
    mov [0x400004], ecx               ; lands in B through PD2
    mov eax, PD
    mov cr3, eax
    mov eax, [0x400004]               ; A + 4 through PD: untouched
    CHECK eax, 0, 3
    dec ecx
    jnz .l
    CHECK dword [B_GPA + 4], 1, 4
    jmp pass
"""
    mem = page_tables(pt1=[(0, A_GPA | P | RW)], pt2=[(0, B_GPA | P | RW)])
    mem[A_GPA], mem[B_GPA] = struct.pack("<I", 0xAAAA0001), struct.pack("<I", 0xBBBB0002)
    run_everywhere(body, mem, tmp_path_factory)


def test_invlpg_after_pte_edit(tmp_path_factory):
    body = f"""
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, 0xAAAA0001, 1
    mov dword [PT1], B_GPA | 3        ; PTE 0 -> B (written through the identity mapping)
    invlpg [0x400000]
    mov eax, [0x400000]
    CHECK eax, 0xBBBB0002, 2
    CHECK dword [PT1], B_GPA | 0x23, 3    ; the walk set A (SDM 4.8)
    mov dword [PT1], A_GPA | 3
    invlpg [0x400000]
    dec ecx
    jnz .l
    jmp pass
"""
    mem = page_tables(pt1=[(0, A_GPA | P | RW)])
    mem[A_GPA], mem[B_GPA] = struct.pack("<I", 0xAAAA0001), struct.pack("<I", 0xBBBB0002)
    run_everywhere(body, mem, tmp_path_factory)


def test_store_into_a_page_table_through_an_alias_is_seen_at_once(tmp_path_factory):
    """0x403000 maps PT1's own frame. btvm's promise (design.md, "Shadow page table"; the brief of
    issue 4): such a store is seen by the next access on both engines, even without INVLPG."""
    body = f"""
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, 0xAAAA0001, 1
    mov dword [0x403000], B_GPA | 3   ; PT1[0] through the alias
    mov eax, [0x400000]
    CHECK eax, 0xBBBB0002, 2
    CHECK dword [0x403000], B_GPA | 0x23, 3
    mov dword [0x403000], A_GPA | 3
    dec ecx
    jnz .l
    jmp pass
"""
    mem = page_tables(pt1=[(0, A_GPA | P | RW), (3, PT1 | P | RW)])
    mem[A_GPA], mem[B_GPA] = struct.pack("<I", 0xAAAA0001), struct.pack("<I", 0xBBBB0002)
    run_everywhere(body, mem, tmp_path_factory)


def test_code_patched_through_an_alias(tmp_path_factory):
    """func's page is also mapped at 0x404000 (executed) and 0x405000 (written): a store through
    0x405000 changes what both the identity address and 0x404000 run (SDM Vol. 3, 11.6: the check is
    on the physical address)."""
    body = f"""
    mov ecx, 200
    mov ebx, 1000
.l: mov dword [0x405000 + (func - $$) % 4096 + 1], ebx
    call func
    CHECK eax, ebx, 1
    inc ebx
    mov dword [0x405000 + (func - $$) % 4096 + 1], ebx
    mov eax, 0x404000 + (func - $$) % 4096
    call eax
    CHECK eax, ebx, 2
    dec ecx
    jnz .l
    jmp pass
align 4096
func:
    mov eax, 0
    ret
"""
    image = assemble(body, tmp_path_factory)
    func_gpa = 0x100000 + len(image) - 6              # func is the image's last 6 bytes
    assert func_gpa % 4096 == 0 and image[-6:] == bytes.fromhex("b800000000c3")
    mem = page_tables(pt1=[(4, func_gpa | P), (5, func_gpa | P | RW)])
    run_everywhere(body, mem, tmp_path_factory)


def test_user_supervisor_switches(tmp_path_factory):
    """0x401000: supervisor read/write page; 0x402000: user read-only page. Faults per SDM 4.6/4.7:
    a user read of a supervisor page is #PF(U|P = 5), a user write to a read-only page #PF(U|W|P =
    7), a supervisor write to a read-only page with CR0.WP=1 #PF(W|P = 3). No page is read before the
    write that must fault in the same CPL period (see test_write_after_read_of_a_read_only_page)."""
    body = f"""
    mov esi, 30
.round:
    mov eax, [0x401000]               ; ring 0 reads both pages
    CHECK eax, 0xC0DE0003, 1
    mov dword [pf_resume], .k1
    mov dword [0x402000], 0           ; WP=1: read-only for ring 0 too
    mov al, 2
    jmp fail
.k1:
    CHECK dword [pf_err], 3, 3
    CHECK dword [pf_cr2], 0x402000, 4
    mov eax, [0x402000]
    CHECK eax, 0xDA7A0004, 5
    TO_USER user, .back
.back:
    CHECK dword [seen], 0xDA7A0004, 6
    mov eax, 3
    imul eax, esi
    neg eax
    add eax, 90 + 3
    CHECK dword [pf_count], eax, 7
    dec esi
    jnz .round
    jmp pass

user:
    mov dword [pf_resume], .u1
    mov dword [0x402000], 1           ; user write to a read-only page
    int3
.u1:
    CHECK dword [pf_err], 7, 8
    mov dword [pf_resume], .u2
    mov eax, [0x401000]               ; user read of a supervisor page
    int3
.u2:
    CHECK dword [pf_err], 5, 9
    CHECK dword [pf_cr2], 0x401000, 10
    mov eax, [0x402000]
    mov [seen], eax
    int 0x80
"""
    mem = page_tables(pt1=[(1, C_GPA | P | RW), (2, D_GPA | P | US)])
    mem[C_GPA], mem[D_GPA] = struct.pack("<I", 0xC0DE0003), struct.pack("<I", 0xDA7A0004)
    run_everywhere(body, mem, tmp_path_factory)


def test_accessed_and_dirty_bits_after_native_runs(tmp_path_factory):
    """PT1[8..15] map eight frames with A=D=0. The loop reads pages 8-10, writes 11-12, reads and
    writes 13, never touches 14-15; SDM 4.8: A on any access, D on a write, nothing else."""
    e = E_GPA
    body = f"""
    mov ecx, 500
.l: mov eax, [0x408000]
    add eax, [0x409010]
    add eax, [0x40A020]
    mov [0x40B000], ecx
    mov [0x40C008], eax
    add [0x40D000], ecx
    dec ecx
    jnz .l
""" + "".join(f"    CHECK dword [PT1 + 4 * {i}], {e + ((i - 8) << 12) | (P | RW | want):#x}, {i}\n"
              for i, want in ((8, ACC), (9, ACC), (10, ACC), (11, ACC | DIRTY), (12, ACC | DIRTY),
                              (13, ACC | DIRTY), (14, 0), (15, 0))) + f"""
    CHECK dword [PD + 4], PT1 | 0x27, 16
    CHECK dword [{e + (5 << 12):#x}], 125250, 17
    jmp pass
"""
    mem = page_tables(pt1=[(i, (e + ((i - 8) << 12)) | P | RW) for i in range(8, 16)])
    run_everywhere(body, mem, tmp_path_factory)


# Each writes three times after a read in the same block; the first access through PT1 (0x401000)
# lets the native walk use PT1 at once (it leaves unmarked table frames to the reference walk).
USER_RO_WRITE = """
    mov eax, [0x401000]
    TO_USER user, .back
.back:
    CHECK dword [pf_count], 3, 1
    CHECK dword [pf_err], 7, 2
    CHECK dword [0x1D0000], 0xDA7A0004, 3    ; the page's content unchanged (its identity alias)
    CHECK dword [PT1 + 8], 0x1D0000 | 0x25, 4   ; A set, D clear
    jmp pass
user:
    mov ecx, 3
.l: mov dword [pf_resume], .u1
    mov eax, [0x402000]               ; fills the user read entry
    mov dword [0x402000], 0x11111111  ; SDM 4.6: a user write to a read-only page faults
.u1:
    dec ecx
    jnz .l
    int 0x80
"""

SUPERVISOR_RO_WRITE = """
    mov eax, [0x401000]
    mov ecx, 3
.l: mov dword [pf_resume], .k1
    mov eax, [0x402000]
    mov dword [0x402000], 0x11111111  ; CR0.WP=1: a supervisor write to a read-only page faults
.k1:
    dec ecx
    jnz .l
    CHECK dword [pf_count], 3, 1
    CHECK dword [pf_err], 3, 2
    CHECK dword [0x1D0000], 0xDA7A0004, 3
    CHECK dword [PT1 + 8], 0x1D0000 | 0x25, 4
    jmp pass
"""


SUPERVISOR_RO_ADD = """
    mov eax, [0x401000]
    mov ecx, 3
.l: mov dword [pf_resume], .k1
    add dword [0x402000], 1           ; read-modify-write of a read-only page, never read before
.k1:
    dec ecx
    jnz .l
    CHECK dword [pf_count], 3, 1
    CHECK dword [pf_err], 3, 2
    CHECK dword [0x1D0000], 0xDA7A0004, 3
    jmp pass
"""
BODIES = {"user": USER_RO_WRITE, "supervisor": SUPERVISOR_RO_WRITE, "supervisor-rmw": SUPERVISOR_RO_ADD}


@pytest.mark.parametrize("engine", ["interp", "jit"])
@pytest.mark.parametrize("ring", sorted(BODIES))
def test_write_after_read_of_a_read_only_page(tmp_path_factory, engine, ring, request):
    """A read (or the read half of ADD [mem]) fills the JIT's read entry for a read-only page; the
    write must still fault (found by the paging fuzzer: tests.fuzz.worker paging 1000066).
    The page's frame is 0x1D0000 so the guest can check its content through the identity mapping."""
    mem = page_tables(pt1=[(1, C_GPA | P | RW), (2, 0x1D0000 | P | US)])
    mem[0x1D0000] = struct.pack("<I", 0xDA7A0004)
    run_everywhere(BODIES[ring], mem, tmp_path_factory, engines=(engine,))


def test_store_remapping_the_executing_page_engines_agree():
    """The code stores into its own page's PTE (frame 0x100000 -> 0x150000, whose bytes at the next
    instruction differ) and runs on. Without INVLPG the SDM (Vol. 3, 4.10.4.3) allows the old or the
    new mapping; btvm promises both engines the same one (Mmu.flush on a page-table store)."""
    pt = b"".join(struct.pack("<I", (i << 12) | P | RW | US) for i in range(1024))
    code = b"\xb8" + struct.pack("<I", PD) + b"\x0f\x22\xd8"                  # mov eax, PD; mov cr3, eax
    code += b"\x0f\x20\xc0\x0d\x00\x00\x00\x80\x0f\x22\xc0"                    # cr0 |= PG
    code += b"\xc7\x05" + struct.pack("<I", PT0 + 4 * 0x100) + struct.pack("<I", 0x150000 | P | RW)
    after = len(code)
    case = harness.Case(code + b"\xb8\x01\x00\x00\x00\xf4",                   # mov eax, 1; hlt
                        memory={PD: struct.pack("<I", PT0 | P | RW | US), PT0: pt,
                                0x150000 + after: b"\xb8\x02\x00\x00\x00\xf4"}, max_insns=100)
    ends = {e: harness.run_case(case, e)[0] for e in ("interp", "jit", "diff")}
    assert all(o.reason == "halt" and o.regs[0] in (1, 2) for o in ends.values())
    assert ends["interp"].key() == ends["jit"].key() == ends["diff"].key()


def test_accessed_bit_of_a_page_the_block_never_reached():
    """At 0x100FF0: a load faulting at once (PDE 2 not present; no IDT: triple fault), then NOPs
    running into 0x101000. Both engines must leave the same PTE for 0x101000 (the interpreter: A=0)."""
    pt = b"".join(struct.pack("<I", (i << 12) | P | RW | US) for i in range(1024))
    code = b"\xb8" + struct.pack("<I", PD) + b"\x0f\x22\xd8"                  # mov eax, PD; mov cr3, eax
    code += b"\x0f\x20\xc0\x0d\x00\x00\x00\x80\x0f\x22\xc0"                    # cr0 |= PG
    code += b"\xe9" + struct.pack("<i", 0x100FF0 - (0x100000 + len(code) + 5))  # jmp 0x100ff0
    memory = {PD: struct.pack("<I", PT0 | P | RW | US), PT0: pt,
              0x100FF0: b"\xa1\x00\x00\x80\x00" + b"\x90" * 15 + b"\xf4"}   # mov eax, [0x800000]; nops; hlt
    case = harness.Case(code, memory=memory, max_insns=1000)
    ends = {e: harness.run_case(case, e)[0] for e in ("interp", "jit")}
    assert all(o.reason == "shutdown" for o in ends.values())
    assert ends["interp"].key() == ends["jit"].key(), harness.diff_text(ends["interp"], ends["jit"])


def test_code_remapped_while_paging_is_off(tmp_path_factory):
    """0x404000 maps a frame whose code returns 1; with paging off the kernel points its PTE at a
    frame whose code returns 2, then turns paging back on: the same linear address now runs the new
    frame's code (the JIT must not keep the lookup entries of the paged mode from before)."""
    f1, f2 = C_GPA, D_GPA
    body = f"""
    mov ecx, 40
.l: mov eax, 0x404000
    call eax
    CHECK eax, 1, 1
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    mov dword [PT1 + 16], {f2 | P:#x}
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov eax, 0x404000
    call eax
    CHECK eax, 2, 2
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    mov dword [PT1 + 16], {f1 | P:#x}
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    dec ecx
    jnz .l
    jmp pass
"""
    mem = page_tables(pt1=[(4, f1 | P)])
    mem[f1], mem[f2] = bytes.fromhex("b801000000c3"), bytes.fromhex("b802000000c3")
    run_everywhere(body, mem, tmp_path_factory)


def test_an_instruction_into_the_next_page_is_fetched_only_when_it_runs(tmp_path_factory):
    """Fuzz seed paging_idt 6100102: an instruction that goes on into the next page sets that page's
    Accessed bit when it is fetched, so neither engine may fetch it ahead of running it (QEMU's
    translator also ends a block before such an instruction unless it is the block's first). Two
    page ends, each followed by a page nothing else touches: at the first, a taken JZ skips the
    crossing MOV (the JIT's block goes on past a conditional branch, and translates its fall-through
    in the same batch); at the second, a load faults first (the interpreter decodes its block ahead).
    The pages after them (identity map, A clear) must still have A clear."""
    body = """
    mov ecx, 20
.l: xor eax, eax
    call edge1
    mov dword [pf_resume], .resumed
    call edge2
.resumed:
    dec ecx
    jnz .l
    mov eax, edge1_next + 3           ; the imm32's last bytes: on the next page
    shr eax, 12
    test dword [0x181000 + eax * 4], 0x20
    jz .a1
    mov al, 1
    jmp fail
.a1:
    mov eax, edge2_next + 3
    shr eax, 12
    test dword [0x181000 + eax * 4], 0x20
    jz .a2
    mov al, 2
    jmp fail
.a2:
    jmp pass
back:
    ret

align 4096
    times 4096 - 16 db 0xCC
edge1:                                ; page offset 0xFF0
    test eax, eax
    jz near back                      ; taken: the MOV below never runs
    times 5 nop
    db 0xB8                           ; 0xFFD: MOV EAX, imm32 into the next page
edge1_next:
    dd 0x12345678
    align 4096, db 0xCC               ; the rest of edge1's next page, then a page for edge2
    times 4096 - 16 db 0xCC
edge2:                                ; page offset 0xFF0 again
    add esp, 4                        ; the #PF handler resumes at .resumed, not after the call
    mov ebx, [0x7FF000]               ; not mapped: #PF
    times 4 nop
    db 0xB8                           ; 0xFFD
edge2_next:
    dd 0x12345678
"""
    run_everywhere(body, page_tables(), tmp_path_factory)
