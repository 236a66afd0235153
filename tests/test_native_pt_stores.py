"""The JIT's native stores into page tables (bt/backend/pt_store_ir.py, bt/runtime/code_mappings.py)
against the interpreter: a guest store into a page directory or page table must make every cached
mapping it changes disappear at once, on both engines, without INVLPG (bt/runtime/paging.py: btvm
keeps every cached mapping coherent with the page tables).

Each guest is a small ring-0/ring-3 kernel (tests/test_paging_engines.py's PRELUDE: GDT, TSS, IDT
with a #PF handler that records CR2 and the error code, INT 0x80 back to ring 0) and a scenario that
checks itself against values derived by hand: every data frame holds `frame + 0x5A` in its first
dword (MARK), so a read through a linear page shows which frame it maps; error codes and A/D bits
follow the SDM (Vol. 3, 4.7 and 4.8). Each runs on the interpreter, the JIT (quick tier), the JIT
with every block in the hot tier, and lockstep --diff; each must pass its own checks and all must
end in the same state (registers, all of RAM: page tables with their A/D bits included). On the
JIT, each test also checks that the stores ran natively (JitContext.pt_stores counts them; the
Python mapping flushes they used to cost stay at the boot's three CR loads) or, where the design
says they must not (an entry mapping translated code, an overflowed fill log), that they did not.

Cases: a PTE remap without INVLPG; two PDEs sharing a page table; PDE stores (another table, P
or R/W cleared); a recursive mapping (PD[1023] -> PD); 4 MiB pages; stores covering two entries,
byte and word stores, read-modify-write instructions, string stores; the PTE of a code page; a
page-table frame that also holds data, a stack and code; user pages remapped by the kernel and a
user-writable page table written from ring 3; an interrupt frame pushed into a page table; the
fill log overflowed; and a hypothesis test over random small page tables (recursive ones too) and
random stores and accesses, #PF logged (CR2, error code). testcases/asm/ptcoherence.asm checks the
same kinds of stores against QEMU (with INVLPG, which the JIT runs as a no-op).
Test-time only; not hot.
"""
import io
import hashlib
import shutil
import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bt.backend.context import FILL_LOG_SIZE
from bt.runtime import flags
from bt.runtime.machine import Machine
from bt.runtime.state import REG_NAMES, W_EFLAGS, W_EIP
from tests.fuzz import harness
from tests.test_paging_engines import (A_GPA, B_GPA, C_GPA, D_GPA, PD, PRELUDE, PT1, PT2, P, RW, US,
                                       assemble, page_tables)

pytestmark = pytest.mark.skipif(shutil.which("nasm") is None, reason="nasm is not installed")

RAM_SIZE = 16 << 20                  # 4 MiB pages at 4 and 8 MiB, frames of the fill-log test
ENGINES = ("interp", "jit", "jit-hot", "diff")
PS, ACC, DIRTY = 0x80, 0x20, 0x40
F_GPA = 0x1A0000                     # F(n): sixteen more data frames
BOOT_FLUSHES = 3                     # PRELUDE loads CR3, CR4 and CR0: one mapping flush each
DEFINES = f"""
%define PT2 {PT2:#x}
%define C_GPA {C_GPA:#x}
%define D_GPA {D_GPA:#x}
%define F_GPA {F_GPA:#x}
%define MARK(frame) ((frame) + 0x5A)
"""


def F(n):
    return F_GPA + (n << 12)


def marks(*frames):
    """Memory blobs: each frame's first dword is MARK(frame)."""
    return {frame: struct.pack("<I", frame + 0x5A) for frame in frames}


def data_frames():
    return marks(A_GPA, B_GPA, C_GPA, D_GPA, *(F(n) for n in range(16)))


# ---- running ---------------------------------------------------------------------------------------

class Run:
    """One engine's run: the harness's Outcome and, on the JIT, what went native."""

    def __init__(self, outcome, result, jit):
        self.outcome, self.result = outcome, result
        self.pt_stores = self.flushes = self.slow_memory = self.adapted = None
        if jit is not None:
            self.pt_stores = jit.ctx.pt_stores
            self.flushes = jit.mmu.flushes
            self.slow_memory = jit.stats.slow_memory
            self.adapted = jit.stats.adapted

    def native(self):
        return (f"pt_stores {self.pt_stores}, mapping flushes {self.flushes}, slow exits {self.slow_memory}, "
                f"adapted {self.adapted}")


def run_engine(case, engine):
    """harness.run_case with a bigger RAM and the hot tier ("jit-hot": every block promoted at once),
    keeping the JIT's figures (the lockstep engine's own JIT for "diff")."""
    m = Machine(memory_size=RAM_SIZE, stdin=io.BytesIO(), stdout=io.BytesIO(), icount=0)
    try:
        for addr, data in case.memory.items():
            m.mem.write(addr, data)
        m.mem.write(harness.CODE_GPA, case.code)
        w = m.state.w
        w[REG_NAMES.index("esp")], w[W_EIP], w[W_EFLAGS] = harness.STACK_TOP, harness.CODE_GPA, 0x2
        writes = []
        harness._logging_io(m.io, writes)
        hot = engine == "jit-hot"
        result = m.run(engine="jit" if hot else engine, max_insns=case.max_insns, timeout=case.timeout,
                       engine_options={"hot_threshold": 1} if hot else None)
        reason = result.reason
        if reason == "limit":
            reason = "limit-time" if "time limit" in result.message else "limit-insns"
        out = harness.Outcome(reason, result.message, w[W_EIP], tuple(w[:8]), flags.materialize(w),
                              hashlib.sha1(m.mem.view).hexdigest(), b"", tuple(writes), result.status)
        jit = getattr(m.engine, "jit", m.engine)
        return Run(out, result, jit if hasattr(jit, "ctx") else None)
    finally:
        m.close()


