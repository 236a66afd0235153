"""Which paging-structure entries map pages with translated code: one bit per dword of guest RAM,
which native stores into page tables consult (JitContext.code_entries, bt/backend/pt_store_ir.py).

Owned by bt/runtime/jit_engine.py (warm: on lookup-table installs with paging on, and after each
mapping flush). A lookup-table entry runs the translation of the frame its linear page mapped to
when it was installed (LookupTable.frames). A store that changes that page's PDE or PTE must
reach Python, whose Mmu.flush makes the lookup tables drop such entries: native code cannot, as it
only knows the shadow tables. So the PDE and PTE of every code page in a lookup table are marked
here, and a native store into a marked entry goes to the interpreter. A mark may outlive its page
(entries removed from a table stay marked until the next flush rebuilds the marks); that only sends a
store to Python.
"""
import numpy as np


class CodeMappings:
    def __init__(self, ctx, mmu, ram_size):
        self.mmu = mmu
        self.ram_size = ram_size
        self.bits = np.zeros((ram_size >> 5) + 1, dtype=np.uint8)   # pages untouched stay unallocated
        self.marked = set()                    # dword indices (gpa >> 2) with their bit set
        ctx.code_entries = self.bits.ctypes.data

    def mark(self, page):
        """Linear `page` holds translated code: mark the entries a walk of it reads now."""
        for entry_gpa in self.mmu.entry_addresses(page << 12):
            dword = entry_gpa >> 2
            if entry_gpa < self.ram_size and dword not in self.marked:
                self.marked.add(dword)
                self.bits[dword >> 3] |= 1 << (dword & 7)

    def rebuild(self, pages):
        """After a mapping flush: the marks of exactly these code pages, under the current CR3."""
        for dword in self.marked:
            self.bits[dword >> 3] = 0
        self.marked.clear()
        for page in pages:
            self.mark(page)
