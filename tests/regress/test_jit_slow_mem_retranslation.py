"""Regression (found by the random-code fuzzer): after a slow-memory exit the JIT resumes mid-block,
misses, and translates a fresh batch (16 blocks of up to 64 instructions) starting at the next
instruction. Straight-line code whose every store takes the slow path (here `add [eax], al` with EAX
in its own, translated, page: zero-filled memory decodes to exactly that) costs one ~1000-instruction batch per guest
instruction: ~0.6 s each, so random guests hit --timeout after a dozen instructions. Fixed: after a callout or slow access the
engine interprets up to a block's worth of instructions until EIP starts a translation, and stores to
code pages that touch no code stay native (code-granule map)."""
import pytest

from bt.runtime.state import W_EIP
from tests.fuzz import harness

STEPS = 8
TAIL = 64         # the JIT steps the last block_insns of a --max-insns budget in the interpreter


def test_slow_memory_stores_do_not_retranslate_per_instruction():
    case = harness.Case(b"\xb8\x00\x0f\x10\x00" + bytes(3000), max_insns=1 + STEPS + TAIL, timeout=60)
    m = harness.build_machine(case)
    try:
        result = m.run(engine="jit", max_insns=case.max_insns, timeout=case.timeout)
        assert result.reason == "limit" and m.state.w[W_EIP] == harness.CODE_GPA + 5 + 2 * (STEPS + TAIL)
        # One batch for the whole run is enough; allow two.
        assert m.engine.stats.guest_insns_translated <= 2 * 16 * 64, m.engine.stats_lines()
    finally:
        m.close()