def run_all(code, memory, engines=ENGINES, max_insns=3_000_000, must_pass=True):
    """Run on each engine; all must end the same way (and pass their checks if `must_pass`)."""
    case = harness.Case(code, memory=dict(memory), max_insns=max_insns, timeout=300.0, label="pt-stores")
    runs = {}
    for engine in engines:
        r = runs[engine] = run_engine(case, engine)
        o = r.outcome
        assert o.reason in harness.DETERMINISTIC, f"{engine}: {o.reason}: {o.message}\n{r.result.traceback or ''}"
        if must_pass:
            assert (o.reason, o.status) == ("exit", 0), \
                f"{engine}: {o.reason} status {o.status:#x} (the number of the failed check) {o.message}"
    first = runs[engines[0]].outcome
    for engine, r in runs.items():
        assert r.outcome.key() == first.key(), f"{engines[0]} / {engine}:\n{harness.diff_text(first, r.outcome)}"
    return runs


def check(body, memory, tmp_path_factory, **kw):
    return run_all(assemble(DEFINES + body, tmp_path_factory), memory, **kw)


def assert_native(runs, stores, flushes=BOOT_FLUSHES, slow=10):
    """On both JIT tiers: `stores` native page-table stores (the guest's, counted by hand), no more
    than `flushes` mapping flushes in Python (each store that leaves native code costs one), at most
    `slow` slow exits, no adaptive retranslation."""
    for engine in ("jit", "jit-hot"):
        r = runs[engine]
        assert r.pt_stores == stores and r.flushes <= flushes and r.slow_memory <= slow and r.adapted == 0, \
            f"{engine}: {r.native()}; wanted {stores} stores, <= {flushes} flushes, <= {slow} slow exits"


def pte(frame, bits=P | RW):
    return struct.pack("<I", frame | bits)


# ---- 1. a PTE remapping a data page ---------------------------------------------------------------

def test_pte_remap_without_invlpg(tmp_path_factory):
    """PT1[0] (0x400000) flips between frames A and B, no INVLPG: the next read and write go to the
    new frame on every engine; PT1[1] (frame C) is never remapped and stays as it was."""
    body = """
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 2
    mov dword [PT1], B_GPA | 3        ; PT1[0] -> B (through the identity mapping of PT1)
    mov eax, [0x400000]
    CHECK eax, MARK(B_GPA), 3
    mov [0x400004], ecx
    CHECK dword [B_GPA + 4], ecx, 4
    CHECK dword [PT1], B_GPA | 0x63, 5    ; the read set A, the write D (SDM 4.8)
    mov dword [PT1], A_GPA | 3
    mov [0x400008], ecx               ; a write first, then a read
    CHECK dword [A_GPA + 8], ecx, 6
    CHECK dword [B_GPA + 8], 0, 7
    mov eax, [0x400004]
    CHECK eax, 0, 8
    dec ecx
    jnz .l
    jmp pass
"""
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW), (1, C_GPA | P | RW)]), **data_frames()}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 600)


# ---- 2. two PDEs sharing a page table ------------------------------------------------------------

def test_pdes_sharing_a_table(tmp_path_factory):
    """PD[1] and PD[2] both point at PT1: 0x400000 and 0x800000 are one PTE. A store to it drops both
    linear pages, their read and their write entries."""
    body = """
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x800000]
    CHECK eax, MARK(A_GPA), 2
    mov [0x800010], ecx               ; write entries for both aliases
    mov [0x400014], ecx
    mov dword [PT1], B_GPA | 3
    mov eax, [0x800000]
    CHECK eax, MARK(B_GPA), 3
    mov eax, [0x400000]
    CHECK eax, MARK(B_GPA), 4
    mov [0x400018], ecx
    mov [0x80001C], ecx
    CHECK dword [B_GPA + 0x18], ecx, 5
    CHECK dword [B_GPA + 0x1C], ecx, 6
    mov dword [PT1], A_GPA | 3
    mov eax, [0x400010]
    CHECK eax, ecx, 7
    mov eax, [0x80001C]
    CHECK eax, 0, 8                   ; A + 0x1C: never written
    dec ecx
    jnz .l
    jmp pass
"""
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW)]), **data_frames(), PD + 8: pte(PT1, P | RW | US)}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 600)


# ---- 3. PDE stores -------------------------------------------------------------------------------

def test_pde_stores(tmp_path_factory):
    """PD[1] points at PT1 (pages 0-2: A, B, C), then at PT2 (D, F0, F1), then is not present (all
    three fault: #PF error 0, a supervisor read of a not-present page, or 2, a write), then PT1
    again; then its R/W bit is cleared (a write under it faults: error P|W = 3, CR0.WP) and set."""
    body = """
    mov ecx, 200
.l: mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x401000]
    CHECK eax, MARK(B_GPA), 2
    mov [0x402010], ecx
    mov dword [PD + 4], PT2 | 7       ; PDE 1 -> PT2
    mov eax, [0x400000]
    CHECK eax, MARK(D_GPA), 3
    mov eax, [0x401000]
    CHECK eax, MARK(F_GPA), 4
    mov [0x402014], ecx
    CHECK dword [F_GPA + 0x1014], ecx, 5
    CHECK dword [C_GPA + 0x14], 0, 6
    mov dword [PD + 4], PT2 | 6       ; P clear
    mov dword [pf_resume], .k1
    mov eax, [0x401008]
    mov al, 7
    jmp fail
.k1:
    CHECK dword [pf_err], 0, 8
    CHECK dword [pf_cr2], 0x401008, 9
    mov dword [pf_resume], .k2
    mov [0x402000], ecx
    mov al, 10
    jmp fail
.k2:
    CHECK dword [pf_err], 2, 11           ; a write
    mov dword [PD + 4], PT1 | 7
    mov eax, [0x402010]
    CHECK eax, ecx, 12
    and dword [PD + 4], ~2                ; R/W clear in the PDE: writes under it fault (CR0.WP)
    mov dword [pf_resume], .k3
    mov [0x402010], eax
    mov al, 13
    jmp fail
.k3:
    CHECK dword [pf_err], 3, 14
    or dword [PD + 4], 2
    mov [0x402018], ecx
    CHECK dword [C_GPA + 0x18], ecx, 15
    dec ecx
    jnz .l
    jmp pass
"""
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW), (1, B_GPA | P | RW), (2, C_GPA | P | RW)],
                         pt2=[(0, D_GPA | P | RW), (1, F(0) | P | RW), (2, F(1) | P | RW)]), **data_frames()}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 5 * 200)



