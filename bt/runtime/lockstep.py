"""Lockstep differential run (`btvm run IMAGE --diff`): the JIT and the reference interpreter side by
side, compared after every guest instruction; the first instruction whose effect differs is reported.

Called by bt/runtime/machine.py as the engine "diff" (`Lockstep(machine).run(max_insns, deadline)`).
Cold for btvm (a debugging tool), hot for itself: one Python round trip per guest instruction.

How it runs:
- The JIT runs on the machine it is given (its UART writes to the real stdout); the interpreter runs on
  a clone made at start (same RAM and CPU state; its UART writes to a null sink). The JIT translates
  one-instruction blocks and its native dispatcher runs with a budget of one block, so one dispatch is
  one instruction (callouts and slow memory accesses run in the JIT's own interpreter, as always).
- Port reads: the JIT's machine reads its real devices and records the values; the reference replays
  them, so both engines see the same input (an IN the JIT ran natively from the port mirror is
  recorded with the mirror's byte). Port writes of both are compared.
- After each instruction: EAX..EDI, EIP, EFLAGS (materialised; flags the instruction table calls
  undefined are not compared, and the JIT is resynchronised to the reference's values so an allowed
  difference cannot show up later), the rest of the CPU state, and memory.
- Memory, the trade-off: comparing all of RAM per instruction is far too slow, so each instruction
  compares only the bytes it is likely to have written: every store either engine's interpreter made
  (both are logged), the memory operands at the addresses the JIT's registers give before the
  instruction, and a window around both stack pointers. A store the JIT makes natively to an address
  none of these cover (e.g. a wrong effective-address computation that also left the register state
  right) is caught by a full RAM comparison every `full_every` instructions and at the end of the run;
  that report names the range of instructions since the last clean full check, not the exact one
  (rerun with a smaller --diff-full-every to narrow it).
"""
import ctypes
import io
import sys
import time
from collections import deque

import numpy as np

from bt.backend.context import (EXIT_BUDGET, EXIT_HOT, EXIT_INTERP, EXIT_MISS, EXIT_NEXT, EXIT_SEGMENTS,
                                EXIT_SLOW_MEM)
from bt.frontend import table
from bt.frontend.callouts import KINDS
from bt.frontend.decoder import IMM, MAX_INSN_LEN, MEM, DecodeError, Decoder
from bt.runtime.events import STATUS_DIVERGENCE, GuestExit, GuestFault, GuestHalt, GuestShutdown, LimitReached  # noqa: F401
from bt.runtime.flags import materialize
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.state import (CF, PF, AF, ZF, SF, TF, IF, DF, OF, CpuState, ESP, REG_NAMES, W_CC_OP,
                              W_CC_RES, W_EFLAGS, W_EIP, W_SEG_BASE, EAX, EDX)

DEFAULT_FULL_EVERY = 200_000
STACK_WINDOW = 64            # bytes compared on each side of both stack pointers
MAX_REP_CHUNKS = 1 << 16     # a REP instruction one engine runs in more pieces than the other
RECENT = 16                  # instructions listed when a full check finds a late memory difference
_ENDINGS = (GuestExit, GuestHalt, GuestShutdown, GuestFault)
_FLAG_NAMES = ((CF, "CF"), (PF, "PF"), (AF, "AF"), (ZF, "ZF"), (SF, "SF"), (TF, "TF"), (IF, "IF"),
               (DF, "DF"), (OF, "OF"))
# Results that are a clock, not a function of the state: the reference takes the JIT's value.
_NONDETERMINISTIC = {"rdtsc": (EAX, EDX)}
# CpuState fields compared besides registers, EIP and EFLAGS (cc_* are EFLAGS, tsc is a clock).
_OTHER_FIELDS = [name for name, _ in CpuState._fields_
                 if name not in ("regs", "eip", "eflags", "cc_op", "cc_a", "cc_b", "cc_res", "tsc")]


