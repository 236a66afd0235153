"""The port bus and the devices, through `machine.io` as an engine sees them: COM1 registers as QEMU
shows them after reset, the exit device, the POST port and unassigned ports."""
import io
import os

import pytest

from bt.runtime.events import GuestExit
from bt.runtime.machine import Machine
from bt.runtime.ports import PortBus, PortConflict

COM1 = 0x3F8
THR = RBR = DLL = COM1
IER = DLM = COM1 + 1
IIR = FCR = COM1 + 2
LCR, MCR, LSR, MSR, SCR = COM1 + 3, COM1 + 4, COM1 + 5, COM1 + 6, COM1 + 7


@pytest.fixture
def machine():
    out = io.BytesIO()
    m = Machine(memory_size=2 << 20, stdin=io.BytesIO(b"xyz"), stdout=out)
    m.out = out
    yield m
    m.close()


def inb(m, port):
    return m.io.read(port, 1)


def outb(m, port, value):
    m.io.write(port, 1, value)


# -- COM1 -----------------------------------------------------------------------------------------

def test_uart_reset_values_match_qemu():
    m = Machine(memory_size=2 << 20, stdin=io.BytesIO(), stdout=io.BytesIO())
    try:
        assert inb(m, IER) == 0x00
        assert inb(m, IIR) == 0x01
        assert inb(m, LCR) == 0x00
        assert inb(m, MCR) == 0x08
        assert inb(m, LSR) == 0x60
        assert inb(m, MSR) == 0xB0
        assert inb(m, SCR) == 0x00
        outb(m, LCR, 0x80)
        assert (inb(m, DLL), inb(m, DLM)) == (0x0C, 0x00)
    finally:
        m.close()


def test_thr_goes_to_stdout_unbuffered(machine):
    for b in b"hello\n":
        outb(machine, THR, b)
    assert machine.out.getvalue() == b"hello\n"
    assert inb(machine, LSR) & 0x60 == 0x60


def test_thr_to_real_pipe_is_flushed_per_byte():
    r, w = os.pipe()
    with os.fdopen(w, "wb", buffering=1 << 16) as sink:
        m = Machine(memory_size=2 << 20, stdin=io.BytesIO(), stdout=sink)
        try:
            outb(m, THR, ord("A"))
            assert os.read(r, 10) == b"A"     # would block forever if the byte sat in a buffer
        finally:
            m.close()
    os.close(r)


def test_dlab_switches_divisor_latch(machine):
    outb(machine, LCR, 0x83)
    outb(machine, DLL, 0x01)
    outb(machine, DLM, 0x02)
    assert (inb(machine, DLL), inb(machine, DLM)) == (0x01, 0x02)
    assert machine.out.getvalue() == b""          # DLL write is not a THR write
    outb(machine, LCR, 0x03)
    assert inb(machine, LCR) == 0x03
    assert inb(machine, IER) == 0x00
    outb(machine, IER, 0xFF)
    assert inb(machine, IER) == 0x0F              # only the low 4 bits exist
    outb(machine, LCR, 0x83)
    assert inb(machine, DLM) == 0x02


def test_scratch_and_mcr_and_readonly_registers(machine):
    outb(machine, SCR, 0x5A)
    assert inb(machine, SCR) == 0x5A
    outb(machine, MCR, 0xFF)
    assert inb(machine, MCR) == 0x1F
    outb(machine, MCR, 0x0B)
    outb(machine, LSR, 0x00)
    outb(machine, MSR, 0x00)
    assert inb(machine, LSR) & 0x60 == 0x60
    assert inb(machine, MSR) == 0xB0


def test_rbr_reads_stdin_with_data_ready(machine):
    assert inb(machine, LSR) & 0x01
    assert inb(machine, RBR) == ord("x")
    assert inb(machine, RBR) == ord("y")
    assert inb(machine, LSR) & 0x01
    assert inb(machine, RBR) == ord("z")
    assert not inb(machine, LSR) & 0x01


