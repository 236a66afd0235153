"""Run one fuzz case on one engine and reduce the run to an Outcome that two engines must agree on.

A Case is guest code plus a starting state: the code goes to CODE_GPA in a small machine (RAM_SIZE),
registers and extra memory blobs are set, and the engine runs under `max_insns` and `timeout`. The
Outcome holds how the run ended (reason, status, message), EIP, the eight registers, EFLAGS, a digest of
all RAM, the serial output and the log of port writes. Test-time only.
"""
import hashlib
import io
from dataclasses import dataclass, field

from bt.runtime import flags
from bt.runtime.machine import Machine
from bt.runtime.state import REG_NAMES, W_EFLAGS, W_EIP

RAM_SIZE = 2 << 20
CODE_GPA = 0x100000
STACK_TOP = 0x1F0000
# Run endings that do not depend on host speed: two engines must agree on everything after them.
DETERMINISTIC = ("exit", "halt", "shutdown", "fault", "limit-insns")
DEFINED = DETERMINISTIC + ("limit-time",)


@dataclass
class Case:
    code: bytes
    regs: dict = field(default_factory=dict)       # "eax" -> value
    memory: dict = field(default_factory=dict)     # gpa -> bytes
    stdin: bytes = b""
    eflags: int = 0x2
    max_insns: int = 500
    timeout: float = 5.0
    label: str = ""

    def describe(self):
        regs = " ".join(f"{k}={v:#x}" for k, v in sorted(self.regs.items()))
        mem = " ".join(f"{a:#x}:{d.hex()}" for a, d in sorted(self.memory.items()))
        return (f"[{self.label}] code@{CODE_GPA:#x}={self.code.hex()} regs: {regs or '-'} "
                f"eflags={self.eflags:#x} mem: {mem or '-'} stdin={self.stdin.hex() or '-'} "
                f"max_insns={self.max_insns}")


@dataclass
class Outcome:
    reason: str              # one of DEFINED, or "internal" (a btvm bug)
    message: str
    eip: int
    regs: tuple
    eflags: int
    ram: str
    serial: bytes
    port_writes: tuple
    status: int = 0

    def key(self):
        """What two engines must agree on (everything but the time limit's EIP and state)."""
        if self.reason not in DETERMINISTIC:
            return (self.reason,)
        return (self.reason, self.status, self.message, self.eip, self.regs, self.eflags, self.ram,
                self.serial, self.port_writes)


def _logging_io(bus, log):
    write = bus.write

    def logged(port, size, value):
        log.append((port & 0xFFFF, size, value))
        return write(port, size, value)
    bus.write = logged


def build_machine(case):
    # --icount time: a PIT read must give both engines the same value (guest time per instruction)
    m = Machine(memory_size=RAM_SIZE, stdin=io.BytesIO(case.stdin), stdout=io.BytesIO(), icount=0)
    regs = {"esp": STACK_TOP, **case.regs}
    for addr, data in case.memory.items():
        m.mem.write(addr, data)
    m.mem.write(CODE_GPA, case.code)
    w = m.state.w
    for name, value in regs.items():
        w[REG_NAMES.index(name)] = value & 0xFFFFFFFF
    w[W_EIP] = CODE_GPA
    w[W_EFLAGS] = (case.eflags | 0x2) & ~0x200      # IF=0: nothing can interrupt yet
    return m


def run_case(case, engine):
    """Run `case` on `engine` ("interp", "jit" or "diff"); returns (Outcome, RunResult)."""
    m = build_machine(case)
    writes = []
    _logging_io(m.io, writes)
    try:
        result = m.run(engine=engine, max_insns=case.max_insns, timeout=case.timeout)
        reason = result.reason
        if reason == "limit":
            reason = "limit-time" if "time limit" in result.message else "limit-insns"
        w = m.state.w
        out = Outcome(reason, result.message, w[W_EIP], tuple(w[:8]), flags.materialize(w),
                      hashlib.sha1(m.mem.view).hexdigest(), m.uart.output._sink.getvalue()
                      if hasattr(m.uart.output, "_sink") else b"", tuple(writes), result.status)
        return out, result
    finally:
        m.close()


def compare(case):
    """Run `case` on both engines; returns (ok, text). ok is False for an internal error, an
    undefined ending, or outcomes that differ after a deterministic ending."""
    a, ra = run_case(case, "interp")
    b, rb = run_case(case, "jit")
    problems = []
    for name, o, r in (("interp", a, ra), ("jit", b, rb)):
        if o.reason not in DEFINED:
            problems.append(f"{name}: {o.reason}: {o.message}\n{r.traceback}")
    if not problems and a.reason in DETERMINISTIC and b.reason in DETERMINISTIC and a.key() != b.key():
        problems.append("engines differ:\n" + diff_text(a, b))
    return not problems, "\n".join(problems), (a, b)


def diff_text(a, b):
    lines = []
    for name in ("reason", "status", "message", "eip", "eflags", "ram", "serial", "port_writes"):
        va, vb = getattr(a, name), getattr(b, name)
        if va != vb:
            fmt = (lambda v: f"{v:#x}") if isinstance(va, int) else repr
            lines.append(f"  {name}: interp {fmt(va)} / jit {fmt(vb)}")
    for i, (ra, rb) in enumerate(zip(a.regs, b.regs)):
        if ra != rb:
            lines.append(f"  {REG_NAMES[i]}: interp {ra:#x} / jit {rb:#x}")
    return "\n".join(lines)
