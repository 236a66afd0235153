"""Exception and interrupt delivery through the IDT (SDM Vol. 3 ch. 6, Vol. 2 "INT n" and "IRET"),
shared by both engines. Cold: runs once per delivered event.

`deliver(x, vector, return_eip, ...)` makes one attempt to enter the handler of `vector`: it reads
the IDT gate, checks it, switches to the ring-0 stack through the TSS if the handler is more
privileged, pushes the frame and loads CS:EIP, CPL and EFLAGS. Every check is made before anything is
written, so a failed attempt raises GuestFault with the state untouched (precise).
`deliver_fault(x, fault)` delivers a fault raised by the instruction at EIP and applies the
double-fault rules (SDM Vol. 3, 6.15, Table 6-5); a fault while delivering #DF shuts the processor
down (GuestShutdown: the machine reports a triple fault).

`x` is the reference interpreter (the JIT passes its own): descriptor and stack accesses go through
its rd/wr accessors, so they see the same memory and self-modifying-code tracking as instructions.

Guest-visible differences from QEMU 7.2 (the platform's oracle), where btvm follows the SDM: QEMU never
sets EXT (bit 0) in the error code of a fault raised while delivering an exception, and raises #TS
instead of #SS for a not-present ring-0 stack segment. Like QEMU (and unlike the SDM's chapter 17),
the EFLAGS image pushed for a fault keeps RF as it was.

Not yet here: task gates (#GP with the IDT error code, stated in the fault's detail), virtual-8086
mode, CET shadow stacks. External interrupts come through bt/runtime/external_interrupts.py, #DB
single-step traps through bt/runtime/single_step.py, call gates' stack switch through `inner_stack`.
"""
from bt.runtime import flags
from bt.runtime.descriptors import (Descriptor, SYS_TASK_GATE, SYS_INT_GATE16, SYS_TRAP_GATE16,
                                    SYS_INT_GATE32, SYS_TRAP_GATE32, SYS_TSS32_AVAIL, SYS_TSS32_BUSY)
from bt.runtime.events import (GuestFault, GuestShutdown, VECTOR_NAMES, DE, DF, TS, NP, SS as SS_FAULT,
                               GP, PF)
from bt.runtime.interp import segments
from bt.runtime.interp.access import USER_KEY
from bt.runtime.state import CS, SS, ESP, W_CPL, W_EFLAGS, W_EIP, IF, TF, NT, RF, VM

M32 = 0xFFFFFFFF
AC_FAULT = 17

# Exceptions that push an error code (SDM Vol. 3, Table 6-1).
HAS_ERROR_CODE = frozenset((DF, TS, NP, SS_FAULT, GP, PF, AC_FAULT))
# Exception classes for the double-fault rule (SDM Vol. 3, Table 6-4); every other vector is benign.
CONTRIBUTORY = frozenset((DE, TS, NP, SS_FAULT, GP))

_GATES = (SYS_TASK_GATE, SYS_INT_GATE16, SYS_TRAP_GATE16, SYS_INT_GATE32, SYS_TRAP_GATE32)


