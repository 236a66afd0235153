"""Decimal adjust handlers: DAA DAS AAA AAS AAM AAD, and SALC (SDM Vol. 2).

Factories run at decode time; the closures are on the interpreter's hot path but rare in practice,
so they follow the SDM pseudocode closely. Undefined flags: DAA/DAS OF = 0, AAA/AAS leave PF ZF SF
OF unchanged, AAM/AAD clear CF AF OF — what QEMU/Unicorn produce.
"""
from bt.runtime import flags
from bt.runtime.events import GuestFault, DE
from bt.runtime.flags import CC_LOGIC, PARITY
from bt.runtime.interp.ops_alu import check_lock
from bt.runtime.interp.registry import handles
from bt.runtime.state import CF, AF, ZF, SF, EAX, W_CC_OP, W_CC_A, W_CC_B, W_CC_RES


def _szp8(al):
    return PARITY[al] | (ZF if al == 0 else 0) | (al & SF)


@handles("daa", "das")
def decimal_adjust(x, insn):
    check_lock(insn)
    w = x.w
    materialize, set_arith = flags.materialize, flags.set_arith
    add = insn.name == "daa"

    def op():
        f = materialize(w)
        old_al = al = w[EAX] & 0xFF
        old_cf = f & CF
        cf = af = 0
        if (al & 0xF) > 9 or f & AF:
            if add:
                al += 6
            else:
                cf = old_cf | (al < 6)      # DAS: CF <- old_CF or borrow from AL - 6
                al -= 6
            al &= 0xFF
            af = AF
        if old_al > 0x99 or old_cf:
            al = (al + 0x60 if add else al - 0x60) & 0xFF
            cf = CF
        w[EAX] = (w[EAX] & 0xFFFFFF00) | al
        set_arith(w, _szp8(al) | af | cf)
    return op


@handles("aaa", "aas")
def ascii_adjust(x, insn):
    check_lock(insn)
    w = x.w
    materialize, set_arith = flags.materialize, flags.set_arith
    delta = 0x106 if insn.name == "aaa" else -0x106     # AX +/- 6, AH +/- 1

    def op():
        ax = w[EAX] & 0xFFFF
        if (ax & 0xF) > 9 or materialize(w) & AF:
            ax = (ax + delta) & 0xFFFF
            adjusted = AF | CF
        else:
            adjusted = 0
        w[EAX] = (w[EAX] & 0xFFFF0000) | (ax & 0xFF0F)
        set_arith(w, adjusted, AF | CF)
    return op


@handles("aam", "aad")
def ascii_mul_div(x, insn):
    check_lock(insn)
    w = x.w
    base = insn.operands[0].imm & 0xFF if insn.operands else 10
    cc = CC_LOGIC | 1       # SF ZF PF from AL; CF AF OF (undefined) = 0 as QEMU
    if insn.name == "aam":
        def op():
            if base == 0:
                raise GuestFault(DE, detail="AAM 0")
            al = w[EAX] & 0xFF
            q, al = divmod(al, base)
            w[EAX] = (w[EAX] & 0xFFFF0000) | (q << 8) | al
            w[W_CC_OP] = cc; w[W_CC_A] = 0; w[W_CC_B] = 0; w[W_CC_RES] = al
    else:
        def op():
            ax = w[EAX]
            al = ((ax & 0xFF) + ((ax >> 8) & 0xFF) * base) & 0xFF
            w[EAX] = (ax & 0xFFFF0000) | al
            w[W_CC_OP] = cc; w[W_CC_A] = 0; w[W_CC_B] = 0; w[W_CC_RES] = al
    return op


@handles("salc")
def salc(x, insn):
    check_lock(insn)
    w = x.w
    carry = flags.carry

    def op():
        w[EAX] = (w[EAX] & 0xFFFFFF00) | (0xFF if carry(w) else 0)
    return op
