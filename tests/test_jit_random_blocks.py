"""Random straight-line blocks and bounded loops of integer instructions (tests/random_programs.py) on
the JIT, the reference interpreter and Unicorn, from the same random registers, flags and data window.

Compared: EAX..EDI, EIP, EFLAGS minus the flags the instruction table leaves undefined at the end, the
data window and the stack below ESP. Default: DEFAULT_PROGRAMS programs (a few seconds per hundred);
BT_RANDOM_PROGRAMS=N sets the count, and the `slow` variant runs a long campaign.
"""
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32
from unicorn import x86_const as U

from bt.runtime.state import REG_NAMES
from jit_diff import CODE_ADDR, MEM_SIZE, STACK_TOP, CpuResult, assert_same, decode_all, run_both, undefined_flags
from random_programs import DATA, EBP, ECX, ESP, WINDOW, program, program_ok

DEFAULT_PROGRAMS = int(os.environ.get("BT_RANDOM_PROGRAMS", "300"))
SLOW_PROGRAMS = 20_000
STACK_BYTES = 64
UC_REGS = [getattr(U, "UC_X86_REG_" + n.upper()) for n in REG_NAMES]
EDGE = st.sampled_from((0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF))
REG_VALUES = st.one_of(EDGE, st.integers(0, 0xFFFFFFFF), st.integers(0, 0x40))
FLAGS = st.integers(0, 0xFFF).map(lambda f: (f & 0x8D5) | 0x2)        # arithmetic flags only, DF=0
_SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
_uc = None


def run_unicorn(code, regs, eflags, memory):
    global _uc
    if _uc is None:
        _uc = Uc(UC_ARCH_X86, UC_MODE_32)
        _uc.mem_map(0, MEM_SIZE)
    uc = _uc
    uc.mem_write(0, bytes(MEM_SIZE))
    for addr, data in memory.items():
        uc.mem_write(addr, bytes(data))
    uc.mem_write(CODE_ADDR, code)
    uc.ctl_remove_cache(CODE_ADDR & ~0xFFF, (CODE_ADDR & ~0xFFF) + 0x2000)
    for r, uc_r in enumerate(UC_REGS):
        uc.reg_write(uc_r, regs.get(REG_NAMES[r], STACK_TOP if r == ESP else 0))
    uc.reg_write(U.UC_X86_REG_EFLAGS, eflags)
    end = "halt"
    try:
        uc.emu_start(CODE_ADDR, CODE_ADDR + len(code) - 1, count=100_000)   # stops before the hlt
    except UcError as e:
        end = f"unicorn {e}"
    eip = uc.reg_read(U.UC_X86_REG_EIP)
    return CpuResult([uc.reg_read(r) for r in UC_REGS], eip + 1 if end == "halt" else eip,
                     uc.reg_read(U.UC_X86_REG_EFLAGS), {a: bytes(uc.mem_read(a, len(d))) for a, d in memory.items()}, end)


@st.composite
def case(draw):
    code, loop = draw(program())
    insns = decode_all(code)
    assert sum(i.size for i in insns) == len(code), f"templates made undecodable bytes {code.hex(' ')}"
    assume(program_ok(insns, loop))
    regs = {REG_NAMES[r]: draw(REG_VALUES) for r in range(8) if r not in (ESP, EBP)}
    regs["ebp"] = DATA
    eflags = draw(FLAGS)
    window = draw(st.binary(min_size=WINDOW, max_size=WINDOW))
    return code + b"\xf4", loop, regs, eflags, {DATA: window, STACK_TOP - STACK_BYTES: bytes(STACK_BYTES)}


def check(c):
    code, loop, regs, eflags, memory = c
    undefined = undefined_flags(code)
    listing = "\n".join(f"  {i.address:#x}: {i.text}" for i in decode_all(code))
    context = f"program (loop x{loop}):\n{listing}\nregs {regs} eflags {eflags:#x}"
    jit, ref = run_both(code, regs, eflags, memory)
    assert ref.end == "halt", context + f"\ninterpreter ended with {ref.end}"
    assert_same(jit, ref, undefined, context)
    uc = run_unicorn(code, regs, eflags, memory)
    assert_same(uc, ref, undefined, context, names=("unicorn", "interp"))
    return len(decode_all(code)) + (loop - 1) * (len(decode_all(code)) - 1 if loop else 0)


@settings(max_examples=DEFAULT_PROGRAMS, **_SETTINGS)
@given(case())
def test_random_programs(c):
    check(c)


@pytest.mark.slow
@settings(max_examples=SLOW_PROGRAMS, deadline=None, suppress_health_check=list(HealthCheck))
@given(case())
def test_random_programs_campaign(c):
    check(c)
