"""Which instructions the JIT lowers natively (for `btvm table` and the fallback test). Cold."""


def native_lowerings():
    import bt.backend.translator  # noqa: F401  (imports and registers every lower_* module)
    from bt.backend.lowering import LOWERINGS
    return set(LOWERINGS)
