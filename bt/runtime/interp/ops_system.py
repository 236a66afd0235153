"""System and sensitive instruction handlers of the reference interpreter: segment, control and debug
register moves, descriptor tables, far transfers, INT/IRET, flags virtualisation (PUSHF/POPF/CLI/STI),
port I/O and HLT. The JIT turns these into VMM callouts. Factories run at decode time; the closures
are warm at most (system code), so they favour the SDM's order of checks over speed.

INT n / INT3 / INTO / INT1 deliver through the IDT (bt/runtime/interrupts.py); IRET and far RET return
to the same or an outer privilege level; far CALL/JMP through call gates are in call_gates.py.
Not yet here: task switches (TSS and task-gate targets), virtual-8086 mode.
"""
from bt.frontend.decoder import SREG, CREG, DREG, MEM, IMM
from bt.runtime import flags, interrupts
from bt.runtime.descriptors import SYS_TSS32_AVAIL, SYS_TSS32_BUSY
from bt.runtime.events import GuestFault, GuestHalt, GP, UD, BP, OF, DB
from bt.runtime.interp import call_gates, segments
from bt.runtime.interp.registry import handles
from bt.runtime.state import (CS, SS, W_CPL, W_EFLAGS, W_EIP, ECX, EDX, EAX, ESI, EDI,
                              IF, IOPL, VM, RF, TF, NT, AC, ID, DF, ARITH_FLAGS, EFLAGS_FIXED1,
                              CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_PG, CR4_SUPPORTED, ZF)

M32 = 0xFFFFFFFF


def _iopl(w):
    return (w[W_EFLAGS] >> 12) & 3


def _writable_flags(w, cpl, wide):
    """EFLAGS bits POPF and IRET may change (SDM Vol. 2 "POPF"): IOPL only at CPL 0, IF only at
    CPL <= IOPL, AC and ID only with a 32-bit operand."""
    changeable = ARITH_FLAGS | TF | DF | NT | (AC | ID if wide else 0)
    if cpl == 0:
        changeable |= IOPL | IF
    elif cpl <= _iopl(w):
        changeable |= IF
    return changeable if wide else changeable & 0xFFFF


def _check_io(x, port, size):
    """At CPL > IOPL the TSS I/O-permission bitmap decides (SDM Vol. 1, 18.5.2): every bit of ports
    port .. port+size-1 must be clear. Two bitmap bytes are always read, and a byte beyond the TSS
    limit counts as set; a 16-bit TSS has no bitmap. The reads are implicit supervisor accesses."""
    if x.w[W_CPL] <= _iopl(x.w):
        return
    tr = x.state.cpu.tr
    if (tr.attrs & 0xF) not in (SYS_TSS32_AVAIL, SYS_TSS32_BUSY) or tr.limit < 0x67:
        raise GuestFault(GP, 0, f"port {port:#x} I/O at CPL > IOPL without an I/O bitmap")
    at = x.sys_rd16((tr.base + 0x66) & M32) + (port >> 3)
    if at + 1 > tr.limit:
        raise GuestFault(GP, 0, f"port {port:#x}: its I/O bitmap bytes lie beyond the TSS limit")
    bits = x.sys_rd16((tr.base + at) & M32) >> (port & 7)
    if bits & ((1 << size) - 1):
        raise GuestFault(GP, 0, f"port {port:#x} I/O denied by the TSS I/O bitmap")


# ---- MOV / PUSH / POP of segment, control and debug registers ---------------------------------------

def mov_special(x, insn):
    dst, src = insn.operands
    cpu = x.state.cpu
    if dst.kind == SREG:
        if dst.reg == CS:
            raise GuestFault(UD, detail="MOV to CS")
        get, sreg = x.reader(src), dst.reg

        def op():
            segments.load_data_segment(x, sreg, get() & 0xFFFF)
        return op
    if src.kind == SREG:
        sreg, put = src.reg, x.writer(dst)
        size = dst.size

        def op():
            put(cpu.seg[sreg].selector & (0xFFFF if size == 2 else M32))
        return op
    if dst.kind == CREG or src.kind == CREG:
        return _mov_cr(x, dst, src)
    if dst.kind == DREG or src.kind == DREG:
        return _mov_dr(x, dst, src)
    raise GuestFault(UD, detail=f"unsupported mov form {insn.text}")


