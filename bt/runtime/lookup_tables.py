"""The JIT's lookup tables, one per execution mode (CS base, CPL, paging), kept across mode switches.

Used by bt/runtime/jit_engine.py (warm: on misses, mode switches and invalidations). A guest that
makes system calls switches between CPL 3 and CPL 0 twice per call; refilling one shared table
each time cost O(translations) per switch. Instead each mode keeps its table (LOOKUP_SIZE slots, as
bt/backend/context.py describes) and a switch only points the JitContext at another one. At most
MAX_TABLES tables live at once (least recently used goes first; ~200 KB each).
"""
from collections import OrderedDict

import numpy as np

from bt.backend.context import EMPTY_TAG, LOOKUP_SIZE, lookup_index

MAX_TABLES = 8


class LookupTable:
    """`frames` remembers, for paging, which frame each linear code page of an entry mapped to, so
    that a flush of the mappings need only drop the entries of pages that now map elsewhere."""

    def __init__(self, miss_address, cs_base=0):
        self.miss_address = miss_address
        self.cs_base = cs_base
        self.tags = np.full(LOOKUP_SIZE, EMPTY_TAG, dtype=np.uint32)
        self.fns = np.full(LOOKUP_SIZE, miss_address, dtype=np.uint64)
        self.tags_address = self.tags.ctypes.data      # cached: numpy builds .ctypes anew each time
        self.fns_address = self.fns.ctypes.data
        self.frames = {}                 # linear page -> frame (gpa & ~0xFFF) of installed entries
        self.spanning = {}               # linear page -> EIPs of entries whose last bytes are on it

    def clear(self):
        self.tags.fill(EMPTY_TAG)
        self.fns.fill(self.miss_address)
        self.frames.clear()
        self.spanning.clear()

    def install(self, eip, address, pages=()):
        """pages: (linear page, frame) of the code of the translation (paging on), one or two."""
        slot = lookup_index(eip)
        self.tags[slot] = eip
        self.fns[slot] = address
        for i, (page, frame) in enumerate(pages):
            self.frames[page] = frame
            if i:
                self.spanning.setdefault(page, set()).add(eip)

    def keep_mapped(self, frame_of):
        """After the mappings changed: drop the entries of linear pages for which frame_of(page)
        is no longer the frame they were translated from."""
        moved = [page for page, frame in self.frames.items() if frame_of(page) != frame]
        if not moved:
            return 0
        pages = (self.tags.astype(np.uint64) + self.cs_base) & 0xFFFFFFFF
        pages >>= 12
        stale = np.isin(pages, moved) & (self.tags != EMPTY_TAG)
        self.tags[stale] = EMPTY_TAG
        self.fns[stale] = self.miss_address
        for page in moved:
            del self.frames[page]
            for eip in self.spanning.pop(page, ()):
                self.remove(eip)
        return len(moved)

    def remove(self, eip, address=None):
        """Empty EIP's slot if it holds EIP (and `address`, if given)."""
        slot = lookup_index(eip)
        if self.tags[slot] == eip and (address is None or self.fns[slot] == address):
            self.tags[slot] = EMPTY_TAG
            self.fns[slot] = self.miss_address


class LookupTables:
    """mode id -> LookupTable, least recently used first."""

    def __init__(self, miss_address):
        self.miss_address = miss_address
        self.by_mode = OrderedDict()

    def table_for(self, mode_id, cs_base=0):
        """(table, created): the mode's table, made empty if it did not exist."""
        table = self.by_mode.get(mode_id)
        if table is not None:
            self.by_mode.move_to_end(mode_id)
            return table, False
        if len(self.by_mode) >= MAX_TABLES:
            self.by_mode.popitem(last=False)
        table = self.by_mode[mode_id] = LookupTable(self.miss_address, cs_base)
        return table, True

    def get(self, mode_id):
        return self.by_mode.get(mode_id)

    def drop(self, keep=None, only=lambda mode_id: True):
        """Forget the tables of modes for which `only` holds, except `keep`'s; returns how many."""
        dropped = [m for m in self.by_mode if m != keep and only(m)]
        for mode_id in dropped:
            del self.by_mode[mode_id]
        return len(dropped)
