"""The native page walk (bt_fill, bt/backend/page_walk_ir.py) against the reference walk (Mmu.walk in
bt/runtime/paging.py), and both against hand-derived SDM cases (Vol. 3, 4.3, 4.6, 4.7, 4.8).

bt_fill is called directly through ctypes with the JitContext of a Jit on a small bare machine; the
reference walk runs on a second machine holding an identical copy of memory. Random page directories
and tables (present/RW/US/A/D/PS bits, frames inside and beyond RAM), CR0.WP, CR4.PSE, CPL and the
access kind come from hypothesis. Test-time only; not hot.
"""
import ctypes
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from bt.backend.page_walk_ir import FILL_WATCHED
from bt.backend.runtime_ir import runtime_addresses
from bt.runtime.events import PF, GuestFault
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.paging import FRAME_CODE, FRAME_PAGE_TABLE
from bt.runtime.state import CR0_ET, CR0_PE, CR0_PG, CR0_WP, CR4_PSE
from cpu_harness import BareMachine

RAM = 128 << 10                    # 32 frames: frame numbers >= 32 are beyond RAM
FRAMES = RAM >> 12
P, RW, US, A, D, PS = 0x1, 0x2, 0x4, 0x20, 0x40, 0x80
_FILL = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32)


class Pair:
    """A Jit (native walk) and an Interpreter's Mmu (reference walk) on two identical machines."""

    def __init__(self):
        self.m_native, self.m_ref = BareMachine(RAM), BareMachine(RAM)
        self.jit = Jit(self.m_native)
        self.ref = Interpreter(self.m_ref).mmu
        self.fill = _FILL(runtime_addresses()["bt_fill"])

    def reset(self, memory, cr0, cr3, cr4, cpl, code_frames=()):
        for m, mmu in ((self.m_native, self.jit.mmu), (self.m_ref, self.ref)):
            m.mem.view[:] = bytes(RAM)
            for gpa, value in memory:
                m.mem.write_u32(gpa, value)
            mmu.frame_flags[:] = bytes(FRAMES)
            for f in code_frames:
                mmu.frame_flags[f] |= FRAME_CODE
            cpu = m.state.cpu
            cpu.cr[0], cpu.cr[3], cpu.cr[4], cpu.cpl, cpu.cr[2] = cr0, cr3, cr4, cpl, 0
        self.jit.shadow_read.fill(0)
        self.jit.shadow_write.fill(0)
        self.jit.ctx.fill_count = 0

    def ref_walk(self, la, write, user):
        """-> ("ok", frame) or ("pf", error code, CR2)."""
        try:
            return ("ok", self.ref.walk(la, write, user))
        except GuestFault as e:
            assert e.vector == PF
            return ("pf", e.error_code, self.m_ref.state.cpu.cr[2])

    def native(self, la, write):
        return self.fill(self.jit._ctx_ptr, la, int(write)) & 0xFFFFFFFF


@pytest.fixture(scope="module")
def pair():
    return Pair()


def cr0(wp):
    return CR0_PE | CR0_ET | CR0_PG | (CR0_WP if wp else 0)


def words(m):
    return np.frombuffer(m.mem.view, dtype=np.uint32)


# ---- hand-derived SDM cases (reference walk and native walk) -----------------------------------------
# Layout: page directory at 0x1000, one page table at 0x2000; linear 0x00403000 is PDE 1, PTE 3.
PD, PT, LA = 0x1000, 0x2000, 0x00403000
PDE_AT, PTE_AT = PD + 4 * 1, PT + 4 * 3


def small_page(pde_bits, pte_bits, frame=0x5000):
    return [(PDE_AT, PT | pde_bits), (PTE_AT, frame | pte_bits)]