def _mov_cr(x, dst, src):
    cpu, w = x.state.cpu, x.w
    if src.kind == CREG:
        n, r = src.reg, dst.reg
        if n not in (0, 2, 3, 4):
            raise GuestFault(UD, detail=f"CR{n} does not exist")

        def op():
            x.require_cpl0()
            w[r] = cpu.cr[n]
        return op
    n, r = dst.reg, src.reg
    if n not in (0, 2, 3, 4):
        raise GuestFault(UD, detail=f"CR{n} does not exist")

    def op():
        x.require_cpl0()
        value = w[r]
        if n == 0:
            if (value & CR0_PG) and not (value & CR0_PE):
                raise GuestFault(GP, 0, "CR0.PG without CR0.PE")
            if not value & CR0_PE:
                raise GuestFault(GP, 0, "real mode is not supported (platform.md: protected mode only)")
            value |= CR0_ET
        elif n == 4 and value & ~CR4_SUPPORTED:
            raise GuestFault(GP, 0, f"CR4 bits {value & ~CR4_SUPPORTED:#x} are not supported")
        cpu.cr[n] = value
        if n != 2:
            # CR0 (PG, WP), CR3 (a new address space) and CR4 (PSE, PGE) change how linear
            # addresses map: every engine drops what it derived from the old mappings.
            x.set_access()
            x.mmu.flush(forget_tables=True)
    return op


def _mov_dr(x, dst, src):
    cpu, w = x.state.cpu, x.w
    if src.kind == DREG:
        n, r = src.reg, dst.reg

        def op():
            x.require_cpl0()
            w[r] = cpu.dr[n]
        return op
    n, r = dst.reg, src.reg

    def op():
        x.require_cpl0()
        cpu.dr[n] = w[r]
    return op


def push_sreg(x, insn):
    sreg, cpu = insn.operands[0].reg, x.state.cpu
    if insn.opsize == 2:
        return lambda: x.push16(cpu.seg[sreg].selector)
    # A 32-bit push of a segment register writes 16 bits on P6 and later, moving ESP by 4.
    w = x.w

    def op():
        sp = (w[4] - 4) & M32
        x.wr16(x.linear(SS, sp, 2, True), cpu.seg[sreg].selector)
        w[4] = sp
    return op


def pop_sreg(x, insn):
    sreg, w = insn.operands[0].reg, x.w
    if sreg == CS:
        raise GuestFault(UD, detail="POP CS")
    step = insn.opsize

    def op():
        sp = w[4]
        selector = x.rd16(x.linear(SS, sp, 2, False))
        segments.load_data_segment(x, sreg, selector)
        w[4] = (sp + step) & M32
    return op


@handles("lds", "les", "lfs", "lgs", "lss")
def load_far_pointer(x, insn):
    dst, src = insn.operands
    if src.kind != MEM:
        raise GuestFault(UD, detail=f"{insn.name} with a register operand")
    sreg = {"lds": 3, "les": 0, "lfs": 4, "lgs": 5, "lss": 2}[insn.name]
    ea, put, size = x.ea(src, dst.size + 2), x.writer(dst), dst.size
    rd = x.rd32 if size == 4 else x.rd16

    def op():
        a = ea()
        offset = rd(a)
        selector = x.rd16((a + size) & M32)
        segments.load_data_segment(x, sreg, selector)
        put(offset)
    return op


# ---- descriptor-table registers --------------------------------------------------------------------

