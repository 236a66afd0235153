"""Guest paging, 32-bit (non-PAE) from the SDM (Vol. 3, 4.3 "32-bit paging", 4.6 "access rights",
4.7 "page-fault exceptions", 4.8 "accessed and dirty flags"): the reference page walk and the MMU
state both engines share. One Mmu per machine, made by the first engine that needs it.

Who calls it: the interpreter's paged memory accessors (bt/runtime/interp/access.py) on a miss of
their small TLB (warm), instruction fetch, the JIT when it looks up or translates code with paging
on (cold). The JIT's own walk is native (bt/backend/page_walk_ir.py) and is checked against this one.

What the MMU keeps coherent (design.md, "Shadow page table"): everything derived from a
linear -> physical mapping (the interpreter's TLB and decoded blocks, the JIT's shadow tables and
lookup table) is dropped by `flush()`, which runs on CR3 and CR0/CR4 loads, INVLPG (the whole TLB: a
superset of the page, which the architecture allows) and any guest write into a page-table frame
made in Python. So guest code never sees a stale translation on either engine, and both engines
agree; INVLPG is then only a formality (the JIT runs it natively as a no-op). The JIT's native
stores into page tables drop only the shadow entries they make stale and tell Python to forget the
interpreter's TLB (bt/backend/pt_store_ir.py); stores into entries that map translated code still
come here (bt/runtime/code_mappings.py).

`frame_flags` (one byte per RAM frame, shared with native code) marks frames holding code (kept by
the CodeTracker's page listener) and frames the walk has read as page directory or page table
(FRAME_PAGE_TABLE). Stores into a marked frame leave the fast paths of both engines (the JIT's
slow path for page tables stays native: see above).
"""
import struct

import numpy as np

from bt.runtime.events import GuestFault, PF
from bt.runtime.state import CR0_PG, CR0_WP, CR4_PSE

PAGE_SHIFT = 12
PTE_P, PTE_RW, PTE_US, PTE_A, PTE_D, PDE_PS = 0x1, 0x2, 0x4, 0x20, 0x40, 0x80
PF_P, PF_W, PF_U, PF_RSVD = 0x1, 0x2, 0x4, 0x8   # page-fault error code bits (no I/D without PAE/NX)
# 4 MiB PDE bits above the frame (PSE-36, as QEMU's CPUs have it): 20:13 are physical address bits
# 39:32, bit 21 is reserved (#PF with RSVD).
PSE36_HIGH, PSE36_RESERVED = 0x1FE000, 0x200000
BEYOND_4G_FRAME = 0xFFC00000      # stands for a frame above 4 GiB: beyond RAM, so unbacked
FRAME_CODE, FRAME_PAGE_TABLE = 0x1, 0x2
M32 = 0xFFFFFFFF
_U32 = struct.Struct("<I")


