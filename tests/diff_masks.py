"""What the differential tests may NOT compare for one case: undefined flags and undefined results.

Used by tests/diff_check.py. Test-time only.

The base is the shared table: `table.TABLE[name].undefined`. This file is the ONE place where that
mask is refined per case, where the SDM (Vol. 2, "Flags Affected") makes a flag defined or undefined
depending on the operands:
  - SHL/SAL/SHR/SAR: masked count (count & 31) 0 -> no flag changes (nothing undefined);
    count 1 -> OF defined (only AF undefined); SHL/SHR with count >= the operand width -> CF undefined.
  - ROL/ROR/RCL/RCR: masked count 0 -> no flag changes; count 1 -> OF defined; else OF undefined.
  - SHLD/SHRD: masked count 0 -> no flag changes; count 1 -> OF defined; 16-bit operands with
    count > 16 -> the result and CF PF AF ZF SF OF are all undefined (the destination is masked).
Undefined results (the destination is masked, not compared):
  - CPUID: EAX EBX ECX EDX are model-specific; RDTSC: EDX:EAX is a clock.
BSF/BSR with a zero source are "undefined" in the SDM but leave the destination unchanged on P6 and
in QEMU; that IS compared (the interpreter is expected to leave it unchanged).
"""
from dataclasses import dataclass, field

from bt.frontend import table
from bt.frontend.decoder import REG, IMM, MEM
from bt.runtime.state import CF, PF, AF, ZF, SF, OF, EAX, ECX, EDX, EBX

M32 = 0xFFFFFFFF


@dataclass
class Mask:
    flags: int = 0                                 # EFLAGS bits not compared
    regs: dict = field(default_factory=dict)       # register number -> bits not compared
    memory: list = field(default_factory=list)     # (gpa, size) ranges not compared


def effective_address(op, regs):
    """The linear address of memory operand `op` (flat segments) from register values `regs`."""
    off = op.disp + (regs[op.base] if op.base >= 0 else 0) + (regs[op.index] * op.scale if op.index >= 0 else 0)
    return off & (0xFFFF if op.addr_size == 2 else M32)


def _count(insn, regs):
    src = insn.operands[-1]
    if len(insn.operands) == 1:         # capstone may omit the implicit 1 of D0/D1
        return 1
    if src.kind == IMM:
        return src.imm & 0xFF
    return regs[ECX] & 0xFF if src.kind == REG else 1


def mask_for(insn, regs):
    """The Mask for instruction `insn` executed from register values `regs` (EAX..EDI)."""
    name = insn.name
    m = Mask(flags=table.TABLE[name].undefined)
    if name in ("shl", "sal", "shr", "sar", "rol", "ror", "rcl", "rcr", "shld", "shrd"):
        count = _count(insn, regs) & 31
        width = 8 * insn.operands[0].size
        if count == 0:
            m.flags = 0
        elif count == 1:
            m.flags &= ~OF
        if name in ("shl", "shr") and count >= width:
            m.flags |= CF
        if name in ("shld", "shrd") and width == 16 and count > 16:
            m.flags |= CF | PF | AF | ZF | SF | OF
            _mask_operand(m, insn.operands[0], regs)
    elif name == "cpuid":
        m.regs.update({EAX: M32, EBX: M32, ECX: M32, EDX: M32})
    elif name == "rdtsc":
        m.regs.update({EAX: M32, EDX: M32})
    return m


def _mask_operand(m, op, regs):
    if op.kind == REG:
        bits = (1 << (8 * op.size)) - 1
        m.regs[op.reg] = m.regs.get(op.reg, 0) | (bits << 8 if op.high8 else bits)
    elif op.kind == MEM:
        m.memory.append((effective_address(op, regs), op.size))
