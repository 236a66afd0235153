"""The reference interpreter: decode once, then run per-instruction closures (hot).

Written from the Intel SDM for clarity; the JIT is differentially tested against it. The machine
(bt/runtime/machine.py) calls `Interpreter(machine).run(max_insns, deadline)`; tests call `step()`.

How it runs: the guest code at EIP is decoded (bt/frontend/decoder.py) into a block of instructions
that ends at a control transfer, a sensitive mode change, a page boundary or MAX_BLOCK_INSNS. Each
instruction becomes a closure made by its handler factory (bt/runtime/interp/registry.py); operand
access is specialised at that time through `reader`, `writer` and `location` below.

Code-segment limit (SDM Vol. 3 5.3): decoding fetches no byte beyond the CS limit (#GP(0) instead), and
as a block decoded under one limit may run under another (CS reloads with the same base keep decoded
blocks), a block reaching beyond the current limit runs one instruction at a time, `step` checking
each instruction's bytes. With the flat limit 0xFFFFFFFF it is one compare per block. Near-transfer
targets are checked by their handlers (ops_control.py).

Precise state: a closure raises GuestFault before it commits anything, and the run loop then sets EIP
to the faulting instruction and delivers the fault through the guest's IDT (bt/runtime/interrupts.py). A write to a page holding decoded code invalidates the blocks it overlaps;
if that happens, the current block stops after the writing instruction (self-modifying code takes
effect from the next instruction, as on a P6).
"""
import time

from bt.frontend import table
from bt.frontend.decoder import Decoder, DecodeError, REG, IMM, MEM, MAX_INSN_LEN
from bt.runtime import external_interrupts, flags, interrupts, single_step
from bt.runtime.events import GuestFault, GuestExit, GuestHalt, LimitReached, UD, GP
from bt.runtime.code_tracker import CodeTracker
from bt.runtime.interp import ops_x87, seg_limits
from bt.runtime.interp.access import build_access, build_paged_access, USER_KEY
from bt.runtime.paging import mmu_of
from bt.runtime.interp.registry import HANDLERS
from bt.runtime.state import W_EIP, W_EFLAGS, W_SEG_BASE, W_CPL, ESP, SS, CS, CR0_PG, TF

M32 = 0xFFFFFFFF
MASK = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}
MAX_BLOCK_INSNS = 64
MAX_DECODED_BLOCKS = 1 << 16
PAGE_SHIFT = 12
W_CS_LIMIT = W_SEG_BASE[CS] + 1
_DEADLINE_CHECK_BLOCKS = 1024


class _SmcAbort(Exception):
    """The current block wrote to decoded code: stop after this instruction."""

    def __init__(self, next_eip):
        self.next_eip = next_eip


class Block:
    __slots__ = ("eip", "ops", "insns", "end_eip", "last", "regions", "mapped")

    def __init__(self, eip, ops, insns):
        self.eip = eip
        self.ops = ops          # closures; only the last may return a next EIP
        self.insns = insns      # the decoded Insn of each closure
        self.end_eip = insns[-1].next_address
        self.last = insns[-1].address + insns[-1].size - 1    # offset of its last byte (not wrapped)
        self.regions = ()       # the CodeTracker regions of the physical bytes it was decoded from
        self.mapped = ()        # paging: (linear, physical) of each page it was fetched from


class CrossesPage(Exception):
    """decode(may_cross=False): the instruction goes on into the next page."""


