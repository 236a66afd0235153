"""Shift and rotate handlers: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (SDM Vol. 2).

Factories run at decode time; the closures are the interpreter's hot path. Flags are computed
eagerly: shifts write all six arithmetic flags straight into eflags (dropping any pending lazy
record), rotates merge CF/OF with flags.set_arith. The count is masked to 5 bits; a masked count of
0 changes neither the destination nor any flag. Where the SDM leaves OF/AF undefined (counts other
than 1) we produce what QEMU/Unicorn produce: OF from the last bit shifted out and the result's
sign, AF = 0.
"""
from bt.frontend.decoder import IMM
from bt.runtime import flags
from bt.runtime.flags import MASK, SIGN, PARITY, CC_EFLAGS
from bt.runtime.interp.ops_alu import check_lock
from bt.runtime.interp.registry import handles
from bt.runtime.state import CF, ZF, SF, OF, ARITH_FLAGS, W_EFLAGS, W_CC_OP

_CO = CF | OF
NOT_ARITH = ~ARITH_FLAGS & 0xFFFFFFFF


def _count(x, op):
    if op.kind == IMM:
        c = op.imm & 0x1F
        return lambda: c
    get = x.reader(op)
    return lambda: get() & 0x1F


def _szp(r, sign):
    """SF, ZF and PF of a (masked) result."""
    f = PARITY[r & 0xFF]
    if r == 0:
        f |= ZF
    if r & sign:
        f |= SF
    return f


@handles("shl", "sal", "shr", "sar")
def shift(x, insn):
    check_lock(insn)
    dst, cnt = insn.operands
    size = dst.size
    bits, mask, sign = size * 8, MASK[size], SIGN[size]
    w = x.w
    load, store = x.location(dst)
    count = _count(x, cnt)
    top = bits - 1
    # All six arithmetic flags are written: replace them without materialising the pending ones.

    if insn.name in ("shl", "sal"):
        def op():
            c = count()
            if c:
                a = load()
                out = a << (c - 1)          # the last bit shifted out is its bit `top`
                r = (out << 1) & mask
                store(r)
                f = _szp(r, sign) | (out >> top) & 1
                if ((out ^ r) >> top) & 1:
                    f |= OF
                w[W_EFLAGS] = (w[W_EFLAGS] & NOT_ARITH) | f
                w[W_CC_OP] = CC_EFLAGS
    elif insn.name == "shr":
        def op():
            c = count()
            if c:
                a = load()
                out = a >> (c - 1)
                r = out >> 1
                store(r)
                f = _szp(r, sign) | out & 1
                if ((out ^ r) >> top) & 1:      # count 1: OF = MSB of the original operand
                    f |= OF
                w[W_EFLAGS] = (w[W_EFLAGS] & NOT_ARITH) | f
                w[W_CC_OP] = CC_EFLAGS
    else:
        def op():
            c = count()
            if c:
                a = load()
                out = (a - ((a & sign) << 1)) >> (c - 1)    # signed; OF = 0
                r = (out >> 1) & mask
                store(r)
                w[W_EFLAGS] = (w[W_EFLAGS] & NOT_ARITH) | _szp(r, sign) | out & 1
                w[W_CC_OP] = CC_EFLAGS
    return op


@handles("rol", "ror")
def rotate(x, insn):
    check_lock(insn)
    dst, cnt = insn.operands
    size = dst.size
    bits, mask = size * 8, MASK[size]
    w = x.w
    load, store = x.location(dst)
    count = _count(x, cnt)
    set_arith = flags.set_arith
    top = bits - 1
    # CF and OF change whenever the 5-bit masked count is nonzero, even if count mod width is 0.
    if insn.name == "rol":
        def op():
            c = count()
            if c:
                a = load()
                n = c % bits
                r = ((a << n) | (a >> (bits - n))) & mask
                store(r)
                cf = r & 1
                set_arith(w, cf | (((r >> top) ^ cf) and OF), _CO)
    else:
        def op():
            c = count()
            if c:
                a = load()
                n = c % bits
                r = ((a >> n) | (a << (bits - n))) & mask
                store(r)
                cf = (r >> top) & 1
                set_arith(w, cf | ((cf ^ (r >> (top - 1)) & 1) and OF), _CO)
    return op


@handles("rcl", "rcr")
def rotate_carry(x, insn):
    check_lock(insn)
    dst, cnt = insn.operands
    size = dst.size
    bits, mask = size * 8, MASK[size]
    wide = bits + 1                     # CF:operand rotates as one (bits+1)-bit quantity
    wmask = (1 << wide) - 1
    w = x.w
    load, store = x.location(dst)
    count = _count(x, cnt)
    carry = flags.carry
    set_arith = flags.set_arith
    top = bits - 1
    left = insn.name == "rcl"

    def op():
        n = count() % wide              # 8/16-bit operands: count mod 9 / mod 17
        if n:
            a = load()
            v = (carry(w) << bits) | a
            if left:
                v = ((v << n) | (v >> (wide - n))) & wmask
            else:
                v = ((v >> n) | (v << (wide - n))) & wmask
            r = v & mask
            store(r)
            set_arith(w, (v >> bits) | ((((a ^ r) >> top) & 1) and OF), _CO)
    return op


@handles("shld", "shrd")
def shift_double(x, insn):
    check_lock(insn)
    dst, src, cnt = insn.operands
    size = dst.size
    bits, mask, sign = size * 8, MASK[size], SIGN[size]
    w = x.w
    load, store = x.location(dst)
    get = x.reader(src)
    count = _count(x, cnt)
    top = bits - 1
    left = insn.name == "shld"
    # 16-bit counts above 16 are undefined; like Intel hardware and QEMU, shift dst:src:dst.
    wide16 = size == 2

    def op():
        c = count()
        if c:
            a = load()
            b = get()
            if left:
                v = (a << 32) | (b << 16) | a if wide16 else (a << 32) | b
                out = (v << (c - 1)) >> 32
                r = ((v << c) >> 32) & mask
                cf = (out >> top) & 1
            else:
                v = (a << 32) | (b << 16) | a if wide16 else (b << 32) | a
                out = v >> (c - 1)
                r = (out >> 1) & mask
                cf = out & 1
            store(r)
            f = _szp(r, sign) | cf
            if ((out ^ r) >> top) & 1:
                f |= OF
            w[W_EFLAGS] = (w[W_EFLAGS] & NOT_ARITH) | f
            w[W_CC_OP] = CC_EFLAGS
    return op

