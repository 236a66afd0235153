"""Exception and interrupt delivery through the IDT (bt/runtime/interrupts.py) on both engines: frames,
error codes, the ring-3 -> ring-0 stack switch through the TSS, IRET to ring 3, gate DPL checks,
#DF and the triple fault. Each case runs on the interpreter and on the JIT from the same machine
set-up, and both must leave the same state (checked against values derived from the SDM)."""
import struct

import pytest

from bt.runtime import flags
from bt.runtime.events import GuestHalt, GuestShutdown
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.state import CS, SS, FS, W_CPL, W_EIP, ESP
from cpu_harness import BareMachine

CODE, USER, HANDLER = 0x1000, 0x1800, 0x5000     # handler for vector v at HANDLER + 0x10 * v (v < 0x100)
IDT, GDT, TSS = 0x20000, 0x21000, 0x21100
KSTACK, USTACK, ESP0 = 0x7000, 0x8000, 0x9000
K_CODE, K_DATA, U_CODE, U_DATA, TSS_SEL, BAD_SEL = 0x08, 0x10, 0x1B, 0x23, 0x28, 0x38
HLT, IRETD = b"\xf4", b"\xcf"

GDT_ENTRIES = [0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x00CFFA000000FFFF, 0x00CFF2000000FFFF,
               0x0000890000000067 | ((TSS & 0xFFFFFF) << 16) | ((TSS >> 24) << 56)]
ENGINES = {"interp": Interpreter, "jit": Jit}


def gate(handler, selector=K_CODE, kind=0x8E):
    return (handler & 0xFFFF) | (selector << 16) | (kind << 40) | ((handler >> 16) << 48)


def machine(code, user=b"", handlers=None, gates=None, idt_limit=0x7FF):
    """Ring 0 at CODE with a GDT, TSS (ESP0/SS0) and an IDT whose vector v runs handlers[v]."""
    m = BareMachine()
    m.mem.write(GDT, b"".join(struct.pack("<Q", d) for d in GDT_ENTRIES))
    m.mem.write(TSS + 4, struct.pack("<II", ESP0, K_DATA))
    for v, body in (handlers or {}).items():
        m.mem.write(HANDLER + 0x10 * v, body)
    for v in range(256):
        entry = (gates or {}).get(v, gate(HANDLER + 0x10 * v) if v in (handlers or {}) else 0)
        m.mem.write(IDT + 8 * v, struct.pack("<Q", entry))
    m.mem.write(USER, user)
    m.load_code(code, CODE, esp=KSTACK)
    cpu = m.state.cpu
    cpu.gdtr_base, cpu.gdtr_limit = GDT, 8 * len(GDT_ENTRIES) - 1
    cpu.idtr_base, cpu.idtr_limit = IDT, idt_limit
    cpu.tr.selector, cpu.tr.base, cpu.tr.limit, cpu.tr.attrs = TSS_SEL, TSS, 103, 0x8B
    return m


def to_ring3(entry=USER):
    """push SS, ESP, EFLAGS, CS, EIP ; iretd"""
    return (b"\x6a" + bytes([U_DATA]) + b"\x68" + struct.pack("<I", USTACK) + b"\x6a\x02"
            + b"\x6a" + bytes([U_CODE]) + b"\x68" + struct.pack("<I", entry) + IRETD)


def run(engine, m):
    """Run to the end; returns how it ended and the machine."""
    try:
        ENGINES[engine](m).run(max_insns=10_000)
    except GuestHalt:
        return "halt"
    except GuestShutdown as e:
        return e
    raise AssertionError("the run did not end")


def stack(m, n):
    return list(struct.unpack(f"<{n}I", m.mem.read(m.state.w[ESP], 4 * n)))


@pytest.mark.parametrize("engine", ENGINES)
def test_divide_error_in_ring0(engine):
    # mov eax, 1 ; xor edx, edx ; xor ecx, ecx ; div ecx    (the JIT detects it in native code)
    code = bytes.fromhex("b8 01 00 00 00 31 d2 31 c9 f7 f1")
    m = machine(code, handlers={0: HLT})
    assert run(engine, m) == "halt"
    w = m.state.w
    assert w[W_EIP] == HANDLER + 1 and w[ESP] == KSTACK - 12 and w[W_CPL] == 0
    eip, cs, eflags = stack(m, 3)
    assert (eip, cs) == (CODE + 9, K_CODE)
    assert eflags & 0x2 and not flags.materialize(w) & 0x200     # interrupt gate: IF = 0


@pytest.mark.parametrize("engine", ENGINES)
def test_int3_and_into_are_traps(engine):
    # int3 ; (handler 3: add ebx, 1 ; iretd) ; mov al, 0x7f ; add al, 1 ; into ; hlt
    code = bytes.fromhex("cc b0 7f 04 01 ce") + HLT
    m = machine(code, handlers={3: b"\x83\xc3\x01" + IRETD, 4: b"\x83\xc3\x10" + IRETD})
    assert run(engine, m) == "halt"
    assert m.state.w[3] == 0x11 and m.state.w[W_EIP] == CODE + len(code)
    assert m.state.w[ESP] == KSTACK


