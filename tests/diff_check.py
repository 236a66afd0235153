"""Run one Case (tests/diff_forms.py) on the reference interpreter and on Unicorn, and compare.

Used by tests/test_diff_unicorn.py and tests/test_unicorn_quirks.py. Test-time only; one BareMachine
and one Unicorn are reused for every case (RAM is reset per case), a fresh Interpreter each time.

Compared: EAX..EDI, EIP, EFLAGS and all of RAM, minus what tests/diff_masks.py says is undefined.
When Unicorn faults (#DE, #UD, #BR ...) the interpreter must raise GuestFault with the same vector and
leave registers, EIP, EFLAGS and RAM exactly as they were before the instruction.
"""
from hypothesis import reject

from bt.frontend.decoder import MEM
from bt.runtime import flags
from bt.runtime.events import GuestFault, VECTOR_NAMES
from bt.runtime.interp import Interpreter
from bt.runtime.interp.registry import HANDLERS
from bt.runtime.state import REG_NAMES, W_EIP, W_EFLAGS
from cpu_harness import BareMachine
from diff_forms import CODE_GPA, WINDOW_GPA
from diff_masks import Mask, mask_for, effective_address
import unicorn_quirks
from unicorn_oracle import UnicornOracle, Outcome, MEM_SIZE

_FLAG_NAMES = ((0x1, "CF"), (0x4, "PF"), (0x10, "AF"), (0x40, "ZF"), (0x80, "SF"), (0x100, "TF"),
               (0x200, "IF"), (0x400, "DF"), (0x800, "OF"))
_machine = None
_oracle = None
_ZERO = bytes(MEM_SIZE)
MAX_REP_STEPS = 64


class NoHandler(AssertionError):
    pass


def oracle():
    global _oracle
    if _oracle is None:
        _oracle = UnicornOracle()
    return _oracle


def _writes(case):
    return {WINDOW_GPA: case.window}


def run_interpreter(case):
    global _machine
    if _machine is None:
        _machine = BareMachine(MEM_SIZE)
    m = _machine
    m.state.reset_protected_flat()
    w = m.state.w
    view = m.mem.view
    view[:] = _ZERO
    for gpa, data in _writes(case).items():
        view[gpa:gpa + len(data)] = data
    view[CODE_GPA:CODE_GPA + len(case.code)] = case.code
    for i, v in enumerate(case.regs):
        w[i] = v
    w[W_EFLAGS] = case.eflags
    w[W_EIP] = CODE_GPA
    x = Interpreter(m)
    fault = None
    try:
        for _ in case.insns:
            at = w[W_EIP]
            x.step()
        # A REP string handler may run one iteration per step (EIP stays on the instruction).
        steps = 1
        while case.rep and w[W_EIP] == at and steps < MAX_REP_STEPS:
            x.step()
            steps += 1
    except GuestFault as f:
        missing = [i.name for i in case.insns if i.name not in HANDLERS]
        if "is not implemented" in f.detail or missing:
            raise NoHandler(f"no interpreter handler for {' '.join(missing)} ({f.detail})") from None
        fault = f.vector
    return Outcome(regs=list(w[0:8]), eip=w[W_EIP], eflags=flags.materialize(w), memory=bytes(view), fault=fault)


def run_unicorn(case, workarounds=True):
    """Unicorn's outcome for `case`, with its known deviations from the SDM corrected (unicorn_quirks)."""
    code = unicorn_quirks.unicorn_code(case) if workarounds else case.code
    out = oracle().run(CODE_GPA, code, case.regs, case.eflags, _writes(case), rep=case.rep, count=len(case.insns))
    if code != case.code:
        mem = bytearray(out.memory)
        mem[CODE_GPA:CODE_GPA + len(code)] = case.code
        out.memory = bytes(mem)
    return unicorn_quirks.correct(case, out) if workarounds else out


