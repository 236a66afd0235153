"""Data movement handlers: MOV, MOVZX/MOVSX, LEA, XCHG, PUSH/POP(A), ENTER/LEAVE, the sign extensions,
XLATB, BSWAP, LAHF/SAHF, CMOVcc, SETcc, XADD, CMPXCHG, CMPXCHG8B.

Called by the interpreter core at decode time (the factories); the closures they return are the hot
path. SDM Vol. 2 is the spec for each. Instructions that touch memory and registers write memory first,
so a fault on the store leaves the registers untouched (precise state).
"""
from bt.frontend import table
from bt.frontend.decoder import REG, MEM, IMM, SREG, Operand
from bt.runtime import flags
from bt.runtime.flags import CC_ADD, CC_SUB
from bt.runtime.interp.registry import handles
from bt.runtime.events import GuestFault
from bt.runtime.state import EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, DS, SS, CF, PF, AF, ZF, SF

M32 = 0xFFFFFFFF
MASK = {1: 0xFF, 2: 0xFFFF, 4: M32}
SIGN = {1: 0x80, 2: 0x8000, 4: 0x80000000}


@handles("mov")
def mov(x, insn):
    dst, src = insn.operands
    if dst.kind not in (REG, MEM) or src.kind not in (REG, MEM, IMM):
        from bt.runtime.interp.ops_system import mov_special
        return mov_special(x, insn)
    get, put = x.reader(src, dst.size), x.writer(dst)

    def op():
        put(get())
    return op


@handles("movzx")
def movzx(x, insn):
    dst, src = insn.operands
    get, put = x.reader(src), x.writer(dst)

    def op():
        put(get())
    return op


@handles("movsx")
def movsx(x, insn):
    dst, src = insn.operands
    get, put = x.reader(src), x.writer(dst)
    sign, mask = SIGN[src.size], MASK[dst.size]

    def op():
        put(((get() ^ sign) - sign) & mask)
    return op


def offset(x, m):
    """A closure computing memory operand m's effective address (offset, no segment base)."""
    w = x.w
    base, index, scale, disp = m.base, m.index, m.scale, m.disp
    amask = MASK[m.addr_size]
    if base < 0 and index < 0:
        return lambda: disp
    if index < 0:
        return lambda: (w[base] + disp) & amask
    if base < 0:
        return lambda: (w[index] * scale + disp) & amask
    return lambda: (w[base] + w[index] * scale + disp) & amask


@handles("lea")
def lea(x, insn):
    dst, src = insn.operands
    off, put, mask = offset(x, src), x.writer(dst), MASK[dst.size]
    if dst.size == 4 and src.addr_size == 4:
        return lambda: put(off())

    def op():
        put(off() & mask)
    return op


@handles("xchg")
def xchg(x, insn):
    a, b = insn.operands
    if b.kind == MEM:
        a, b = b, a
    load, store = x.location(a)
    get, put = x.reader(b), x.writer(b)

    def op():
        va, vb = load(), get()
        store(vb)          # memory (if any) first: a faulting store changes nothing
        put(va)
    return op


# ---- stack ------------------------------------------------------------------------------------

@handles("push")
def push(x, insn):
    (src,) = insn.operands
    if src.kind == SREG:
        from bt.runtime.interp.ops_system import push_sreg
        return push_sreg(x, insn)
    get = x.reader(src)
    if src.size == 2:
        push16 = x.push16

        def op16():
            push16(get())
        return op16
    w, wr32, lin = x.w, x.wr32, x.seg_linear(SS, 4, True)

    def op():
        v = get()        # PUSH ESP pushes the value before the decrement: read first
        sp = (w[ESP] - 4) & M32
        wr32(lin(sp), v)
        w[ESP] = sp
    return op


