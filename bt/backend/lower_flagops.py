"""Native lowerings of flag-reading and flag-writing instructions: SETcc CMOVcc CLC STC CMC CLD STD
LAHF SAHF SALC, and the accumulator sign extensions CBW CWDE CWD CDQ (SDM Vol. 2). Cold."""
from bt.backend import operands
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.flag_ir import OFF_EFLAGS
from bt.backend.lowering import lowers
from bt.frontend import table
from bt.runtime.state import CF, PF, AF, ZF, SF, OF, DF, EAX, EDX

_LAHF_BITS = ((CF, 0), (PF, 2), (AF, 4), (ZF, 6), (SF, 7))


@lowers(*("set" + cc for cc in table.CONDITIONS))
def setcc(e, insn):
    (dst,) = insn.operands
    cond = e.condition(table.condition_of(insn.name))
    operands.write(e, dst, e.emit(f"zext i1 {cond} to i8", insn.name))


@lowers(*("cmov" + cc for cc in table.CONDITIONS))
def cmovcc(e, insn):
    dst, src = insn.operands
    size = dst.size
    t = TYPE[size]
    value = operands.read(e, src)       # a memory source is read (and may fault) whatever the condition
    cond = e.condition(table.condition_of(insn.name))
    old = e.reg(dst.reg, size)
    # 32-bit CMOV with a false condition leaves the register unchanged (no zeroing in 32-bit mode).
    e.set_reg(dst.reg, e.emit(f"select i1 {cond}, {t} {value}, {t} {old}", insn.name), size)


@lowers("clc", "stc", "cmc")
def carry_ops(e, insn):
    if insn.name == "clc":
        e.set_flag(CF, "false")
    elif insn.name == "stc":
        e.set_flag(CF, "true")
    else:
        e.set_flag(CF, e.emit(f"xor i1 {e.flag(CF)}, true", "cmc"))


@lowers("cld", "std")
def direction(e, insn):
    """DF lives only in the raw eflags word of the CpuState, which the emitter treats as entry state
    (it caches the entry value for e.df_set() and may rebuild the word from the entry value at an
    exit). So: make all six arithmetic flags explicit values, which makes every exit rebuild the word
    from what is in memory at that point; update DF in memory here; and end the block, so that no
    later instruction of this block can read the stale cached DF."""
    for bit in (CF, PF, AF, ZF, SF, OF):
        e.set_flag(bit, e.flag(bit))
    ptr = e.st_ptr(OFF_EFLAGS)
    word = e.emit(f"load i32, ptr {ptr}")
    if insn.name == "cld":
        new = e.emit(f"and i32 {word}, {~DF}")
    else:
        new = e.emit(f"or i32 {word}, {DF}")
    e.line(f"store i32 {new}, ptr {ptr}")
    e.exit_to(insn.next_address)


@lowers("lahf")
def lahf(e, insn):
    ah = "2"                            # bit 1 of EFLAGS always reads 1
    for bit, pos in _LAHF_BITS:
        wide = e.emit(f"zext i1 {e.flag(bit)} to i8")
        ah = e.emit(f"or i8 {ah}, {e.emit(f'shl i8 {wide}, {pos}')}")
    e.set_reg(EAX, ah, 1, high8=True)


@lowers("sahf")
def sahf(e, insn):
    ah = e.reg(EAX, 1, high8=True)
    for bit, pos in _LAHF_BITS:
        e.set_flag(bit, e.emit(f"trunc i8 {e.emit(f'lshr i8 {ah}, {pos}')} to i1"))


@lowers("salc")
def salc(e, insn):
    e.set_reg(EAX, e.emit(f"sext i1 {e.flag(CF)} to i8", "salc"), 1)


@lowers("cbw", "cwde", "cwd", "cdq")
def sign_extend(e, insn):
    if insn.name == "cbw":
        e.set_reg(EAX, e.sext(e.reg(EAX, 1), 1, 2), 2)
    elif insn.name == "cwde":
        e.set_reg32(EAX, e.sext(e.reg(EAX, 2), 2, 4))
    elif insn.name == "cwd":
        e.set_reg(EDX, e.emit(f"ashr i16 {e.reg(EAX, 2)}, 15"), 2)
    elif insn.name == "cdq":
        e.set_reg32(EDX, e.emit(f"ashr i32 {e.reg32(EAX)}, 31"))
    else:
        raise Unsupported(insn.name)
