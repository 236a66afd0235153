"""x87 instructions without an x87 (no FPU yet; CPUID does not claim one): just the #NM rules of
CR0.EM/MP/TS (SDM Vol. 3, 2.5 and Table 2-2; Vol. 2 WAIT/FWAIT), which lazy-FPU kernels rely on.

- WAIT/FWAIT: #NM if CR0.MP and CR0.TS are both set, else a no-op (there is no pending x87 error).
- FNOP: #NM if CR0.EM or CR0.TS is set, else a no-op.
- Any other x87 instruction (escape opcodes D8-DF): #NM if CR0.EM or CR0.TS is set, else #UD
  ("no x87 yet"); the interpreter's decode and compile call `x87_fault` for those.
The JIT runs WAIT and FNOP as callouts (kind "x87") and the rest through its fallback, so both engines
read CR0 when the instruction runs. Cold: x87 instructions are rare without an FPU.
"""
from bt.runtime.events import GuestFault, NM, UD
from bt.runtime.interp.registry import handles
from bt.runtime.state import CR0_EM, CR0_MP, CR0_TS

_PREFIXES = frozenset((0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3))


@handles("wait")
def wait(x, insn):
    cr = x.state.cpu.cr

    def op():
        if cr[0] & (CR0_MP | CR0_TS) == CR0_MP | CR0_TS:
            raise GuestFault(NM, detail="WAIT with CR0.MP and CR0.TS set")
    return op


@handles("fnop")
def fnop(x, insn):
    cr = x.state.cpu.cr

    def op():
        if cr[0] & (CR0_EM | CR0_TS):
            raise GuestFault(NM, detail="x87 instruction with CR0.EM or CR0.TS set")
    return op


def is_x87(code):
    """Whether the instruction bytes `code` are an x87 escape (D8-DF after any prefixes)."""
    for byte in code:
        if byte not in _PREFIXES:
            return 0xD8 <= byte <= 0xDF
    return False


def x87_fault(x, detail):
    """The fault an x87 instruction btvm cannot run raises: #NM if CR0.EM or CR0.TS, else #UD."""
    if x.state.cpu.cr[0] & (CR0_EM | CR0_TS):
        return GuestFault(NM, detail=f"{detail}: x87 instruction with CR0.EM or CR0.TS set")
    return GuestFault(UD, detail=f"{detail}: no x87 yet")
