"""Differential tests: the reference interpreter against Unicorn, one test per instruction-table row.

Every plain user-mode integer row of bt/frontend/table.py (not sens/priv/io) gets random encodings
of its opcode forms (tests/diff_forms.py), random registers/flags/memory, one instruction on each
engine, and a comparison of registers, EIP, EFLAGS (minus undefined flags, tests/diff_masks.py) and
RAM (tests/diff_check.py). A row whose handler does not exist yet fails with "no interpreter handler".

BTVM_DIFF_EXAMPLES sets the examples per row (default 30, a few thousand cases in all). The slow
variant (marked slow, skipped unless BTVM_DIFF_SLOW=1) runs BTVM_DIFF_SLOW_EXAMPLES (default 1000)
per row with a fresh random seed each run.
"""
import os

import pytest
from hypothesis import given, settings, HealthCheck

from bt.frontend import table
from bt.runtime.interp.registry import HANDLERS
from diff_check import check
from diff_forms import FORMS_BY_NAME, cases, pairs

ROWS = [name for name, row in table.TABLE.items() if not (row.sensitive or row.privileged or row.io)]
COVERED = [name for name in ROWS if name in FORMS_BY_NAME]
# Lazy-flag pairs: an ALU instruction that records flags lazily, then one that reads or preserves them.
WRITERS = ("add", "adc", "sub", "sbb", "cmp", "neg", "inc", "dec", "and", "or", "xor", "test")
ARITH = 0x8D5
READERS = [name for name in COVERED if table.TABLE[name].reads & ARITH or name in ("inc", "dec", "adc", "sbb")]
EXAMPLES = int(os.environ.get("BTVM_DIFF_EXAMPLES", "30"))
SLOW_EXAMPLES = int(os.environ.get("BTVM_DIFF_SLOW_EXAMPLES", "1000"))
PAIR_EXAMPLES = max(1, EXAMPLES // 2)


def _run(name, examples, derandomize=True, strategy=None):
    if name not in HANDLERS:
        pytest.fail(f"no interpreter handler for {name}")

    @settings(max_examples=examples, deadline=None, derandomize=derandomize, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(case=strategy if strategy is not None else cases(name))
    def differential(case):
        check(case)
    differential()


def test_every_user_mode_row_has_forms():
    missing = [name for name in ROWS if name not in FORMS_BY_NAME]
    assert not missing, f"table rows without generated forms: {missing}"
    unknown = [name for name in FORMS_BY_NAME if name not in table.TABLE]
    assert not unknown, f"forms for names that are not table rows: {unknown}"


@pytest.mark.parametrize("name", COVERED)
def test_row(name):
    _run(name, EXAMPLES)


@pytest.mark.parametrize("reader", READERS)
def test_lazy_flags_pair(reader):
    # Only writers whose undefined flags the reader does not read (AND/OR/XOR/TEST leave AF undefined).
    writers = [w for w in WRITERS if not table.TABLE[w].undefined & table.TABLE[reader].reads]
    _run(reader, PAIR_EXAMPLES, strategy=pairs(writers, reader))


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("BTVM_DIFF_SLOW"), reason="set BTVM_DIFF_SLOW=1 for the big campaign")
@pytest.mark.parametrize("name", COVERED)
def test_row_many(name):
    _run(name, SLOW_EXAMPLES, derandomize=False)
