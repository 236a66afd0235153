"""Hostile paging guests, in process (issue 6 item 2): random page tables and CR3 values, and random IDT
contents with paging on (tests/fuzz/paging_generators.py), on the interpreter and on the JIT. Every run
must end in a defined way (exit, halt, shutdown, limit) and, when it ends deterministically, both engines
must leave the same state: registers (which hold the CR2 and error codes the handlers saw), all of RAM
(page tables and their A/D bits included), ports.

CI runs a bounded slice (about 20 s); BTVM_FUZZ_SCALE=N multiplies it. Host crashes are caught by the
subprocess batches of tests/test_fuzz_subprocess.py and the long campaign
(`python -m tests.fuzz.campaign --kinds paging,paging_idt --seconds 600`)."""
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.fuzz import generators, harness

SCALE = int(os.environ.get("BTVM_FUZZ_SCALE", "1"))
SLICE = {"paging": 30, "paging_idt": 40}


def check(case):
    ok, text, outcomes = harness.compare(case)
    assert ok, f"{text}\nreproducer: {case.describe()}"
    return outcomes


@pytest.mark.parametrize("kind", sorted(SLICE))
def test_seeded_slice(kind):
    ends = set()
    for seed in range(SLICE[kind] * SCALE):
        a, _ = check(generators.KINDS[kind](random.Random(f"{kind}-{seed}")))
        ends.add(a.reason)
    assert {"halt", "shutdown"} <= ends       # the slice reaches both the handlers and triple faults


@settings(max_examples=8 * SCALE, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 1 << 32), kind=st.sampled_from(["paging", "paging_idt"]))
def test_hypothesis_paging(seed, kind):
    check(generators.KINDS[kind](random.Random(seed)))


def test_generators_are_reproducible():
    for kind in ("paging", "paging_idt"):
        assert generators.KINDS[kind](random.Random("x")) == generators.KINDS[kind](random.Random("x"))
