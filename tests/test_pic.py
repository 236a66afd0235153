"""The 8259A pair (bt/runtime/devices/pic.py) through its ports, from the Intel 8259A datasheet:
initialisation (ICW1-4), masks (OCW1), EOI and rotation (OCW2), IRR/ISR reads and poll (OCW3), fixed
priorities and nesting, auto-EOI, edge and level (ELCR) triggering, the cascade, spurious IR7/IR15."""
import pytest

from bt.runtime.devices.pic import PicPair
from bt.runtime.ports import PortBus


@pytest.fixture
def pic():
    p = PicPair()
    bus = PortBus()
    for base, ports in p.ports.items():
        bus.attach(base, ports)
    p.bus = bus
    init(p)
    return p


def init(p, icw4_master=0x01, icw4_slave=0x01):
    out = p.bus.write
    for port, value in ((0x20, 0x11), (0x21, 0x20), (0x21, 0x04), (0x21, icw4_master),
                        (0xA0, 0x11), (0xA1, 0x28), (0xA1, 0x02), (0xA1, icw4_slave),
                        (0x21, 0x00), (0xA1, 0x00)):
        out(port, 1, value)


def irr(p, base=0x20):
    p.bus.write(base, 1, 0x0A)
    return p.bus.read(base, 1)


def isr(p, base=0x20):
    p.bus.write(base, 1, 0x0B)
    return p.bus.read(base, 1)


def eoi(p, base=0x20):
    p.bus.write(base, 1, 0x20)


def test_icw_sequence_sets_vector_bases_and_clears_masks(pic):
    assert pic.bus.read(0x21, 1) == 0 and pic.bus.read(0xA1, 1) == 0
    pic.raise_irq(3)
    assert pic.intr
    assert pic.acknowledge() == 0x23
    pic.raise_irq(9)
    eoi(pic)
    assert pic.acknowledge() == 0x29


def test_icw1_clears_imr_isr_irr():
    p = PicPair()
    p.bios_state()
    p.raise_irq(0)
    p.acknowledge()
    p.raise_irq(6)
    p.master.write(0, 0x11)
    assert (p.master.imr, p.master.isr, p.master.irr) == (0, 0, 0)
    assert p.master.read(0) == 0           # IRR is the register read after ICW1


def test_fixed_priority_and_nesting(pic):
    pic.raise_irq(5)
    pic.raise_irq(3)
    assert pic.acknowledge() == 0x23      # IR3 before IR5
    assert not pic.intr                   # IR5 has a lower priority than IR3 in service
    pic.raise_irq(1)
    assert pic.intr                       # IR1 is higher: nests
    assert pic.acknowledge() == 0x21
    assert isr(pic) == 0b1010
    eoi(pic)                              # non-specific EOI: the highest in service (IR1)
    assert isr(pic) == 0b1000
    assert not pic.intr
    eoi(pic)
    assert pic.intr and pic.acknowledge() == 0x25


def test_mask_keeps_the_request_in_irr(pic):
    pic.bus.write(0x21, 1, 0x10)
    pic.raise_irq(4)
    assert not pic.intr
    assert irr(pic) == 0x10
    pic.bus.write(0x21, 1, 0x00)
    assert pic.intr and pic.acknowledge() == 0x24
    assert irr(pic) == 0 and isr(pic) == 0x10


def test_specific_eoi(pic):
    pic.raise_irq(6)
    assert pic.acknowledge() == 0x26
    pic.raise_irq(4)
    assert pic.acknowledge() == 0x24      # nested: ISR = IR4 | IR6
    pic.bus.write(0x20, 1, 0x60 | 6)      # specific EOI for IR6 (a non-specific one would clear IR4)
    assert isr(pic) == 0x10


def test_auto_eoi_leaves_isr_clear():
    p = PicPair()
    bus = PortBus()
    for base, ports in p.ports.items():
        bus.attach(base, ports)
    p.bus = bus
    init(p, icw4_master=0x03)
    p.raise_irq(5)
    assert p.acknowledge() == 0x25
    assert isr(p) == 0
    p.raise_irq(6)
    assert p.intr