def test_recursive_mapping(tmp_path_factory):
    """PD[1023] points at PD itself (the recursive mapping many kernels edit their tables through):
    0xFFC00000 + 4 * (la >> 12) is la's PTE and 0xFFFFF000 + 4 * (la >> 22) its PDE. PTE and PDE
    stores through that window, no INVLPG; the window's own page (its PTE is PD[1]) changes with
    PD[1] too; a store into PD[1023] through the page it maps makes that page read-only."""
    body = """
    mov ecx, 300
.l: mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov dword [0xFFC01000], B_GPA | 3     ; PT1[0]
    mov eax, [0x400000]
    CHECK eax, MARK(B_GPA), 2
    CHECK dword [PT1], B_GPA | 0x23, 3
    mov dword [0xFFC01000], A_GPA | 3
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 4
    mov dword [0xFFFFF004], PT2 | 7       ; PD[1] -> PT2
    mov eax, [0x400000]
    CHECK eax, MARK(D_GPA), 5
    mov eax, [0xFFC01000]                 ; PT2[0] now
    CHECK eax, D_GPA | 0x23, 6
    mov dword [0xFFFFF004], PT1 | 7
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 7
    mov dword [0xFFFFFFFC], PD | 1        ; PD[1023] through itself: the window turns read-only
    mov dword [pf_resume], .k1
    mov dword [0xFFFFF004], PT1 | 7
    mov al, 8
    jmp fail
.k1:
    CHECK dword [pf_err], 3, 9            ; a supervisor write to a read-only page (CR0.WP)
    CHECK dword [pf_cr2], 0xFFFFF004, 10
    mov dword [PD + 4 * 1023], PD | 3
    dec ecx
    jnz .l
    jmp pass
"""
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW), (1, C_GPA | P | RW)], pt2=[(0, D_GPA | P | RW)]),
           **data_frames(), PD + 4 * 1023: pte(PD)}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 6 * 300)

# ---- 4. 4 MiB pages ------------------------------------------------------------------------------

def test_large_page_pde_stores(tmp_path_factory):
    """CR4.PSE: PD[2] (0x800000) is a 4 MiB page at 4 MiB, PD[3] (0xC00000) the same 4 MiB frame and
    PD[4] (0x1000000) the one at 8 MiB. Stores to PD[2]: another 4 MiB frame (the first and last
    4 KiB pages of it change), P cleared by a byte AND, the frame changed by a word store, P set by a
    byte OR, a page table instead (PT2: pages 0 and 1023 -> D and A), then the 4 MiB page again."""
    body = """
    mov ecx, 200
.l: mov eax, [0x800000]
    CHECK eax, MARK(0x400000), 1
    mov eax, [0xBFF000]
    CHECK eax, MARK(0x7FF000), 2
    mov eax, [0xC00000]
    CHECK eax, MARK(0x400000), 3
    mov [0x800010], ecx
    mov dword [PD + 8], 0x800000 | 0x83   ; PD[2] -> the 4 MiB frame at 8 MiB
    mov eax, [0x800000]
    CHECK eax, MARK(0x800000), 4
    mov eax, [0xBFF000]
    CHECK eax, MARK(0xBFF000), 5
    mov eax, [0xC00000]                   ; PD[3] is unchanged
    CHECK eax, MARK(0x400000), 6
    mov [0x800014], ecx
    CHECK dword [0x1000014], ecx, 7
    CHECK dword [0xC00010], ecx, 8        ; the first write went to 0x400010
    CHECK dword [PD + 8], 0x800000 | 0xE3, 9    ; PS, D, A (SDM 4.8), RW, P
    and byte [PD + 8], 0xFE
    mov dword [pf_resume], .k1
    mov eax, [0xBFF004]
    mov al, 10
    jmp fail
.k1:
    CHECK dword [pf_err], 0, 11
    CHECK dword [pf_cr2], 0xBFF004, 12
    mov word [PD + 10], 0x0040            ; bits 31:16: the frame at 4 MiB, still not present
    or byte [PD + 8], 1
    CHECK dword [PD + 8], 0x400000 | 0xE3, 13
    mov eax, [0xBFF000]
    CHECK eax, MARK(0x7FF000), 14
    mov dword [PD + 8], PT2 | 3           ; a page table instead of the 4 MiB page
    mov eax, [0x800000]
    CHECK eax, MARK(D_GPA), 15
    mov eax, [0xBFF000]
    CHECK eax, MARK(A_GPA), 16
    mov dword [PD + 8], 0x400000 | 0x83
    dec ecx
    jnz .l
    jmp pass
"""
    mem = {**page_tables(pt2=[(0, D_GPA | P | RW), (1023, A_GPA | P | RW)]), **data_frames(),
           **marks(0x400000, 0x7FF000, 0x800000, 0xBFF000),
           PD + 8: pte(0x400000, PS | P | RW) + pte(0x400000, PS | P | RW) + pte(0x800000, PS | P | RW)}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 6 * 200)