@handles("lgdt", "lidt")
def load_table_register(x, insn):
    ea, cpu = x.ea(insn.operands[0], 6), x.state.cpu
    is_gdt, base_mask = insn.name == "lgdt", (M32 if insn.opsize == 4 else 0xFFFFFF)

    def op():
        x.require_cpl0()
        a = ea()
        limit, base = x.rd16(a), x.rd32((a + 2) & M32) & base_mask
        if is_gdt:
            cpu.gdtr_limit, cpu.gdtr_base = limit, base
        else:
            cpu.idtr_limit, cpu.idtr_base = limit, base
    return op


@handles("sgdt", "sidt")
def store_table_register(x, insn):
    ea, cpu = x.ea(insn.operands[0], 6, True), x.state.cpu
    is_gdt = insn.name == "sgdt"

    def op():
        a = ea()
        limit, base = (cpu.gdtr_limit, cpu.gdtr_base) if is_gdt else (cpu.idtr_limit, cpu.idtr_base)
        x.wr16(a, limit)
        x.wr32((a + 2) & M32, base)
    return op


def _store_selector(x, insn, value_of):
    """SLDT/STR/SMSW: 16 bits to memory; to a register, zero-extended to the operand size."""
    dst = insn.operands[0]
    put = x.writer(dst)
    if dst.kind == MEM:
        return lambda: put(value_of() & 0xFFFF)
    mask = 0xFFFF if dst.size == 2 else M32
    return lambda: put(value_of() & mask)


@handles("sldt")
def sldt(x, insn):
    cpu = x.state.cpu
    return _store_selector(x, insn, lambda: cpu.ldtr.selector)


@handles("str")
def str_(x, insn):
    cpu = x.state.cpu
    return _store_selector(x, insn, lambda: cpu.tr.selector)


@handles("smsw")
def smsw(x, insn):
    cpu = x.state.cpu
    return _store_selector(x, insn, lambda: cpu.cr[0])


@handles("lmsw")
def lmsw(x, insn):
    get, cpu = x.reader(insn.operands[0]), x.state.cpu

    def op():
        x.require_cpl0()
        value = get()
        # LMSW loads PE, MP, EM and TS; it can set PE but never clear it.
        bits = CR0_PE | CR0_MP | CR0_EM | CR0_TS
        cpu.cr[0] = (cpu.cr[0] & ~(bits & ~CR0_PE) & M32) | (value & bits)
    return op


@handles("clts")
def clts(x, insn):
    cpu = x.state.cpu

    def op():
        x.require_cpl0()
        cpu.cr[0] &= ~CR0_TS & M32
    return op


@handles("lldt")
def lldt(x, insn):
    get, cpu = x.reader(insn.operands[0]), x.state.cpu

    def op():
        x.require_cpl0()
        selector = get() & 0xFFFF
        if selector & 0xFFFC == 0:
            cpu.ldtr.selector, cpu.ldtr.base, cpu.ldtr.limit, cpu.ldtr.attrs = selector, 0, 0, 0
            return
        if selector & 4:
            raise GuestFault(GP, selector & 0xFFFC, "LLDT selector points into the LDT")
        desc, _ = segments.read_descriptor(x, selector)
        if not desc.is_system or desc.type != 2:
            raise GuestFault(GP, selector & 0xFFFC, "LLDT selector is not an LDT descriptor")
        if not desc.present:
            raise GuestFault(11, selector & 0xFFFC, "LDT not present")
        cpu.ldtr.selector, cpu.ldtr.base, cpu.ldtr.limit, cpu.ldtr.attrs = selector, desc.base, desc.limit, desc.attrs
    return op