class Mmu:
    def __init__(self, machine):
        self.state = machine.state
        self.cpu = machine.state.cpu
        self.mem = machine.mem
        self.code = machine.code
        self.ram_size = machine.mem.size
        self.frame_flags = bytearray(machine.mem.size >> PAGE_SHIFT)
        self.frame_flags_np = np.frombuffer(self.frame_flags, dtype=np.uint8)
        self.flush_listeners = []          # f(): drop everything derived from linear -> physical
        self.new_table_listeners = []      # f(frame): a frame just became a page-table frame
        self.walks = 0
        self.flushes = 0
        self.code.page_listeners.append(self._code_page_changed)
        for page in self.code.pages:
            self._code_page_changed(page, True)

    @property
    def paging(self):
        return bool(self.cpu.cr[0] & CR0_PG)

    def _code_page_changed(self, page, has_code):
        if page < len(self.frame_flags):
            if has_code:
                self.frame_flags[page] |= FRAME_CODE
            else:
                self.frame_flags[page] &= ~FRAME_CODE

    # ---- the walk ------------------------------------------------------------------------------

    def walk(self, la, write, user):
        """Physical frame base of linear `la` for an access (write: bool, user: CPL 3 and not an
        implicit supervisor access), setting A/D bits as the SDM says. Raises GuestFault(#PF) with
        CR2 = la if the access is not allowed. Like QEMU, a present PDE pointing to a page table gets
        its A bit before the PTE is looked at; the final entry's A/D bits only on success."""
        self.walks += 1
        cpu = self.cpu
        pde_gpa = _pde_address(cpu.cr[3], la)
        pde = self._read_entry(pde_gpa)
        if not pde & PTE_P:
            self._fault(la, 0, write, user)
        if pde & PDE_PS and cpu.cr[4] & CR4_PSE:
            if pde & PSE36_RESERVED:
                self._fault(la, PF_P | PF_RSVD, write, user)
            entry, entry_gpa, rights = pde, pde_gpa, pde
            frame = _large_frame(BEYOND_4G_FRAME if pde & PSE36_HIGH else pde, la)
        else:
            if not pde & PTE_A:
                self._write_entry(pde_gpa, pde | PTE_A)
            pte_gpa = _pte_address(pde, la)
            pte = self._read_entry(pte_gpa)
            if not pte & PTE_P:
                self._fault(la, 0, write, user)
            entry, entry_gpa, rights = pte, pte_gpa, pde & pte
            frame = pte & ~0xFFF
        if not allowed(rights, write, user, cpu.cr[0] & CR0_WP):
            self._fault(la, PF_P, write, user)
        updated = entry | PTE_A | (PTE_D if write else 0)
        if updated != entry:
            self._write_entry(entry_gpa, updated)
        return frame

    def peek(self, la, user):
        """The frame `la` maps to for a read now, or None, with no side effect at all (no A bits,
        no CR2, no marking): for checking cached translations after a flush."""
        cpu, mem = self.cpu, self.mem
        pde_gpa = _pde_address(cpu.cr[3], la)
        pde = mem.read_u32(pde_gpa) if pde_gpa < self.ram_size else 0
        if not pde & PTE_P or not pde & PTE_A:
            return None
        if pde & PDE_PS and cpu.cr[4] & CR4_PSE:
            if pde & (PSE36_HIGH | PSE36_RESERVED):
                return None
            entry, frame = pde, _large_frame(pde, la)
        else:
            pte_gpa = _pte_address(pde, la)
            entry = mem.read_u32(pte_gpa) if pte_gpa < self.ram_size else 0
            if not entry & PTE_P:
                return None
            pde &= entry
            frame = entry & ~0xFFF
        if not entry & PTE_A or not allowed(pde, False, user, 0):
            return None
        return frame

    def entry_addresses(self, la):
        """Guest-physical addresses of the paging-structure entries a walk of `la` reads now: its
        PDE, then its PTE unless the PDE is not present or maps 4 MiB. No side effect."""
        cpu = self.cpu
        pde_gpa = _pde_address(cpu.cr[3], la)
        pde = self.mem.read_u32(pde_gpa) if pde_gpa < self.ram_size else 0
        if not pde & PTE_P or (pde & PDE_PS and cpu.cr[4] & CR4_PSE):
            return (pde_gpa,)
        return pde_gpa, _pte_address(pde, la)

    def _read_entry(self, gpa):
        frame = gpa >> PAGE_SHIFT
        if frame >= len(self.frame_flags):
            return 0                          # beyond RAM: reads as 0, i.e. not present
        if not self.frame_flags[frame] & FRAME_PAGE_TABLE:
            self.frame_flags[frame] |= FRAME_PAGE_TABLE
            for listener in self.new_table_listeners:
                listener(frame)
        return _U32.unpack_from(self.mem.view, gpa)[0]      # aligned: never past the end of RAM

    def _write_entry(self, gpa, value):
        if gpa + 4 <= self.ram_size:
            self.mem.write_u32(gpa, value)
            if self.frame_flags[gpa >> PAGE_SHIFT] & FRAME_CODE:
                self.code.write(gpa, 4)        # A/D bits written into a page that also holds code

    def _fault(self, la, present, write, user):
        self.cpu.cr[2] = la
        raise GuestFault(PF, present | (PF_W if write else 0) | (PF_U if user else 0),
                         f"page fault at {la:#010x}")

    # ---- coherence -----------------------------------------------------------------------------

    def flush(self, forget_tables=False):
        """Drop every cached linear -> physical mapping (both engines). `forget_tables` also unmarks
        the page-table frames (a new address space: CR3, CR0, CR4 loads); walks mark them again."""
        self.flushes += 1
        if forget_tables:
            self.frame_flags_np &= ~np.uint8(FRAME_PAGE_TABLE)
        for listener in self.flush_listeners:
            listener()



def _pde_address(cr3, la):
    return (cr3 & ~0xFFF) | ((la >> 20) & 0xFFC)


def _pte_address(pde, la):
    return (pde & ~0xFFF) | ((la >> 10) & 0xFFC)


def _large_frame(pde, la):
    """The 4 KiB frame of `la` inside the 4 MiB page of `pde`."""
    return (pde & 0xFFC00000) | (la & 0x3FF000)


def allowed(rights, write, user, wp):
    """SDM Vol. 3, 4.6 without SMEP/SMAP/PKE: `rights` holds the combined R/W and U/S bits."""
    if user:
        return bool(rights & PTE_US) and (not write or bool(rights & PTE_RW))
    return not write or not wp or bool(rights & PTE_RW)


def mmu_of(machine):
    """The machine's Mmu, created on first use (both engines share it)."""
    mmu = getattr(machine, "mmu", None)
    if mmu is None:
        mmu = machine.mmu = Mmu(machine)
    return mmu
