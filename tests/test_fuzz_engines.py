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
