"""Nanobenchmarks (issue 4, "Performance"): the cost of one operation on btvm's JIT against QEMU TCG.

Run: pytest bench/test_nano.py --benchmark-only -m slow     (or python -m bench.report --nano)
- test_nano_output (CI slice): each guest once with its built N (1000) on the JIT and the
  interpreter; the output must equal QEMU's recording in bench/guests/expected/;
- test_nano_cost (slow): per engine, N1 and N2 chosen by bench.nano.choose_n, then ROUNDS rounds
  each timing QEMU, the JIT (and the interpreter for the cheap operations) at N1 and N2,
  interleaved; per-op cost = (median t(N2) - median t(N1)) / (N2 - N1); ratio = JIT / QEMU.
A benchmark whose guest reports that btvm refuses paging is skipped (found by running it, not
from a list); any other difference from QEMU fails.
"""
import pytest

from bench.measure import Samples, ratio, rounds
from bench.nano import NANOS, PAGING_UNAVAILABLE, choose_n, patched, run_btvm, run_qemu, runner
from bench.workloads import EXPECTED, have_qemu

ROUNDS = 5
IDS = [n.name for n in NANOS]
PAGING_SKIP = "needs paging in btvm (issue 4)"


def _check_btvm(run, want, label):
    """Fail on any difference from QEMU's output, skip when the guest says paging is refused."""
    if run.output != want or run.status != 0:
        if PAGING_UNAVAILABLE in run.output and PAGING_UNAVAILABLE not in want:
            pytest.skip(f"{PAGING_SKIP}: {run.output.decode(errors='replace').strip()}")
        pytest.fail(f"{label}: output {run.output!r} status {run.status} ({run.message}), "
                    f"QEMU recorded {want!r}")


@pytest.mark.parametrize("engine", ["jit", "interp"])
@pytest.mark.parametrize("nano", NANOS, ids=IDS)
def test_nano_output(nano, engine):
    assert (EXPECTED / f"nano_{nano.name}.status").read_text().strip() == "0"
    _check_btvm(run_btvm(nano.image, engine), nano.expected, f"btvm {engine} {nano.image.name}")


def _self_checked(engine, label):
    """A runner that returns seconds and fails unless the guest's self-check passed."""
    run_once = runner(engine)

    def run(image):
        r = run_once(image)
        if r.status != 0 or not r.output.endswith(b" ok\n"):
            pytest.fail(f"{label} {image.name}: status {r.status} output {r.output!r} {r.message}")
        return r.seconds
    return run


@pytest.mark.slow
@pytest.mark.skipif(not have_qemu(), reason="needs qemu-system-i386")
@pytest.mark.parametrize("nano", NANOS, ids=IDS)
def test_nano_cost(benchmark, nano, tmp_path):
    _check_btvm(run_btvm(nano.image, "jit"), nano.expected, f"btvm jit {nano.image.name}")
    engines = ["qemu", "jit"] + (["interp"] if nano.interp else [])
    runs = {e: _self_checked(e, e) for e in engines}
    ns, images = {}, {}
    for e in engines:
        ns[e] = choose_n(runs[e], nano.image, tmp_path)
        images[e] = [patched(nano.image, n, tmp_path) for n in ns[e]]
    # btvm's timed images print exactly what QEMU prints for them
    for e in engines[1:]:
        for image in images[e]:
            _check_btvm(run_btvm(image, e), run_qemu(image).output, f"btvm {e} {image.name}")
    s = Samples()

    def one_round():
        for e in engines:
            for k, image in enumerate(images[e]):
                s.add(f"{e}_n{k + 1}", runs[e](image))

    benchmark.pedantic(one_round, rounds=rounds(benchmark, ROUNDS))
    m = s.medians()
    info = {"what": nano.what, "rounds": len(s.by_peer["qemu_n1"])}
    for e in engines:
        n1, n2 = ns[e]
        info[f"{e}_n1"], info[f"{e}_n2"] = n1, n2
        info[f"{e}_n1_s"], info[f"{e}_n2_s"] = m[f"{e}_n1"], m[f"{e}_n2"]
        info[f"{e}_ns_per_op"] = (m[f"{e}_n2"] - m[f"{e}_n1"]) / (n2 - n1) * 1e9
    info["jit_over_qemu"] = ratio(info["jit_ns_per_op"], info["qemu_ns_per_op"])
    if nano.interp:
        info["interp_over_qemu"] = ratio(info["interp_ns_per_op"], info["qemu_ns_per_op"])
    benchmark.extra_info.update(info)
