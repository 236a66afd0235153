"""External interrupts on the CPU side: when the engines look at the PIC's INTR line, how an interrupt
is taken, the STI / MOV SS / POP SS interrupt shadows, and HLT sleeping until the next interrupt.

One ExternalInterrupts per machine (bt/runtime/machine.py). Both engines follow one protocol, so that
with --icount they take every interrupt before the same instruction:
- An engine calls `begin(counter, host_deadline)` before running; `counter()` is its count of executed
  instructions (the guest clock counts time with it).
- Interrupts are looked at only at instruction boundaries, by `poll(x)`, and only at those where the
  engine's count has reached `check_at`. poll updates the timers to the current guest time, delivers
  every deliverable interrupt through bt/runtime/interrupts.py (external: EXT = 1, no error code, gate
  DPL not checked, the saved EIP is the next instruction's) and sets `check_at` to the next boundary
  that needs a look: the timer's next deadline (icount: exact; real time: estimated from the engine's
  speed), a UART input poll, or never.
- Instructions that can make an interrupt deliverable, change a device or read guest time (port I/O,
  RDTSC, STI, POPF, IRET, MOV/POP SS, HLT: `polls_after`) end an interpreter block, and the count the
  interpreter gives while one runs is exact (bt/runtime/interp/core.py `_at_offset`); `wrap` makes
  them set `check_at = 0`, so the boundary right after them is looked at. The JIT runs them as
  callouts in its interpreter, so the same wrapper serves it; a native POPF that sets IF while
  INTR is asserted leaves native code through the budget (bt/backend/lower_flags_virt.py). A native
  IN (bt/backend/lower_ports.py) reads only registers whose read changes nothing: that look would
  find what the one before the IN found.
- STI with IF = 0 and MOV SS / POP SS set `shadow`: the boundary right after them is skipped. As in
  QEMU, shadows do not chain: one of them executed inside a shadow sets none (STI; MOV SS; X: the
  interrupt may come before X).
- HLT with IF = 1 sets `halted`: poll then sleeps (real time) or skips guest time (icount) to the next
  event until an interrupt is taken; if nothing can ever wake the CPU the run ends (GuestHalt).
Cold: poll runs at deadlines and after the instructions above, not per instruction.
"""
from bt.frontend.decoder import SREG
from bt.runtime import interrupts
from bt.runtime.events import GuestFault, GuestHalt, LimitReached
from bt.runtime.state import IF, SS, W_EFLAGS, W_EIP

NEVER = 1 << 62
TIMER_IRQ, UART_IRQ = 0, 4
UART_POLL_NS = 10_000_000            # how often host input is looked at while the UART can interrupt
MAX_SLICE = 50_000_000               # real time: instructions between two looks at most
INITIAL_RATE = 0.002                 # real time: guest instructions per ns before any measurement
MAX_DELIVERIES = 64                  # per boundary (trap gates keep IF set: nested higher priorities)

_POLL_NAMES = frozenset(("in", "out", "insb", "insw", "insd", "outsb", "outsw", "outsd", "sti",
                         "popf", "popfd", "iret", "iretd", "hlt", "rdtsc"))


def polls_after(insn):
    return insn.name in _POLL_NAMES or loads_ss(insn)


def loads_ss(insn):
    """MOV SS / POP SS: their shadow also holds off the single-step trap (bt/runtime/single_step.py)."""
    return (insn.name in ("mov", "pop") and insn.operands and insn.operands[0].kind == SREG
            and insn.operands[0].reg == SS)


def wrap(x, insn, op):
    """The interpreter's closure for a `polls_after` instruction."""
    irq = of(x.machine)
    w = x.w
    if insn.name == "sti":
        def sti():
            was = w[W_EFLAGS] & IF
            op()
            if not was:
                irq.start_shadow()
            irq.check_at = 0
        return sti
    if loads_ss(insn):
        def load_ss():
            nxt = op()
            irq.start_shadow()
            irq.check_at = 0
            return nxt
        return load_ss
    if insn.name == "hlt":
        def hlt():
            try:
                return op()
            except GuestHalt:
                if not w[W_EFLAGS] & IF:
                    raise                     # nothing (no NMI) can wake it: the run ends
                irq.halted = True
                irq.check_at = 0
                return None
        return hlt

    def polled():
        nxt = op()
        irq.check_at = 0
        return nxt
    return polled