# (name, memory, wp, pse, cpl, write, expected): expected is ("ok", frame, PDE after, PTE after)
# or ("pf", error code); error code bits per SDM 4.7: P (0 not present / 1 protection), W/R, U/S.
SDM_CASES = [
    ("supervisor read, all rights", small_page(P | RW | US, P | RW | US), 0, 0, 0, False,
     ("ok", 0x5000, PT | P | RW | US | A, 0x5000 | P | RW | US | A)),
    ("supervisor write sets D", small_page(P | RW, P | RW), 1, 0, 0, True,
     ("ok", 0x5000, PT | P | RW | A, 0x5000 | P | RW | A | D)),
    ("PDE not present, read, ring 0", small_page(0, P | RW | US), 0, 0, 0, False, ("pf", 0)),
    ("PTE not present, write, ring 3", small_page(P | RW | US, RW | US), 0, 0, 3, True, ("pf", 0b110)),
    ("WP=0: supervisor write to a read-only page is allowed", small_page(P | US, P | US), 0, 0, 0, True,
     ("ok", 0x5000, PT | P | US | A, 0x5000 | P | US | A | D)),
    ("WP=1: supervisor write to a read-only page faults", small_page(P | RW, P), 1, 0, 0, True, ("pf", 0b011)),
    ("WP=1: read-only in the PDE is enough", small_page(P, P | RW), 1, 0, 0, True, ("pf", 0b011)),
    ("user read of a supervisor page (PTE)", small_page(P | RW | US, P | RW), 0, 0, 3, False, ("pf", 0b101)),
    ("user read of a supervisor page (PDE)", small_page(P | RW, P | RW | US), 0, 0, 3, False, ("pf", 0b101)),
    ("user write to a read-only user page", small_page(P | RW | US, P | US), 0, 0, 3, True, ("pf", 0b111)),
    ("user read of a read-only user page", small_page(P | US, P | US), 1, 0, 3, False,
     ("ok", 0x5000, PT | P | US | A, 0x5000 | P | US | A)),
    ("4 MiB page: frame = PDE[31:22] | la[21:12]", [(PDE_AT, 0x00C00000 | P | RW | PS)], 0, 1, 0, False,
     ("ok", 0x00C03000, 0x00C00000 | P | RW | PS | A, None)),
    ("4 MiB page at physical 0: frame = la[21:12] = 0x3000", [(PDE_AT, P | RW | PS | A | D)], 1, 1, 0, True,
     ("ok", 0x3000, P | RW | PS | A | D, None)),
    ("PS ignored without CR4.PSE: the PDE points to a page table",
     [(PDE_AT, PT | P | RW | PS), (PTE_AT, 0x7000 | P)], 0, 0, 0, False,
     ("ok", 0x7000, PT | P | RW | PS | A, 0x7000 | P | A)),
    ("4 MiB user page, write by ring 3 sets D in the PDE", [(PDE_AT, 0x00400000 | P | RW | US | PS)], 1, 1, 3,
     True, ("ok", 0x00403000, 0x00400000 | P | RW | US | PS | A | D, None)),
    ("4 MiB supervisor page, user write", [(PDE_AT, 0x00400000 | P | RW | PS)], 0, 1, 3, True, ("pf", 0b111)),
    # PSE-36 (SDM Vol. 3 Table 4-4, and QEMU's CPUs): PDE bit 21 is reserved -> #PF with RSVD and P;
    # bits 20:13 are physical address bits 39:32, so the page lies above 4 GiB (beyond RAM).
    ("4 MiB page with reserved bit 21: RSVD fault", [(PDE_AT, 0x00400000 | 0x200000 | P | RW | PS)], 0, 1, 0,
     False, ("pf", 0b1001)),
    ("4 MiB page with PDE bit 13 (physical bit 32): above 4 GiB", [(PDE_AT, 0x00400000 | 0x2000 | P | RW | PS)],
     0, 1, 0, False, ("ok", 0xFFC03000, 0x00400000 | 0x2000 | P | RW | PS | A, None)),
]


@pytest.mark.parametrize("case", SDM_CASES, ids=[c[0] for c in SDM_CASES])
def test_sdm_cases(pair, case):
    _, memory, wp, pse, cpl, write, expected = case
    pair.reset(memory, cr0(wp), PD, CR4_PSE if pse else 0, cpl)
    got = pair.ref_walk(LA, write, cpl == 3)
    assert got[0] == expected[0]
    if expected[0] == "pf":
        assert got[1:] == (expected[1], LA)
        assert pair.native(LA, write) == 0
        return
    assert got[1] == expected[1]
    assert pair.m_ref.mem.read_u32(PDE_AT) == expected[2]
    if expected[3] is not None:
        assert pair.m_ref.mem.read_u32(PTE_AT) == expected[3]
    # The native walk: frames of the tables marked first (the reference walk just did it on its copy).
    pair.jit.mmu.frame_flags[:] = pair.ref.frame_flags
    filled = pair.native(LA, write)
    page = LA >> 12
    if expected[1] >= RAM:                           # the native walk leaves frames beyond RAM alone
        assert filled == 0 and pair.jit.shadow_read[page] == 0
        return
    assert pair.jit.shadow_read[page] == expected[1] | 1
    assert filled == (pair.jit.shadow_write[page] if write else expected[1] | 1)
    assert bytes(pair.m_native.mem.view) == bytes(pair.m_ref.mem.view)


