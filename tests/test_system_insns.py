"""System-instruction semantics of issue 4 on both engines, from the SDM: the TSS I/O-permission
bitmap (Vol. 1, 18.5.2), far CALL/JMP through call gates and far RET to an outer level (Vol. 2
CALL, JMP, RET; Vol. 3 5.8), #NM from CR0.EM/MP/TS (Vol. 3 Table 2-2; btvm has no x87), EFLAGS.TF single-step
traps (Vol. 3 17.3.1.4). Machines come from tests/test_interrupts.py's set-up (GDT, TSS, IDT, a
ring-3 entry through IRET); expected values are derived by hand from the SDM."""
import struct

import pytest

from test_interrupts import (ENGINES, ESP0, GDT, GDT_ENTRIES, HANDLER, HLT, K_CODE, K_DATA, TSS, USER,
                             USTACK, U_CODE, U_DATA, gate, machine, run, stack, to_ring3)
from bt.runtime.state import CS, DS, SS, ESP, W_CPL, W_EIP

GP_HANDLER_EIP = HANDLER + 13 * 0x10 + 1          # after the HLT of the #GP handler
UD2 = b"\x0f\x0b"                                  # ends a ring-3 program: #UD, whose handler halts


def bitmap_machine(user, blocked=(), limit=0x68 + 0x2000, bitmap_at=0x68):
    """Ring 3 with IOPL 0 running `user`; the TSS bitmap at `bitmap_at` blocks the ports `blocked`."""
    m = machine(to_ring3(), user + UD2, handlers={13: HLT, 6: HLT})
    bitmap = bytearray(0x2001)
    bitmap[0x2000] = 0xFF
    for port in blocked:
        bitmap[port >> 3] |= 1 << (port & 7)
    m.mem.write(TSS + 0x66, struct.pack("<H", bitmap_at))
    m.mem.write(TSS + bitmap_at, bytes(bitmap))
    m.state.cpu.tr.limit = limit
    return m


def in_dx(port, size):
    """mov dx, port ; in al/ax/eax, dx"""
    return b"\x66\xba" + struct.pack("<H", port) + {1: b"\xec", 2: b"\x66\xed", 4: b"\xed"}[size]


