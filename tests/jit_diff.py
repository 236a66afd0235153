"""A small harness for JIT lowering tests: run a code snippet on the JIT and on the reference
interpreter from the same state and compare what they leave.

    jit, ref = run_both(code, regs={"eax": 5}, eflags=0x2, memory={0x8000: b"..."})
    assert_same(jit, ref, undefined=undefined_flags(code))

The snippet is placed at CODE_ADDR and run until `hlt` (appended when missing), a guest fault or
`max_insns`. Each engine gets a fresh BareMachine (tests/cpu_harness.py) with 1 MiB of RAM, flat
segments, ESP = STACK_TOP unless `regs` says otherwise. Test-time only.
"""
from dataclasses import dataclass, field

from bt.frontend import table
from bt.frontend.decoder import DecodeError, Decoder
from bt.runtime import flags
from bt.runtime.events import GuestFault, GuestHalt, GuestShutdown, LimitReached
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.state import REG_NAMES, W_EFLAGS, W_EIP, ARITH_FLAGS
from cpu_harness import BareMachine

MEM_SIZE = 1 << 20
CODE_ADDR = 0x1000
STACK_TOP = 0x70000
HLT = b"\xf4"
_FLAG_NAMES = ((0x1, "CF"), (0x4, "PF"), (0x10, "AF"), (0x40, "ZF"), (0x80, "SF"), (0x100, "TF"),
               (0x200, "IF"), (0x400, "DF"), (0x800, "OF"))
_decoder = Decoder()


@dataclass
class CpuResult:
    regs: list            # EAX..EDI
    eip: int
    eflags: int           # materialised
    memory: dict          # addr -> bytes, read back over the ranges given to run_both (and `watch`)
    end: str              # "halt", "limit", or the fault, e.g. "fault #DE"
    interp_steps: int = 0  # JIT only: instructions it left to its interpreter (callouts, slow memory)
    extra: dict = field(default_factory=dict)


def _regs(regs):
    out = {"esp": STACK_TOP}
    for k, v in (regs or {}).items():
        out[REG_NAMES[k] if isinstance(k, int) else k] = v & 0xFFFFFFFF
    return out


def _run(engine_cls, code, regs, eflags, memory, watch, max_insns, code_addr):
    m = BareMachine(MEM_SIZE)
    for addr, data in memory.items():
        m.mem.write(addr, bytes(data))
    m.load_code(code, code_addr, **_regs(regs))
    m.state.w[W_EFLAGS] = eflags | 0x2
    engine = engine_cls(m)
    try:
        engine.run(max_insns=max_insns)
        end = "returned"
    except GuestHalt:
        end = "halt"
    except GuestFault as e:
        end = f"fault {str(e).split()[0]}"
    except GuestShutdown as e:          # no IDT in these machines: a fault ends in a triple fault
        end = f"fault {str(e.faults[0]).split()[0]}"
    except LimitReached:
        end = "limit"
    w = m.state.w
    ranges = dict(memory)
    ranges.update({a: bytes(n) for a, n in watch.items()} if isinstance(watch, dict) else {})
    result = CpuResult(list(w[:8]), w[W_EIP], flags.materialize(w), {a: m.mem.read(a, len(d)) for a, d in ranges.items()},
                       end, getattr(getattr(engine, "stats", None), "interp_steps", 0))
    result.extra["executed"] = engine.executed if isinstance(engine, Jit) else engine.insn_count
    m.mem.close()
    return result


def run_both(code, regs=None, eflags=0x2, memory=None, *, watch=None, max_insns=1_000_000, code_addr=CODE_ADDR):
    """Run `code` (bytes; `hlt` appended if it does not end with one) on the JIT and the interpreter.

    regs: {"eax": v, ...} or {0: v, ...}; eflags: the starting EFLAGS; memory: {addr: bytes} written
    before the run and read back after it; watch: {addr: length} more ranges to read back.
    Returns (jit_result, interp_result), both CpuResult."""
    code = bytes(code)
    if not code.endswith(HLT):
        code += HLT
    memory = dict(memory or {})
    watch = dict(watch or {})
    jit = _run(Jit, code, regs, eflags, memory, watch, max_insns, code_addr)
    ref = _run(Interpreter, code, regs, eflags, memory, watch, max_insns, code_addr)
    return jit, ref


def run_to_end(machine, engine, max_insns=100):
    """Run `machine` on `engine` ("interp", "jit", "jit-hot": every block optimised, "diff") and
    say how it ended: "returned", "halt", "limit" or the fault's (vector, error code)."""
    from bt.runtime.machine import engine_class
    options = {"hot_threshold": 1} if engine == "jit-hot" else {}
    eng = engine_class("jit" if engine == "jit-hot" else engine)(machine, **options)
    try:
        eng.run(max_insns=max_insns)
        return "returned"
    except GuestHalt:
        return "halt"
    except GuestShutdown as e:
        return (e.faults[0].vector, e.faults[0].error_code)
    except GuestFault as f:
        return (f.vector, f.error_code)
    except LimitReached:
        return "limit"


def undefined_flags(code, at=CODE_ADDR):
    """EFLAGS bits left undefined (instruction table) after running `code` straight through."""
    undefined, pos = 0, 0
    for insn in decode_all(code, at):
        row = table.info(insn.name)
        if row is not None:
            undefined = (undefined & ~row.writes) | row.undefined
        pos += insn.size
    return undefined


def decode_all(code, at=CODE_ADDR):
    """Every instruction of `code` in address order (stops at undecodable bytes)."""
    out, pos = [], 0
    while pos < len(code):
        try:
            insn = _decoder.decode(code[pos:pos + 15], at + pos)
        except DecodeError:
            break
        out.append(insn)
        pos += insn.size
    return out


def flag_names(bits):
    return " ".join(n for b, n in _FLAG_NAMES if bits & b) or "-"


def differences(a, b, undefined=0, names=("jit", "interp")):
    """What differs between two CpuResults (undefined EFLAGS bits masked), as readable lines."""
    out = []
    if a.end != b.end:
        out.append(f"end: {names[0]} {a.end}, {names[1]} {b.end}")
    for r in range(8):
        if a.regs[r] != b.regs[r]:
            out.append(f"{REG_NAMES[r]}: {names[0]} {a.regs[r]:#010x}, {names[1]} {b.regs[r]:#010x}")
    if a.eip != b.eip:
        out.append(f"eip: {names[0]} {a.eip:#010x}, {names[1]} {b.eip:#010x}")
    diff = (a.eflags ^ b.eflags) & ~(undefined & ARITH_FLAGS)
    if diff:
        out.append(f"eflags: {names[0]} {a.eflags:#x} [{flag_names(a.eflags)}], {names[1]} {b.eflags:#x} "
                   f"[{flag_names(b.eflags)}], differing {flag_names(diff)}")
    for addr in sorted(set(a.memory) & set(b.memory)):
        x, y = a.memory[addr], b.memory[addr]
        for i, (p, q) in enumerate(zip(x, y)):
            if p != q:
                out.append(f"memory {addr + i:#x}: {names[0]} {p:02x}, {names[1]} {q:02x}")
    return out


def assert_same(a, b, undefined=0, context="", names=("jit", "interp")):
    diffs = differences(a, b, undefined, names)
    if diffs:
        raise AssertionError((context + "\n" if context else "") + "\n".join(diffs))
