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

Native reads (bt/runtime/port_mirror.py): after every access and host event the UART publishes the
registers whose read has no side effect right now, and the JIT reads those without leaving native
code. Always: IER, LCR, MCR, SCR, and DLL/DLM while DLAB is set. IIR unless it reports the THR-empty
interrupt (reading acknowledges it). MSR unless a delta bit is set (reading clears them). LSR unless
BI/OE is set (reading clears them) or a read would take host input already known to be waiting
(bytes read from the host and not yet received, e.g. a BytesIO stdin). RBR never (it pops the FIFO).
So a guest polling LSR with an empty receiver runs natively; host input that arrives meanwhile on a
file descriptor (a terminal, a pipe) is noticed when native code next returns to Python (`_refresh`:
the JIT calls it after every dispatch; it looks at the host at most once per REFRESH_NS), at the
latest at the end of a budget chunk of the JIT's run loop (50 M guest instructions, ~12 ms of a native
LSR polling loop: tests/test_native_in.py), not at the next LSR read as in the interpreter: to the
guest the byte simply arrived a little later.
"""
import os
import select
import sys
import time
from collections import deque

from bt.runtime.port_mirror import VALID

COM1_PORT = 0x3F8
FIFO_DEPTH = 16
REFRESH_NS = 1_000_000      # host input under natively read registers: looked at every 1 ms at most

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

    def waiting(self):
        """Bytes already read from the host and not yet taken."""
        return bool(self._pending)

    def may_arrive(self):
        """Whether a descriptor may still deliver bytes not read yet."""
        return not self._eof and self._fd is not None

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
        self._cells = None          # the port mirror's cells once attached (bt/runtime/port_mirror.py)
        self._base = 0
        self._next_refresh = 0
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
        self._publish()

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
        self._publish()

    def input_possible(self):
        """Whether more host input may still arrive."""
        return not self.input._eof or bool(self.input._pending)

    # -- native reads (bt/runtime/port_mirror.py) ----------------------------------------------------
    def attach_mirror(self, mirror, base):
        self._cells, self._base = mirror.cells, base
        mirror.on_refresh(self._refresh)
        self._publish()

    def _publish(self):
        """Publish every register whose read has no side effect now (the module docstring's rules).
        Warm (after every UART access): writes the mirror's cells directly."""
        cells = self._cells
        if cells is None:
            return
        b, lcr, mcr, lsr, iir = self._base, self.lcr, self.mcr, self.lsr, self.iir
        if lcr & LCR_DLAB:
            cells[b] = VALID | (self.divisor & 0xFF)
            cells[b + 1] = VALID | (self.divisor >> 8)
        else:
            cells[b] = 0
            cells[b + 1] = VALID | self.ier
        cells[b + 2] = 0 if iir & 0x0F == IIR_THRI else VALID | iir
        cells[b + 3] = VALID | lcr
        cells[b + 4] = VALID | mcr
        if mcr & MCR_LOOP:
            cells[b + 5] = 0 if lsr & (LSR_BI | LSR_OE) else VALID | lsr
            cells[b + 6] = VALID | ((mcr & 0x0C) << 4) | ((mcr & 0x02) << 3) | ((mcr & 0x01) << 5)
        else:
            takes_input = not self.rx and self.input.waiting()
            cells[b + 5] = 0 if lsr & (LSR_BI | LSR_OE) or takes_input else VALID | lsr
            cells[b + 6] = 0 if self.msr & MSR_ANY_DELTA else VALID | self.msr
        cells[b + 7] = VALID | self.scr

    def _publish_iir(self):
        if self._cells is not None:
            iir = self.iir
            self._cells[self._base + IIR_FCR] = 0 if iir & 0x0F == IIR_THRI else VALID | iir

    def _refresh(self):
        """Native code returned to Python: take host input a natively read LSR may have hidden.
        At most every REFRESH_NS of host time (a select costs ~1 us, a callout ~4 us)."""
        if not self.rx and not self.mcr & MCR_LOOP and self.input.may_arrive():
            now = time.monotonic_ns()
            if now >= self._next_refresh:
                self._next_refresh = now + REFRESH_NS
                self._poll_input()
                self._publish()

    # -- port interface ---------------------------------------------------------------------------
    def io_read(self, offset, size):
        value = self._read(offset)
        self._publish()
        return value

    def io_write(self, offset, size, value):
        self._write(offset, value & 0xFF)
        if offset == RBR_THR_DLL and not self.lcr & LCR_DLAB and not self.mcr & MCR_LOOP:
            self._publish_iir()     # a byte sent (the common write): only IIR can have changed
        else:
            self._publish()

    def _read(self, offset):
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

    def _write(self, offset, value):
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
