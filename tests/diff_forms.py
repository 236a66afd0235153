"""Opcode forms of the user-mode integer instructions, and the hypothesis strategy that turns a form
into one random test case (code bytes + registers + EFLAGS + memory) for tests/test_diff_unicorn.py.

Cold: test-time only. A form is a template, not an encoding: ModRM/SIB/displacement/immediates and
the optional prefixes are drawn at random, the bytes are decoded with bt.frontend.decoder, and
register values are then solved so that every memory operand lands inside the mapped data window.

Template tokens:   hex byte    opcode byte (mandatory prefixes are written as opcode bytes)
                   +r / +r1    add a register number 0..7 / 1..7 to the previous byte
                   /r  /0../7  a ModRM byte (any reg field / a fixed one), with SIB and displacement
                   ib iw iz    immediate of 1, 2, or 2/4 bytes (by operand size)
                   rel8 relz   relative branch displacement of 1, or 2/4 bytes (by operand size)
                   moffs       an absolute address of 2/4 bytes (by address size)
Flags: v  0x66 may be added (operand size; the name does not change)
       a  0x67 may be added (address size)          m / R  ModRM must be memory / register
       L  LOCK may be added (memory forms only)     s  a segment override may be added
       p / n  REP (F3) / REPNE (F2) may be added (string instructions)
"""
import random
from dataclasses import dataclass

from hypothesis import strategies as st

from bt.frontend.decoder import Decoder, MEM, REG
from bt.runtime.state import ESP, EBP, ESI, EDI, ECX, EAX, EDX, EBX

CODE_GPA = 0x1000
WINDOW_GPA, WINDOW_END = 0x8000, 0xF000     # random bytes; everything else in RAM reads 0
TARGET_LO, TARGET_HI = 0x8400, 0xBC00       # where solved memory operands point
STACK_LO, STACK_HI = 0xD000, 0xE800         # where ESP (and EBP for ENTER/LEAVE) point
M32 = 0xFFFFFFFF

_ALU = ("add", "or", "adc", "sbb", "and", "sub", "xor", "cmp")
_SHIFT = ("rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar")
_CC = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")


