"""Native IN (bt/backend/lower_ports.py) from the port mirror (bt/runtime/port_mirror.py).

- The mirror's invariant on the UART, under random access sequences: a valid entry is what a read
  through the bus returns, and that read changes nothing in the device.
- The JIT's IN gives what the interpreter's gives (every UART register, unassigned ports, loopback,
  IOPL and the TSS I/O bitmap at CPL 3), and runs natively where the mirror allows: the JIT's
  interpreter runs only what is expected (the final HLT, OUTs, withdrawn registers).
- --icount: an LSR polling loop under timer interrupts takes every interrupt at the same instruction
  on both engines; lockstep (--diff) runs native INs without divergence.
Expected values: QEMU's reset values (LSR 0x60, MSR 0xB0...) and the interpreter (the reference).
"""
import io
import os
import struct
import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from bt.runtime.devices.uart import COM1_PORT
from bt.runtime.events import GuestExit, GuestFault, GuestHalt, GuestShutdown
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.machine import Machine
from bt.runtime.ports import PortBus
from bt.runtime.state import EBX, ESP, REG_NAMES, W_CPL, W_EFLAGS, W_EIP
from test_irq_engines import asm, log, machine as irq_machine

CODE, STACK = 0x1000, 0x8000
LSR, MSR, IIR, LCR, MCR, SCR, IER = (COM1_PORT + o for o in (5, 6, 2, 3, 4, 7, 1))
ENDINGS = (GuestExit, GuestFault, GuestHalt, GuestShutdown)


# ---- the mirror's invariant ----------------------------------------------------------------------

def _uart_state(u):
    return (u.rbr, u.ier, u.iir, u.fcr, u.lcr, u.mcr, u.lsr, u.msr, u.scr, u.divisor, tuple(u.rx),
            u.thr_ipending, u.irq_level, u.input._pending, u.input._eof)


# Writes that change what the registers mean (DLAB, loopback, FIFO, interrupt enables), data bytes,
# reads of every register, and host-input polls.
_WRITES = [(3, 0x80), (3, 0x03), (4, 0x10), (4, 0x18), (4, 0x08), (2, 0x07), (2, 0x01), (2, 0x00),
           (1, 0x0F), (1, 0x02), (1, 0x00)]
_ops = st.lists(st.one_of(
    st.tuples(st.just("w"), st.sampled_from(_WRITES)),
    st.tuples(st.just("w"), st.tuples(st.sampled_from([0, 7]), st.integers(0, 255))),
    st.tuples(st.just("r"), st.integers(0, 7)),
    st.tuples(st.just("poll"), st.just(0))), max_size=40)


@settings(max_examples=500, deadline=None)
@given(ops=_ops, data=st.binary(max_size=40))
def test_a_valid_uart_entry_is_the_read_value_and_the_read_changes_nothing(ops, data):
    m = Machine(memory_size=1 << 20, stdin=io.BytesIO(data), stdout=io.BytesIO())
    u, mirror = m.uart, m.io.mirror
    try:
        for op, arg in [("r", 0)] + ops:
            if op == "w":
                m.io.write(COM1_PORT + arg[0], 1, arg[1])
            elif op == "r":
                m.io.read(COM1_PORT + arg, 1)
            else:
                u.poll_host()
            for reg in range(8):
                published = mirror.get(COM1_PORT + reg)
                if published is None:
                    continue
                before = _uart_state(u)
                assert m.io.read(COM1_PORT + reg, 1) == published, (reg, ops)
                assert _uart_state(u) == before, (reg, ops)
    finally:
        m.close()


def test_reset_values_are_published_as_qemu_shows_them():
    m = Machine(memory_size=1 << 20, stdin=io.BytesIO(), stdout=io.BytesIO())
    try:
        got = {p: m.io.mirror.get(p) for p in (IER, IIR, LCR, MCR, LSR, MSR, SCR)}
        assert got == {IER: 0, IIR: 0x01, LCR: 0, MCR: 0x08, LSR: 0x60, MSR: 0xB0, SCR: 0}
        assert m.io.mirror.get(COM1_PORT) is None          # RBR pops the receive FIFO
    finally:
        m.close()