def test_rotate_on_non_specific_eoi(pic):
    pic.raise_irq(3)
    assert pic.acknowledge() == 0x23
    pic.bus.write(0x20, 1, 0xA0)          # rotate on non-specific EOI: IR3 becomes the lowest
    pic.raise_irq(3)
    pic.raise_irq(6)
    assert pic.acknowledge() == 0x26      # priorities now 4, 5, 6, 7, 0, 1, 2, 3


def test_set_priority_command(pic):
    pic.bus.write(0x20, 1, 0xC0 | 4)      # IR4 lowest: IR5 highest
    pic.raise_irq(4)
    pic.raise_irq(0)
    pic.raise_irq(5)
    assert pic.acknowledge() == 0x25


def test_edge_triggered_line_held_high_requests_once(pic):
    pic.raise_irq(7)
    assert pic.acknowledge() == 0x27
    eoi(pic)
    pic.raise_irq(7)                      # still high: no new edge
    assert not pic.intr
    pic.lower_irq(7)
    pic.raise_irq(7)
    assert pic.intr


def test_level_triggered_request_follows_the_line_and_vanishing_gives_spurious(pic):
    pic.bus.write(0x4D0, 1, 0x08)         # IR3 level-triggered
    pic.raise_irq(3)
    assert pic.intr
    pic.lower_irq(3)                      # the request goes away before INTA
    assert irr(pic) == 0
    assert pic.acknowledge() == 0x27      # spurious IR7, nothing put in service
    assert isr(pic) == 0


def test_masked_after_intr_gives_spurious(pic):
    pic.raise_irq(1)
    assert pic.intr
    pic.bus.write(0x21, 1, 0x02)
    assert pic.acknowledge() == 0x27
    assert isr(pic) == 0


def test_elcr_masks_as_qemu(pic):
    pic.bus.write(0x4D0, 1, 0xFF)
    pic.bus.write(0x4D1, 1, 0xFF)
    assert (pic.bus.read(0x4D0, 1), pic.bus.read(0x4D1, 1)) == (0xF8, 0xDE)


def test_cascade_slave_irq(pic):
    pic.raise_irq(12)
    assert pic.intr
    assert pic.acknowledge() == 0x2C
    assert isr(pic) == 0x04 and isr(pic, 0xA0) == 0x10
    eoi(pic, 0xA0)
    eoi(pic)
    assert isr(pic) == 0 and isr(pic, 0xA0) == 0


def test_slave_masked_through_the_cascade(pic):
    pic.bus.write(0x21, 1, 0x04)
    pic.raise_irq(9)
    assert not pic.intr
    pic.bus.write(0x21, 1, 0x00)
    assert pic.intr and pic.acknowledge() == 0x29


def test_slave_spurious_is_ir15(pic):
    pic.bus.write(0x4D1, 1, 0x04)         # IRQ 10 level-triggered
    pic.raise_irq(10)
    assert pic.intr
    pic.lower_irq(10)                     # the slave's request vanishes, the master's IR2 was latched
    assert pic.acknowledge() == 0x2F
    assert isr(pic, 0xA0) == 0


def test_poll_command(pic):
    pic.raise_irq(6)
    pic.bus.write(0x20, 1, 0x0C)          # OCW3 poll
    assert pic.bus.read(0x20, 1) == 0x86
    assert isr(pic) == 0x40 and not pic.intr
    pic.bus.write(0x20, 1, 0x0C)
    assert pic.bus.read(0x20, 1) == 0     # nothing requested


def test_special_mask_mode(pic):
    pic.raise_irq(3)
    pic.acknowledge()                     # IR3 in service
    pic.raise_irq(5)
    assert not pic.intr
    pic.bus.write(0x21, 1, 0x08)          # mask IR3 and enter special mask mode
    pic.bus.write(0x20, 1, 0x68)
    assert pic.intr and pic.acknowledge() == 0x25
    pic.bus.write(0x20, 1, 0x48)          # leave it
    assert isr(pic) == 0x28


def test_intr_listeners_see_changes(pic):
    seen = []
    pic.listeners.append(seen.append)
    pic.raise_irq(0)
    pic.acknowledge()
    assert seen == [True, False]


def test_bios_state_matches_qemu_after_seabios():
    p = PicPair()
    p.bios_state()
    assert (p.master.imr, p.slave.imr, p.master.vector_base, p.slave.vector_base) == (0xB8, 0x8E, 0x08, 0x70)
    p.raise_irq(0)
    assert p.acknowledge() == 0x08
