"""Adaptive translation (issue 4 item 7): an instruction that keeps leaving native code through slow
exits is retranslated as a callout, and the guest's output stays what QEMU printed. In pfstress the
#PF handler's PUSHA and POPA straddle a page boundary of its stack (a store into a page table, the
other thing that used to trap there, now runs natively: bt/backend/pt_store_ir.py)."""
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


def test_trapping_instructions_become_callouts():
    result, out, jit = run_jit("pfstress")
    want_out, want_status = expected("pfstress")
    assert (out, result.status) == (want_out, want_status)
    assert jit.stats.adapted >= 1
    # Once adapted, the stores run as callouts: far more often than the slow exits that taught it.
    assert jit.stats.callouts.get("adaptive", 0) > 100 * ADAPT_AFTER
    assert jit.stats.slow_memory < 100 * ADAPT_AFTER
    # Its 5,000 demand-paging round trips and 20,000 PTE edits store into page tables natively.
    assert jit.ctx.pt_stores >= 25_000
