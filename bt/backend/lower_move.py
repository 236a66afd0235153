"""Native lowerings of data movement: MOV MOVZX MOVSX LEA XCHG XLATB PUSH POP and the NOP family.
Cold."""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import REG, IMM, MEM
from bt.runtime.state import EAX, EBX, DS, ESP, SS


@lowers("mov")
def mov(e, insn):
    dst, src = insn.operands
    if dst.kind not in (REG, MEM) or src.kind not in (REG, MEM, IMM):
        raise Unsupported("segment/control/debug register move: a VMM callout")
    operands.write(e, dst, operands.read(e, src, dst.size))


@lowers("movzx", "movsx")
def mov_extend(e, insn):
    dst, src = insn.operands
    value = operands.read(e, src)
    ext = e.zext if insn.name == "movzx" else e.sext
    operands.write(e, dst, ext(value, src.size, dst.size))


@lowers("lea")
def lea(e, insn):
    dst, src = insn.operands
    offset = operands.ea(e, src)
    operands.write(e, dst, e.trunc(offset, 4, dst.size))


@lowers("nop", "pause", "endbr32", "prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2")
def nop(e, insn):
    pass


@lowers("xchg")
def xchg(e, insn):
    a_op, b_op = insn.operands
    if a_op.kind == MEM and b_op.kind == MEM:
        raise Unsupported("xchg mem, mem")
    if b_op.kind == MEM:
        a_op, b_op = b_op, a_op
    loc = operands.Location(e, a_op)
    a = loc.read()
    b = operands.read(e, b_op)
    loc.write(b)                 # the one memory store comes after every access that can side-exit
    operands.write(e, b_op, a)


def push_value(e, value, size):
    sp = e.reg32(ESP)
    new_sp = e.emit(f"sub i32 {sp}, {size}", "esp")
    e.store(e.linear(SS, new_sp, size, True), value, size)
    e.set_reg32(ESP, new_sp)


def pop_value(e, size):
    sp = e.reg32(ESP)
    value = e.load(e.linear(SS, sp, size, False), size)
    e.set_reg32(ESP, e.emit(f"add i32 {sp}, {size}", "esp"))
    return value


@lowers("push")
def push(e, insn):
    (src,) = insn.operands
    if src.kind not in (REG, MEM, IMM):
        raise Unsupported("push of a segment register: a VMM callout")
    size = insn.opsize if src.kind == IMM else src.size
    value = operands.read(e, src, size)
    push_value(e, value, size)


@lowers("pop")
def pop(e, insn):
    (dst,) = insn.operands
    if dst.kind not in (REG, MEM):
        raise Unsupported("pop of a segment register: a VMM callout")
    # ESP is incremented before a memory destination's address is computed (SDM "POP"); the
    # store is the one store and comes after the load's check.
    value = pop_value(e, dst.size)
    operands.write(e, dst, value)    # `pop esp` leaves the popped value in ESP


@lowers("xlatb")
def xlatb(e, insn):
    if insn.addr_size != 4:
        raise Unsupported("16-bit address size xlatb")
    seg = insn.seg_override if insn.seg_override >= 0 else DS
    index = e.zext(e.reg(EAX, 1), 1)
    offset = e.emit(f"add i32 {e.reg32(EBX)}, {index}", "ea")
    e.set_reg(EAX, e.load(e.linear(seg, offset, 1, False), 1), 1)