# ---- 5. partial entries, widths, read-modify-write -----------------------------------------------

RMW_BODY = """
    mov ecx, 50
.l: mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 2
    ; a dword at PT1 + 2: bits 31:16 of PT1[0] (frame A -> F0) and bits 15:0 of PT1[1] (C -> D)
    mov dword [PT1 + 2], 0x3023001A
    CHECK dword [PT1], F_GPA | 0x23, 3
    CHECK dword [PT1 + 4], D_GPA | 0x23, 4
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA), 5
    mov eax, [0x401000]
    CHECK eax, MARK(D_GPA), 6
    ; a byte store clears P of PT1[1]; another sets it again
    mov byte [PT1 + 4], 0x22
    mov dword [pf_resume], .k1
    mov eax, [0x401004]
    mov al, 7
    jmp fail
.k1:
    CHECK dword [pf_err], 0, 8
    CHECK dword [pf_cr2], 0x401004, 9
    mov byte [PT1 + 4], 0x23
    mov eax, [0x401000]
    CHECK eax, MARK(D_GPA), 10
    ; a word store into bits 15:0 of PT1[0]: frame bits 15:12 (F0 -> F1)
    mov word [PT1], 0x1023
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x1000), 11
    ; read-modify-write: XOR, ADD and SUB move the frame
    xor dword [PT1], (F_GPA + 0x1000) ^ (F_GPA + 0x3000)
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x3000), 12
    add dword [PT1], 0x1000
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x4000), 13
    sub word [PT1], 0x2000
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x2000), 14
    ; AND clears RW (CR0.WP: a supervisor write faults, error P|W), OR sets it again
    mov [0x400010], ecx               ; a write entry first
    and dword [PT1], ~2
    mov dword [pf_resume], .k2
    mov [0x400014], ecx
    mov al, 15
    jmp fail
.k2:
    CHECK dword [pf_err], 3, 16
    CHECK dword [pf_cr2], 0x400014, 17
    or byte [PT1], 2
    mov [0x400014], ecx
    CHECK dword [F_GPA + 0x2014], ecx, 18
    and dword [PT1], ~0x60            ; clear A and D (dirty tracking): the next write sets both
    mov eax, [0x400014]
    CHECK dword [PT1], F_GPA + 0x2000 | 0x23, 28
    mov [0x400018], ecx
    CHECK dword [PT1], F_GPA + 0x2000 | 0x63, 29
    ; XCHG, BTR / BTS, CMPXCHG, XADD
    mov eax, B_GPA | 3
    xchg [PT1 + 4], eax
    CHECK eax, D_GPA | 0x23, 19
    mov eax, [0x401000]
    CHECK eax, MARK(B_GPA), 20
    btr dword [PT1 + 4], 0
    mov dword [pf_resume], .k3
    mov eax, [0x401000]
    mov al, 21
    jmp fail
.k3:
    CHECK dword [pf_err], 0, 22
    bts dword [PT1 + 4], 0
    mov eax, [0x401000]
    CHECK eax, MARK(B_GPA), 23
    mov eax, B_GPA | 0x23
    mov edx, C_GPA | 3
    lock cmpxchg [PT1 + 4], edx
    CHECK eax, B_GPA | 0x23, 24
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 25
    mov eax, 0x1000
    xadd [PT1 + 4], eax
    CHECK eax, C_GPA | 0x23, 26
    mov eax, [0x401000]
    CHECK eax, MARK(D_GPA), 27
    mov dword [PT1], A_GPA | 3
    mov dword [PT1 + 4], C_GPA | 3
    dec ecx
    jnz .l
    jmp pass
"""


def test_partial_entries_widths_and_rmw(tmp_path_factory):
    """Stores into parts of entries: a dword covering two entries, byte and word stores, XOR / ADD /
    SUB / AND / OR / XCHG / BTR / BTS / LOCK CMPXCHG / XADD on an entry, A and D cleared (the next
    read sets A, the next write D). Each checked by the frame the next read reaches, the entry's
    value or the #PF. All 17 stores of an iteration are native."""
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW), (1, C_GPA | P | RW)]), **data_frames()}
    runs = check(RMW_BODY, mem, tmp_path_factory)
    assert_native(runs, 17 * 50)


STRING_BODY = """
    mov ecx, 50
.l: mov dword [PT1], A_GPA | 3
    mov dword [PT1 + 4], C_GPA | 3
    mov eax, [0x400000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x401000]
    CHECK eax, MARK(C_GPA), 2
    mov edi, PT1                      ; REP STOSD: both entries -> F5
    mov eax, F_GPA + 0x5000 | 3
    push ecx
    mov ecx, 2
    rep stosd
    pop ecx
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x5000), 3
    mov eax, [0x401000]
    CHECK eax, MARK(F_GPA + 0x5000), 4
    mov esi, PT1 + 8                  ; MOVSD: PT1[0] := PT1[2] (-> F6)
    mov edi, PT1
    movsd
    mov eax, [0x400000]
    CHECK eax, MARK(F_GPA + 0x6000), 5
    mov eax, [0x7FF000]
    CHECK eax, MARK(A_GPA), 6
    mov dword [PT1 + 0xFFE], 0xABCD001A   ; bits 31:16 of PT1[1023] (A -> F0) and 15:0 of PD2[0]
    mov eax, [0x7FF000]
    CHECK eax, MARK(F_GPA), 7
    mov dword [PT1 + 0xFFC], A_GPA | 3
    dec ecx
    jnz .l
    jmp pass
"""


