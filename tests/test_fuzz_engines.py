"""Hostile guests, in process (issue 6): random code, random port I/O, self-modifying storms and random
GDTs on the interpreter and the JIT. Every run must end in a defined way (exit, halt, shutdown,
unhandled fault, limit) and, when it ends deterministically, both engines must leave the same state.

CI runs a bounded slice; BTVM_FUZZ_SCALE=N multiplies the number of cases (the long campaign is
`python -m tests.fuzz.campaign --seconds 600`, which also detects host crashes)."""
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.fuzz import generators, harness

SCALE = int(os.environ.get("BTVM_FUZZ_SCALE", "1"))
SLICE = {"random_code": 10, "port_io": 10, "smc_storm": 6, "gdt": 10}


def check(case):
    ok, text, _ = harness.compare(case)
    assert ok, f"{text}\nreproducer: {case.describe()}"


@pytest.mark.parametrize("kind", sorted(SLICE))
def test_seeded_slice(kind):
    for seed in range(SLICE[kind] * SCALE):
        check(generators.KINDS[kind](random.Random(f"{kind}-{seed}")))


_settings = settings(max_examples=6 * SCALE, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))


@_settings
@given(code=st.binary(min_size=1, max_size=64),
       regs=st.lists(st.integers(0, 0xFFFFFFFF), min_size=7, max_size=7))
def test_hypothesis_random_code(code, regs):
    names = [r for r in generators.REGS if r != "esp"]
    check(harness.Case(code + b"\xf4", dict(zip(names, regs)), max_insns=200, timeout=2.0,
                       label="hypothesis"))


@_settings
@given(seed=st.integers(0, 1 << 32), kind=st.sampled_from(["port_io", "gdt", "smc_storm"]))
def test_hypothesis_structured(seed, kind):
    check(generators.KINDS[kind](random.Random(seed)))


def test_seeded_driver_is_reproducible():
    a = generators.random_code(random.Random("x"))
    b = generators.random_code(random.Random("x"))
    assert a == b


# ---- cases the campaign found --------------------------------------------------------------------

def test_long_native_rep_counts_one_instruction_per_chunk_as_the_interpreter():
    """A REP counts one instruction per piece ending where ECX is a multiple of 4,096
    (bt/runtime/rep_chunks.py), on both engines: REP STOSB with ECX = 0x100005 is 5 iterations, then
    4,096 per instruction, so 150 instructions stop it at ECX = 0x100000 - 149 * 0x1000; with
    ECX = 0x20000 it counts 32 and 200 - 32 INCs run before the limit."""
    code = b"\xf3\xaa" + b"\x40" * 400 + b"\xf4"
    mid = harness.Case(code, dict(ecx=0x100005, edi=0, eax=0), max_insns=150, label="rep-count")
    ok, text, (a, b) = harness.compare(mid)
    assert ok, text
    assert a.eip == b.eip == harness.CODE_GPA and a.regs[1] == b.regs[1] == 0x100000 - 149 * 0x1000
    whole = harness.Case(code, dict(ecx=0x20000, edi=0, eax=0), max_insns=200, label="rep-count")
    ok, text, (a, b) = harness.compare(whole)
    assert ok, text
    assert a.regs[0] == b.regs[0] == 200 - 0x20000 // 0x1000


@pytest.mark.parametrize("max_insns", [100, 300])
def test_rep_left_by_a_slow_exit_counts_as_on_the_interpreter(max_insns):
    """random_code seed 1000334: REPNE MOVSB going down (DF = 1) from ESI = 0, EDI = 0x1FFFFE: the JIT
    copies the first byte natively, leaves at ESI = 0xFFFFFFFF (unbacked memory) and its interpreter
    goes on. At 100 instructions the run stops inside the REP; by 300 the copy has overwritten the REP's
    own bytes with zeros (unbacked memory reads 0): after that chunk, ADD [EAX], AL (00 00) runs there."""
    code = b"\xf2\xa4" + b"\x40" * 16 + b"\xf4"
    check(harness.Case(code, dict(ecx=0x200000, esi=0, edi=0x1FFFFE), eflags=0x401, max_insns=max_insns,
                       label="rep-slow-exit"))
