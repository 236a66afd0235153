"""COM1: a 16550A UART at 0x3F8..0x3FF, registers as QEMU's `serial` device shows them.

Attached by bt/runtime/machine.py. Warm: guests poll LSR before every byte they send. Transmission is
instant: a byte written to THR goes straight to the host output (unbuffered, flushed per byte), so LSR
always reports THRE|TEMT. Reception is lazy: when the guest looks at LSR or RBR and the receive side
is empty, the UART polls the host input without blocking (select) and takes what is there, up to the
FIFO depth (16 bytes with FCR.FE set, else 1). Loopback (MCR bit 4) feeds THR back into the receiver.

Reset values (QEMU's serial_reset): IER=0, IIR=0x01, LCR=0, MCR=0x08 (OUT2), LSR=0x60 (THRE|TEMT),
MSR=0xB0 (DCD|DSR|CTS), SCR=0, divisor=0x000C (9600 baud).

Not modelled yet: the receive FIFO trigger level and character timeout (RDI is reported as soon as data
is there), line errors, break. `irq_level` is the interrupt line; `irq_changed(level)` (set by the
machine) drives PIC IRQ 4 with it. The CPU side calls `poll_host()` from time to time while the
received-data interrupt is enabled, so input arriving while the guest runs raises it.
"""
import os
import select
import sys
from collections import deque

COM1_PORT = 0x3F8
FIFO_DEPTH = 16

# Register offsets.
RBR_THR_DLL, IER_DLM, IIR_FCR, LCR, MCR, LSR, MSR, SCR = range(8)

LCR_DLAB = 0x80
IER_RDI, IER_THRI, IER_RLSI, IER_MSI = 0x01, 0x02, 0x04, 0x08
IIR_NO_INT, IIR_MSI, IIR_THRI, IIR_RDI, IIR_RLSI = 0x01, 0x00, 0x02, 0x04, 0x06
IIR_FIFO_ENABLED = 0xC0
FCR_FE, FCR_RFR, FCR_XFR = 0x01, 0x02, 0x04
MCR_LOOP = 0x10
LSR_DR, LSR_OE, LSR_BI, LSR_THRE, LSR_TEMT = 0x01, 0x02, 0x10, 0x20, 0x40
LSR_ERRORS = 0x1E
MSR_RESET = 0xB0          # DCD | DSR | CTS: a terminal is attached and ready
MSR_ANY_DELTA = 0x0F


class HostInput:
    """Non-blocking byte source for the receiver: a binary file with a descriptor (polled with select),
    a file-like object without one (read whole, e.g. io.BytesIO in tests), or None (no input)."""

    def __init__(self, source):
        self._fd = None
        self._pending = b""
        self._eof = True
        if source is None:
            return
        try:
            self._fd = source.fileno()
            self._eof = False
        except (AttributeError, OSError, ValueError):
            try:
                data = source.read() if hasattr(source, "read") else bytes(source)
                self._pending = bytes(data)
            except (OSError, ValueError, TypeError):
                pass   # an unusable input (e.g. a test runner's stdin stand-in): no input at all

    def take(self, limit):
        """Up to `limit` bytes that are available now, without waiting."""
        if not self._pending and not self._eof and self._fd is not None:
            try:
                ready, _, _ = select.select([self._fd], [], [], 0)
                if ready:
                    chunk = os.read(self._fd, 4096)
                    if chunk:
                        self._pending = chunk
                    else:
                        self._eof = True
            except (OSError, ValueError):
                self._eof = True
        data, self._pending = self._pending[:limit], self._pending[limit:]
        return data


class HostOutput:
    """Where THR bytes go: a binary stream, written and flushed per byte. Output errors (a closed pipe)
    silence the output instead of ending the run, as a disconnected serial line would."""

    def __init__(self, sink):
        self._sink = sink
        self._flush = getattr(sink, "flush", None)
        self.broken = False

    def put(self, byte):
        if self.broken:
            return
        try:
            self._sink.write(bytes((byte,)))
            if self._flush is not None:
                self._flush()
        except (OSError, ValueError):
            self.broken = True


