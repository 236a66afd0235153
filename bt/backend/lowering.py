"""Where native lowerings register: `@lowers("name", ...)` on `f(e, insn)`, which emits the IR of one
guest instruction through a BlockEmitter (bt/backend/emitter.py) or raises Unsupported.

Cold (translation time). The set of registered names is what `btvm table` shows for the JIT; any
other instruction runs in the interpreter through an EXIT_INTERP callout.
"""
LOWERINGS = {}


def lowers(*names):
    def register(fn):
        for name in names:
            assert name not in LOWERINGS, f"two lowerings for {name}"
            LOWERINGS[name] = fn
        return fn
    return register


class Unsupported(Exception):
    """This instruction (form) has no native lowering: the block ends before it and the interpreter
    runs it (EXIT_INTERP)."""
