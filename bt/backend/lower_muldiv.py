"""Native lowerings of MUL, IMUL (one, two and three operands), DIV and IDIV (SDM Vol. 2). Cold.

MUL/IMUL: CF = OF = "the upper half of the product is significant"; SF/ZF/PF/AF are undefined and
we give those of a logic result equal to the low half (AF = 0), lazily through a CC_LOGIC record.
DIV/IDIV: a zero divisor or a quotient that does not fit raises #DE, with the state before the
instruction: delivered natively through the IDT when bt_deliver can, else by the interpreter
(BlockEmitter.fault_unless). Their flags (all undefined) are unchanged.
"""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import MEM
from bt.runtime.events import DE
from bt.runtime.flags import CC_LOGIC
from bt.runtime.state import CF, OF, EAX, EDX


def _no_lock(insn):
    if insn.lock:
        raise Unsupported("LOCK on MUL/DIV (#UD: the interpreter raises it)")


def _accumulator(e, size):
    """(low, high) halves of the implicit operand: AL / AX, DX:AX / EDX:EAX; high is None for 8-bit."""
    if size == 1:
        return e.reg(EAX, 2), None
    return e.reg(EAX, size), e.reg(EDX, size)


def _set_product_halves(e, size, low, high):
    if size == 1:
        wide = e.emit(f"zext i8 {high} to i16")
        ax = e.emit(f"or i16 {e.emit(f'shl i16 {wide}, 8')}, {e.zext(low, 1, 2)}")
        e.set_reg(EAX, ax, 2)
    else:
        e.set_reg(EAX, low, size)
        e.set_reg(EDX, high, size)


def _mul_flags(e, size, low, significant):
    e.record(CC_LOGIC, size, low, low, low)
    e.set_flag(CF, significant)
    e.set_flag(OF, significant)


@lowers("mul")
def mul(e, insn):
    _no_lock(insn)
    src = insn.operands[-1]
    size = src.size
    t, t2 = TYPE[size], TYPE[2 * size]
    b = operands.read(e, src)
    a = e.reg(EAX, size)
    prod = e.emit(f"mul {t2} {e.zext(a, size, 2 * size)}, {e.zext(b, size, 2 * size)}", "mul")
    low = e.trunc(prod, 2 * size, size)
    high = e.trunc(e.emit(f"lshr {t2} {prod}, {8 * size}"), 2 * size, size)
    _set_product_halves(e, size, low, high)
    _mul_flags(e, size, low, e.emit(f"icmp ne {t} {high}, 0"))


@lowers("imul")
def imul(e, insn):
    _no_lock(insn)
    ops = insn.operands
    if len(ops) == 1:
        src = ops[0]
        size = src.size
        a, b = e.reg(EAX, size), operands.read(e, src)
    else:
        dst = ops[0]
        size = dst.size
        a = operands.read(e, ops[1] if len(ops) == 3 else dst, size)
        b = operands.read(e, ops[-1], size)
    t2 = TYPE[2 * size]
    prod = e.emit(f"mul {t2} {e.sext(a, size, 2 * size)}, {e.sext(b, size, 2 * size)}", "imul")
    low = e.trunc(prod, 2 * size, size)
    significant = e.emit(f"icmp ne {t2} {prod}, {e.sext(low, size, 2 * size)}")
    if len(ops) == 1:
        high = e.trunc(e.emit(f"lshr {t2} {prod}, {8 * size}"), 2 * size, size)
        _set_product_halves(e, size, low, high)
    else:
        operands.write(e, ops[0], low)
    _mul_flags(e, size, low, significant)


@lowers("div", "idiv")
def divide(e, insn):
    _no_lock(insn)
    src = insn.operands[-1]
    if src.kind not in (MEM, "reg"):
        raise Unsupported("divide by an immediate")
    size = src.size
    bits = 8 * size
    t, t2 = TYPE[size], TYPE[2 * size]
    d = operands.read(e, src)
    lo, hi = _accumulator(e, size)
    if hi is None:
        dividend = lo                                   # AX
    else:
        h = e.emit(f"shl {t2} {e.zext(hi, size, 2 * size)}, {bits}")
        dividend = e.emit(f"or {t2} {h}, {e.zext(lo, size, 2 * size)}")
    if insn.name == "div":
        # The quotient fits in `bits` bits iff the high half of the dividend is below the divisor
        # (which also rules out a zero divisor); past this exit the LLVM udiv cannot trap.
        high_half = e.trunc(e.emit(f"lshr {t2} {dividend}, {bits}"), 2 * size, size)
        e.fault_unless(e.emit(f"icmp ult {t} {high_half}, {d}"), DE)
        dz = e.zext(d, size, 2 * size)
        q = e.trunc(e.emit(f"udiv {t2} {dividend}, {dz}", "q"), 2 * size, size)
        r = e.trunc(e.emit(f"urem {t2} {dividend}, {dz}", "rem"), 2 * size, size)
    else:
        # Replace the divisors LLVM's sdiv must not see (0, and -1 with the most negative dividend)
        # by 1: those cases are #DE anyway, and the exit below is taken before anything is written.
        ds = e.sext(d, size, 2 * size)
        zero = e.emit(f"icmp eq {t} {d}, 0")
        minus1 = e.emit(f"icmp eq {t} {d}, -1")
        most_neg = e.emit(f"icmp eq {t2} {dividend}, {-(1 << (2 * bits - 1))}")
        bad = e.emit(f"or i1 {zero}, {e.emit(f'and i1 {minus1}, {most_neg}')}")
        safe = e.emit(f"select i1 {bad}, {t2} 1, {t2} {ds}")
        qw = e.emit(f"sdiv {t2} {dividend}, {safe}", "q")
        q = e.trunc(qw, 2 * size, size)
        fits = e.emit(f"icmp eq {t2} {qw}, {e.sext(q, size, 2 * size)}")
        ok = e.emit(f"and i1 {fits}, {e.emit(f'xor i1 {zero}, true')}")
        e.fault_unless(ok, DE)
        r = e.trunc(e.emit(f"srem {t2} {dividend}, {safe}", "rem"), 2 * size, size)
    if size == 1:
        ax = e.emit(f"or i16 {e.emit(f'shl i16 {e.zext(r, 1, 2)}, 8')}, {e.zext(q, 1, 2)}")
        e.set_reg(EAX, ax, 2)
    else:
        e.set_reg(EAX, q, size)
        e.set_reg(EDX, r, size)
