"""External interrupts on both engines (bt/runtime/external_interrupts.py): where they are taken (at
instruction boundaries, after the STI / MOV SS / POP SS shadows, after a POPF that sets IF, while
HLT sleeps), the saved EIP, and --icount determinism. Each case runs on the interpreter and on the
JIT (quick and hot tier) with the same machine set-up; expected values come from the SDM's rules
(the interrupt is recognised at the first boundary where IF = 1 and no shadow blocks it)."""
import io
import pathlib
import struct
import subprocess
import tempfile

import pytest

from bt.runtime.events import GuestExit, GuestHalt, LimitReached
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.machine import Machine
from bt.runtime.state import EAX, EBX, ESI, ESP, W_EIP

CODE, HANDLER, IDT, GDT, STACK, LOG = 0x10000, 0x20000, 0x30000, 0x31000, 0x80000, 0x40000
IRQ_BASE = 0x20
GDT_ENTRIES = [0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF]
ENGINES = {"interp": lambda m: Interpreter(m), "jit": lambda m: Jit(m),
           "jit-hot": lambda m: Jit(m, hot_threshold=1)}

# Handler: log [esp] (the saved EIP) and EBX, EOI, iretd.
#   push eax ; mov eax, [esp+4] ; mov [edi], eax ; mov [edi+4], ebx ; add edi, 8
#   mov al, 0x20 ; out 0x20, al ; pop eax ; iretd
LOGGING_HANDLER = bytes.fromhex("50 8b 44 24 04 89 07 89 5f 04 83 c7 08 b0 20 e6 20 58 cf")


def asm(source, org=CODE):
    """Assemble 32-bit `source` with nasm at `org`."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = pathlib.Path(tmp, "code.asm"), pathlib.Path(tmp, "code.bin")
        src.write_text(f"bits 32\norg {org:#x}\n{source}\n")
        subprocess.run(["nasm", "-f", "bin", "-o", str(out), str(src)], check=True, capture_output=True)
        return out.read_bytes()


def machine(code, icount=None, unmask=0xFE, stdin=b""):
    """Ring 0 at CODE, flat GDT, IDT vectors 0x20..0x2F -> LOGGING_HANDLER, PIC remapped to 0x20 with
    IMR `unmask`, EDI -> the handler's log, PIT channel 0 stopped."""
    m = Machine(memory_size=4 << 20, icount=icount, stdin=io.BytesIO(stdin), stdout=io.BytesIO())
    m.mem.write(GDT, b"".join(struct.pack("<Q", d) for d in GDT_ENTRIES))
    m.mem.write(HANDLER, LOGGING_HANDLER)
    for v in range(IRQ_BASE, IRQ_BASE + 16):
        gate = (HANDLER & 0xFFFF) | (0x08 << 16) | (0x8E << 40) | ((HANDLER >> 16) << 48)
        m.mem.write(IDT + 8 * v, struct.pack("<Q", gate))
    cpu = m.state.cpu
    cpu.gdtr_base, cpu.gdtr_limit = GDT, 8 * len(GDT_ENTRIES) - 1
    cpu.idtr_base, cpu.idtr_limit = IDT, 0x7FF
    # PIC remapped; PIT channel 0 stopped (a control word without a count) until the code programs it
    for port, value in ((0x20, 0x11), (0x21, IRQ_BASE), (0x21, 4), (0x21, 1), (0x21, unmask), (0x43, 0x30)):
        m.io.write(port, 1, value)
    m.mem.write(CODE, code)
    w = m.state.w
    w[W_EIP], w[ESP], w[7] = CODE, STACK, LOG
    return m


def run(engine, m, max_insns=100_000):
    try:
        ENGINES[engine](m).run(max_insns=max_insns)
    except (GuestHalt, GuestExit) as e:
        return e
    raise AssertionError("the run did not end")


def log(m):
    """[(saved EIP, EBX)] of each interrupt the handler saw."""
    n = (m.state.w[7] - LOG) // 8
    return [struct.unpack("<II", m.mem.read(LOG + 8 * i, 8)) for i in range(n)]


