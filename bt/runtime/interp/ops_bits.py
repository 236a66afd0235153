"""Bit test and scan handlers: BT BTS BTR BTC BSF BSR (SDM Vol. 2).

Factories run at decode time; the closures are the interpreter's hot path.
BTx: CF = the selected bit; ZF is unchanged and the other arithmetic flags (undefined) are left as
they were. BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as P6 and QEMU do);
the undefined flags come out as QEMU/Unicorn give them: those of a logic result equal to the source.
"""
from bt.frontend.decoder import REG, IMM, MEM
from bt.runtime import flags
from bt.runtime.flags import CC_LOGIC
from bt.runtime.interp.ops_alu import check_lock
from bt.runtime.interp.registry import handles
from bt.runtime.state import CF, W_CC_OP, W_CC_A, W_CC_B, W_CC_RES

M32 = 0xFFFFFFFF


@handles("bt", "bts", "btr", "btc")
def bit_test(x, insn):
    check_lock(insn)
    base, offset = insn.operands
    size = base.size
    bits = size * 8
    w = x.w
    set_arith = flags.set_arith
    name = insn.name

    if base.kind == MEM and offset.kind == REG:
        # SDM "BT": a register offset is signed and selects any bit relative to the operand, so the
        # word actually accessed is at ea + size * (offset >> log2(bits)).
        from bt.runtime.interp.ops_move import offset as effective_offset
        ea_off, seg, linear = effective_offset(x, base), base.seg, x.linear
        get_off = x.reader(offset)
        rd, wr = x.readers[size], x.writers[size]
        shift = 4 if size == 2 else 5
        sign = 1 << (bits - 1)
        write = name != "bt"

        def locate():
            off = get_off()
            off -= (off & sign) << 1
            at = (ea_off() + (off >> shift) * size) & M32
            return linear(seg, at, size, write), off & (bits - 1)

        if name == "bt":
            def op():
                addr, n = locate()
                set_arith(w, (rd(addr) >> n) & 1, CF)
        else:
            modify = _modifier(name)

            def op():
                addr, n = locate()
                v = rd(addr)
                wr(addr, modify(v, 1 << n))
                set_arith(w, (v >> n) & 1, CF)
        return op

    # Register base, or memory base with an immediate offset: the offset is taken modulo the width.
    if offset.kind == IMM:
        n = offset.imm & (bits - 1)
        get_bit = lambda: n     # noqa: E731
    else:
        get_off = x.reader(offset)
        get_bit = lambda: get_off() & (bits - 1)    # noqa: E731
    if name == "bt":
        get = x.reader(base)

        def op():
            set_arith(w, (get() >> get_bit()) & 1, CF)
        return op
    load, store = x.location(base)
    modify = _modifier(name)

    def op_rmw():
        n = get_bit()
        v = load()
        store(modify(v, 1 << n))
        set_arith(w, (v >> n) & 1, CF)
    return op_rmw


def _modifier(name):
    if name == "bts":
        return int.__or__
    if name == "btc":
        return int.__xor__
    return lambda v, b: v & ~b      # btr


@handles("bsf", "bsr")
def bit_scan(x, insn):
    check_lock(insn)
    dst, src = insn.operands
    size = dst.size
    cc = CC_LOGIC | size
    w = x.w
    get = x.reader(src)
    put = x.writer(dst)
    forward = insn.name == "bsf"

    def op():
        v = get()
        if v:
            put((v & -v).bit_length() - 1 if forward else v.bit_length() - 1)
        # ZF = (source == 0); SF/PF/CF/OF/AF as QEMU computes them for this undefined case.
        w[W_CC_OP] = cc; w[W_CC_A] = 0; w[W_CC_B] = 0; w[W_CC_RES] = v
    return op
