"""Native lowerings of the exchange-and-operate instructions XADD CMPXCHG CMPXCHG8B (SDM Vol. 2).
Single-CPU guest: LOCK needs nothing beyond doing the access. Cold.

Each memory form reads its operand, then stores once (CMPXCHG and CMPXCHG8B write the destination
back even when the comparison fails, as the processor does), then rebinds registers.
"""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import MEM
from bt.runtime.flags import CC_ADD, CC_SUB
from bt.runtime.state import EAX, ECX, EDX, EBX, ZF


@lowers("xadd")
def xadd(e, insn):
    dst, src = insn.operands
    t = TYPE[dst.size]
    loc = operands.Location(e, dst)
    d = loc.read()
    s = operands.read(e, src)
    total = e.emit(f"add {t} {d}, {s}", "sum")
    e.record(CC_ADD, dst.size, d, s, total)
    # TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP: with one register for both, DEST wins.
    if loc.addr is not None:
        loc.write(total)
        operands.write(e, src, d)
    else:
        operands.write(e, src, d)
        loc.write(total)


@lowers("cmpxchg")
def cmpxchg(e, insn):
    dst, src = insn.operands
    size, t = dst.size, TYPE[dst.size]
    loc = operands.Location(e, dst)
    d = loc.read()
    acc = e.reg(EAX, size)
    s = operands.read(e, src)
    e.record(CC_SUB, size, acc, d, e.emit(f"sub {t} {acc}, {d}", "res"))
    equal = e.emit(f"icmp eq {t} {acc}, {d}")
    new_d = e.emit(f"select i1 {equal}, {t} {s}, {t} {d}")
    new_acc = e.emit(f"select i1 {equal}, {t} {acc}, {t} {d}")
    # The accumulator first: `cmpxchg eax, r` always compares equal and must end with EAX = r.
    if loc.addr is not None:
        loc.write(new_d)
        e.set_reg(EAX, new_acc, size)
    else:
        e.set_reg(EAX, new_acc, size)
        loc.write(new_d)


@lowers("cmpxchg8b")
def cmpxchg8b(e, insn):
    (dst,) = insn.operands
    if dst.kind != MEM:
        raise Unsupported("cmpxchg8b with a register operand: #UD")
    addr = operands.linear_address(e, dst, 8, True)
    old = e.load(addr, 8)
    edx_eax = _pair(e, EDX, EAX)
    ecx_ebx = _pair(e, ECX, EBX)
    equal = e.emit(f"icmp eq i64 {old}, {edx_eax}")
    e.store(addr, e.emit(f"select i1 {equal}, i64 {ecx_ebx}, i64 {old}"), 8)
    result = e.emit(f"select i1 {equal}, i64 {edx_eax}, i64 {old}")
    e.set_reg32(EAX, e.emit(f"trunc i64 {result} to i32"))
    high = e.emit(f"lshr i64 {result}, 32")
    e.set_reg32(EDX, e.emit(f"trunc i64 {high} to i32"))
    e.set_flag(ZF, equal)


def _pair(e, hi, lo):
    h = e.emit(f"zext i32 {e.reg32(hi)} to i64")
    h = e.emit(f"shl i64 {h}, 32")
    low = e.emit(f"zext i32 {e.reg32(lo)} to i64")
    return e.emit(f"or i64 {h}, {low}")
