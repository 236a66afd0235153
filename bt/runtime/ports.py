"""The x86 I/O port bus: routes IN/OUT accesses (1, 2 or 4 bytes) to the devices that own the ports.

Called by the engines for every IN/OUT/INS/OUTS (warm: guests poll the UART status register in tight
loops), and by bt/runtime/machine.py, which attaches the devices. Devices are plain objects with
`io_read(offset, size) -> int` and `io_write(offset, size, value)`, a port range, and the access sizes
they accept whole (`access_sizes`).

Behaviour of QEMU's pc machine that this mirrors:
- an access a device does not take whole (wider than it accepts, or straddling its range) is split into
  byte accesses, each routed on its own, low byte first (QEMU splits by memory-region access sizes);
- a port no device owns reads as all ones of the access size and ignores writes (QEMU's
  unassigned_io_ops).

The bus also owns the native port-read mirror (bt/runtime/port_mirror.py): unassigned ports are
published as 0xFF; an attached device's ports are withdrawn, then the device publishes what it can.
"""
from bt.runtime.port_mirror import PortMirror

PORT_COUNT = 0x10000
_ALL_ONES = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


class PortConflict(Exception):
    """Two devices were attached over the same port (a wiring bug in btvm, not a guest error)."""


class _Slot:
    """One attached device: its first port, one-past-last port and whole-access sizes."""
    __slots__ = ("device", "base", "end", "sizes")

    def __init__(self, device, base, length, sizes):
        self.device, self.base, self.end, self.sizes = device, base, base + length, frozenset(sizes)


class PortBus:
    """The 64 KiB I/O port space of one machine."""

    def __init__(self):
        self._slots = [None] * PORT_COUNT
        self.mirror = PortMirror()
        self.mirror.publish_range(0, PORT_COUNT, 0xFF)

    def attach(self, base, device, length=None, access_sizes=None):
        """Give `device` the ports base..base+length-1 (defaults: device.port_count, device.access_sizes)."""
        length = device.port_count if length is None else length
        sizes = device.access_sizes if access_sizes is None else access_sizes
        if not (0 <= base and base + length <= PORT_COUNT and length > 0):
            raise ValueError(f"port range {base:#x}+{length} is outside the I/O space")
        slot = _Slot(device, base, length, sizes)
        for port in range(base, base + length):
            if self._slots[port] is not None:
                raise PortConflict(f"port {port:#x} already belongs to {self._slots[port].device!r}")
        for port in range(base, base + length):
            self._slots[port] = slot
            self.mirror.withdraw(port)
        if hasattr(device, "attach_mirror"):
            device.attach_mirror(self.mirror, base)
        return device

    def device_at(self, port):
        slot = self._slots[port & 0xFFFF]
        return None if slot is None else slot.device

    def read(self, port, size):
        port &= 0xFFFF
        slot = self._slots[port]
        if slot is not None and size in slot.sizes and port + size <= slot.end:
            return slot.device.io_read(port - slot.base, size) & _ALL_ONES[size]
        if slot is None and size == 1:
            return 0xFF
        value = 0
        for i in range(size):   # split: each byte goes to whoever owns its port
            value |= self._read_byte((port + i) & 0xFFFF) << (8 * i)
        return value

    def write(self, port, size, value):
        port &= 0xFFFF
        slot = self._slots[port]
        if slot is not None and size in slot.sizes and port + size <= slot.end:
            slot.device.io_write(port - slot.base, size, value & _ALL_ONES[size])
            return
        for i in range(size):
            self._write_byte((port + i) & 0xFFFF, (value >> (8 * i)) & 0xFF)

    def _read_byte(self, port):
        slot = self._slots[port]
        if slot is None:
            return 0xFF
        if 1 not in slot.sizes:
            return 0xFF   # a device that refuses byte accesses: QEMU treats the access as invalid
        return slot.device.io_read(port - slot.base, 1) & 0xFF

    def _write_byte(self, port, value):
        slot = self._slots[port]
        if slot is not None and 1 in slot.sizes:
            slot.device.io_write(port - slot.base, 1, value)