def test_string_and_page_crossing_stores(tmp_path_factory):
    """REP STOSD over two entries, MOVSD copying an entry, a dword across the end of the table (its
    high half in the next frame): the same checks. These leave native code today (their memory
    accesses have no helper that calls bt_pt_store): only the result is checked, and that the
    plain stores of the loop stay native."""
    mem = {**page_tables(pt1=[(2, F(6) | P | RW), (1023, A_GPA | P | RW)]), **data_frames()}
    runs = check(STRING_BODY, mem, tmp_path_factory)
    for engine in ("jit", "jit-hot"):
        assert runs[engine].pt_stores >= 2 * 50, runs[engine].native()


# ---- 6. the PTE of a code page ------------------------------------------------------------------

CODE1, CODE2, SELF1, SELF2 = 0x1B0000, 0x1B1000, 0x1B2000, 0x1B3000
RET_1, RET_2 = b"\xb8\x01\x00\x00\x00\xc3", b"\xb8\x02\x00\x00\x00\xc3"      # mov eax, 1 / 2; ret


def test_code_page_pte(tmp_path_factory):
    """0x405000 (PT1[5]) runs `mov eax, 1; ret` from CODE1; its PTE is pointed at CODE2 (`mov eax,
    2; ret`) and the next call must run CODE2's code. 0x406000 (PT1[6], SELF1) stores into its own
    PTE (-> SELF2) and runs on: the next instruction comes through the new mapping (btvm's promise,
    bt/runtime/paging.py; the SDM would also allow the old one without INVLPG), where SELF2 holds
    `mov eax, 2`. A data page of the same table (PT1[7]) is remapped in the same loop. The store
    putting CODE1 back covers the unused PT1[4]'s high half and PT1[5]'s low half.
    Entries mapping translated code are the native path's to decline (bt/runtime/code_mappings.py):
    the 200 stores into PT1[7] are native, the 300 into the code pages' entries leave native code
    but for a few early ones (the JIT's interpreter ran the code they remap: no translation maps it
    yet)."""
    body = """
    mov ecx, 100
.l: call 0x405000
    CHECK eax, 1, 1
    mov eax, [0x407000]
    CHECK eax, MARK(A_GPA), 2
    mov dword [PT1 + 4 * 5], CODE2 | 1
    mov dword [PT1 + 4 * 7], B_GPA | 3
    call 0x405000
    CHECK eax, 2, 3
    mov eax, [0x407000]
    CHECK eax, MARK(B_GPA), 4
    mov dword [PT1 + 4 * 4 + 2], ((CODE1 | 1) & 0xFFFF) << 16   ; PT1[5] bits 15:0: CODE2 -> CODE1
    mov dword [PT1 + 4 * 7], A_GPA | 3
    call 0x406000
    CHECK eax, 2, 5
    mov dword [PT1 + 4 * 6], SELF1 | 1
    dec ecx
    jnz .l
    jmp pass
"""
    defines = f"%define CODE1 {CODE1:#x}\n%define CODE2 {CODE2:#x}\n%define SELF1 {SELF1:#x}\n"
    remap_self = b"\xc7\x05" + struct.pack("<II", PT1 + 4 * 6, SELF2 | P)      # mov dword [PT1 + 24], SELF2 | 1
    mem = {**page_tables(pt1=[(5, CODE1 | P), (6, SELF1 | P), (7, A_GPA | P | RW)]), **data_frames(),
           CODE1: RET_1, CODE2: RET_2, SELF1: remap_self + RET_1, SELF2 + len(remap_self): RET_2}
    runs = check(defines + body, mem, tmp_path_factory)
    for engine in ("jit", "jit-hot"):
        r = runs[engine]
        assert 200 <= r.pt_stores <= 230 and r.flushes >= BOOT_FLUSHES + 270, r.native()


# ---- 7. a page-table frame that also holds code and data ----------------------------------------

def test_table_frame_holding_code_and_data(tmp_path_factory):
    """PT1's frame: entries 0-4 map pages; a function `mov eax, [0x400000]; ret` at +0x800 and
    `mov eax, [0x404000]; ret` at +0x14 (in the same 16-byte granule as entry 4, at +0x10), a counter
    at +0xF00. The stack is in the page directory's upper half (a call's push lands in PD[1023]).
    Remapping PT1[0] natively while the frame's code runs; PT1[4] shares a granule with code, so
    its stores are code writes too (they leave native code), and the walks that set A bits in the
    frame go to the reference walk (the native walk sets none in a frame holding code)."""
    body = """
    mov ecx, 100
.l: call PT1 + 0x800
    CHECK eax, MARK(A_GPA), 1
    call PT1 + 0x14
    CHECK eax, MARK(C_GPA), 2
    inc dword [PT1 + 0xF00]
    mov dword [PT1], B_GPA | 3
    mov dword [PT1 + 0x10], D_GPA | 3
    mov esp, PD + 0x1000               ; a call with the stack in the page directory
    call PT1 + 0x800
.back:
    mov esp, KSTACK
    CHECK eax, MARK(B_GPA), 3
    CHECK dword [PD + 0xFFC], .back, 4
    call PT1 + 0x14
    CHECK eax, MARK(D_GPA), 5
    mov dword [PT1], A_GPA | 3
    mov dword [PT1 + 0x10], C_GPA | 3
    dec ecx
    jnz .l
    CHECK dword [PT1 + 0xF00], 100, 6
    jmp pass
"""
    load_0 = b"\xa1" + struct.pack("<I", 0x400000) + b"\xc3"                  # mov eax, [0x400000]; ret
    load_4 = b"\xa1" + struct.pack("<I", 0x404000) + b"\xc3"
    mem = {**page_tables(pt1=[(0, A_GPA | P | RW), (4, C_GPA | P | RW)]), **data_frames()}
    mem[PT1 + 0x800], mem[PT1 + 0x14] = load_0, load_4
    runs = check(body, mem, tmp_path_factory)
    # Native: the counter, the two stores into PT1[0] and the call's push into PD[1023] (the first
    # few pushes ran in the JIT's interpreter after the PT1[4] stores' slow exits).
    for engine in ("jit", "jit-hot"):
        assert runs[engine].pt_stores >= 390, runs[engine].native()


