"""Native lowerings of bit tests and scans: BT BTS BTR BTC BSF BSR, and BSWAP (SDM Vol. 2). Cold.

BTx: CF = the selected bit; the other arithmetic flags (undefined) are left unchanged.
BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as P6 and QEMU do); the
undefined flags are those of a logic result equal to the source (a lazy CC_LOGIC record).
"""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import REG, IMM, MEM
from bt.runtime.flags import CC_LOGIC
from bt.runtime.state import CF


@lowers("bt", "bts", "btr", "btc")
def bit_test(e, insn):
    base, offset = insn.operands
    if insn.lock and base.kind != MEM:
        raise Unsupported("LOCK on a register operand (#UD: the interpreter raises it)")
    size = base.size
    bits = 8 * size
    t = TYPE[size]
    if base.kind == MEM and offset.kind == REG:
        if base.addr_size != 4:
            raise Unsupported("16-bit addressing with a register bit offset")
        # A register offset is signed and reaches any bit relative to the operand: the word accessed
        # is at ea + size * (offset >> log2(bits)).
        off = operands.read(e, offset)
        off32 = e.sext(off, size, 4)
        word = e.emit(f"ashr i32 {off32}, {bits.bit_length() - 1}")
        delta = e.emit(f"shl i32 {word}, {size.bit_length() - 1}")
        offset_ea = e.emit(f"add i32 {operands.ea(e, base)}, {delta}", "ea")
        addr = e.linear(base.seg, offset_ea, size, insn.name != "bt")
        n = e.emit(f"and {t} {off}, {bits - 1}")
        value = e.load(addr, size)
        store = lambda v: e.store(addr, v, size)     # noqa: E731
    else:
        loc = operands.Location(e, base)
        if offset.kind == IMM:
            n = e.const(offset.imm & (bits - 1), size)
        else:
            n = e.emit(f"and {t} {operands.read(e, offset)}, {bits - 1}")
        value = loc.read()
        store = loc.write
    mask = e.emit(f"shl {t} 1, {n}")
    picked = e.emit(f"and {t} {value}, {mask}")
    if insn.name == "bts":
        store(e.emit(f"or {t} {value}, {mask}"))
    elif insn.name == "btr":
        store(e.emit(f"and {t} {value}, {e.emit(f'xor {t} {mask}, -1')}"))
    elif insn.name == "btc":
        store(e.emit(f"xor {t} {value}, {mask}"))
    e.set_flag(CF, e.emit(f"icmp ne {t} {picked}, 0"))


@lowers("bsf", "bsr")
def bit_scan(e, insn):
    if insn.lock:
        raise Unsupported("LOCK on BSF/BSR (#UD)")
    dst, src = insn.operands
    size = dst.size
    t = TYPE[size]
    v = operands.read(e, src)
    if insn.name == "bsf":
        idx = e.emit(f"call {t} @llvm.cttz.{t}({t} {v}, i1 false)", "bsf")
    else:
        lead = e.emit(f"call {t} @llvm.ctlz.{t}({t} {v}, i1 false)")
        idx = e.emit(f"sub {t} {8 * size - 1}, {lead}", "bsr")
    zero = e.emit(f"icmp eq {t} {v}, 0")
    old = operands.read(e, dst)
    operands.write(e, dst, e.emit(f"select i1 {zero}, {t} {old}, {t} {idx}"))
    e.record(CC_LOGIC, size, v, v, v)


@lowers("bswap")
def bswap(e, insn):
    (dst,) = insn.operands
    if dst.size != 4:
        raise Unsupported("BSWAP of a 16-bit register (undefined result)")
    e.set_reg32(dst.reg, e.emit(f"call i32 @llvm.bswap.i32(i32 {e.reg32(dst.reg)})", "bswap"))
