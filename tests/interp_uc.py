"""Run the same code on Unicorn and on the reference interpreter from the same state and compare.

Used by the focused handler tests (tests/test_interp_move.py, _string.py, _control.py): the expected
values come from Unicorn, never from the code under test. Flat 32-bit segments (base 0) on both sides.
"""
from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32, UC_HOOK_INTR
from unicorn import x86_const as U

from bt.frontend import table
from bt.runtime.events import GuestFault
from bt.runtime.interp import Interpreter
from bt.runtime.state import REG_NAMES, W_EIP, W_EFLAGS, ARITH_FLAGS
from bt.runtime import flags
from cpu_harness import BareMachine

MEM_SIZE = 1 << 20
CODE = 0x1000
STOP = b"\x0f\x0b"     # UD2 after the code on both sides: ends the interpreter's block early
UC_REGS = [getattr(U, "UC_X86_REG_" + n.upper()) for n in REG_NAMES]


def _insn_names(code):
    from bt.frontend.decoder import Decoder
    d, names, pc = Decoder(), set(), 0
    while pc < len(code):
        i = d.decode(code[pc:pc + 15] + bytes(15), CODE + pc)
        names.add(i.name)
        pc += i.size
    return names


def undefined_mask(code):
    m = 0
    for name in _insn_names(code):
        row = table.info(name)
        if row is not None:
            m |= row.undefined
    return m


class Result:
    def __init__(self, regs, eip, eflags, mem, fault):
        self.regs, self.eip, self.eflags, self.mem, self.fault = regs, eip, eflags, mem, fault

    def reg(self, name):
        return self.regs[REG_NAMES.index(name)]


def run_unicorn(code, regs, eflags=0x2, mem=(), steps=None):
    """Run `code` at CODE until its end (or `steps` instructions). Returns a Result."""
    uc = Uc(UC_ARCH_X86, UC_MODE_32)
    uc.mem_map(0, MEM_SIZE)
    for addr, data in mem:
        uc.mem_write(addr, bytes(data))
    uc.mem_write(CODE, bytes(code) + STOP)
    for r, name in zip(UC_REGS, REG_NAMES):
        uc.reg_write(r, regs.get(name, 0) & 0xFFFFFFFF)
    uc.reg_write(U.UC_X86_REG_EFLAGS, eflags)
    fault = []

    def on_intr(uc_, intno, _):
        fault.append(intno)
        uc_.emu_stop()
    uc.hook_add(UC_HOOK_INTR, on_intr)
    try:
        if steps is None:
            uc.emu_start(CODE, CODE + len(code))
        else:
            uc.emu_start(CODE, 0xFFFFFFFF, count=steps)
    except UcError as e:
        fault.append(str(e))
    return Result([uc.reg_read(r) for r in UC_REGS], uc.reg_read(U.UC_X86_REG_EIP),
                  uc.reg_read(U.UC_X86_REG_EFLAGS), bytes(uc.mem_read(0, MEM_SIZE)),
                  fault[0] if fault else None)


def run_interp(code, regs, eflags=0x2, mem=(), steps=None, max_steps=1_000_000):
    m = BareMachine(MEM_SIZE)
    for addr, data in mem:
        m.mem.write(addr, bytes(data))
    m.load_code(bytes(code) + STOP, CODE, **{k: v for k, v in regs.items()})
    m.state.w[W_EFLAGS] = eflags
    x = Interpreter(m)
    end = CODE + len(code)
    fault = None
    n = 0
    try:
        while (m.state.w[W_EIP] != end) if steps is None else n < steps:
            x.step()
            n += 1
            assert n < max_steps, "runaway"
    except GuestFault as f:
        fault = f.vector
    w = m.state.w
    return Result([w[i] for i in range(8)], w[W_EIP], flags.materialize(w), m.mem.read(0, MEM_SIZE), fault), x


def check(code, regs=None, eflags=0x2, mem=(), steps=None, fault=None):
    """Run both, assert equal registers, EIP, EFLAGS (minus the table's undefined flags) and memory."""
    code = bytes(code)
    regs = regs or {}
    u = run_unicorn(code, regs, eflags, mem, steps)
    i, _ = run_interp(code, regs, eflags, mem, steps)
    if fault is not None:
        assert u.fault == fault, f"unicorn fault {u.fault!r}"
        assert i.fault == fault, f"interp fault {i.fault!r}"
    else:
        assert u.fault is None, f"unicorn faulted: {u.fault}"
        assert i.fault is None, f"interp faulted: {i.fault}"
    for name, a, b in zip(REG_NAMES, u.regs, i.regs):
        assert a == b, f"{code.hex()}: {name} unicorn={a:#x} interp={b:#x}"
    assert u.eip == i.eip, f"{code.hex()}: eip unicorn={u.eip:#x} interp={i.eip:#x}"
    keep = ~undefined_mask(code) & (ARITH_FLAGS | 0x400)
    assert u.eflags & keep == i.eflags & keep, f"{code.hex()}: eflags unicorn={u.eflags:#x} interp={i.eflags:#x}"
    if u.mem != i.mem:
        diff = next(k for k in range(MEM_SIZE) if u.mem[k] != i.mem[k])
        raise AssertionError(f"{code.hex()}: memory differs first at {diff:#x}: "
                             f"unicorn={u.mem[diff:diff + 8].hex()} interp={i.mem[diff:diff + 8].hex()}")
    return i
