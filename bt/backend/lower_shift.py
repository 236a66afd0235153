"""Native lowerings of shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (SDM Vol. 2).

The count is masked to 5 bits. A masked count of 0 changes nothing, flags included: an immediate 0
emits no code; a CL count selects between the new values and the old ones (flags are symbolic at
translation time, so the old ones are read with e.flag). Where the SDM leaves OF/AF undefined
(counts other than 1) we give OF from the last bit shifted out and the result's sign, AF = 0; CF for
counts >= the width is whatever the 64-bit arithmetic below yields (undefined too). Cold.
"""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lowering import lowers
from bt.frontend.decoder import IMM
from bt.runtime.flags import CC_LOGIC
from bt.runtime.state import CF, PF, AF, ZF, SF, OF

_SZPA = (PF, AF, ZF, SF)


class _Count:
    """The masked count: `imm` (a Python int) or `var` (an i32 SSA value in 0..31)."""

    def __init__(self, e, insn):
        op = insn.operands[-1] if len(insn.operands) > (2 if insn.name in ("shld", "shrd") else 1) else None
        self.imm = self.var = None
        if op is None:                  # capstone may omit the implicit 1 of D0/D1
            self.imm = 1
        elif op.kind == IMM:
            self.imm = op.imm & 31
        else:
            self.var = e.emit(f"and i32 {e.zext(operands.read(e, op), op.size)}, 31", "cnt")

    def minus_one_i64(self, e):
        """count - 1 as an i64 shift amount (31 for a runtime count of 0: that result is discarded)."""
        if self.imm is not None:
            return str(self.imm - 1)
        c1 = e.emit(f"add i32 {self.var}, 31")
        return e.zext(e.emit(f"and i32 {c1}, 31"), 4, 8)

    def i64(self, e):
        return str(self.imm) if self.imm is not None else e.zext(self.var, 4, 8)


def _lock_check(insn):
    if insn.lock:
        raise Unsupported("LOCK on a shift (#UD: the interpreter raises it)")


def _bit(e, value64, n):
    """Bit n of an i64 as an i1."""
    s = e.emit(f"lshr i64 {value64}, {n}")
    return e.emit(f"trunc i64 {s} to i1")


def _commit(e, loc, a, r, size, nz, new_flags, szpa_from_result):
    """Write the result and the flags; `nz` is None (count known nonzero) or an i1 (runtime count)."""
    if nz is None:
        loc.write(r)
        if szpa_from_result:
            e.record(CC_LOGIC, size, r, r, r)      # PF/ZF/SF of the result, AF = 0, computed lazily
        for bit, value in new_flags.items():
            e.set_flag(bit, value)
        return
    t = TYPE[size]
    loc.write(e.emit(f"select i1 {nz}, {t} {r}, {t} {a}"))
    written = dict(new_flags)
    bits = [b for b in (CF, PF, AF, ZF, SF, OF) if b in written or szpa_from_result]
    old = {bit: e.flag(bit) for bit in bits}
    if szpa_from_result:
        e.record(CC_LOGIC, size, r, r, r)
        for bit in _SZPA:
            written[bit] = e.flag(bit)
    for bit in bits:
        e.set_flag(bit, e.emit(f"select i1 {nz}, i1 {written[bit]}, i1 {old[bit]}"))


def _nonzero(e, count):
    if count.imm is not None:
        return None
    return e.emit(f"icmp ne i32 {count.var}, 0")


@lowers("shl", "sal", "shr", "sar")
def shift(e, insn):
    _lock_check(insn)
    dst = insn.operands[0]
    size = dst.size
    top = 8 * size - 1
    loc = operands.Location(e, dst)
    count = _Count(e, insn)
    if count.imm == 0:
        return
    a = loc.read()
    c1 = count.minus_one_i64(e)
    if insn.name in ("shl", "sal"):
        a64 = e.zext(a, size, 8)
        out = e.emit(f"shl i64 {a64}, {c1}")            # the last bit shifted out is its bit `top`
        r64 = e.emit(f"shl i64 {out}, 1")
        r = e.trunc(r64, 8, size)
        cf = _bit(e, out, top)
        sf = _bit(e, r64, top)
        of = e.emit(f"xor i1 {cf}, {sf}")
    elif insn.name == "shr":
        a64 = e.zext(a, size, 8)
        out = e.emit(f"lshr i64 {a64}, {c1}")           # the last bit shifted out is its bit 0
        r = e.trunc(e.emit(f"lshr i64 {out}, 1"), 8, size)
        cf = _bit(e, out, 0)
        of = e.emit(f"xor i1 {_bit(e, out, top)}, {_bit(e, out, top + 1)}")   # count 1: the old MSB
    else:
        a64 = e.sext(a, size, 8)
        out = e.emit(f"ashr i64 {a64}, {c1}")
        r = e.trunc(e.emit(f"ashr i64 {out}, 1"), 8, size)
        cf = _bit(e, out, 0)
        of = "false"
    _commit(e, loc, a, r, size, _nonzero(e, count), {CF: cf, OF: of}, True)