def initial_memory(case):
    mem = bytearray(MEM_SIZE)
    for gpa, data in _writes(case).items():
        mem[gpa:gpa + len(data)] = data
    mem[CODE_GPA:CODE_GPA + len(case.code)] = case.code
    return bytes(mem)


def _memory_operands(case):
    before = initial_memory(case)
    text = ""
    for op in case.insns[-1].operands:
        if op.kind == MEM:
            ea = effective_address(op, case.regs)
            text += f" [{ea:#x}]={before[ea:ea + max(op.size, 1)][::-1].hex()}"
    return text


def _flag_text(bits):
    return " ".join(n for b, n in _FLAG_NAMES if bits & b) or f"{bits:#x}"


def _vec(v):
    return "no fault" if v is None else VECTOR_NAMES.get(v, f"vector {v}")


def differences(case, got, want, mask):
    """Lines describing where `got` (interpreter) differs from `want`, ignoring `mask`."""
    out = []
    for i, name in enumerate(REG_NAMES):
        ignore = mask.regs.get(i, 0)
        if (got.regs[i] ^ want.regs[i]) & ~ignore & 0xFFFFFFFF:
            out.append(f"{name.upper()}: interpreter {got.regs[i]:#010x}, expected {want.regs[i]:#010x}")
    if got.eip != want.eip:
        out.append(f"EIP: interpreter {got.eip:#010x}, expected {want.eip:#010x}")
    diff = (got.eflags ^ want.eflags) & ~mask.flags
    if diff:
        out.append(f"EFLAGS: interpreter {got.eflags:#x}, expected {want.eflags:#x} (differ in {_flag_text(diff)};"
                   f" masked as undefined: {_flag_text(mask.flags) if mask.flags else '-'})")
    if got.memory != want.memory:
        gm, wm = bytearray(got.memory), bytearray(want.memory)
        for gpa, size in mask.memory:
            for a in range(gpa, gpa + size):
                if a < MEM_SIZE:
                    gm[a] = wm[a] = 0
        if gm != wm:
            addrs = [a for a in range(MEM_SIZE) if gm[a] != wm[a]]
            shown = ", ".join(f"{a:#x}: {gm[a]:02x} vs {wm[a]:02x}" for a in addrs[:8])
            out.append(f"memory differs at {len(addrs)} bytes (interpreter vs expected): {shown}")
    return out


def _mask(case):
    """What is undefined after all of case.insns (registers before the first one decide counts)."""
    mask = Mask()
    for insn in case.insns:
        m = mask_for(insn, case.regs)
        mask.flags |= m.flags
        for r, bits in m.regs.items():
            mask.regs[r] = mask.regs.get(r, 0) | bits
        mask.memory += m.memory
    mask.flags |= unicorn_quirks.unreliable_flags(case)
    return mask


def check(case):
    """Assert that the interpreter agrees with Unicorn on `case` (hypothesis.reject()s invalid cases)."""
    want = run_unicorn(case)
    if want.unmapped or unicorn_quirks.uncomparable(case):
        reject()
    got = run_interpreter(case)
    head = (f"{'; '.join(i.text for i in case.insns)!r} [{case.code.hex(' ')}] from regs "
            + " ".join(f"{n}={v:#x}" for n, v in zip(REG_NAMES, case.regs)) + f" eflags={case.eflags:#x}"
            + _memory_operands(case))
    if want.fault is not None or got.fault is not None:
        if want.fault != got.fault:
            raise AssertionError(f"{head}\n  fault: interpreter {_vec(got.fault)}, Unicorn {_vec(want.fault)}")
        if len(case.insns) > 1:
            return
        before = Outcome(regs=list(case.regs), eip=CODE_GPA, eflags=case.eflags, memory=initial_memory(case))
        lines = differences(case, got, before, Mask())
        if lines:
            raise AssertionError(f"{head}\n  {_vec(got.fault)} but the state changed (not precise):\n  "
                                 + "\n  ".join(lines))
        return
    lines = differences(case, got, want, _mask(case))
    if lines:
        raise AssertionError(f"{head}\n  " + "\n  ".join(lines))