def assert_gp0_at(m, eip):
    assert m.state.w[W_EIP] == GP_HANDLER_EIP
    assert stack(m, 3) == [0, eip, U_CODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_clear_bits_allow_io_in_ring3(engine):
    code = in_dx(0x2F7, 1) + in_dx(0x2F0, 4) + b"\xe6\x80"          # ... ; out 0x80, al
    m = bitmap_machine(code, blocked=(0x2F8, 0x2F4))
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == HANDLER + 6 * 0x10 + 1 and stack(m, 2) == [USER + len(code), U_CODE]
    assert m.state.w[0] == 0xFFFFFFFF
    assert m.io.writes == [(0x80, 1, 0xFF)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("port,size", [(0x21, 1), (0x2F7, 2), (0x2F5, 4), (0xFFFF, 2)])
def test_any_set_bit_of_the_access_faults(engine, port, size):
    """0x2F7 word and 0x2F5 dword reach 0x2F8 in the next bitmap byte; port 0xFFFF's second byte
    has its bit in the 0xFF byte after the bitmap."""
    m = bitmap_machine(in_dx(port, size), blocked=(0x21, 0x2F8))
    m.state.w[0] = 0x5A5A5A5A
    assert run(engine, m) == "halt"
    assert_gp0_at(m, USER + 4)
    assert m.state.w[0] == 0x5A5A5A5A


@pytest.mark.parametrize("engine", ENGINES)
def test_bitmap_bytes_beyond_the_tss_limit_count_as_set(engine):
    """Two bitmap bytes are read: port 0x78's pair is 0x0F-0x10, inside a limit of 0x68 + 0x10;
    port 0x80's pair 0x10-0x11 crosses it."""
    m = bitmap_machine(in_dx(0x78, 1) + in_dx(0x80, 1), limit=0x68 + 0x10)
    assert run(engine, m) == "halt"
    assert_gp0_at(m, USER + 9)


@pytest.mark.parametrize("engine", ENGINES)
def test_bitmap_not_consulted_at_cpl_le_iopl(engine):
    """Ring 0 (CPL 0 <= IOPL 0) ignores a fully set bitmap."""
    m = machine(in_dx(0x21, 1) + HLT, handlers={13: HLT})
    m.mem.write(TSS + 0x66, struct.pack("<H", 0x68))
    m.mem.write(TSS + 0x68, b"\xff" * 0x10)
    m.state.cpu.tr.limit = 0x78
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == 0x1000 + 6 and m.state.w[0] & 0xFF == 0xFF


# ---- call gates ----------------------------------------------------------------------------------

GATE_AT = 0x6000                 # ring-0 code the gates lead to
GATE_SEL = len(GDT_ENTRIES) * 8  # the first descriptor after test_interrupts' GDT


def gate_machine(user, gate_code, kind=0xEC, count=0, selector=K_CODE, extra=()):
    """Ring 3 running `user` with a call gate (GDT index len(GDT_ENTRIES)) to selector:GATE_AT, whose
    code is `gate_code`; `extra` descriptors follow it. #UD and #GP handlers halt."""
    m = machine(to_ring3(), user, handlers={13: HLT, 6: HLT, 11: HLT})
    descriptors = [gate(GATE_AT, selector, kind) | (count << 32), *extra]
    m.mem.write(GDT + GATE_SEL, b"".join(struct.pack("<Q", d) for d in descriptors))
    m.state.cpu.gdtr_limit = GATE_SEL + 8 * len(descriptors) - 1
    m.mem.write(GATE_AT, gate_code)
    return m


def far_call(selector):
    return b"\x9a" + struct.pack("<IH", 0xDEADBEEF, selector)      # the offset is ignored


def far_jmp(selector):
    return b"\xea" + struct.pack("<IH", 0, selector)


PUSH_PARAMS = b"\x68" + struct.pack("<I", 0x22222222) + b"\x68" + struct.pack("<I", 0x11111111)


@pytest.mark.parametrize("engine", ENGINES)
def test_call_gate_to_ring0_switches_stack_and_copies_parameters(engine):
    user = PUSH_PARAMS + far_call(GATE_SEL | 3)
    m = gate_machine(user, HLT, count=2)
    assert run(engine, m) == "halt"
    w, cpu = m.state.w, m.state.cpu
    assert w[W_EIP] == GATE_AT + 1 and w[W_CPL] == 0 and cpu.seg[CS].selector == K_CODE
    assert cpu.seg[SS].selector == K_DATA and w[ESP] == ESP0 - 24
    assert stack(m, 6) == [USER + len(user), U_CODE, 0x11111111, 0x22222222, USTACK - 8, U_DATA]


@pytest.mark.parametrize("engine", ENGINES)
def test_retf_to_ring3_pops_parameters_on_both_stacks_and_nulls_ds(engine):
    """mov ax, K_DATA ; mov ds, ax ; retf 8 ; then ring 3 runs UD2 (its #UD frame shows SS:ESP)."""
    back = b"\x66\xb8" + struct.pack("<H", K_DATA) + b"\x8e\xd8" + b"\xca\x08\x00"
    user = PUSH_PARAMS + far_call(GATE_SEL | 3) + UD2
    m = gate_machine(user, back, count=2)
    assert run(engine, m) == "halt"
    w, cpu = m.state.w, m.state.cpu
    assert w[W_EIP] == HANDLER + 6 * 0x10 + 1
    assert stack(m, 5)[:2] == [USER + len(user) - 2, U_CODE] and stack(m, 5)[3:] == [USTACK, U_DATA]
    assert cpu.seg[DS].selector == 0          # DPL 0 data: nulled by the return to ring 3


@pytest.mark.parametrize("engine", ENGINES)
def test_call_and_jmp_through_a_gate_at_the_same_level(engine):
    """Ring 0: CALL through a DPL-0 gate pushes CS:EIP on the same stack; JMP pushes nothing."""
    code = far_call(GATE_SEL) + HLT
    m = gate_machine(b"", HLT, kind=0x8C)
    m.mem.write(0x1000, code)
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == GATE_AT + 1 and m.state.w[ESP] == 0x7000 - 8
    assert stack(m, 2) == [0x1000 + 7, K_CODE]
    m = gate_machine(b"", HLT, kind=0x8C)
    m.mem.write(0x1000, far_jmp(GATE_SEL))
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == GATE_AT + 1 and m.state.w[ESP] == 0x7000


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case,error", [("jmp_to_ring0", K_CODE), ("gate_dpl0", GATE_SEL),
                                        ("not_present", GATE_SEL), ("to_data", K_DATA)])
def test_call_gate_faults(engine, case, error):
    """JMP from ring 3 through a gate to non-conforming ring-0 code: #GP(code selector); a DPL-0
    gate from ring 3: #GP(gate selector); a not-present gate: #NP(gate selector); a gate to a data
    segment: #GP(its selector). Nothing changes before the fault."""
    kind, selector, insn = {"jmp_to_ring0": (0xEC, K_CODE, far_jmp(GATE_SEL | 3)),
                            "gate_dpl0": (0x8C, K_CODE, far_call(GATE_SEL | 3)),
                            "not_present": (0x6C, K_CODE, far_call(GATE_SEL | 3)),
                            "to_data": (0xEC, K_DATA, far_call(GATE_SEL | 3))}[case]
    m = gate_machine(insn, HLT, kind=kind, selector=selector)
    assert run(engine, m) == "halt"
    vector = 11 if case == "not_present" else 13
    assert m.state.w[W_EIP] == HANDLER + vector * 0x10 + 1
    assert stack(m, 6) == [error, USER, U_CODE, stack(m, 6)[3], USTACK, U_DATA]


