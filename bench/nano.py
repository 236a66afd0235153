"""Nanobenchmarks after Adams & Agesen (ASPLOS 2006): the list, and how to time one operation.

Called by bench/test_nano.py (cold: a few runs per benchmark). Each guest (bench/guests/src/nano/)
runs one operation N times, prints `nano NAME n=N count=C sum=S ok` and exits 0 only when its own
self-check holds. N is a dword after the marker "NANO_N=" in the image: `patched` writes a copy
with another N, so each engine gets the N that suits its speed.

Per-operation cost = (t(N2) - t(N1)) / (N2 - N1) on one engine (medians over rounds): start-up,
loading and translation are in both runs and cancel. `choose_n` picks N1 and N2 per engine from a
few untimed runs: N1 large enough that btvm's hot tier (HOT_THRESHOLD executions) has compiled
the loop in both runs when that is cheap, N2 so that the difference is ~TARGET_S of work.
"""
import io
import pathlib
import subprocess
import time
from dataclasses import dataclass

from bench.workloads import BENCH_MEMORY, BUILD, EXPECTED, QEMU_CMD

MARKER = b"NANO_N="
PAGING_UNAVAILABLE = b"nano: paging unavailable"
TARGET_S = 0.6          # seconds of work between the N1 and N2 runs
PROBE_S = 0.15          # a probe run this much longer than the N=BASE_N run gives the per-op estimate
BASE_N = 1000
HOT_N = 300_000         # past btvm's HOT_THRESHOLD (200,000 executions of the loop's block)
MAX_N = 200_000_000


@dataclass(frozen=True)
class Nano:
    name: str
    what: str
    interp: bool = False     # the interpreter's per-op cost is measured too (cheap operations)

    @property
    def image(self):
        return BUILD / f"nano_{self.name}.elf"

    @property
    def expected(self):
        return (EXPECTED / f"nano_{self.name}.out").read_bytes()


NANOS = [
    Nano("syscall", "INT 0x80 from ring 3 to a ring-0 handler + IRET back"),
    Nano("in", "`in al, dx` from the UART's LSR (0x3FD), ring 0", interp=True),
    Nano("clisti", "`cli; sti` pair, ring 0 (A&A's cr8wr is x86-64 only)", interp=True),
    Nano("pushf", "`pushfd; popfd` pair, ring 0", interp=True),
    Nano("callret", "near call to a `ret`", interp=True),
    Nano("pgfault", "#PF on a not-present page, handler sets P; loop clears P + INVLPG"),
    Nano("divzero", "`div` by zero, #DE handler skips the instruction"),
    Nano("ptemod", "PTE write + INVLPG + a read through the page"),
]
BY_NAME = {n.name: n for n in NANOS}


def patched(image, n, out_dir):
    """A copy of `image` in out_dir whose N is n."""
    data = bytearray(pathlib.Path(image).read_bytes())
    at = data.index(MARKER) + len(MARKER)
    data[at:at + 4] = n.to_bytes(4, "little")
    path = pathlib.Path(out_dir) / f"{pathlib.Path(image).stem}_{n}.elf"
    path.write_bytes(data)
    return path


@dataclass
class Run:
    seconds: float
    output: bytes
    status: int          # guest exit value (QEMU's (v << 1) | 1 decoded); None if it did not exit
    message: str = ""


def run_qemu(image, timeout=300):
    t0 = time.perf_counter()
    proc = subprocess.run(QEMU_CMD + [str(image)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    status = proc.returncode >> 1 if proc.returncode & 1 else None
    return Run(dt, proc.stdout, status, proc.stderr.decode(errors="replace")[-300:])


def run_btvm(image, engine="jit"):
    """One in-process run (machine creation, loading, translation and the run)."""
    from bt.runtime.machine import Machine
    out = io.BytesIO()
    t0 = time.perf_counter()
    with Machine(memory_size=BENCH_MEMORY, stdin=io.BytesIO(), stdout=out) as m:
        m.load(image)
        result = m.run(engine=engine)
    dt = time.perf_counter() - t0
    status = result.status if result.reason == "exit" else None
    return Run(dt, out.getvalue(), status, f"{result.reason} {result.message}")


def runner(engine):
    return run_qemu if engine == "qemu" else (lambda image: run_btvm(image, engine))


def choose_n(run, image, out_dir):
    """(N1, N2) for one engine: grow N by 8x from BASE_N until a run takes PROBE_S longer than
    the BASE_N run, estimate the per-op cost from those two, then size N1 and N2. `run` checks
    each output and returns seconds."""
    t_base = run(patched(image, BASE_N, out_dir))
    n, dt = BASE_N, 0.0
    while dt < PROBE_S and n < MAX_N:
        n = min(MAX_N, n * 8)
        dt = run(patched(image, n, out_dir)) - t_base
    per_op = max(dt, 1e-3) / (n - BASE_N)
    n1 = max(BASE_N, min(HOT_N, int(0.2 / per_op)))
    n2 = min(MAX_N, n1 + max(int(TARGET_S / per_op), 10 * BASE_N))
    return n1, n2