def test_lsr_is_withdrawn_while_known_input_waits_and_after_an_overrun():
    m = Machine(memory_size=1 << 20, stdin=io.BytesIO(b"ab"), stdout=io.BytesIO())
    try:
        assert m.io.mirror.get(LSR) is None                # a read would take "a" from the host
        assert m.io.read(LSR, 1) == 0x61
        assert m.io.mirror.get(LSR) == 0x61                # data ready: reading LSR changes nothing
        m.io.write(MCR, 1, 0x10)                           # loopback, then two bytes into a 1-byte RBR
        m.io.write(COM1_PORT, 1, 1)
        m.io.write(COM1_PORT, 1, 2)
        assert m.io.mirror.get(LSR) is None                # OE set: a read clears it
        m.io.write(MCR, 1, 0x08)                           # out of loopback: OE stays
        assert m.io.mirror.get(LSR) is None
        assert m.io.read(LSR, 1) & 0x02 and m.io.mirror.get(LSR) == 0x61
    finally:
        m.close()


def test_unassigned_ports_read_ff_and_attached_ports_are_withdrawn():
    bus = PortBus()
    assert bus.mirror.get(0x1234) == 0xFF and bus.mirror.get(0x40) == 0xFF

    class Dev:
        port_count, access_sizes = 2, (1,)
    bus.attach(0x40, Dev())
    assert bus.mirror.get(0x40) is None and bus.mirror.get(0x41) is None and bus.mirror.get(0x42) == 0xFF


# ---- both engines ------------------------------------------------------------------------------

def _run(engine, code, cpl=0, iopl=0, memory=None, hot_threshold=None, stdin=b""):
    m = Machine(memory_size=1 << 20, stdin=io.BytesIO(stdin), stdout=io.BytesIO())
    for addr, data in (memory or {}).items():
        m.mem.write(addr, data)
    m.mem.write(CODE, code)
    w = m.state.w
    w[W_EIP], w[ESP] = CODE, STACK
    w[W_EFLAGS] |= iopl << 12
    w[W_CPL] = cpl
    eng = Jit(m, hot_threshold=hot_threshold) if engine == "jit" else Interpreter(m)
    try:
        eng.run(max_insns=10_000_000)
        end = "returned"
    except ENDINGS as e:
        end = type(e).__name__ + (f" {e.status}" if isinstance(e, GuestExit) else "")
    regs = {REG_NAMES[r]: w[r] for r in range(8)}
    m.close()
    return regs, end, getattr(eng, "stats", None)


def both(source, **kw):
    code = asm(source, CODE)
    jit, jit_end, stats = _run("jit", code, **kw)
    ref, ref_end, _ = _run("interp", code, **kw)
    assert (jit, jit_end) == (ref, ref_end)
    return jit, jit_end, stats


READ_ALL = """
    mov dx, 0x3F9
    in al, dx
    mov bl, al
    inc dx
    in al, dx
    mov bh, al
    shl ebx, 16
    inc dx
    in al, dx
    mov bl, al
    inc dx
    in al, dx
    mov bh, al
    inc dx
    in al, dx
    mov cl, al
    inc dx
    in al, dx
    mov ch, al
    inc dx
    in al, dx
    mov ah, al
    in al, 0x99          ; unassigned
    hlt
"""


def test_every_uart_register_reads_the_same_natively():
    regs, end, stats = both(READ_ALL)
    assert end == "GuestHalt"
    # IER 0, IIR 1 | LCR 0, MCR 8 | LSR 0x60, MSR 0xB0 | SCR 0 in AH, 0xFF in AL
    assert regs["ebx"] == 0x01000800 and regs["ecx"] & 0xFFFF == 0xB060 and regs["eax"] & 0xFFFF == 0x00FF
    assert stats.interp_steps == 1 and stats.callouts == {"halt": 1}   # only the HLT left native code


