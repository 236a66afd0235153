"""The JIT's shadow page tables: guest-virtual page -> guest-physical frame, what translated code
uses on every memory access (bt/backend/emitter.py, runtime_ir.py's helpers).

Owned by bt/runtime/jit_engine.py (warm: on mode switches, mapping flushes and code-page changes).
Each table is u32[1 << 20]: frame | SHADOW_VALID, 0 = not cached. A *pair* is a read table and a
write table; the write table maps only pages a native store may reach (writable, dirty, and no
translated code or page table in the frame).

There are two pairs, one per CPL class: supervisor (CPL 0-2) and user (CPL 3), because access rights
differ. JitContext.shadow_read/shadow_write point at the current class's pair; sup_read/sup_write
always at the supervisor pair, which native system code (descriptor-table reads, interrupt frames:
bt/backend/delivery_ir.py) uses whatever the CPL, and user_read/user_write at the user pair, so that
native code can switch CPL without Python. With paging off both classes share the supervisor pair,
which then holds the identity over RAM (filled once, minus write access to code pages); with paging
on the tables start empty and the native walk (bt/backend/page_walk_ir.py) fills them on misses. The
user pair is allocated the first time CPL 3 runs with paging on.

Both pairs share one fill log (ctx.fill_log): the pages the walk filled since the last flush, so a
flush clears only those (in every table) unless the log overflowed. Beside each page it keeps the
address of the page-table entry the walk read last (ctx.fill_entries), so that a native store into a
page table drops only the pages it remaps and takes them out of the log (bt/backend/pt_store_ir.py).
"""
import numpy as np

from bt.backend.context import FILL_LOG_SIZE, SHADOW_VALID

PAGES = 1 << 20


class ShadowTables:
    def __init__(self, ctx, ram_size, code_pages):
        self.ctx = ctx
        self.ram_pages = ram_size >> 12
        self.code_pages = code_pages          # CodeTracker.pages: pages holding translated code
        self.sup = (np.zeros(PAGES, dtype=np.uint32), np.zeros(PAGES, dtype=np.uint32))
        self.user = None
        self.fill_log = np.zeros(FILL_LOG_SIZE, dtype=np.uint32)
        self.fill_entries = np.zeros(FILL_LOG_SIZE, dtype=np.uint32)
        ctx.fill_log = self.fill_log.ctypes.data
        ctx.fill_entries = self.fill_entries.ctypes.data
        self.paged = False                    # the tables hold walked entries (paging on)
        self.user_mode = False                # the current pair is the user one
        self.flushes = 0
        self._fill_identity()
        self._point()

    @property
    def read(self):
        """The current class's read table."""
        return self._current()[0]

    @property
    def write(self):
        return self._current()[1]

    def _current(self):
        return self.user if self.paged and self.user_mode else self.sup

    def _pairs(self):
        return (self.sup,) if self.user is None else (self.sup, self.user)

    def _point(self):
        ctx = self.ctx
        sup_r, sup_w = (t.ctypes.data for t in self.sup)
        user_r, user_w = (t.ctypes.data for t in self.user) if self.paged and self.user is not None else (sup_r, sup_w)
        ctx.sup_read, ctx.sup_write = sup_r, sup_w
        ctx.user_read, ctx.user_write = user_r, user_w
        ctx.shadow_read, ctx.shadow_write = (user_r, user_w) if self.paged and self.user_mode else (sup_r, sup_w)

    def _fill_identity(self):
        """Paging off: the identity over RAM, minus write access to pages with code."""
        read, write = self.sup
        read.fill(0)
        write.fill(0)
        frames = (np.arange(self.ram_pages, dtype=np.uint32) << 12) | SHADOW_VALID
        read[:self.ram_pages] = frames
        write[:self.ram_pages] = frames
        for page in self.code_pages:
            if page < self.ram_pages:
                write[page] = 0

    def select(self, paged, user):
        """The run loop's mode check: paging on/off and the CPL class of the code about to run."""
        if paged != self.paged:
            self.paged = paged
            if paged:                         # empty: the native walk fills them
                for pair in self._pairs():
                    for table in pair:
                        table.fill(0)
            else:
                self._fill_identity()
            self.ctx.fill_count = 0
            self.flushes += 1
        if paged and user and self.user is None:
            self.user = (np.zeros(PAGES, dtype=np.uint32), np.zeros(PAGES, dtype=np.uint32))
        self.user_mode = user
        self._point()

    def flush(self):
        """Forget every walked entry: only those in the fill log, unless it overflowed."""
        ctx = self.ctx
        count = ctx.fill_count
        for pair in self._pairs():
            for table in pair:
                if count > FILL_LOG_SIZE:
                    table.fill(0)
                elif count:
                    table[self.fill_log[:count]] = 0
        ctx.fill_count = 0
        self.flushes += 1

    def drop_write_access(self, frame_gpa):
        """No native store may reach `frame_gpa` any more: clear the write entries mapping it."""
        count = self.ctx.fill_count
        if count > FILL_LOG_SIZE:
            self.flush()
            return
        pages = self.fill_log[:count]
        for _, write in self._pairs():
            hits = pages[(write[pages] & ~np.uint32(0xFFF)) == frame_gpa]
            write[hits] = 0

    def code_page_changed(self, page, has_code):
        """CodeTracker: `page` (a RAM frame) got its first translated code or lost its last."""
        if page >= self.ram_pages:
            return
        if not self.paged:
            self.sup[1][page] = 0 if has_code else (page << 12) | SHADOW_VALID
        elif has_code:
            self.drop_write_access(page << 12)

    def new_page_table(self, frame):
        """The reference walk just marked `frame` as a page-table frame (Mmu.new_table_listeners)."""
        if self.paged:
            self.drop_write_access(frame << 12)
