"""EFLAGS.TF single-stepping (SDM Vol. 3, 17.3.1.4): one instruction, then the #DB trap. Called by
Interpreter.step_delivering when TF is set at an instruction boundary; both engines' run loops (and
lockstep) step the interpreter one instruction at a time while TF is set, and the JIT's native POPF
that sets TF spends its budget so that native code stops right after it
(bt/backend/lower_flags_virt.py). Cold: only while a guest single-steps.

The rules, as the SDM gives them and QEMU 7.2 records them (testcases/asm/debug.asm):
- The trap follows an instruction that *started* with TF = 1, after it completed: the saved EIP is the
  next instruction's, DR6.BS is set, and delivery clears TF for the handler. So POPF/IRET that set TF
  trap only after the next instruction, and a POPF that clears TF still traps (saved TF = 0).
- An instruction that faults does not complete: its fault is delivered instead (TF cleared in the
  handler, the frame keeps TF = 1 so the IRET resumes stepping).
- INT n / INT3 / INT1 and a taken INTO enter their handler with TF clear and no trap (QEMU's behaviour).
- MOV SS / POP SS suppress the trap after them (the shadow external_interrupts.py also applies to
  interrupts); the next instruction still starts with TF = 1 and traps after it. As in QEMU, each SS
  load suppresses its own trap (MOV SS; MOV SS: no trap after either).
Not modelled: a REP string instruction traps once per interpreter chunk (up to 4,096 iterations), not
after every iteration; data and instruction breakpoints (DR0-DR3, DR7) are not checked.
"""
from bt.runtime.events import GuestFault, DB
from bt.runtime import external_interrupts
from bt.runtime.state import W_EIP

DR6_BS = 0x4000
_SOFTWARE_INTERRUPTS = frozenset(("int", "int3", "int1", "into"))


def step(x):
    """One instruction on interpreter `x` (TF is set), then its single-step trap if one is due."""
    w = x.w
    try:
        insn = x.step()
    except GuestFault as fault:
        x.deliver(fault)
        return
    if external_interrupts.loads_ss(insn):
        return
    if insn.name in _SOFTWARE_INTERRUPTS and w[W_EIP] != insn.next_address:
        return
    x.state.cpu.dr[6] |= DR6_BS
    x.deliver(GuestFault(DB, None, "single-step trap"))
