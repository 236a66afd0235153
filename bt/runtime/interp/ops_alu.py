"""Integer ALU handlers: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT (SDM Vol. 2).

Factories run at decode time (bt/runtime/interp/registry.py); the closures they return are the
interpreter's hot path, so flags are recorded lazily (bt/runtime/flags.py) and the common 32-bit
register destination gets closures that touch the register words directly.
"""
from bt.frontend.decoder import REG, MEM
from bt.runtime.events import GuestFault, UD
from bt.runtime.flags import CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC, MASK, SIGN
from bt.runtime.interp.registry import handles
from bt.runtime.state import W_EFLAGS, W_CC_OP, W_CC_A, W_CC_B, W_CC_RES, CF

# SDM "LOCK": the prefix is legal only on these, and only with a memory destination.
LOCKABLE = frozenset(("add", "adc", "and", "btc", "btr", "bts", "cmpxchg", "cmpxchg8b", "dec", "inc",
                      "neg", "not", "or", "sbb", "sub", "xor", "xadd", "xchg"))


def check_lock(insn):
    """#UD for a LOCK prefix the SDM does not allow (raised at decode, delivered when reached)."""
    if insn.lock and (insn.name not in LOCKABLE or not insn.operands or insn.operands[0].kind != MEM):
        raise GuestFault(UD, detail=f"LOCK not allowed on {insn.text!r}")


_KIND = {"add": CC_ADD, "adc": CC_ADC, "sub": CC_SUB, "sbb": CC_SBB, "cmp": CC_SUB,
         "and": CC_LOGIC, "or": CC_LOGIC, "xor": CC_LOGIC, "test": CC_LOGIC}


@handles("add", "sub", "cmp", "and", "or", "xor", "test")
def binary(x, insn):
    check_lock(insn)
    dst, src = insn.operands
    size = dst.size
    mask = MASK[size]
    name = insn.name
    cc = _KIND[name] | size
    w = x.w
    get = x.reader(src, size)
    if dst.kind == REG and size == 4:
        return _binary_reg32(w, name, cc, dst.reg, get)
    writes = name not in ("cmp", "test")
    load, store = x.location(dst) if writes else (x.reader(dst), None)

    if name == "add":
        def op():
            a = load()
            b = get()
            r = (a + b) & mask
            store(r)
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    elif name == "sub":
        def op():
            a = load()
            b = get()
            r = (a - b) & mask
            store(r)
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    elif name == "cmp":
        def op():
            a = load()
            b = get()
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = (a - b) & mask
    elif name == "test":
        def op():
            w[W_CC_OP] = cc; w[W_CC_RES] = load() & get()
    else:
        combine = {"and": int.__and__, "or": int.__or__, "xor": int.__xor__}[name]

        def op():
            r = combine(load(), get())
            store(r)
            w[W_CC_OP] = cc; w[W_CC_RES] = r
    return op


def _binary_reg32(w, name, cc, d, get):
    M = 0xFFFFFFFF
    if name == "add":
        def op():
            a = w[d]
            b = get()
            w[d] = r = (a + b) & M
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    elif name == "sub":
        def op():
            a = w[d]
            b = get()
            w[d] = r = (a - b) & M
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    elif name == "cmp":
        def op():
            a = w[d]
            b = get()
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = (a - b) & M
    elif name == "test":
        def op():
            w[W_CC_OP] = cc; w[W_CC_RES] = w[d] & get()
    elif name == "and":
        def op():
            w[d] = r = w[d] & get()
            w[W_CC_OP] = cc; w[W_CC_RES] = r
    elif name == "or":
        def op():
            w[d] = r = w[d] | get()
            w[W_CC_OP] = cc; w[W_CC_RES] = r
    else:
        def op():
            w[d] = r = w[d] ^ get()
            w[W_CC_OP] = cc; w[W_CC_RES] = r
    return op


@handles("adc", "sbb")
def with_carry(x, insn):
    check_lock(insn)
    dst, src = insn.operands
    size = dst.size
    mask = MASK[size]
    w = x.w
    get = x.reader(src, size)
    load, store = x.location(dst)
    carry = current_carry
    if insn.name == "adc":
        cc = CC_ADC | size

        def op():
            a = load()
            b = get()
            r = (a + b + carry(w)) & mask
            store(r)
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    else:
        cc = CC_SBB | size

        def op():
            a = load()
            b = get()
            r = (a - b - carry(w)) & mask
            store(r)
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = b; w[W_CC_RES] = r
    return op


def pending_carry(w, cc_op):
    """CF of a pending lazy record, without computing the other five flags (INC/DEC, hot)."""
    kind = cc_op & ~7
    if kind == CC_LOGIC:
        return 0
    if kind == CC_INC or kind == CC_DEC:
        return w[W_EFLAGS] & CF
    a, b, res, sign = w[W_CC_A], w[W_CC_B], w[W_CC_RES], SIGN[cc_op & 7]
    if kind == CC_ADD or kind == CC_ADC:
        return 1 if ((a & b) | ((a | b) & ~res)) & sign else 0
    return 1 if ((~a & b) | ((~a | b) & res)) & sign else 0


def current_carry(w):
    """CF now (ADC/SBB, hot): only CF of a pending record is computed; ADC/SBB overwrite the rest."""
    cc_op = w[W_CC_OP]
    return pending_carry(w, cc_op) if cc_op else w[W_EFLAGS] & CF


@handles("inc", "dec")
def inc_dec(x, insn):
    check_lock(insn)
    (dst,) = insn.operands
    size = dst.size
    mask = MASK[size]
    w = x.w
    # INC/DEC keep CF: move the pending CF into eflags before recording (materialize takes CF from
    # eflags for an INC/DEC record; the other five flags are all overwritten).
    cc = (CC_INC if insn.name == "inc" else CC_DEC) | size
    delta = 1 if insn.name == "inc" else -1

    if dst.kind == REG and size == 4:
        d = dst.reg

        def op_reg32():
            a = w[d]
            w[d] = r = (a + delta) & 0xFFFFFFFF
            pending = w[W_CC_OP]
            if pending:
                w[W_EFLAGS] = (w[W_EFLAGS] & ~CF) | pending_carry(w, pending)
            w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = 1; w[W_CC_RES] = r
        return op_reg32
    load, store = x.location(dst)

    def op():
        a = load()
        r = (a + delta) & mask
        store(r)
        pending = w[W_CC_OP]
        if pending:
            w[W_EFLAGS] = (w[W_EFLAGS] & ~CF) | pending_carry(w, pending)
        w[W_CC_OP] = cc; w[W_CC_A] = a; w[W_CC_B] = 1; w[W_CC_RES] = r
    return op


@handles("neg")
def neg(x, insn):
    check_lock(insn)
    (dst,) = insn.operands
    size = dst.size
    mask = MASK[size]
    cc = CC_SUB | size      # NEG is 0 - dst: CF = (dst != 0)
    w = x.w
    load, store = x.location(dst)

    def op():
        b = load()
        r = -b & mask
        store(r)
        w[W_CC_OP] = cc; w[W_CC_A] = 0; w[W_CC_B] = b; w[W_CC_RES] = r
    return op


@handles("not")
def not_(x, insn):
    check_lock(insn)
    (dst,) = insn.operands
    mask = MASK[dst.size]
    load, store = x.location(dst)

    def op():
        store(load() ^ mask)
    return op
