"""Translation-cache suite: what translation costs and how well the cache works.

Run: pytest bench/test_tcache.py --benchmark-only
- cold translation cost per guest instruction and per block, split into decode + IR emission
  (bt.backend.translator.translate), parse + verify, optimise and codegen (NativeCompiler.times),
  for the quick tier (batches as the engine makes them) and the hot tier (one block per module),
  over the blocks each workload really translates;
- hit rate, chained-exit ratio and returns to Python per 10,000 blocks per workload (JIT stats);
  the hit rate over time of one workload (the report plots it);
- microbenchmarks on tiny snippets (tests/cpu_harness.BareMachine): a dispatcher round trip from
  Python, a chained transfer, an indirect-branch lookup, a guest write to a code page
  (invalidate + retranslate), invalidating a page and a full flush;
- cold run vs warm run of the same program in one process.
The thrashing curve (the cache bounded below the working set) is bench/test_thrashing.py.
"""
import io
import statistics
import time

import pytest

from bench.measure import Samples, ratio, rounds
from bench.workloads import BENCH_MEMORY, WORKLOADS, BtvmRun, Snapshot
from bt.backend.compiler import NativeCompiler
from bt.frontend.decoder import clear_cache as clear_decode_cache
from bt.backend.translator import MAX_BLOCK_INSNS, translate
from bt.frontend.decoder import Decoder
from bt.runtime.events import GuestExit, GuestHalt, LimitReached
from bt.runtime.jit_engine import BATCH_BLOCKS, Jit
from bt.runtime.state import W_EIP
from cpu_harness import BareMachine

IDS = [w.name for w in WORKLOADS]
QUICK_ONLY = 10 ** 9            # hot_threshold that keeps every block in the quick tier


def jit_counters(jit):
    s, c = jit.stats, jit.ctx
    entries = c.dispatched + c.chained
    return {
        "guest_insns": jit.executed,
        "blocks_translated": s.blocks_translated,
        "hot_blocks": s.hot_blocks,
        "misses": s.misses,
        "dispatched": c.dispatched,
        "chained": c.chained,
        "block_entries": entries,
        "hit_rate": ratio(entries, entries + s.misses),
        "chained_ratio": ratio(c.chained, entries),
        "returns_to_python": s.returns_to_python,
        "returns_per_10k_blocks": ratio(s.returns_to_python * 10_000, entries),
        "interp_steps": s.interp_steps,
        "slow_memory": s.slow_memory,
        "invalidations": s.invalidations,
        "translate_s": s.translate_seconds,
        "hot_s": s.hot_seconds,
    }


# ---- cold translation cost ---------------------------------------------------------------------

def _translated_blocks(image):
    """Block addresses the JIT translated running `image`, and a fetch over a copy of its RAM."""
    run = BtvmRun(image, engine_options={"hot_threshold": QUICK_ONLY}, keep_ram=True)
    eips = sorted({key[0] for key in run.engine.translations})
    return eips, run.ram


def _cold_costs(eips, fetch):
    """Translate `eips` from scratch with a fresh compiler: seconds per step, both tiers."""
    out = {}
    clear_decode_cache()        # cold: nothing decoded yet (the hot tier below reuses these decodes,
    decoder = Decoder()         # as the engine's promotion does)
    compiler = NativeCompiler()
    t = compiler.times
    emit = 0.0
    insns = blocks = 0
    c0 = time.thread_time()
    for i in range(0, len(eips), BATCH_BLOCKS):
        t0 = time.perf_counter()
        batch = [translate(fetch, decoder, eip, 0, MAX_BLOCK_INSNS, hot_threshold=QUICK_ONLY)
                 for eip in eips[i:i + BATCH_BLOCKS]]
        emit += time.perf_counter() - t0
        compiler.compile([b.ir for b in batch], [b.name for b in batch])
        insns += sum(len(b.insns) for b in batch)
        blocks += len(batch)
    out["quick"] = {"emit": emit, "parse": t.parse, "optimize": t.optimize, "codegen": t.codegen,
                    "insns": insns, "blocks": blocks, "modules": t.modules, "cpu": time.thread_time() - c0}
    decoder = Decoder()
    compiler = NativeCompiler()
    t = compiler.times
    emit = 0.0
    insns = 0
    c0 = time.thread_time()
    for eip in eips:
        t0 = time.perf_counter()
        b = translate(fetch, decoder, eip, 0, MAX_BLOCK_INSNS, tier="hot")
        emit += time.perf_counter() - t0
        compiler.compile([b.ir], [b.name], tier="hot")
        insns += len(b.insns)
    out["hot"] = {"emit": emit, "parse": t.parse, "optimize": t.optimize, "codegen": t.codegen,
                  "insns": insns, "blocks": len(eips), "modules": t.modules, "cpu": time.thread_time() - c0}
    return out


