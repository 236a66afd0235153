"""Operand access for lowerings: effective addresses, reads, writes, read-modify-write (cold:
translation time). Memory operands go through the emitter's shadow fast path."""
from bt.frontend.decoder import REG, IMM, MEM
from bt.backend.emitter import Unsupported


def ea(e, op):
    """The *offset* (i32, before the segment base) of memory operand `op`."""
    parts = []
    if op.base >= 0:
        parts.append(e.reg32(op.base))
    if op.index >= 0:
        idx = e.reg32(op.index)
        if op.scale != 1:
            idx = e.emit(f"shl i32 {idx}, {op.scale.bit_length() - 1}")
        parts.append(idx)
    if op.addr_size == 2:
        parts = [e.emit(f"and i32 {p}, 65535") for p in parts]
    value = None
    for p in parts:
        value = p if value is None else e.emit(f"add i32 {value}, {p}")
    if op.disp or value is None:
        disp = e.const(op.disp, 4)
        value = disp if value is None else e.emit(f"add i32 {value}, {disp}", "ea")
    if op.addr_size == 2:
        value = e.emit(f"and i32 {value}, 65535", "ea")
    return value


def linear_address(e, op, size=None, write=False):
    """The checked linear address of memory operand `op` accessed as `size` bytes (op.size)."""
    return e.linear(op.seg, ea(e, op), size or op.size, write)


def read(e, op, size=None):
    """Operand value with the operand's width (immediates at `size`)."""
    if op.kind == REG:
        return e.reg(op.reg, op.size, op.high8)
    if op.kind == IMM:
        return e.const(op.imm, size or op.size)
    if op.kind == MEM:
        return e.load(linear_address(e, op), op.size)
    raise Unsupported(f"operand kind {op.kind}")


def write(e, op, value):
    if op.kind == REG:
        return e.set_reg(op.reg, value, op.size, op.high8)
    if op.kind == MEM:
        return e.store(linear_address(e, op, op.size, True), value, op.size)
    raise Unsupported(f"operand kind {op.kind}")


class Location:
    """A read-modify-write operand: the address is computed once."""

    def __init__(self, e, op):
        self.e, self.op = e, op
        self.addr = linear_address(e, op, op.size, True) if op.kind == MEM else None

    def read(self):
        if self.addr is None:
            return read(self.e, self.op)
        return self.e.load(self.addr, self.op.size)

    def write(self, value):
        if self.addr is None:
            return write(self.e, self.op, value)
        return self.e.store(self.addr, value, self.op.size)
