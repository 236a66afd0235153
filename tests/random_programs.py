"""Hypothesis strategies for random guest programs of integer instructions: straight-line blocks and
bounded loops (`mov ecx, k; body; dec ecx; jnz body`), encoded from templates (no assembler).

Used by tests/test_jit_random_blocks.py. Test-time only. Conventions that keep every program
well-defined and inside its sandbox:
- EBP holds DATA and is never written; memory operands are [ebp+disp8], [ebp+disp32] or [disp32]
  inside the data window DATA..DATA+WINDOW. LEA, which reads no memory, takes any addressing form.
- ESP is only moved by balanced push/pop pairs; in loops ECX (CL, CH, CX) is the counter, read-only.
- Shift counts keep CF defined; no DIV (no #DE); an instruction that reads a flag the table leaves
  undefined at that point is rejected (`program_ok`), so undefined flags never reach a result.
"""
from hypothesis import strategies as st

from bt.frontend import table

DATA = 0x8000
WINDOW = 128
EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI = range(8)


def writable(size, loop):
    if size == 1:                     # al cl dl bl ah ch dh bh
        return [0, 2, 3, 4, 6, 7] + ([] if loop else [1, 5])
    return [0, 2, 3, 6, 7] + ([] if loop else [1])


@st.composite
def rm_operand(draw, size, dest, loop, allow_mem=True):
    """(mod, rm, tail bytes) of a ModRM r/m operand of `size` bytes."""
    if not allow_mem or draw(st.booleans()):
        return 3, draw(st.sampled_from(writable(size, loop) if dest else range(8))), b""
    form = draw(st.sampled_from(("disp8", "disp32", "abs", "sib")))
    off = draw(st.integers(0, WINDOW - 4))
    if form == "disp8":
        return 1, 5, bytes([off])
    if form == "disp32":
        return 2, 5, (off).to_bytes(4, "little")
    if form == "abs":
        return 0, 5, (DATA + off).to_bytes(4, "little")
    scale = draw(st.integers(0, 3))
    return 1, 4, bytes([scale << 6 | 4 << 3 | EBP, off])      # [ebp + disp8], no index


def _modrm(mod, reg, rm):
    return bytes([mod << 6 | reg << 3 | rm])


def _imm(draw, size):
    return draw(st.integers(0, (1 << (8 * size)) - 1)).to_bytes(size, "little")


def _pre(size):
    return b"\x66" if size == 2 else b""


