"""A bare CPU + RAM + port log for instruction-level tests of the engines (no devices, no loader)."""
from bt.runtime.memory import GuestMemory
from bt.runtime.state import State, REG_NAMES, W_EIP


class PortLog:
    def __init__(self):
        self.writes = []
        self.inputs = {}

    def read(self, port, size):
        return self.inputs.get(port, (1 << (8 * size)) - 1)

    def write(self, port, size, value):
        self.writes.append((port, size, value))


class BareMachine:
    """What an engine needs of a machine: state, mem, io."""

    def __init__(self, memory_size=1 << 20):
        self.state = State()
        self.state.reset_protected_flat()
        self.mem = GuestMemory(memory_size)
        self.io = PortLog()

    def load_code(self, code, at_gpa=0x1000, **regs):
        self.mem.write(at_gpa, code)
        self.state.w[W_EIP] = at_gpa
        for name, value in regs.items():
            self.state.w[REG_NAMES.index(name)] = value & 0xFFFFFFFF
        return self