@lowers("rol", "ror")
def rotate(e, insn):
    _lock_check(insn)
    dst = insn.operands[0]
    size = dst.size
    t = TYPE[size]
    loc = operands.Location(e, dst)
    count = _Count(e, insn)
    if count.imm == 0:
        return
    a = loc.read()
    # fshl/fshr take the amount modulo the width: ROL r8 by 8 gives r = a but still writes CF/OF.
    amount = e.const(count.imm, size) if count.imm is not None else e.trunc(count.var, 4, size)
    fn = "fshl" if insn.name == "rol" else "fshr"
    r = e.emit(f"call {t} @llvm.{fn}.{t}({t} {a}, {t} {a}, {t} {amount})", insn.name)
    msb = e.emit(f"icmp slt {t} {r}, 0")
    if insn.name == "rol":
        cf = e.emit(f"trunc {t} {r} to i1")
        of = e.emit(f"xor i1 {msb}, {cf}")
    else:
        cf = msb
        below = e.emit(f"shl {t} {r}, 1")
        of = e.emit(f"xor i1 {msb}, {e.emit(f'icmp slt {t} {below}, 0')}")
    _commit(e, loc, a, r, size, _nonzero(e, count), {CF: cf, OF: of}, False)


@lowers("rcl", "rcr")
def rotate_carry(e, insn):
    _lock_check(insn)
    dst = insn.operands[0]
    size = dst.size
    bits = 8 * size
    wide = bits + 1                     # CF:operand rotates as one (bits+1)-bit quantity
    wmask = (1 << wide) - 1
    t = TYPE[size]
    loc = operands.Location(e, dst)
    count = _Count(e, insn)
    # 8/16-bit operands rotate modulo 9/17 (after the 5-bit mask).
    if count.imm is not None:
        n_imm = count.imm % wide
        if n_imm == 0:
            return
        n, back = str(n_imm), str(wide - n_imm)
        nz = None
    else:
        n32 = count.var if size == 4 else e.emit(f"urem i32 {count.var}, {wide}")
        n = e.zext(n32, 4, 8)
        back = e.emit(f"sub i64 {wide}, {n}")      # up to 33 (< 64): no poison
        nz = e.emit(f"icmp ne i32 {n32}, 0")
    a = loc.read()
    cin = e.emit(f"zext i1 {e.flag(CF)} to i64")
    v = e.emit(f"or i64 {e.emit(f'shl i64 {cin}, {bits}')}, {e.zext(a, size, 8)}")
    if insn.name == "rcl":
        x1, x2 = e.emit(f"shl i64 {v}, {n}"), e.emit(f"lshr i64 {v}, {back}")
    else:
        x1, x2 = e.emit(f"lshr i64 {v}, {n}"), e.emit(f"shl i64 {v}, {back}")
    v2 = e.emit(f"and i64 {e.emit(f'or i64 {x1}, {x2}')}, {wmask}")
    r = e.trunc(v2, 8, size)
    cf = _bit(e, v2, bits)
    diff = e.emit(f"xor {t} {a}, {r}")
    of = e.emit(f"icmp slt {t} {diff}, 0")      # count 1: MSB(result) XOR CF for RCL, and RCR alike
    _commit(e, loc, a, r, size, nz, {CF: cf, OF: of}, False)


@lowers("shld", "shrd")
def shift_double(e, insn):
    _lock_check(insn)
    dst, src = insn.operands[0], insn.operands[1]
    size = dst.size
    top = 8 * size - 1
    loc = operands.Location(e, dst)
    count = _Count(e, insn)
    if count.imm == 0:
        return
    a = loc.read()
    b = operands.read(e, src)
    a64, b64 = e.zext(a, size, 8), e.zext(b, size, 8)
    hi_a = e.emit(f"shl i64 {a64}, 32")
    if size == 2:
        # Counts above 16 are undefined for 16-bit operands: like Intel hardware, shift dst:src:dst.
        mid = e.emit(f"or i64 {hi_a}, {e.emit(f'shl i64 {b64}, 16')}")
        v = e.emit(f"or i64 {mid}, {a64}")
    elif insn.name == "shld":
        v = e.emit(f"or i64 {hi_a}, {b64}")
    else:
        v = e.emit(f"or i64 {e.emit(f'shl i64 {b64}, 32')}, {a64}")
    c1 = count.minus_one_i64(e)
    if insn.name == "shld":
        out = e.emit(f"shl i64 {v}, {c1}")
        r64 = e.emit(f"lshr i64 {e.emit(f'shl i64 {out}, 1')}, 32")
        r = e.trunc(r64, 8, size)
        cf = _bit(e, out, 32 + top)
        of = e.emit(f"xor i1 {cf}, {_bit(e, r64, top)}")
    else:
        out = e.emit(f"lshr i64 {v}, {c1}")
        r = e.trunc(e.emit(f"lshr i64 {out}, 1"), 8, size)
        cf = _bit(e, out, 0)
        of = e.emit(f"xor i1 {_bit(e, out, top)}, {_bit(e, out, top + 1)}")
    _commit(e, loc, a, r, size, _nonzero(e, count), {CF: cf, OF: of}, True)

