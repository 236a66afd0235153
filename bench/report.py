"""Run the benchmark suites and write bench/results/REPORT.md and its plots (PNG).

    python -m bench.report                 # every suite, long variants included (~10-20 min)
    python -m bench.report --quick         # skip the slow (long-variant) benchmarks
    python -m bench.report --from-json F   # only render F (a pytest-benchmark JSON file)
    python -m bench.report --nano          # only the nanobenchmarks: results/nano.json, NANO.md
    python -m bench.report --thrashing     # only the thrashing curve: results/thrashing.json, THRASHING.md

The suites are bench/test_speed.py, bench/test_tcache.py, bench/test_thrashing.py and
bench/test_nano.py under pytest-benchmark; every figure comes from their `extra_info` in the JSON
file (bench/results/raw.json). Plots need matplotlib (`pip install -e .[bench]`); without it the
report is written without them.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SUITES = ["bench/test_speed.py", "bench/test_tcache.py", "bench/test_thrashing.py", "bench/test_nano.py"]
NANO_SUITE = "bench/test_nano.py"
THRASHING_SUITE = "bench/test_thrashing.py"
GOAL_TRANSLATION_US = 150


def run_suites(json_path, quick, suites=SUITES):
    cmd = [sys.executable, "-m", "pytest", *suites, "--benchmark-only", f"--benchmark-json={json_path}",
           "-q", "-p", "no:cacheprovider"]
    # The project's pytest options deselect `slow`; the report wants the long variants unless --quick.
    cmd += ["-m", "not slow" if quick else "slow or not slow"]
    print("running:", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


# ---- environment ---------------------------------------------------------------------------------

def _cmd(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def versions():
    import capstone
    import llvmlite
    import llvmlite.binding as llvm
    commit = _cmd(["git", "rev-parse", "--short", "HEAD"])
    dirty = _cmd(["git", "status", "--porcelain", "--untracked-files=no", "--", "bt"])
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "btvm": commit + (" (bt/ had uncommitted changes of other work in progress)" if dirty else ""),
        "python": platform.python_version(),
        "llvmlite": f"{llvmlite.__version__} (LLVM {'.'.join(map(str, llvm.llvm_version_info))})",
        "capstone": capstone.__version__,
        "qemu": _cmd(["qemu-system-i386", "--version"]).splitlines()[0] if _cmd(["which", "qemu-system-i386"]) else "absent",
        "gcc (native peers, guests)": _cmd(["gcc", "-dumpfullversion"]),
        "host": f"{platform.machine()}, {os.cpu_count()} CPUs, {cpu}",
    }


# ---- reading results ------------------------------------------------------------------------------

def load(json_path):
    try:
        data = json.loads(pathlib.Path(json_path).read_text())
    except (OSError, ValueError) as e:     # pytest failed before writing results (e.g. collection)
        raise SystemExit(f"bench.report: no benchmark results in {json_path} ({e}); see pytest's output above")
    by = {}
    for b in data["benchmarks"]:
        by[b["name"]] = b["extra_info"]
    return data, by


def _f(v, fmt="{:.2f}"):
    return "–" if v is None else fmt.format(v)


def _table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _pick(by, prefix):
    """{param id: extra_info} of the benchmarks named prefix[...]."""
    out = {}
    for name, info in by.items():
        m = re.fullmatch(re.escape(prefix) + r"\[(.+)\]", name)
        if m:
            out[m.group(1)] = info
    return out


# ---- the report ---------------------------------------------------------------------------------

def render(json_path, out_dir, load_before=None):
    data, by = load(json_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = make_plots(by, out_dir)
    speed_long = _pick(by, "test_speed_long")
    speed_short = _pick(by, "test_speed_short")
    cold = _pick(by, "test_cold_translation")
    stats = _pick(by, "test_cache_stats")
    warm = _pick(by, "test_cold_vs_warm")
    micro = {k: v for name in ("test_dispatch_round_trip", "test_chained_and_indirect", "test_code_page_write",
                               "test_invalidate_and_flush") for k, v in by.get(name, {}).items()}
    v = versions()
    md = [
        "# btvm benchmark report",
        "",
        f"Date: {data.get('datetime', datetime.datetime.utcnow().isoformat())[:19]} UTC. "
        f"Written by `python -m bench.report` from `{pathlib.Path(json_path).name}`.",
        "",
        _table(["component", "version"], [[k, str(x)] for k, x in v.items()]),
        "",
        "**How to read this.** Every ratio is formed between peers measured in the same run, each "
        "round measuring every peer once (interleaved); figures are **medians** over the rounds "
        f"(see the `rounds` column). The machine was shared with other engineers running tests "
        f"(load average {load_before or '?'} when the run started, on "
        f"{os.cpu_count()} CPUs): absolute times are context only and can be off by 2x; ratios "
        "hold up better because the peers of a round share the load. "
        "*Compute* time = a peer's whole run minus the same peer's run of an empty guest "
        "(`bench/guests/build/empty.elf`: QEMU's firmware and Multiboot load; btvm's machine, "
        "loader and JIT start-up), measured in the same round. *Native* = the same C kernel "
        "built for the host with gcc -O2 (x86-64), timed inside the process.",
        "",
        "## Speed per workload (long variants, ~1 s of QEMU work)",
        "",
    ]
    if speed_long:
        rows = []
        for name, i in speed_long.items():
            rows.append([name, str(i.get("rounds")), _f(i.get("qemu_net_s"), "{:.3f}"), _f(i.get("jit_net_s"), "{:.3f}"),
                         _f(i.get("native_s"), "{:.3f}"), f"**{_f(i.get('jit_over_qemu'))}**",
                         _f(i.get("jit_over_native")), _f(i.get("qemu_over_native")),
                         _f(i.get("jit_warm_s"), "{:.3f}"), _f(i.get("jit_warm_over_qemu")), _f(i.get("jit_warm_over_native")),
                         _f(i.get("jit_over_qemu_whole")), _f(i.get("jit_process_over_qemu"))])
        md += ["*Warm* = the same program run a second time on the same JIT (CPU state and RAM "
               "restored, translations kept): the steady-state speed without translation.", ""]
        md += [_table(["workload", "rounds", "QEMU compute s", "JIT compute s", "native s", "JIT / QEMU",
                       "JIT / native", "QEMU / native", "JIT warm s", "warm JIT / QEMU", "warm JIT / native",
                       "JIT / QEMU, in-process run incl. start-up",
                       "`btvm run` process / QEMU process"], rows), ""]
        if plots.get("speed"):
            md += [f"![speed ratios]({plots['speed']})", ""]
    else:
        md += ["(not run: `--quick`)", ""]
    md += ["## Short variants: the interpreter against the JIT", "",
           "The interpreter runs only the short variants (it is ~100x slower). At this length the "
           "JIT's time is mostly translation (see the cold/warm table), so interp / JIT here understates "
           "the JIT's steady-state advantage.", ""]
    rows = []
    for name, i in speed_short.items():
        rows.append([name, str(i.get("rounds")), _f(i.get("interp_net_s"), "{:.3f}"), _f(i.get("jit_net_s"), "{:.3f}"),
                     _f(i.get("qemu_net_s"), "{:.3f}"), f"**{_f(i.get('interp_over_jit'))}**"])
    md += [_table(["workload", "rounds", "interp compute s", "JIT compute s", "QEMU compute s (≈ 0: below "
                   "the start-up noise)", "interp / JIT"], rows), ""]

    md += ["## Cold translation cost", "",
           "Every block the workload's short variant translates, translated again from scratch with a "
           "fresh compiler (3 rounds, medians). *emit* = decode + IR emission (Python), *parse* = IR "
           "text parse + verify, *optimise* = LLVM O2 pipeline (hot tier only), *codegen* = MCJIT. "
           "Quick tier: batches of up to 16 blocks per module, as the engine makes them; hot tier: "
           "one block per module. Wall time (µs); the *CPU* column is this thread's CPU time, "
           f"less affected by other load. Goal: quick ≤ {GOAL_TRANSLATION_US} µs per guest instruction.", ""]
    rows = []
    for name, i in cold.items():
        for tier in ("quick", "hot"):
            rows.append([name, tier, str(i.get(f"{tier}_blocks")), str(i.get(f"{tier}_insns")),
                         *(_f(i.get(f"{tier}_{s}_us_per_insn"), "{:.0f}") for s in ("emit", "parse", "optimize", "codegen")),
                         f"**{_f(i.get(f'{tier}_total_us_per_insn'), '{:.0f}')}**",
                         _f(i.get(f"{tier}_cpu_us_per_insn"), "{:.0f}"),
                         _f(i.get(f"{tier}_total_us_per_block"), "{:.0f}")])
    md += [_table(["workload", "tier", "blocks", "guest insns", "emit µs/insn", "parse µs/insn",
                   "optimise µs/insn", "codegen µs/insn", "total µs/insn", "CPU µs/insn", "total µs/block"], rows), ""]
    if plots.get("translation"):
        md += [f"![translation time breakdown]({plots['translation']})", ""]

    md += ["## Translation cache per workload", "",
           "From the JIT's counters (`JitStats`, `JitContext.chained`/`dispatched`). Block entries = "
           "dispatched + chained; hit rate = entries / (entries + lookup misses); chained ratio = "
           "chained / entries; returns to Python = every time the native dispatcher gave control back "
           "(miss, callout, slow memory access, hot promotion, budget).", ""]
    rows = []
    for name, i in stats.items():
        rows.append([name, f"{i.get('guest_insns', 0) / 1e6:.1f} M", str(i.get("blocks_translated")), str(i.get("hot_blocks")),
                     str(i.get("misses")), _f(i.get("hit_rate"), "{:.6f}"), _f(i.get("chained_ratio"), "{:.5f}"),
                     str(i.get("returns_to_python")), f"**{_f(i.get('returns_per_10k_blocks'), '{:.3f}')}**",
                     str(i.get("interp_steps")), _f(i.get("translate_s"), "{:.2f}"), _f(i.get("hot_s"), "{:.2f}")])
    md += [_table(["workload", "guest insns", "blocks translated", "hot blocks", "misses", "hit rate",
                   "chained ratio", "returns to Python", "returns / 10k blocks", "interp steps",
                   "quick translation s", "hot translation s"], rows), ""]
    if plots.get("hit_rate"):
        md += [f"![hit rate over time]({plots['hit_rate']})", ""]

    md += ["## Microbenchmarks (tiny guest snippets on a bare machine)", ""]
    rows = [
        ["dispatcher round trip from Python, lookup hit + one 2-insn block", _f(micro.get("dispatch_hit_ns"), "{:.0f} ns")],
        ["dispatcher round trip from Python, lookup miss", _f(micro.get("dispatch_miss_ns"), "{:.0f} ns")],
        ["chained transfer (2-insn block + direct exit, quick tier)", _f(micro.get("chained_transfer_ns"), "{:.1f} ns")],
        ["indirect transfer (`jmp eax`: slot computed at run time)", _f(micro.get("indirect_transfer_ns"), "{:.1f} ns")],
        ["indirect-branch lookup, extra over a direct one", _f(micro.get("indirect_lookup_extra_ns"), "{:.1f} ns")],
        ["guest store into translated code (slow exit + invalidate + retranslate), per store", _f(micro.get("smc_iteration_us"), "{:.0f} µs")],
        [f"invalidate a page ({micro.get('invalidated_regions', '?')} regions, CodeTracker.write)", _f(micro.get("invalidate_page_us"), "{:.0f} µs")],
        [f"lookup-table flush + reinstall ({micro.get('translations', '?')} translations)", _f(micro.get("flush_lookup_us"), "{:.0f} µs")],
        [f"drop every translation ({micro.get('translations', '?')}) and flush", _f(micro.get("drop_all_us"), "{:.0f} µs")],
    ]
    md += [_table(["what", "median"], rows), ""]

    md += ["## Cold run vs warm run in one process", "",
           "Cold = new machine and JIT; warm = the same JIT after restoring the CPU state and RAM "
           "(translations kept); flushed = warm process, every translation dropped first.", ""]
    rows = [[name, _f(i.get("cold_s"), "{:.3f}"), _f(i.get("warm_s"), "{:.3f}"), _f(i.get("flushed_s"), "{:.3f}"),
             _f(i.get("cold_over_warm"), "{:.1f}")] for name, i in warm.items()]
    md += [_table(["workload", "cold s", "warm s", "flushed s", "cold / warm"], rows), ""]

    md += thrashing_section(by, out_dir)
    md += nano_section(by)
    md += goals(speed_long, cold)
    (out_dir / "REPORT.md").write_text("\n".join(md) + "\n")
    print(f"wrote {out_dir / 'REPORT.md'}")


def thrashing_section(by, out_dir):
    """The thrashing curve (bench/test_thrashing.py): a table per workload and one plot."""
    curves = _pick(by, "test_thrashing")
    out = ["## Thrashing curve (issue 6)", "",
           "The JIT run with its translation cache bounded (`--tcache-size`, flush-all policy: "
           "`Jit.flush_tcache`) below the workload's working set, short variants, in process; every run "
           "printed QEMU's output. Ratios = run time / the unbounded run of the same round, medians over "
           "the rounds (wall time, and this thread's CPU time, less sensitive to other load). *Flush ms* = "
           "dropping translations and engines only; the cost is the retranslation that follows "
           "(*blocks translated*, *translation s*). *Peak* = the largest `Jit.tcache_bytes()` estimate "
           "seen (the figure the bound is checked against, before each batch translation and hot "
           "promotion). Sizes below 1M are below the CLI's minimum (in process only). Counts vary between "
           "runs near the working set (without `--icount` the run loop's interrupt checks fall at "
           "host-time-based points, and resuming there mid-block translates a new block), hence min–max.", ""]
    if not curves:
        return out + ["(not in this run: it is marked slow, `--quick` skips it; `python -m bench.report "
                      "--thrashing` measures it alone into results/THRASHING.md)", ""]
    rows = []
    for name, info in curves.items():
        for p in info.get("curve", []):
            rows.append([name if p["size"] is None else "", p["label"], f"**{_f(p.get('ratio'))}**",
                         _f(p.get("cpu_ratio")), _f(p.get("seconds"), "{:.3f}"),
                         f"{_f(p.get('flushes'), '{:.0f}')} ({p.get('flushes_min')}–{p.get('flushes_max')})",
                         _f(p.get("flush_s") * 1e3, "{:.1f}"), _f(p.get("blocks_translated"), "{:.0f}"),
                         _f(p.get("translate_s"), "{:.2f}"), f"{int(p['peak_bytes']) >> 10}"])
    out += [_table(["workload", "tcache size", "time / unbounded", "CPU / unbounded", "run s",
                    "flushes (min–max)", "flush ms", "blocks translated", "translation s", "peak KiB"], rows), ""]
    rounds_ = sorted({str(i.get("rounds")) for i in curves.values()})
    out += [f"Rounds: {', '.join(rounds_)}.", ""]
    plot = _thrashing_plot(curves, out_dir)
    if plot:
        out += [f"![thrashing curve]({plot})", ""]
    return out


def _thrashing_plot(curves, out_dir):
    """Run-time ratio and flushes against the bound (log x); a dotted line per workload marks its
    unbounded cache size (the working set). None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name, info in curves.items():
        curve = info.get("curve", [])
        bounded = [p for p in curve if p["size"] is not None]
        xs = [p["size"] / 1024 for p in bounded]
        line, = ax.plot(xs, [p["ratio"] for p in bounded], marker="o", label=f"{name} (wall)")
        ax.plot(xs, [p["cpu_ratio"] for p in bounded], marker="x", linestyle="--", color=line.get_color(),
                label=f"{name} (CPU)")
        ax2.plot(xs, [p["flushes"] for p in bounded], marker="o", color=line.get_color(), label=name)
        unbounded = next((p for p in curve if p["size"] is None), None)
        if unbounded:
            for a in (ax, ax2):
                a.axvline(unbounded["peak_bytes"] / 1024, color=line.get_color(), linestyle=":", linewidth=0.8)
    ax.axhline(1.0, color="black", linewidth=0.8)
    for a in (ax, ax2):
        a.set_xscale("log", base=2)
        a.set_xlabel("tcache bound (KiB); dotted: unbounded cache size")
        a.legend(fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("run time / unbounded run")
    ax.set_title("Run time against the bound")
    ax2.set_ylabel("tcache flushes per run")
    ax2.set_title("Flushes against the bound")
    fig.suptitle("Translation-cache thrashing (short variants, medians)")
    fig.tight_layout()
    fig.savefig(out_dir / "thrashing.png", dpi=110)
    plt.close(fig)
    return "thrashing.png"


def goals(speed_long, cold):
    out = ["## Goals (issue 5)", ""]
    rows = []
    compute = [i for n, i in speed_long.items() if i.get("jit_over_qemu") is not None]
    if compute:
        worst = max(compute, key=lambda i: i["jit_over_qemu"])["jit_over_qemu"]
        rows.append(["compute workloads: JIT / QEMU ≤ 1.0", f"{min(i['jit_over_qemu'] for i in compute):.2f}–{worst:.2f}",
                     "met" if worst <= 1.0 else "not met"])
    warm = [i["jit_warm_over_qemu"] for i in speed_long.values() if i.get("jit_warm_over_qemu") is not None]
    if warm:
        rows.append(["(context) steady state, warm JIT / QEMU", f"{min(warm):.2f}–{max(warm):.2f}",
                     "met" if max(warm) <= 1.0 else "not met"])
    nat = [i["jit_over_native"] for i in speed_long.values() if i.get("jit_over_native") is not None]
    if nat:
        rows.append(["within 5x of native", f"{min(nat):.1f}–{max(nat):.1f}x", "met" if max(nat) <= 5 else "not met"])
    q = [i["quick_total_us_per_insn"] for i in cold.values() if i.get("quick_total_us_per_insn")]
    if q:
        rows.append([f"cold translation ≤ {GOAL_TRANSLATION_US} µs / guest insn (quick)", f"{min(q):.0f}–{max(q):.0f} µs",
                     "met" if max(q) <= GOAL_TRANSLATION_US else "not met"])
    whole = [i["jit_process_over_qemu"] for i in speed_long.values() if i.get("jit_process_over_qemu") is not None]
    if whole:
        rows.append(["whole run of a ~1 s QEMU workload ≤ 3x QEMU", f"{min(whole):.2f}–{max(whole):.2f}x",
                     "met" if max(whole) <= 3 else "not met"])
    return out + [_table(["goal", "measured", "status"], rows), ""]


def nano_section(by):
    """The nanobenchmarks (bench/test_nano.py): cost of one operation per engine, JIT / QEMU."""
    nano = _pick(by, "test_nano_cost")
    out = ["## Nanobenchmarks (Adams & Agesen, issue 4)", "",
           "One operation in a loop in a tiny guest kernel (bench/guests/src/nano/). Per-op cost = "
           "(t(N2) - t(N1)) / (N2 - N1) on one engine, medians over the rounds, so start-up and "
           "translation cancel; N1 and N2 are chosen per engine (bench/nano.py). Goal: JIT / QEMU <= 1.0.", ""]
    if not nano:
        return out + ["(not run)", ""]
    from bench.nano import NANOS
    missing = [n.name for n in NANOS if n.name not in nano]
    if missing:
        out += [f"Not measured (skipped; the pytest output says why, e.g. the guest needs paging the "
                f"JIT does not have yet): {', '.join(missing)}.", ""]
    rows = []
    for name, i in nano.items():
        rows.append([name, i.get("what", ""), str(i.get("rounds")),
                     _f(i.get("qemu_ns_per_op"), "{:.1f}"), _f(i.get("jit_ns_per_op"), "{:.1f}"),
                     f"**{_f(i.get('jit_over_qemu'))}**", _f(i.get("interp_ns_per_op"), "{:.0f}"),
                     _f(i.get("interp_over_qemu"), "{:.0f}"),
                     f"{i.get('qemu_n1')}/{i.get('qemu_n2')}", f"{i.get('jit_n1')}/{i.get('jit_n2')}"])
    return out + [_table(["operation", "what", "rounds", "QEMU ns/op", "JIT ns/op", "JIT / QEMU",
                          "interp ns/op", "interp / QEMU", "QEMU N1/N2", "JIT N1/N2"], rows), ""]


def render_nano(json_path, out_dir, load_before=None):
    data, by = load(json_path)
    v = versions()
    md = ["# btvm nanobenchmarks", "",
          f"Date: {data.get('datetime', '')[:19]} UTC. Written by `python -m bench.report --nano` from "
          f"`{pathlib.Path(json_path).name}`; load average {load_before or '?'} when the run started, "
          f"on {os.cpu_count()} CPUs.", "",
          _table(["component", "version"], [[k, str(x)] for k, x in v.items()]), ""]
    md += nano_section(by)
    (out_dir / "NANO.md").write_text("\n".join(md) + "\n")
    print(f"wrote {out_dir / 'NANO.md'}")


def render_thrashing(json_path, out_dir, load_before=None):
    data, by = load(json_path)
    md = ["# btvm translation-cache thrashing curve", "",
          f"Date: {data.get('datetime', '')[:19]} UTC. Written by `python -m bench.report --thrashing` from "
          f"`{pathlib.Path(json_path).name}`; load average {load_before or '?'} when the run started, "
          f"on {os.cpu_count()} CPUs.", "",
          _table(["component", "version"], [[k, str(x)] for k, x in versions().items()]), ""]
    md += thrashing_section(by, out_dir)
    (out_dir / "THRASHING.md").write_text("\n".join(md) + "\n")
    print(f"wrote {out_dir / 'THRASHING.md'}")


# ---- plots --------------------------------------------------------------------------------------

def make_plots(by, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plots (pip install -e .[bench])")
        return {}
    plots = {}
    speed = _pick(by, "test_speed_long") or _pick(by, "test_speed_short")
    if speed:
        names = list(speed)
        series = [("JIT / QEMU", "jit_over_qemu"), ("warm JIT / QEMU", "jit_warm_over_qemu"),
                  ("JIT / native", "jit_over_native"), ("QEMU / native", "qemu_over_native")]
        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.8 / len(series)
        for k, (label, key) in enumerate(series):
            vals = [speed[n].get(key) or 0 for n in names]
            ax.bar([x + k * width for x in range(len(names))], vals, width, label=label)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(names))], names)
        ax.set_ylabel("time ratio (compute, lower is better for the first)")
        ax.set_title("Speed ratios per workload (medians, same run)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out_dir / "speed_ratios.png", dpi=110)
        plt.close(fig)
        plots["speed"] = "speed_ratios.png"
    cold = _pick(by, "test_cold_translation")
    if cold:
        steps = ["emit", "parse", "optimize", "codegen"]
        fig, ax = plt.subplots(figsize=(8, 4))
        cols = [(n, t) for n in cold for t in ("quick", "hot")]
        bottom = [0.0] * len(cols)
        for step in steps:
            vals = [cold[n].get(f"{t}_{step}_us_per_insn", 0) for n, t in cols]
            ax.bar(range(len(cols)), vals, bottom=bottom, label=step)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.axhline(GOAL_TRANSLATION_US, color="red", linestyle="--", linewidth=0.8, label="goal (quick)")
        ax.set_xticks(range(len(cols)), [f"{n}\n{t}" for n, t in cols], fontsize=8)
        ax.set_ylabel("µs per guest instruction")
        ax.set_title("Cold translation time per step")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out_dir / "translation_breakdown.png", dpi=110)
        plt.close(fig)
        plots["translation"] = "translation_breakdown.png"
    hr = by.get("test_hit_rate_over_time[cmark]")
    if hr and hr.get("series"):
        xs = [p[0] / 1e6 for p in hr["series"]]
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(xs, [p[1] if p[1] is not None else 1.0 for p in hr["series"]], marker=".", label="hit rate in slice")
        ax.set_xlabel("guest instructions executed (M)")
        ax.set_ylabel("lookup hit rate")
        ax2 = ax.twinx()
        ax2.plot(xs, [p[2] for p in hr["series"]], color="tab:red", linestyle="--", label="misses so far")
        ax2.set_ylabel("cumulative misses")
        ax.set_title(f"Translation-cache hit rate over time ({hr.get('workload')}, short variant)")
        fig.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(out_dir / "hit_rate_over_time.png", dpi=110)
        plt.close(fig)
        plots["hit_rate"] = "hit_rate_over_time.png"
    return plots


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="skip the slow (long-variant) benchmarks")
    p.add_argument("--from-json", help="render this pytest-benchmark JSON file instead of running the suites")
    p.add_argument("--nano", action="store_true", help="only the nanobenchmarks (results/nano.json, NANO.md)")
    p.add_argument("--thrashing", action="store_true",
                   help="only the thrashing curve (results/thrashing.json, THRASHING.md)")
    p.add_argument("--out", default=str(RESULTS), help="output directory (default bench/results)")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out)
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    # One suite alone: (json file, suite, renderer).
    single = (("nano.json", NANO_SUITE, render_nano) if args.nano else
              ("thrashing.json", THRASHING_SUITE, render_thrashing) if args.thrashing else None)
    if single is not None:
        name, suite, render_one = single
        json_path = pathlib.Path(args.from_json) if args.from_json else out / name
        out.mkdir(parents=True, exist_ok=True)
        if not args.from_json:
            if run_suites(json_path, quick=False, suites=[suite]) != 0:
                print("pytest failed; rendering what was measured", file=sys.stderr)
        render_one(json_path, out, load_before)
        return 0
    if args.from_json:
        json_path = pathlib.Path(args.from_json)
    else:
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / "raw.json"
        rc = run_suites(json_path, args.quick)
        if rc != 0:
            print(f"pytest exited with {rc}; rendering what was measured", file=sys.stderr)
    render(json_path, out, load_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
