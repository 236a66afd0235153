"""The thrashing curve: run time and translation-cache flushes as `--tcache-size` shrinks below a
workload's working set (issue 6, bounded resources).

Run: pytest bench/test_thrashing.py --benchmark-only -m slow      (~1.5 min; python -m bench.report --thrashing)
     pytest bench/test_thrashing.py --benchmark-disable           (CI: two sizes of vm_short, once)
Each round runs the JIT once per size on the workload's short variant, in process (BtvmRun), the
unbounded run first; every run's output is checked against QEMU's recording. Per size: the median
over rounds of (run time / the unbounded run of the same round), the same for this thread's CPU
time (less sensitive to other load on the machine; compilation runs in this thread), flushes (JitStats.tcache_flushes),
their time (flush_seconds: dropping translations and engines, not the retranslation that follows),
blocks translated, translation seconds, and the peak of the JIT's tcache estimate (Jit.tcache_bytes,
the figure the bound is checked against; host RSS is tests/test_tcache_bound.py's business).
One untimed run comes first, so the process-wide decode cache (bt/frontend/decoder.py) is warm in
every timed run: the ratios measure flushing and retranslation, not first-time decoding.
The counts vary from run to run near the working set: without --icount the run loop looks for
interrupts at host-time-based points (bt/runtime/external_interrupts.py) and steps the interpreter
there, and resuming mid-block translates a new block; so the min and max flushes are kept too.
Sizes below the CLI's 1M minimum (bt/cli.py MIN_TCACHE) are reachable only in process, as here.
"""
import statistics
import time

import pytest

from bench.measure import rounds
from bench.workloads import BY_NAME, BtvmRun
from bt.runtime import jit_engine

K, M = 1 << 10, 1 << 20
# The short variants' whole translation caches are ~2.4 MiB (cmark) and ~1 MiB (vm), unbounded.
SIZES = [None, 4 * M, 2 * M, 3 * M // 2, 1 * M, 768 * K, 512 * K]


def size_label(size):
    if size is None:
        return "unbounded"
    return f"{size // M}M" if size % M == 0 else f"{size // K}K"


@pytest.fixture
def peak_tcache(monkeypatch):
    """Record the largest Jit.tcache_bytes() seen where the engine checks its bound (before every
    batch translation and hot promotion: the estimate grows only by translating, so the value just
    before a flush is that epoch's peak). Returns a dict the caller resets per run."""
    seen = {"peak": 0}
    real = jit_engine.Jit._bound_tcache

    def checked(self):
        seen["peak"] = max(seen["peak"], self.tcache_bytes())
        real(self)
    monkeypatch.setattr(jit_engine.Jit, "_bound_tcache", checked)
    return seen


def _run(w, size, seen):
    seen["peak"] = 0
    c0 = time.thread_time()
    run = BtvmRun(w.image(short=True), engine_options={"tcache_size": size}, expected=w.expected(short=True))
    cpu = time.thread_time() - c0
    jit = run.engine
    return {
        "seconds": run.seconds,
        "cpu_s": cpu,
        "flushes": jit.stats.tcache_flushes,
        "flush_s": jit.stats.flush_seconds,
        "blocks_translated": jit.stats.blocks_translated,
        "translate_s": jit.stats.translate_seconds + jit.stats.hot_seconds,
        "peak_bytes": max(seen["peak"], jit.tcache_bytes()),
        "final_bytes": jit.tcache_bytes(),
        "guest_insns": jit.executed,
    }


def _curve(w, sizes, n_rounds, seen):
    """[{size, label, ratio, ...medians}] over n_rounds rounds, every size once per round."""
    assert sizes[0] is None, "the unbounded run comes first: the ratios' base"
    _run(w, None, seen)                                   # untimed: warms the decode cache
    samples = {s: [] for s in sizes}
    for _ in range(n_rounds):
        for s in sizes:
            r = _run(w, s, seen)
            if s is None:
                base = r
            r["ratio"] = r["seconds"] / base["seconds"]
            r["cpu_ratio"] = r["cpu_s"] / base["cpu_s"]
            samples[s].append(r)
    curve = []
    for s in sizes:
        rows = samples[s]
        point = {"size": s, "label": size_label(s)}
        for k in ("ratio", "cpu_ratio", "seconds", "cpu_s", "flushes", "flush_s", "blocks_translated",
                  "translate_s", "peak_bytes", "final_bytes"):
            point[k] = statistics.median(r[k] for r in rows)
        point["flushes_min"] = min(r["flushes"] for r in rows)
        point["flushes_max"] = max(r["flushes"] for r in rows)
        point["guest_insns"] = rows[0]["guest_insns"]
        curve.append(point)
    return curve


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cmark", "vm"])
def test_thrashing(benchmark, name, peak_tcache):
    w = BY_NAME[name]
    curve = []
    benchmark.pedantic(lambda: curve.extend(_curve(w, SIZES, rounds(benchmark, 3), peak_tcache)), rounds=1)
    benchmark.extra_info["workload"] = f"{name}_short"
    benchmark.extra_info["rounds"] = rounds(benchmark, 3)
    benchmark.extra_info["curve"] = curve
    unbounded = curve[0]
    assert unbounded["flushes"] == 0 and curve[-1]["flushes"] > 0     # the bound was reached and acted


def test_thrashing_smoke(benchmark, peak_tcache):
    """Two sizes of vm_short, once: both print QEMU's output, and the bounded run flushed."""
    w = BY_NAME["vm"]
    curve = []
    benchmark.pedantic(lambda: curve.extend(_curve(w, [None, 512 * K], 1, peak_tcache)), rounds=1)
    benchmark.extra_info["curve"] = curve
    assert curve[0]["flushes"] == 0 and curve[1]["flushes"] > 0