# ---- 8. user pages -------------------------------------------------------------------------------

def test_user_pages_remapped_by_the_kernel_and_from_ring_3(tmp_path_factory):
    """0x403000 (PT1[3]) is a user page, cached in the user shadow pair by ring 3's reads. The kernel
    (ring 0, after INT 0x80) remaps it, then makes it supervisor-only (ring 3's read faults: #PF
    error U|P = 5, SDM 4.7); ring 3 itself remaps it through 0x404000, a user-writable alias of
    PT1 (PT1[4] maps PT1's own frame)."""
    body = """
    mov esi, 100
.round:
    TO_USER user_read, .b1
.b1:
    CHECK dword [seen], MARK(A_GPA), 1
    mov dword [PT1 + 12], B_GPA | 7   ; ring 0 remaps the user page
    TO_USER user_read, .b2
.b2:
    CHECK dword [seen], MARK(B_GPA), 2
    TO_USER user_remap, .b3
.b3:
    CHECK dword [seen], MARK(C_GPA), 3
    CHECK dword [PT1 + 12], C_GPA | 0x67, 4     ; ring 3's write set D
    mov dword [PT1 + 12], A_GPA | 3   ; supervisor only
    mov dword [pf_count], 0
    TO_USER user_fault, .b4
.b4:
    CHECK dword [pf_count], 1, 5
    CHECK dword [pf_err], 5, 6
    CHECK dword [pf_cr2], 0x403008, 7
    mov dword [PT1 + 12], A_GPA | 7
    dec esi
    jnz .round
    jmp pass

user_read:
    mov eax, [0x403000]
    mov [seen], eax
    int 0x80
user_remap:
    mov eax, [0x403000]               ; B, cached in the user pair
    mov [0x403010], eax               ; a user write entry too
    mov dword [0x404000 + 12], C_GPA | 7    ; PT1[3] -> C, from ring 3
    mov [0x403014], eax
    mov eax, [0x403000]
    mov [seen], eax
    mov eax, [0x403014]
    cmp eax, [B_GPA]
    jne .bad
    cmp dword [B_GPA + 0x14], 0
    jne .bad
    int 0x80
.bad:
    mov dword [seen], 0
    int 0x80
user_fault:
    mov dword [pf_resume], .u
    mov eax, [0x403008]
    mov dword [seen], 0
.u: int 0x80
"""
    mem = {**page_tables(pt1=[(3, A_GPA | P | RW | US), (4, PT1 | P | RW | US)]), **data_frames()}
    runs = check(body, mem, tmp_path_factory)
    assert_native(runs, 4 * 100)



def test_interrupt_frame_pushed_into_a_page_table(tmp_path_factory):
    """The TSS's ring-0 stack top is the end of PT1, so INT 0x80 from ring 3 pushes SS, ESP, EFLAGS,
    CS and EIP into PT1[1023..1019] (SDM Vol. 3, 6.12.1): 0x7FF000 (SS = 0x23: P, R/W, A, frame 0)
    and 0x7FC000 (CS = 0x1B: P, R/W, frame 0) now map frame 0, which ring 0 had read as frames A
    and B just before; 0x7FE000 (ESP = 0x1E0000) is not present. The native delivery cannot
    write a frame holding page tables (delivery_ir.py: it needs a write entry) and leaves it to
    the interpreter."""
    body = """
    mov esi, 50
.round:
    mov dword [PT1 + 4 * 1023], A_GPA | 3
    mov dword [PT1 + 4 * 1022], C_GPA | 3
    mov dword [PT1 + 4 * 1020], B_GPA | 3
    mov eax, [0x7FF000]
    CHECK eax, MARK(A_GPA), 1
    mov eax, [0x7FE000]
    CHECK eax, MARK(C_GPA), 2
    mov eax, [0x7FC000]
    CHECK eax, MARK(B_GPA), 3
    mov dword [tss + 4], PT1 + 0x1000
    TO_USER user, .back
.back:
    mov esp, KSTACK
    mov dword [tss + 4], KSTACK
    CHECK dword [PT1 + 4 * 1023], 0x23, 4
    CHECK dword [PT1 + 4 * 1019], user.ret, 5
    mov eax, [0x7FF000]
    CHECK eax, 0x5A, 6
    mov eax, [0x7FC000]
    CHECK eax, 0x5A, 7
    mov dword [pf_count], 0
    mov dword [pf_resume], .k1
    mov eax, [0x7FE000]
    mov al, 8
    jmp fail
.k1:
    CHECK dword [pf_err], 0, 9
    dec esi
    jnz .round
    jmp pass
user:
    int 0x80
.ret:
"""
    mem = {**page_tables(), **data_frames(), 0: struct.pack("<I", 0x5A)}
    check(body, mem, tmp_path_factory)

# ---- 9. the fill log overflowed ------------------------------------------------------------------

PT3, NEW_FRAME = 0x186000, 0x240000
ALIASES = 6                          # PD[4..9] all point at PT3: 6 x 1024 linear pages