@handles("ltr")
def ltr(x, insn):
    get, cpu = x.reader(insn.operands[0]), x.state.cpu

    def op():
        x.require_cpl0()
        selector = get() & 0xFFFF
        if selector & 0xFFFC == 0 or selector & 4:
            raise GuestFault(GP, selector & 0xFFFC, "LTR needs a GDT selector")
        desc, addr = segments.read_descriptor(x, selector)
        if not desc.is_system or desc.type not in (1, 9):
            raise GuestFault(GP, selector & 0xFFFC, "LTR selector is not an available TSS")
        if not desc.present:
            raise GuestFault(11, selector & 0xFFFC, "TSS not present")
        x.sys_wr8((addr + 5) & M32, (desc.raw >> 40 & 0xFF) | 2)      # mark busy
        cpu.tr.selector, cpu.tr.base, cpu.tr.limit = selector, desc.base, desc.limit
        cpu.tr.attrs = desc.attrs | 2
    return op


@handles("lar", "lsl", "verr", "verw")
def descriptor_probe(x, insn):
    """LAR/LSL/VERR/VERW: ZF tells whether the selector is visible at this CPL/RPL (SDM Vol. 2)."""
    name, w = insn.name, x.w
    get = x.reader(insn.operands[-1])
    put = x.writer(insn.operands[0]) if name in ("lar", "lsl") else None
    mask = M32 if insn.operands[0].size == 4 else 0xFFFF
    lar_types = {1, 2, 3, 4, 5, 9, 11, 12}
    lsl_types = {1, 2, 3, 9, 11}

    def op():
        selector = get() & 0xFFFF
        result = None
        if selector & 0xFFFC:
            try:
                desc, _ = segments.read_descriptor(x, selector)
            except GuestFault:
                desc = None
            if desc is not None:
                cpl, rpl = w[W_CPL], selector & 3
                visible = desc.conforming or desc.dpl >= max(cpl, rpl)
                if desc.is_system:
                    ok = visible and desc.type in (lar_types if name in ("lar",) else lsl_types)
                    ok = ok and name in ("lar", "lsl")
                elif name == "verr":
                    ok = desc.readable and (desc.conforming or visible)
                elif name == "verw":
                    ok = desc.writable and visible
                else:
                    ok = visible
                if ok:
                    result = (desc.raw >> 32) & 0x00F0FF00 if name == "lar" else desc.limit
        eflags = flags.materialize(w)
        if result is None:
            w[W_EFLAGS] = eflags & ~ZF
        else:
            w[W_EFLAGS] = eflags | ZF
            if put is not None:
                put(result & mask)
    return op


@handles("arpl")
def arpl(x, insn):
    load, store = x.location(insn.operands[0])
    get_src, w = x.reader(insn.operands[1]), x.w

    def op():
        dst, src = load(), get_src()
        eflags = flags.materialize(w)
        if (dst & 3) < (src & 3):
            store((dst & ~3) | (src & 3))
            w[W_EFLAGS] = eflags | ZF
        else:
            w[W_EFLAGS] = eflags & ~ZF
    return op


# ---- privileged odds and ends ------------------------------------------------------------------------

@handles("invd", "wbinvd")
def cache_control(x, insn):
    return x.require_cpl0


@handles("invlpg")
def invlpg(x, insn):
    def op():
        x.require_cpl0()
        x.mmu.flush()          # the whole TLB, a superset of the page (the architecture allows it)
    return op


MSR_TSC, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP = 0x10, 0x174, 0x175, 0x176


@handles("rdmsr", "wrmsr")
def msr(x, insn):
    w, cpu = x.w, x.state.cpu
    msrs = x.__dict__.setdefault("msrs", {MSR_SYSENTER_CS: 0, MSR_SYSENTER_ESP: 0, MSR_SYSENTER_EIP: 0})
    is_read = insn.name == "rdmsr"

    def op():
        x.require_cpl0()
        index = w[ECX]
        if index != MSR_TSC and index not in msrs:
            raise GuestFault(GP, 0, f"MSR {index:#x} does not exist")
        if is_read:
            value = cpu.tsc if index == MSR_TSC else msrs[index]
            w[EAX], w[EDX] = value & M32, value >> 32
        elif index == MSR_TSC:
            cpu.tsc = w[EAX] | (w[EDX] << 32)
        else:
            msrs[index] = w[EAX] | (w[EDX] << 32)
    return op


