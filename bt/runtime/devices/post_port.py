"""The POST diagnostic port 0x80 of the pc machine (QEMU's "ioport80").

Attached by bt/runtime/machine.py; warm only for guests that use `out 0x80` as an I/O delay. Writes are
ignored; reads return all ones of the access size, as QEMU's ioport80_read does.
"""

POST_PORT = 0x80


class PostPort:
    port_count = 1
    access_sizes = (1, 2, 4)

    def io_read(self, offset, size):
        return (1 << (8 * size)) - 1

    def io_write(self, offset, size, value):
        pass

    def __repr__(self):
        return "PostPort()"