class Divergence(Exception):
    """The engines disagree; `report` is the multi-line explanation, `address` the guest EIP."""

    def __init__(self, report, address):
        super().__init__(report.splitlines()[0])
        self.report = report
        self.address = address


class _NullSink:
    def write(self, data):
        return len(data)

    def flush(self):
        pass


class _RecordingPorts:
    """The JIT machine's bus: real devices; reads are queued for the reference, writes logged."""

    def __init__(self, bus):
        self.bus, self.reads, self.writes = bus, deque(), []

    def read(self, port, size):
        value = self.bus.read(port, size)
        self.reads.append((port, size, value))
        return value

    def write(self, port, size, value):
        self.writes.append((port, size, value))
        self.bus.write(port, size, value)

    def __getattr__(self, name):
        return getattr(self.bus, name)


class _ReplayPorts:
    """The reference's bus: reads replay the JIT's, writes go to its own (silent) devices and are logged."""

    def __init__(self, bus, source):
        self.bus, self.source, self.writes, self.unmatched = bus, source, [], []

    def read(self, port, size):
        if self.source.reads and self.source.reads[0][:2] == (port, size):
            return self.source.reads.popleft()[2]
        self.unmatched.append((port, size))
        return self.bus.read(port, size)

    def write(self, port, size, value):
        self.writes.append((port, size, value))
        self.bus.write(port, size, value)

    def __getattr__(self, name):
        return getattr(self.bus, name)


def _log_stores(interp, log):
    """Wrap an interpreter's store accessors (before it builds any handler) so stores land in `log`."""
    def wrap(store, size):
        def logged(addr, value):
            log.append((addr, size))
            return store(addr, value)
        return logged
    interp.wr8, interp.wr16, interp.wr32 = (wrap(interp.wr8, 1), wrap(interp.wr16, 2), wrap(interp.wr32, 4))
    interp.writers = {1: interp.wr8, 2: interp.wr16, 4: interp.wr32}


def clone_machine(machine):
    """A Machine with the same RAM and CPU state whose UART writes nowhere and reads nothing."""
    from bt.runtime.machine import Machine
    ref = Machine(memory_size=machine.mem.size, stdin=io.BytesIO(), stdout=_NullSink(),
                  icount=getattr(machine, "icount", None))
    src = np.frombuffer(machine.mem.view, dtype=np.uint8).reshape(-1, 4096)
    dst = np.frombuffer(ref.mem.view, dtype=np.uint8).reshape(-1, 4096)
    used = np.flatnonzero(src.any(axis=1))       # copy only non-zero pages: fresh RAM is zero
    dst[used] = src[used]
    ctypes.memmove(ref.state.address, machine.state.address, ctypes.sizeof(CpuState))
    ref.image = getattr(machine, "image", None)
    _copy_interrupt_devices(machine, ref)
    return ref


def _copy_interrupt_devices(src, dst):
    """The PIC and PIT registers as they are (a caller may have programmed them before the run)."""
    for a, b in ((src.pic.master, dst.pic.master), (src.pic.slave, dst.pic.slave)):
        b.__dict__.update({k: v for k, v in a.__dict__.items() if k != "on_change"})
    for a, b in zip(src.pit.channels, dst.pit.channels):
        b.__dict__.update({k: list(v) if isinstance(v, list) else v for k, v in a.__dict__.items()})
    dst.pic.intr = src.pic.intr


def flag_names(bits):
    return " ".join(n for b, n in _FLAG_NAMES if bits & b) or "-"


def _eflags(w):
    return materialize(list(w[:W_CC_RES + 1]))   # on a copy: the engines' lazy state stays as it is