class ExternalInterrupts:
    def __init__(self, clock, pic, pit, uart=None):
        self.clock, self.pic, self.pit, self.uart = clock, pic, pit, uart
        self.check_at = 0
        self.shadow = False
        self.halted = False
        self.delivered = 0
        self.trace = None                    # a list to record (instruction count, vector) in tests
        self.counter = lambda: 0
        self.host_deadline = None
        self._rate = INITIAL_RATE
        self._last = (0, 0)
        self._shadowed_at = -1
        self._due = 0                        # check_at as _schedule last computed it
        pit.on_reprogram = self.request

    def start_shadow(self):
        """STI / MOV SS / POP SS: no interrupt at the next boundary, unless this one was shadowed."""
        if self.counter() != self._shadowed_at:
            self.shadow = True

    def request(self):
        """Look at the next boundary (device state changed: the timer's deadline may have moved)."""
        self.check_at = 0
        self._due = 0

    def uart_rx_enabled(self):
        return self.uart is not None and self.uart.ier & 1

    def begin(self, counter, host_deadline=None):
        self.counter = counter
        self.host_deadline = host_deadline
        self.clock.attach(counter)
        self._last = (counter(), self.clock.now())
        self.check_at = self._due = 0

    def poll(self, x):
        """At an instruction boundary: take what is deliverable; returns whether anything was."""
        count = self.counter()
        # Nothing can be deliverable here if the timer's deadline is not reached and INTR is not
        # asserted with IF = 1 (the device accesses that could change that reset _due or assert INTR).
        quiet = (count < self._due and not self.halted and not (self.pic.intr and x.w[W_EFLAGS] & IF)
                 and not self.uart_rx_enabled())
        if quiet and not self.shadow:
            self.check_at = self._due
            return False
        if self.shadow:
            self.shadow = False
            self._shadowed_at = count
            if not quiet:
                self.check_at = count + 1
                return False
        if quiet:
            self.check_at = self._due
            return False
        delivered = 0
        w, pic = x.w, self.pic
        while True:
            now = self.clock.now()
            self.pit.update(now)
            if self.uart is not None and self.uart.ier & 1:
                self.uart.poll_host()
            if pic.intr and w[W_EFLAGS] & IF and delivered < MAX_DELIVERIES:
                self._deliver(x, count)
                delivered += 1
                self.halted = False
                continue
            if not self.halted:
                break
            self._sleep(x, now)
        self._schedule(count)
        return delivered > 0

    def _deliver(self, x, count):
        vector = self.pic.acknowledge()
        self.delivered += 1
        if self.trace is not None:
            self.trace.append((count, vector))
        try:
            interrupts.deliver(x, vector, x.w[W_EIP])
        except GuestFault as fault:       # the delivery itself faulted: that fault is delivered instead
            interrupts.deliver_fault(x, fault)

    def _next_event(self, now):
        """(guest time of the next event that may raise an interrupt or None, whether it can wake HLT)."""
        when, wakes = self.pit.next_edge(now), False
        if when is not None:
            wakes = not self.pic.masked(TIMER_IRQ)
        uart = self.uart
        if uart is not None and uart.ier & 1 and uart.input_possible():
            poll = now + UART_POLL_NS
            when = poll if when is None else min(when, poll)
            wakes = wakes or not self.pic.masked(UART_IRQ)
        return when, wakes

    def _sleep(self, x, now):
        when, wakes = self._next_event(now)
        if when is None or not wakes:
            self.halted = False
            raise GuestHalt(x.w[W_EIP])
        if not self.clock.skip_to(when, self.host_deadline):
            raise LimitReached("timeout", x.w[W_EIP])
        self._last = (self.counter(), self.clock.now())   # sleeping is not running

    def _schedule(self, count):
        now = self.clock.now()
        when, _ = self._next_event(now)
        if when is None:
            self.check_at = self._due = NEVER
        elif self.clock.deterministic:
            self.check_at = count + self.clock.insns_until(when)
            self._due = self.check_at
        else:
            last_count, last_now = self._last
            if now - last_now > 1_000_000 and count > last_count:
                self._rate = (count - last_count) / (now - last_now)
                self._last = (count, now)
            self.check_at = self._due = count + max(1, min(MAX_SLICE, int(self._rate * (when - now))))


class NoInterrupts:
    """For machines without interrupt devices (tests' bare machines): never anything to take."""
    check_at = NEVER
    shadow = halted = False
    delivered = 0

    def start_shadow(self):
        pass

    def begin(self, counter, host_deadline=None):
        pass

    def poll(self, x):
        self.check_at = NEVER
        if self.halted:                      # HLT with IF = 1: nothing can ever wake it
            self.halted = False
            raise GuestHalt(x.w[W_EIP])
        return False


def of(machine):
    """The machine's ExternalInterrupts, or a NoInterrupts if it has none."""
    irq = getattr(machine, "irq", None)
    if irq is None:
        irq = machine.irq = NoInterrupts()
    return irq