@handles("pop")
def pop(x, insn):
    (dst,) = insn.operands
    if dst.kind == SREG:
        from bt.runtime.interp.ops_system import pop_sreg
        return pop_sreg(x, insn)
    w = x.w
    pop_, put = (x.pop32 if dst.size == 4 else x.pop16), x.writer(dst)
    if dst.kind == REG and dst.size == 4:
        r, rd32, lin = dst.reg, x.rd32, x.seg_linear(SS, 4, False)

        def op32():
            sp = w[ESP]
            v = rd32(lin(sp))
            w[ESP] = (sp + 4) & M32
            w[r] = v     # POP ESP: the popped value wins over the increment
        return op32
    if dst.kind == REG:
        def op():
            put(pop_())
        return op

    def op_mem():
        # The address of POP m uses ESP after the increment (SDM POP); undo it if the store faults.
        sp = w[ESP]
        value = pop_()
        try:
            put(value)
        except GuestFault:
            w[ESP] = sp
            raise
    return op_mem


PUSHA_ORDER = (EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI)


@handles("pushal", "pushaw")
def pusha(x, insn):
    w = x.w
    size = 2 if insn.name == "pushaw" else 4
    wr, mask = x.writers[size], MASK[size]
    linear = x.linear

    def op():
        sp = w[ESP]
        linear(SS, (sp - 8 * size) & M32, 8 * size, True)    # all of it, before any store
        for r in PUSHA_ORDER:    # ESP is pushed as it was before the instruction
            sp = (sp - size) & M32
            wr(linear(SS, sp, size, True), w[r] & mask)
        w[ESP] = sp
    return op


@handles("popal", "popaw")
def popa(x, insn):
    w = x.w
    size = 2 if insn.name == "popaw" else 4
    rd = x.readers[size]
    linear = x.linear
    order = (EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX)

    def op():
        sp = w[ESP]
        values = []
        for _ in order:
            values.append(rd(linear(SS, sp, size, False)))
            sp = (sp + size) & M32
        for r, v in zip(order, values):
            if r == ESP:
                continue          # the saved ESP is skipped
            w[r] = v if size == 4 else (w[r] & 0xFFFF0000) | v
        w[ESP] = sp
    return op


@handles("enter")
def enter(x, insn):
    w = x.w
    alloc = insn.operands[0].imm & 0xFFFF
    level = insn.operands[1].imm & 31
    size = insn.opsize
    wr, rd, mask = x.writers[size], x.readers[size], MASK[size]
    linear = x.linear

    def op():
        sp, bp = w[ESP], w[EBP]
        sp = (sp - size) & M32
        wr(linear(SS, sp, size, True), bp & mask)
        frame = sp
        if level:
            for i in range(1, level):
                sp = (sp - size) & M32
                wr(linear(SS, sp, size, True), rd(linear(SS, (bp - i * size) & M32, size, False)))
            sp = (sp - size) & M32
            wr(linear(SS, sp, size, True), frame & mask)
        # With a 16-bit operand size only BP is loaded (as QEMU does); the stack is 32-bit (ESP).
        w[EBP] = frame if size == 4 else (bp & 0xFFFF0000) | (frame & 0xFFFF)
        w[ESP] = (sp - alloc) & M32
    return op


@handles("leave")
def leave(x, insn):
    w = x.w
    size = insn.opsize
    rd = x.readers[size]
    lin = x.seg_linear(SS, size, False)

    def op():
        bp = w[EBP]
        value = rd(lin(bp))
        w[ESP] = (bp + size) & M32
        w[EBP] = value if size == 4 else (bp & 0xFFFF0000) | value
    return op


# ---- register-only conversions ------------------------------------------------------------------

@handles("cbw")
def cbw(x, insn):
    w = x.w

    def op():
        w[EAX] = (w[EAX] & 0xFFFF0000) | (((w[EAX] & 0xFF) ^ 0x80) - 0x80) & 0xFFFF
    return op


@handles("cwde")
def cwde(x, insn):
    w = x.w

    def op():
        w[EAX] = (((w[EAX] & 0xFFFF) ^ 0x8000) - 0x8000) & M32
    return op


@handles("cwd")
def cwd(x, insn):
    w = x.w

    def op():
        w[EDX] = (w[EDX] & 0xFFFF0000) | (0xFFFF if w[EAX] & 0x8000 else 0)
    return op


@handles("cdq")
def cdq(x, insn):
    w = x.w

    def op():
        w[EDX] = M32 if w[EAX] & 0x80000000 else 0
    return op


