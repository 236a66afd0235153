"""Native lowerings of near control transfers: JMP Jcc CALL RET LOOP* JECXZ. Each ends the block
through the emitter's chaining exits. With a 16-bit operand size (0x66) the new EIP is truncated to
16 bits and CALL/RET push/pop a 16-bit IP (SDM "JMP", "CALL", "RET"). A taken transfer first checks
its target against the CS limit (`code_target_ok`, seg_checks.py): before CALL's push. Cold."""
from bt.backend import operands
from bt.backend.emitter import Unsupported
from bt.backend.lower_move import push_value, pop_value
from bt.backend.lowering import lowers
from bt.frontend import table
from bt.frontend.decoder import IMM
from bt.runtime.state import ECX, ESP


def _target(insn):
    imm = insn.operands[0].imm
    return imm if insn.opsize == 4 else imm & 0xFFFF


@lowers("jmp")
def jmp(e, insn):
    (target,) = insn.operands
    if target.kind == IMM:
        e.code_target_ok(_target(insn))
        return e.exit_to(_target(insn))
    dest = e.zext(operands.read(e, target), target.size)
    e.code_target_ok(dest)
    e.exit_to_value(dest)


@lowers(*("j" + cc for cc in table.CONDITIONS))
def jcc(e, insn):
    cond = e.condition(table.condition_of(insn.name))
    e.exit_branch(cond, _target(insn), insn.next_address)


@lowers("loop", "loope", "loopne", "jecxz")
def loop(e, insn):
    if insn.addr_size != 4 or insn.opsize != 4:
        raise Unsupported("16-bit loop/jcxz")
    ecx = e.reg32(ECX)
    if insn.name == "jecxz":
        cond = e.emit(f"icmp eq i32 {ecx}, 0")
    else:
        count = e.emit(f"sub i32 {ecx}, 1", "ecx")
        e.set_reg32(ECX, count)
        cond = e.emit(f"icmp ne i32 {count}, 0")
        if insn.name != "loop":
            zf = e.condition(4)
            if insn.name == "loopne":
                zf = e.emit(f"xor i1 {zf}, true")
            cond = e.emit(f"and i1 {cond}, {zf}")
    e.exit_branch(cond, _target(insn), insn.next_address)


@lowers("call")
def call(e, insn):
    (target,) = insn.operands
    size = insn.opsize
    if target.kind == IMM:
        e.code_target_ok(_target(insn))
        push_value(e, e.const(insn.next_address, size), size)
        return e.exit_to(_target(insn))
    dest = e.zext(operands.read(e, target), target.size)   # read before the push: the one store
    e.code_target_ok(dest)
    push_value(e, e.const(insn.next_address, size), size)
    e.exit_to_value(dest)


@lowers("ret")
def ret(e, insn):
    size = insn.opsize
    dest = e.zext(pop_value(e, size), size)
    e.code_target_ok(dest)
    if insn.operands:
        extra = insn.operands[0].imm
        e.set_reg32(ESP, e.emit(f"add i32 {e.reg32(ESP)}, {extra}", "esp"))
    e.exit_to_value(dest)
