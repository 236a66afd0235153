"""Control transfer handlers: JMP, Jcc, LOOP*, JECXZ, CALL, RET (near). Factories run at decode
time; their closures return the next EIP. Far transfers live in ops_system.py."""
from bt.frontend import table
from bt.frontend.decoder import IMM
from bt.runtime import flags
from bt.runtime.interp.registry import handles


@handles("jmp")
def jmp(x, insn):
    (target,) = insn.operands
    if target.kind == IMM:
        dest = target.imm if insn.opsize == 4 else target.imm & 0xFFFF

        def op():
            return dest
        return op
    get = x.reader(target)
    return get      # near indirect: the operand is the new EIP


@handles(*("j" + cc for cc in table.CONDITIONS))
def jcc(x, insn):
    cc = table.condition_of(insn.name)
    taken = insn.operands[0].imm if insn.opsize == 4 else insn.operands[0].imm & 0xFFFF
    fall = insn.next_address
    w = x.w
    condition = flags.condition

    def op():
        return taken if condition(w, cc) else fall
    return op
