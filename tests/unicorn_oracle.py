"""Unicorn 2.1 (QEMU's TCG, UC_MODE_32, flat segments with base 0) as the oracle for single instructions.

Used by tests/diff_check.py for the differential suite (tests/test_diff_unicorn.py) and the Unicorn
quirk regressions. Test-time only, but per case: one Uc object is reused (creating one costs ~2 ms),
so its translation cache is dropped for the code page before every run (Unicorn does not notice
`mem_write` over code it already translated). After a CPU exception the Uc is replaced: Unicorn keeps
the exception pending, and the next fault would be reported as a double fault (#DF), then nothing.

One instruction is run: `count=1`, except for REP string instructions, which QEMU executes one
iteration per "instruction" and are therefore run until EIP reaches the next instruction.
"""
from dataclasses import dataclass

from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32, UC_HOOK_INTR
from unicorn import unicorn_const as UC
from unicorn import x86_const as U

from bt.runtime.events import UD

MEM_SIZE = 1 << 20
UC_REGS = (U.UC_X86_REG_EAX, U.UC_X86_REG_ECX, U.UC_X86_REG_EDX, U.UC_X86_REG_EBX,
           U.UC_X86_REG_ESP, U.UC_X86_REG_EBP, U.UC_X86_REG_ESI, U.UC_X86_REG_EDI)
_ZERO = bytes(MEM_SIZE)


@dataclass
class Outcome:
    regs: list            # EAX..EDI
    eip: int
    eflags: int
    memory: bytes         # all of RAM
    fault: int = None     # exception vector, or None
    unmapped: bool = False  # the instruction touched memory outside RAM (the case is invalid)


class UnicornOracle:
    def __init__(self):
        self._new()

    def _new(self):
        self.uc = Uc(UC_ARCH_X86, UC_MODE_32)
        self.uc.mem_map(0, MEM_SIZE)
        self._vector = None
        self.uc.hook_add(UC_HOOK_INTR, self._on_interrupt)

    def _on_interrupt(self, uc, vector, _user):
        self._vector = vector
        uc.emu_stop()

    def run(self, code_gpa, code, regs, eflags, writes, rep=False, count=1):
        """Run `count` instructions of `code` at code_gpa from `regs` (EAX..EDI) and `eflags`, with RAM
        zero except for `writes` ({gpa: bytes}). A REP string instruction last needs rep=True."""
        uc = self.uc
        uc.mem_write(0, _ZERO)
        for gpa, data in writes.items():
            uc.mem_write(gpa, bytes(data))
        uc.mem_write(code_gpa, bytes(code))
        uc.ctl_remove_cache(code_gpa & ~0xFFF, (code_gpa & ~0xFFF) + 0x2000)
        for r, v in zip(UC_REGS, regs):
            uc.reg_write(r, v)
        uc.reg_write(U.UC_X86_REG_EFLAGS, eflags)
        self._vector = None
        unmapped = False
        try:
            if rep:
                uc.emu_start(code_gpa, code_gpa + len(code), timeout=2_000_000)
            else:
                uc.emu_start(code_gpa, 0xFFFFFFFF, count=count)
        except UcError as err:
            if err.errno == UC.UC_ERR_INSN_INVALID:
                self._vector = UD
            elif err.errno == UC.UC_ERR_FETCH_UNMAPPED and uc.reg_read(U.UC_X86_REG_EIP) != code_gpa:
                pass    # a control transfer left RAM: the transfer itself completed
            elif err.errno in (UC.UC_ERR_READ_UNMAPPED, UC.UC_ERR_WRITE_UNMAPPED, UC.UC_ERR_FETCH_UNMAPPED):
                unmapped = True
            else:
                raise
        out = Outcome(regs=[uc.reg_read(r) for r in UC_REGS], eip=uc.reg_read(U.UC_X86_REG_EIP),
                      eflags=uc.reg_read(U.UC_X86_REG_EFLAGS), memory=bytes(uc.mem_read(0, MEM_SIZE)),
                      fault=self._vector, unmapped=unmapped)
        if out.fault is not None or unmapped:
            self._new()
        return out
