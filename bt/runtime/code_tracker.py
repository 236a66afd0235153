"""Which guest-physical bytes hold decoded or translated code, so writes to them invalidate it.

One per machine, shared by both engines (invariant 4, translation coherence). Engines `add` the regions
of code they decode/translate and get `on_invalidate(region)` called when a guest write overlaps it.
The interpreter's memory writes check `pages` (a dict keyed by page number: warm, one dict lookup per
store); the JIT write-protects such pages in its shadow table so its stores to them leave native code.
Python listeners (`page_listeners`) hear when a page gains or loses its last region.

With `enable_granule_map(ram_size)` (the JIT does it) the tracker also keeps `granules`, a u16 per
16-byte granule of RAM counting the regions that overlap it: native stores to a write-protected code
page consult it and go ahead without leaving native code when they touch no code (data sharing a page
with code is common in small guests). Adding or removing a region costs O(its length).
"""
import numpy as np

GRANULE_SHIFT = 4
PAGE_SHIFT = 12


class CodeRegion:
    __slots__ = ("lo", "hi", "owner", "pages", "tag", "group", "live")

    def __init__(self, lo, hi, owner, tag):
        self.lo, self.hi, self.owner = lo, hi, owner   # guest-physical [lo, hi)
        self.tag = tag                                 # the owner's object (block, translation)
        self.pages = range(lo >> PAGE_SHIFT, ((hi - 1) >> PAGE_SHIFT) + 1)
        self.group = (self,)                           # the regions of the same code (add's ranges)
        self.live = True


class CodeTracker:
    def __init__(self):
        self.pages = {}              # page number -> list of CodeRegion
        self.page_listeners = []     # f(page, has_code)
        self.granules = None

    def enable_granule_map(self, ram_size):
        if self.granules is None:
            self.granules = np.zeros(ram_size >> GRANULE_SHIFT, dtype=np.uint16)
            for page, regions in self.pages.items():
                for r in regions:
                    if page == r.pages[0]:          # a region is listed on each of its pages
                        self._count(r, 1)
        return self.granules

    def _count(self, region, delta):
        if self.granules is not None:
            span = self.granules[region.lo >> GRANULE_SHIFT:((region.hi - 1) >> GRANULE_SHIFT) + 1]
            if delta > 0:
                span += 1
            else:
                span -= 1

    def add(self, ranges, owner, tag):
        """Track code `tag` of `owner` made from the guest-physical byte ranges [lo, hi) (two when
        paging put its pages in different frames). A store into any of them drops them all and
        calls owner.on_invalidate once. Returns the regions."""
        group = tuple(self._add(lo, hi, owner, tag) for lo, hi in ranges)
        for region in group:
            region.group = group
        return group

    def _add(self, lo, hi, owner, tag):
        region = CodeRegion(lo, hi, owner, tag)
        self._count(region, 1)
        for p in region.pages:
            regions = self.pages.get(p)
            if regions is None:
                self.pages[p] = [region]
                for listener in self.page_listeners:
                    listener(p, True)
            else:
                regions.append(region)
        return region

    def remove(self, regions):
        for region in regions:
            self._remove(region)

    def _remove(self, region):
        region.live = False
        counted = False
        for p in region.pages:
            regions = self.pages.get(p)
            if regions is not None and region in regions:
                regions.remove(region)
                counted = True
                if not regions:
                    del self.pages[p]
                    for listener in self.page_listeners:
                        listener(p, False)
        if counted:
            self._count(region, -1)

    def write(self, pa, size, owner=None):
        """A guest store to [pa, pa+size) on a code page: invalidate overlapping regions (only
        `owner`'s if given). Returns True when something was invalidated."""
        hit = [r for r in self.pages.get(pa >> PAGE_SHIFT, ())
               if r.lo < pa + size and pa < r.hi and (owner is None or r.owner is owner)]
        for region in hit:
            if region.live:             # not already dropped with another region of its group
                self.remove(region.group)
                region.owner.on_invalidate(region)
        return bool(hit)

    def clear(self, owner):
        for regions in list(self.pages.values()):
            for region in list(regions):
                if region.owner is owner:
                    self._remove(region)
