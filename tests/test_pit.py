"""The 8254 (bt/runtime/devices/pit.py) through its ports, against the Intel 8254 datasheet: the
modes' outputs and counts, LSB/MSB/word access, counter latch and read-back (count and status),
BCD, channel 0's rising edges raising IRQ 0, channel 2 through port 0x61. Guest time is a test clock
set by hand; one PIT clock is 1e9 / 1,193,182 ns (~838.1 ns)."""
import pytest

from bt.runtime.devices.pic import PicPair
from bt.runtime.devices.pit import PIT_HZ, Pit8254, Port61, ns_of_ticks
from bt.runtime.ports import PortBus


class Clock:
    def __init__(self):
        self.t = 0

    def now(self):
        return self.t

    def at_tick(self, n):
        """Just past n PIT clocks."""
        self.t = ns_of_ticks(n)


@pytest.fixture
def pit():
    clock = Clock()
    pic = PicPair()
    pic.master.vector_base = 0x20
    p = Pit8254(clock, pic)
    bus = PortBus()
    bus.attach(0x40, p)
    bus.attach(0x61, Port61(p))
    p.bus, p.clk, p.pic = bus, clock, pic
    return p


def program(p, channel, mode, count, rw=3, bcd=False):
    p.bus.write(0x43, 1, (channel << 6) | (rw << 4) | (mode << 1) | int(bcd))
    if rw in (1, 3):
        p.bus.write(0x40 + channel, 1, count & 0xFF)
    if rw in (2, 3):
        p.bus.write(0x40 + channel, 1, (count >> 8) & 0xFF)


def read_word(p, channel):
    lo = p.bus.read(0x40 + channel, 1)
    return lo | (p.bus.read(0x40 + channel, 1) << 8)


def status(p, channel):
    p.bus.write(0x43, 1, 0xE0 | (2 << channel))       # read-back, status only
    return p.bus.read(0x40 + channel, 1)


def test_clock_rate():
    assert ns_of_ticks(PIT_HZ) == 10**9


def test_mode2_rate_generator_count_and_irq(pit):
    program(pit, 0, 2, 100)
    assert read_word(pit, 0) == 100
    pit.clk.at_tick(30)
    assert read_word(pit, 0) == 70
    pit.update(pit.clk.now())
    assert not pit.pic.intr
    assert pit.next_edge(pit.clk.now()) == ns_of_ticks(100)
    pit.clk.at_tick(100)
    pit.update(pit.clk.now())
    assert pit.pic.intr and pit.pic.acknowledge() == 0x20
    assert read_word(pit, 0) == 100                    # reloaded
    assert pit.next_edge(pit.clk.now()) == ns_of_ticks(200)
    pit.clk.at_tick(199)
    assert status(pit, 0) & 0x80 == 0                  # OUT low for the one clock at count 1
    pit.clk.at_tick(250)
    assert status(pit, 0) & 0x80


def test_several_periods_between_looks_raise_one_request(pit):
    program(pit, 0, 2, 10)
    pit.clk.at_tick(55)
    pit.update(pit.clk.now())
    assert pit.pic.acknowledge() == 0x20
    pit.pic.master.write(0, 0x20)                      # EOI
    pit.update(pit.clk.now())
    assert not pit.pic.intr                            # nothing new since
    assert pit.next_edge(pit.clk.now()) == ns_of_ticks(60)


def test_mode3_square_wave(pit):
    program(pit, 0, 3, 10)
    pit.clk.at_tick(2)
    assert read_word(pit, 0) == 6                      # counts down by two
    assert status(pit, 0) & 0x80                       # high for the first half
    pit.clk.at_tick(6)
    assert not status(pit, 0) & 0x80                   # low for the second
    pit.clk.at_tick(10)
    pit.update(pit.clk.now())
    assert pit.pic.intr


