"""The 8254 programmable interval timer at 0x40..0x43 (channel 0 -> IRQ 0) and the pc's port 0x61
(channel 2 gate, speaker enable, channel 2 output), from the Intel 8254 datasheet; where it leaves a
choice, QEMU's i8254 and pcspk decide.

Attached by bt/runtime/machine.py. Cold per access, lazy in time: a channel keeps the guest time
(ns, bt/runtime/clock.py) at which its count was loaded, and its count, output and edges are computed
from the time elapsed at 1.193182 MHz, so nothing runs between accesses. The CPU side
(bt/runtime/external_interrupts.py) calls `update(now)` to raise IRQ 0 for every rising edge of
channel 0's output up to now, and `next_edge(now)` for the time of the next one (its deadline).

Modes (datasheet, figure "8254 modes"; n = the count, 0 meaning 0x10000, or 10000 in BCD):
0 interrupt on terminal count: OUT low from the count's load, high at n clocks, stays high.
1 hardware one-shot: OUT low from a gate rising edge, high after n clocks.
2 rate generator: OUT low for one clock when the count reaches 1, every n clocks; rising edge at k*n.
3 square wave: OUT high for ceil(n/2) clocks, low for floor(n/2); rising edge at k*n; counts by 2.
4 software strobe: OUT low for one clock at terminal count (after n clocks), else high.
5 hardware strobe: as 4, triggered by a gate rising edge.
Gates of channels 0 and 1 are tied high; channel 2's is port 0x61 bit 0. A low gate does not stop
counting (QEMU's simplification); a rising gate restarts modes 1, 2, 3 and 5.
"""

PIT_PORT, PORT61 = 0x40, 0x61
PIT_HZ = 1_193_182
NS = 1_000_000_000


def ticks(elapsed_ns):
    return elapsed_ns * PIT_HZ // NS


