"""The translation cache is bounded (`--tcache-size`): flushing frees LLVM's memory, a code-spraying
guest runs with the process RSS under the bound plus a fixed margin, and runs stay correct across
flushes.

RSS_MARGIN is what the process holds whatever the bound: Python with llvmlite/LLVM, numpy and
capstone loaded and the runtime module compiled (~80 MiB, a `hlt` guest's peak), the JIT's lookup and
shadow tables and a 4 MiB guest (~10 MiB), the process-wide decoder cache at its 65,536-entry cap
(~68 MiB: the sprayer's instructions are all new, so it fills), and glibc heap fragmentation.
"""
import gc
import os
import subprocess
import sys
import time

import pytest

from bt.backend.compiler import NativeCompiler
from bt.backend.runtime_ir import runtime_addresses
from bt.backend.translator import translate
from bt.frontend.decoder import Decoder
from bt.runtime.jit_engine import Jit
from bt.runtime.events import GuestHalt
from tests.code_spray import LOAD, MEMORY, spray_image
from tests.cpu_harness import BareMachine

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1 << 20
RSS_MARGIN = 192 * MiB
SPRAY_BOUND = 8 * MiB
SPRAY_SECONDS = 12


def _rss(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) << 10
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_code_spraying_guest_stays_under_the_bound(tmp_path):
    image = tmp_path / "spray.bin"
    image.write_bytes(spray_image())
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "bt", "run", str(image), "--engine", "jit", "--stats",
                             "--memory", MEMORY, "--load-addr", hex(LOAD), "--tcache-size", str(SPRAY_BOUND),
                             "--timeout", str(SPRAY_SECONDS)],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        rss = _rss(proc.pid)
        if rss:
            peak = max(peak, rss)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 124, err            # the time limit, nothing else, ended it
    assert "time limit" in err
    flushes = int(err.split(" flushes (")[0].rsplit(", ", 1)[1])
    assert flushes >= 2, err                       # the bound was reached, more than once
    assert peak < SPRAY_BOUND + RSS_MARGIN, (peak >> 20, err)


def _blocks(count, start=0):
    """`count` distinct quick-tier blocks of 21 guest instructions (IR text, name)."""
    code = bytes.fromhex("01d8 29c8 8b03 890b 83c001 4b".replace(" ", "")) * 3 + b"\x75\xf0"
    d = Decoder()
    out = []
    for i in range(start, start + count):
        b = translate(lambda a, n: (code + b"\0" * 16)[a:a + n], d, 0, 0, 32, counter_slot=1)
        name = f"{b.name}_{i}"
        out.append((b.ir.replace("@" + b.name, "@" + name), name))
    return out


def measure_reset(blocks=600):
    """In a fresh process (RSS in a big pytest heap is mostly reused free memory): compile `blocks`
    modules, reset. Returns (RSS growth, footprint estimate, RSS left over after reset), in bytes."""
    runtime_addresses()
    compiler = NativeCompiler()
    irs = _blocks(blocks)
    gc.collect()
    before = _rss()
    for ir, name in irs:
        assert compiler.compile([ir], [name])[name]
    grown, estimate = _rss() - before, compiler.footprint
    compiler.reset()
    assert compiler.footprint == 0
    ir, name = irs[0]
    left = _rss() - before
    assert compiler.compile([ir], [name])[name]   # the new engines work (same name is fine)
    return grown, estimate, left


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_reset_frees_the_engines_memory():
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", "from tests.test_tcache_bound import measure_reset; "
                          "print(*measure_reset())"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    grown, estimate, left = map(int, out.stdout.split())
    assert grown > 8 * MiB                        # something measurable was held ...
    assert estimate >= grown                      # ... the estimate is not below it ...
    assert left < grown // 4                      # ... and most of it went back to the OS


def test_flushes_keep_the_run_correct():
    """A loop over calls with a bound so small that every miss and promotion flushes: still exact."""
    code = bytes.fromhex(
        "31 c0"             # xor eax, eax
        "b9 3c 00 00 00"    # mov ecx, 60
        "e8 06 00 00 00"    # L: call f
        "49"                # dec ecx
        "75 f8"             # jnz L
        "f4"                # hlt
        "90 90"             # pad
        "01 c8"             # f: add eax, ecx
        "c3")               # ret
    m = BareMachine().load_code(code, esp=0x8000)
    jit = Jit(m, tcache_size=1, hot_threshold=5)      # promotions flush too
    with pytest.raises(GuestHalt):
        jit.run(max_insns=100_000)
    assert m.state.w[0] == sum(range(1, 61))
    assert jit.stats.tcache_flushes >= 3
    assert len(jit.translations) <= 4