@handles("hlt")
def hlt(x, insn):
    w, nxt = x.w, insn.next_address

    def op():
        x.require_cpl0()
        # No interrupt source exists yet, so nothing can ever wake the CPU: the run ends.
        w[W_EIP] = nxt
        raise GuestHalt(nxt)
    return op


# ---- flags virtualisation: PUSHF/POPF/CLI/STI ----------------------------------------------------

@handles("pushfd", "pushf")
def pushf(x, insn):
    w = x.w
    if insn.name == "pushf":
        return lambda: x.push16(flags.materialize(w) & 0xFFFF)
    return lambda: x.push32(flags.materialize(w) & ~(VM | RF) & M32)


@handles("popfd", "popf")
def popf(x, insn):
    w = x.w
    wide = insn.name == "popfd"

    def op():
        value = x.pop32() if wide else x.pop16()
        changeable = _writable_flags(w, w[W_CPL], wide)
        eflags = flags.materialize(w)
        w[W_EFLAGS] = ((eflags & ~changeable) | (value & changeable) | EFLAGS_FIXED1) & ~RF & M32
    return op


@handles("cli", "sti")
def cli_sti(x, insn):
    w, setting = x.w, insn.name == "sti"

    def op():
        if w[W_CPL] > _iopl(w):
            raise GuestFault(GP, 0, f"{insn.name.upper()} at CPL > IOPL")
        w[W_EFLAGS] = (w[W_EFLAGS] | IF) if setting else (w[W_EFLAGS] & ~IF)
    return op


# ---- port I/O ----------------------------------------------------------------------------------------

@handles("in")
def in_(x, insn):
    dst, src = insn.operands
    port_of = (lambda: src.imm) if src.kind == IMM else (lambda: x.w[EDX] & 0xFFFF)
    put, size = x.writer(dst), dst.size

    def op():
        port = port_of()
        _check_io(x, port, size)
        put(x.io.read(port, size) & ((1 << (8 * size)) - 1))
    return op


@handles("out")
def out(x, insn):
    dst, src = insn.operands
    port_of = (lambda: dst.imm) if dst.kind == IMM else (lambda: x.w[EDX] & 0xFFFF)
    get, size = x.reader(src), src.size

    def op():
        port = port_of()
        _check_io(x, port, size)
        x.io.write(port, size, get())
    return op


@handles("insb", "insw", "insd", "outsb", "outsw", "outsd")
def string_io(x, insn):
    w = x.w
    size = {"b": 1, "w": 2, "d": 4}[insn.name[-1]]
    is_in = insn.name.startswith("ins")
    mem_op = insn.operands[0] if is_in else insn.operands[1]
    lin = x.seg_linear(mem_op.seg, size, is_in)
    index_reg = EDI if is_in else ESI
    amask = 0xFFFF if insn.addr_size == 2 else M32
    rd, wr = x.readers[size], x.writers[size]
    rep, here = bool(insn.rep), insn.address

    def once():
        port = w[EDX] & 0xFFFF
        _check_io(x, port, size)
        offset = w[index_reg] & amask
        addr = lin(offset)
        if is_in:
            wr(addr, x.io.read(port, size) & ((1 << (8 * size)) - 1))
        else:
            x.io.write(port, size, rd(addr))
        step = -size if w[W_EFLAGS] & DF else size
        w[index_reg] = (w[index_reg] & ~amask & M32) | ((offset + step) & amask)

    if not rep:
        return once

    def op():
        for _ in range(4096):
            count = w[ECX] & amask
            if count == 0:
                return None
            once()
            w[ECX] = (w[ECX] & ~amask & M32) | ((count - 1) & amask)
        return here if w[ECX] & amask else None
    return op


# ---- far transfers, INT and IRET ------------------------------------------------------------------

