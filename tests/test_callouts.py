"""The callout table (bt/frontend/callouts.py) covers every sensitive instruction, the interpreter
handles each of them, and the JIT ends its block with that callout instead of translating it."""
import pytest

from bt.backend.translator import translate
from bt.frontend import table
from bt.frontend.callouts import CALLOUTS, KINDS, callout_kind
from bt.frontend.decoder import Decoder
from bt.runtime.interp.registry import HANDLERS
import bt.runtime.interp  # noqa: F401  (registers the handlers)
from bt.tools.table_report import engine_coverage
from bt.backend.lowering import NATIVE_CALLOUTS, lowering_name
from jit_diff import assert_same, run_both

# One encoding per sensitive instruction form (SDM Vol. 2 opcode tables).
SAMPLES = {
    "in": "e4 60", "out": "e6 80", "insb": "6c", "insd": "6d", "outsb": "6e", "outsw": "66 6f",
    "pushfd": "9c", "popfd": "9d", "pushf": "66 9c", "popf": "66 9d", "cli": "fa", "sti": "fb",
    "lds": "c5 00", "les": "c4 00", "lfs": "0f b4 00", "lgs": "0f b5 00", "lss": "0f b2 00",
    "lmsw": "0f 01 f0", "clts": "0f 06", "smsw": "0f 01 e0", "lgdt": "0f 01 10", "lidt": "0f 01 18",
    "lldt": "0f 00 d0", "ltr": "0f 00 d8", "sgdt": "0f 01 00", "sidt": "0f 01 08", "sldt": "0f 00 c0",
    "str": "0f 00 c8", "ljmp": "ea 00 00 00 00 08 00", "lcall": "9a 00 00 00 00 08 00", "retf": "cb",
    "int": "cd 80", "int3": "cc", "into": "ce", "int1": "f1", "iretd": "cf", "iret": "66 cf",
    "hlt": "f4", "rdmsr": "0f 32", "wrmsr": "0f 30", "invd": "0f 08", "wbinvd": "0f 09",
    "invlpg": "0f 01 38", "lar": "0f 02 c0", "lsl": "0f 03 c0", "verr": "0f 00 e0", "verw": "0f 00 e8",
    "insw": "66 6d", "outsd": "6f", "wait": "9b", "fnop": "d9 d0",
}
# Sensitive by operand: MOV/PUSH/POP of segment, control and debug registers.
OPERAND_SAMPLES = {"mov ds, eax": ("8e d8", "segment"), "mov eax, ds": ("8c d8", "segment"),
                   "push ds": ("1e", "segment"), "pop es": ("07", "segment"),
                   "mov cr3, eax": ("0f 22 d8", "control-register"),
                   "mov eax, cr0": ("0f 20 c0", "control-register"),
                   "mov dr7, eax": ("0f 23 f8", "control-register")}


def test_every_sensitive_instruction_has_a_callout_and_an_interpreter_handler():
    sensitive = sorted(name for name, row in table.TABLE.items() if row.sensitive)
    assert sensitive
    for name in sensitive:
        assert CALLOUTS.get(name) in KINDS, f"{name} has no callout kind"
        assert name in HANDLERS, f"{name} has no interpreter handler"


def _translate(hexbytes):
    code = bytes.fromhex(hexbytes) + b"\x90" * 16
    return translate(lambda a, n: code[a - 0x1000:a - 0x1000 + n], Decoder(), 0x1000)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_jit_turns_each_sensitive_instruction_into_its_callout(name):
    block = _translate(SAMPLES[name])
    assert block.insns[0].name == name
    if name in NATIVE_CALLOUTS:          # the VMM's handling is inlined: no exit to Python
        assert block.callout == "" and block.native_insns >= 1
        return
    assert block.callout == CALLOUTS[name] and block.native_insns == 0
    assert "ret i32 3" in block.ir       # EXIT_INTERP


def test_samples_cover_the_whole_callout_table():
    assert set(SAMPLES) == set(CALLOUTS)


@pytest.mark.parametrize("text", sorted(OPERAND_SAMPLES))
def test_segment_and_control_register_moves_are_callouts(text):
    hexbytes, kind = OPERAND_SAMPLES[text]
    block = _translate(hexbytes)
    assert callout_kind(block.insns[0]) == kind
    if lowering_name(block.insns[0]) in NATIVE_CALLOUTS:     # MOV from CRn: inline at CPL 0
        assert text == "mov eax, cr0" and block.callout == "" and block.native_insns >= 1
        return
    assert block.callout == kind


def test_a_callout_after_native_code_ends_the_block_before_it():
    block = _translate("40 43 ee")             # inc eax; inc ebx; out dx, al
    assert [i.name for i in block.insns] == ["inc", "inc"] and block.callout == ""
    assert "store i32 4098" in block.ir        # continues at the OUT (0x1002) in another block


def test_jit_fallbacks_are_listed():
    """Prints the innocuous instructions the JIT still runs through the interpreter."""
    jit = engine_coverage()["jit"]
    fallback = sorted(n for n, row in table.TABLE.items() if not row.sensitive and n not in jit)
    print("\nJIT falls back to the interpreter for:", " ".join(fallback) or "nothing")
    sensitive_lowered = sorted(n for n, row in table.TABLE.items() if row.sensitive and n in jit)
    assert sensitive_lowered == sorted(NATIVE_CALLOUTS & set(table.TABLE)), \
        f"only the native callouts may be lowered among sensitive instructions: {sensitive_lowered}"


@pytest.mark.parametrize("hexcode", ["9c 58", "b8 d5 0f 00 00 50 9d 9c 5b", "66 9c 66 58",
                                     "01 c8 9c 5a 83 f8 05 9c 5e", "b8 ff ff ff ff 50 9d 9c 5b",
                                     "66 b8 ff ff 66 50 66 9d 9c 5b"])
@pytest.mark.parametrize("eflags", [0x2, 0x8D7, 0x202])
def test_native_pushf_popf_match_the_interpreter(hexcode, eflags):
    """PUSHF/POPF run inline (native callouts) and give the guest the same virtual EFLAGS."""
    jit, ref = run_both(bytes.fromhex(hexcode), regs={"eax": 0x7FFFFFFF, "ecx": 1}, eflags=eflags)
    assert_same(jit, ref, context=hexcode)
    assert jit.interp_steps == 1          # only the final hlt left native code
