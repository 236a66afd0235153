"""The JIT runs the common system paths natively: the nanobenchmark guests (bench/guests/src/nano/,
outputs recorded from QEMU in bench/guests/expected/) print what QEMU prints, and `--stats` shows
that their thousand INT/IRET, #DE, #PF and IN operations did not each return to Python.
(What happens in every unusual case is tests/test_native_delivery.py's and the fuzzers' job.)"""
import re
import subprocess
import sys

import pytest

from bench.nano import BY_NAME

N = 1000     # the images' built-in N


def run_stats(name):
    proc = subprocess.run([sys.executable, "-m", "bt", "run", "--stats", str(BY_NAME[name].image)],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout, proc.stderr.decode()


def stat(text, name):
    m = re.search(rf"^\s*{name}\s+(\d+)", text, re.M)
    assert m, f"no '{name}' in --stats:\n{text}"
    return int(m.group(1))


def callouts(text, kind):
    m = re.search(rf"callouts\s+.*\b{kind} (\d+)", text)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("name", ["syscall", "divzero", "pgfault", "in"])
def test_nano_guest_matches_qemu_and_stays_native(name):
    out, stats = run_stats(name)
    assert out == BY_NAME[name].expected
    returns = stat(stats, "returns to Python")
    if name == "syscall":          # N INT 0x80 + N IRETD
        assert callouts(stats, "interrupt") < 10 and returns < N // 4, stats
    elif name == "divzero":        # N #DE + N IRETD
        assert callouts(stats, "interrupt") < 10 and returns < N // 4, stats
    elif name == "pgfault":        # N #PF: only the PTE stores, INVLPG and MOV from CR2 go to Python
        slow_memory = int(re.search(r"slow memory (\d+)", stats).group(1))
        assert slow_memory < 50 and stat(stats, "interpreter steps") < 5 * N, stats
    else:                          # N IN from the UART's LSR
        assert callouts(stats, "io") < 100 and returns < N // 4, stats