@handles("ljmp")
def ljmp(x, insn):
    target = _far_target(x, insn)

    def op():
        selector, offset = target()
        gate = call_gates.call_gate(x, selector)
        if gate is not None:
            return call_gates.through_gate(x, gate, selector)
        return segments.load_code_segment(x, selector, offset)
    return op


@handles("lcall")
def lcall(x, insn):
    target, nxt, cpu = _far_target(x, insn), insn.next_address, x.state.cpu
    wide = insn.opsize == 4

    def op():
        selector, offset = target()
        gate = call_gates.call_gate(x, selector)
        if gate is not None:
            return call_gates.through_gate(x, gate, selector, nxt)
        old_cs, w = cpu.seg[CS].selector, x.w
        sp = w[4]
        try:
            if wide:
                x.push32(old_cs)
                x.push32(nxt)
            else:
                x.push16(old_cs)
                x.push16(nxt & 0xFFFF)
            return segments.load_code_segment(x, selector, offset)
        except GuestFault:
            w[4] = sp
            raise
    return op


def _far_target(x, insn):
    ops = insn.operands
    if len(ops) == 2 and ops[0].kind == IMM:
        selector, offset = ops[0].imm, ops[1].imm
        return lambda: (selector, offset)
    ea, wide = x.ea(ops[0], 6 if insn.opsize == 4 else 4), insn.opsize == 4

    def from_memory():
        a = ea()
        offset = x.rd32(a) if wide else x.rd16(a)
        return x.rd16((a + (4 if wide else 2)) & M32), offset
    return from_memory


@handles("retf")
def retf(x, insn):
    extra = insn.operands[0].imm if insn.operands else 0
    wide, w = insn.opsize == 4, x.w

    pop = x.pop32 if wide else x.pop16

    def op():
        sp = w[4]
        try:
            offset = pop()
            selector = pop() & 0xFFFF
            rpl = selector & 3
            if rpl <= w[W_CPL]:
                eip = segments.load_code_segment(x, selector, offset)
                w[4] = (w[4] + extra) & M32
                return eip
            # To an outer level (after a CALL through a gate): the caller's SS:ESP sits above the
            # parameters, which are released on both stacks.
            code, code_at = _outer_code_checks(x, selector)
            w[4] = (w[4] + extra) & M32
            new_esp, new_ss = pop(), pop() & 0xFFFF
            stack, stack_at = _outer_stack_checks(x, rpl, offset, code, new_ss)
        except GuestFault:
            w[4] = sp
            raise
        segments.set_accessed(x, code, code_at)
        segments.set_accessed(x, stack, stack_at)
        w[W_CPL] = rpl
        segments.write_cache(x, CS, selector, code)
        segments.write_cache(x, SS, new_ss, stack)
        w[4] = (new_esp + extra) & M32
        _null_inaccessible_segments(x, rpl)
        return offset
    return op


@handles("iretd", "iret")
def iret(x, insn):
    """IRET in protected mode (SDM Vol. 2 IRET): to the same privilege level, or to an outer one with
    SS:ESP popped as well. Task returns (NT = 1) and returns to virtual-8086 mode are not supported."""
    wide, w = insn.name == "iretd", x.w
    pop = x.pop32 if wide else x.pop16

    def op():
        if w[W_EFLAGS] & NT:
            raise GuestFault(GP, 0, "IRET with NT set (task return) is not supported yet")
        sp, cpl = w[4], w[W_CPL]
        try:
            eip, selector, new_flags = pop(), pop() & 0xFFFF, pop()
            if wide and new_flags & VM and cpl == 0:
                raise GuestFault(GP, 0, "IRET to virtual-8086 mode is not supported")
            rpl = selector & 3
            if rpl <= cpl:
                if rpl < cpl:
                    raise GuestFault(GP, selector & 0xFFFC, "IRET to a more privileged level")
                eip = segments.load_code_segment(x, selector, eip)
                outer = None
            else:
                code, code_at = _outer_code_checks(x, selector)       # before SS:ESP is popped
                new_esp, new_ss = pop(), pop() & 0xFFFF
                outer = (code, code_at) + _outer_stack_checks(x, rpl, eip, code, new_ss)
        except GuestFault:
            w[4] = sp
            raise
        # EFLAGS: which bits may change is decided by the CPL of the IRET itself (the old one).
        changeable = _writable_flags(w, cpl, wide) | (RF if wide else 0)
        eflags = flags.materialize(w)
        w[W_EFLAGS] = ((eflags & ~changeable) | (new_flags & changeable) | EFLAGS_FIXED1) & M32
        if outer is not None:
            code, code_at, stack, stack_at = outer
            segments.set_accessed(x, code, code_at)
            segments.set_accessed(x, stack, stack_at)
            w[W_CPL] = rpl
            segments.write_cache(x, CS, selector, code)
            segments.write_cache(x, SS, new_ss, stack)
            w[4] = new_esp
            _null_inaccessible_segments(x, rpl)
        return eip
    return op


