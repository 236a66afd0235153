"""Native lowerings of the integer ALU: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT.
Flags are left symbolic (emitter.record); the emitter computes only what is read or stored. Cold."""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import MEM
from bt.runtime.flags import CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC
from bt.runtime.state import CF

_OPS = {"add": ("add", CC_ADD), "sub": ("sub", CC_SUB), "cmp": ("sub", CC_SUB),
        "and": ("and", CC_LOGIC), "or": ("or", CC_LOGIC), "xor": ("xor", CC_LOGIC),
        "test": ("and", CC_LOGIC)}


def _no_lock(insn):
    if insn.lock and (not insn.operands or insn.operands[0].kind != MEM):
        raise Unsupported("LOCK on a register operand (#UD: the interpreter raises it)")


@lowers("add", "sub", "cmp", "and", "or", "xor", "test")
def binary(e, insn):
    _no_lock(insn)
    dst, src = insn.operands
    size, t = dst.size, TYPE[dst.size]
    op, kind = _OPS[insn.name]
    loc = operands.Location(e, dst)
    a = loc.read()
    b = operands.read(e, src, size)
    if insn.name == "xor" and src.kind == dst.kind == "reg" and src.reg == dst.reg and src.high8 == dst.high8:
        res = "0"                   # xor r, r: the idiom for zero
    else:
        res = e.emit(f"{op} {t} {a}, {b}", insn.name)
    if insn.name not in ("cmp", "test"):
        loc.write(res)
    e.record(kind, size, a, b, res)


@lowers("adc", "sbb")
def with_carry(e, insn):
    _no_lock(insn)
    dst, src = insn.operands
    size, t = dst.size, TYPE[dst.size]
    loc = operands.Location(e, dst)
    a = loc.read()
    b = operands.read(e, src, size)
    cin = e.flag(CF)
    c = e.emit(f"zext i1 {cin} to {t}")
    op = "add" if insn.name == "adc" else "sub"
    r1 = e.emit(f"{op} {t} {a}, {b}")
    res = e.emit(f"{op} {t} {r1}, {c}", insn.name)
    loc.write(res)
    e.record(CC_ADC if insn.name == "adc" else CC_SBB, size, a, b, res, cin=cin)


@lowers("inc", "dec")
def inc_dec(e, insn):
    _no_lock(insn)
    (dst,) = insn.operands
    t = TYPE[dst.size]
    loc = operands.Location(e, dst)
    a = loc.read()
    res = e.emit(f"{'add' if insn.name == 'inc' else 'sub'} {t} {a}, 1", insn.name)
    loc.write(res)
    e.record(CC_INC if insn.name == "inc" else CC_DEC, dst.size, a, "1", res)


@lowers("neg")
def neg(e, insn):
    _no_lock(insn)
    (dst,) = insn.operands
    t = TYPE[dst.size]
    loc = operands.Location(e, dst)
    b = loc.read()
    res = e.emit(f"sub {t} 0, {b}", "neg")
    loc.write(res)
    e.record(CC_SUB, dst.size, "0", b, res)


@lowers("not")
def not_(e, insn):
    _no_lock(insn)
    (dst,) = insn.operands
    loc = operands.Location(e, dst)
    loc.write(e.emit(f"xor {TYPE[dst.size]} {loc.read()}, -1", "not"))
