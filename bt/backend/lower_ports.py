"""Native VMM callout for port input: `in al, dx` and `in al, imm8` (SDM Vol. 2 "IN") read the port
mirror (bt/runtime/port_mirror.py) inline, so a guest polling a device register whose read has no
side effect (the UART's LSR) never leaves native code.

The IN runs natively only when all of these hold, else a side exit (EXIT_INTERP, the state before the
IN) lets the interpreter run it through the port bus exactly as the "io" callout does:
- CPL <= IOPL (otherwise the TSS I/O-permission bitmap decides, or #GP);
- the mirror entry of the port is valid (the device published the byte a read returns now).
A valid entry means the read changes no device state, so nothing the interpreter does after an IN
matters here: its look at external interrupts on the next boundary (bt/runtime/external_interrupts.py
`polls_after`) finds what it would have found before the IN. TF is never set in native code (the run
loop single-steps in the interpreter). Wider INs (AX, EAX) stay "io" callouts (Unsupported).
Cold (translation time).
"""
from bt.backend.context import EXIT_INTERP
from bt.backend.lowering import Unsupported, lowers
from bt.frontend.decoder import IMM
from bt.runtime.port_mirror import VALID
from bt.runtime.state import EAX, EDX, IOPL, offset_of

_IOPL_SHIFT = 12


@lowers("in", native=True)
def in_(e, insn):
    dst, src = insn.operands
    if dst.size != 1:
        raise Unsupported("IN of a word or dword: the interpreter splits it over the devices")
    cpl = e.emit(f"load i32, ptr {e.st_ptr(offset_of('cpl'))}", "cpl")
    eflags = e.emit(f"load i32, ptr {e.st_ptr(offset_of('eflags'))}", "eflags")   # IOPL is never lazy
    iopl = e.emit(f"lshr i32 {e.emit(f'and i32 {eflags}, {IOPL}')}, {_IOPL_SHIFT}", "iopl")
    e.side_exit_unless(e.emit(f"icmp ule i32 {cpl}, {iopl}"), EXIT_INTERP)
    if src.kind == IMM:
        port = str(src.imm & 0xFF)
    else:
        port = e.emit(f"and i32 {e.reg32(EDX)}, 65535", "port")
    slot = e.emit(f"getelementptr i32, ptr {e.ctx_field('port_mirror')}, i32 {port}")
    entry = e.emit(f"load i32, ptr {slot}", "mirror")
    valid = e.emit(f"and i32 {entry}, {VALID}")
    e.side_exit_unless(e.emit(f"icmp ne i32 {valid}, 0"), EXIT_INTERP)
    e.set_reg(EAX, e.trunc(entry, 4, 1), 1)