@st.composite
def insn(draw, loop):
    """One template instance: bytes of one instruction (or a balanced push/pop pair)."""
    kind = draw(st.sampled_from(KINDS))
    size = draw(st.sampled_from((1, 2, 4)))
    w = int(size != 1)
    if kind == "alu":
        op, to_reg = draw(st.integers(0, 7)), draw(st.booleans())
        dest = op != 7
        reg = draw(st.sampled_from(writable(size, loop))) if to_reg and dest else draw(st.integers(0, 7))
        mod, rm, tail = draw(rm_operand(size, dest and not to_reg, loop))
        return _pre(size) + bytes([op * 8 + to_reg * 2 + w]) + _modrm(mod, reg, rm) + tail
    if kind == "alu_imm":
        op = draw(st.integers(0, 7))
        mod, rm, tail = draw(rm_operand(size, op != 7, loop))
        if size != 1 and draw(st.booleans()):
            return _pre(size) + b"\x83" + _modrm(mod, op, rm) + tail + _imm(draw, 1)
        return _pre(size) + bytes([0x80 | w]) + _modrm(mod, op, rm) + tail + _imm(draw, size)
    if kind == "alu_acc":
        return _pre(size) + bytes([draw(st.integers(0, 7)) * 8 + 4 + w]) + _imm(draw, size)
    if kind == "test":
        mod, rm, tail = draw(rm_operand(size, False, loop))
        if draw(st.booleans()):
            return _pre(size) + bytes([0x84 | w]) + _modrm(mod, draw(st.integers(0, 7)), rm) + tail
        return _pre(size) + bytes([0xF6 | w]) + _modrm(mod, 0, rm) + tail + _imm(draw, size)
    if kind == "incdec":
        if size != 1 and draw(st.booleans()):
            return _pre(size) + bytes([draw(st.sampled_from((0x40, 0x48))) + draw(st.sampled_from(writable(size, loop)))])
        mod, rm, tail = draw(rm_operand(size, True, loop))
        return _pre(size) + bytes([0xFE | w]) + _modrm(mod, draw(st.integers(0, 1)), rm) + tail
    if kind == "negnot":
        mod, rm, tail = draw(rm_operand(size, True, loop))
        return _pre(size) + bytes([0xF6 | w]) + _modrm(mod, draw(st.integers(2, 3)), rm) + tail
    if kind == "mov":
        form = draw(st.integers(0, 2))
        if form == 0:
            to_reg = draw(st.booleans())
            reg = draw(st.sampled_from(writable(size, loop))) if to_reg else draw(st.integers(0, 7))
            mod, rm, tail = draw(rm_operand(size, not to_reg, loop))
            return _pre(size) + bytes([0x88 + to_reg * 2 + w]) + _modrm(mod, reg, rm) + tail
        if form == 1:
            r = draw(st.sampled_from(writable(size, loop)))
            return _pre(size) + bytes([(0xB8 if w else 0xB0) + r]) + _imm(draw, size)
        mod, rm, tail = draw(rm_operand(size, True, loop))
        return _pre(size) + bytes([0xC6 | w]) + _modrm(mod, 0, rm) + tail + _imm(draw, size)
    if kind == "movx":
        src = draw(st.sampled_from((1, 2)))
        dsize = 4 if src == 2 else draw(st.sampled_from((2, 4)))
        mod, rm, tail = draw(rm_operand(src, False, loop))
        reg = draw(st.sampled_from(writable(dsize, loop)))
        op = draw(st.sampled_from((0xB6, 0xBE))) + (src == 2)
        return _pre(dsize) + bytes([0x0F, op]) + _modrm(mod, reg, rm) + tail
    if kind == "lea":
        size = draw(st.sampled_from((2, 4)))
        reg = draw(st.sampled_from(writable(size, loop)))
        mod = draw(st.integers(0, 2))
        rm = draw(st.integers(0, 7))
        tail = bytes([draw(st.integers(0, 255))]) if rm == 4 else b""
        dlen = 1 if mod == 1 else 4 if mod == 2 or (mod == 0 and (rm == 5 or (rm == 4 and tail[0] & 7 == 5))) else 0
        return _pre(size) + b"\x8D" + _modrm(mod, reg, rm) + tail + _imm(draw, dlen) if dlen else \
            _pre(size) + b"\x8D" + _modrm(mod, reg, rm) + tail
    if kind == "xchg":
        reg = draw(st.sampled_from(writable(size, loop)))
        mod, rm, tail = draw(rm_operand(size, True, loop))
        op = draw(st.sampled_from((0x86, 0x0FC0, 0x0FB0)))       # xchg, xadd, cmpxchg
        if op == 0x86:
            return _pre(size) + bytes([0x86 | w]) + _modrm(mod, reg, rm) + tail
        return _pre(size) + bytes([0x0F, (op & 0xFF) | w]) + _modrm(mod, reg, rm) + tail
    if kind == "shift":
        n = draw(st.sampled_from((0, 1, 2, 3, 4, 5, 7)))
        mod, rm, tail = draw(rm_operand(size, True, loop))
        form = draw(st.integers(0, 2))
        if form == 0:
            return _pre(size) + bytes([0xD0 | w]) + _modrm(mod, n, rm) + tail
        if form == 1 and size == 4:
            return bytes([0xD3]) + _modrm(mod, n, rm) + tail
        count = draw(st.integers(1, 8 * size - 1))
        return _pre(size) + bytes([0xC0 | w]) + _modrm(mod, n, rm) + tail + bytes([count])
    if kind == "shxd":
        size = draw(st.sampled_from((2, 4)))
        mod, rm, tail = draw(rm_operand(size, True, loop))
        op = draw(st.sampled_from((0xA4, 0xAC)))
        return _pre(size) + bytes([0x0F, op]) + _modrm(mod, draw(st.integers(0, 7)), rm) + tail + \
            bytes([draw(st.integers(1, 8 * size - 1))])
    if kind == "mul":
        form = draw(st.integers(0, 3))
        if form == 0:                                                    # mul/imul r/m
            mod, rm, tail = draw(rm_operand(size, False, loop))
            return _pre(size) + bytes([0xF6 | w]) + _modrm(mod, draw(st.integers(4, 5)), rm) + tail
        size = draw(st.sampled_from((2, 4)))
        reg = draw(st.sampled_from(writable(size, loop)))
        mod, rm, tail = draw(rm_operand(size, False, loop))
        if form == 1:
            return _pre(size) + b"\x0F\xAF" + _modrm(mod, reg, rm) + tail
        if form == 2:
            return _pre(size) + b"\x6B" + _modrm(mod, reg, rm) + tail + _imm(draw, 1)
        return _pre(size) + b"\x69" + _modrm(mod, reg, rm) + tail + _imm(draw, size)
    if kind == "bits":
        size = draw(st.sampled_from((2, 4)))
        k = draw(st.integers(0, 3))                                      # bt bts btr btc
        form = draw(st.integers(0, 2))
        if form == 0:
            mod, rm, tail = draw(rm_operand(size, k != 0, loop))
            return _pre(size) + bytes([0x0F, 0xBA]) + _modrm(mod, 4 + k, rm) + tail + _imm(draw, 1)
        if form == 1:                  # register offset: register destination only (no far bit strings)
            rm = draw(st.sampled_from(writable(size, loop))) if k else draw(st.integers(0, 7))
            return _pre(size) + bytes([0x0F, 0xA3 + 8 * k]) + _modrm(3, draw(st.integers(0, 7)), rm)
        mod, rm, tail = draw(rm_operand(size, False, loop))              # bsf / bsr
        return _pre(size) + bytes([0x0F, draw(st.sampled_from((0xBC, 0xBD)))]) + \
            _modrm(mod, draw(st.sampled_from(writable(size, loop))), rm) + tail
    if kind == "cc":
        cc = draw(st.integers(0, 15))
        if draw(st.booleans()):
            mod, rm, tail = draw(rm_operand(1, True, loop))
            return bytes([0x0F, 0x90 + cc]) + _modrm(mod, 0, rm) + tail
        size = draw(st.sampled_from((2, 4)))
        mod, rm, tail = draw(rm_operand(size, False, loop))
        return _pre(size) + bytes([0x0F, 0x40 + cc]) + _modrm(mod, draw(st.sampled_from(writable(size, loop))), rm) + tail
    if kind == "misc":
        return draw(st.sampled_from((b"\x98", b"\x99", b"\x66\x98", b"\x66\x99", b"\xF8", b"\xF9", b"\xF5",
                                     b"\x9E", b"\x9F", b"\x90", b"\x0F\xC8", b"\x0F\xCA", b"\x0F\xCF")))
    if kind == "stack":
        form = draw(st.integers(0, 2))
        pop = draw(st.sampled_from(writable(4, loop)))
        if form == 0:
            return bytes([0x50 + draw(st.integers(0, 7)), 0x58 + pop])
        if form == 1:
            return b"\x68" + _imm(draw, 4) + bytes([0x58 + pop])
        mod, rm, tail = draw(rm_operand(4, True, loop, allow_mem=True))
        mod2, rm2, tail2 = draw(rm_operand(4, True, loop))
        return b"\xFF" + _modrm(mod, 6, rm) + tail + b"\x8F" + _modrm(mod2, 0, rm2) + tail2
    raise AssertionError(kind)


