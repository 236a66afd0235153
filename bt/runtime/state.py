"""The guest CPU state: ONE layout shared by Python, the interpreter and (later) native code.

Everyone who touches guest registers uses `CpuState`. It is a ctypes structure with fixed offsets, so
native code can address the same bytes by offset (`offset_of`). Python code that is hot (the
interpreter) reads and writes the 32-bit words through `State.w`, a memoryview over the structure
indexed by the `W_*` word numbers below; cold code may use the named ctypes fields.

Invariant: every field is a 32-bit word except `tsc` at the end, so `W_*` indices are offsets / 4.

Arithmetic flags may be held lazily (cc_op/cc_a/cc_b/cc_res, see bt/runtime/flags.py): while
cc_op != CC_EFLAGS the arithmetic bits of `eflags` are stale and `flags.materialize` computes them.
"""
import ctypes

# General registers in x86 encoding order (ModRM reg numbers).
EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI = range(8)
REG_NAMES = ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi")

# Segment registers in x86 encoding order (sreg field of MOV Sreg).
ES, CS, SS, DS, FS, GS = range(6)
SEG_NAMES = ("es", "cs", "ss", "ds", "fs", "gs")

# EFLAGS bits (SDM Vol. 1, 3.4.3).
CF, PF, AF, ZF, SF, TF, IF, DF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800
IOPL, NT, RF, VM, AC, VIF, VIP, ID = 0x3000, 0x4000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000
ARITH_FLAGS = CF | PF | AF | ZF | SF | OF
EFLAGS_FIXED1 = 0x2          # bit 1 always reads as 1
# Bits a P6-class CPU lets software change through POPF at CPL 0 (with CPUID: ID is writable).
EFLAGS_WRITABLE = ARITH_FLAGS | TF | IF | DF | IOPL | NT | RF | AC | ID

# CR0 bits.
CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20
CR0_WP, CR0_AM, CR0_NW, CR0_CD, CR0_PG = 0x10000, 0x40000, 0x20000000, 0x40000000, 0x80000000
CR4_PSE, CR4_PGE = 0x10, 0x80
CR4_SUPPORTED = CR4_PSE | CR4_PGE       # what CPUID claims (bt/runtime/interp/ops_misc.py); others #GP


class SegmentCache(ctypes.Structure):
    """A segment register with its hidden descriptor cache (SDM Vol. 3, 3.4.3)."""
    _fields_ = [
        ("selector", ctypes.c_uint32),
        ("base", ctypes.c_uint32),
        ("limit", ctypes.c_uint32),     # byte-granular limit, already expanded for G=1
        ("attrs", ctypes.c_uint32),     # descriptor bits 40..55 (type, S, DPL, P, AVL, L, D/B, G) >> 8
    ]


class CpuState(ctypes.Structure):
    _fields_ = [
        ("regs", ctypes.c_uint32 * 8),
        ("eip", ctypes.c_uint32),
        ("eflags", ctypes.c_uint32),
        ("cc_op", ctypes.c_uint32),
        ("cc_a", ctypes.c_uint32),
        ("cc_b", ctypes.c_uint32),
        ("cc_res", ctypes.c_uint32),
        ("seg", SegmentCache * 6),
        ("ldtr", SegmentCache),
        ("tr", SegmentCache),
        ("gdtr_base", ctypes.c_uint32),
        ("gdtr_limit", ctypes.c_uint32),
        ("idtr_base", ctypes.c_uint32),
        ("idtr_limit", ctypes.c_uint32),
        ("cr", ctypes.c_uint32 * 5),
        ("dr", ctypes.c_uint32 * 8),
        ("cpl", ctypes.c_uint32),
        ("halted", ctypes.c_uint32),
        ("tsc", ctypes.c_uint64),
    ]


def offset_of(name):
    return getattr(CpuState, name).offset


def _word(name, index=0, stride=4):
    return offset_of(name) // 4 + index * stride // 4


W_EIP = _word("eip")
W_EFLAGS = _word("eflags")
W_CC_OP, W_CC_A, W_CC_B, W_CC_RES = (_word(n) for n in ("cc_op", "cc_a", "cc_b", "cc_res"))
W_CPL = _word("cpl")
W_CR0 = _word("cr")
W_SEG_BASE = [_word("seg") + 4 * i + 1 for i in range(6)]   # word index of seg[i].base
assert _word("regs") == 0 and W_EIP == 8
assert offset_of("tsc") % 8 == 0


class State:
    """Owns one CpuState and the fast word view the interpreter uses."""

    def __init__(self):
        self.cpu = CpuState()
        self.w = memoryview(self.cpu).cast("B").cast("I")
        self.address = ctypes.addressof(self.cpu)

    def reset_protected_flat(self):
        """The Multiboot entry state (platform.md): PE=1, PG=0, flat ring-0 segments, IF=0."""
        c = self.cpu
        ctypes.memset(ctypes.addressof(c), 0, ctypes.sizeof(c))
        c.eflags = EFLAGS_FIXED1
        c.cr[0] = CR0_PE | CR0_ET
        for i in range(6):
            s = c.seg[i]
            s.base, s.limit = 0, 0xFFFFFFFF
            if i == CS:
                s.selector, s.attrs = 0x08, 0xC09B   # G=1 D=1 P=1 DPL=0 S=1 type=code,exec/read,accessed
            else:
                s.selector, s.attrs = 0x10, 0xC093   # G=1 B=1 P=1 DPL=0 S=1 type=data,read/write,accessed
        c.tr.attrs = 0x008B                          # busy 32-bit TSS, as after a real boot loader
        c.tr.limit = 0xFFFF
        c.ldtr.limit = 0xFFFF
        c.gdtr_limit = 0xFFFF
        c.idtr_limit = 0x3FF     # QEMU's entry IDTR: the real-mode IVT at 0 (testcases/README.md)
        c.cpl = 0

    # Convenience accessors for cold code and tests.
    def reg(self, name):
        return self.w[REG_NAMES.index(name)]

    def set_reg(self, name, value):
        self.w[REG_NAMES.index(name)] = value & 0xFFFFFFFF