class Interpreter:
    def __init__(self, machine):
        self.machine = machine
        self.state = machine.state
        self.w = machine.state.w
        self.mem = machine.mem
        self.io = machine.io
        self.decoder = Decoder()
        self.blocks = {}            # eip -> Block
        if getattr(machine, "code", None) is None:
            machine.code = CodeTracker()
        self.code = machine.code    # shared with the JIT: writes to decoded code invalidate it
        self.code_pages = self.code.pages
        self.smc = False
        self.insn_count = 0
        self.op_offset = 0          # index of the running op in its block, for port I/O (_at_offset)
        self.mmu = mmu_of(machine)
        self.mmu.flush_listeners.append(self._mappings_changed)
        self.paged = None
        self.running = None         # the block _run_block is in (checked when mappings change)
        self.set_access()

    def set_access(self):
        """Choose the memory accessors for the current CR0.PG (the CR0 handler calls it). Decoded
        closures hold the accessors they were made with, so a change also forgets decoded code."""
        paged = bool(self.state.cpu.cr[0] & CR0_PG)
        if paged == self.paged:
            return
        self.paged = paged
        if paged:
            normal, system, self.translate = build_paged_access(self, self.mmu)
            self.rd8, self.rd16, self.rd32, self.wr8, self.wr16, self.wr32 = normal
            self.sys_rd16, self.sys_rd32, self.sys_wr8, self.sys_wr16, self.sys_wr32 = system
        else:
            self.rd8, self.rd16, self.rd32, self.wr8, self.wr16, self.wr32 = build_access(self)
            self.sys_rd16, self.sys_rd32, self.sys_wr8, self.sys_wr16, self.sys_wr32 = (
                self.rd16, self.rd32, self.wr8, self.wr16, self.wr32)
            self.translate = None
            self.tlb = None
        self.readers = {1: self.rd8, 2: self.rd16, 4: self.rd32}
        self.writers = {1: self.wr8, 2: self.wr16, 4: self.wr32}
        self.flush()

    def _mappings_changed(self):
        """Mmu.flush: linear -> physical mappings may have changed (CR3, INVLPG, a page-table store).
        Decoded blocks stay: each checks that its pages still map where they did when it runs."""
        self.forget_tlb()
        # If the running block's pages now map elsewhere, it stops after this instruction (like a
        # store into code), so the next one is fetched through the new mappings, as on the JIT.
        block = self.running
        if block is not None and block.mapped:
            user = self.w[W_CPL] == 3
            if any(self.mmu.peek(la, user) != pa & ~0xFFF for la, pa in block.mapped):
                self.smc = True

    def forget_tlb(self):
        """Drop the TLB's entries (the JIT after native code changed page tables: pt_store_ir.py)."""
        if self.tlb is not None:
            for t in self.tlb:
                t.clear()

    def _still_mapped(self, block):
        """Paging: the block's linear pages still map to the frames it was decoded from (a fetch:
        may raise #PF, as executing the block would)."""
        return all(self.code_address(la) == pa for la, pa in block.mapped)

    def probe_code_address(self, la):
        """code_address for the JIT's lookups and translation: None instead of a #PF (CR2 kept)."""
        if self.translate is None:
            return la
        cpu = self.state.cpu
        cr2 = cpu.cr[2]
        try:
            return self.code_address(la)
        except GuestFault:
            cpu.cr[2] = cr2
            return None

    def code_address(self, la):
        """Physical address of the code byte at linear `la` (a fetch: may raise #PF)."""
        if self.translate is None:
            return la
        return self.translate(la, False, USER_KEY if self.w[W_CPL] == 3 else 0)

    # ---- running -------------------------------------------------------------------------------

    def run(self, max_insns=None, deadline=None):
        """Run until an event ends the run (raised to the machine) or a limit is reached."""
        w = self.w
        blocks = self.blocks
        budget = float("inf") if max_insns is None else max_insns
        until_check = _DEADLINE_CHECK_BLOCKS
        irq = external_interrupts.of(self.machine)
        irq.begin(lambda: self.insn_count + self.op_offset, deadline)
        while True:
            if self.insn_count >= irq.check_at:
                irq.poll(self)          # external interrupts (bt/runtime/external_interrupts.py)
            remaining = budget - self.insn_count
            if remaining <= 0:
                raise LimitReached("max-insns", w[W_EIP])
            if deadline is not None:
                until_check -= 1
                if until_check <= 0:
                    until_check = _DEADLINE_CHECK_BLOCKS
                    if time.monotonic() >= deadline:
                        raise LimitReached("timeout", w[W_EIP])
            eip = w[W_EIP]
            try:
                if w[W_EFLAGS] & TF:       # single-stepping: one instruction, then its #DB trap
                    self.step_delivering()
                    continue
                block = blocks.get(eip)
                if block is None or (block.mapped and not self._still_mapped(block)):
                    block = self._translate(eip)
                n = len(block.ops)
                if (n > remaining or n > irq.check_at - self.insn_count
                        or block.last > w[W_CS_LIMIT]):    # never with the flat limit 0xFFFFFFFF
                    self.step()
                else:
                    self._run_block(block)
            except GuestFault as fault:
                self.deliver(fault)

    def deliver(self, fault):
        """Deliver `fault`, raised by the instruction at EIP (state precise), through the guest's IDT;
        raises GuestShutdown on a triple fault. A delivered fault counts as one instruction towards
        --max-insns: a handler that faults again would otherwise loop without reaching the limit."""
        interrupts.deliver_fault(self, fault)
        self.insn_count += 1
        self.smc = False        # the frame pushes' own invalidations are done; no block to cut short

    def step_delivering(self):
        """One instruction as the CPU runs it: a fault is delivered through the IDT instead of raised
        (the engines' loops), and with EFLAGS.TF set the single-step trap follows it
        (bt/runtime/single_step.py). `step` raises the fault (instruction-level tests)."""
        if self.w[W_EFLAGS] & TF:
            single_step.step(self)
            return
        try:
            self.step()
        except GuestFault as fault:
            self.deliver(fault)

    def step(self):
        """Execute exactly one instruction (tests, lockstep, the tail of a --max-insns budget) and
        return it. A guest fault is raised as GuestFault with the state before the instruction."""
        w = self.w
        eip = w[W_EIP]
        block = self.blocks.get(eip)
        if block is None or (block.mapped and not self._still_mapped(block)):
            # One instruction only: stepping (the JIT's callouts and slow exits) often starts in
            # the middle of straight-line code, where decoding a whole block per step is quadratic.
            block = self._translate(eip, 1)
        op, insn = block.ops[0], block.insns[0]
        if insn.address + insn.size - 1 > w[W_CS_LIMIT]:   # decoded under a larger CS limit
            raise cs_limit_fault(insn.address, insn.size)
        try:
            nxt = op()
        except _SmcAbort as abort:
            nxt = abort.next_eip
        except (GuestExit, GuestHalt):
            w[W_EIP] = insn.next_address
            self.insn_count += 1
            raise
        w[W_EIP] = insn.next_address if nxt is None else nxt
        self.insn_count += 1
        return insn

    def _run_block(self, block):
        w = self.w
        i = 0
        self.running = block
        try:
            for op in block.ops:
                nxt = op()
                i += 1
        except GuestFault:
            w[W_EIP] = block.insns[i].address
            self.insn_count += i
            raise
        except _SmcAbort as abort:
            nxt = abort.next_eip
            w[W_EIP] = block.insns[i].next_address if nxt is None else nxt
            self.insn_count += i + 1
            return
        except (GuestExit, GuestHalt):      # the instruction completed and ended the run
            w[W_EIP] = block.insns[i].next_address
            self.insn_count += i + 1
            raise
        except BaseException:               # an internal error: report the instruction at fault
            w[W_EIP] = block.insns[i].address
            self.insn_count += i
            raise
        w[W_EIP] = block.end_eip if nxt is None else nxt
        self.insn_count += i

    # ---- decoding --------------------------------------------------------------------------------

    def fetch_code(self, la, length):
        """Up to `length` code bytes at linear `la`, all on la's page (paging: the fetch may #PF)."""
        length = min(length, 4096 - (la & 0xFFF)) if self.paged else length
        pa = self.code_address(la)
        if pa + length > self.mem.size:
            return self.mem.read(pa, length)
        return bytes(self.mem.view[pa:pa + length])

    def decode(self, eip, may_cross=True):
        """The instruction at CS:eip; its bytes are fetched up to the CS limit only (#GP(0) if it
        needs more: checked before paging, so it comes before a #PF on the next page). An
        instruction that goes on into the next page fetches it only if `may_cross` (else
        CrossesPage): the fetch sets that page's Accessed bit, so only an instruction about to run
        may make it (the first of a block), as QEMU's translator and the JIT do."""
        seg = self.state.cpu.seg[CS]
        la = (seg.base + eip) & M32
        room = MAX_INSN_LEN if seg.limit == M32 else min(MAX_INSN_LEN, seg.limit - eip + 1)
        if room <= 0:
            raise cs_limit_fault(eip, 1)
        code = self.fetch_code(la, room)
        while True:
            try:
                return self.decoder.decode(code, eip)
            except DecodeError as err:
                if len(code) >= room and len(code) < MAX_INSN_LEN:
                    # More bytes needed beyond the limit: #GP(0), unless the bytes are undefined
                    # (#UD) whatever follows them (zero bytes are tried).
                    try:
                        self.decoder.decode(code + bytes(MAX_INSN_LEN - len(code)), eip)
                        raise cs_limit_fault(eip, len(code) + 1) from None
                    except DecodeError:
                        code += bytes(MAX_INSN_LEN - len(code))
                if len(code) >= MAX_INSN_LEN:
                    raise (ops_x87.x87_fault(self, str(err)) if ops_x87.is_x87(code)
                           else GuestFault(UD, detail=str(err))) from None
                # The bytes stop at a page end: the instruction may go on into the next page, whose
                # fetch may fault. (A decoder never takes a prefix of a longer instruction as valid.)
                if not may_cross:
                    raise CrossesPage(eip)
                code += self.fetch_code((la + len(code)) & M32, room - len(code))

    def _translate(self, eip, max_insns=MAX_BLOCK_INSNS):
        ops, insns = [], []
        addr = eip
        cs_base = self.state.cpu.seg[CS].base    # blocks are keyed by EIP: a CS reload flushes them
        page = (cs_base + eip) >> PAGE_SHIFT
        while True:
            try:
                insn = self.decode(addr, may_cross=not insns)
                op = self.compile(insn)
            except CrossesPage:                 # decoded when it is about to run, as a block's first
                break
            except GuestFault as fault:
                if insns:       # fault when reached: end the block before the bad instruction
                    break
                op = _raiser(fault)
                insn = None
            if insn is None:
                insn = _placeholder(addr)
            elif insns and external_interrupts.polls_after(insn):
                op = self._at_offset(op, len(ops))
            insns.append(insn)
            ops.append(op)
            addr = insn.next_address
            if (insn.name == "" or table.ends_block(insn) or len(ops) >= max_insns
                    or external_interrupts.polls_after(insn)
                    or (cs_base + addr) >> PAGE_SHIFT != page):
                break
        block = Block(eip, ops, insns)
        if not insns[0].name:
            # Its fetch or decode faulted: not cached, since the fault may be gone next time (a #PF
            # handler maps the page; the bytes are written) with nothing else telling this block.
            return block
        if len(self.blocks) >= MAX_DECODED_BLOCKS:     # bounded memory whatever code the guest makes
            self.flush()
        self.blocks[eip] = block
        last = insns[-1].address + insns[-1].size - 1 if insns[-1].name else eip
        first_la, last_la = (cs_base + eip) & M32, (cs_base + last) & M32
        ranges = self.physical_ranges(first_la, last_la)
        block.regions = self.code.add(ranges, self, block)
        if self.paged:
            # Checked in fetch order from the first byte, so a #PF has the CR2 a fetch would give.
            block.mapped = tuple(zip((first_la, last_la & ~0xFFF), (lo for lo, _ in ranges)))
        return block

    def physical_ranges(self, first_la, last_la):
        """The guest-physical byte ranges [lo, hi) of linear bytes first_la..last_la (decoded code:
        at most two pages, both already fetched)."""
        lo = self.code_address(first_la)
        if (first_la ^ last_la) >> PAGE_SHIFT == 0 or not self.paged:
            return [(lo, lo + ((last_la - first_la) & M32) + 1)]
        hi = self.code_address(last_la)
        return [(lo, (lo | 0xFFF) + 1), (hi & ~0xFFF, hi + 1)]

    def compile(self, insn):
        """The closure executing `insn`, wrapped for self-modifying-code checks if it writes memory."""
        factory = HANDLERS.get(insn.name)
        if factory is None or table.info(insn.name) is None:
            if ops_x87.is_x87(insn.raw):
                raise ops_x87.x87_fault(self, repr(insn.text))
            raise GuestFault(UD, detail=f"{insn.text!r} is not implemented (x87/SSE/unknown)")
        op = factory(self, insn)
        if table.writes_memory(insn):
            op = self._smc_checked(op)
        if external_interrupts.polls_after(insn):
            op = external_interrupts.wrap(self, insn, op)
        return op

    def _at_offset(self, op, i):
        """`op` is the i-th of its block: while it runs, the instruction count (guest time for port
        I/O) is insn_count + i, as _run_block adds the block's count at its end."""
        def offset_op():
            self.op_offset = i
            try:
                return op()
            finally:
                self.op_offset = 0
        return offset_op

    def _smc_checked(self, op):
        def checked():
            nxt = op()
            if self.smc:
                self.smc = False
                raise _SmcAbort(nxt)
            return nxt
        return checked

    def code_write(self, pa, size):
        """A guest write to [pa, pa+size) hit a page with code (ours or the JIT's): invalidate it.
        If any code was hit, the current block stops after this instruction."""
        if self.code.write(pa, size):
            self.smc = True

    def on_invalidate(self, region):
        block = region.tag
        if self.blocks.get(block.eip) is block:
            del self.blocks[block.eip]

    def flush(self):
        """Forget every decoded block (mode changes: paging, CR3, segment reloads of CS)."""
        self.blocks.clear()
        self.code.clear(self)

    # ---- operand access, used by handler factories --------------------------------------------

    def linear(self, seg, off, size, write):
        """The linear address of a `size`-byte data access at offset `off` through segment `seg`,
        after the segment's limit and type checks (raises #GP(0)/#SS(0): seg_limits.py)."""
        w = self.w
        b = W_SEG_BASE[seg]
        attrs, limit = w[b + 2], w[b + 1]
        if limit != M32 or attrs & 0x9E != 0x92:
            seg_limits.check(seg, attrs, limit, off, size, write)
        return (w[b] + off) & M32

    def seg_linear(self, seg, size, write):
        """A closure off -> linear address of a `size`-byte access through `seg` (checked)."""
        w = self.w
        b = W_SEG_BASE[seg]
        lim, att = b + 1, b + 2
        slow = self.linear

        def lin(off):
            if w[lim] == M32 and w[att] & 0x9E == 0x92:    # flat writable data: nothing to check
                return (w[b] + off) & M32
            return slow(seg, off, size, write)
        return lin

    def ea(self, op, size=None, write=False):
        """A closure computing the checked *linear* address of memory operand `op`, accessed as
        `size` bytes (op.size by default), for a write if `write`."""
        w = self.w
        seg = op.seg
        sb = W_SEG_BASE[seg]
        lim, att = sb + 1, sb + 2
        size = size or op.size
        slow = self.linear
        base, index, scale, disp = op.base, op.index, op.scale, op.disp
        if op.addr_size == 2:
            def ea16():
                off = disp
                if base >= 0:
                    off += w[base]
                if index >= 0:
                    off += w[index]
                off &= 0xFFFF
                if w[lim] == M32 and w[att] & 0x9E == 0x92:
                    return (w[sb] + off) & M32
                return slow(seg, off, size, write)
            return ea16
        if base < 0 and index < 0:
            disp &= M32

            def ea_d():
                if w[lim] == M32 and w[att] & 0x9E == 0x92:
                    return (w[sb] + disp) & M32
                return slow(seg, disp, size, write)
            return ea_d
        if index < 0:
            def ea_b():
                if w[lim] == M32 and w[att] & 0x9E == 0x92:
                    return (w[sb] + w[base] + disp) & M32
                return slow(seg, (w[base] + disp) & M32, size, write)
            return ea_b
        if base < 0:
            def ea_i():
                if w[lim] == M32 and w[att] & 0x9E == 0x92:
                    return (w[sb] + w[index] * scale + disp) & M32
                return slow(seg, (w[index] * scale + disp) & M32, size, write)
            return ea_i

        def ea_bi():
            if w[lim] == M32 and w[att] & 0x9E == 0x92:
                return (w[sb] + w[base] + w[index] * scale + disp) & M32
            return slow(seg, (w[base] + w[index] * scale + disp) & M32, size, write)
        return ea_bi

    def reader(self, op, size=None):
        """A closure returning operand `op`'s value (zero-extended to `size` bytes' worth)."""
        w = self.w
        if op.kind == REG:
            r = op.reg
            if op.size == 4:
                return lambda: w[r]
            if op.size == 2:
                return lambda: w[r] & 0xFFFF
            if op.high8:
                return lambda: (w[r] >> 8) & 0xFF
            return lambda: w[r] & 0xFF
        if op.kind == IMM:
            value = op.imm & MASK[size or op.size]
            return lambda: value
        if op.kind == MEM:
            ea, rd = self.ea(op), self.readers[op.size]
            return lambda: rd(ea())
        raise NotImplementedError(f"reader for {op.kind}")

    def writer(self, op):
        """A closure storing a value (already masked to the operand size) into operand `op`."""
        w = self.w
        if op.kind == REG:
            r = op.reg
            if op.size == 4:
                def set32(v):
                    w[r] = v
                return set32
            if op.size == 2:
                def set16(v):
                    w[r] = (w[r] & 0xFFFF0000) | v
                return set16
            if op.high8:
                def set8h(v):
                    w[r] = (w[r] & 0xFFFF00FF) | (v << 8)
                return set8h

            def set8(v):
                w[r] = (w[r] & 0xFFFFFF00) | v
            return set8
        if op.kind == MEM:
            ea, wr = self.ea(op, op.size, True), self.writers[op.size]
            return lambda v: wr(ea(), v)
        raise NotImplementedError(f"writer for {op.kind}")

    def location(self, op):
        """(load, store) for read-modify-write operands: store writes where the last load read."""
        if op.kind != MEM:
            return self.reader(op), self.writer(op)
        ea, rd, wr = self.ea(op, op.size, True), self.readers[op.size], self.writers[op.size]
        cell = [0]

        def load():
            cell[0] = a = ea()
            return rd(a)

        def store(v):
            wr(cell[0], v)
        return load, store

    # ---- stack, used by handler factories -----------------------------------------------------

    def push32(self, value):
        w = self.w
        sp = (w[ESP] - 4) & M32
        self.wr32(self.linear(SS, sp, 4, True), value)
        w[ESP] = sp

    def push16(self, value):
        w = self.w
        sp = (w[ESP] - 2) & M32
        self.wr16(self.linear(SS, sp, 2, True), value)
        w[ESP] = sp

    def pop32(self):
        w = self.w
        sp = w[ESP]
        value = self.rd32(self.linear(SS, sp, 4, False))
        w[ESP] = (sp + 4) & M32
        return value

    def pop16(self):
        w = self.w
        sp = w[ESP]
        value = self.rd16(self.linear(SS, sp, 2, False))
        w[ESP] = (sp + 2) & M32
        return value

    def require_cpl0(self):
        if self.w[W_CPL] != 0:
            raise GuestFault(GP, 0, "privileged instruction at CPL > 0")

    def stats_lines(self):
        return [f"guest instructions     {self.insn_count}",
                f"blocks decoded         {len(self.blocks)} (live)"]

    # ---- flags shortcuts ----------------------------------------------------------------------

    def eflags(self):
        return flags.materialize(self.w)


def cs_limit_fault(eip, size):
    """The #GP(0) of fetching `size` bytes at CS:eip when some are beyond the CS limit."""
    return GuestFault(GP, 0, f"instruction fetch at CS:{eip:#x} ({size} bytes) beyond the CS limit")


def _raiser(fault):
    def op():
        raise fault
    return op


def _placeholder(addr):
    from bt.frontend.decoder import Insn
    return Insn(address=addr, size=1, name="", operands=())
