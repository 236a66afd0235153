"""Segment limit and type checks on data accesses (SDM Vol. 3, 5.3 "Limit checking", 5.4 "Type
checking"; Vol. 2 "Protected Mode Exceptions" of each instruction).

Called by the interpreter (core.py `Interpreter.linear`, `seg_linear`, `ea`) on the slow path only:
the common flat writable data segment never gets here. Works on the hidden segment cache as
CpuState keeps it: `limit` byte-granular, `attrs` = descriptor bits 40..55 >> 8 (bit 7 P, bit 4 S,
bits 0-3 type, bit 14 D/B); a null selector leaves attrs = 0.

Rules for an access of `size` bytes at offset `off` through segment `seg`:
- unusable (not present, or not a code/data segment: a null selector): #GP(0);
- code segment: a write is #GP(0), a read needs the readable bit;
- data segment: a write needs the writable bit;
- expand-up (code, or data with the expand-down bit clear): off + size - 1 <= limit, except that a
  limit of 0xFFFFFFFF is not checked at all, so an access may wrap past 4 GiB (SDM 5.3 leaves this
  to the implementation; QEMU wraps, and so do both engines);
- expand-down data: limit < off and off + size - 1 <= 0xFFFFFFFF (B = 1) or 0xFFFF (B = 0).
A limit violation is #SS(0) through SS and #GP(0) through any other segment; a type violation or an
unusable segment is #GP(0) whatever the segment (the SDM lists those under #GP only).
Not checked here: instruction fetches and near-transfer targets beyond the CS limit (core.py `decode`
and `step`, ops_control.py), the CPU's own accesses to descriptor tables, the TSS and the IDT
(linear), and interrupt-frame pushes (interrupts.stack_has_room).
"""
from bt.runtime.events import GuestFault, GP, SS as SS_VECTOR
from bt.runtime.state import SEG_NAMES, SS

M32 = 0xFFFFFFFF
P, S, CODE, EXPAND_DOWN, RW, BIG = 0x80, 0x10, 0x8, 0x4, 0x2, 0x4000


def violation(seg, attrs, limit, off, size, write):
    """The vector and a short reason if the access breaks a rule, or None when it is allowed."""
    if attrs & (P | S) != P | S:
        return GP, "unusable segment (null selector)"
    if attrs & CODE:
        if write:
            return GP, "write into a code segment"
        if not attrs & RW:
            return GP, "read of an execute-only code segment"
    elif write and not attrs & RW:
        return GP, "write into a read-only data segment"
    vector = SS_VECTOR if seg == SS else GP
    last = off + size - 1
    if attrs & (CODE | EXPAND_DOWN) == EXPAND_DOWN:
        upper = M32 if attrs & BIG else 0xFFFF
        if off <= limit or last > upper:
            return vector, "outside the expand-down segment's limit"
    elif limit != M32 and last > limit:
        return vector, "beyond the segment limit"
    return None


def check(seg, attrs, limit, off, size, write):
    """Raise the #GP(0) or #SS(0) the access would take (nothing if it is allowed)."""
    found = violation(seg, attrs, limit, off, size, write)
    if found is not None:
        vector, why = found
        raise GuestFault(vector, 0, f"{SEG_NAMES[seg]}:{off:#x} ({size} bytes"
                                    f"{', write' if write else ''}): {why}")
