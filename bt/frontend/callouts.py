"""THE callout table: how the JIT rewrites each sensitive instruction into a call into the VMM.

As in VMware's classic binary translator, innocuous instructions are translated to native code and
sensitive ones (bt/frontend/table.py `sens`, plus segment/control-register moves found by operand)
become callouts. A callout ends the native block with EXIT_INTERP and the kind below in
JitContext.exit_info; the VMM (bt/runtime/jit_engine.py) runs the instruction with the reference
interpreter's handler, which both engines therefore share for these instructions.
Cold: consulted at translation time; kinds are counted by `btvm run --stats`.
"""
from bt.frontend import table
from bt.frontend.decoder import SREG, CREG, DREG

# kind number -> name; 0 means "no callout".
KINDS = ("none", "io", "flags", "interrupt-flag", "segment", "control-register", "descriptor-table",
         "far-transfer", "interrupt", "halt", "msr", "cache-tlb", "descriptor-probe", "fallback",
         "adaptive",      # an instruction that kept trapping (slow exits), retranslated as a callout
         "x87")           # WAIT / FNOP: #NM from CR0.EM/MP/TS
KIND = {name: i for i, name in enumerate(KINDS)}

_BY_NAME = {
    **{n: "io" for n in ("in", "out", "insb", "insw", "insd", "outsb", "outsw", "outsd")},
    **{n: "flags" for n in ("pushf", "pushfd", "popf", "popfd")},
    **{n: "interrupt-flag" for n in ("cli", "sti")},
    **{n: "segment" for n in ("lds", "les", "lfs", "lgs", "lss")},
    **{n: "control-register" for n in ("lmsw", "clts", "smsw")},
    **{n: "descriptor-table" for n in ("lgdt", "lidt", "lldt", "ltr", "sgdt", "sidt", "sldt", "str")},
    **{n: "far-transfer" for n in ("ljmp", "lcall", "retf")},
    **{n: "interrupt" for n in ("int", "int3", "into", "int1", "iret", "iretd")},
    "hlt": "halt",
    **{n: "msr" for n in ("rdmsr", "wrmsr")},
    **{n: "cache-tlb" for n in ("invd", "wbinvd", "invlpg")},
    **{n: "descriptor-probe" for n in ("lar", "lsl", "verr", "verw")},
    **{n: "x87" for n in ("wait", "fnop")},
}
CALLOUTS = dict(_BY_NAME)


def callout_kind(insn):
    """The callout kind name of a sensitive instruction, or None if it is innocuous."""
    kind = _BY_NAME.get(insn.name)
    if kind is not None:
        return kind
    if insn.name in ("mov", "push", "pop"):
        for op in insn.operands:
            if op.kind == SREG:
                return "segment"
            if op.kind in (CREG, DREG):
                return "control-register"
    return None


def _check_complete():
    sensitive = {name for name, row in table.TABLE.items() if row.sensitive}
    missing = sensitive - set(_BY_NAME)
    assert not missing, f"sensitive instructions without a callout kind: {sorted(missing)}"


_check_complete()
