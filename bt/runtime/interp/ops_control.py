"""Near control transfers: JMP, Jcc, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ, CALL, RET (imm16).

Called by the interpreter core at decode time (the factories); the closures are the hot path and
return the next EIP. Far transfers (ljmp/lcall/retf) live in ops_system.py. With a 16-bit operand size
the new EIP is truncated to 16 bits (SDM JMP/CALL/RET: "EIP <- tempEIP AND 0000FFFFH").

A transfer whose target is beyond the CS limit raises #GP(0) before it changes anything (nothing
pushed or popped, ECX of LOOP kept; SDM Vol. 2 JMP, Jcc, CALL, RET, LOOP, JCXZ): one compare
`target > limit`, which never holds with the flat limit 0xFFFFFFFF. A not-taken branch checks nothing.
"""
from bt.frontend import table
from bt.frontend.decoder import IMM
from bt.runtime import flags
from bt.runtime.events import GuestFault, GP
from bt.runtime.interp.registry import handles
from bt.runtime.state import CS, ECX, ESP, SS, ZF, W_SEG_BASE

M32 = 0xFFFFFFFF
W_CS_LIMIT = W_SEG_BASE[CS] + 1


def _target(insn):
    t = insn.operands[0].imm
    return t if insn.opsize == 4 else t & 0xFFFF


def beyond_limit(dest):
    return GuestFault(GP, 0, f"near transfer to {dest:#x} beyond the CS limit")


@handles("jmp")
def jmp(x, insn):
    (target,) = insn.operands
    w = x.w
    if target.kind == IMM:
        dest = _target(insn)

        def op():
            if dest > w[W_CS_LIMIT]:
                raise beyond_limit(dest)
            return dest
        return op
    get = x.reader(target)      # near indirect: the operand (16-bit operands zero-extended) is the EIP

    def op_indirect():
        dest = get()
        if dest > w[W_CS_LIMIT]:
            raise beyond_limit(dest)
        return dest
    return op_indirect


@handles(*("j" + cc for cc in table.CONDITIONS))
def jcc(x, insn):
    cc = table.condition_of(insn.name)
    taken = _target(insn)
    fall = insn.next_address
    w = x.w
    condition = flags.condition

    def op():
        if not condition(w, cc):
            return fall
        if taken > w[W_CS_LIMIT]:
            raise beyond_limit(taken)
        return taken
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
            if c and taken > w[W_CS_LIMIT]:
                raise beyond_limit(taken)
            w[ECX] = (w[ECX] & keep) | c
            return taken if c else fall
        return op
    want = ZF if insn.name == "loope" else 0

    def op_cc():
        c = (w[ECX] - 1) & amask
        branch = c and (materialize(w) & ZF) == want
        if branch and taken > w[W_CS_LIMIT]:
            raise beyond_limit(taken)
        w[ECX] = (w[ECX] & keep) | c
        return taken if branch else fall
    return op_cc


@handles("jcxz", "jecxz")
def jcxz(x, insn):
    w = x.w
    taken, fall = _target(insn), insn.next_address
    amask = 0xFFFF if insn.name == "jcxz" else M32

    def op():
        if w[ECX] & amask:
            return fall
        if taken > w[W_CS_LIMIT]:
            raise beyond_limit(taken)
        return taken
    return op


@handles("call")
def call(x, insn):
    (target,) = insn.operands
    ret = insn.next_address
    w = x.w
    if insn.opsize == 2:
        push, ret = x.push16, ret & 0xFFFF
    else:
        push = x.push32
    if target.kind == IMM:
        dest = _target(insn)
        if insn.opsize == 4:
            wr32, lin = x.wr32, x.seg_linear(SS, 4, True)

            def op32():
                if dest > w[W_CS_LIMIT]:     # before the push (SDM CALL: #GP before #SS)
                    raise beyond_limit(dest)
                sp = (w[ESP] - 4) & M32
                wr32(lin(sp), ret)
                w[ESP] = sp
                return dest
            return op32

        def op():
            if dest > w[W_CS_LIMIT]:
                raise beyond_limit(dest)
            push(ret)
            return dest
        return op
    get = x.reader(target)

    def op_indirect():
        dest = get()         # read before the push: CALL ESP / CALL [ESP] use the old ESP
        if dest > w[W_CS_LIMIT]:
            raise beyond_limit(dest)
        push(ret)
        return dest
    return op_indirect


@handles("ret")
def ret(x, insn):
    w = x.w
    release = insn.operands[0].imm & 0xFFFF if insn.operands else 0
    size = insn.opsize
    rd, lin = (x.rd32 if size == 4 else x.rd16), x.seg_linear(SS, size, False)
    if not release and size == 4:
        def op32():
            sp = w[ESP]
            dest = rd(lin(sp))
            if dest > w[W_CS_LIMIT]:         # ESP not yet moved: nothing popped
                raise beyond_limit(dest)
            w[ESP] = (sp + 4) & M32
            return dest
        return op32
    step = size + release

    def op():
        sp = w[ESP]
        dest = rd(lin(sp))
        if dest > w[W_CS_LIMIT]:
            raise beyond_limit(dest)
        w[ESP] = (sp + step) & M32
        return dest
    return op
