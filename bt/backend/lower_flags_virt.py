"""Native VMM callouts for flags virtualisation: PUSHF/PUSHFD, POPF/POPFD, CLI and STI (SDM Vol. 2
"PUSHF", "POPF", "CLI", "STI"). They are sensitive (they read or write IF and IOPL), but they are frequent, so instead of
leaving native code the VMM's handling runs inline: the guest sees its virtual EFLAGS, never the
host's. POPF at CPL > 0 leaves to the interpreter (IOPL/IF rules). A POPF that sets IF while an external
interrupt is pending (JitContext.irq_pending), or that sets TF (single-step), ends native execution at
the next block end through the budget (context.IRQ_KICK). CLI and STI at CPL 0 change the virtual
IF inline (at CPL > 0 the interpreter applies the IOPL rules); an STI that sets IF while an interrupt
is pending leaves to the interpreter before it, which keeps the one-instruction interrupt shadow; one
that sets IF with nothing pending leaves a mark (JitContext.sti_mark), so that if the dispatcher
returns to Python right after it, that boundary is still in its shadow (Jit._native_sti_shadow).
Cold (translation time).
"""
from bt.backend.context import EXIT_INTERP
from bt.backend.flag_ir import _s32
from bt.backend.lower_move import pop_value, push_value
from bt.backend.lowering import lowers
from bt.runtime.state import (AC, ARITH_FLAGS, DF, EFLAGS_FIXED1, ID, IF, IOPL, NT, RF, TF, VM,
                              offset_of)

@lowers("pushfd", "pushf", native=True)
def pushf(e, insn):
    value = e.emit(f"and i32 {e.eflags_value()}, {~(VM | RF) & 0xFFFFFFFF}")
    if insn.name == "pushf":
        push_value(e, e.trunc(value, 4, 2), 2)
    else:
        push_value(e, value, 4)


def at_cpl0(e):
    """Native only at CPL 0; elsewhere the interpreter applies the IOPL rules (a side exit)."""
    cpl = e.emit(f"load i32, ptr {e.st_ptr(offset_of('cpl'))}", "cpl")
    e.side_exit_unless(e.emit(f"icmp eq i32 {cpl}, 0"), EXIT_INTERP)


@lowers("popfd", "popf", native=True)
def popf(e, insn):
    at_cpl0(e)
    wide = insn.name == "popfd"
    # At CPL 0 every writable flag changes (IOPL and IF too); VM and RF do not (RF is cleared).
    changeable = ARITH_FLAGS | TF | DF | NT | IOPL | IF | (AC | ID if wide else 0)
    if wide:
        value = pop_value(e, 4)
    else:
        value = e.zext(pop_value(e, 2), 2, 4)
        changeable &= 0xFFFF
    old = e.eflags_value()
    kept = e.emit(f"and i32 {old}, {_s32(~changeable & ~RF)}")
    taken = e.emit(f"and i32 {value}, {changeable}")
    new = e.emit(f"or i32 {e.emit(f'or i32 {kept}, {taken}')}, {EFLAGS_FIXED1}", "eflags")
    e.set_eflags_value(new)       # POPF ends the block (table: end), so no later side exit sees it
    # IF set while the PIC asserts INTR, or TF set: spend the budget (branch-free) so the block returns
    # to Python, which takes the interrupt after this POPF or single-steps from the next instruction
    # (bt/runtime/single_step.py). Either bit, moved to 0x100, shifted by 32 is IRQ_KICK.
    pending = e.emit(f"load i32, ptr {e.ctx_field_ptr('irq_pending')}", "irq")
    both = e.emit(f"lshr i32 {e.emit(f'and i32 {pending}, {new}')}, 1")
    either = e.emit(f"or i32 {both}, {e.emit(f'and i32 {new}, {TF}')}")
    kick = e.emit(f"shl i64 {e.emit(f'zext i32 {either} to i64')}, 32")
    budget_ptr = e.ctx_field_ptr("budget")
    budget = e.emit(f"load i64, ptr {budget_ptr}", "budget")
    e.line(f"store i64 {e.emit(f'sub i64 {budget}, {kick}')}, ptr {budget_ptr}")



@lowers("cli", native=True)
def cli(e, insn):
    at_cpl0(e)
    e.set_eflags_value(e.emit(f"and i32 {e.eflags_value()}, {_s32(~IF & 0xFFFFFFFF)}", "eflags"))


@lowers("sti", native=True)
def sti(e, insn):
    at_cpl0(e)
    old = e.eflags_value()
    was = e.emit(f"and i32 {old}, {IF}")
    pending = e.emit(f"load i32, ptr {e.ctx_field_ptr('irq_pending')}", "irq")
    # IF 0 -> 1 with INTR asserted: the interrupt comes after the next instruction; the interpreter
    # (bt/runtime/external_interrupts.py) knows how.
    shadowed_irq = e.emit(f"icmp ugt i32 {pending}, {was}")
    e.side_exit_unless(e.emit(f"xor i1 {shadowed_irq}, true"), EXIT_INTERP)
    e.set_eflags_value(e.emit(f"or i32 {old}, {IF}", "eflags"))   # STI ends the block (table: end)
    chained = e.emit(f"load i64, ptr {e.ctx_field_ptr('chained')}")
    dispatched = e.emit(f"load i64, ptr {e.ctx_field_ptr('dispatched')}")
    mark = e.emit(f"add i64 {e.emit(f'add i64 {chained}, {dispatched}')}, 1")
    opened = e.emit(f"icmp eq i32 {was}, 0")
    e.line(f"store i64 {e.emit(f'select i1 {opened}, i64 {mark}, i64 0')}, ptr {e.ctx_field_ptr('sti_mark')}")