def _form_rows():
    rows = []
    for i, n in enumerate(_ALU):
        lk = "" if n == "cmp" else "L"
        rows += [(n, f"{i * 8:02x} /r", lk), (n, f"{i * 8 + 1:02x} /r", "v" + lk), (n, f"{i * 8 + 2:02x} /r", ""),
                 (n, f"{i * 8 + 3:02x} /r", "v"), (n, f"{i * 8 + 4:02x} ib", ""), (n, f"{i * 8 + 5:02x} iz", "v"),
                 (n, f"80 /{i} ib", lk), (n, f"81 /{i} iz", "v" + lk), (n, f"83 /{i} ib", "v" + lk)]
    for d, n in enumerate(_SHIFT):
        rows += [(n, f"c0 /{d} ib", ""), (n, f"c1 /{d} ib", "v"), (n, f"d0 /{d}", ""), (n, f"d1 /{d}", "v"),
                 (n, f"d2 /{d}", ""), (n, f"d3 /{d}", "v")]
    for c, cc in enumerate(_CC):
        rows += [("j" + cc, f"{0x70 + c:02x} rel8", "v"), ("j" + cc, f"0f {0x80 + c:02x} relz", "v"),
                 ("set" + cc, f"0f {0x90 + c:02x} /0", ""), ("cmov" + cc, f"0f {0x40 + c:02x} /r", "v")]
    rows += [
        ("inc", "40 +r", "v"), ("inc", "fe /0", "L"), ("inc", "ff /0", "vL"),
        ("dec", "48 +r", "v"), ("dec", "fe /1", "L"), ("dec", "ff /1", "vL"),
        ("push", "50 +r", "v"), ("push", "68 iz", "v"), ("push", "6a ib", "v"), ("push", "ff /6", "v"),
        ("pop", "58 +r", "v"), ("pop", "8f /0", "v"),
        ("pushal", "60", ""), ("pushaw", "66 60", ""), ("popal", "61", ""), ("popaw", "66 61", ""),
        ("bound", "62 /r", "vm"), ("arpl", "63 /r", ""),
        ("imul", "69 /r iz", "v"), ("imul", "6b /r ib", "v"), ("imul", "0f af /r", "v"),
        ("imul", "f6 /5", ""), ("imul", "f7 /5", "v"),
        ("test", "84 /r", ""), ("test", "85 /r", "v"), ("test", "a8 ib", ""), ("test", "a9 iz", "v"),
        ("test", "f6 /0 ib", ""), ("test", "f7 /0 iz", "v"),
        ("xchg", "86 /r", "L"), ("xchg", "87 /r", "vL"), ("xchg", "90 +r1", "v"),
        ("mov", "88 /r", ""), ("mov", "89 /r", "v"), ("mov", "8a /r", ""), ("mov", "8b /r", "v"),
        ("mov", "a0 moffs", "as"), ("mov", "a1 moffs", "vas"), ("mov", "a2 moffs", "as"), ("mov", "a3 moffs", "vas"),
        ("mov", "b0 +r ib", ""), ("mov", "b8 +r iz", "v"), ("mov", "c6 /0 ib", ""), ("mov", "c7 /0 iz", "v"),
        ("lea", "8d /r", "vm"), ("nop", "90", ""), ("nop", "0f 1f /0", "v"),
        ("cwde", "98", ""), ("cbw", "66 98", ""), ("cdq", "99", ""), ("cwd", "66 99", ""),
        ("wait", "9b", ""), ("sahf", "9e", ""), ("lahf", "9f", ""),
        ("movsb", "a4", "asp"), ("movsd", "a5", "asp"), ("movsw", "66 a5", "asp"),
        ("cmpsb", "a6", "aspn"), ("cmpsd", "a7", "aspn"), ("cmpsw", "66 a7", "aspn"),
        ("stosb", "aa", "ap"), ("stosd", "ab", "ap"), ("stosw", "66 ab", "ap"),
        ("lodsb", "ac", "asp"), ("lodsd", "ad", "asp"), ("lodsw", "66 ad", "asp"),
        ("scasb", "ae", "apn"), ("scasd", "af", "apn"), ("scasw", "66 af", "apn"),
        ("ret", "c3", "v"), ("ret", "c2 iw", "v"), ("enter", "c8 iw ib", "v"), ("leave", "c9", "v"),
        ("aam", "d4 ib", ""), ("aad", "d5 ib", ""), ("salc", "d6", ""), ("xlatb", "d7", "as"),
        ("loopne", "e0 rel8", "a"), ("loope", "e1 rel8", "a"), ("loop", "e2 rel8", "a"),
        ("jecxz", "e3 rel8", ""), ("jcxz", "67 e3 rel8", ""),
        ("call", "e8 relz", "v"), ("call", "ff /2", "v"),
        ("jmp", "e9 relz", "v"), ("jmp", "eb rel8", "v"), ("jmp", "ff /4", "v"),
        ("cmc", "f5", ""), ("clc", "f8", ""), ("stc", "f9", ""), ("cld", "fc", ""), ("std", "fd", ""),
        ("not", "f6 /2", "L"), ("not", "f7 /2", "vL"), ("neg", "f6 /3", "L"), ("neg", "f7 /3", "vL"),
        ("mul", "f6 /4", ""), ("mul", "f7 /4", "v"), ("div", "f6 /6", ""), ("div", "f7 /6", "v"),
        ("idiv", "f6 /7", ""), ("idiv", "f7 /7", "v"),
        ("daa", "27", ""), ("das", "2f", ""), ("aaa", "37", ""), ("aas", "3f", ""),
        ("cpuid", "0f a2", ""), ("rdtsc", "0f 31", ""),
        ("bt", "0f a3 /r", "v"), ("bt", "0f ba /4 ib", "v"),
        ("bts", "0f ab /r", "vL"), ("bts", "0f ba /5 ib", "vL"),
        ("btr", "0f b3 /r", "vL"), ("btr", "0f ba /6 ib", "vL"),
        ("btc", "0f bb /r", "vL"), ("btc", "0f ba /7 ib", "vL"),
        ("shld", "0f a4 /r ib", "v"), ("shld", "0f a5 /r", "v"), ("shrd", "0f ac /r ib", "v"), ("shrd", "0f ad /r", "v"),
        ("cmpxchg", "0f b0 /r", "L"), ("cmpxchg", "0f b1 /r", "vL"), ("xadd", "0f c0 /r", "L"), ("xadd", "0f c1 /r", "vL"),
        ("cmpxchg8b", "0f c7 /1", "mL"),
        ("movzx", "0f b6 /r", "v"), ("movzx", "0f b7 /r", "v"), ("movsx", "0f be /r", "v"), ("movsx", "0f bf /r", "v"),
        ("bsf", "0f bc /r", "v"), ("bsr", "0f bd /r", "v"), ("bswap", "0f c8 +r", ""),
        ("ud2", "0f 0b", ""), ("ud0", "0f ff /r", ""),
        ("prefetchnta", "0f 18 /0", "m"), ("prefetcht0", "0f 18 /1", "m"), ("prefetcht1", "0f 18 /2", "m"),
        ("prefetcht2", "0f 18 /3", "m"),
        ("pause", "f3 90", ""), ("endbr32", "f3 0f 1e fb", ""),
    ]
    return rows