def test_walk_gives_up_on_unmarked_table_frames(pair):
    pair.reset(small_page(P | RW, P | RW), cr0(1), PD, 0, 0)
    assert pair.native(LA, False) == 0
    assert not pair.jit.shadow_read.any() and pair.jit.ctx.fill_count == 0
    assert pair.m_native.mem.read_u32(PDE_AT) == PT | P | RW          # nothing written
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE           # directory marked, table not:
    assert pair.native(LA, False) == 0                               # the PDE's A bit is already set
    assert pair.m_native.mem.read_u32(PDE_AT) == PT | P | RW | A      # (the reference does the same)
    assert not pair.jit.shadow_read.any()


def test_walk_gives_up_on_ad_update_into_a_code_frame(pair):
    pair.reset(small_page(P | RW | A, P | RW), cr0(1), PD, 0, 0, code_frames=[PT >> 12])
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
    pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE
    assert pair.native(LA, False) == 0
    assert pair.m_native.mem.read_u32(PTE_AT) == 0x5000 | P | RW
    assert not pair.jit.shadow_read.any()


def test_walk_gives_up_on_a_frame_beyond_ram(pair):
    pair.reset(small_page(P | RW | A, P | RW | A, frame=RAM), cr0(1), PD, 0, 0)
    assert pair.ref_walk(LA, False, False) == ("ok", RAM)
    pair.jit.mmu.frame_flags[:] = pair.ref.frame_flags
    assert pair.native(LA, False) == 0
    assert not pair.jit.shadow_read.any()


def test_write_entry_only_for_dirty_writable_plain_frames(pair):
    # A read of a dirty writable page fills both tables; a read of a clean one only the read table.
    for pte_bits, want_write in ((P | RW | A | D, True), (P | RW | A, False), (P | A | D, False)):
        pair.reset(small_page(P | RW | A, pte_bits), cr0(1), PD, 0, 0)
        pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
        pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE
        assert pair.native(LA, False) == 0x5001
        assert pair.jit.shadow_write[LA >> 12] == (0x5001 if want_write else 0)
        assert pair.jit.ctx.fill_count == 1 and pair.jit.shadows.fill_log[0] == LA >> 12


def test_no_write_entry_for_a_code_frame(pair):
    pair.reset(small_page(P | RW | A, P | RW | A | D), cr0(1), PD, 0, 0, code_frames=[5])
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
    pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE
    # Allowed, but the frame holds code: no write entry; the answer tells the store helper it may
    # still store if the bytes touch no code (FILL_WATCHED), never a writable entry.
    assert pair.native(LA, True) == 0x5000 | FILL_WATCHED
    assert pair.jit.shadow_read[LA >> 12] == 0x5001 and pair.jit.shadow_write[LA >> 12] == 0


# ---- random tables: native vs reference ----------------------------------------------------------------

_in_ram = st.integers(1, FRAMES - 1)
_frame = st.tuples(st.integers(0, 7), _in_ram, st.sampled_from([FRAMES, FRAMES + 1, 0x400, 0xFFFFF])).map(
    lambda t: t[2] if t[0] == 0 else t[1])                       # beyond RAM one time in eight
# Every low bit random (P, RW, US, PWT, PCD, A, D, PS, G, AVL); P set nine times out of ten, RW and
# US seven out of eight, so that most walks get past the rights check.
_bits = st.tuples(st.integers(0, 0xFFF), st.integers(0, 9), st.integers(0, 3), st.integers(0, 3)).map(
    lambda t: (t[0] | P if t[1] else t[0] & ~P) | (RW if t[2] else 0) | (US if t[3] else 0))


