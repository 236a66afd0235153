"""Golden LLVM IR for a few blocks, so that every change to the lowering shows up for review.

These snapshots do not judge correctness (the differential suites do); they make a change in the
generated code visible in a diff. After an intended change, regenerate with
    BTVM_UPDATE_GOLDEN=1 pytest tests/test_golden_ir.py
and review tests/golden/*.ll in the commit.
"""
import os
import pathlib

import llvmlite.binding as llvm
import pytest

from bt.backend.compiler import NativeCompiler
from bt.backend.translator import translate
from bt.frontend.decoder import Decoder

GOLDEN = pathlib.Path(__file__).parent / "golden"
BLOCKS = {
    # add eax, ecx ; dec ecx ; jnz -5  (the hot-loop benchmark's block)
    "loop_quick": ("01 c8 49 75 fb", "quick"),
    "loop_hot": ("01 c8 49 75 fb", "hot"),
    # cmp [ebx+4], eax ; setl cl ; mov [esi+edi*4], ecx ; ret
    "memory_flags": ("39 43 04 0f 9c c1 89 0c be c3", "quick"),
    # push ebp ; mov ebp, esp ; shl eax, cl ; imul edx, eax, 10 ; pop ebp ; jmp eax
    "shift_mul_indirect": ("55 89 e5 d3 e0 6b d0 0a 5d ff e0", "quick"),
}


def _ir(hexbytes, tier):
    code = bytes.fromhex(hexbytes) + b"\xf4" * 16
    return translate(lambda a, n: code[a - 0x1000:a - 0x1000 + n], Decoder(), 0x1000, tier=tier).ir


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_golden_ir(name):
    ir = _ir(*BLOCKS[name])
    path = GOLDEN / f"{name}.ll"
    if os.environ.get("BTVM_UPDATE_GOLDEN"):
        path.write_text(ir + "\n")
    assert path.exists(), f"no golden file {path}: run with BTVM_UPDATE_GOLDEN=1"
    assert ir + "\n" == path.read_text(), f"IR of {name} changed: review and regenerate (see module doc)"


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_golden_ir_is_valid_llvm(name):
    compiler = NativeCompiler()
    module = llvm.parse_assembly(compiler.module_text([_ir(*BLOCKS[name])]))
    module.verify()