@dataclass(frozen=True)
class Form:
    name: str          # the table row (capstone's name) every encoding of this form decodes to
    template: str
    flags: str

    @property
    def tokens(self):
        return self.template.split()

    def has(self, flag):
        return flag in self.flags


FORMS = [Form(*row) for row in _form_rows()]
FORMS_BY_NAME = {}
for _f in FORMS:
    FORMS_BY_NAME.setdefault(_f.name, []).append(_f)

STRING_OPS = {n for n in FORMS_BY_NAME if n[:4] in ("movs", "cmps", "stos", "lods", "scas") and len(n) == 5}

# Register and immediate values worth hitting often: sign/width boundaries.
SPECIAL32 = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
             0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFF8000, 0xFFFFFF80)
SPECIAL8 = (0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 0x7F, 0x80, 0xFF)
_u32 = st.one_of(st.sampled_from(SPECIAL32), st.integers(0, M32), st.integers(0, 0x40))
_u8 = st.one_of(st.sampled_from(SPECIAL8), st.integers(0, 255))
_ARITH = 0x8D5
_DF = 0x400


class Case:
    """One test input: the instruction bytes at CODE_GPA and the state before it."""

    def __init__(self, form, code, regs, eflags, window, insn):
        self.form = form
        self.code = code
        self.regs = regs          # EAX..EDI
        self.eflags = eflags
        self.window = window      # the bytes of [WINDOW_GPA, WINDOW_END)
        self.insn = insn          # the decoded Insn
        self.insns = [insn]       # all instructions, run one after the other (pairs: see `pairs`)

    def _repr_pretty_(self, p, cycle):      # hypothesis prints falsifying examples with this
        p.text(repr(self))

    @property
    def rep(self):
        return bool(self.insns[-1].rep) and self.insns[-1].name in STRING_OPS

    def __repr__(self):
        regs = " ".join(f"{r:08x}" for r in self.regs)
        return (f"Case({'; '.join(i.text for i in self.insns)} [{self.code.hex(' ')}] regs={regs} "
                f"eflags={self.eflags:#x} window_crc={hash(self.window) & 0xFFFF:04x})")


def _modrm_tail(draw, modrm, addr_size):
    """The SIB and displacement bytes that follow `modrm`, drawn at random."""
    mod, rm = modrm >> 6, modrm & 7
    out = b""
    if mod == 3:
        return out
    if addr_size == 2:
        dlen = 2 if (mod == 0 and rm == 6) or mod == 2 else 1 if mod == 1 else 0
        absolute = mod == 0 and rm == 6
    else:
        dlen = 4 if (mod == 0 and rm == 5) or mod == 2 else 1 if mod == 1 else 0
        absolute = mod == 0 and rm == 5
        if rm == 4:
            sib = draw(st.integers(0, 255))
            out += bytes([sib])
            if mod == 0 and sib & 7 == 5:
                dlen = 4
                absolute = (sib >> 3) & 7 == 4      # no base, no index: [disp32]
    if absolute:        # no register to solve for: the displacement itself is the address
        out += draw(st.integers(TARGET_LO, TARGET_HI)).to_bytes(dlen, "little")
    elif dlen == 1:
        out += bytes([draw(st.integers(0, 255))])
    elif dlen:
        disp = draw(st.one_of(st.integers(-0x10000, 0x10000), st.integers(0, M32))) & ((1 << (8 * dlen)) - 1)
        out += disp.to_bytes(dlen, "little")
    return out