def test_dlab_divisor_bytes_read_natively():
    regs, _, stats = both("""
        mov dx, 0x3FB
        mov al, 0x80
        out dx, al           ; DLAB = 1
        mov dx, 0x3F8
        in al, dx
        mov bl, al
        inc dx
        in al, dx
        mov bh, al
        hlt
    """)
    assert regs["ebx"] & 0xFFFF == 0x000C                          # 9600 baud, QEMU's reset divisor
    assert stats.callouts == {"io": 1, "halt": 1} and stats.interp_steps == 2


def test_loopback_byte_is_seen_by_the_next_native_lsr_read():
    regs, _, stats = both("""
        mov dx, 0x3FC
        mov al, 0x18
        out dx, al           ; MCR: loopback, OUT2
        mov dx, 0x3F8
        mov al, 0x41
        out dx, al           ; THR -> RBR
        mov dx, 0x3FD
        in al, dx            ; native: DR | THRE | TEMT
        mov bl, al
        mov dx, 0x3F8
        in al, dx            ; RBR: the interpreter (it pops the byte)
        mov bh, al
        mov dx, 0x3FD
        in al, dx            ; native again: DR clear
        mov cl, al
        mov dx, 0x3FE
        in al, dx            ; MSR in loopback: from MCR's OUT2 -> DCD
        mov ch, al
        hlt
    """)
    assert regs["ebx"] & 0xFFFF == 0x4161 and regs["ecx"] & 0xFFFF == 0x8060
    assert stats.callouts == {"io": 2, "halt": 1, "none": 1}   # OUTs, HLT, RBR: a side exit ("none")
    assert stats.interp_steps == 4                         # + the RBR read (a side exit) + HLT


def test_iir_with_thr_interrupt_goes_to_the_interpreter_and_acknowledges():
    regs, _, stats = both("""
        mov dx, 0x3F9
        mov al, 0x02
        out dx, al           ; IER: THR empty interrupt -> IIR reports it
        inc dx
        in al, dx            ; interpreter: 0x02, acknowledges
        mov bl, al
        in al, dx            ; native: 0x01
        mov bh, al
        hlt
    """)
    assert regs["ebx"] & 0xFFFF == 0x0102
    assert stats.interp_steps == 3


def test_word_in_stays_an_io_callout():
    regs, _, stats = both("mov dx, 0x3FC\nin ax, dx\nmov bx, ax\nhlt")
    assert regs["ebx"] & 0xFFFF == 0x6008 and stats.callouts == {"io": 1, "halt": 1}


TSS_IOMAP = 0x100           # the reset TR is a 32-bit TSS at 0 with limit 0xFFFF


def _bitmap(denied=()):
    bits = bytearray(0x2000)
    for port in denied:
        bits[port >> 3] |= 1 << (port & 7)
    return {0x66: struct.pack("<H", TSS_IOMAP), TSS_IOMAP: bytes(bits)}


RING3_IN = "mov dx, 0x3FD\nin al, dx\nmov bl, al\nin al, 0x99\nmov bh, al\nmov al, 7\nout 0xF4, al"


def test_cpl3_with_iopl3_reads_natively():
    regs, end, stats = both(RING3_IN, cpl=3, iopl=3)
    assert end == "GuestExit 7" and regs["ebx"] & 0xFFFF == 0xFF60
    assert stats.interp_steps == 1                         # only the OUT


def test_cpl3_above_iopl_asks_the_bitmap_in_the_interpreter():
    regs, end, stats = both(RING3_IN, cpl=3, iopl=0, memory=_bitmap())
    assert end == "GuestExit 7" and regs["ebx"] & 0xFFFF == 0xFF60
    assert stats.interp_steps == 3                         # both INs left native code, and the OUT