@handles("xlatb")
def xlatb(x, insn):
    w = x.w
    lin = x.seg_linear(insn.seg_override if insn.seg_override >= 0 else DS, 1, False)
    amask = MASK[insn.addr_size]
    rd8 = x.rd8

    def op():
        al = rd8(lin((w[EBX] + (w[EAX] & 0xFF)) & amask))
        w[EAX] = (w[EAX] & 0xFFFFFF00) | al
    return op


@handles("bswap")
def bswap(x, insn):
    w = x.w
    r = insn.operands[0].reg
    if insn.operands[0].size == 2:
        # BSWAP r16 is undefined in the SDM; P6 hardware and Unicorn clear the 16-bit register.
        def op16():
            w[r] &= 0xFFFF0000
        return op16
    from_bytes, to_bytes = int.from_bytes, int.to_bytes

    def op():
        w[r] = from_bytes(to_bytes(w[r], 4, "little"), "big")
    return op


@handles("lahf")
def lahf(x, insn):
    w = x.w
    materialize = flags.materialize

    def op():
        f = materialize(w) & (SF | ZF | AF | PF | CF) | 2
        w[EAX] = (w[EAX] & 0xFFFF00FF) | (f << 8)
    return op


@handles("sahf")
def sahf(x, insn):
    w = x.w
    set_arith = flags.set_arith
    mask = SF | ZF | AF | PF | CF

    def op():
        set_arith(w, w[EAX] >> 8, mask)
    return op


# ---- conditional moves and sets --------------------------------------------------------------------

@handles(*("cmov" + cc for cc in table.CONDITIONS))
def cmov(x, insn):
    dst, src = insn.operands
    cc = table.condition_of(insn.name)
    get, put = x.reader(src), x.writer(dst)
    w, condition = x.w, flags.condition

    def op():
        value = get()        # the source is read (and may fault) whatever the condition
        if condition(w, cc):
            put(value)
    return op


@handles(*("set" + cc for cc in table.CONDITIONS))
def setcc(x, insn):
    cc = table.condition_of(insn.name)
    put = x.writer(insn.operands[0])
    w, condition = x.w, flags.condition

    def op():
        put(1 if condition(w, cc) else 0)
    return op


# ---- atomic read-modify-write (single CPU: LOCK changes nothing) -------------------------------------

@handles("xadd")
def xadd(x, insn):
    dst, src = insn.operands
    load, store = x.location(dst)
    get, put = x.reader(src), x.writer(src)
    w, record = x.w, flags.record
    size = dst.size
    mask, cc = MASK[size], CC_ADD | size
    if dst.kind == MEM:
        def op():
            d, s = load(), get()
            res = (d + s) & mask
            store(res)
            put(d)
            record(w, cc, d, s, res)
        return op

    def op_reg():
        d, s = load(), get()
        res = (d + s) & mask
        put(d)
        store(res)           # TEMP -> DEST last: XADD r, r with the same register doubles it
        record(w, cc, d, s, res)
    return op_reg


@handles("cmpxchg")
def cmpxchg(x, insn):
    dst, src = insn.operands
    size = dst.size
    load, store = x.location(dst)
    get = x.reader(src)
    acc = x.reader(Operand(kind=REG, size=size, reg=EAX))
    put_acc = x.writer(Operand(kind=REG, size=size, reg=EAX))
    w, record = x.w, flags.record
    mask, cc = MASK[size], CC_SUB | size

    def op():
        d, a = load(), acc()
        if a == d:
            store(get())
        else:
            store(d)         # the destination gets a write cycle either way (SDM CMPXCHG)
            put_acc(d)
        record(w, cc, a, d, (a - d) & mask)
    return op


@handles("cmpxchg8b")
def cmpxchg8b(x, insn):
    (m,) = insn.operands
    ea, rd32, wr32 = x.ea(m, 8, True), x.rd32, x.wr32
    w, set_arith = x.w, flags.set_arith

    def op():
        a = ea()
        hi_a = (a + 4) & M32
        lo, hi = rd32(a), rd32(hi_a)
        if lo == w[EAX] and hi == w[EDX]:
            wr32(a, w[EBX])
            wr32(hi_a, w[ECX])
            set_arith(w, ZF, ZF)
        else:
            wr32(a, lo)
            wr32(hi_a, hi)
            w[EAX], w[EDX] = lo, hi
            set_arith(w, 0, ZF)
    return op

