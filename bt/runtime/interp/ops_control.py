"""Near control transfers: JMP, Jcc, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ, CALL, RET (imm16).

Called by the interpreter core at decode time (the factories); the closures are the hot path and
return the next EIP. Far transfers (ljmp/lcall/retf) live in ops_system.py. With a 16-bit operand size
the new EIP is truncated to 16 bits (SDM JMP/CALL/RET: "EIP <- tempEIP AND 0000FFFFH").
"""
from bt.frontend import table
from bt.frontend.decoder import IMM
from bt.runtime import flags
from bt.runtime.interp.registry import handles
from bt.runtime.state import ECX, ESP, SS, ZF

M32 = 0xFFFFFFFF


def _target(insn):
    t = insn.operands[0].imm
    return t if insn.opsize == 4 else t & 0xFFFF


@handles("jmp")
def jmp(x, insn):
    (target,) = insn.operands
    if target.kind == IMM:
        dest = _target(insn)

        def op():
            return dest
        return op
    return x.reader(target)      # near indirect: the operand (16-bit operands zero-extended) is the EIP


@handles(*("j" + cc for cc in table.CONDITIONS))
def jcc(x, insn):
    cc = table.condition_of(insn.name)
    taken = _target(insn)
    fall = insn.next_address
    w = x.w
    condition = flags.condition

    def op():
        return taken if condition(w, cc) else fall
    return op


@handles("loop", "loope", "loopne")
def loop(x, insn):
    # The count register is CX with a 16-bit address size (0x67), else ECX; its upper half is kept.
    w = x.w
    taken, fall = _target(insn), insn.next_address
    amask = 0xFFFF if insn.addr_size == 2 else M32
    keep = ~amask & M32
    materialize = flags.materialize
    if insn.name == "loop":
        def op():
            c = (w[ECX] - 1) & amask
            w[ECX] = (w[ECX] & keep) | c
            return taken if c else fall
        return op
    want = ZF if insn.name == "loope" else 0

    def op_cc():
        c = (w[ECX] - 1) & amask
        w[ECX] = (w[ECX] & keep) | c
        return taken if c and (materialize(w) & ZF) == want else fall
    return op_cc


@handles("jcxz", "jecxz")
def jcxz(x, insn):
    w = x.w
    taken, fall = _target(insn), insn.next_address
    amask = 0xFFFF if insn.name == "jcxz" else M32

    def op():
        return fall if w[ECX] & amask else taken
    return op


@handles("call")
def call(x, insn):
    (target,) = insn.operands
    ret = insn.next_address
    if insn.opsize == 2:
        push, ret = x.push16, ret & 0xFFFF
    else:
        push = x.push32
    if target.kind == IMM:
        dest = _target(insn)
        if insn.opsize == 4:
            w, wr32, lin = x.w, x.wr32, x.seg_linear(SS, 4, True)

            def op32():
                sp = (w[ESP] - 4) & M32
                wr32(lin(sp), ret)
                w[ESP] = sp
                return dest
            return op32

        def op():
            push(ret)
            return dest
        return op
    get = x.reader(target)

    def op_indirect():
        dest = get()         # read before the push: CALL ESP / CALL [ESP] use the old ESP
        push(ret)
        return dest
    return op_indirect


@handles("ret")
def ret(x, insn):
    w = x.w
    release = insn.operands[0].imm & 0xFFFF if insn.operands else 0
    pop = x.pop32 if insn.opsize == 4 else x.pop16
    if not release and insn.opsize == 4:
        rd32, lin = x.rd32, x.seg_linear(SS, 4, False)

        def op32():
            sp = w[ESP]
            dest = rd32(lin(sp))
            w[ESP] = (sp + 4) & M32
            return dest
        return op32
    if not release:
        return pop

    def op():
        dest = pop()
        w[ESP] = (w[ESP] + release) & M32
        return dest
    return op