def sdm_walk(pde, pte, la, write, user, wp, pse):
    """The outcome per SDM 4.3 and 4.6-4.7, from the entries' values alone (a model independent of
    btvm's): ("ok", frame) or ("pf", error code, CR2)."""
    def fault(present):
        return ("pf", present | (2 if write else 0) | (4 if user else 0), la)
    if not pde & P:
        return fault(0)
    if pde & PS and pse:
        rights, frame = pde, (pde & 0xFFC00000) | (la & 0x003FF000)
    elif not pte & P:
        return fault(0)
    else:
        rights, frame = pde & pte, pte & 0xFFFFF000
    if user and not rights & US or write and (user or wp) and not rights & RW:
        return fault(1)
    return ("ok", frame)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cr3=st.one_of(_in_ram, _frame), pde_frame=_frame, pde_bits=_bits, big_hi=st.integers(0, 0x3FF),
       pte_frame=_frame, pte_bits=_bits, la=st.integers(0, 0xFFFFFFFF), wp=st.booleans(),
       pse=st.booleans(), cpl=st.sampled_from([0, 3]), write=st.booleans(),
       code=st.sets(st.integers(0, FRAMES - 1), max_size=3), premark=st.integers(0, 3),
       extra_tables=st.sets(st.integers(0, FRAMES - 1), max_size=2))
def test_native_walk_matches_reference(pair, cr3, pde_frame, pde_bits, big_hi, pte_frame, pte_bits, la, wp,
                                       pse, cpl, write, code, premark, extra_tables):
    pde_gpa = (cr3 << 12) | ((la >> 20) & 0xFFC)
    pde = ((pde_frame << 12) | pde_bits) if not (pde_bits & PS and pse) else ((big_hi << 22) | pde_bits)
    pte_gpa = (pde & ~0xFFF) | ((la >> 10) & 0xFFC)
    memory = [(pte_gpa, (pte_frame << 12) | pte_bits), (pde_gpa, pde)]     # the PDE wins a collision
    memory = [(g, v) for g, v in memory if g + 4 <= RAM]
    pair.reset(memory, cr0(wp), cr3 << 12, CR4_PSE if pse else 0, cpl, code_frames=code)
    before = words(pair.m_native).copy()
    ref = pair.ref_walk(la, write, cpl == 3)
    pte_seen = (pde | A if pte_gpa == pde_gpa else (pte_frame << 12) | pte_bits) if pte_gpa < RAM else 0
    assert ref == sdm_walk(pde if pde_gpa < RAM else 0, pte_seen, la, write, cpl == 3, wp, pse)

    # Preconditions of the native walk: the reference walk marks the table frames it reads. Mark
    # them (premark 1-3) or not (0: the native walk must give up), plus unrelated table frames.
    flags = pair.jit.mmu.frame_flags
    if premark:
        flags[:] = pair.ref.frame_flags
    for f in extra_tables:
        flags[f] |= FRAME_PAGE_TABLE
        pair.ref.frame_flags[f] |= FRAME_PAGE_TABLE
    tables_read = [g >> 12 for g in (pde_gpa, pte_gpa) if g < RAM and pair.ref.frame_flags[g >> 12]
                   & FRAME_PAGE_TABLE]
    all_marked = all(flags[f] & FRAME_PAGE_TABLE for f in tables_read)

    filled = pair.native(la, write)
    after_native, after_ref = words(pair.m_native), words(pair.m_ref)
    ref_writes = np.nonzero(after_ref != before)[0]
    native_writes = np.nonzero(after_native != before)[0]
    # What the native walk wrote, the reference wrote too, with the same value.
    assert set(native_writes) <= set(ref_writes)
    assert (after_native[native_writes] == after_ref[native_writes]).all()
    code_write = any(pair.ref.frame_flags[(i * 4) >> 12] & FRAME_CODE for i in ref_writes)
    page = la >> 12
    others_r = np.count_nonzero(pair.jit.shadow_read) - bool(pair.jit.shadow_read[page])
    others_w = np.count_nonzero(pair.jit.shadow_write) - bool(pair.jit.shadow_write[page])
    assert others_r == 0 and others_w == 0

    gave_up = ref[0] == "pf" or not all_marked or code_write or ref[1] >= RAM
    event("reference: #PF" if ref[0] == "pf" else "native gives up" if gave_up else "native fills")
    if gave_up:
        assert filled == 0
        assert pair.jit.shadow_read[page] == 0 and pair.jit.shadow_write[page] == 0
        assert pair.jit.ctx.fill_count == 0
        if ref[0] == "pf" and all_marked and not code_write:
            assert (after_native == after_ref).all()
        return

    frame = ref[1]
    assert (after_native == after_ref).all()
    assert pair.jit.shadow_read[page] == frame | 1
    rights = pde if (pde & PS and pse) else pde & ((pte_frame << 12) | pte_bits)
    may_write = bool(rights & RW) if cpl == 3 else (not wp or bool(rights & RW))
    entry_gpa = pde_gpa if (pde & PS and pse) else pte_gpa
    dirty = bool(after_ref[entry_gpa >> 2] & D)
    writable = may_write and dirty and flags[frame >> 12] == 0
    assert pair.jit.shadow_write[page] == (frame | 1 if writable else 0)
    event("write entry filled" if writable else "read entry only")
    if write and not writable and may_write and dirty:
        assert filled == frame | FILL_WATCHED       # allowed, but code or tables: per-granule stores
    else:
        assert filled == (pair.jit.shadow_write[page] if write else frame | 1)
    assert pair.jit.ctx.fill_count == 1 and pair.jit.shadows.fill_log[0] == page


