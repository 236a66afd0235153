"""The native port-read mirror: for each of the 65,536 I/O ports, the byte a 1-byte IN would read
*now*, when that read has no side effect, so that translated code runs `in al, dx` without leaving
native code (bt/backend/lower_ports.py).

Owned by the PortBus (bt/runtime/ports.py), which publishes 0xFF for unassigned ports and lets each
device that has `attach_mirror(mirror, base)` publish its own registers. A device keeps its entries
true: whenever its state changes (every access through the bus, every host event it takes), it
publishes the new value or withdraws the entry. An entry is `VALID | byte`; 0 means "ask Python":
native code side-exits and the interpreter runs the IN through the bus, exactly as without a mirror.
The invariant (tests/test_native_in.py checks it on the UART): while an entry is valid, a read of
that port through the bus returns its byte and changes nothing in the device.

Values a host event may overtake (the UART's LSR while host input may arrive) are refreshed by
`refresh()`, which the JIT calls whenever native code returns to Python (bt/runtime/jit_engine.py).
Written from Python (warm: on device accesses), read by native code (hot).
"""
import numpy as np

PORT_COUNT = 0x10000
VALID = 0x100


class PortMirror:
    def __init__(self):
        self.table = np.zeros(PORT_COUNT, dtype=np.uint32)     # u32 per port: VALID | byte, or 0
        self.address = self.table.ctypes.data                   # JitContext.port_mirror
        self.cells = memoryview(self.table)                     # cheap item writes (devices)
        self._refreshers = []

    def publish(self, port, value):
        """Reads of `port` return `value` and have no side effect, until the device says otherwise."""
        self.cells[port] = VALID | (value & 0xFF)

    def publish_range(self, start, stop, value):
        self.table[start:stop] = VALID | (value & 0xFF)

    def withdraw(self, port):
        """Reads of `port` must go to the device (they may have a side effect or a changing value)."""
        self.cells[port] = 0

    def set(self, port, value):
        """publish(port, value), or withdraw(port) if value is None."""
        self.cells[port] = 0 if value is None else VALID | (value & 0xFF)

    def get(self, port):
        """The byte a native IN from `port` reads now, or None if it would ask Python."""
        entry = self.cells[port & 0xFFFF]
        return entry & 0xFF if entry & VALID else None

    def on_refresh(self, fn):
        self._refreshers.append(fn)

    def refresh(self):
        """Native code returned to Python: devices look at host events their entries may be hiding."""
        for fn in self._refreshers:
            fn()


_EMPTY = PortMirror()


def of(io):
    """The mirror of a port bus; an empty one (every read asks Python) for buses without one."""
    return getattr(io, "mirror", None) or _EMPTY
