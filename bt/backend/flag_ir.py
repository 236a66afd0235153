"""Guest flags in IR for the BlockEmitter (mixed into it): the symbolic flag state, computing a flag
from an arithmetic record only where something reads it, conditions, and storing flags at exits in
the lazy format of bt/runtime/flags.py or as an EFLAGS word. The formulas are the JIT's own (SDM
Vol. 1, 3.4.3.1 and each instruction's "Flags Affected"), independent of the interpreter's. Cold.
"""
from bt.runtime.flags import CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC
from bt.runtime.state import CF, PF, AF, ZF, SF, OF, offset_of

TYPE = {1: "i8", 2: "i16", 4: "i32", 8: "i64"}
ARITH_BITS = (CF, PF, AF, ZF, SF, OF)
BIT_INDEX = {CF: 0, PF: 2, AF: 4, ZF: 6, SF: 7, OF: 11}
LAZY_STORABLE = (CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC)
ENTRY = ("entry",)          # the flag still has its value from block entry
OFF_EFLAGS = offset_of("eflags")
OFF_CC = {n: offset_of(n) for n in ("cc_op", "cc_a", "cc_b", "cc_res")}


class Record:
    """An arithmetic result whose flags have not been computed (see FlagState)."""
    __slots__ = ("kind", "size", "a", "b", "res", "cin")

    def __init__(self, kind, size, a, b, res, cin=None):
        self.kind, self.size, self.a, self.b, self.res, self.cin = kind, size, a, b, res, cin



class FlagsMixin:
    # ---- flags --------------------------------------------------------------------------------

    def record(self, kind, size, a, b, res, cin=None):
        """An arithmetic instruction's flags, lazily: all six come from this record (INC/DEC keep CF)."""
        rec = Record(kind, size, a, b, res, cin)
        self._records.append(rec)      # keeps ids unique for the flag cache
        for bit in ARITH_BITS:
            if not (bit == CF and kind in (CC_INC, CC_DEC)):
                self.fsrc[bit] = rec

    def set_flag(self, bit, value_i1):
        self.fsrc[bit] = ("val", value_i1)

    def flag(self, bit):
        """The current value of one arithmetic flag as an i1 on the main chain."""
        return self._flag(bit, self.fsrc[bit], self._fcache, self.emit)

    def _flag(self, bit, src, cache, emit):
        if isinstance(src, tuple) and src[0] == "val":
            return src[1]
        key = (id(src), bit)
        if key in cache:
            return cache[key]
        if src is ENTRY:
            ef = self.entry_eflags()
            v = emit(f"and i32 {ef}, {bit}")
            value = emit(f"icmp ne i32 {v}, 0", "f")
        else:
            value = _record_flag(src, bit, emit, self._parity)
        cache[key] = value
        return value

    def _parity(self, low_i8, emit):
        """PF from JitContext.parity, a 256-byte table (a table load is selected by FastISel, the
        ctpop intrinsic is not)."""
        table = self.ctx_field("parity")
        index = emit(f"zext i8 {low_i8} to i64")
        slot = emit(f"getelementptr i8, ptr {table}, i64 {index}")
        value = emit(f"load i8, ptr {slot}")
        return emit(f"icmp ne i8 {value}, 0", "pf")

    def entry_eflags(self):
        """EFLAGS at block entry with lazy flags folded in (one call to the native materializer)."""
        fn = self.ctx_field("materialize")
        return self._entry_value(("eflags",), f"call i32 {fn}(ptr %st)", "eflags0")

    def df_set(self):
        ptr = self.st_ptr(OFF_EFLAGS)
        ef = self._entry_value(("eflags_raw",), f"load i32, ptr {ptr}", "eflags")
        bit = self.emit(f"and i32 {ef}, 1024")
        return self.emit(f"icmp ne i32 {bit}, 0")

    def condition(self, cc):
        """Condition code cc (0..15, x86 order) as an i1 (SDM Vol. 1, Appendix B)."""
        src = self.fsrc
        base = cc >> 1
        # Fast forms straight from a compare/subtract record, as a compiler would emit them.
        rec = src[ZF]
        if isinstance(rec, Record) and rec.kind in (CC_SUB,) and all(src[b] is rec for b in ARITH_BITS):
            t = TYPE[rec.size]
            pred = {1: "ult", 3: "ule", 6: "slt", 7: "sle"}.get(base)
            if pred:
                r = self.emit(f"icmp {pred} {t} {rec.a}, {rec.b}")
                return self._negate(r) if cc & 1 else r
        if base == 0:
            r = self.flag(OF)
        elif base == 1:
            r = self.flag(CF)
        elif base == 2:
            r = self.flag(ZF)
        elif base == 3:
            r = self.emit(f"or i1 {self.flag(CF)}, {self.flag(ZF)}")
        elif base == 4:
            r = self.flag(SF)
        elif base == 5:
            r = self.flag(PF)
        elif base == 6:
            r = self.emit(f"xor i1 {self.flag(SF)}, {self.flag(OF)}")
        else:
            lt = self.emit(f"xor i1 {self.flag(SF)}, {self.flag(OF)}")
            r = self.emit(f"or i1 {self.flag(ZF)}, {lt}")
        return self._negate(r) if cc & 1 else r

    def _negate(self, value):
        return self.emit(f"xor i1 {value}, true")

    def _store_flags(self, fsrc, out, emit):
        written = [bit for bit in ARITH_BITS if fsrc[bit] is not ENTRY]
        if not written:
            return
        first = fsrc[ARITH_BITS[0]]
        if (len(written) == 6 and isinstance(first, Record) and first.kind in LAZY_STORABLE
                and all(fsrc[b] is first for b in ARITH_BITS)):
            rec = first
            cc_op = rec.kind | rec.size
            out.append(f"  store i32 {cc_op}, ptr {self.st_ptr(OFF_CC['cc_op'])}")
            for field, value in (("cc_a", rec.a), ("cc_b", rec.b), ("cc_res", rec.res)):
                if value is None:
                    continue
                wide = value if rec.size == 4 else emit(f"zext {TYPE[rec.size]} {value} to i32")
                out.append(f"  store i32 {wide}, ptr {self.st_ptr(OFF_CC[field])}")
            return
        acc = self._eflags_from(fsrc, emit, dict(self._fcache) if out is self.body else {})
        out.append(f"  store i32 {acc}, ptr {self.st_ptr(OFF_EFLAGS)}")
        out.append(f"  store i32 0, ptr {self.st_ptr(OFF_CC['cc_op'])}")

    def _eflags_from(self, fsrc, emit, cache):
        """The whole EFLAGS word (i32) for the symbolic flag state `fsrc`."""
        written = [bit for bit in ARITH_BITS if fsrc[bit] is not ENTRY]
        if len(written) == 6:      # the other bits are never lazy: the state's word has them
            base = emit(f"load i32, ptr {self.st_ptr(OFF_EFLAGS)}")
        else:
            base = self.entry_eflags()
        if not written:
            return base
        acc = emit(f"and i32 {base}, {_s32(~sum(written) & 0xFFFFFFFF)}")
        for bit in written:
            wide = emit(f"zext i1 {self._flag(bit, fsrc[bit], cache, emit)} to i32")
            if BIT_INDEX[bit]:
                wide = emit(f"shl i32 {wide}, {BIT_INDEX[bit]}")
            acc = emit(f"or i32 {acc}, {wide}")
        return acc

    def eflags_value(self):
        """The current EFLAGS word as an i32 on the main chain (PUSHF, LAHF-like readers)."""
        return self._eflags_from(self.fsrc, self.emit, self._fcache)

    def set_eflags_value(self, value):
        """EFLAGS := value (i32) now: stored to the state (the caller must end the block before any
        later side exit could need the old value) and the arithmetic flags rebound to its bits."""
        self.line(f"store i32 {value}, ptr {self.st_ptr(OFF_EFLAGS)}")
        self.line(f"store i32 0, ptr {self.st_ptr(OFF_CC['cc_op'])}")
        for bit in ARITH_BITS:
            masked = self.emit(f"and i32 {value}, {bit}")
            self.set_flag(bit, self.emit(f"icmp ne i32 {masked}, 0", "f"))


