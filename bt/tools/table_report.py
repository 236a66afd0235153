"""`btvm table`: the instruction table with what each engine implements. Cold (a CLI command)."""
from bt.frontend.table import TABLE

_FLAG_LETTERS = (("C", 0x1), ("P", 0x4), ("A", 0x10), ("Z", 0x40), ("S", 0x80), ("T", 0x100),
                 ("I", 0x200), ("D", 0x400), ("O", 0x800))


def _letters(mask):
    return "".join(letter for letter, bit in _FLAG_LETTERS if mask & bit) or "-"


def engine_coverage():
    """{engine name: set of instruction names it implements}."""
    from bt.runtime.interp.registry import HANDLERS
    import bt.runtime.interp  # noqa: F401  (registers the handlers)
    coverage = {"interp": set(HANDLERS)}
    try:
        from bt.backend.coverage import native_lowerings
    except ImportError:
        coverage["jit"] = set()
    else:
        coverage["jit"] = set(native_lowerings())
    return coverage


def format_table():
    coverage = engine_coverage()
    engines = sorted(coverage)
    header = f"{'name':<12} {'reads':<10} {'writes':<10} {'undef':<8} {'attrs':<16} " + " ".join(
        f"{e:<6}" for e in engines)
    lines = [header, "-" * len(header)]
    for name, row in sorted(TABLE.items()):
        attrs = ",".join(a for a, on in (("end", row.ends_block), ("sens", row.sensitive),
                                          ("priv", row.privileged), ("io", row.io)) if on) or "-"
        marks = " ".join(f"{'yes' if name in coverage[e] else 'NO':<6}" for e in engines)
        lines.append(f"{name:<12} {_letters(row.reads):<10} {_letters(row.writes):<10} "
                     f"{_letters(row.undefined):<8} {attrs:<16} {marks}")
    missing = {e: sorted(set(TABLE) - coverage[e]) for e in engines}
    lines.append("")
    for e in engines:
        lines.append(f"{e}: {len(TABLE) - len(missing[e])}/{len(TABLE)} implemented"
                     + (f"; missing: {' '.join(missing[e])}" if missing[e] else ""))
    return "\n".join(lines)
