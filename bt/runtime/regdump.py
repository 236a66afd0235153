"""A human-readable dump of the guest CPU state, for the end-of-run report of a shutdown or fault.

Called by bt/runtime/machine.py when a run ends badly (cold). Folds pending lazy flags first, so EFLAGS
is the architectural value.
"""
from bt.runtime import flags
from bt.runtime.state import REG_NAMES, SEG_NAMES


def register_dump(state):
    c = state.cpu
    eflags = flags.materialize(state.w)
    regs = [f"{name}={c.regs[i]:08x}" for i, name in enumerate(REG_NAMES)]
    lines = [" ".join(regs[:4]), " ".join(regs[4:]),
             f"eip={c.eip:08x} eflags={eflags:08x} cpl={c.cpl}"]
    for i, name in enumerate(SEG_NAMES):
        s = c.seg[i]
        lines.append(f"{name}={s.selector:04x} base={s.base:08x} limit={s.limit:08x} attrs={s.attrs:04x}")
    lines.append(f"ldtr={c.ldtr.selector:04x} base={c.ldtr.base:08x}  tr={c.tr.selector:04x} "
                 f"base={c.tr.base:08x}")
    lines.append(f"gdtr={c.gdtr_base:08x}/{c.gdtr_limit:04x} idtr={c.idtr_base:08x}/{c.idtr_limit:04x}")
    lines.append(f"cr0={c.cr[0]:08x} cr2={c.cr[2]:08x} cr3={c.cr[3]:08x} cr4={c.cr[4]:08x}")
    return "\n".join(lines)
