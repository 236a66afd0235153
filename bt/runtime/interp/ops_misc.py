"""Miscellaneous handlers: the NOP family, flag bit instructions (CLC STC CMC CLD STD), CPUID, RDTSC,
BOUND, UD0/UD2. Called by the interpreter core at decode time (the factories); the closures run hot.

CPUID (chosen to claim only what btvm implements; GenuineIntel like QEMU's default `qemu32` CPU):
  leaf 0           EAX = 1 (highest basic leaf), vendor "GenuineIntel".
  leaf 1           EAX = 0x00000663: family 6, model 6, stepping 3 (qemu32's signature, a P6).
                   EBX = ECX = 0.
                   EDX = PSE | TSC | CX8 | PGE | CMOV. Not claimed, unlike qemu32: FPU, MMX, FXSR,
                   SSE/SSE2 (no x87/SIMD yet), DE, MSR, PAE, MCE, APIC, SEP, MTRR, MCA, PAT, PSE36.
  0x80000000       EAX = 0x80000000: no extended leaves.
  any other leaf   as an Intel CPU does for a leaf above the maximum: leaf 1's data.
RDTSC: the machine clock's TSC (bt/runtime/clock.py: guest ns with --icount, else instructions
  retired, both counted by the running engine; RDTSC ends its interpreter block so that the count is
  exact there), or the interpreter's own count on a machine without a clock (tests). It returns
  max(that, last + 1), so it increases strictly between two reads, and stores the value in
  state.cpu.tsc (the 64-bit TSC field that the JIT and WRMSR share).
"""
from bt.frontend.decoder import MEM
from bt.runtime import flags
from bt.runtime.events import GuestFault, BR, UD
from bt.runtime.interp.registry import handles
from bt.runtime.state import EAX, ECX, EDX, EBX, CF, DF, W_EFLAGS

M32 = 0xFFFFFFFF

CPUID_PSE, CPUID_TSC, CPUID_CX8, CPUID_PGE, CPUID_CMOV = 1 << 3, 1 << 4, 1 << 8, 1 << 13, 1 << 15
_VENDOR = b"GenuineIntel"     # CPUID returns it in EBX, EDX, ECX


def _word(i):
    return int.from_bytes(_VENDOR[i:i + 4], "little")


# leaf -> (EAX, EBX, ECX, EDX)
_LEAF1 = (0x663, 0, 0, CPUID_PSE | CPUID_TSC | CPUID_CX8 | CPUID_PGE | CPUID_CMOV)
_LEAVES = {0: (1, _word(0), _word(8), _word(4)), 1: _LEAF1, 0x80000000: (0x80000000, 0, 0, 0)}


def _nothing():
    return None


@handles("nop", "pause", "endbr32", "prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2")
def nop(x, insn):
    # NOP r/m does not access memory. (WAIT, a no-op unless CR0.MP and TS, is in ops_x87.py.)
    return _nothing


@handles("clc", "stc", "cmc")
def carry_flag(x, insn):
    w = x.w
    set_arith, materialize = flags.set_arith, flags.materialize
    if insn.name == "cmc":
        def op():
            w[W_EFLAGS] = materialize(w) ^ CF
        return op
    value = CF if insn.name == "stc" else 0

    def op_set():
        set_arith(w, value, CF)
    return op_set


@handles("cld", "std")
def direction_flag(x, insn):
    w = x.w    # DF is never lazy: eflags holds it directly
    if insn.name == "std":
        def op():
            w[W_EFLAGS] |= DF
        return op

    def op_clear():
        w[W_EFLAGS] &= ~DF & M32
    return op_clear


@handles("cpuid")
def cpuid(x, insn):
    w = x.w

    def op():
        leaf = _LEAVES.get(w[EAX], _LEAF1)
        w[EAX], w[EBX], w[ECX], w[EDX] = leaf
    return op


@handles("rdtsc")
def rdtsc(x, insn):
    w, cpu = x.w, x.state.cpu
    clock = getattr(x.machine, "clock", None)

    def op():
        now = x.insn_count + x.op_offset if clock is None else clock.tsc()
        tsc = max(now, cpu.tsc + 1) & 0xFFFFFFFFFFFFFFFF
        cpu.tsc = tsc
        w[EAX], w[EDX] = tsc & M32, tsc >> 32
    return op


@handles("bound")
def bound(x, insn):
    index, m = insn.operands
    assert m.kind == MEM    # the register form is not BOUND (capstone decodes no such operand)
    size = index.size
    get, ea, rd = x.reader(index), x.ea(m, 2 * size), x.readers[size]
    sign = 1 << (8 * size - 1)

    def op():
        a = ea()
        lower = (rd(a) ^ sign) - sign
        upper = (rd((a + size) & M32) ^ sign) - sign
        i = (get() ^ sign) - sign
        if i < lower or i > upper:
            raise GuestFault(BR, detail=f"BOUND: {i} outside [{lower}, {upper}]")
    return op


@handles("ud2", "ud0")
def ud(x, insn):
    def op():
        raise GuestFault(UD, detail=insn.name)
    return op
