"""COM1's interrupt (bt/runtime/devices/uart.py) through PIC IRQ 4 on a whole Machine: THR-empty and
received-data interrupts as a 16550A raises them (IIR priorities: received data above THR empty;
reading IIR acknowledges THR empty, reading RBR clears received data) and as QEMU's serial does
(enabling IER.THRI with THR empty raises it at once)."""
import io

from bt.runtime.machine import Machine

COM1, IER, IIR, RBR = 0x3F8, 0x3F9, 0x3FA, 0x3F8


def machine(stdin=b""):
    m = Machine(memory_size=2 << 20, stdin=io.BytesIO(stdin), stdout=io.BytesIO())
    m.io.write(0x21, 1, 0xEF)                  # only IRQ 4 unmasked (vectors stay at SeaBIOS's 0x08)
    return m


def test_enabling_thri_raises_irq4_and_reading_iir_acknowledges():
    m = machine()
    assert not m.pic.intr
    m.io.write(IER, 1, 0x02)
    assert m.uart.irq_level and m.pic.intr
    assert m.io.read(IIR, 1) == 0x02
    assert not m.uart.irq_level
    assert m.pic.acknowledge() == 0x0C         # IRR latched the edge
    assert m.io.read(IIR, 1) == 0x01


def test_writing_thr_raises_thri_again():
    m = machine()
    m.io.write(IER, 1, 0x02)
    m.io.read(IIR, 1)
    m.io.write(COM1, 1, ord("x"))
    assert m.uart.irq_level
    assert m.uart.output._sink.getvalue() == b"x"


def test_received_data_interrupt_has_priority_and_clears_on_read():
    m = machine(stdin=b"ab")
    m.io.write(IER, 1, 0x03)
    m.uart.poll_host()
    assert m.io.read(IIR, 1) == 0x04           # received data first
    assert m.io.read(RBR, 1) == ord("a")
    assert m.uart.irq_level                    # no FIFO: 'b' arrives next, or THRE is still pending
    assert m.io.read(RBR, 1) == ord("b")
    assert m.io.read(IIR, 1) == 0x02
    assert m.io.read(IIR, 1) == 0x01 and not m.uart.irq_level