def test_stdin_pipe_is_polled_without_blocking():
    r, w = os.pipe()
    with os.fdopen(r, "rb", buffering=0) as src:
        m = Machine(memory_size=2 << 20, stdin=src, stdout=io.BytesIO())
        try:
            assert inb(m, LSR) == 0x60                # nothing there yet, and no hang
            os.write(w, b"k")
            assert inb(m, LSR) == 0x61
            assert inb(m, RBR) == ord("k")
            assert inb(m, LSR) == 0x60
            os.close(w)
            assert inb(m, LSR) == 0x60                # EOF: no data, still no hang
        finally:
            m.close()


def test_fifo_enable_shows_in_iir(machine):
    outb(machine, FCR, 0x07)
    assert inb(machine, IIR) & 0xC0 == 0xC0
    outb(machine, FCR, 0x00)
    assert inb(machine, IIR) & 0xC0 == 0x00


def test_thr_empty_interrupt_identification(machine):
    outb(machine, IER, 0x02)                      # enabling THRI while THR is empty raises it
    assert inb(machine, IIR) == 0x02
    assert inb(machine, IIR) == 0x01              # reading IIR acknowledged it
    outb(machine, THR, ord("a"))
    assert machine.uart.irq_level
    assert inb(machine, IIR) == 0x02
    assert not machine.uart.irq_level


def test_received_data_interrupt(machine):
    outb(machine, IER, 0x01)
    inb(machine, LSR)                             # pulls the first byte in
    assert inb(machine, IIR) == 0x04
    for _ in range(3):
        inb(machine, RBR)
    assert inb(machine, IIR) == 0x01


def test_loopback(machine):
    outb(machine, MCR, 0x10 | 0x0B)               # LOOP | OUT2 | RTS | DTR
    outb(machine, THR, 0x42)
    assert machine.out.getvalue() == b""
    assert inb(machine, LSR) & 0x01
    assert inb(machine, RBR) == 0x42
    assert inb(machine, MSR) == 0xB0              # DCD(OUT2) CTS(RTS) DSR(DTR)


def test_wide_uart_access_is_split_into_bytes(machine):
    machine.io.write(SCR - 1, 2, 0x3300)          # 16-bit write at MSR: low byte MSR (ignored), high SCR
    assert inb(machine, SCR) == 0x33
    assert machine.io.read(LSR, 2) == 0xB061       # LSR (data ready) | MSR << 8


# -- exit device, POST port, unassigned ports ----------------------------------------------------

@pytest.mark.parametrize("size,value,status", [(1, 0x00, 0), (1, 0x2A, 42), (2, 0x1234, 0x34),
                                               (4, 0xDEADBEEF, 0xEF)])
def test_exit_device(machine, size, value, status):
    with pytest.raises(GuestExit) as e:
        machine.io.write(0xF4, size, value)
    assert e.value.status == status


def test_exit_device_other_ports_and_reads(machine):
    with pytest.raises(GuestExit) as e:
        machine.io.write(0xF6, 1, 3)              # iosize 4: 0xF4..0xF7 all exit
    assert e.value.status == 3
    assert machine.io.read(0xF4, 4) == 0


def test_post_port(machine):
    machine.io.write(0x80, 1, 0x55)
    assert machine.io.read(0x80, 1) == 0xFF
    assert machine.io.read(0x80, 2) == 0xFFFF


@pytest.mark.parametrize("port", [0x00, 0x2F8, 0x3F0, 0xCF8, 0xFFFF])
def test_unassigned_ports(machine, port):
    for size, ones in ((1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF)):
        machine.io.write(port, size, 0)
        assert machine.io.read(port, size) == ones


def test_port_bus_rejects_overlapping_devices():
    bus = PortBus()

    class Dev:
        port_count, access_sizes = 4, (1,)

        def io_read(self, offset, size):
            return offset

        def io_write(self, offset, size, value):
            pass

    bus.attach(0x100, Dev())
    with pytest.raises(PortConflict):
        bus.attach(0x102, Dev())
    assert bus.read(0x101, 1) == 1
    assert bus.read(0x103, 2) == 0xFF03           # straddles the end: split, unassigned half is 0xFF
