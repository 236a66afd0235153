"""Segment descriptor format (SDM Vol. 3, 3.4.5): pure facts about the 8 bytes, shared by engines.

Cold: used on segment-register loads, far transfers and descriptor-table instructions.
"""
from dataclasses import dataclass

# Type field values for system descriptors (S = 0).
SYS_TSS16_AVAIL, SYS_LDT, SYS_TSS16_BUSY, SYS_CALL_GATE16 = 1, 2, 3, 4
SYS_TASK_GATE, SYS_INT_GATE16, SYS_TRAP_GATE16 = 5, 6, 7
SYS_TSS32_AVAIL, SYS_TSS32_BUSY, SYS_CALL_GATE32, SYS_INT_GATE32, SYS_TRAP_GATE32 = 9, 11, 12, 14, 15


@dataclass(frozen=True, slots=True)
class Descriptor:
    raw: int              # the 64-bit descriptor

    @property
    def base(self):
        r = self.raw
        return ((r >> 16) & 0xFFFFFF) | (((r >> 56) & 0xFF) << 24)

    @property
    def limit(self):
        """The byte-granular limit (expanded when G = 1)."""
        r = self.raw
        limit = (r & 0xFFFF) | (((r >> 48) & 0xF) << 16)
        return (limit << 12) | 0xFFF if self.granular else limit

    @property
    def attrs(self):
        """Bits 40..55 >> 8, the form SegmentCache.attrs keeps."""
        return (self.raw >> 40) & 0xF0FF

    type = property(lambda self: (self.raw >> 40) & 0xF)
    is_system = property(lambda self: not (self.raw >> 44) & 1)
    dpl = property(lambda self: (self.raw >> 45) & 3)
    present = property(lambda self: bool((self.raw >> 47) & 1))
    big = property(lambda self: bool((self.raw >> 54) & 1))
    granular = property(lambda self: bool((self.raw >> 55) & 1))
    is_code = property(lambda self: not self.is_system and bool(self.type & 8))
    is_data = property(lambda self: not self.is_system and not self.type & 8)
    conforming = property(lambda self: self.is_code and bool(self.type & 4))
    readable = property(lambda self: self.is_data or bool(self.type & 2))
    writable = property(lambda self: self.is_data and bool(self.type & 2))

    # Gates (call, interrupt, trap): selector and offset fields.
    gate_selector = property(lambda self: (self.raw >> 16) & 0xFFFF)
    gate_offset = property(lambda self: (self.raw & 0xFFFF) | ((self.raw >> 32) & 0xFFFF0000))

    def with_accessed(self):
        return Descriptor(self.raw | (1 << 40))