def _many_pages(pair):
    pair.reset([(PD, PT | P | RW | A)] + [(PT + 4 * i, (0x5000 | P | RW | A | D)) for i in range(1024)],
               cr0(1), PD, 0, 0)
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
    pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE


def test_fill_log_saturates(pair):
    """Past FILL_LOG_SIZE fills the count sticks at FILL_LOG_SIZE + 1 (flush everything)."""
    from bt.backend.context import FILL_LOG_SIZE
    _many_pages(pair)
    for n in range(FILL_LOG_SIZE + 3):
        pair.jit.shadow_read[n % 1024] = 0          # a fresh fill each time, as after a drop
        assert pair.native((n % 1024) << 12, False) == 0x5001
    assert pair.jit.ctx.fill_count == FILL_LOG_SIZE + 1
    assert list(pair.jit.shadows.fill_log[:3]) == [0, 1, 2]
    assert list(pair.jit.shadows.fill_entries[:3]) == [PT, PT + 4, PT + 8]


def test_fill_log_lists_a_page_once(pair):
    """A walk of a page whose read entry is valid (a store into a page table walks each time, as it
    never gets a write entry) does not log it again: the log would fill up."""
    _many_pages(pair)
    for _ in range(3):
        for write in (False, True):
            pair.native(7 << 12, write)
    assert pair.jit.ctx.fill_count == 1 and pair.jit.shadows.fill_log[0] == 7
    assert pair.jit.shadows.fill_entries[0] == PT + 4 * 7


def test_reference_walk_marks_the_frames_it_reads(pair):
    pair.reset(small_page(P | RW, P | RW), cr0(1), PD, 0, 0)
    pair.ref_walk(LA, False, False)
    marked = [f for f in range(FRAMES) if pair.ref.frame_flags[f] & FRAME_PAGE_TABLE]
    assert marked == [PD >> 12, PT >> 12]
    assert struct.unpack("<I", pair.m_ref.mem.read(PTE_AT, 4))[0] == 0x5000 | P | RW | A


_READ32 = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint32)
_WRITE32 = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32)


@pytest.mark.parametrize("cpl, pte_bits", [(3, P | US), (0, P)], ids=["user", "supervisor-wp"])
def test_store_helper_leaves_native_code_for_a_read_only_page(pair, cpl, pte_bits):
    """The quick tier's store helper after a read of a read-only page: SDM 4.6, the write faults, so
    the helper must return 0 (leave native code: the interpreter raises #PF) and leave memory alone."""
    rt = runtime_addresses()
    pair.reset(small_page(P | RW | US | A, pte_bits | A), cr0(1), PD, 0, cpl)
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
    pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE
    ctx = pair.jit._ctx_ptr
    assert _READ32(rt["bt_read32"])(ctx, LA + 0x10) == 0                 # fills the read entry
    assert _WRITE32(rt["bt_write32"])(ctx, LA + 0x10, 0xDEADBEEF) == 0
    assert pair.m_native.mem.read_u32(0x5010) == 0


def test_store_helper_sets_dirty_when_the_pte_shares_a_frame_with_code(pair):
    """PTE (A set, D clear) in a frame that also holds code: SDM 4.8, a write sets D."""
    rt = runtime_addresses()
    pair.reset(small_page(P | RW | A, P | RW | A), cr0(1), PD, 0, 0, code_frames=[PT >> 12])
    pair.jit.mmu.frame_flags[PD >> 12] |= FRAME_PAGE_TABLE
    pair.jit.mmu.frame_flags[PT >> 12] |= FRAME_PAGE_TABLE
    ctx = pair.jit._ctx_ptr
    assert _READ32(rt["bt_read32"])(ctx, LA) == 0                       # no A/D change: read entry filled
    stored = _WRITE32(rt["bt_write32"])(ctx, LA, 0x12345678)
    assert stored == 0 or pair.m_native.mem.read_u32(PTE_AT) & D
