"""Fuzz batches in worker subprocesses (tests/fuzz/campaign.py): a host crash (a stray access into a
guard page, an LLVM abort) or a hang is caught and pinned to its seed instead of killing pytest."""
import pytest

from tests.fuzz.campaign import run_batch
from tests.fuzz.generators import KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_batch_in_subprocess(kind):
    results, failures = run_batch(kind, 5000, 3)
    assert not failures, "\n".join(failures)
    assert len(results) == 3