class Uart16550:
    port_count = 8
    access_sizes = (1,)

    def __init__(self, stdin=None, stdout=None):
        """stdin/stdout None mean the process's own; pass io.BytesIO objects to script or capture."""
        if stdin is None:
            stdin = getattr(sys.stdin, "buffer", sys.stdin)
        if stdout is None:
            stdout = sys.stdout.buffer
        self.input = HostInput(stdin)
        self.output = HostOutput(stdout)
        self.irq_changed = None
        self.reset()

    def reset(self):
        self.rbr = 0
        self.ier = 0
        self.iir = IIR_NO_INT
        self.fcr = 0
        self.lcr = 0
        self.mcr = 0x08
        self.lsr = LSR_THRE | LSR_TEMT
        self.msr = MSR_RESET
        self.scr = 0
        self.divisor = 0x000C
        self.rx = deque()
        self.thr_ipending = False
        self.irq_level = False

    def __repr__(self):
        return "Uart16550(COM1)"

    # -- receive side -------------------------------------------------------------------------------
    def _poll_input(self):
        if self.mcr & MCR_LOOP:
            return   # in loopback the receiver hears only the transmitter
        room = (FIFO_DEPTH if self.fcr & FCR_FE else 1) - len(self.rx)
        if room > 0 and not self.rx:
            data = self.input.take(room)
            if data:
                self.rx.extend(data)
                self.lsr |= LSR_DR
                self._update_irq()

    def _receive(self, byte):
        if self.fcr & FCR_FE:
            if len(self.rx) < FIFO_DEPTH:
                self.rx.append(byte)
            else:
                self.lsr |= LSR_OE
        else:
            if self.lsr & LSR_DR:
                self.lsr |= LSR_OE
            self.rx.clear()
            self.rx.append(byte)
        self.lsr |= LSR_DR
        self._update_irq()

    def _update_irq(self):
        ier, lsr = self.ier, self.lsr
        if ier & IER_RLSI and lsr & LSR_ERRORS:
            cause = IIR_RLSI
        elif ier & IER_RDI and lsr & LSR_DR:
            cause = IIR_RDI
        elif ier & IER_THRI and self.thr_ipending:
            cause = IIR_THRI
        elif ier & IER_MSI and self.msr & MSR_ANY_DELTA:
            cause = IIR_MSI
        else:
            cause = IIR_NO_INT
        self.iir = cause | (self.iir & 0xF0)
        level = cause != IIR_NO_INT
        if level != self.irq_level:
            self.irq_level = level
            if self.irq_changed is not None:
                self.irq_changed(level)

    def poll_host(self):
        """Take host input that arrived (raising the received-data interrupt if enabled)."""
        self._poll_input()

    def input_possible(self):
        """Whether more host input may still arrive."""
        return not self.input._eof or bool(self.input._pending)

    # -- port interface ---------------------------------------------------------------------------
    def io_read(self, offset, size):
        if offset == RBR_THR_DLL:
            if self.lcr & LCR_DLAB:
                return self.divisor & 0xFF
            self._poll_input()
            if self.rx:
                self.rbr = self.rx.popleft()
            elif self.fcr & FCR_FE:
                self.rbr = 0   # QEMU returns 0 when the FIFO is empty; without FIFO the old byte stays
            if not self.rx:
                self.lsr &= ~(LSR_DR | LSR_BI)
            self._update_irq()
            return self.rbr
        if offset == IER_DLM:
            return (self.divisor >> 8) & 0xFF if self.lcr & LCR_DLAB else self.ier
        if offset == IIR_FCR:
            value = self.iir
            if value & 0x0F == IIR_THRI:
                self.thr_ipending = False   # reading IIR acknowledges the THR-empty interrupt
                self._update_irq()
            return value
        if offset == LCR:
            return self.lcr
        if offset == MCR:
            return self.mcr
        if offset == LSR:
            self._poll_input()
            value = self.lsr
            if self.lsr & (LSR_BI | LSR_OE):
                self.lsr &= ~(LSR_BI | LSR_OE)
                self._update_irq()
            return value
        if offset == MSR:
            if self.mcr & MCR_LOOP:
                # Loopback wires the modem outputs to the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
                m = self.mcr
                return ((m & 0x0C) << 4) | ((m & 0x02) << 3) | ((m & 0x01) << 5)
            value = self.msr
            if value & MSR_ANY_DELTA:
                self.msr &= 0xF0
                self._update_irq()
            return value
        return self.scr

    def io_write(self, offset, size, value):
        value &= 0xFF
        if offset == RBR_THR_DLL:
            if self.lcr & LCR_DLAB:
                self.divisor = (self.divisor & 0xFF00) | value
                return
            if self.mcr & MCR_LOOP:
                self._receive(value)
            else:
                self.output.put(value)
            # The byte left at once: THR and the shift register are empty again.
            self.lsr |= LSR_THRE | LSR_TEMT
            self.thr_ipending = True
            self._update_irq()
        elif offset == IER_DLM:
            if self.lcr & LCR_DLAB:
                self.divisor = (self.divisor & 0x00FF) | (value << 8)
                return
            changed = (self.ier ^ value) & 0x0F
            self.ier = value & 0x0F
            if changed & IER_THRI:
                # Enabling the THR-empty interrupt while THR is empty raises it at once.
                self.thr_ipending = bool(self.ier & IER_THRI and self.lsr & LSR_THRE)
            if changed:
                self._update_irq()
        elif offset == IIR_FCR:
            if (value ^ self.fcr) & FCR_FE:
                value |= FCR_RFR | FCR_XFR   # toggling FIFO mode flushes both FIFOs
            if value & FCR_RFR:
                self.lsr &= ~(LSR_DR | LSR_BI)
                self.rx.clear()
            if value & FCR_XFR:
                self.lsr |= LSR_THRE
                self.thr_ipending = True
            self.fcr = value & 0xC9
            if self.fcr & FCR_FE:
                self.iir |= IIR_FIFO_ENABLED
            else:
                self.iir &= ~IIR_FIFO_ENABLED
            self._update_irq()
        elif offset == LCR:
            self.lcr = value
        elif offset == MCR:
            self.mcr = value & 0x1F
        elif offset == SCR:
            self.scr = value
        # LSR and MSR are read-only: writes are ignored, as QEMU does.
