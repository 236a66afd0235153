"""Guest time, in nanoseconds since the machine started (platform.md "Time").

Read by the timer devices (bt/runtime/devices/pit.py) on port accesses, by
bt/runtime/external_interrupts.py at its interrupt checks and by RDTSC (`tsc`); cold.

- Real time (default): the host's monotonic clock, less the time the JIT spent translating (`hide`):
  a guest sees the machine it would see if translation were free.
- `--icount N` (QEMU's -icount shift): 2**N ns per guest instruction, counted by the running engine
  (`attach(counter)`), plus the time skipped while the CPU sleeps in HLT (`skip_to`). Guest time is
  then a function of the instruction count alone, so interrupts land on the same instruction on
  every run and on every engine.

The TSC (`tsc`): with --icount the guest time in ns, as QEMU's TSC under -icount (a 1 GHz TSC; QEMU
7.2 reads 102 << shift across RDTSC, MOV and 100 NOPs); in real time the count of instructions the
engine retired, which keeps runs without --icount reproducible. Either way it is read before the
RDTSC itself retires, from the running engine's own count (the JIT's includes its native code).
"""
import time

MAX_ICOUNT_SHIFT = 10


class GuestClock:
    def __init__(self, icount_shift=None):
        if icount_shift is not None and not 0 <= icount_shift <= MAX_ICOUNT_SHIFT:
            raise ValueError(f"icount shift {icount_shift} is outside 0..{MAX_ICOUNT_SHIFT}")
        self.shift = icount_shift
        self._counter = lambda: 0
        self._origin = time.monotonic_ns() if icount_shift is None else 0

    @property
    def deterministic(self):
        return self.shift is not None

    def attach(self, counter):
        """Count guest instructions with `counter()` (the engine about to run) from now on; guest time
        goes on from where it was."""
        if self.shift is not None:
            now = self.now()
            self._origin = now - (counter() << self.shift)
        self._counter = counter

    def tsc(self):
        """The time-stamp counter before the current instruction (RDTSC)."""
        return self.now() if self.shift is not None else self._counter()

    def now(self):
        if self.shift is None:
            return time.monotonic_ns() - self._origin
        return self._origin + (self._counter() << self.shift)

    def hide(self, ns):
        """Real time: `ns` of host time (the JIT translating) do not count as guest time."""
        if self.shift is None:
            self._origin += ns

    def insns_until(self, when):
        """icount: guest instructions until time `when` (at least 1)."""
        return max(1, -(-(when - self.now()) >> self.shift))

    def skip_to(self, when, host_deadline=None):
        """Let guest time reach `when` without running instructions (HLT): icount jumps, real time
        sleeps (not past the monotonic `host_deadline`). Returns False if it stopped at host_deadline."""
        if self.shift is not None:
            self._origin += max(0, when - self.now())
            return True
        wait = (when - self.now()) / 1e9
        if host_deadline is not None and time.monotonic() + wait > host_deadline:
            time.sleep(max(0.0, host_deadline - time.monotonic()))
            return False
        if wait > 0:
            time.sleep(wait)
        return True
