"""Guest memory access for the reference interpreter: linear address -> guest RAM (hot).

`build_access(interp)` returns the six accessors rd8/rd16/rd32 and wr8/wr16/wr32 on *linear*
addresses. With paging off (all the machine has so far) linear == physical. Physical addresses past
RAM follow platform.md: reads give all-ones, writes are dropped.

Writes to pages that hold decoded code go through `interp.code_write(pa, size)`, which invalidates
overlapping decoded code (self-modifying code); `interp.code_pages` is the CodeTracker's page dict.
"""
import struct

from bt.runtime.memory import UNBACKED_BYTE

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
