"""Multiply and divide handlers: MUL IMUL (one, two and three operands) DIV IDIV (SDM Vol. 2).

Factories run at decode time; the closures are the interpreter's hot path. MUL/IMUL set CF = OF =
"the upper half is significant"; SF, ZF, PF and AF are undefined, and we give what QEMU/Unicorn
give: SF/ZF/PF of the low half of the product, AF = 0. DIV/IDIV raise #DE for a zero divisor or a
quotient that does not fit, before writing anything; they leave all flags (undefined) unchanged.
"""
from bt.runtime.events import GuestFault, DE
from bt.runtime.flags import MASK, SIGN, PARITY, CC_EFLAGS
from bt.runtime.interp.ops_alu import check_lock
from bt.runtime.interp.registry import handles
from bt.runtime.state import CF, ZF, SF, OF, EAX, EDX, ARITH_FLAGS, W_EFLAGS, W_CC_OP

_CO = CF | OF
NOT_ARITH = ~ARITH_FLAGS & 0xFFFFFFFF


def put_flags(w, f):
    """MUL/IMUL write all six arithmetic flags: no need to materialise the pending ones."""
    w[W_EFLAGS] = (w[W_EFLAGS] & NOT_ARITH) | f
    w[W_CC_OP] = CC_EFLAGS


def _flags(low, sign, significant):
    f = PARITY[low & 0xFF]
    if low == 0:
        f |= ZF
    if low & sign:
        f |= SF
    return f | _CO if significant else f


@handles("mul")
def mul(x, insn):
    check_lock(insn)
    (src,) = insn.operands
    size = src.size
    mask, sign, bits = MASK[size], SIGN[size], size * 8
    w = x.w
    get = x.reader(src)
    if size == 1:
        def op():
            p = (w[EAX] & 0xFF) * get()
            w[EAX] = (w[EAX] & 0xFFFF0000) | p        # AX = AL * r/m8
            put_flags(w, _flags(p & 0xFF, sign, p >> 8))
    else:
        def op():
            p = (w[EAX] & mask) * get()
            lo, hi = p & mask, p >> bits
            if size == 4:
                w[EAX] = lo
                w[EDX] = hi
            else:
                w[EAX] = (w[EAX] & 0xFFFF0000) | lo
                w[EDX] = (w[EDX] & 0xFFFF0000) | hi
            put_flags(w, _flags(lo, sign, hi))
    return op


@handles("imul")
def imul(x, insn):
    check_lock(insn)
    ops = insn.operands
    size = ops[0].size
    mask, sign, bits = MASK[size], SIGN[size], size * 8
    w = x.w
    if len(ops) == 1:
        get = x.reader(ops[0])

        def op():
            a = w[EAX] & mask
            b = get()
            p = (a - ((a & sign) << 1)) * (b - ((b & sign) << 1))
            lo, hi = p & mask, (p >> bits) & mask
            if size == 1:
                w[EAX] = (w[EAX] & 0xFFFF0000) | (hi << 8) | lo
            elif size == 2:
                w[EAX] = (w[EAX] & 0xFFFF0000) | lo
                w[EDX] = (w[EDX] & 0xFFFF0000) | hi
            else:
                w[EAX] = lo
                w[EDX] = hi
            put_flags(w, _flags(lo, sign, p != lo - ((lo & sign) << 1)))
        return op
    # IMUL r, r/m and IMUL r, r/m, imm: the product is truncated to the destination size.
    put = x.writer(ops[0])
    get_a = x.reader(ops[-2] if len(ops) == 3 else ops[0], size)
    get_b = x.reader(ops[-1], size)

    def op2():
        a = get_a()
        b = get_b()
        p = (a - ((a & sign) << 1)) * (b - ((b & sign) << 1))
        lo = p & mask
        put(lo)
        put_flags(w, _flags(lo, sign, p != lo - ((lo & sign) << 1)))
    return op2


@handles("div", "idiv")
def div(x, insn):
    check_lock(insn)
    (src,) = insn.operands
    size = src.size
    mask, sign, bits = MASK[size], SIGN[size], size * 8
    w = x.w
    get = x.reader(src)
    signed = insn.name == "idiv"
    lo_q, hi_q = (-sign, sign - 1) if signed else (0, mask)
    wide_sign = 1 << (2 * bits - 1)

    def op():
        d = get()
        if size == 1:
            n = w[EAX] & 0xFFFF
        elif size == 2:
            n = ((w[EDX] & 0xFFFF) << 16) | (w[EAX] & 0xFFFF)
        else:
            n = (w[EDX] << 32) | w[EAX]
        if d == 0:
            raise GuestFault(DE, detail="divide by zero")
        if signed:
            n -= (n & wide_sign) << 1
            d -= (d & sign) << 1
            q = abs(n) // abs(d)            # IDIV truncates toward zero
            if (n < 0) != (d < 0):
                q = -q
            r = n - q * d                   # the remainder has the dividend's sign
        else:
            q, r = divmod(n, d)
        if q < lo_q or q > hi_q:
            raise GuestFault(DE, detail="quotient overflow")
        q &= mask
        r &= mask
        if size == 1:
            w[EAX] = (w[EAX] & 0xFFFF0000) | (r << 8) | q
        elif size == 2:
            w[EAX] = (w[EAX] & 0xFFFF0000) | q
            w[EDX] = (w[EDX] & 0xFFFF0000) | r
        else:
            w[EAX] = q
            w[EDX] = r
    return op
