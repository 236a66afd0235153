"""Speed per workload: btvm's JIT against QEMU TCG, btvm's interpreter and native code, same run.

Run: pytest bench/test_speed.py --benchmark-only        (long variants are marked slow)
Each round measures every peer once, interleaved; figures are medians over the rounds.
- compute time of a guest = its whole run minus the same peer's run of bench/guests/build/empty.elf
  (QEMU: firmware and Multiboot load; btvm: machine, loader and JIT start-up), both in this run;
- native = the kernel's own time inside the host binary;
- whole run = `python -m bt run IMAGE` in a new process against QEMU's whole run (goal: <= 3x);
- warm (long variants) = the same program run again on the same JIT, translations kept: the
  steady-state speed without translation cost.
The benchmark's own timing is btvm's JIT, in-process (the cold run, plus the warm one on long variants).
"""
import pytest

from bench.measure import Samples, ratio, rounds
from bench.workloads import (EMPTY, WORKLOADS, have_qemu, native_binary, run_btvm,
                             run_btvm_cold_warm, run_btvm_process, run_native, run_qemu)

LONG_ROUNDS = 3
SHORT_ROUNDS = 3
IDS = [w.name for w in WORKLOADS]


def _peers_long(w, s):
    def setup():
        if have_qemu():
            s.time("qemu_empty", run_qemu, EMPTY)
            s.add("qemu", run_qemu(w.image(), w.expected()))
        if w.native and native_binary(w) is not None:
            s.add("native", run_native(w, w.expected()))
        s.add("jit_empty", run_btvm(EMPTY))
    return setup


def _summary(s, benchmark, short):
    m = s.medians()
    info = {f"{peer}_s": v for peer, v in m.items()}
    info["rounds"] = len(s.by_peer.get("jit", []))
    jit_net = m["jit"] - m.get("jit_empty", 0.0)
    info["jit_net_s"] = jit_net
    if "qemu" in m:
        qemu_net = m["qemu"] - m["qemu_empty"]
        info["qemu_net_s"] = qemu_net
        info["jit_over_qemu"] = ratio(jit_net, qemu_net)
        info["jit_over_qemu_whole"] = ratio(m["jit"], m["qemu"])
        if "jit_warm" in m:
            info["jit_warm_over_qemu"] = ratio(m["jit_warm"], qemu_net)
        if "jit_process" in m:
            info["jit_process_over_qemu"] = ratio(m["jit_process"], m["qemu"])
    if "native" in m:
        info["jit_over_native"] = ratio(jit_net, m["native"])
        if "jit_warm" in m:
            info["jit_warm_over_native"] = ratio(m["jit_warm"], m["native"])
        if "qemu_net_s" in info:
            info["qemu_over_native"] = ratio(info["qemu_net_s"], m["native"])
    if "interp" in m:
        info["interp_net_s"] = m["interp"] - m["interp_empty"]
        info["interp_over_jit"] = ratio(info["interp_net_s"], jit_net)
    info["variant"] = "short" if short else "long"
    benchmark.extra_info.update(info)
    return info


@pytest.mark.slow
@pytest.mark.parametrize("w", WORKLOADS, ids=IDS)
def test_speed_long(benchmark, w):
    """~1 s of QEMU work: JIT vs QEMU (compute and whole run) vs native."""
    s = Samples()
    setup = _peers_long(w, s)

    def setup_all():
        setup()
        s.add("jit_process", run_btvm_process(w.image(), w.expected()))

    def target():
        cold, warm = run_btvm_cold_warm(w.image(), expected=w.expected())
        s.add("jit", cold)
        s.add("jit_warm", warm)

    benchmark.pedantic(target, setup=setup_all, rounds=rounds(benchmark, LONG_ROUNDS))
    info = _summary(s, benchmark, short=False)
    assert info["jit_net_s"] is not None


@pytest.mark.parametrize("w", WORKLOADS, ids=IDS)
def test_speed_short(benchmark, w, request):
    """Short variants: the interpreter (~100x slower than the JIT) against the JIT, plus QEMU.
    Under --benchmark-disable (CI) only the JIT and QEMU run, once: the suite must not rot."""
    s = Samples()
    with_interp = not benchmark.disabled

    def setup():
        if have_qemu():
            s.time("qemu_empty", run_qemu, EMPTY)
            s.add("qemu", run_qemu(w.image(short=True), w.expected(short=True)))
        s.add("jit_empty", run_btvm(EMPTY))
        if with_interp:
            s.add("interp_empty", run_btvm(EMPTY, engine="interp"))
            s.add("interp", run_btvm(w.image(short=True), engine="interp", expected=w.expected(short=True)))

    def target():
        s.time("jit", run_btvm, w.image(short=True), expected=w.expected(short=True))

    benchmark.pedantic(target, setup=setup, rounds=rounds(benchmark, SHORT_ROUNDS))
    _summary(s, benchmark, short=True)
