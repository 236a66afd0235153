"""Where the reference interpreter's instruction handlers register themselves.

Each handler module decorates a *factory* with `@handles("name", ...)` (capstone instruction names,
the keys of bt/frontend/table.py). At decode time the interpreter calls `factory(x, insn)` once per
decoded instruction; the factory returns the closure `op()` that executes that one instruction.
`op()` returns None to fall through, or the next EIP for a control transfer.

Cold (import time and decode time only); the closures it produces are the hot path.
"""
HANDLERS = {}


def handles(*names):
    def register(factory):
        for name in names:
            assert name not in HANDLERS, f"two handlers for {name}"
            HANDLERS[name] = factory
        return factory
    return register