def test_store_after_the_fill_log_overflowed(tmp_path_factory):
    """6,144 distinct linear pages are read (PD[4..9] share PT3, whose entry i maps frame
    0x200000 + (i % 64) pages): more than the FILL_LOG_SIZE the native path can scan. A store into
    PT3[5] must still reach all six linear pages that use it: it leaves native code (Python
    flushes everything), which empties the log, so the store that puts it back runs natively."""
    assert ALIASES * 1024 > FILL_LOG_SIZE
    total = sum(0x200000 + ((j % 1024) % 64 << 12) + 0x5A for j in range(ALIASES * 1024)) & 0xFFFFFFFF
    reads = "".join(f"    mov eax, [{0x1000000 + k * 0x400000 + 0x5000:#x}]\n    CHECK eax, MARK(%1), %2\n"
                    for k in range(ALIASES))
    body = f"""
%define PT3 {PT3:#x}
%macro READ_ALIASES 2
{reads}%endmacro
    mov edi, 2
.round:
    mov esi, 0x1000000
    xor ebx, ebx
.t: add ebx, [esi]
    add esi, 0x1000
    cmp esi, {0x1000000 + ALIASES * 0x400000:#x}
    jne .t
    CHECK ebx, {total:#x}, 1
    mov dword [PT3 + 4 * 5], {NEW_FRAME:#x} | 3
    READ_ALIASES {NEW_FRAME:#x}, 2
    mov eax, [0x1006000]
    CHECK eax, MARK(0x206000), 3
    mov dword [PT3 + 4 * 5], 0x205000 | 3
    READ_ALIASES 0x205000, 4
    dec edi
    jnz .round
    jmp pass
"""
    mem = {**page_tables(), **marks(NEW_FRAME, *(0x200000 + (k << 12) for k in range(64))),
           PD + 16: pte(PT3, P | RW) * ALIASES,
           PT3: b"".join(pte(0x200000 + ((i % 64) << 12)) for i in range(1024))}
    runs = check(body, mem, tmp_path_factory)
    # Per round: the first store leaves native code (one flush), the second is native.
    assert_native(runs, 2, flushes=BOOT_FLUSHES + 2)


# ---- 10. random page tables, random stores and accesses (hypothesis) -----------------------------

LOG, RESULTS, LOG_N = 0x1C1000, 0x1C2000, 256
RANDOM_FRAMES = tuple(F(n) for n in range(8)) + (PT1, PT2, 0x1000000)     # data, tables, beyond RAM
LARGE_FRAMES = (0x400000, 0x800000, 0x1000000)
ENTRY_BITS = (P | RW | US, P | RW | US, P | US, P | RW, P | RW | US | ACC | DIRTY, P, 0, RW | US)
TARGETS = tuple(PD + 4 * d for d in (1, 2, 3)) + tuple(t + 4 * i for t in (PT1, PT2) for i in range(4))
PAGES = tuple((d << 22) | (t << 12) for d in (1, 2, 3) for t in range(4))     # the linear pages used
PASSES = 3

ptes = st.builds(lambda frame, bits: frame | bits, st.sampled_from(RANDOM_FRAMES), st.sampled_from(ENTRY_BITS))
pdes = st.one_of(st.builds(lambda table, bits: table | bits, st.sampled_from((PT1, PT2, PT1, PT2, PD)),
                           st.sampled_from(ENTRY_BITS)),                   # PD: a recursive mapping
                 st.builds(lambda frame, bits: frame | bits | PS, st.sampled_from(LARGE_FRAMES),
                           st.sampled_from(ENTRY_BITS)))
values = st.one_of(ptes, ptes, pdes, st.integers(0, 0xFFFFFFFF))
linear = st.builds(lambda page, off: page | off, st.sampled_from(PAGES), st.sampled_from((0, 4, 0x10, 0xFFE)))
widths = st.sampled_from((1, 2, 4))
stores = st.one_of(
    st.tuples(st.just("store"), st.sampled_from(TARGETS), st.integers(0, 3), widths, values),
    st.tuples(st.just("store"), st.sampled_from(TARGETS), st.sampled_from((0, 2)), st.just(4), values),
    st.tuples(st.just("rmw"), st.sampled_from(TARGETS), st.integers(0, 3), widths,
              st.sampled_from(("or", "and", "xor", "add")), values),
    st.tuples(st.just("xchg"), st.sampled_from(TARGETS), values),
    st.tuples(st.just("bit"), st.sampled_from(TARGETS), st.sampled_from(("btr", "bts")), st.integers(0, 31)),
)
accesses = st.one_of(
    st.tuples(st.just("touch"), st.sampled_from((0, 0, 3))),        # read every page: all cached
    st.tuples(st.just("touch"), st.sampled_from((0, 0, 3))),
    st.tuples(st.just("touch"), st.sampled_from((0, 0, 3))),
    st.tuples(st.just("read"), linear, widths),
    st.tuples(st.just("write"), linear, widths, values),
    st.tuples(st.just("add"), linear),
    st.tuples(st.just("user"), linear, widths, st.booleans()),      # from ring 3: the user shadow pair
    st.tuples(st.just("invlpg"), linear),
)
# Mostly stores into the tables and accesses, one time in fifty a CR3 load.
ops = st.integers(0, 49).flatmap(lambda k: stores if k < 24 else accesses if k else st.just(("cr3",)))

SIZE = {1: "byte", 2: "word", 4: "dword"}
REG = {1: "al", 2: "ax", 4: "eax"}


