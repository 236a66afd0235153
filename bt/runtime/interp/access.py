"""Guest memory access for the reference interpreter: linear address -> guest RAM (hot).

`build_access(interp)` returns the six accessors rd8/rd16/rd32 and wr8/wr16/wr32 on *linear*
addresses for paging off (linear == physical); `build_paged_access(interp, mmu)` the same six plus
the supervisor ones the CPU uses for descriptor tables and the TSS whatever the CPL (sys_rd16,
sys_rd32, sys_wr8, sys_wr16, sys_wr32), translating through a small TLB filled by the reference walk
(bt/runtime/paging.py). Physical addresses past RAM read as 0 and writes to them are dropped.

Writes to pages that hold decoded code go through `interp.code_write(pa, size)`, which invalidates
overlapping decoded code (self-modifying code); `interp.code_pages` is the CodeTracker's page dict.
"""
import struct

M32 = 0xFFFFFFFF

from bt.runtime.memory import UNBACKED_BYTE
from bt.runtime.paging import FRAME_CODE, FRAME_PAGE_TABLE
from bt.runtime.state import W_CPL

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")


def build_access(interp):
    view = interp.mem.view
    size = interp.mem.size
    code_pages = interp.code_pages
    code_write = interp.code_write
    u16_from, u32_from = _U16.unpack_from, _U32.unpack_from
    u16_into, u32_into = _U16.pack_into, _U32.pack_into

    def slow_read(pa, n):
        value = 0
        for i in range(n):
            a = (pa + i) & 0xFFFFFFFF
            value |= (view[a] if a < size else UNBACKED_BYTE) << (8 * i)
        return value

    def slow_write(pa, n, value):
        for i in range(n):
            a = (pa + i) & 0xFFFFFFFF
            if a < size:
                if a >> 12 in code_pages:
                    code_write(a, 1)
                view[a] = (value >> (8 * i)) & 0xFF

    def rd8(pa):
        if pa < size:
            return view[pa]
        return UNBACKED_BYTE

    def rd16(pa):
        try:
            return u16_from(view, pa)[0]
        except struct.error:
            return slow_read(pa, 2)

    def rd32(pa):
        try:
            return u32_from(view, pa)[0]
        except struct.error:
            return slow_read(pa, 4)

    def wr8(pa, value):
        if pa < size:
            if pa >> 12 in code_pages:
                code_write(pa, 1)
            view[pa] = value

    def wr16(pa, value):
        if pa + 2 > size or pa >> 12 in code_pages or (pa + 1) >> 12 in code_pages:
            return slow_write(pa, 2, value)
        u16_into(view, pa, value)

    def wr32(pa, value):
        if pa + 4 > size or pa >> 12 in code_pages or (pa + 3) >> 12 in code_pages:
            return slow_write(pa, 4, value)
        u32_into(view, pa, value)

    return rd8, rd16, rd32, wr8, wr16, wr32


USER_KEY = 1 << 20          # TLB key bit: the entry was checked for a CPL 3 access


def build_paged_access(interp, mmu):
    """Accessors with paging on. The TLB dicts map (page | USER_KEY if user) to the frame base; a
    write entry exists only once a write walk set the Dirty bit. Every access of a page-crossing
    operand translates all its pages before touching memory, so a #PF leaves no partial store."""
    view, size, w = interp.mem.view, interp.mem.size, interp.w
    flags = mmu.frame_flags
    code_write, walk = interp.code_write, mmu.walk
    rtlb, wtlb = {}, {}
    interp.tlb = (rtlb, wtlb)
    u16_from, u32_from = _U16.unpack_from, _U32.unpack_from
    u16_into, u32_into = _U16.pack_into, _U32.pack_into

    def translate(la, write, user_key):
        key = (la >> 12) | user_key
        frame = (wtlb if write else rtlb).get(key)
        if frame is None:
            frame = walk(la, write, user_key != 0)
            (wtlb if write else rtlb)[key] = frame
        return frame | (la & 0xFFF)

    def addresses(la, n, write, user_key):
        """Physical address of each byte, every page translated before any byte is touched."""
        pa = translate(la, write, user_key)
        if (la & 0xFFF) + n <= 4096:
            return [pa + i for i in range(n)]
        return [translate((la + i) & M32, write, user_key) for i in range(n)]

    def read(la, n, user_key):
        value = 0
        for i, pa in enumerate(addresses(la, n, False, user_key)):
            value |= (view[pa] if pa < size else UNBACKED_BYTE) << (8 * i)
        return value

    def write(la, n, value, user_key):
        pas = addresses(la, n, True, user_key)
        table_changed = False
        for i, pa in enumerate(pas):
            if pa < size:
                frame_flags = flags[pa >> 12]
                if frame_flags & FRAME_CODE:
                    code_write(pa, 1)
                table_changed |= bool(frame_flags & FRAME_PAGE_TABLE)
                view[pa] = (value >> (8 * i)) & 0xFF
        if table_changed:
            mmu.flush()              # mappings derived from that page table may have changed

    def make(user_of):
        def rd8(la):
            pa = translate(la, False, user_of())
            return view[pa] if pa < size else UNBACKED_BYTE

        def wr8(la, value):
            write(la, 1, value, user_of())

        def reader(n, unpack_from):
            last = 4096 - n

            def rd(la):
                u = user_of()
                frame = rtlb.get((la >> 12) | u)
                if frame is None or la & 0xFFF > last or frame >= size:
                    return read(la, n, u)
                return unpack_from(view, frame | (la & 0xFFF))[0]
            return rd

        def writer(n, pack_into):
            last = 4096 - n

            def wr(la, value):
                u = user_of()
                frame = wtlb.get((la >> 12) | u)
                if frame is None or la & 0xFFF > last or frame >= size or flags[frame >> 12]:
                    return write(la, n, value, u)
                pack_into(view, frame | (la & 0xFFF), value)
            return wr
        return rd8, reader(2, u16_from), reader(4, u32_from), wr8, writer(2, u16_into), writer(4, u32_into)

    def current_user():
        return USER_KEY if w[W_CPL] == 3 else 0

    rd8, rd16, rd32, wr8, wr16, wr32 = make(current_user)
    _, sys_rd16, sys_rd32, sys_wr8, sys_wr16, sys_wr32 = make(lambda: 0)
    return (rd8, rd16, rd32, wr8, wr16, wr32), (sys_rd16, sys_rd32, sys_wr8, sys_wr16, sys_wr32), translate
