"""The `btvm` command line: `btvm run IMAGE [options]`, `btvm table`.

Entry point of the console script, of `python -m bt` and of `python -m bt.cli` (cold). Turns options into
a Machine, runs it and turns the RunResult into a message on stderr and the process exit status:
the guest's own status for a write to port 0xF4, else one of the STATUS_* of bt/runtime/events.py
(README has the table). Bad options and unloadable images give one line "btvm: error: ..." and status 2.
No traceback reaches the user unless BTVM_DEBUG=1.
"""
import argparse
import os
import re
import sys

from bt.runtime.clock import MAX_ICOUNT_SHIFT
from bt.runtime.events import STATUS_DIVERGENCE, STATUS_IMAGE_ERROR, STATUS_INTERNAL_ERROR, ImageError
from bt.runtime.machine import DEFAULT_MEMORY, ENGINES, Machine
from bt.runtime.memory import PAGE_SIZE
from bt.runtime.multiboot_info import MIN_RAM

DEFAULT_TCACHE = "64M"     # bt/runtime/jit_engine.py DEFAULT_TCACHE_SIZE

MAX_MEMORY = 3 << 30      # all of it below the pc machine's PCI hole, so one e820 RAM range
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgKMG]?)(i?[bB])?\s*$")
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


class UsageError(Exception):
    """A bad command line; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _bytes(text):
    m = _SIZE_RE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (use e.g. 128M, 1G or a byte count)")
    return int(m.group(1)) * _SIZE_UNITS[m.group(2).lower()]


def parse_size(text):
    """'128M', '1G', '65536K', '134217728' -> bytes (binary units)."""
    size = _bytes(text)
    if size < MIN_RAM or size > MAX_MEMORY:
        raise argparse.ArgumentTypeError(
            f"memory size {text!r} is out of range ({MIN_RAM >> 20}M to {MAX_MEMORY >> 30}G)")
    if size % PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"memory size {text!r} is not a multiple of 4K")
    return size


MIN_TCACHE = 1 << 20       # below this nearly every batch would flush
MAX_TCACHE = 1 << 40


def parse_tcache_size(text):
    size = _bytes(text)
    if not MIN_TCACHE <= size <= MAX_TCACHE:
        raise argparse.ArgumentTypeError(f"translation cache size {text!r} is out of range (1M to 1024G)")
    return size


def parse_positive_int(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"count must be positive, not {text!r}")
    return value


MAX_HOT_THRESHOLD = (1 << 31) - 1      # the quick tier counts executions in an i32


def parse_hot_threshold(text):
    value = parse_positive_int(text)
    if value > MAX_HOT_THRESHOLD:
        raise argparse.ArgumentTypeError(f"count {text!r} is too large (at most {MAX_HOT_THRESHOLD})")
    return value


def parse_seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"timeout must be a positive number of seconds, not {text!r}")
    return value


def parse_address(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid address {text!r} (use e.g. 0x100000)") from None
    if not 0 <= value < 1 << 32:
        raise argparse.ArgumentTypeError(f"address {text!r} is outside the 32-bit address space")
    return value


def parse_icount(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid icount shift {text!r}") from None
    if not 0 <= value <= MAX_ICOUNT_SHIFT:
        raise argparse.ArgumentTypeError(f"icount shift {text!r} is out of range (0 to {MAX_ICOUNT_SHIFT})")
    return value


def build_parser():
    parser = _Parser(prog="btvm", description="A binary-translation VM for 32-bit x86 bare-metal guests.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run = sub.add_parser("run", help="boot a Multiboot, ELF or raw image and run it",
                         description="Boot IMAGE (Multiboot v1: ELF32, a.out-kludge flat binary, or raw "
                                     "flat binary) and run it; exit with the guest's status.")
    run.add_argument("image", metavar="IMAGE", help="the guest image file")
    run.add_argument("--engine", choices=["jit", "interp", "diff"], default="jit",
                     help="execution engine: the binary translator (jit, default), the reference "
                          "interpreter (interp), or both in lockstep (diff, the same as --diff)")
    run.add_argument("--hot-threshold", type=parse_hot_threshold, default=None, metavar="N",
                     help="jit: executions of a block before it is retranslated by the optimising "
                          "tier (default 200000)")
    run.add_argument("--tcache-size", type=parse_tcache_size, default=None, metavar="SIZE",
                     help="jit: bound on the host memory of translated code, e.g. 16M; when it is "
                          f"exceeded every translation is dropped and its memory freed (default {DEFAULT_TCACHE})")
    run.add_argument("--memory", type=parse_size, default=DEFAULT_MEMORY, metavar="SIZE",
                     help="guest RAM, e.g. 128M or 1G (default 128M)")
    run.add_argument("--max-insns", type=parse_positive_int, default=None, metavar="N",
                     help="stop after N guest instructions")
    run.add_argument("--timeout", type=parse_seconds, default=None, metavar="S",
                     help="stop after S seconds of host time")
    run.add_argument("--stats", action="store_true",
                     help="print what the engine did (translations, cache, callouts) on stderr")
    run.add_argument("--diff", action="store_true",
                     help="run the JIT and the interpreter in lockstep and stop at the first instruction "
                          f"whose effect differs (exit status {STATUS_DIVERGENCE})")
    run.add_argument("--diff-full-every", type=parse_positive_int, default=None, metavar="N",
                     help="with --diff: compare all of RAM every N instructions (default 200000)")
    run.add_argument("--icount", type=parse_icount, default=None, metavar="N",
                     help="guest time advances 2**N ns per guest instruction (as QEMU's -icount shift=N) "
                          "instead of following the host clock: timer interrupts then land on the same "
                          f"instruction on every run and engine (N = 0..{MAX_ICOUNT_SHIFT})")
    run.add_argument("--load-addr", type=parse_address, default=None, metavar="ADDR",
                     help="where a raw binary without a Multiboot header goes (default 0x100000)")
    ex = sub.add_parser("explain", help="show one translated block: guest code, LLVM IR, host code",
                        description="Translate the block at ADDR (default: the entry point) of IMAGE as "
                                    "loaded and print its guest assembly, LLVM IR and host assembly.")
    ex.add_argument("image", metavar="IMAGE")
    ex.add_argument("--addr", type=parse_address, default=None, metavar="EIP",
                    help="guest address of the block (default: the image's entry point)")
    ex.add_argument("--tier", choices=["quick", "hot"], default="quick",
                    help="translation tier to show (default quick)")
    ex.add_argument("--memory", type=parse_size, default=DEFAULT_MEMORY, metavar="SIZE")
    sub.add_parser("table", help="print the instruction table and what each engine implements",
                   description="Print THE instruction table (flags read/written/undefined, block end, "
                               "sensitive) with the instructions each engine implements.")
    return parser


def cmd_explain(args):
    from bt.tools.explain import explain
    try:
        print(explain(args.image, args.addr, args.tier, args.memory))
    except ImageError as e:
        _err(f"error: {e}")
        return STATUS_IMAGE_ERROR
    return 0


def cmd_table(args):
    from bt.tools.table_report import format_table
    print(format_table())
    return 0


def _print_stats(machine, result):
    engine = machine.engine
    lines = engine.stats_lines() if engine is not None and hasattr(engine, "stats_lines") else []
    sys.stderr.write("btvm stats:\n" + "".join(f"  {line}\n" for line in lines))
    sys.stderr.flush()


def _err(message):
    sys.stderr.write(f"btvm: {message}\n")
    sys.stderr.flush()


def _debug():
    return os.environ.get("BTVM_DEBUG", "") not in ("", "0")


def cmd_run(args):
    if args.load_addr is not None and args.load_addr >= args.memory:
        raise UsageError(f"--load-addr {args.load_addr:#x} is beyond guest RAM (0..{args.memory:#x})")
    try:
        machine = Machine(memory_size=args.memory, icount=args.icount)
    except MemoryError as e:
        _err(f"error: cannot allocate guest RAM: {e}")
        return STATUS_INTERNAL_ERROR
    with machine:
        try:
            machine.load(args.image, args.load_addr)
        except ImageError as e:
            _err(f"error: {e}")
            return STATUS_IMAGE_ERROR
        engine = "diff" if args.diff else args.engine
        if args.diff_full_every is not None:
            machine.diff_full_every = args.diff_full_every
        options = {}
        if args.hot_threshold is not None and engine == "jit":
            options["hot_threshold"] = args.hot_threshold
        if args.tcache_size is not None and engine == "jit":
            options["tcache_size"] = args.tcache_size
        result = machine.run(engine=engine, max_insns=args.max_insns, timeout=args.timeout,
                             engine_options=options)
        if args.stats:
            _print_stats(machine, result)
    if result.reason == "exit":
        return result.status
    if result.reason == "internal" and hasattr(result.error, "report"):     # lockstep Divergence
        _err(result.error.report)
        return STATUS_DIVERGENCE
    if result.reason == "internal":
        if _debug() and result.traceback:
            sys.stderr.write(result.traceback)
        _err(result.message)
        if result.dump:
            sys.stderr.write(result.dump + "\n")
        hints = [] if _debug() else ["rerun with BTVM_DEBUG=1 for a traceback"]
        if engine == "jit":
            hints.append("rerun with --diff to find the first instruction where the JIT and the "
                         "interpreter differ, or with --engine interp")
        _err("; ".join(hints + ["please report a bug"]))
        return result.status
    _err(result.message)
    if result.dump:
        sys.stderr.write(result.dump + "\n")
    return result.status


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return STATUS_IMAGE_ERROR
        if args.command == "table":
            return cmd_table(args)
        if args.command == "explain":
            return cmd_explain(args)
        return cmd_run(args)
    except UsageError as e:
        _err(f"error: {e} (see btvm run --help)")
        return STATUS_IMAGE_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:          # `btvm explain ... | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except Exception as e:   # a bug outside the run itself (parsing, loading)
        if _debug():
            raise
        _err(f"internal error: {type(e).__name__}: {e}; rerun with BTVM_DEBUG=1 for a traceback; "
             "please report a bug")
        return STATUS_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
