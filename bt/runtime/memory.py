"""Guest physical memory: one contiguous host buffer, surrounded by inaccessible guard pages.

Created once per machine by bt/runtime/machine.py; the loader writes the image into it, the interpreter
reads and writes it on every guest access (hot), and native code will address it as `base_hva + gpa`.

Isolation: the RAM is mapped between two PROT_NONE guard regions, so a host access that strays outside
the guest's RAM faults in the host instead of silently reading host memory. Physical addresses past the
end of RAM are "unbacked": reads return 0 (UNBACKED_BYTE), writes are dropped (as QEMU's pc
machine does for unassigned memory).
"""
import ctypes
import mmap

PAGE_SIZE = 4096
GUARD_SIZE = 64 * 1024
_PROT_NONE = 0
UNBACKED_BYTE = 0x00

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_MAP_FAILED = ctypes.c_void_p(-1).value


class GuestMemory:
    """`size` bytes of guest RAM at guest-physical 0; `view` is a writable memoryview over it."""

    def __init__(self, size):
        if size <= 0 or size % PAGE_SIZE:
            raise ValueError(f"guest RAM size must be a positive multiple of {PAGE_SIZE}, not {size}")
        self.size = size
        self._map_len = size + 2 * GUARD_SIZE
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0)
        addr = _libc.mmap(None, self._map_len, _PROT_NONE, flags, -1, 0)
        if addr in (None, _MAP_FAILED):
            raise MemoryError(f"cannot reserve {size} bytes of guest RAM")
        self._map_hva = addr
        self.base_hva = addr + GUARD_SIZE
        if _libc.mprotect(self.base_hva, size, mmap.PROT_READ | mmap.PROT_WRITE) != 0:
            _libc.munmap(addr, self._map_len)
            raise MemoryError(f"cannot map {size} bytes of guest RAM (errno {ctypes.get_errno()})")
        self._array = (ctypes.c_uint8 * size).from_address(self.base_hva)
        self.view = memoryview(self._array).cast("B")

    def close(self):
        if self._map_hva is not None:
            self.view.release()
            self._array = None
            _libc.munmap(self._map_hva, self._map_len)
            self._map_hva = None

    # Byte-range helpers (cold paths: loader, devices, tests). The interpreter inlines its own.
    def read(self, gpa, length):
        if 0 <= gpa and gpa + length <= self.size:
            return bytes(self.view[gpa:gpa + length])
        return bytes(self.view[gpa + i] if 0 <= gpa + i < self.size else UNBACKED_BYTE
                     for i in range(length))

    def write(self, gpa, data):
        if 0 <= gpa and gpa + len(data) <= self.size:
            self.view[gpa:gpa + len(data)] = data
            return
        for i, b in enumerate(data):
            if 0 <= gpa + i < self.size:
                self.view[gpa + i] = b

    def read_u32(self, gpa):
        return int.from_bytes(self.read(gpa, 4), "little")

    def write_u32(self, gpa, value):
        self.write(gpa, (value & 0xFFFFFFFF).to_bytes(4, "little"))
