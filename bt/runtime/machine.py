"""One guest machine: CPU state, RAM, the I/O port bus and its devices; loads an image and runs an engine.

Called by bt/cli.py (and by tests and benchmarks that want a whole machine). Cold: it builds things and
turns the exception that ends a run (bt/runtime/events.py) into a RunResult; the engine does the work.

Engines are looked up by name in ENGINES ("interp" now, "jit" later). An engine is a class taking the
machine and offering `run(max_insns=None, deadline=None)`, which returns only by raising a run-ending
event; it reaches guest state through `machine.state`, RAM through `machine.mem` and ports through
`machine.io.read(port, size)` / `machine.io.write(port, size, value)`.
"""
import importlib
import time
import traceback
from dataclasses import dataclass

from bt.runtime import loader
from bt.runtime.crash_report import internal_error_report
from bt.runtime.clock import GuestClock
from bt.runtime.devices.exit_device import EXIT_PORT, ExitDevice
from bt.runtime.devices.pic import PicPair
from bt.runtime.devices.pit import PIT_PORT, PORT61, Pit8254, Port61
from bt.runtime.devices.post_port import POST_PORT, PostPort
from bt.runtime.devices.uart import COM1_PORT, Uart16550
from bt.runtime.external_interrupts import UART_IRQ, ExternalInterrupts
from bt.runtime.events import (GuestExit, GuestFault, GuestHalt, GuestShutdown, LimitReached,
                               STATUS_HALTED, STATUS_INTERNAL_ERROR, STATUS_LIMIT, STATUS_SHUTDOWN,
                               STATUS_UNHANDLED_FAULT)
from bt.runtime.memory import GuestMemory
from bt.runtime.ports import PortBus
from bt.runtime.regdump import register_dump
from bt.runtime.state import State

DEFAULT_MEMORY = 128 << 20
STATUS_INTERRUPTED = 130          # Ctrl-C, as a shell reports SIGINT

# name -> "module:Class"; imported only when chosen, so a broken engine cannot break the others.
ENGINES = {
    "interp": "bt.runtime.interp:Interpreter",
    "jit": "bt.runtime.jit_engine:Jit",
    "diff": "bt.runtime.lockstep:Lockstep",     # the JIT and the interpreter compared in lockstep
}

_LIMIT_NAMES = {"max-insns": "instruction limit (--max-insns)", "timeout": "time limit (--timeout)"}


@dataclass
class RunResult:
    """How a run ended. `reason` is one of: exit, halt, shutdown, fault, limit, interrupted, internal.
    `message` is one line for the user ("" for a guest exit), `dump` a register dump or "" (for
    internal errors also the block being executed). For internal errors `error` holds the exception
    and `traceback` its formatted traceback."""
    reason: str
    status: int
    message: str = ""
    eip: int = 0
    dump: str = ""
    error: BaseException = None
    traceback: str = ""


class EngineUnavailable(Exception):
    """The chosen engine does not exist or cannot be imported."""


def engine_class(name):
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
    module_name, class_name = ENGINES[name].split(":")
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as e:
        raise EngineUnavailable(f"engine {name!r} cannot be loaded: {e}") from e


class Machine:
    def __init__(self, memory_size=DEFAULT_MEMORY, stdin=None, stdout=None, icount=None):
        """`icount`: None for guest time from the host clock, else QEMU's -icount shift (2**icount ns
        per guest instruction)."""
        self.state = State()
        self.state.reset_protected_flat()
        self.mem = GuestMemory(memory_size)
        self.io = PortBus()
        self.uart = self.io.attach(COM1_PORT, Uart16550(stdin=stdin, stdout=stdout))
        self.exit_device = self.io.attach(EXIT_PORT, ExitDevice())
        self.post_port = self.io.attach(POST_PORT, PostPort())
        self._attach_interrupt_devices(icount)
        self.image = None
        self.engine = None        # the engine of the last run (for --stats)

    def _attach_interrupt_devices(self, icount):
        self.icount = icount
        self.clock = GuestClock(icount)
        self.pic = PicPair()
        for base, ports in self.pic.ports.items():
            self.io.attach(base, ports)
        self.pit = self.io.attach(PIT_PORT, Pit8254(self.clock, self.pic))
        self.port61 = self.io.attach(PORT61, Port61(self.pit))
        self.pic.bios_state()
        self.pit.bios_state()
        self.uart.irq_changed = lambda level: self.pic.set_irq(UART_IRQ, level)
        self.irq = ExternalInterrupts(self.clock, self.pic, self.pit, self.uart)

    def load(self, path, load_addr=None):
        """Load a Multiboot/ELF/raw image (bt/runtime/loader.py); raises ImageError."""
        self.image = loader.load_image(self.mem, self.state, path, load_addr)
        return self.image

    def close(self):
        self.mem.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, engine="jit", max_insns=None, timeout=None, engine_options=None):
        """Run until the guest exits, halts, shuts down, faults unhandled or a limit is hit.
        `engine_options` are keyword arguments for the engine's constructor."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            eng = self.engine = engine_class(engine)(self, **(engine_options or {}))
            eng.run(max_insns=max_insns, deadline=deadline)
        except GuestExit as e:
            return RunResult("exit", e.status & 0xFF, eip=self.eip)
        except GuestHalt as e:
            return RunResult("halt", STATUS_HALTED, f"guest halted at eip={e.eip:#010x}", e.eip)
        except GuestShutdown as e:
            detail = f": {e}" if str(e) else ""
            return RunResult("shutdown", STATUS_SHUTDOWN,
                             f"guest shutdown (triple fault){detail} at eip={self.eip:#010x}",
                             self.eip, self._dump())
        except GuestFault as e:
            return RunResult("fault", STATUS_UNHANDLED_FAULT,
                             f"unhandled guest exception {e} at eip={self.eip:#010x}", self.eip,
                             self._dump())
        except LimitReached as e:
            what = _LIMIT_NAMES.get(e.which, f"{e.which} limit")
            return RunResult("limit", STATUS_LIMIT, f"{what} reached at eip={e.eip:#010x}", e.eip)
        except KeyboardInterrupt:
            return RunResult("interrupted", STATUS_INTERRUPTED, f"interrupted at eip={self.eip:#010x}",
                             self.eip)
        except Exception as e:   # a bug in btvm (or an engine that cannot start): report, don't crash
            return RunResult("internal", STATUS_INTERNAL_ERROR,
                             f"internal error: {type(e).__name__}: {e} (guest eip={self.eip:#010x})",
                             self.eip, internal_error_report(self), error=e,
                             traceback=traceback.format_exc())
        return RunResult("internal", STATUS_INTERNAL_ERROR,
                         f"internal error: engine {engine!r} returned without an exit event "
                         f"(guest eip={self.eip:#010x})", self.eip)

    @property
    def eip(self):
        return self.state.cpu.eip

    def _dump(self):
        try:
            return register_dump(self.state)
        except Exception as e:   # never let the report hide the event
            return f"(register dump failed: {e})"
