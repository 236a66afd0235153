"""Native lowerings of the multi-word stack instructions PUSHA POPA ENTER LEAVE (SDM Vol. 2), for a
32-bit stack (SS.B = 1, as everywhere in the JIT). Cold.

PUSHA/POPA touch 8 words: one shadow check of the whole range (it must lie on one page, else the
side exit lets the interpreter run the instruction) precedes all the accesses, so the instruction
stays precise although it stores several times.
"""
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.lower_move import push_value, pop_value
from bt.backend.lowering import lowers
from bt.runtime.state import ESP, EBP, SS

# PUSHA order: EAX ECX EDX EBX (original ESP) EBP ESI EDI, i.e. EDI at the lowest address.
PUSH_ORDER = range(8)


@lowers("pushal", "pushaw")
def pusha(e, insn):
    size = 4 if insn.name == "pushal" else 2
    sp = e.reg32(ESP)
    new_sp = e.emit(f"sub i32 {sp}, {8 * size}", "esp")
    hva = e.host_address(e.linear(SS, new_sp, 8 * size, True), 8 * size, write=True)
    for r in PUSH_ORDER:
        slot = e.emit(f"getelementptr i8, ptr {hva}, i64 {(7 - r) * size}")
        value = e.reg(r, size)        # ESP: its value before the instruction
        e.line(f"store {TYPE[size]} {value}, ptr {slot}, align 1")
    e.set_reg32(ESP, new_sp)


@lowers("popal", "popaw")
def popa(e, insn):
    size = 4 if insn.name == "popal" else 2
    sp = e.reg32(ESP)
    hva = e.host_address(e.linear(SS, sp, 8 * size, False), 8 * size, write=False)
    values = {}
    for r in PUSH_ORDER:
        if r == ESP:
            continue                  # the saved ESP is skipped
        slot = e.emit(f"getelementptr i8, ptr {hva}, i64 {(7 - r) * size}")
        values[r] = e.emit(f"load {TYPE[size]}, ptr {slot}, align 1", "m")
    for r, value in values.items():
        e.set_reg(r, value, size)
    e.set_reg32(ESP, e.emit(f"add i32 {sp}, {8 * size}", "esp"))


@lowers("enter")
def enter(e, insn):
    alloc, level = insn.operands[0].imm & 0xFFFF, insn.operands[1].imm & 31
    if insn.opsize != 4 or level != 0:
        raise Unsupported("ENTER with a nesting level or a 16-bit operand size")
    push_value(e, e.reg32(EBP), 4)
    frame = e.reg32(ESP)
    e.set_reg32(EBP, frame)
    e.set_reg32(ESP, e.emit(f"sub i32 {frame}, {alloc}", "esp"))


@lowers("leave")
def leave(e, insn):
    # ESP <- EBP (the whole register with a 32-bit stack), then pop (E)BP at the operand size.
    e.set_reg32(ESP, e.reg32(EBP))
    size = insn.opsize
    e.set_reg(EBP, pop_value(e, size), size)
