"""Decoding guest instructions with capstone into frozen dataclasses.

Called by both engines on a translation/decode-cache miss (cold: ~5-15 µs per instruction, paid once
per decoded instruction). No capstone object leaves this module: callers get `Insn` and `Operand`.

Register operands are normalised to x86 encoding numbers: general registers 0..7 (EAX..EDI, with
`high8` marking AH/CH/DH/BH, which live in registers 0..3), segment registers 0..5 (ES..GS), control
and debug registers by number. Memory operands carry their effective segment (the default DS/SS is
resolved here) and their address size.
"""
from dataclasses import dataclass

import capstone
from capstone import x86 as cx

from bt.runtime.state import SEG_NAMES, DS, SS, ESP, EBP

MAX_INSN_LEN = 15

# Operand kinds.
REG, SREG, CREG, DREG, IMM, MEM = "reg", "sreg", "creg", "dreg", "imm", "mem"


@dataclass(frozen=True, slots=True)
class Operand:
    kind: str
    size: int                 # bytes
    reg: int = 0              # REG/SREG/CREG/DREG: register number
    high8: bool = False       # REG size 1: AH/CH/DH/BH
    imm: int = 0              # IMM: value masked to `size` bytes (branch targets: absolute gva)
    seg: int = DS             # MEM: effective segment register
    base: int = -1            # MEM: general register number or -1
    index: int = -1           # MEM: general register number or -1
    scale: int = 1
    disp: int = 0             # MEM: displacement, masked to the address size
    addr_size: int = 4        # MEM: 4, or 2 with the 0x67 prefix


@dataclass(frozen=True, slots=True)
class Insn:
    address: int              # gva of the first byte
    size: int
    name: str                 # capstone's instruction name, prefix-free: "add", "movsd", "jne"
    operands: tuple
    rep: str = ""             # "", "rep" (F3) or "repne" (F2)
    lock: bool = False
    opsize: int = 4           # operand size attribute: 2 with the 0x66 prefix
    addr_size: int = 4        # address size attribute: 2 with the 0x67 prefix
    seg_override: int = -1    # explicit segment prefix, or -1
    raw: bytes = b""
    text: str = ""            # capstone's disassembly, for humans
    groups: frozenset = frozenset()

    @property
    def next_address(self):
        return (self.address + self.size) & 0xFFFFFFFF


class DecodeError(Exception):
    """The bytes are not a valid instruction (the guest gets #UD)."""


def _build_reg_map():
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_32)
    table = {}
    gpr32 = ("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi")
    gpr16 = ("ax", "cx", "dx", "bx", "sp", "bp", "si", "di")
    gpr8 = ("al", "cl", "dl", "bl")
    gpr8h = ("ah", "ch", "dh", "bh")
    for reg_id in range(1, cx.X86_REG_ENDING):
        name = md.reg_name(reg_id)
        if name in gpr32:
            table[reg_id] = (REG, gpr32.index(name), 4, False)
        elif name in gpr16:
            table[reg_id] = (REG, gpr16.index(name), 2, False)
        elif name in gpr8:
            table[reg_id] = (REG, gpr8.index(name), 1, False)
        elif name in gpr8h:
            table[reg_id] = (REG, gpr8h.index(name), 1, True)
        elif name in SEG_NAMES:
            table[reg_id] = (SREG, SEG_NAMES.index(name), 2, False)
        elif name and name.startswith("cr") and name[2:].isdigit():
            table[reg_id] = (CREG, int(name[2:]), 4, False)
        elif name and name.startswith("dr") and name[2:].isdigit():
            table[reg_id] = (DREG, int(name[2:]), 4, False)
    return table


_REG_MAP = _build_reg_map()
_PREFIX_SEG = {0x26: 0, 0x2E: 1, 0x36: 2, 0x3E: 3, 0x64: 4, 0x65: 5}
_MASK = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF, 8: 0xFFFFFFFFFFFFFFFF}


_PREFIX_BYTES = frozenset((0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0x66, 0x67))


def _rep_prefix(raw):
    """REP/REPNE from the raw prefix bytes (the last of F2/F3 wins, as on P6). capstone's own prefix
    field drops F2 in front of some string instructions (F2 A5)."""
    rep = ""
    for byte in raw:
        if byte not in _PREFIX_BYTES:
            break
        if byte == 0xF3:
            rep = "rep"
        elif byte == 0xF2:
            rep = "repne"
    return rep