def deliver(x, vector, return_eip, error_code=None, software=False):
    """Enter the handler of `vector` with `return_eip` as the saved EIP (the faulting instruction for
    faults, the next one for traps and INT n). `error_code` is pushed when not None. `software` is
    INT n / INT3 / INTO: the gate's DPL must allow CPL, and errors raised here have EXT = 0.
    Raises GuestFault (state unchanged) if the delivery itself faults."""
    cpu, w = x.state.cpu, x.w
    ext = 0 if software else 1
    cpl = w[W_CPL]
    idt_error = (vector << 3) | 2 | ext          # error code naming an IDT entry (SDM Vol. 3, 6.13)

    if (vector << 3) + 7 > cpu.idtr_limit:
        raise GuestFault(GP, idt_error, f"vector {vector:#x} is outside the IDT limit")
    at = (cpu.idtr_base + (vector << 3)) & M32
    gate = Descriptor(x.sys_rd32(at) | (x.sys_rd32((at + 4) & M32) << 32))
    if not gate.is_system or gate.type not in _GATES:
        raise GuestFault(GP, idt_error, f"IDT entry {vector:#x} is not an interrupt, trap or task gate")
    if software and gate.dpl < cpl:
        raise GuestFault(GP, (vector << 3) | 2, f"INT {vector:#x}: gate DPL {gate.dpl} < CPL {cpl}")
    if not gate.present:
        raise GuestFault(NP, idt_error, f"IDT gate {vector:#x} is not present")
    if gate.type == SYS_TASK_GATE:
        raise GuestFault(GP, idt_error, f"IDT entry {vector:#x} is a task gate: task switches are not supported yet")

    wide = bool(gate.type & 8)                    # 32-bit gate: 32-bit pushes and offset
    offset = gate.gate_offset if wide else gate.gate_offset & 0xFFFF
    selector = gate.gate_selector
    if selector & 0xFFFC == 0:
        raise GuestFault(GP, ext, "interrupt gate with a null code selector")
    code, code_at = _descriptor(x, selector, GP, ext)
    sel_error = (selector & 0xFFFC) | ext
    if not code.is_code or code.dpl > cpl:
        raise GuestFault(GP, sel_error, "interrupt gate selector is not a code segment at or above CPL")
    if not code.present:
        raise GuestFault(NP, sel_error, "interrupt handler's code segment is not present")
    eflags = flags.materialize(w)
    if eflags & VM:
        raise GuestFault(GP, sel_error, "interrupts from virtual-8086 mode are not supported")

    new_cpl = cpl
    old_cs, old_ss, old_esp = cpu.seg[CS].selector, cpu.seg[SS].selector, w[ESP]
    frame = [eflags, old_cs, return_eip]
    if not code.conforming and code.dpl < cpl:    # inter-privilege: the stack comes from the TSS
        new_cpl = code.dpl
        new_ss, new_esp, stack, stack_at = inner_stack(x, new_cpl, ext)
        ss_error = (new_ss & 0xFFFC) | ext
        frame = [old_ss, old_esp] + frame
        stack_attrs, stack_limit, stack_base, esp = stack.attrs, stack.limit, stack.base, new_esp
        room_error = ss_error
    elif code.conforming or code.dpl == cpl:
        stack = None
        seg = cpu.seg[SS]
        stack_attrs, stack_limit, stack_base, esp = seg.attrs, seg.limit, seg.base, old_esp
        room_error = ext
    else:
        raise GuestFault(GP, sel_error, "interrupt handler's code segment DPL > CPL")
    if error_code is not None:
        frame.append(error_code)
    size = 4 if wide else 2
    sp_mask = M32 if stack_attrs & 0x4000 else 0xFFFF     # B bit: 32- or 16-bit stack pointer
    if not stack_has_room(stack_attrs, stack_limit, esp & sp_mask, len(frame) * size, sp_mask):
        raise GuestFault(SS_FAULT, room_error, "no room for the interrupt frame on the stack")
    if offset > code.limit:
        raise GuestFault(GP, ext, "interrupt handler's EIP is beyond its code segment limit")

    # Commit: nothing below can fault (push_frame's page checks come before its first write).
    w[ESP] = push_frame(x, frame, stack_base, esp, sp_mask, wide, user=new_cpl == 3)
    if stack is not None:
        segments.set_accessed(x, stack, stack_at)
        segments.write_cache(x, SS, new_ss, stack)
    segments.set_accessed(x, code, code_at)
    w[W_CPL] = new_cpl
    segments.write_cache(x, CS, (selector & 0xFFFC) | new_cpl, code)
    # An interrupt gate also clears IF; a trap gate leaves it (SDM Vol. 3, 6.12.1.3).
    cleared = TF | NT | RF | VM | (IF if not gate.type & 1 else 0)
    w[W_EFLAGS] = eflags & ~cleared & M32
    w[W_EIP] = offset


def deliver_fault(x, fault):
    """Deliver `fault`, raised by the instruction at EIP (state precise), with the SDM's rules for a
    fault during delivery: benign first -> deliver the second; contributory then contributory, or
    #PF then contributory/#PF -> #DF(0); anything while delivering #DF -> shutdown."""
    eip = x.w[W_EIP]
    chain = [fault]
    current = fault
    while True:
        code = (current.error_code or 0) if current.vector in HAS_ERROR_CODE else None
        try:
            deliver(x, current.vector, eip, code)
            return
        except GuestFault as nested:
            chain.append(nested)
            if current.vector == DF or len(chain) > 8:
                raise GuestShutdown(_describe(chain), chain) from None
            if _double_fault(current.vector, nested.vector):
                current = GuestFault(DF, 0, "double fault")
                chain.append(current)
            else:
                current = nested