# ---- #NM (no x87: WAIT and FNOP are no-ops, other x87 instructions #UD) ----------------------------

MP, EM, TS = 0x2, 0x4, 0x8
X87 = {"fnop": b"\xd9\xd0", "wait": b"\x9b", "fld_mem": b"\xdd\x05\x00\x30\x00\x00",
       "fxch": b"\xd9\xc9", "fninit_prefixed": b"\x66\xdb\xe3"}


def x87_outcome(engine, insn, cr0_bits):
    """'ok' (ran as a no-op), 'NM' or 'UD' for `insn` in ring 0 with those CR0 bits."""
    m = machine(insn + HLT, handlers={6: HLT, 7: HLT})
    m.state.cpu.cr[0] |= cr0_bits
    assert run(engine, m) == "halt"
    eip = m.state.w[W_EIP]
    if eip == 0x1000 + len(insn) + 1:
        return "ok"
    assert stack(m, 2) == [0x1000, K_CODE]               # a fault: saved EIP is the instruction
    return {HANDLER + 6 * 0x10 + 1: "UD", HANDLER + 7 * 0x10 + 1: "NM"}[eip]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bits", range(8))
def test_em_mp_ts_table(engine, bits):
    """x87 instructions fault on EM or TS; WAIT only on MP and TS together."""
    cr0 = (MP if bits & 1 else 0) | (EM if bits & 2 else 0) | (TS if bits & 4 else 0)
    assert x87_outcome(engine, X87["fnop"], cr0) == ("NM" if cr0 & (EM | TS) else "ok")
    assert x87_outcome(engine, X87["wait"], cr0) == ("NM" if cr0 & (MP | TS) == MP | TS else "ok")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["fld_mem", "fxch", "fninit_prefixed"])
def test_other_x87_instructions_are_nm_or_ud(engine, name):
    assert x87_outcome(engine, X87[name], TS) == "NM"
    assert x87_outcome(engine, X87[name], EM) == "NM"
    assert x87_outcome(engine, X87[name], MP) == "UD"


# ---- single-step (EFLAGS.TF) ------------------------------------------------------------------------

SET_TF = bytes.fromhex("9c 81 0c 24 00 01 00 00 9d")          # pushfd ; or dword [esp], 0x100 ; popfd
CLEAR_TF = bytes.fromhex("9c 81 24 24 ff fe ff ff 9d")        # pushfd ; and dword [esp], ~0x100 ; popfd
COUNT_DB = {1: b"\x43" + b"\xcf"}                            # #DB handler: inc ebx ; iretd


def step_traps(engine, body, handlers=()):
    """How many #DB traps the #DB handler counted while `body` ran between SET_TF and CLEAR_TF."""
    m = machine(SET_TF + body + CLEAR_TF + HLT, handlers={**COUNT_DB, 6: HLT, 13: HLT, **dict(handlers)})
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == 0x1000 + len(SET_TF + body + CLEAR_TF) + 1, "ended in a fault handler"
    assert m.state.cpu.dr[6] & 0x4000                         # DR6.BS
    return m.state.w[3]


@pytest.mark.parametrize("engine", ENGINES)
def test_popf_setting_tf_traps_after_the_next_instruction_and_clearing_still_traps(engine):
    """Traps after: nop, inc, inc (3), then pushfd, and, popfd of CLEAR_TF (3); none after the POPF
    that set TF. The popfd at CPL 0 runs natively on the JIT: it must leave native code."""
    assert step_traps(engine, bytes.fromhex("90 40 40")) == 6


@pytest.mark.parametrize("engine", ENGINES)
def test_mov_ss_and_pop_ss_suppress_the_trap_after_them(engine):
    """mov eax, ss ; nop ; mov ss, ax ; nop ; push ss ; pop ss ; nop: no trap after the two SS loads."""
    assert step_traps(engine, bytes.fromhex("8c d0 90 8e d0 90 16 17 90")) == 5 + 3


@pytest.mark.parametrize("engine", ENGINES)
def test_int_n_enters_its_handler_with_tf_clear_and_no_trap(engine):
    """nop ; int 0x80 (handler: add ecx, 1 ; iretd, neither stepped) ; nop: traps after the nops."""
    handlers = {0x80: bytes.fromhex("83 c1 01 cf")}
    assert step_traps(engine, bytes.fromhex("90 cd 80 90"), handlers) == 2 + 3


@pytest.mark.parametrize("engine", ENGINES)
def test_a_faulting_instruction_is_not_trapped(engine):
    """nop ; ud2 (its #UD handler skips it: add dword [esp], 2 ; iretd) ; nop: the fault is delivered
    instead of a trap, and stepping goes on after the handler's IRET (the frame kept TF)."""
    handlers = {6: bytes.fromhex("83 04 24 02 cf")}
    assert step_traps(engine, bytes.fromhex("90 0f 0b 90"), handlers) == 2 + 3