@pytest.mark.parametrize("engine", ENGINES)
def test_ring3_syscall_and_gp_from_cli(engine):
    """INT 0x80 through a DPL-3 trap gate switches to ESP0/SS0 and IRET goes back to ring 3 (making
    FS, a DPL-0 segment, null); CLI at CPL 3 > IOPL faults into the ring-0 #GP handler."""
    user = bytes.fromhex("b8 07 00 00 00 cd 80 89 c3 fa")        # mov eax, 7 ; int 0x80 ; mov ebx, eax ; cli
    code = bytes.fromhex("66 b8 10 00 8e e0") + to_ring3()       # mov ax, 0x10 ; mov fs, ax ; to ring 3
    syscall = bytes.fromhex("83 c0 01") + IRETD                  # add eax, 1 ; iretd
    gates = {0x80: gate(HANDLER + 0x800, kind=0xEF)}
    m = machine(code, user, handlers={13: HLT, 0x80: syscall}, gates=gates)
    assert run(engine, m) == "halt"
    w, cpu = m.state.w, m.state.cpu
    assert w[3] == 8                                             # the system call ran and returned
    assert w[W_CPL] == 0 and cpu.seg[CS].selector == K_CODE and cpu.seg[SS].selector == K_DATA
    assert w[ESP] == ESP0 - 24
    assert stack(m, 6)[:5] == [0, USER + 9, U_CODE, stack(m, 6)[3], USTACK] and stack(m, 6)[5] == U_DATA
    assert cpu.seg[FS].selector == 0                             # nulled by the IRET to ring 3


@pytest.mark.parametrize("engine", ENGINES)
def test_gate_dpl_is_checked_for_int_n_only(engine):
    """INT 0x81 through a DPL-0 gate from ring 3: #GP(0x81 * 8 + 2), EXT = 0."""
    m = machine(to_ring3(), b"\xcd\x81", handlers={13: HLT, 0x81: HLT})
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == HANDLER + 13 * 0x10 + 1
    assert stack(m, 3)[:3] == [0x81 * 8 + 2, USER, U_CODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_fault_while_delivering_a_benign_exception(engine):
    """#UD whose gate is not present: #NP(6 * 8 + 2 + EXT) is delivered instead, at the ud2."""
    m = machine(b"\x0f\x0b", handlers={11: HLT}, gates={6: gate(HANDLER) & ~(1 << 47)})
    assert run(engine, m) == "halt"
    assert stack(m, 3) == [6 * 8 + 3, CODE, K_CODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_contributory_during_contributory_is_a_double_fault(engine):
    """mov ds, BAD_SEL -> #GP(0x38), whose gate is not present -> #NP: #DF with error code 0."""
    code = bytes.fromhex("66 b8") + struct.pack("<H", BAD_SEL) + bytes.fromhex("8e d8")
    m = machine(code, handlers={8: HLT, 11: HLT}, gates={13: gate(HANDLER) & ~(1 << 47)})
    assert run(engine, m) == "halt"
    assert m.state.w[W_EIP] == HANDLER + 8 * 0x10 + 1
    assert stack(m, 3) == [0, CODE + 4, K_CODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_no_idt_is_a_triple_fault_with_the_state_of_the_faulting_instruction(engine):
    m = machine(b"\x90\x0f\x0b", idt_limit=0)
    end = run(engine, m)
    assert isinstance(end, GuestShutdown)
    assert [(f.vector, f.error_code) for f in end.faults] == [(6, None), (13, 0x33), (13, 0x6B), (8, 0), (13, 0x43)]
    assert "outside the IDT limit" in str(end) and str(end).startswith("#UD")
    assert m.state.w[W_EIP] == CODE + 1 and m.state.w[ESP] == KSTACK


@pytest.mark.parametrize("engine", ENGINES)
def test_task_gates_are_refused_and_say_so(engine):
    m = machine(b"\xcd\x30", gates={0x30: 0x0000850000000000 | (TSS_SEL << 16)}, idt_limit=0x30 * 8 + 7)
    end = run(engine, m)
    assert isinstance(end, GuestShutdown) and "task gate" in str(end.faults[0])


@pytest.mark.parametrize("engine", ENGINES)
def test_iret_to_ring3_checks_the_stack_selector(engine):
    """IRET to ring 3 with a ring-0 SS: #GP(SS selector), ESP unchanged."""
    code = (b"\x6a" + bytes([K_DATA]) + b"\x68" + struct.pack("<I", USTACK) + b"\x6a\x02"
            + b"\x6a" + bytes([U_CODE]) + b"\x68" + struct.pack("<I", USER) + IRETD)
    m = machine(code, handlers={13: HLT})
    assert run(engine, m) == "halt"
    assert stack(m, 3)[:2] == [K_DATA, CODE + len(code) - 1]
    assert m.state.w[ESP] == KSTACK - 20 - 16          # its own frame popped nothing; the #GP frame on top
