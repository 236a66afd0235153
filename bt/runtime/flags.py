"""Lazy arithmetic flags for the reference interpreter (hot: every ALU instruction and flag reader).

An arithmetic instruction records what it did instead of computing six flags nobody may read:
cc_op = KIND | size (bytes), cc_a and cc_b the operands, cc_res the result. `materialize` computes
CF, PF, AF, ZF, SF and OF from that record as the SDM defines them and folds them into `eflags`.
cc_op == CC_EFLAGS means `eflags` holds the arithmetic flags already.

INC and DEC leave CF alone: they materialise the old CF into `eflags` before recording.
Anything that writes flags in another way (shifts, MUL, POPF ...) first calls `materialize`, then
writes `eflags` and leaves cc_op = CC_EFLAGS.
"""
from bt.runtime.state import W_EFLAGS, W_CC_OP, W_CC_A, W_CC_B, W_CC_RES, CF, PF, AF, ZF, SF, OF, ARITH_FLAGS

CC_EFLAGS = 0
# Kinds are multiples of 8; the low 3 bits hold the operand size in bytes (1, 2 or 4).
CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC = 8, 16, 24, 32, 40, 48, 56

MASK = (0, 0xFF, 0xFFFF, 0, 0xFFFFFFFF)           # by size in bytes
SIGN = (0, 0x80, 0x8000, 0, 0x80000000)
# PARITY[b] is PF for a result whose low byte is b: set when the number of 1 bits is even.
PARITY = tuple(PF if bin(b).count("1") % 2 == 0 else 0 for b in range(256))


def compute(cc_op, a, b, res):
    """The six arithmetic flags after operation `cc_op` on operands a, b with result res."""
    kind, size = cc_op & ~7, cc_op & 7
    mask, sign = MASK[size], SIGN[size]
    res &= mask
    flags = PARITY[res & 0xFF] | (a ^ b ^ res) & AF
    if res == 0:
        flags |= ZF
    if res & sign:
        flags |= SF
    if kind == CC_ADD or kind == CC_ADC or kind == CC_INC:
        if kind != CC_INC and ((a & b) | ((a | b) & ~res)) & sign:
            flags |= CF
        if (a ^ res) & (b ^ res) & sign:
            flags |= OF
    elif kind == CC_SUB or kind == CC_SBB or kind == CC_DEC:
        if kind != CC_DEC and ((~a & b) | ((~a | b) & res)) & sign:
            flags |= CF
        if (a ^ b) & (a ^ res) & sign:
            flags |= OF
    else:   # CC_LOGIC: CF = OF = 0; AF is undefined, and 0 is what P6 hardware and QEMU give
        flags &= ~AF
    return flags


def materialize(w):
    """Fold pending lazy flags into eflags; returns the architectural EFLAGS value."""
    cc_op = w[W_CC_OP]
    if cc_op == CC_EFLAGS:
        return w[W_EFLAGS]
    keep = ARITH_FLAGS if (cc_op & ~7) not in (CC_INC, CC_DEC) else ARITH_FLAGS & ~CF
    eflags = (w[W_EFLAGS] & ~keep) | (compute(cc_op, w[W_CC_A], w[W_CC_B], w[W_CC_RES]) & keep)
    w[W_EFLAGS] = eflags
    w[W_CC_OP] = CC_EFLAGS
    return eflags


def carry(w):
    """CF alone (ADC, SBB, RCL, RCR, INC/DEC bookkeeping)."""
    return materialize(w) & CF


def record(w, cc_op, a, b, res):
    """Record an arithmetic result; INC/DEC callers must have called `materialize` first."""
    w[W_CC_OP] = cc_op
    w[W_CC_A] = a
    w[W_CC_B] = b
    w[W_CC_RES] = res


def set_arith(w, flags, mask=ARITH_FLAGS):
    """Write the flags in `mask` to `flags` (eagerly computed by shifts, MUL, BCD, ...)."""
    eflags = materialize(w)
    w[W_EFLAGS] = (eflags & ~mask) | (flags & mask)


def condition(w, cc):
    """Whether condition code cc (0..15, x86 encoding order) holds (SDM Vol. 1, Appendix B)."""
    cc_op = w[W_CC_OP]
    if cc_op != CC_EFLAGS and (cc == 4 or cc == 5):    # E/NE straight from the pending result
        return ((w[W_CC_RES] & MASK[cc_op & 7]) == 0) == (cc == 4)
    f = materialize(w)
    base = cc >> 1
    if base == 0:
        r = f & OF
    elif base == 1:
        r = f & CF
    elif base == 2:
        r = f & ZF
    elif base == 3:
        r = f & (CF | ZF)
    elif base == 4:
        r = f & SF
    elif base == 5:
        r = f & PF
    elif base == 6:
        r = bool(f & SF) != bool(f & OF)
    else:
        r = (f & ZF) or (bool(f & SF) != bool(f & OF))
    return bool(r) != bool(cc & 1)
