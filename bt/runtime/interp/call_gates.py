"""Far CALL and JMP through call gates (SDM Vol. 2 "CALL" and "JMP", Vol. 3 5.8.3-5.8.5), for the
reference interpreter's far-transfer handlers (bt/runtime/interp/ops_system.py), which the JIT runs
as callouts. Cold: once per gate transfer.

`call_gate(x, selector)` says whether a far CALL/JMP selector names a call gate. `through_gate`
makes the transfer: to the same privilege level (JMP always; CALL to conforming code or code at
CPL), or a CALL to a more privileged non-conforming segment, which switches to the TSS's stack for
the new CPL (bt/runtime/interrupts.py `inner_stack`) and copies the gate's parameter count of
dwords (words for a 16-bit gate) from the caller's stack. Every check is made before anything is
written, so a fault leaves the state untouched. The return to the outer level is RETF's
(ops_system.py).
"""
from bt.runtime import interrupts
from bt.runtime.descriptors import SYS_CALL_GATE16, SYS_CALL_GATE32
from bt.runtime.events import GuestFault, GP, NP, SS as SS_FAULT
from bt.runtime.interp import segments
from bt.runtime.state import CS, SS, ESP, W_CPL

M32 = 0xFFFFFFFF


def call_gate(x, selector):
    """The call-gate Descriptor `selector` names, or None if it names anything else (the ordinary
    code-segment path then does its own checks)."""
    if selector & 0xFFFC == 0:
        return None
    desc, _ = segments.read_descriptor(x, selector)
    return desc if desc.is_system and desc.type in (SYS_CALL_GATE16, SYS_CALL_GATE32) else None


def through_gate(x, gate, selector, return_eip=None):
    """Far JMP (return_eip None) or CALL through `gate`, named by `selector`. Returns the new EIP."""
    w = x.w
    cpl, is_call = w[W_CPL], return_eip is not None
    gate_error = selector & 0xFFFC
    if gate.dpl < cpl or gate.dpl < (selector & 3):
        raise GuestFault(GP, gate_error, "call gate DPL below CPL or RPL")
    if not gate.present:
        raise GuestFault(NP, gate_error, "call gate not present")
    target = gate.gate_selector
    if target & 0xFFFC == 0:
        raise GuestFault(GP, 0, "call gate with a null code selector")
    code, code_at = segments.read_descriptor(x, target)
    code_error = target & 0xFFFC
    if not code.is_code or code.dpl > cpl:
        raise GuestFault(GP, code_error, "call gate target is not a code segment at or above CPL")
    if not is_call and not code.conforming and code.dpl != cpl:
        raise GuestFault(GP, code_error, "JMP through a call gate to non-conforming code with DPL != CPL")
    if not code.present:
        raise GuestFault(NP, code_error, "call gate target code segment not present")
    wide = gate.type == SYS_CALL_GATE32
    offset = gate.gate_offset if wide else gate.gate_offset & 0xFFFF

    if is_call and not code.conforming and code.dpl < cpl:
        return _call_inner(x, gate, code, code_at, target, offset, return_eip, wide)
    if offset > code.limit:
        raise GuestFault(GP, 0, "call gate offset beyond the code segment limit")
    if is_call:
        cpu, sp = x.state.cpu, w[ESP]
        push = x.push32 if wide else x.push16
        try:
            push(cpu.seg[CS].selector)
            push(return_eip & (M32 if wide else 0xFFFF))
        except GuestFault:
            w[ESP] = sp
            raise
    segments.set_accessed(x, code, code_at)
    segments.write_cache(x, CS, code_error | cpl, code)
    return offset


def _call_inner(x, gate, code, code_at, target, offset, return_eip, wide):
    """CALL to a more privileged level: new stack from the TSS, then old SS:ESP, the parameters and
    the return CS:EIP pushed on it."""
    w, cpu = x.w, x.state.cpu
    new_cpl = code.dpl
    new_ss, new_esp, stack, stack_at = interrupts.inner_stack(x, new_cpl, 0)
    size = 4 if wide else 2
    count = (gate.raw >> 32) & 0x1F
    sp_mask = M32 if stack.attrs & 0x4000 else 0xFFFF
    nbytes = (4 + count) * size
    if not interrupts.stack_has_room(stack.attrs, stack.limit, new_esp & sp_mask, nbytes, sp_mask):
        raise GuestFault(SS_FAULT, new_ss & 0xFFFC, "no room for the call gate frame on the new stack")
    if offset > code.limit:
        raise GuestFault(GP, 0, "call gate offset beyond the code segment limit")

    old_ss, old_esp = cpu.seg[SS].selector, w[ESP]
    old_sp_mask = M32 if cpu.seg[SS].attrs & 0x4000 else 0xFFFF
    read = x.sys_rd32 if wide else x.sys_rd16
    params = [read((cpu.seg[SS].base + ((old_esp + i * size) & old_sp_mask)) & M32)
              for i in reversed(range(count))]                 # highest address first
    frame = [old_ss, old_esp] + params + [cpu.seg[CS].selector, return_eip]

    # Commit: nothing below can fault (push_frame's page checks come before its first write).
    w[ESP] = interrupts.push_frame(x, frame, stack.base, new_esp, sp_mask, wide, user=new_cpl == 3)
    segments.set_accessed(x, stack, stack_at)
    segments.write_cache(x, SS, new_ss, stack)
    segments.set_accessed(x, code, code_at)
    w[W_CPL] = new_cpl
    segments.write_cache(x, CS, (target & 0xFFFC) | new_cpl, code)
    return offset