@pytest.mark.parametrize("w", WORKLOADS, ids=IDS)
def test_cold_translation(benchmark, w):
    eips, ram = _translated_blocks(w.image(short=True))

    def fetch(addr, length):
        return ram[addr:addr + length]

    samples = []
    benchmark.pedantic(lambda: samples.append(_cold_costs(eips, fetch)),
                       rounds=rounds(benchmark, 3))
    info = {}
    for tier in ("quick", "hot"):
        rows = [s[tier] for s in samples]
        insns, blocks = rows[0]["insns"], rows[0]["blocks"]
        for step in ("emit", "parse", "optimize", "codegen"):
            sec = statistics.median(r[step] for r in rows)
            info[f"{tier}_{step}_us_per_insn"] = sec / insns * 1e6
            info[f"{tier}_{step}_us_per_block"] = sec / blocks * 1e6
        total = statistics.median(sum(r[k] for k in ("emit", "parse", "optimize", "codegen")) for r in rows)
        info[f"{tier}_total_us_per_insn"] = total / insns * 1e6
        info[f"{tier}_total_us_per_block"] = total / blocks * 1e6
        # CPU time of this thread: less sensitive than wall time to other processes on the machine
        info[f"{tier}_cpu_us_per_insn"] = statistics.median(r["cpu"] for r in rows) / insns * 1e6
        info[f"{tier}_insns"] = insns
        info[f"{tier}_blocks"] = blocks
        info[f"{tier}_modules"] = rows[0]["modules"]
    benchmark.extra_info.update(info)
    assert info["quick_insns"] > 0


# ---- cache behaviour per workload --------------------------------------------------------------

@pytest.mark.parametrize("short", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["short", "long"])
@pytest.mark.parametrize("w", WORKLOADS, ids=IDS)
def test_cache_stats(benchmark, w, short):
    runs = []
    benchmark.pedantic(lambda: runs.append(BtvmRun(w.image(short), expected=w.expected(short))),
                       rounds=rounds(benchmark, 1))
    info = jit_counters(runs[-1].engine)
    info["variant"] = "short" if short else "long"
    benchmark.extra_info.update(info)
    assert info["block_entries"] > 0