@pytest.mark.parametrize("engine", ENGINES)
def test_pending_irq_taken_after_sti_and_one_more_instruction(engine):
    src = """
        xor ebx, ebx
        sti
        inc ebx          ; runs inside the STI shadow
        inc ebx          ; the interrupt comes before this one
        cli
        hlt
    """
    code = asm(src)
    m = machine(code)
    m.pic.raise_irq(0)
    assert isinstance(run(engine, m), GuestHalt)
    # xor ebx,ebx is 2 bytes, sti 1, inc ebx 1: the saved EIP is the second inc
    assert log(m) == [(CODE + 4, 1)]
    assert m.state.w[EBX] == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_sti_shadow_does_not_chain_into_mov_ss(engine):
    # QEMU (and the SDM's "may be recognized"): STI; MOV SS -> the interrupt comes after MOV SS.
    code = asm("mov cx, ss\nxor ebx, ebx\nsti\nmov ss, cx\ninc ebx\ninc ebx\ncli\nhlt")
    m = machine(code)
    m.pic.raise_irq(0)
    assert isinstance(run(engine, m), GuestHalt)
    assert log(m) == [(CODE + 3 + 2 + 1 + 2, 0)]


SS_LOADS = {"mov ss": "mov ss, cx", "pop ss": "push ss\n    pop ss"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("load", SS_LOADS)
def test_no_interrupt_right_after_an_ss_load(engine, load):
    # A timer ticking every ~100 instructions over a long run of "SS load; inc ebx": with the shadow,
    # no interrupt may be taken between a load and its inc, so no saved EIP points at an inc (0x43).
    body = "\n".join([f"    {SS_LOADS[load]}\n    inc ebx"] * 200)
    src = f"""
        mov al, 0x34
        out 0x43, al
        mov al, 10
        out 0x40, al
        xor al, al
        out 0x40, al
        mov cx, ss
        xor ebx, ebx
        mov esi, 40
        sti
    .again:
    {body}
        dec esi
        jnz .again
        cli
        hlt
    """
    code = asm(src)
    m = machine(code, icount=5)             # a tick every 10 * 838 ns / 32 ns = 262 instructions
    assert isinstance(run(engine, m, max_insns=1_000_000), GuestHalt)
    seen = [code[eip - CODE] for eip, _ in log(m)]
    assert len(seen) > 50
    assert 0x43 not in seen
    assert seen.count(0x8E if load == "mov ss" else 0x16) > 40


@pytest.mark.parametrize("engine", ENGINES)
def test_popf_setting_if_takes_pending_interrupt_after_it(engine):
    src = """
        xor ebx, ebx
        push dword 0x202
        popfd            ; IF = 1 with IRQ 0 pending: taken after this (JIT: native POPF)
        inc ebx
        inc ebx
        cli
        hlt
    """
    code = asm(src)
    m = machine(code)
    m.pic.raise_irq(0)
    assert isinstance(run(engine, m), GuestHalt)
    assert log(m) == [(CODE + 2 + 5 + 1, 0)]
    assert m.state.w[EBX] == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_popf_in_a_loop_native(engine):
    # A loop that keeps IF=0 with POPF except once: the JIT runs POPF natively (hot tier too); the
    # interrupt must come right after the POPF that sets IF, not at some later budget end.
    src = """
        xor ebx, ebx
        mov ecx, 3000
    .loop:
        push dword 0x002
        popfd
        inc ebx
        cmp ebx, 2500
        jne .next
        push dword 0x202
        popfd
        nop
        cli
    .next:
        dec ecx
        jnz .loop
        hlt
    """
    code = asm(src)
    m = machine(code)
    m.pic.raise_irq(0)
    assert isinstance(run(engine, m), GuestHalt)
    assert len(log(m)) == 1, log(m)
    (eip, ebx), = log(m)
    assert ebx == 2500
    assert eip == CODE + code.index(bytes.fromhex("90 fa"))   # the nop after the second popfd


@pytest.mark.parametrize("engine", ENGINES)
def test_hlt_sleeps_until_the_timer_and_iret_returns_after_it(engine):
    # PIT channel 0, mode 2, count 100; the HLT loop counts 5 interrupts.
    src = """
        mov al, 0x34
        out 0x43, al
        mov al, 100
        out 0x40, al
        xor al, al
        out 0x40, al
        xor ebx, ebx
        sti
    .wait:
        hlt
    after_hlt:
        inc ebx
        cmp ebx, 5
        jb .wait
        cli
        hlt
    """
    code = asm(src)
    m = machine(code, icount=3)
    assert isinstance(run(engine, m), GuestHalt)
    after_hlt = CODE + code.index(bytes.fromhex("43 83 fb 05"))
    assert log(m) == [(after_hlt, i) for i in range(5)]


@pytest.mark.parametrize("engine", ENGINES)
def test_hlt_with_if_set_and_nothing_to_wake_it_ends_the_run(engine):
    code = asm("mov al, 0xFF\nout 0x21, al\nsti\nhlt\nnop")
    m = machine(code)
    e = run(engine, m)
    assert isinstance(e, GuestHalt)
    assert e.eip == CODE + 2 + 2 + 1 + 1


@pytest.mark.parametrize("engine", ENGINES)
def test_interrupt_with_if_clear_waits_for_sti(engine):
    src = """
        xor ebx, ebx
        mov ecx, 2000
    .spin:
        inc ebx
        dec ecx
        jnz .spin
        sti
        nop
        nop
        cli
        hlt
    """
    code = asm(src)
    m = machine(code)
    m.pic.raise_irq(0)
    assert isinstance(run(engine, m), GuestHalt)
    sti = code.index(b"\xfb")
    assert log(m) == [(CODE + sti + 2, 2000)]


TIMER_LOOP = """
    mov al, 0x34
    out 0x43, al
    mov ax, {count}
    out 0x40, al
    mov al, ah
    out 0x40, al
    xor ebx, ebx
    sti
.loop:
    inc ebx
    mov eax, ebx
    imul eax, eax
    test ebx, 0x3f
    jnz .loop
    cmp dword [counter], 10
    jb .loop
    cli
    hlt
counter: dd 0
"""


def _timer_machine(icount, count=50):
    code = asm(TIMER_LOOP.format(count=count))
    m = machine(code, icount=icount)
    counter = CODE + len(code) - 4
    # this handler counts in `counter` too: inc dword [counter] before the logging handler
    m.mem.write(HANDLER - 16, b"\xff\x05" + struct.pack("<I", counter) + b"\xe9"
                + struct.pack("<i", HANDLER - (HANDLER - 16 + 11)))
    for v in range(IRQ_BASE, IRQ_BASE + 16):
        h = HANDLER - 16
        m.mem.write(IDT + 8 * v, struct.pack("<Q", (h & 0xFFFF) | (0x08 << 16) | (0x8E << 40) | ((h >> 16) << 48)))
    m.irq.trace = []
    return m


@pytest.mark.parametrize("icount", [0, 2])
def test_icount_interrupts_land_on_the_same_instruction_on_every_engine(icount):
    traces, logs = {}, {}
    for engine in ENGINES:
        m = _timer_machine(icount)
        assert isinstance(run(engine, m, max_insns=5_000_000), GuestHalt)
        traces[engine], logs[engine] = m.irq.trace, log(m)
    assert len(traces["interp"]) == 10
    assert all(v == IRQ_BASE for _, v in traces["interp"])
    # consecutive ticks are 50 PIT clocks = 41,905 ns apart: 41,905 / 2**icount instructions
    gaps = {b[0] - a[0] for a, b in zip(traces["interp"], traces["interp"][1:])}
    period = 50 * 10**9 / 1_193_182 / 2**icount
    assert all(abs(g - period) <= 2 for g in gaps), gaps
    assert traces["jit"] == traces["interp"] and traces["jit-hot"] == traces["interp"]
    assert logs["jit"] == logs["interp"] and logs["jit-hot"] == logs["interp"]


@pytest.mark.parametrize("icount", [0, 3, None])
@pytest.mark.parametrize("engine", ENGINES)
def test_icount_rdtsc_reads_guest_time_on_every_engine(engine, icount):
    """With --icount the TSC is the guest time in ns (bt/runtime/clock.py), as under QEMU's -icount:
    QEMU 7.2 reads 0x66 (shift 0) and 0x330 (shift 3) from the last RDTSC minus the one before the
    NOPs (102 instructions: RDTSC, MOV, 100 NOPs). Without --icount btvm's TSC counts instructions.
    The first RDTSC follows 3 instructions (random_code seed 1000483, where the JIT counted only its
    interpreter's steps); the second one is in the middle of an interpreter block."""
    src = """
        nop
        nop
        jmp .a
    .a: rdtsc
        mov esi, eax
        rdtsc
        mov ebx, eax
        times 100 nop
        rdtsc
        sub eax, ebx
        hlt
    """
    m = machine(asm(src), icount=icount)
    assert isinstance(run(engine, m), GuestHalt)
    w = m.state.w
    shift = icount or 0
    assert (w[ESI], w[EBX] - w[ESI], w[EAX]) == (3 << shift, 2 << shift, 102 << shift)


@pytest.mark.parametrize("icount, count", [(0, 5), (2, 50)])
def test_lockstep_with_icount_and_a_ticking_timer_finds_no_divergence(icount, count):
    m = _timer_machine(icount, count)
    result = m.run(engine="diff", max_insns=2_000_000)
    assert result.reason == "halt", result.message
    assert len(m.irq.trace) == 10


def test_real_time_timer_interrupts_arrive():
    m = _timer_machine(None, count=1193)           # 1 kHz
    assert isinstance(run("jit", m, max_insns=10**10), GuestHalt)
    assert len(log(m)) >= 10        # the loop looks at the count every 64 iterations


@pytest.mark.parametrize("engine", ENGINES)
def test_uart_received_data_interrupt_wakes_hlt(engine):
    # IER = received data available; each byte of input raises IRQ 4, the handler stores it.
    src = """
        mov dx, 0x3F9
        mov al, 1
        out dx, al
        xor ebx, ebx
        sti
    .wait:
        hlt
        cmp ebx, 3
        jb .wait
        cli
        hlt
    rx:
        push eax
        push edx
        mov dx, 0x3F8
        in al, dx
        mov [0x50000 + ebx], al
        inc ebx
        mov al, 0x20
        out 0x20, al
        pop edx
        pop eax
        iretd
    """
    code = asm(src)
    m = machine(code, unmask=0xEF, stdin=b"hi!")
    rx = CODE + code.index(bytes.fromhex("50 52 66 ba f8 03"))
    m.mem.write(IDT + 8 * 0x24, struct.pack("<Q", (rx & 0xFFFF) | (0x08 << 16) | (0x8E << 40) | ((rx >> 16) << 48)))
    assert isinstance(run(engine, m), GuestHalt)
    assert m.mem.read(0x50000, 3) == b"hi!"
    assert m.state.w[EBX] == 3


def test_native_sti_keeps_its_shadow_when_the_jit_returns_right_after_it():
    """STI runs natively (IF 0 -> 1, nothing pending); the dispatcher returns to Python right after
    it (budget of one instruction) and only then does the PIC raise INTR: that boundary is still in
    STI's shadow (SDM: recognised after the next instruction), so `inc ebx` runs first."""
    m = machine(asm("""
        xor ebx, ebx
        cli
        jmp next         ; STI starts its own block
    next:
        sti
        inc ebx
        cli
        hlt
    """))
    jit = Jit(m)
    jit.irq.begin(lambda: jit.executed)
    with pytest.raises(LimitReached):
        jit.run(max_insns=3)                   # xor, cli, jmp: EIP at the STI
    sti_eip = m.state.w[W_EIP]
    jit._check_mode()
    jit._on_miss(sti_eip)                      # translate it, then run just that block natively
    jit.ctx.budget = 1
    jit._dispatch(jit._st_ptr, jit._ctx_ptr)
    jit.executed += 1 - jit._budget_left()
    jit._native_sti_shadow()
    assert m.state.w[W_EIP] == sti_eip + 1 and jit.stats.callouts.get("interrupt-flag") is None
    m.pic.raise_irq(0)
    try:
        jit.run(max_insns=100)                 # its first look at interrupts is at this boundary
    except GuestHalt:
        pass
    assert log(m) == [(sti_eip + 2, 1)]       # taken after `inc ebx`, with EBX = 1