_CACHE_LIMIT = 1 << 14     # ~17 MB when full; workloads seen so far decode < 4,000 distinct insns
_cache = {}     # (address, the 15 bytes fetched) -> Insn; shared: Insn is immutable


def clear_cache():
    """Forget every memoised decode (benchmarks measuring cold translation)."""
    _cache.clear()


class Decoder:
    """Decodes one instruction at a time from bytes the caller fetched (through its MMU).
    Decoding with capstone's details costs tens of µs, and the same bytes at the same address are
    decoded again and again (the interpreter, both JIT tiers, overlapping blocks), so results are
    memoised on the address and the exact bytes: changed code never hits a stale entry."""

    def __init__(self):
        self._md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_32)
        self._md.detail = True

    def decode(self, code, address_gva):
        """Decode the first instruction of `code` (bytes, up to 15) at `address_gva`."""
        key = (address_gva, bytes(code[:MAX_INSN_LEN]))
        insn = _cache.get(key)
        if insn is None:
            insn = self._decode(key[1], address_gva)
            if len(_cache) >= _CACHE_LIMIT:
                _cache.clear()
            _cache[key] = insn
        return insn

    def _decode(self, code, address_gva):
        found = list(self._md.disasm(code, address_gva, count=1))
        if not found:
            raise DecodeError(f"undecodable bytes {bytes(code[:MAX_INSN_LEN]).hex(' ')} at {address_gva:#x}")
        ci = found[0]
        prefix = ci.prefix
        rep = _rep_prefix(ci.bytes)
        seg_override = _PREFIX_SEG.get(prefix[1], -1)
        addr_size = 2 if prefix[3] == 0x67 else 4
        opsize = 2 if prefix[2] == 0x66 else 4
        operands = tuple(self._operand(ci, op, addr_size, seg_override) for op in ci.operands)
        name = ci.insn_name()
        if name in ("call", "jmp") and ci.opcode[0] == 0xFF and (ci.modrm >> 3) & 7 in (3, 5):
            name = "l" + name       # FF /3 and FF /5 are far CALL/JMP through a memory pointer
        return Insn(
            address=address_gva, size=ci.size, name=name, operands=operands, rep=rep,
            lock=prefix[0] == 0xF0, opsize=opsize, addr_size=addr_size, seg_override=seg_override,
            raw=bytes(ci.bytes), text=f"{ci.mnemonic} {ci.op_str}".strip(),
            groups=frozenset(ci.group_name(g) for g in ci.groups),
        )

    @staticmethod
    def _operand(ci, op, addr_size, seg_override):
        if op.type == cx.X86_OP_REG:
            if op.reg not in _REG_MAP:
                raise DecodeError(f"unsupported register {ci.reg_name(op.reg)} in {ci.mnemonic} {ci.op_str}")
            kind, number, size, high8 = _REG_MAP[op.reg]
            # capstone reports e.g. `mov eax, ds` with the GPR at its real size; keep its size.
            return Operand(kind=kind, size=op.size if kind == REG else size, reg=number, high8=high8)
        if op.type == cx.X86_OP_IMM:
            return Operand(kind=IMM, size=op.size, imm=op.imm & _MASK.get(op.size, 0xFFFFFFFF))
        if op.type == cx.X86_OP_MEM:
            m = op.mem
            base = _REG_MAP[m.base][1] if m.base else -1
            index = _REG_MAP[m.index][1] if m.index else -1
            if m.segment:
                seg = _REG_MAP[m.segment][1]
            elif seg_override >= 0:
                seg = seg_override
            elif base in (ESP, EBP) and not (addr_size == 2 and base == ESP):
                seg = SS   # 16-bit forms: [bp+..] is SS; capstone reports bp as EBP's number 5
            else:
                seg = DS
            return Operand(kind=MEM, size=op.size, seg=seg, base=base, index=index, scale=m.scale,
                           disp=m.disp & _MASK[addr_size], addr_size=addr_size)
        raise DecodeError(f"unsupported operand in {ci.mnemonic} {ci.op_str}")
