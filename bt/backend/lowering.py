"""Where native lowerings register: `@lowers("name", ...)` on `f(e, insn)`, which emits the IR of one
guest instruction through a BlockEmitter (bt/backend/emitter.py) or raises Unsupported.

A sensitive instruction's lowering registers with `native=True` (a native callout: the VMM's
handling inline, falling back to the interpreter by a side exit where it must).
Cold (translation time). The set of registered names is what `btvm table` shows for the JIT; any
other instruction runs in the interpreter through an EXIT_INTERP callout.
"""
from bt.frontend.decoder import CREG

LOWERINGS = {}
# Sensitive instructions whose VMM handling is lowered inline (a native callout): the translator
# uses their lowering instead of ending the block with a callout. Registered with `native=True`.
NATIVE_CALLOUTS = set()


def lowers(*names, native=False):
    def register(fn):
        for name in names:
            assert name not in LOWERINGS, f"two lowerings for {name}"
            LOWERINGS[name] = fn
            if native:
                NATIVE_CALLOUTS.add(name)
        return fn
    return register


def lowering_name(insn):
    """The name insn's lowering registers under: its mnemonic, or for a form that is sensitive by
    operand and has a native callout of its own, the form's name (MOV from a control register)."""
    if insn.name == "mov" and len(insn.operands) == 2 and insn.operands[1].kind == CREG:
        return "mov-from-cr"
    return insn.name


class Unsupported(Exception):
    """This instruction (form) has no native lowering: the block ends before it and the interpreter
    runs it (EXIT_INTERP)."""
