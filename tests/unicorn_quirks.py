"""Where Unicorn 2.1 (QEMU TCG) deviates from the Intel SDM, and how the differential tests correct it.

Used by tests/diff_check.py (every case) and pinned by tests/test_unicorn_quirks.py, which fails when
a Unicorn upgrade fixes a quirk (then delete the workaround here). Test-time only.

  ret-imm16-sign     RET imm16 (C2 iw) adds the SIGN-extended imm16 to ESP (QEMU loads it with a
                     signed 16-bit code fetch); the SDM zero-extends it. Correction: ESP += 0x10000
                     when imm16 >= 0x8000.
  lock-neg-flags     LOCK NEG m8/m16/m32 stores the right result but computes the flags from the
                     negated old value as if it were NEG of the result (e.g. NEG [1] -> 0xFF with SF=0
                     PF=0). Correction: Unicorn runs the instruction with LOCK replaced by a DS override
                     (same length; LOCK changes nothing on one CPU, segment bases are all 0).
  loopcc-flags       LOOPE/LOOPNE (with or without the 0x67 prefix) can leave garbage in CF and AF
                     (`add al, 0; loope` gives EFLAGS 0x457 from any start); the SDM says LOOPcc
                     changes no flag. Correction: none possible, so those two flags are not compared
                     for such cases (`unreliable_flags`); the JIT-vs-interpreter suites still check them.
  no-segment-checks  No segment type check on data accesses: a store through a CS: override succeeds;
                     the SDM says #GP(0) (code segments are never writable). Correction: none possible
                     (the state before the store is not known here), so such cases are not compared
                     (`uncomparable`); tests/test_segment_limits.py checks those rules instead.
"""
from dataclasses import replace

from bt.frontend import table
from bt.frontend.decoder import IMM, MEM
from bt.runtime.state import CS, ESP

LOCK, DS_OVERRIDE = 0xF0, 0x3E
M32 = 0xFFFFFFFF


def unicorn_code(case):
    """The bytes Unicorn runs for `case` (lock-neg-flags: LOCK replaced)."""
    code = case.code
    if any(insn.name == "neg" and insn.lock for insn in case.insns):
        return code.replace(bytes([LOCK]), bytes([DS_OVERRIDE]), 1)
    return code


def uncomparable(case):
    """True when Unicorn cannot give the SDM's answer for `case` (no-segment-checks)."""
    return any(table.writes_memory(i) and any(o.kind == MEM and o.seg == CS for o in i.operands)
               for i in case.insns)


def unreliable_flags(case):
    """EFLAGS bits Unicorn gets wrong for `case` (loopcc-flags)."""
    if any(i.name in ("loope", "loopne") for i in case.insns):
        return 0x1 | 0x10       # CF | AF
    return 0


def correct(case, outcome):
    """Unicorn's `outcome` for `case` with known deviations from the SDM undone."""
    insn = case.insns[-1]
    if outcome.fault is None and insn.name == "ret" and insn.operands and insn.operands[0].kind == IMM \
            and insn.operands[0].imm >= 0x8000:
        regs = list(outcome.regs)
        regs[ESP] = (regs[ESP] + 0x10000) & M32
        return replace(outcome, regs=regs)
    return outcome