class Lockstep:
    def __init__(self, machine, full_every=None, strict_flags=False, log=None):
        self.machine = machine
        self.full_every = full_every or getattr(machine, "diff_full_every", DEFAULT_FULL_EVERY)
        self.strict_flags = strict_flags
        self.log = sys.stderr if log is None else log
        self.ref = clone_machine(machine)
        self._saved_io = machine.io
        self.ports_a = machine.io = _RecordingPorts(machine.io)
        self.ports_b = self.ref.io = _ReplayPorts(self.ref.io, self.ports_a)
        self.stores = []
        self.jit = Jit(machine, block_insns=1)
        _log_stores(self.jit.interp, self.stores)
        self.interp = Interpreter(self.ref)
        _log_stores(self.interp, self.stores)
        self.wa, self.wb = self.jit.w, self.interp.w
        self.view_a, self.view_b = machine.mem.view, self.ref.mem.view
        self.size = machine.mem.size
        self.decoder = Decoder()
        self._insns = {}
        self.compared = 0
        self.full_checks = 0
        self.last_full = 0
        self.recent = deque(maxlen=RECENT)
        self.how = ""

    # ---- running -------------------------------------------------------------------------------

    def run(self, max_insns=None, deadline=None):
        try:
            self._loop(max_insns, deadline)
        except _ENDINGS:
            self._full_check()
            self._summary("both engines ended the same way")
            raise
        except LimitReached:
            self._full_check()
            self._summary("limit reached")
            raise
        finally:
            self.machine.io = self._saved_io
            self.ref.close()

    def _loop(self, max_insns, deadline):
        self.machine.irq.begin(lambda: self.jit.executed, deadline)
        self.ref.irq.begin(lambda: self.interp.insn_count, deadline)
        while True:
            if max_insns is not None and self.compared >= max_insns:
                raise LimitReached("max-insns", self.wa[W_EIP])
            if deadline is not None and not self.compared & 1023 and time.monotonic() >= deadline:
                raise LimitReached("timeout", self.wa[W_EIP])
            self.step()
            if self.compared - self.last_full >= self.full_every:
                self._full_check()

    def step(self):
        """One guest instruction on both engines, then compare; raises Divergence or the run's end."""
        wa, wb = self.wa, self.wb
        eip = wb[W_EIP]
        insn = self._decode(eip)
        before = list(wa[:8])
        self.stores.clear()
        self.ports_a.writes.clear()
        self.ports_b.writes.clear()
        self.ports_b.unmatched.clear()
        if self._interrupts(eip):
            return
        end_a = self._attempt(self._jit_insn)
        if end_a is None and self.how == "native" and insn is not None and insn.name == "in":
            self._native_port_read(insn, before)
        end_b = self._attempt(self.interp.step_delivering)
        if end_a is None and end_b is None and wa[W_EIP] != wb[W_EIP]:
            end_a, end_b = self._finish_rep(eip)
        self.compared += 1
        self.recent.append(eip)
        self._compare(eip, insn, before, end_a, end_b)
        if end_a is not None:
            raise end_a

    def _interrupts(self, eip):
        """External interrupts at this boundary, each engine from its own devices and clock (with
        --icount both must take the same vector at the same instruction). True if one was taken."""
        irq_a, irq_b = self.machine.irq, self.ref.irq
        due_a, due_b = self.jit.executed >= irq_a.check_at, self.interp.insn_count >= irq_b.check_at
        if not (due_a or due_b):
            return False
        count_a, count_b = irq_a.delivered, irq_b.delivered
        end_a = self._attempt(lambda: irq_a.poll(self.jit.interp)) if due_a else None
        end_b = self._attempt(lambda: irq_b.poll(self.interp)) if due_b else None
        taken_a, taken_b = irq_a.delivered - count_a, irq_b.delivered - count_b
        if not (taken_a or taken_b or end_a or end_b):
            return False
        self.how = f"external interrupt ({taken_a} delivered by the JIT's side, {taken_b} by the interpreter's)"
        self.compared += 1
        self.recent.append(eip)
        if taken_a != taken_b:
            raise Divergence(self._report(eip, None, [f"external interrupts taken: jit {taken_a}, interpreter {taken_b}"],
                                          _eflags(self.wa), _eflags(self.wb), []), eip)
        self._compare(eip, None, list(self.wa[:8]), end_a, end_b)
        if end_a is not None:
            raise end_a
        return True

    def _native_port_read(self, insn, before):
        """The JIT ran an IN natively from the port mirror (bt/backend/lower_ports.py), past the
        recording bus: queue the byte the mirror holds for that port (a valid entry's read changes
        nothing, so it still holds it) for the reference to replay. No entry: the reference reads
        its own bus and the comparison reports the unmatched read."""
        src = insn.operands[1]
        port = src.imm & 0xFF if src.kind == IMM else before[EDX] & 0xFFFF
        value = self.jit.port_mirror.get(port)
        if value is not None:
            self.ports_a.reads.append((port, 1, value))

    @staticmethod
    def _attempt(fn):
        try:
            fn()
        except _ENDINGS as e:
            return e
        return None

    def _jit_insn(self):
        """Run exactly one guest instruction in the JIT: one native one-instruction block, or the
        JIT's interpreter for a callout or a slow memory access."""
        jit = self.jit
        ctx = jit.ctx
        jit._check_mode()
        if jit.w[W_EFLAGS] & TF:            # single-stepping, as in the JIT's run loop
            self.how = "JIT's interpreter (single-step)"
            jit._step()
            return
        while True:
            ctx.budget = 1
            ctx.seg_flat = 0                # as in Jit.run: segments may have changed in Python
            code = jit._dispatch(jit._st_ptr, jit._ctx_ptr)
            ran = 1 - jit._budget_left()
            jit.executed += ran
            jit.after_native()              # as in Jit.run (a native INT/IRET may have switched CPL)
            if ran:
                if code not in (EXIT_BUDGET, EXIT_NEXT, EXIT_MISS):
                    raise RuntimeError(f"a one-instruction block ran and then returned exit code {code}")
                self.how = "native"
                return
            if code == EXIT_MISS:
                if jit._code_pa(jit.w[W_EIP]) is None:
                    self.how = "JIT's interpreter (fetch from an unmapped page)"
                    jit._step()
                    return
                jit._on_miss(jit.w[W_EIP])     # relinks or translates, within the tcache bound
                continue
            if code == EXIT_HOT:             # a one-instruction block ran 200,000 times: promote it
                jit._promote(jit.w[W_EIP])
                continue
            if code == EXIT_SEGMENTS:        # its segments are not flat: retranslate it with checks
                if jit.check_segments_at(jit.w[W_EIP]):
                    continue
                self.how = "JIT's interpreter (segments)"
                return
            if code == EXIT_INTERP:
                kind = KINDS[ctx.exit_info] if ctx.exit_info < len(KINDS) else "?"
                self.how = f"JIT's interpreter (callout: {kind})"
                ctx.exit_info = 0
            elif code == EXIT_SLOW_MEM:
                self.how = "JIT's interpreter (slow memory access)"
            else:
                raise RuntimeError(f"native code returned exit code {code} without running anything")
            jit._step()
            return

    def _finish_rep(self, eip):
        """One engine may run a REP string instruction in more pieces than the other: let the one still
        at `eip` go on until it leaves it too."""
        for w, fn in ((self.wa, self._jit_insn), (self.wb, self.interp.step_delivering)):
            for _ in range(MAX_REP_CHUNKS):
                if w[W_EIP] != eip or self.wa[W_EIP] == self.wb[W_EIP]:
                    break
                end = self._attempt(fn)
                if end is not None:
                    return (end, None) if w is self.wa else (None, end)
        return None, None

    def _decode(self, eip):
        insn = self._insns.get(eip)
        if insn is not None and bytes(self._code(eip, insn.size)) == insn.raw:
            return insn
        try:
            insn = self.decoder.decode(self._code(eip, MAX_INSN_LEN), eip)
        except DecodeError:
            return None
        self._insns[eip] = insn
        return insn

    def _code(self, eip, n):
        pa = (self.interp.state.cpu.seg[1].base + eip) & 0xFFFFFFFF
        return self.ref.mem.read(pa, n)

    # ---- comparing -----------------------------------------------------------------------------

    def _compare(self, eip, insn, before, end_a, end_b):
        wa, wb = self.wa, self.wb
        problems = []
        if _describe_end(end_a) != _describe_end(end_b):
            problems.append(f"run end: jit {_describe_end(end_a)}, interpreter {_describe_end(end_b)}")
        if insn is not None and insn.name in _NONDETERMINISTIC and end_b is None:
            for r in _NONDETERMINISTIC[insn.name]:
                wb[r] = wa[r]
            self.interp.state.cpu.tsc = self.jit.state.cpu.tsc
        regs = [REG_NAMES[r] for r in range(8) if wa[r] != wb[r]]
        if wa[W_EIP] != wb[W_EIP]:
            regs.append("eip")
        if regs:
            problems.append("registers: " + " ".join(regs))
        fa, fb = _eflags(wa), _eflags(wb)
        undefined = 0 if self.strict_flags or insn is None else _undefined(insn.name)
        if (fa ^ fb) & ~undefined:
            problems.append("EFLAGS: " + flag_names((fa ^ fb) & ~undefined))
        elif fa != fb:                          # only undefined flags differ: follow the reference
            wa[W_EFLAGS], wa[W_CC_OP] = fb, 0
        others = self._other_fields()
        if others:
            problems.append("CPU state: " + " ".join(others))
        mem = self._memory_differences(insn, before)
        if mem:
            problems.append("memory: " + " ".join(f"{a:#x}" for a, _ in mem[:8]) + (" ..." if len(mem) > 8 else ""))
        if self.ports_a.writes != self.ports_b.writes:
            problems.append(f"port writes: jit {_ports(self.ports_a.writes)}, interpreter {_ports(self.ports_b.writes)}")
        if self.ports_b.unmatched or (self.ports_a.reads and end_a is None):
            problems.append(f"port reads: interpreter read {_ports(self.ports_b.unmatched)} the JIT did not, "
                            f"JIT read {_ports(self.ports_a.reads)} the interpreter did not")
            self.ports_a.reads.clear()
        if problems:
            raise Divergence(self._report(eip, insn, problems, fa, fb, mem), eip)

    def _other_fields(self):
        out = []
        for name in _OTHER_FIELDS:
            off, size = getattr(CpuState, name).offset, getattr(CpuState, name).size
            if ctypes.string_at(self.jit.state.address + off, size) != ctypes.string_at(self.interp.state.address + off, size):
                out.append(name)
        return out

    def _memory_differences(self, insn, before):
        ranges = list(self.stores)
        if insn is not None:
            for op in insn.operands:
                if op.kind == MEM:
                    ranges.append((_linear(op, before, self.jit.w), max(op.size, 4)))
        for w in (self.wa, self.wb):
            sp = (w[ESP] + w[W_SEG_BASE[2]]) & 0xFFFFFFFF
            ranges.append((sp - STACK_WINDOW, 2 * STACK_WINDOW))
        diffs = {}
        va, vb, size = self.view_a, self.view_b, self.size
        for addr, n in ranges:
            lo, hi = max(addr, 0), min(addr + n, size)
            if lo < hi and va[lo:hi] != vb[lo:hi]:
                for a in range(lo, hi):
                    if va[a] != vb[a]:
                        diffs[a] = (va[a], vb[a])
        return sorted(diffs.items())

    def _full_check(self):
        self.full_checks += 1
        a = np.frombuffer(self.view_a, dtype=np.uint64)
        b = np.frombuffer(self.view_b, dtype=np.uint64)
        chunk = 1 << 21
        for start in range(0, len(a), chunk):
            if not np.array_equal(a[start:start + chunk], b[start:start + chunk]):
                words = start + np.flatnonzero(a[start:start + chunk] != b[start:start + chunk])
                addrs = [int(x) * 8 + k for x in words[:4] for k in range(8)
                         if self.view_a[int(x) * 8 + k] != self.view_b[int(x) * 8 + k]]
                raise Divergence(self._late_memory_report(addrs), self.recent[-1] if self.recent else 0)
        self.last_full = self.compared

    # ---- reporting -----------------------------------------------------------------------------

    def _summary(self, how):
        self.log.write(f"btvm: diff: {self.compared} instructions compared in lockstep, no divergence "
                       f"({how}; {self.full_checks} full memory checks)\n")
        self.log.flush()

    def _report(self, eip, insn, problems, fa, fb, mem):
        text = "(undecodable)" if insn is None else f"{insn.text}    [{insn.raw.hex(' ')}]"
        lines = [f"lockstep divergence at guest instruction #{self.compared} eip={eip:#010x}: {text}",
                 f"  JIT executed it with: {self.how or '?'}"]
        lines += [f"  differs: {p}" for p in problems]
        lines.append(f"  {'':8}{'jit':>12}{'interpreter':>14}")
        for r in range(8):
            mark = "  <--" if self.wa[r] != self.wb[r] else ""
            lines.append(f"  {REG_NAMES[r]:8}{_hex(self.wa[r]):>12}{_hex(self.wb[r]):>14}{mark}")
        mark = "  <--" if self.wa[W_EIP] != self.wb[W_EIP] else ""
        lines.append(f"  {'eip':8}{_hex(self.wa[W_EIP]):>12}{_hex(self.wb[W_EIP]):>14}{mark}")
        mark = f"  <-- {flag_names(fa ^ fb)}" if fa != fb else ""
        lines.append(f"  {'eflags':8}{_hex(fa):>12}{_hex(fb):>14}{mark}")
        lines.append(f"  {'':8}{flag_names(fa):>12}{flag_names(fb):>14}")
        for addr, (x, y) in mem[:32]:
            lines.append(f"  mem {addr:#010x}  jit {x:02x}  interpreter {y:02x}")
        return "\n".join(lines)

    def _late_memory_report(self, addrs):
        lo = self.last_full + 1
        lines = [f"lockstep divergence: memory differs at {' '.join(f'{a:#x}' for a in addrs[:8])}, found by the "
                 f"full RAM check after instruction #{self.compared}; a store in instructions #{lo}..#{self.compared} "
                 "was not caught by the per-instruction checks (rerun with a smaller --diff-full-every)"]
        for a in addrs[:16]:
            lines.append(f"  mem {a:#010x}  jit {self.view_a[a]:02x}  interpreter {self.view_b[a]:02x}")
        lines.append("  last instructions: " + " ".join(f"{e:#x}" for e in self.recent))
        return "\n".join(lines)


def _hex(v):
    return f"0x{v:08x}"


def _undefined(name):
    row = table.info(name)
    return row.undefined if row is not None else 0


def _linear(op, regs, w):
    off = op.disp + (regs[op.base] if op.base >= 0 else 0) + (regs[op.index] * op.scale if op.index >= 0 else 0)
    off &= 0xFFFF if op.addr_size == 2 else 0xFFFFFFFF
    return (w[W_SEG_BASE[op.seg]] + off) & 0xFFFFFFFF


def _describe_end(e):
    if e is None:
        return "running"
    if isinstance(e, GuestExit):
        return f"exit {e.status}"
    if isinstance(e, GuestFault):
        return f"fault {e}"
    return type(e).__name__


def _ports(items):
    """[(port, size[, value]), ...] -> "[0x3f8/1=0x41, ...]"."""
    return "[" + ", ".join(f"{t[0]:#x}/{t[1]}" + (f"={t[2]:#x}" if len(t) > 2 else "") for t in items) + "]"