def _hit_rate_over_time(image, slices, monkeypatch):
    """Cumulative counters every ~1/slices of the run. The dispatcher's budget is made small so it
    returns to Python that often (budget exits stop at block boundaries: no extra translations);
    a wrapper around the native dispatcher samples the counters."""
    from bt.runtime import jit_engine
    from bt.runtime.machine import Machine
    total = BtvmRun(image).engine.executed
    step = max(1000, total // slices)
    monkeypatch.setattr(jit_engine, "BUDGET_CHUNK", step)
    points = []
    with Machine(memory_size=BENCH_MEMORY, stdin=io.BytesIO(), stdout=io.BytesIO()) as m:
        m.load(image)
        jit = m.engine = Jit(m)
        real = jit._dispatch

        def sampled(st, ctx):
            budget = jit.ctx.budget
            code = real(st, ctx)
            if code == jit_engine.EXIT_BUDGET:
                p = jit_counters(jit)
                p["guest_insns"] += budget - jit.ctx.budget     # run() adds it after we return
                points.append(p)
            return code
        jit._dispatch = sampled
        try:
            jit.run()
        except GuestExit:
            points.append(jit_counters(jit))
    return points


@pytest.mark.parametrize("name,slices", [("cmark", 40)], ids=["cmark"])
def test_hit_rate_over_time(benchmark, name, slices, monkeypatch):
    w = next(x for x in WORKLOADS if x.name == name)
    points = []
    benchmark.pedantic(lambda: points.extend(_hit_rate_over_time(w.image(short=True), slices, monkeypatch)), rounds=1)
    series = []
    prev = {"block_entries": 0, "misses": 0, "guest_insns": 0}
    for p in points:
        entries = p["block_entries"] - prev["block_entries"]
        misses = p["misses"] - prev["misses"]
        series.append([p["guest_insns"], ratio(entries, entries + misses), p["misses"]])
        prev = p
    series = [p for p in series if p[1] is not None]
    benchmark.extra_info["series"] = series        # [guest insns so far, hit rate in slice, misses so far]
    benchmark.extra_info["workload"] = w.name
    assert series


# ---- microbenchmarks on snippets ---------------------------------------------------------------
# (nasm, org 0x1000)
# SELF:  l: inc eax / jmp l
# RING_DIRECT: four blocks `mov eax, next / jmp next`, then `dec ecx / jnz first / hlt`
# RING_INDIRECT: the same with `jmp eax`: every transfer computes its lookup slot at run time
# SMC:   top: mov [patch+1], cl / jmp patch / patch: mov eax, 0 / add ebx, eax / dec ecx / jnz top / hlt
SELF = bytes.fromhex("40ebfd")
RING_DIRECT = bytes.fromhex("b807100000eb00b80e100000eb00b815100000eb00b81c100000eb004975e1f4")
RING_INDIRECT = bytes.fromhex("b807100000ffe0b80e100000ffe0b815100000ffe0b81c100000ffe04975e1f4")
RING_TRANSFERS = 5                # chained transfers per iteration of either ring
SMC = bytes.fromhex("880d09100000eb00b80000000001c34975eef4")


def _jit(code, hot_threshold=QUICK_ONLY, **regs):
    m = BareMachine().load_code(code, **regs)
    from bt.runtime.interp import Interpreter   # creates machine.code, which the Jit shares
    Interpreter(m)
    return m, Jit(m, hot_threshold=hot_threshold)


def _run_to_halt(jit):
    try:
        jit.run()
    except GuestHalt:
        return
    raise AssertionError("snippet did not halt")


def _dispatch_round_trips(n):
    """ns per Python -> bt_dispatch call: with a budget of one instruction (lookup, one block,
    back), and on a miss (lookup only)."""
    m, jit = _jit(SELF)
    try:
        jit.run(max_insns=100)
    except LimitReached:
        pass
    w, ctx, dispatch, st, cp = m.state.w, jit.ctx, jit._dispatch, jit._st_ptr, jit._ctx_ptr
    start = w[W_EIP]
    t0 = time.perf_counter()
    for _ in range(n):
        ctx.budget = 1
        dispatch(st, cp)
    hit = (time.perf_counter() - t0) / n
    w[W_EIP] = start + 0x100            # nothing translated there
    t0 = time.perf_counter()
    for _ in range(n):
        ctx.budget = 1
        dispatch(st, cp)
    miss = (time.perf_counter() - t0) / n
    return hit * 1e9, miss * 1e9


def test_dispatch_round_trip(benchmark):
    n = 2_000 if benchmark.disabled else 50_000
    s = Samples()

    def once():
        hit, miss = _dispatch_round_trips(n)
        s.add("hit_ns", hit)
        s.add("miss_ns", miss)
    benchmark.pedantic(once, rounds=rounds(benchmark, 5))
    benchmark.extra_info.update({"dispatch_hit_ns": s.median("hit_ns"), "dispatch_miss_ns": s.median("miss_ns")})


def _ring(code, iters):
    m, jit = _jit(code, ecx=1000)
    _run_to_halt(jit)                              # translate everything
    m.load_code(code, ecx=iters)
    before = jit.ctx.chained
    t0 = time.perf_counter()
    _run_to_halt(jit)
    dt = time.perf_counter() - t0
    transfers = iters * RING_TRANSFERS      # whatever mechanism carries them (chained now)
    return dt / transfers * 1e9, (jit.ctx.chained - before) / transfers


def test_chained_and_indirect(benchmark):
    iters = 20_000 if benchmark.disabled else 2_000_000
    s = Samples()

    chained = {}

    def once():
        ns, chained["direct"] = _ring(RING_DIRECT, iters)
        s.add("direct", ns)
        ns, chained["indirect"] = _ring(RING_INDIRECT, iters)
        s.add("indirect", ns)
    benchmark.pedantic(once, rounds=rounds(benchmark, 5))
    direct, indirect = s.median("direct"), s.median("indirect")
    benchmark.extra_info.update({
        "chained_transfer_ns": direct,              # a 2-instruction block + its chained exit
        "indirect_transfer_ns": indirect,
        "indirect_lookup_extra_ns": indirect - direct,
        "ring_chained_fraction": chained,           # of the ring's transfers, how many were chained
    })


def test_code_page_write(benchmark):
    """A guest store into translated code: slow-memory exit, interpreter step, invalidation, miss,
    retranslation of the block, per iteration."""
    iters = 5 if benchmark.disabled else 100
    s = Samples()
    counts = {}

    def once():
        m, jit = _jit(SMC, ecx=iters, ebx=0)
        t0 = time.perf_counter()
        _run_to_halt(jit)
        s.add("iter", (time.perf_counter() - t0) / iters)
        assert m.state.reg("ebx") == sum(c & 0xFF for c in range(1, iters + 1))   # saw every patch
        counts["invalidations"] = jit.stats.invalidations
    benchmark.pedantic(once, rounds=rounds(benchmark, 3))
    benchmark.extra_info["smc_iteration_us"] = s.median("iter") * 1e6
    benchmark.extra_info["smc_invalidations"] = counts["invalidations"]


def test_invalidate_and_flush(benchmark):
    """Invalidating a page holding the workload's translations (CodeTracker.write over the page)
    and a full flush (Jit._flush_lookup with every translation reinstalled; and dropping them all)."""
    s = Samples()
    counts = {}

    def once():
        run = BtvmRun(WORKLOADS[0].image(short=True), keep_open=True)
        m, jit = run.machine, run.engine
        try:
            t0 = time.perf_counter()
            jit._flush_lookup()
            s.add("flush_lookup", time.perf_counter() - t0)
            counts["translations"] = len(jit.translations)
            page = max(m.code.pages, key=lambda p: len(m.code.pages[p]))
            counts["page_regions"] = len(m.code.pages[page])
            t0 = time.perf_counter()
            m.code.write(page << 12, 4096)
            s.add("invalidate_page", time.perf_counter() - t0)
        finally:
            run.close()
        run = BtvmRun(WORKLOADS[0].image(short=True), keep_open=True)
        m, jit = run.machine, run.engine
        try:
            t0 = time.perf_counter()
            m.code.clear(jit)
            jit.translations.clear()
            jit._flush_lookup()
            s.add("drop_all", time.perf_counter() - t0)
        finally:
            run.close()
    benchmark.pedantic(once, rounds=rounds(benchmark, 5))
    benchmark.extra_info.update({
        "translations": counts["translations"],
        "flush_lookup_us": s.median("flush_lookup") * 1e6,
        "invalidate_page_us": s.median("invalidate_page") * 1e6,
        "invalidated_regions": counts["page_regions"],
        "drop_all_us": s.median("drop_all") * 1e6,
    })


# ---- cold vs warm run in one process -----------------------------------------------------------

def _cold_warm(w, short):
    """Seconds of: a cold run (new machine and JIT), a warm run (same JIT, state and RAM restored),
    and a run after dropping every translation (warm process, cold cache)."""
    from bt.runtime.machine import Machine
    out = {}
    with Machine(memory_size=BENCH_MEMORY, stdin=io.BytesIO(), stdout=io.BytesIO()) as m:
        m.load(w.image(short))
        snap = Snapshot(m)
        t0 = time.perf_counter()
        result = m.run(engine="jit")
        out["cold"] = time.perf_counter() - t0
        assert result.reason == "exit" and result.status == 0, result.message
        jit = m.engine
        for label in ("warm", "flushed"):
            if label == "flushed":
                m.code.clear(jit)
                jit.translations.clear()
                jit._flush_lookup()
            snap.restore()
            t0 = time.perf_counter()
            try:
                jit.run()
            except GuestExit as e:
                assert e.status == 0
            out[label] = time.perf_counter() - t0
    return out


@pytest.mark.parametrize("short", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["short", "long"])
@pytest.mark.parametrize("w", WORKLOADS, ids=IDS)
def test_cold_vs_warm(benchmark, w, short):
    s = Samples()

    def once():
        for k, v in _cold_warm(w, short).items():
            s.add(k, v)
    benchmark.pedantic(once, rounds=rounds(benchmark, 3))
    m = s.medians()
    benchmark.extra_info.update({f"{k}_s": v for k, v in m.items()})
    benchmark.extra_info["cold_over_warm"] = ratio(m["cold"], m["warm"])
    benchmark.extra_info["variant"] = "short" if short else "long"