def _op_lines(n, op):
    kind = op[0]
    if kind == "touch":                 # from ring 0, or ring 3 (then INT 0x80 goes on)
        lines = [f"    TO_USER op_{n}_u, op_{n + 1}", f"op_{n}_u:"] if op[1] == 3 else []
        for k, page in enumerate(PAGES):
            lines += [f"    mov dword [pf_resume], op_{n}_{k}", "    xor eax, eax", f"    mov eax, [{page:#x}]",
                      f"op_{n}_{k}:", f"    mov [{RESULTS + 0x400 + 4 * (len(PAGES) * n + k):#x}], eax"]
        return lines + ["    int 0x80"] * (op[1] == 3)
    if kind == "store":
        _, gpa, off, width, value = op
        return [f"    mov {SIZE[width]} [{gpa + off:#x}], {value & ((1 << 8 * width) - 1):#x}"]
    if kind == "rmw":
        _, gpa, off, width, how, value = op
        return [f"    {how} {SIZE[width]} [{gpa + off:#x}], {value & ((1 << 8 * width) - 1):#x}"]
    if kind == "xchg":
        return [f"    mov eax, {op[2]:#x}", f"    xchg [{op[1]:#x}], eax", f"    mov [{RESULTS + 4 * n:#x}], eax"]
    if kind == "bit":
        return [f"    {op[2]} dword [{op[1]:#x}], {op[3]}"]
    if kind == "read":
        _, la, width = op
        return ["    xor eax, eax", f"    mov {REG[width]}, [{la:#x}]", f"    mov [{RESULTS + 4 * n:#x}], eax"]
    if kind == "write":
        _, la, width, value = op
        return [f"    mov {SIZE[width]} [{la:#x}], {value & ((1 << 8 * width) - 1):#x}"]
    if kind == "add":
        return [f"    add dword [{op[1]:#x}], {n + 1}"]
    if kind == "invlpg":                # a no-op on the JIT (bt/backend/lower_paging_control.py)
        return [f"    invlpg [{op[1]:#x}]"]
    if kind == "user":                  # a #PF resumes at op_N_r in ring 3, INT 0x80 goes on
        _, la, width, write = op
        access = ([f"    mov {SIZE[width]} [{la:#x}], {n + 1}"] if write else
                  [f"    mov {REG[width]}, [{la:#x}]", f"    mov [{RESULTS + 4 * n:#x}], eax"])
        return [f"    mov dword [pf_resume], op_{n}_r", f"    TO_USER op_{n}_u, op_{n + 1}", f"op_{n}_u:",
                "    xor eax, eax", *access, f"op_{n}_r:", "    int 0x80"]
    return ["    mov eax, cr3", "    mov cr3, eax"]


def random_guest(pdes_, pt1, pt2, program):
    """Body and memory: PD[1..3] = pdes_, PT1[0..3] = pt1, PT2[0..3] = pt2; the program runs PASSES
    times, each operation (in ring 0, or an access from ring 3) resuming at the next when it
    faults; the #PF handler logs CR2 and the error code (LOG) and counts them."""
    lines = ["    mov eax, log_pf", "    mov ebx, 14", "    mov edx, 0x8E00", "    call set_gate",
             f"    mov ebp, {PASSES}", "pass_start:"]
    for n, op in enumerate(program):
        lines += [f"op_{n}:", f"    mov dword [pf_resume], op_{n + 1}", *_op_lines(n, op), f"    jmp op_{n + 1}"]
    lines += [f"op_{len(program)}:", "    dec ebp", "    jnz pass_start", "    jmp pass", f"""
log_pf:
    push eax
    push ebx
    mov ebx, [pf_count]
    cmp ebx, {LOG_N}
    jae .full
    mov eax, cr2
    mov [{LOG:#x} + ebx * 8], eax
    mov eax, [esp + 8]
    mov [{LOG:#x} + ebx * 8 + 4], eax
.full:
    inc dword [pf_count]
    mov eax, [pf_resume]
    mov [esp + 12], eax
    pop ebx
    pop eax
    add esp, 4
    iretd
"""]
    mem = {**page_tables(pt1=list(enumerate(pt1)), pt2=list(enumerate(pt2))), **data_frames(),
           **marks(*(base + (k << 12) for base in LARGE_FRAMES[:2] for k in range(8))),
           PD + 4: b"".join(struct.pack("<I", e) for e in pdes_)}
    return "\n".join(lines) + "\n", mem


def random_check(pdes_, pt1, pt2, program, tmp_path_factory):
    body, mem = random_guest(pdes_, pt1, pt2, program)
    runs = check(body, mem, tmp_path_factory, max_insns=200_000, must_pass=False)
    if (runs["interp"].outcome.reason, runs["interp"].outcome.status) != ("exit", 0):
        return            # a random entry made kernel memory a page table or mapped it: rare
    if any(op[0] == "cr3" for op in program):
        return            # a CR3 load unmarks the table frames: the next walk of each is Python's
    # Each operation is a block of its own: from the second pass on, the JIT's interpreter, which
    # runs what follows a slow exit up to the next translation, stops at the next operation. So
    # every store into PD[1..3] (never a code entry; the fill log never overflows) on those passes
    # is native, whatever the other operations do.
    into_pd = sum(1 for op in program if op[0] in ("store", "rmw", "xchg", "bit") and op[1] < PD + 16)
    for engine in ("jit", "jit-hot"):
        assert runs[engine].pt_stores >= (PASSES - 1) * into_pd, runs[engine].native()


tables = st.lists(ptes, min_size=4, max_size=4)
programs = st.lists(ops, min_size=4, max_size=24)
scenarios = st.tuples(st.lists(pdes, min_size=3, max_size=3), tables, tables, programs)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=20, **SETTINGS)
@given(scenario=scenarios)
def test_random_stores_and_accesses(tmp_path_factory, scenario):
    random_check(*scenario, tmp_path_factory)


@pytest.mark.slow
@settings(max_examples=400, **SETTINGS)
@given(scenario=scenarios)
def test_random_stores_and_accesses_many(tmp_path_factory, scenario):
    random_check(*scenario, tmp_path_factory)
