"""`btvm run IMAGE --diff` (bt/runtime/lockstep.py): the JIT and the interpreter in lockstep.

A correct JIT runs the guest programs to QEMU's output and status; a deliberately broken lowering
(ADD computing SUB) is reported at the first ADD whose result it changes, with exit status 126.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bt import cli
from bt.backend import lower_alu
from bt.frontend.decoder import IMM, REG
from bt.runtime.events import STATUS_DIVERGENCE, GuestExit, GuestHalt
from bt.runtime.flags import CC_ADD
from bt.runtime.interp import Interpreter
from bt.runtime.machine import Machine
from bt.runtime.state import W_EIP

ROOT = Path(__file__).resolve().parent.parent
BUILD, EXPECTED = ROOT / "testcases" / "build", ROOT / "testcases" / "expected"
MASK = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


@pytest.mark.parametrize("image", ["datamov.bin", "string.elf"])
def test_diff_runs_testcases_like_qemu(image):
    name = image.rsplit(".", 1)[0]
    proc = subprocess.run([sys.executable, "-m", "bt", "run", str(BUILD / image), "--diff"],
                          capture_output=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout == (EXPECTED / f"{name}.out").read_bytes()
    assert proc.returncode == int((EXPECTED / f"{name}.status").read_text())
    assert b"instructions compared in lockstep, no divergence" in proc.stderr


def _first_changing_add(image, limit=2_000_000):
    """EIP of the first executed ADD for which SUB would give another result (the interpreter alone)."""
    with Machine(stdout=open(os.devnull, "wb")) as m:
        m.load(str(image))
        x = Interpreter(m)
        w = m.state.w
        for _ in range(limit):
            eip = w[W_EIP]
            block = x.blocks.get(eip) or x._translate(eip)
            insn = block.insns[0]
            if insn.name == "add":
                src, size = insn.operands[1], insn.operands[0].size
                b = src.imm if src.kind == IMM else \
                    (w[src.reg] >> (8 if src.high8 else 0)) if src.kind == REG else None
                if b is None or (2 * b) & MASK[size]:
                    return eip, insn
            try:
                x.step()
            except (GuestExit, GuestHalt):
                break
    raise AssertionError("no ADD whose result SUB would change")





def test_broken_lowering_is_caught_at_the_right_instruction(monkeypatch, capfd):
    image = BUILD / "datamov.bin"
    expected_eip, insn = _first_changing_add(image)
    monkeypatch.setitem(lower_alu._OPS, "add", ("sub", CC_ADD))
    status = cli.main(["run", str(image), "--diff"])
    err = capfd.readouterr().err
    assert status == STATUS_DIVERGENCE, err
    first = err.splitlines()[0]
    assert "lockstep divergence" in first and f"eip={expected_eip:#010x}" in first, err
    assert insn.text in first
    assert "JIT executed it with: native" in err