def test_cpl3_denied_by_the_bitmap_faults_on_both_engines():
    regs, end, stats = both(RING3_IN, cpl=3, iopl=0, memory=_bitmap(denied=[0x3FD]))
    assert end in ("GuestShutdown", "GuestFault") and regs["ebx"] == 0


def test_hot_tier_loop_reads_lsr_natively():
    regs, end, stats = both("""
        mov ecx, 5000
        xor ebx, ebx
        mov dx, 0x3FD
        xor eax, eax
    .loop:
        in al, dx
        add ebx, eax
        dec ecx
        jnz .loop
        hlt
    """, hot_threshold=1)
    assert regs["ebx"] == 5000 * 0x60 and stats.hot_blocks >= 1 and stats.interp_steps == 1


# ---- --icount and lockstep ----------------------------------------------------------------------

POLL_UNDER_TIMER = """
    mov al, 0x34
    out 0x43, al
    mov al, 50
    out 0x40, al
    xor al, al
    out 0x40, al
    xor ebx, ebx
    mov ecx, 20000
    mov dx, 0x3FD
    sti
.loop:
    in al, dx
    inc ebx
    dec ecx
    jnz .loop
    cli
    hlt
"""


def test_icount_interrupts_come_at_the_same_instruction_while_polling_natively():
    code = asm(POLL_UNDER_TIMER)
    logs = {}
    for name, make in (("interp", Interpreter), ("jit", Jit), ("jit-hot", lambda m: Jit(m, hot_threshold=1))):
        m = irq_machine(code, icount=5)
        eng = make(m)
        with pytest.raises(GuestHalt):
            eng.run(max_insns=1_000_000)
        logs[name] = log(m)
        if name != "interp":
            assert "none" not in eng.stats.callouts, eng.stats.callouts     # no IN left native code
    assert len(logs["interp"]) > 20
    assert logs["jit"] == logs["interp"] and logs["jit-hot"] == logs["interp"]


def test_lockstep_runs_native_in_without_divergence():
    code = asm(READ_ALL.replace("hlt", "mov al, 3\nout 0xF4, al"), CODE)
    m = Machine(memory_size=1 << 20, stdin=io.BytesIO(), stdout=io.BytesIO())
    m.mem.write(CODE, code)
    m.state.w[W_EIP], m.state.w[ESP] = CODE, STACK
    result = m.run(engine="diff")
    assert (result.reason, result.status) == ("exit", 3), result.message
    m.close()


def test_host_input_reaches_a_guest_polling_lsr_natively():
    """A byte that arrives on a descriptor while the guest polls LSR natively is not seen by the native
    reads: the JIT takes it when native code next returns to Python (UART._refresh), here at the end
    of a budget chunk of the run loop."""
    read_fd, write_fd = os.pipe()
    code = asm("""
        mov dx, 0x3FD
    .wait:
        in al, dx
        test al, 1
        jz .wait
        mov dx, 0x3F8
        in al, dx
        mov bl, al
        hlt
    """, CODE)
    with os.fdopen(read_fd, "rb", buffering=0) as stdin, os.fdopen(write_fd, "wb", buffering=0) as host:
        m = Machine(memory_size=1 << 20, stdin=stdin, stdout=io.BytesIO())
        m.mem.write(CODE, code)
        m.state.w[W_EIP], m.state.w[ESP] = CODE, STACK
        jit = Jit(m)
        sender = threading.Timer(0.2, host.write, (b"Z",))      # while the loop runs natively
        sender.start()
        t0 = time.monotonic()
        with pytest.raises(GuestHalt):
            jit.run(max_insns=2_000_000_000)
        took = time.monotonic() - t0
        sender.join()
        assert m.state.w[EBX] & 0xFF == ord("Z")
        assert jit.stats.interp_steps == 2                # the RBR read and the HLT: LSR was native
        print(f"\nhost byte seen after {jit.executed} guest instructions, {took * 1e3:.0f} ms "
              f"({jit.stats.returns_to_python} returns to Python)")
        m.close()