def _double_fault(first, second):
    if first in CONTRIBUTORY:
        return second in CONTRIBUTORY
    if first == PF:
        return second in CONTRIBUTORY or second == PF
    return False


def _describe(chain):
    def short(f):
        name = VECTOR_NAMES.get(f.vector, f"vector {f.vector}")
        return name if f.error_code is None or f.vector == DF else f"{name}({f.error_code:#x})"
    steps = [str(chain[0])] + [short(f) for f in chain[1:]]
    return " -> ".join(steps) + f" ({chain[-1].detail})"


def _descriptor(x, selector, vector, ext):
    """The descriptor `selector` names; `vector`(selector | EXT) if it lies outside its table."""
    try:
        return segments.read_descriptor(x, selector)
    except GuestFault:
        raise GuestFault(vector, (selector & 0xFFFC) | ext,
                         f"selector {selector:#06x} is outside its descriptor table") from None


def inner_stack(x, new_cpl, ext):
    """The stack for entering privilege level `new_cpl` (interrupts, call gates): (SS, ESP, SS
    descriptor, its address) from the current TSS, with the SDM's checks (#TS, #SS not present)."""
    new_ss, new_esp = _tss_stack(x, new_cpl, ext)
    if new_ss & 0xFFFC == 0:
        raise GuestFault(TS, ext, "TSS stack selector is null")
    stack, stack_at = _descriptor(x, new_ss, TS, ext)
    ss_error = (new_ss & 0xFFFC) | ext
    if (new_ss & 3) != new_cpl or stack.dpl != new_cpl or not stack.writable:
        raise GuestFault(TS, ss_error, "TSS stack segment is not a writable data segment at the new CPL")
    if not stack.present:
        raise GuestFault(SS_FAULT, ss_error, "TSS stack segment is not present")
    return new_ss, new_esp, stack, stack_at


def push_frame(x, frame, stack_base, esp, sp_mask, wide, user):
    """Push `frame` (first value highest) on the stack at stack_base:esp for an access at CPL 3
    (`user`) or a more privileged one; returns the new ESP. With paging, the frame's pages are
    checked writable first, so a #PF leaves nothing written."""
    size = 4 if wide else 2
    frame_lo = (stack_base + ((esp & sp_mask) - len(frame) * size & sp_mask)) & M32
    if x.translate is not None:
        user_key = USER_KEY if user else 0
        x.translate(frame_lo, True, user_key)
        x.translate((frame_lo + len(frame) * size - 1) & M32, True, user_key)
    if user:
        write = x.wr32 if wide else x.wr16
    else:
        write = x.sys_wr32 if wide else x.sys_wr16
    sp, value_mask = esp & sp_mask, (M32 if wide else 0xFFFF)
    for value in frame:
        sp = (sp - size) & sp_mask
        write((stack_base + sp) & M32, value & value_mask)
    return (esp & ~sp_mask & M32) | sp


def _tss_stack(x, cpl, ext):
    """(SS, ESP) for privilege level `cpl` from the current TSS (32-bit: ESPn at 4+8n, SSn at 8+8n)."""
    tr = x.state.cpu.tr
    tss_type = tr.attrs & 0xF
    if tss_type in (SYS_TSS32_AVAIL, SYS_TSS32_BUSY):
        at = (cpl << 3) + 4
        if at + 5 > tr.limit:
            raise GuestFault(TS, (tr.selector & 0xFFFC) | ext, "TSS too small for the ring-0 stack")
        return x.sys_rd16((tr.base + at + 4) & M32), x.sys_rd32((tr.base + at) & M32)
    at = (cpl << 2) + 2                            # 16-bit TSS: SPn at 2+4n, SSn at 4+4n
    if at + 3 > tr.limit:
        raise GuestFault(TS, (tr.selector & 0xFFFC) | ext, "TSS too small for the ring-0 stack")
    return x.sys_rd16((tr.base + at + 2) & M32), x.sys_rd16((tr.base + at) & M32)


def stack_has_room(attrs, limit, sp, nbytes, sp_mask):
    """Whether offsets sp-nbytes .. sp-1 all lie inside the stack segment (expand-up or -down)."""
    low, high = (sp - nbytes) & sp_mask, (sp - 1) & sp_mask
    wraps = low > high
    if attrs & 0x4:                                # expand-down: valid offsets are limit+1 .. sp_mask
        return not wraps and low > limit
    return (not wraps and high <= limit) or limit >= sp_mask
