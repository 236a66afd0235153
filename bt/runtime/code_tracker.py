"""Which guest-physical bytes hold decoded or translated code, so writes to them invalidate it.

One per machine, shared by both engines (invariant 4, translation coherence). Engines `add` a region
when they decode/translate code and get `on_invalidate(region)` called when a guest write overlaps it.
The interpreter's memory writes check `pages` (a dict keyed by page number: warm, one dict lookup per
store); the JIT write-protects such pages in its shadow table so its stores to them leave native code.
Python listeners (`page_listeners`) hear when a page gains or loses its last region.
"""
PAGE_SHIFT = 12


class CodeRegion:
    __slots__ = ("lo", "hi", "owner", "pages", "tag")

    def __init__(self, lo, hi, owner):
        self.lo, self.hi, self.owner = lo, hi, owner   # guest-physical [lo, hi)
        self.tag = None                                # the owner's object (block, translation)
        self.pages = range(lo >> PAGE_SHIFT, ((hi - 1) >> PAGE_SHIFT) + 1)


class CodeTracker:
    def __init__(self):
        self.pages = {}              # page number -> list of CodeRegion
        self.page_listeners = []     # f(page, has_code)

    def add(self, lo, hi, owner):
        region = CodeRegion(lo, hi, owner)
        for p in region.pages:
            regions = self.pages.get(p)
            if regions is None:
                self.pages[p] = [region]
                for listener in self.page_listeners:
                    listener(p, True)
            else:
                regions.append(region)
        return region

    def remove(self, region):
        for p in region.pages:
            regions = self.pages.get(p)
            if regions is not None and region in regions:
                regions.remove(region)
                if not regions:
                    del self.pages[p]
                    for listener in self.page_listeners:
                        listener(p, False)

    def write(self, pa, size):
        """A guest store to [pa, pa+size) on a code page: invalidate overlapping regions.
        Returns True when something was invalidated."""
        hit = [r for r in self.pages.get(pa >> PAGE_SHIFT, ()) if r.lo < pa + size and pa < r.hi]
        for region in hit:
            self.remove(region)
            region.owner.on_invalidate(region)
        return bool(hit)

    def clear(self, owner):
        for regions in list(self.pages.values()):
            for region in list(regions):
                if region.owner is owner:
                    self.remove(region)