def _encode(draw, form, register_only=False):
    prefixes = []
    opsize = addr_size = 4
    if form.has("v") and draw(st.booleans()):
        prefixes.append(0x66)
        opsize = 2
    if form.has("a") and draw(st.integers(0, 3)) == 0:
        prefixes.append(0x67)
        addr_size = 2
    has_modrm = any(t.startswith("/") for t in form.tokens)
    if (form.has("s") or has_modrm) and draw(st.integers(0, 3)) == 0:
        prefixes.append(draw(st.sampled_from((0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65))))
    if has_modrm and not form.has("R") and draw(st.integers(0, 3)) == 0:
        prefixes.append(0x67)
        addr_size = 2
    reps = [p for p, f in ((0xF3, "p"), (0xF2, "n")) if form.has(f)]
    if reps and draw(st.integers(0, 2)) > 0:
        prefixes.append(draw(st.sampled_from(reps)))
    prefixes = list(dict.fromkeys(prefixes))
    if form.template.startswith("66") or form.template.startswith("67"):
        opsize = 2 if form.template.startswith("66") else opsize
        addr_size = 2 if form.template.startswith("67") else addr_size
    body = b""
    memory = False
    for tok in form.tokens:
        if tok == "+r":
            body = body[:-1] + bytes([body[-1] + draw(st.integers(0, 7))])
        elif tok == "+r1":
            body = body[:-1] + bytes([body[-1] + draw(st.integers(1, 7))])
        elif tok.startswith("/"):
            mod = draw(st.sampled_from((0, 1, 2)) if form.has("m") else st.just(3) if form.has("R") or register_only
                       else st.sampled_from((3, 0, 1, 2)))
            reg = draw(st.integers(0, 7)) if tok == "/r" else int(tok[1])
            modrm = (mod << 6) | (reg << 3) | draw(st.integers(0, 7))
            memory = mod != 3
            body += bytes([modrm]) + _modrm_tail(draw, modrm, addr_size)
        elif tok == "ib":
            body += bytes([draw(_u8)])
        elif tok == "iw":
            body += draw(st.one_of(st.sampled_from((0, 1, 4, 8, 0x10, 0xFFFF)), st.integers(0, 0xFFFF))).to_bytes(2, "little")
        elif tok in ("iz", "relz"):
            body += (draw(_u32) & ((1 << (8 * opsize)) - 1)).to_bytes(opsize, "little")
        elif tok == "rel8":
            body += bytes([draw(_u8)])
        elif tok == "moffs":
            body += draw(st.integers(TARGET_LO, TARGET_HI)).to_bytes(addr_size, "little")
            memory = True
        else:
            body += bytes([int(tok, 16)])
    if form.has("L") and memory and draw(st.integers(0, 2)) == 0:
        prefixes.append(0xF0)
    if len(prefixes) > 1:
        prefixes = draw(st.permutations(prefixes))
    return bytes(prefixes) + body


_decoder = Decoder()


def decode(code):
    return _decoder.decode(code + bytes(16), CODE_GPA)


@st.composite
def cases(draw, name, register_only=False):
    """A random Case for table row `name` (register_only: no ModRM memory operand)."""
    form = draw(st.sampled_from(FORMS_BY_NAME[name]))
    code = _encode(draw, form, register_only)
    insn = decode(code)
    if insn.name != form.name:
        raise AssertionError(f"form {form.template!r} of {form.name} decoded as {insn.text!r} [{code.hex(' ')}]")
    regs = [draw(_u32) for _ in range(8)]
    regs[ESP] = draw(st.integers(STACK_LO, STACK_HI)) & ~draw(st.sampled_from((3, 3, 3, 0)))
    eflags = 0x2 | (draw(st.integers(0, 0xFFF)) & _ARITH) | (_DF if draw(st.integers(0, 3)) == 0 else 0)
    window = bytearray(random.Random(draw(st.integers(0, 1 << 32))).randbytes(WINDOW_END - WINDOW_GPA))
    case = Case(form, code[:insn.size], regs, eflags, bytes(window), insn)
    _constrain(draw, case)
    _solve_memory(draw, case)
    return case


def _window_value(case, gpa, size):
    off = gpa - WINDOW_GPA
    return int.from_bytes(case.window[off:off + size], "little") if 0 <= off <= len(case.window) - size else 0


def _set_low(regs, r, value, size):
    mask = (1 << (8 * size)) - 1
    regs[r] = (regs[r] & ~mask & M32) | (value & mask)


