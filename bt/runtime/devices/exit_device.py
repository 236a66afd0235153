"""QEMU's `isa-debug-exit,iobase=0xf4,iosize=0x04`: a write ends the run with the value written.

Attached by bt/runtime/machine.py at 0xF4..0xF7; cold (written once per run). QEMU exits the process with
(v << 1) | 1 for any write to any of its ports, whatever the width; btvm ends the run with v itself,
cut to the 8 bits a process exit status can hold (platform.md). Reads return 0, as QEMU's do.
"""
from bt.runtime.events import GuestExit

EXIT_PORT = 0xF4


class ExitDevice:
    port_count = 4
    access_sizes = (1, 2, 4)

    def io_read(self, offset, size):
        return 0

    def io_write(self, offset, size, value):
        raise GuestExit(value & 0xFF)

    def __repr__(self):
        return "ExitDevice()"