def _s32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >> 31 else value

def _record_flag(rec, bit, emit, parity=None):
    """IR computing one arithmetic flag from a record (SDM Vol. 1, 3.4.3.1 and each instruction).
    `parity(low_byte_i8)` returns PF as an i1; by default it is computed with ctpop."""
    t = TYPE[rec.size]
    kind = rec.kind
    if bit == ZF:
        return emit(f"icmp eq {t} {rec.res}, 0", "zf")
    if bit == SF:
        return emit(f"icmp slt {t} {rec.res}, 0", "sf")
    if bit == PF:
        low = rec.res if rec.size == 1 else emit(f"trunc {t} {rec.res} to i8")
        if parity is not None:
            return parity(low, emit)
        ones = emit(f"call i8 @llvm.ctpop.i8(i8 {low})")
        odd = emit(f"and i8 {ones}, 1")
        return emit(f"icmp eq i8 {odd}, 0", "pf")
    if kind == CC_LOGIC:
        return "false"          # CF = OF = 0; AF undefined, 0 as on P6
    a, b, res = rec.a, rec.b, rec.res
    if kind in (CC_INC, CC_DEC):
        b = "1"
    if bit == AF:
        x1 = emit(f"xor {t} {a}, {b}")
        x2 = emit(f"xor {t} {x1}, {res}")
        x3 = emit(f"and {t} {x2}, 16")
        return emit(f"icmp ne {t} {x3}, 0", "af")
    adding = kind in (CC_ADD, CC_ADC, CC_INC)
    if bit == CF:
        if kind == CC_ADD:
            return emit(f"icmp ult {t} {res}, {a}", "cf")
        if kind == CC_SUB:
            return emit(f"icmp ult {t} {a}, {b}", "cf")
        if kind == CC_ADC:
            lt = emit(f"icmp ult {t} {res}, {a}")
            eq = emit(f"icmp eq {t} {res}, {a}")
        else:   # CC_SBB
            lt = emit(f"icmp ult {t} {a}, {b}")
            eq = emit(f"icmp eq {t} {a}, {b}")
        both = emit(f"and i1 {eq}, {rec.cin}")
        return emit(f"or i1 {lt}, {both}", "cf")
    if bit == OF:
        if adding:
            x1 = emit(f"xor {t} {a}, {res}")
            x2 = emit(f"xor {t} {b}, {res}")
        else:
            x1 = emit(f"xor {t} {a}, {b}")
            x2 = emit(f"xor {t} {a}, {res}")
        x3 = emit(f"and {t} {x1}, {x2}")
        return emit(f"icmp slt {t} {x3}, 0", "of")
    raise AssertionError(bit)
