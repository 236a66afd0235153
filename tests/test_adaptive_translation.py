"""Adaptive translation (issue 4 item 7): an instruction that keeps leaving native code through slow
exits (here: PTE stores into a page-table frame) is retranslated as a callout, and the guest's
output stays what QEMU printed."""
import io

from guest_images import expected, image_path
from bt.runtime.jit_engine import ADAPT_AFTER
from bt.runtime.machine import Machine


def run_jit(name):
    out = io.BytesIO()
    with Machine(stdin=io.BytesIO(), stdout=out) as m:
        m.load(image_path(name))
        result = m.run("jit")
        return result, out.getvalue(), m.engine


def test_trapping_pte_stores_become_callouts():
    result, out, jit = run_jit("pfstress")
    want_out, want_status = expected("pfstress")
    assert (out, result.status) == (want_out, want_status)
    assert jit.stats.adapted >= 1
    # Once adapted, the stores run as callouts: far more often than the slow exits that taught it.
    assert jit.stats.callouts.get("adaptive", 0) > 100 * ADAPT_AFTER
    assert jit.stats.slow_memory < 100 * ADAPT_AFTER