def _constrain(draw, case):
    """Per-instruction register constraints: keep implicit memory accesses mapped, make faults rare."""
    insn, regs, name = case.insn, case.regs, case.insn.name
    a16 = insn.addr_size == 2
    if name in STRING_OPS:
        for r in (ESI, EDI):
            v = draw(st.integers(TARGET_LO, TARGET_HI))
            _set_low(regs, r, v, 2) if a16 else regs.__setitem__(r, v)
        count = draw(st.one_of(st.sampled_from((0, 1)), st.integers(0, 9)))
        _set_low(regs, ECX, count, 2) if a16 else regs.__setitem__(ECX, count)
        if name[:4] in ("cmps", "scas") and draw(st.booleans()):
            # Make equal runs likely so REPE/REPNE stop in the middle.
            sz = {"b": 1, "w": 2, "d": 4}[name[-1]]
            v = _window_value(case, regs[ESI] & (0xFFFF if a16 else M32), sz)
            _set_low(regs, EAX, v, sz)
    elif name == "xlatb":
        v = draw(st.integers(TARGET_LO, TARGET_HI))
        _set_low(regs, EBX, v, 2) if a16 else regs.__setitem__(EBX, v)
    elif name in ("enter", "leave"):
        regs[EBP] = draw(st.integers(STACK_LO, STACK_HI))
    elif name in ("div", "idiv") and draw(st.integers(0, 3)) > 0:
        size = insn.operands[0].size
        lo = regs[EAX] & ((1 << (8 * size)) - 1) if size > 1 else regs[EAX] & 0xFF
        neg = name == "idiv" and lo >> (8 * size - 1)
        hi = ((1 << (8 * size)) - 1) if neg else 0
        if size == 1:
            regs[EAX] = (regs[EAX] & 0xFFFF00FF) | (hi & 0xFF) << 8
        else:
            _set_low(regs, EDX, hi, size)
    elif name in ("bt", "bts", "btr", "btc") and insn.operands[1].kind == REG:
        # The bit offset of a register source addresses memory relative to the operand: keep it near.
        _set_low(regs, insn.operands[1].reg, draw(st.integers(-1024, 1023)) & M32, 4)
    elif name == "bound" and draw(st.booleans()):
        r = insn.operands[0].reg
        regs[r] = draw(st.integers(0, 0x7FFF))
    elif name in ("loop", "loope", "loopne", "jcxz", "jecxz"):
        if draw(st.booleans()):
            _set_low(regs, ECX, draw(st.sampled_from((0, 1, 2))), 2 if a16 or name == "jcxz" else 4)


def _solve_memory(draw, case):
    """Set base/index registers so that each memory operand's effective address is in the window."""
    regs, insn = case.regs, case.insn
    for op in insn.operands:
        if op.kind != MEM:
            continue
        target = draw(st.integers(TARGET_LO, TARGET_HI))
        if op.addr_size == 2:
            if op.base >= 0:
                rest = op.disp + (regs[op.index] if op.index >= 0 else 0)
                _set_low(regs, op.base, target - rest, 2)
            elif op.index >= 0:
                _set_low(regs, op.index, target - op.disp, 2)
            continue
        if op.base >= 0 and op.base == op.index:
            k = 1 + op.scale
            if k % 2 == 0:      # 2*v = target - disp (mod 2^32): make the difference even
                target ^= (target - op.disp) & 1
                regs[op.base] = (((target - op.disp) & M32) // 2 + (draw(st.booleans()) << 31)) & M32
            else:
                regs[op.base] = (target - op.disp) * pow(k, -1, 1 << 32) & M32
        elif op.base >= 0:
            rest = op.disp + (regs[op.index] * op.scale if op.index >= 0 else 0)
            regs[op.base] = (target - rest) & M32
        elif op.index >= 0:     # index*scale = target - disp (mod 2^32), scale a power of 2
            diff = (target - op.disp) & M32 & ~(op.scale - 1)
            j = draw(st.integers(0, op.scale - 1))
            regs[op.index] = (diff // op.scale + j * ((1 << 32) // op.scale)) & M32


@st.composite
def pairs(draw, writers, reader):
    """A Case of two instructions: a flag writer from `writers` (register operands only) followed by
    `reader`, so the reader sees the interpreter's *lazy* flags (each single-instruction case starts
    with materialised EFLAGS)."""
    first = draw(cases(draw(st.sampled_from(writers)), register_only=True))
    second = draw(cases(reader))
    second_insn = _decoder.decode(second.code + bytes(16), CODE_GPA + len(first.code))
    case = Case(second.form, first.code + second.code, second.regs, first.eflags, second.window, first.insn)
    case.insns = [first.insn, second_insn]
    return case
