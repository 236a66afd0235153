"""The benchmark workloads (bench/guests/) and how to run each peer on them once.

A workload has a long image (~1 s of guest work under QEMU TCG), a short variant (for the
interpreter and CI) and, for the C kernels, a native peer (the same kernel built for the host by
bench/guests/Makefile, built on first use). Every runner returns wall seconds and checks the
guest's output against QEMU's recording in bench/guests/expected/, so a fast wrong answer fails.
"""
import ctypes
import io
import pathlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUESTS = ROOT / "bench" / "guests"
BUILD = GUESTS / "build"
EXPECTED = GUESTS / "expected"
NATIVE = GUESTS / "native"
BENCH_MEMORY = 32 << 20      # enough for every workload; a smaller mapping is cheaper to snapshot

QEMU_CMD = ["qemu-system-i386", "-accel", "tcg", "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel"]


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str            # what it stresses, for the report
    native: bool         # has a native peer (pure-compute C kernel)

    def image(self, short=False):
        return BUILD / f"{self.name}{'_short' if short else ''}.elf"

    def expected(self, short=False):
        return (EXPECTED / f"{self.name}{'_short' if short else ''}.out").read_bytes()


WORKLOADS = [
    Workload("cmark", "CoreMark-class: lists, matrices, state machine, CRC", True),
    Workload("strmem", "string and memory heavy", True),
    Workload("vm", "branchy: bytecode interpreter loop", True),
    Workload("hotloop", "hot integer loop (asm)", False),
]
BY_NAME = {w.name: w for w in WORKLOADS}
EMPTY = BUILD / "empty.elf"


class WrongOutput(AssertionError):
    pass


def _check(name, got, want):
    if got != want:
        raise WrongOutput(f"{name}: output {got!r}, QEMU recorded {want!r}")


# ---- QEMU TCG ----------------------------------------------------------------------------

def have_qemu():
    return shutil.which(QEMU_CMD[0]) is not None


def run_qemu(image, expected=None, timeout=300):
    """Wall seconds of a whole QEMU run (start-up included)."""
    t0 = time.perf_counter()
    proc = subprocess.run(QEMU_CMD + [str(image)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    if proc.returncode != 1:                      # guest exit value 0 -> QEMU status 1
        raise WrongOutput(f"QEMU {image.name}: status {proc.returncode}: {proc.stderr[-300:]!r}")
    if expected is not None:
        _check(f"QEMU {image.name}", proc.stdout, expected)
    return dt


# ---- btvm in this process -----------------------------------------------------------------

class BtvmRun:
    """One in-process btvm run of an image: `seconds` covers machine creation, loading, the
    engine's construction and the run (translation included); `engine` is kept for its stats.
    keep_open: leave `machine` open (call close()); keep_ram: copy guest RAM into `ram` first."""

    def __init__(self, image, engine="jit", engine_options=None, expected=None, memory=BENCH_MEMORY,
                 keep_open=False, keep_ram=False):
        from bt.runtime.machine import Machine
        out = io.BytesIO()
        t0 = time.perf_counter()
        m = self.machine = Machine(memory_size=memory, stdin=io.BytesIO(), stdout=out)
        try:
            m.load(image)
            result = m.run(engine=engine, engine_options=engine_options)
            self.seconds = time.perf_counter() - t0
            self.engine = m.engine
            if keep_ram:
                self.ram = ctypes.string_at(m.mem.base_hva, m.mem.size)
        finally:
            if not keep_open:
                m.close()
        if result.reason != "exit" or result.status != 0:
            raise WrongOutput(f"btvm {engine} {image.name}: {result.reason} {result.status} "
                              f"{result.message}\n{result.traceback}")
        self.output = out.getvalue()
        if expected is not None:
            _check(f"btvm {engine} {image.name}", self.output, expected)

    def close(self):
        self.machine.close()


def run_btvm(image, engine="jit", expected=None, **engine_options):
    return BtvmRun(image, engine, engine_options, expected).seconds


def run_btvm_cold_warm(image, expected=None):
    """(cold, warm) seconds: a whole in-process JIT run (as run_btvm), then the same program again
    on the same JIT with the CPU state and RAM restored (translations kept: steady-state speed)."""
    from bt.runtime.events import GuestExit
    from bt.runtime.machine import Machine
    out = io.BytesIO()
    t0 = time.perf_counter()
    with Machine(memory_size=BENCH_MEMORY, stdin=io.BytesIO(), stdout=out) as m:
        m.load(image)
        snap = Snapshot(m)
        result = m.run(engine="jit")
        cold = time.perf_counter() - t0
        if result.reason != "exit" or result.status != 0:
            raise WrongOutput(f"btvm jit {image.name}: {result.reason} {result.message}")
        first = out.getvalue()
        snap.restore()
        t0 = time.perf_counter()
        try:
            m.engine.run()
        except GuestExit as e:
            if e.status != 0:
                raise WrongOutput(f"btvm jit {image.name} warm: exit {e.status}")
        warm = time.perf_counter() - t0
    if expected is not None:
        _check(f"btvm jit {image.name}", first, expected)
        _check(f"btvm jit {image.name} warm", out.getvalue()[len(first):], expected)
    return cold, warm


def run_btvm_process(image, expected=None, engine="jit", timeout=600):
    """Wall seconds of `python -m bt run IMAGE` (interpreter start-up and imports included)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bt", "run", "--engine", engine, str(image)],
                          cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise WrongOutput(f"btvm process {image.name}: status {proc.returncode}: {proc.stderr[-500:]!r}")
    if expected is not None:
        _check(f"btvm process {image.name}", proc.stdout, expected)
    return dt


class Snapshot:
    """CPU state and RAM of a machine, to run the same program again without reloading it
    (reloading writes the code pages, which would invalidate every translation). RAM is restored
    behind the code tracker's back: valid because the workloads never write their own code."""

    def __init__(self, machine):
        self.machine = machine
        self.cpu = bytes(ctypes.string_at(machine.state.address, ctypes.sizeof(machine.state.cpu)))
        self.ram = ctypes.string_at(machine.mem.base_hva, machine.mem.size)

    def restore(self):
        m = self.machine
        ctypes.memmove(m.state.address, self.cpu, len(self.cpu))
        ctypes.memmove(m.mem.base_hva, self.ram, len(self.ram))


# ---- native peer --------------------------------------------------------------------------

def native_binary(workload):
    """Path of the native peer, building it with bench/guests/Makefile if needed; None without gcc."""
    path = NATIVE / workload.name
    if not path.exists():
        if shutil.which("gcc") is None or shutil.which("make") is None:
            return None
        subprocess.run(["make", "-s", "-C", str(GUESTS), f"native/{workload.name}"], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def run_native(workload, expected=None, iters=None):
    """The kernel's own time in seconds (the host binary times it; process start-up excluded)."""
    args = [str(native_binary(workload))] + ([str(iters)] if iters is not None else [])
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise WrongOutput(f"native {workload.name}: status {proc.returncode}")
    if expected is not None:
        _check(f"native {workload.name}", proc.stdout, expected)
    ns = int(proc.stderr.decode().strip().split("ns=")[-1])
    return ns / 1e9