KINDS = ("alu", "alu", "alu", "alu_imm", "alu_acc", "test", "incdec", "negnot", "mov", "mov", "movx", "lea",
         "xchg", "shift", "shift", "shxd", "mul", "bits", "cc", "misc", "stack")


@st.composite
def program(draw, max_body=12):
    """(code bytes, loop count or 0): a straight-line block, or a loop of 1..6 iterations."""
    loop = draw(st.booleans())
    body = b"".join(draw(st.lists(insn(loop), min_size=1, max_size=max_body)))
    if not loop:
        return body, 0
    k = draw(st.integers(1, 6))
    head = b"\xB9" + k.to_bytes(4, "little")                 # mov ecx, k
    rel = -(len(body) + 3)                                   # dec ecx (1) + jnz rel8 (2)
    if rel < -128:
        return body, 0
    return head + body + b"\x49\x75" + (rel & 0xFF).to_bytes(1, "little"), k


def program_ok(insns, loop):
    """No instruction reads a flag that is undefined at that point (walked twice around a loop)."""
    seq = list(insns) + (list(insns[1:]) if loop else [])
    undefined = 0
    for i in seq:
        row = table.info(i.name)
        if row is None:
            return False
        if row.reads & undefined:
            return False
        undefined = (undefined & ~row.writes) | row.undefined
    return True