def ns_of_ticks(n):
    """The first time (ns after the load) at which `n` clocks have elapsed."""
    return -(-n * NS // PIT_HZ)


class Channel:
    def __init__(self, index):
        self.index = index
        self.gate = index != 2
        self.mode = 0
        self.rw = 3                 # 1 LSB, 2 MSB, 3 LSB then MSB
        self.bcd = False
        self.count = 0x10000
        self.load_ns = 0
        self.loaded = False         # a count was written since the control word (the counter runs)
        self.null_count = True
        self.write_high = False     # word access: next write is the MSB
        self.read_high = False
        self.pending_low = 0
        self.latched = []           # bytes latched by a counter-latch / read-back command
        self.status = None          # latched status byte
        self.edges_seen = 0         # rising edges already reported (IRQ 0)
        self.triggered = False      # modes 1 and 5: a gate rising edge started the count

    def _counting(self):
        """Whether the counter runs: a count was loaded and, in the gate-triggered modes 1 and 5,
        a gate rising edge came after it."""
        return self.loaded and (self.triggered or self.mode not in (1, 5))

    # -- time -> state ---------------------------------------------------------------------------
    def _elapsed(self, now):
        return ticks(now - self.load_ns)

    def _edges(self, d):
        """Rising edges of OUT in the first d clocks since the load."""
        n = self.count
        if not self._counting():
            return 0
        if self.mode in (2, 3):
            return d // n
        if self.mode in (0, 1):
            return 1 if d >= n else 0
        return 1 if d >= n + 1 else 0     # 4, 5: back high one clock after terminal count

    def _edge_tick(self, k):
        """The clock count at which rising edge number k (1-based) happens, or None."""
        n = self.count
        if self.mode in (2, 3):
            return k * n
        if k != 1:
            return None
        return n if self.mode in (0, 1) else n + 1

    def out(self, now):
        if not self._counting():
            return self.mode != 0                # after the control word: mode 0 low, the others high
        d, n = self._elapsed(now), self.count
        if self.mode == 0:
            return d >= n
        if self.mode == 1:
            return d >= n
        if self.mode == 2:
            return d % n != n - 1
        if self.mode == 3:
            return d % n < (n + 1) // 2
        return d != n                       # 4, 5

    def value(self, now):
        """The counting element as a read sees it."""
        if not self._counting():
            return self.count & 0xFFFF
        d, n = self._elapsed(now), self.count
        if self.mode in (0, 1, 4, 5):
            v = (n - d) & 0xFFFF
        elif self.mode == 2:
            v = n - d % n
        else:
            v = n - (2 * d) % n
        if self.bcd:
            v = _to_bcd(v % 10000)
        return v & 0xFFFF

    def next_edge_ns(self, now):
        if not self._counting():
            return None
        tick = self._edge_tick(self._edges(self._elapsed(now)) + 1)
        return None if tick is None else self.load_ns + ns_of_ticks(tick)

    # -- programming ---------------------------------------------------------------------------
    def control(self, value, now):
        rw = (value >> 4) & 3
        if rw == 0:                          # counter latch command
            self.latch_count(now)
            return
        self.rw = rw
        self.mode = (value >> 1) & 7
        if self.mode > 5:
            self.mode -= 4                   # 6 and 7 are 2 and 3
        self.bcd = bool(value & 1)
        self.write_high = self.read_high = False
        self.loaded = False                  # the counter waits for a new count
        self.null_count = True
        self.latched = []

    def write(self, value, now):
        if self.rw == 1:
            self._load(value, now)
        elif self.rw == 2:
            self._load(value << 8, now)
        elif not self.write_high:
            self.pending_low = value
            self.write_high = True
        else:
            self.write_high = False
            self._load(self.pending_low | (value << 8), now)

    def _load(self, raw, now):
        if self.bcd:
            raw = _from_bcd(raw)
            n = raw or 10000
        else:
            n = raw or 0x10000
        self.count = n
        self.load_ns = now
        self.loaded = True
        self.null_count = False
        self.edges_seen = 0
        self.triggered = False

    def latch_count(self, now):
        if self.latched:
            return                           # a latched count is kept until read
        v = self.value(now)
        if self.rw == 1:
            self.latched = [v & 0xFF]
        elif self.rw == 2:
            self.latched = [v >> 8]
        else:
            self.latched = [v & 0xFF, v >> 8]

    def latch_status(self, now):
        if self.status is None:
            self.status = ((0x80 if self.out(now) else 0) | (0x40 if self.null_count else 0)
                           | (self.rw << 4) | (self.mode << 1) | int(self.bcd))

    def read(self, now):
        if self.status is not None:
            s, self.status = self.status, None
            return s
        if self.latched:
            return self.latched.pop(0)
        v = self.value(now)
        if self.rw == 1:
            return v & 0xFF
        if self.rw == 2:
            return v >> 8
        self.read_high = not self.read_high
        return v & 0xFF if self.read_high else v >> 8

    def set_gate(self, level, now):
        if level and not self.gate and self.mode in (1, 2, 3, 5) and self.loaded:
            self.load_ns = now
            self.edges_seen = 0
            self.triggered = True
        self.gate = level


class Pit8254:
    port_count = 4
    access_sizes = (1,)

    def __init__(self, clock, pic=None):
        self.clock = clock
        self.pic = pic
        self.channels = [Channel(i) for i in range(3)]
        self.on_reprogram = None             # called when channel 0's deadline may have moved

    def __repr__(self):
        return "Pit8254"

    def bios_state(self):
        """As SeaBIOS leaves it at the Multiboot entry (measured, see PicPair.bios_state): channel 0
        in mode 2 with count 0x10000 (18.2 Hz), counting from guest time 0."""
        ch = self.channels[0]
        ch.control(0x34, 0)
        ch.write(0, 0)
        ch.write(0, 0)

    def io_read(self, offset, size):
        if offset == 3:
            return 0xFF                      # the control word register cannot be read
        return self.channels[offset].read(self.clock.now())

    def io_write(self, offset, size, value):
        now = self.clock.now()
        if offset < 3:
            self.update(now)
            self.channels[offset].write(value & 0xFF, now)
        elif value >> 6 == 3:                # read-back: bit 5 /COUNT, bit 4 /STATUS, bits 3..1 channels
            for ch in self.channels:
                if value & (2 << ch.index):
                    if not value & 0x20:
                        ch.latch_count(now)
                    if not value & 0x10:
                        ch.latch_status(now)
        else:
            self.update(now)
            self.channels[value >> 6].control(value, now)
        if self.on_reprogram is not None:
            self.on_reprogram()

    def update(self, now):
        """Raise IRQ 0 once for each new rising edge of channel 0's output up to `now`."""
        ch = self.channels[0]
        if not ch.loaded:
            return
        edges = ch._edges(ch._elapsed(now))
        if edges > ch.edges_seen:
            ch.edges_seen = edges
            if self.pic is not None:
                self.pic.pulse_irq(0)

    def next_edge(self, now):
        """Guest time (ns) of channel 0's next rising edge after `now`, or None."""
        return self.channels[0].next_edge_ns(now)


class Port61:
    """Port 0x61 of the pc (QEMU's pcspk): bit 0 channel 2 gate, bit 1 speaker data enable (kept),
    bit 4 a refresh bit that toggles on every read, bit 5 channel 2's output."""
    port_count = 1
    access_sizes = (1,)

    def __init__(self, pit):
        self.pit = pit
        self.data_on = False
        self.refresh = 0

    def __repr__(self):
        return "Port61"

    def io_read(self, offset, size):
        ch2 = self.pit.channels[2]
        self.refresh ^= 0x10
        out = 0x20 if ch2.out(self.pit.clock.now()) else 0
        return int(ch2.gate) | (int(self.data_on) << 1) | self.refresh | out

    def io_write(self, offset, size, value):
        self.pit.channels[2].set_gate(bool(value & 1), self.pit.clock.now())
        self.data_on = bool(value & 2)


def _to_bcd(v):
    return int(str(v), 16)


def _from_bcd(raw):
    digits = [(raw >> s) & 0xF for s in (12, 8, 4, 0)]
    return sum(min(d, 9) * m for d, m in zip(digits, (1000, 100, 10, 1)))