def test_mode0_interrupt_on_terminal_count(pit):
    program(pit, 0, 0, 50)
    assert not status(pit, 0) & 0x80                   # low after the count is written
    pit.clk.at_tick(49)
    pit.update(pit.clk.now())
    assert not pit.pic.intr
    pit.clk.at_tick(50)
    pit.update(pit.clk.now())
    assert pit.pic.intr
    pit.pic.acknowledge()
    assert pit.next_edge(pit.clk.now()) is None        # once only
    pit.clk.at_tick(60)
    assert read_word(pit, 0) == (50 - 60) & 0xFFFF     # keeps counting, wrapping


def test_mode4_strobe(pit):
    program(pit, 0, 4, 20)
    pit.clk.at_tick(20)
    assert not status(pit, 0) & 0x80
    pit.clk.at_tick(21)
    assert status(pit, 0) & 0x80
    pit.update(pit.clk.now())
    assert pit.pic.intr


def test_control_word_sets_null_count_and_output(pit):
    pit.bus.write(0x43, 1, 0x30)                       # channel 0, word, mode 0
    assert status(pit, 0) == 0x70                      # OUT low, null count, rw 3, mode 0
    pit.bus.write(0x40, 1, 5)
    pit.bus.write(0x40, 1, 0)
    assert status(pit, 0) == 0x30


def test_lsb_only_and_msb_only(pit):
    program(pit, 1, 2, 0x80, rw=1)
    assert pit.channels[1].count == 0x80
    assert pit.bus.read(0x41, 1) == 0x80
    program(pit, 1, 2, 0x1200, rw=2)
    assert pit.channels[1].count == 0x1200
    assert pit.bus.read(0x41, 1) == 0x12


def test_zero_count_is_65536(pit):
    program(pit, 0, 2, 0)
    assert pit.channels[0].count == 0x10000
    pit.clk.at_tick(1)
    assert read_word(pit, 0) == 0xFFFF


def test_counter_latch(pit):
    program(pit, 0, 2, 1000)
    pit.clk.at_tick(100)
    pit.bus.write(0x43, 1, 0x00)                       # latch channel 0
    pit.clk.at_tick(300)
    assert read_word(pit, 0) == 900                    # the latched value
    assert read_word(pit, 0) == 700                    # then the live count again


def test_read_back_count_and_status(pit):
    pit.bus.write(0x61, 1, 0x01)                       # channel 2's gate on
    program(pit, 2, 3, 100)
    pit.clk.at_tick(10)
    pit.bus.write(0x43, 1, 0xC8)                       # read-back count and status of channel 2
    pit.clk.at_tick(20)
    assert pit.bus.read(0x42, 1) == 0xB6               # status first: OUT high (first half), rw 3, mode 3
    assert read_word(pit, 2) == 80


def test_bcd_count(pit):
    program(pit, 0, 2, 0x0100, bcd=True)               # 100 in BCD
    assert pit.channels[0].count == 100
    pit.clk.at_tick(1)
    assert read_word(pit, 0) == 0x0099


def test_port61_gate_and_channel2_output(pit):
    pit.bus.write(0x61, 1, 0x01)                       # gate on
    program(pit, 2, 0, 30)
    assert pit.bus.read(0x61, 1) & 0x21 == 0x01
    pit.clk.at_tick(30)
    assert pit.bus.read(0x61, 1) & 0x21 == 0x21
    refresh = [pit.bus.read(0x61, 1) & 0x10 for _ in range(4)]
    assert refresh[0] != refresh[1] and refresh[0] == refresh[2]


def test_mode1_one_shot_triggered_by_the_gate(pit):
    program(pit, 2, 1, 40)
    pit.clk.at_tick(100)
    assert pit.bus.read(0x61, 1) & 0x20                # high until triggered
    pit.bus.write(0x61, 1, 0x01)                       # gate rising edge at tick 100
    pit.clk.at_tick(120)
    assert not pit.bus.read(0x61, 1) & 0x20
    pit.clk.at_tick(141)
    assert pit.bus.read(0x61, 1) & 0x20
