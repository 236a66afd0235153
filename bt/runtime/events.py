"""How a guest run ends: exceptions raised by devices and engines, caught by bt/runtime/machine.py.

Cold: raised once per run (or per guest fault). `GuestFault` is also the internal signal an engine
uses for a guest exception (#GP, #PF, #DE, ...): the engine's run loop delivers it through the IDT
(bt/runtime/interrupts.py); one that reaches the machine anyway (an engine used without its run loop)
ends the run with a register dump.
"""

# btvm exit statuses (README documents them). A guest's own status comes from port 0xF4 (0..255).
STATUS_IMAGE_ERROR = 2
STATUS_HALTED = 120
STATUS_SHUTDOWN = 121
STATUS_UNHANDLED_FAULT = 122
STATUS_LIMIT = 124
STATUS_INTERNAL_ERROR = 125
STATUS_DIVERGENCE = 126          # btvm run --diff: the JIT and the interpreter disagree


class ImageError(Exception):
    """The image cannot be loaded; the message is one line a user can act on."""


class GuestExit(Exception):
    """The guest wrote `status` to the exit device."""

    def __init__(self, status):
        super().__init__(f"guest exit {status}")
        self.status = status


class GuestHalt(Exception):
    """HLT with nothing that can wake the CPU."""

    def __init__(self, eip):
        super().__init__(f"guest halted at eip={eip:#010x}")
        self.eip = eip


class GuestShutdown(Exception):
    """Triple fault: the processor shuts down. `faults` is the chain of GuestFault that led there,
    the instruction's own fault first."""

    def __init__(self, message="", faults=()):
        super().__init__(message)
        self.faults = list(faults)


class LimitReached(Exception):
    """--max-insns or --timeout ran out."""

    def __init__(self, which, eip):
        super().__init__(f"{which} limit reached at eip={eip:#010x}")
        self.which = which
        self.eip = eip


# Exception vectors (SDM Vol. 3, 6.3.1).
DE, DB, NMI, BP, OF, BR, UD, NM, DF, TS, NP, SS, GP, PF = 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14
VECTOR_NAMES = {0: "#DE", 1: "#DB", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF",
                10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC"}


class GuestFault(Exception):
    """A guest exception raised by an instruction. Raised before the instruction commits any state,
    so EIP and registers are those before the faulting instruction (precise state)."""

    def __init__(self, vector, error_code=None, detail=""):
        name = VECTOR_NAMES.get(vector, f"vector {vector}")
        super().__init__(f"{name}{'' if error_code is None else f'({error_code:#x})'} {detail}".strip())
        self.vector = vector
        self.error_code = error_code
        self.detail = detail
