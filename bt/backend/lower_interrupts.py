"""Native callouts for INT n, INT3 and IRETD (SDM Vol. 2 "INT n/INTO/INT3", "IRET"): the common
case runs in native code through bt_deliver / bt_iret (bt/backend/delivery_ir.py), which decline
whatever they do not handle; the interpreter then runs the instruction (an "interrupt" callout).
Cold (translation time).
"""
from bt.backend.delivery_ir import DELIVER_SOFTWARE
from bt.backend.flag_ir import _s32
from bt.backend.lowering import lowers
from bt.frontend.callouts import KIND
from bt.runtime.events import BP


@lowers("int", "int3", native=True)
def software_interrupt(e, insn):
    vector = BP if insn.name == "int3" else insn.operands[0].imm & 0xFF
    e.native_callout(f"call i32 {e.ctx_field('deliver')}(ptr %st, ptr %ctx, i32 {vector}, "
                     f"i32 {_s32(insn.next_address)}, i32 0, i32 {DELIVER_SOFTWARE})", KIND["interrupt"])


@lowers("iretd", native=True)
def iretd(e, insn):
    e.native_callout(f"call i32 {e.ctx_field('iret')}(ptr %st, ptr %ctx)", KIND["interrupt"])