def _outer_code_checks(x, selector):
    """The SDM's checks of the return code segment for an IRET or far RET to privilege level
    RPL(selector) > CPL, made before the outer SS:ESP is popped; returns (descriptor, address)."""
    err, rpl = selector & 0xFFFC, selector & 3
    code, code_at = segments.read_descriptor(x, selector)
    if not code.is_code:
        raise GuestFault(GP, err, "IRET: return selector is not a code segment")
    if code.dpl > rpl if code.conforming else code.dpl != rpl:
        raise GuestFault(GP, err, "IRET: return code segment DPL does not match the selector's RPL")
    if not code.present:
        raise GuestFault(11, err, "IRET: return code segment not present")
    return code, code_at


def _outer_stack_checks(x, rpl, eip, code, new_ss):
    """Then those of the popped stack segment and of EIP; returns (SS descriptor, address)."""
    if new_ss & 0xFFFC == 0:
        raise GuestFault(GP, 0, "IRET: null stack selector for the outer level")
    stack, stack_at = segments.read_descriptor(x, new_ss)
    if (new_ss & 3) != rpl or not stack.writable or stack.dpl != rpl:
        raise GuestFault(GP, new_ss & 0xFFFC, "IRET: stack segment is not writable data at the return RPL")
    if not stack.present:
        raise GuestFault(12, new_ss & 0xFFFC, "IRET: stack segment not present")
    if eip > code.limit:
        raise GuestFault(GP, 0, "IRET: EIP beyond the return code segment limit")
    return stack, stack_at


def _null_inaccessible_segments(x, cpl):
    """After a return to an outer level, ES/DS/FS/GS holding data or non-conforming code segments more
    privileged than the new CPL become null (SDM Vol. 2 IRET, RET far)."""
    for sreg in (0, 3, 4, 5):
        seg = x.state.cpu.seg[sreg]
        dpl = (seg.attrs >> 5) & 3
        conforming_code = (seg.attrs & 0x1C) == 0x1C          # S=1, code, conforming
        if seg.selector & 0xFFFC and dpl < cpl and not conforming_code:
            segments.write_cache(x, sreg, 0, None)


@handles("int", "int3", "into", "int1")
def software_interrupt(x, insn):
    """INT n, INT3, INTO: traps through the IDT with the gate's DPL checked against CPL (EIP saved is
    the next instruction). INT1 (ICEBP) delivers #DB like a hardware exception: no DPL check."""
    w, nxt = x.w, insn.next_address
    vector = {"int3": BP, "into": OF, "int1": DB}.get(insn.name)
    if vector is None:
        vector = insn.operands[0].imm & 0xFF
    software, is_into = insn.name != "int1", insn.name == "into"

    def op():
        if is_into and not flags.materialize(w) & 0x800:
            return None
        interrupts.deliver(x, vector, nxt, software=software)
        return w[W_EIP]
    return op
