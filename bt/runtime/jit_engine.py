"""The JIT engine (`btvm run --engine jit`, the default): the VMM around the native dispatcher.

Called by bt/runtime/machine.py like the interpreter: `Jit(machine).run(max_insns, deadline)`.
The hot loop is native (bt_dispatch in bt/backend/runtime_ir.py): Python runs only when the
dispatcher returns — a lookup miss (translate a batch of blocks, install them), a callout or a slow
memory access (the reference interpreter executes that one instruction: the VMM's handlers), or an
exhausted instruction budget (limits, deadline). Invariants it keeps:
- Translations are keyed by (EIP, physical address of EIP, mode): a CR3 switch keeps them. Each
  mode has its own lookup table (keyed by EIP, bt/runtime/lookup_tables.py), kept across mode
  switches; when the mappings change (Mmu.flush) it keeps only the entries whose code pages still
  map to the same frames, and a miss finds a known translation again by a walk (`_on_miss`).
- Adaptive translation: an instruction that keeps leaving native code through slow exits is
  retranslated as a callout (`_count_trap`).
- The shadow page table only ever maps to guest RAM. With paging off it is the identity, filled
  once; with paging on it starts empty and the native walk (bt/backend/page_walk_ir.py) fills it on
  misses, one pair of tables per CPL class (user or supervisor: bt/runtime/shadow_tables.py). Frames with translated
  code or page tables are never in the write table, so native stores to them take the store
  helper's slow path: a store into a page table drops the shadow entries it remaps
  (bt/backend/pt_store_ir.py; `after_native` then forgets the interpreter's TLB), a store that
  touches code or an entry mapping code leaves native code and invalidates through the CodeTracker
  or flushes the mappings (Mmu.flush).
- The translation cache is bounded (`tcache_size`, `btvm run --tcache-size`): when the compiler's
  estimate of the host memory held by compiled code (NativeCompiler.footprint, plus TRANSLATION_BYTES
  of Python bookkeeping per translation) exceeds it, `flush_tcache` drops every translation and
  starts new MCJIT engines, which frees their memory. It runs only from the Python run loop, after the
  dispatcher has returned, so no code of the old engines is on the stack; chaining goes through the
  lookup table, which the flush empties, so no native code points at the freed code either.
"""
import ctypes
import time
from dataclasses import dataclass, field

import numpy as np

from bt.backend.compiler import NativeCompiler
from bt.backend.context import (EXIT_BUDGET, EXIT_HOT, EXIT_INTERP, EXIT_MISS, EXIT_SEGMENTS, EXIT_SLOW_MEM,
                                IRQ_KICK, MODE_BASE, MODE_FNS, MODE_TAGS, MODE_VALID, JitContext)
from bt.backend.runtime_ir import runtime_addresses
from bt.backend.translator import MAX_BLOCK_INSNS, translate
from bt.frontend.callouts import KINDS
from bt.frontend.decoder import Decoder
from bt.runtime import external_interrupts, port_mirror
from bt.runtime.code_mappings import CodeMappings
from bt.runtime.events import LimitReached
from bt.runtime.interp import Interpreter
from bt.runtime.lookup_tables import LookupTable, LookupTables
from bt.runtime.shadow_tables import ShadowTables
from bt.runtime.state import CS, IF, TF, W_EFLAGS, W_EIP

DEFAULT_TCACHE_SIZE = 64 << 20
TRANSLATION_BYTES = 1 << 10        # Translation, CodeRegion, dict entries, granule counts (generous)
COUNTERS_INITIAL = 4096
BUDGET_CHUNK = 50_000_000
BATCH_BLOCKS = 16
ADAPT_AFTER = 8                   # slow exits at one instruction before it is retranslated as a callout
MAX_TRAP_COUNTS = 1 << 16
_BLOCK_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)
_MATERIALIZE_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p)


@dataclass
class Translation:
    key: tuple               # (eip, physical address of eip, mode id)
    name: str
    address: int
    guest_insns: int
    regions: tuple = ()      # CodeTracker regions of its guest-physical bytes (two if it spans pages)
    pages: tuple = ()        # paging: (linear page, frame) its code was fetched from
    slot: int = 0            # execution counter slot (quick tier), 0 for none


@dataclass
class JitStats:
    blocks_translated: int = 0
    guest_insns_translated: int = 0
    translate_seconds: float = 0.0
    misses: int = 0
    interp_steps: int = 0
    callouts: dict = field(default_factory=dict)
    slow_memory: int = 0
    invalidations: int = 0
    lookup_flushes: int = 0
    returns_to_python: int = 0
    hot_blocks: int = 0
    hot_seconds: float = 0.0
    tcache_flushes: int = 0
    flush_seconds: float = 0.0
    adapted: int = 0         # instructions retranslated as callouts because they kept trapping
    seg_checked: int = 0     # blocks retranslated to check segment limits (EXIT_SEGMENTS)
    relinked: int = 0        # lookup misses served by an existing translation (after a flush)


class Jit:
    def __init__(self, machine, block_insns=MAX_BLOCK_INSNS, hot_threshold=None, tcache_size=DEFAULT_TCACHE_SIZE):
        self.machine = machine
        self.block_insns = block_insns            # longest translated block (1 in lockstep diff runs)
        self.hot_threshold = hot_threshold        # None: the emitter's HOT_THRESHOLD
        self.tcache_size = tcache_size            # bytes; None: unbounded
        self.state = machine.state
        self.w = machine.state.w
        self.mem = machine.mem
        self.interp = Interpreter(machine)       # the VMM's handlers for callouts and slow paths
        self.code = machine.code
        self.decoder = Decoder()
        self.compiler = NativeCompiler()
        self.stats = JitStats()
        self.translations = {}                    # (eip, physical address of eip, mode id) -> Translation
        self.modes = {}                           # mode tuple -> small int
        self.mode = None
        self.executed = 0
        self.trap_counts = {}                     # eip -> slow exits there (adaptive translation)
        self.adaptive = set()                     # EIPs translated as callouts
        self.seg_checked = set()                  # EIPs of blocks that met segments not flat

        rt = runtime_addresses()
        self._dispatch = _BLOCK_FN(rt["bt_dispatch"])
        self.miss_address = rt["bt_miss"]
        self.materialize_address = rt["bt_materialize"]

        self.lookup = LookupTables(self.miss_address)
        self.table = LookupTable(self.miss_address)     # replaced by the mode's own at the first run
        self.counters = np.zeros(COUNTERS_INITIAL, dtype=np.uint32)
        self._free_counters, self._next_counter = [], 1
        self.mmu = self.interp.mmu
        ctx = self.ctx = JitContext()
        self.shadows = ShadowTables(ctx, self.mem.size, self.code.pages)
        self.code_mappings = CodeMappings(ctx, self.mmu, self.mem.size)
        self._map_epoch = 0                       # ctx.map_epoch when the interpreter's TLB was last right
        self.code.page_listeners.append(self.shadows.code_page_changed)
        self.mmu.flush_listeners.append(self._mappings_changed)
        self.mmu.new_table_listeners.append(self.shadows.new_page_table)
        ctx.ram = machine.mem.base_hva
        self.mode_slots = np.zeros(12, dtype=np.uint64)
        ctx.mode_slots = self.mode_slots.ctypes.data
        self._point_at(self.table)
        ctx.materialize = self.materialize_address
        ctx.counters = self.counters.ctypes.data
        self.parity = np.array([bin(b).count("1") % 2 == 0 for b in range(256)], dtype=np.uint8)
        ctx.parity = self.parity.ctypes.data
        self.code_map = self.code.enable_granule_map(self.mem.size)
        ctx.code_map = self.code_map.ctypes.data
        for bits in (8, 16, 32):
            setattr(ctx, f"read{bits}", rt[f"bt_read{bits}"])
            setattr(ctx, f"write{bits}", rt[f"bt_write{bits}"])
        ctx.state = machine.state.address
        ctx.frame_flags = self.mmu.frame_flags_np.ctypes.data
        ctx.fill = rt["bt_fill"]
        ctx.deliver, ctx.iret, ctx.page_fault = rt["bt_deliver"], rt["bt_iret"], rt["bt_page_fault"]
        ctx.ram_size = self.mem.size
        self.port_mirror = port_mirror.of(machine.io)       # what a native IN reads (lower_ports.py)
        ctx.port_mirror = self.port_mirror.address
        self._st_ptr = machine.state.address
        self._ctx_ptr = ctypes.addressof(ctx)
        self.irq = external_interrupts.of(machine)
        self.clock = getattr(machine, "clock", None)
        pic = getattr(machine, "pic", None)
        if pic is not None:
            pic.listeners.append(self._intr_changed)
            self._intr_changed(pic.intr)

    # ---- shadow page table ----------------------------------------------------------------------

    @property
    def shadow_read(self):
        return self.shadows.read

    @property
    def shadow_write(self):
        return self.shadows.write

    @property
    def shadow_paged(self):
        return self.shadows.paged

    def _mappings_changed(self):
        """Mmu.flush: CR3/CR0/CR4 load, INVLPG or a store into a page table."""
        if self.shadows.paged:
            self.shadows.flush()
        if self.mode is not None:
            self._flush_lookup()
            self.code_mappings.rebuild(page for table in self.lookup.by_mode.values() for page in table.frames)

    # ---- running -------------------------------------------------------------------------------

    def run(self, max_insns=None, deadline=None):
        w, ctx = self.w, self.ctx
        irq = self.irq
        irq.begin(lambda: self.executed, deadline)
        exact_time = self.clock is not None and self.clock.deterministic    # --icount
        while True:
            if self.executed >= irq.check_at:
                irq.poll(self.interp)         # external interrupts (bt/runtime/external_interrupts.py)
            remaining = None if max_insns is None else max_insns - self.executed
            if remaining is not None and remaining <= 0:
                raise LimitReached("max-insns", w[W_EIP])
            if deadline is not None and time.monotonic() >= deadline:
                raise LimitReached("timeout", w[W_EIP])
            self._check_mode()
            until_irq = irq.check_at - self.executed
            # The next look at interrupts must be on time with --icount or an interrupt deliverable
            # (INTR asserted and IF set). Otherwise (host time) it may come a few instructions late
            # (a block runs whole): stepping there instead would resume mid-block, and each resume
            # would translate another block.
            exact = exact_time or ctx.irq_pending & w[W_EFLAGS]
            if (w[W_EFLAGS] & TF or (remaining is not None and remaining <= self.block_insns)
                    or (exact and until_irq <= self.block_insns)):
                # TF: single-stepping goes instruction by instruction (bt/runtime/single_step.py)
                self._step()                  # exact tail of the budget, one instruction at a time
                continue
            budget = min(BUDGET_CHUNK, until_irq - self.block_insns if exact else max(1, until_irq))
            if remaining is not None:
                budget = min(budget, remaining - self.block_insns)
            ctx.budget = budget
            ctx.seg_flat = 0                  # Python may have loaded segments (seg_checks.py)
            code = self._dispatch(self._st_ptr, self._ctx_ptr)
            self.executed += budget - self._budget_left()
            self.after_native()
            self.stats.returns_to_python += 1
            if code == EXIT_MISS:
                self.stats.misses += 1
                self._on_miss(w[W_EIP])
            elif code == EXIT_INTERP:
                kind = KINDS[ctx.exit_info] if ctx.exit_info < len(KINDS) else "?"
                self.stats.callouts[kind] = self.stats.callouts.get(kind, 0) + 1
                ctx.exit_info = 0
                self._step()        # a callout is alone in its block: a new block starts after it
            elif code == EXIT_SLOW_MEM:
                self.stats.slow_memory += 1
                self._count_trap(w[W_EIP])
                self._step_to_translation(max_insns)
            elif code == EXIT_HOT:
                self._bound_tcache()
                self._promote(w[W_EIP])
            elif code == EXIT_SEGMENTS:
                self.check_segments_at(w[W_EIP])
            elif code != EXIT_BUDGET:
                raise RuntimeError(f"native code returned unknown exit code {code} at eip={w[W_EIP]:#x}")

    def after_native(self):
        """Bring Python's view up to date with what native code did since the dispatch began."""
        if self.ctx.map_epoch != self._map_epoch:      # it stored into page tables (pt_store_ir.py)
            self._map_epoch = self.ctx.map_epoch
            self.interp.forget_tlb()
        self._native_sti_shadow()
        self.port_mirror.refresh()           # host input a natively read register may hide
        self._check_mode()                   # native code may have changed CPL (delivery_ir.py)

    def _hide_from_guest(self, seconds):
        """Translation time does not pass for the guest (real-time clock): a timer would otherwise
        fire again while the JIT compiles its handler."""
        if self.clock is not None:
            self.clock.hide(int(seconds * 1e9))
        return seconds

    def _budget_left(self):
        """ctx.budget after a dispatch, without the kick of a native POPF that set IF while INTR was
        asserted (bt/backend/lower_flags_virt.py); a kick makes the next boundary look for interrupts."""
        left = self.ctx.budget
        if left < -(IRQ_KICK >> 1):
            left += IRQ_KICK
            self.ctx.budget = left
            self.irq.check_at = 0
        return left

    def _native_sti_shadow(self):
        """A native STI set IF (bt/backend/lower_flags_virt.py): if no block was entered since, this
        boundary is the one right after it, inside its interrupt shadow."""
        ctx = self.ctx
        if ctx.sti_mark:
            if ctx.sti_mark == ctx.chained + ctx.dispatched + 1:
                self.irq.start_shadow()
                self.irq.check_at = 0
            ctx.sti_mark = 0

    def _intr_changed(self, level):
        self.ctx.irq_pending = IF if level else 0

    def _step_to_translation(self, max_insns):
        """Run the instruction a slow exit left to the VMM, then keep interpreting until EIP is the
        start of a translation (at most one block's worth): resuming in the middle of a block would
        otherwise translate a new block from there after every slow access. External interrupts
        are looked at between these instructions as in the run loop."""
        self._step()
        irq = self.irq
        for _ in range(self.block_insns):
            if self.executed >= irq.check_at and irq.poll(self.interp):
                return
            if max_insns is not None and self.executed >= max_insns:
                return
            if self._current_mode() != self.mode or self._translation_at(self.w[W_EIP]) is not None:
                return
            if irq.check_at - self.executed <= 0:
                return
            self._step()

    def _count_trap(self, eip):
        """Adaptive translation (VMware's): an instruction that keeps leaving native code through a
        slow exit (a store into a page table, a code page, unbacked memory) is retranslated as a
        callout, so the instruction after it starts a translation and runs natively again instead
        of being interpreted to the end of its block after every trap."""
        count = self.trap_counts.get(eip, 0) + 1
        if count < ADAPT_AFTER:
            if len(self.trap_counts) >= MAX_TRAP_COUNTS:
                self.trap_counts.clear()
            self.trap_counts[eip] = count
            return
        self.trap_counts.pop(eip, None)
        pa = self._code_pa(eip)
        if pa is None or eip in self.adaptive:
            return
        self.adaptive.add(eip)
        self.stats.adapted += 1
        self.code.write(pa, 1, owner=self)     # drop its translations: retranslated at the next miss

    def check_segments_at(self, eip):
        """The block at EIP met a segment that is not flat (EXIT_SEGMENTS, before it did anything):
        drop its translations; the next miss retranslates it checking each access
        (bt/backend/seg_checks.py), which it keeps doing from then on. False if it could not, and
        ran the instruction in the interpreter instead (not expected: it makes progress anyway)."""
        pa = self._code_pa(eip)
        if pa is None or eip in self.seg_checked:
            self._step()
            return False
        self.seg_checked.add(eip)
        self.stats.seg_checked += 1
        self.code.write(pa, 1, owner=self)
        return True

    def _seg_options(self, eip):
        """translate()'s segment options for the block at EIP: checked blocks end before an
        instruction beyond the current CS limit (bt/backend/seg_checks.py)."""
        if eip not in self.seg_checked:
            return {}
        return {"seg_checks": True, "cs_limit": self.state.cpu.seg[CS].limit}

    def _step(self):
        self.stats.interp_steps += 1
        before = self.interp.insn_count
        try:
            self.interp.step_delivering()       # a guest fault goes through the IDT, as in the interpreter
        finally:
            self.executed += self.interp.insn_count - before

    # ---- translation cache -------------------------------------------------------------------

    def _current_mode(self):
        cpu = self.state.cpu
        return (cpu.seg[CS].base, cpu.cpl, cpu.cr[0] >> 31)

    def _check_mode(self):
        mode = self._current_mode()
        if mode != self.mode:
            self.mode = mode
            self.mode_id = self.modes.setdefault(mode, len(self.modes))
            self.shadows.select(bool(mode[2]), mode[1] == 3)
            table, created = self.lookup.table_for(self.mode_id, mode[0])
            self._point_at(table)
            if created:
                self._refill_lookup()
            self._publish_modes()

    def _publish_modes(self):
        """JitContext.mode_slots: the lookup table each CPL would use with the current paging state,
        for native code that changes CPL (bt/backend/delivery_ir.py); the current mode's wins."""
        slots = self.mode_slots
        slots.fill(0)
        current = None
        for mode, mode_id in self.modes.items():
            table = self.lookup.get(mode_id)
            if table is None or mode[2] != self.mode[2]:
                continue
            if mode_id == self.mode_id:
                current = (mode, table)
                continue
            self._publish_mode(mode, table)
        if current is not None:
            self._publish_mode(*current)

    def _publish_mode(self, mode, table):
        cpl = mode[1]
        self.mode_slots[MODE_TAGS + cpl] = table.tags_address
        self.mode_slots[MODE_FNS + cpl] = table.fns_address
        self.mode_slots[MODE_BASE + cpl] = mode[0] | MODE_VALID

    def _point_at(self, table):
        self.table = table
        self.ctx.tags = table.tags_address
        self.ctx.fns = table.fns_address

    def _flush_lookup(self):
        """The mappings changed: forget the paged modes' tables but the current one, of which
        (paging on) keep the entries whose code pages still map to the same frames (a
        side-effect-free walk per page); misses find the translations again through a walk. With
        paging off now (a CR0 load), the paged tables go too: their mappings may have changed
        before paging comes back on."""
        paged_modes = {i for m, i in self.modes.items() if m[2]}
        if self.lookup.drop(keep=self.mode_id, only=paged_modes.__contains__):
            self._publish_modes()
        if self.mode[2]:
            user = self.mode[1] == 3
            self.table.keep_mapped(lambda page: self.mmu.peek(page << 12, user))

    def _refill_lookup(self):
        """A fresh table for the current mode. With paging off, its translations go back in at once
        (EIPs map as they did); with paging on, misses find them again through a walk."""
        self.stats.lookup_flushes += 1
        if not self.mode[2]:
            for t in self.translations.values():
                if t.key[2] == self.mode_id:
                    self._install(t)

    def _code_pa(self, eip):
        """Physical address of the code at EIP without faulting (None if its page is not mapped)."""
        return self.interp.probe_code_address((self.state.cpu.seg[CS].base + eip) & 0xFFFFFFFF)

    def _translation_at(self, eip):
        pa = self._code_pa(eip)
        return None if pa is None else self.translations.get((eip, pa, self.mode_id))

    def _on_miss(self, eip):
        """The lookup table has no entry for EIP: install an existing translation for what EIP maps
        to now, else translate; an unmapped EIP is the interpreter's (it raises the #PF)."""
        pa = self._code_pa(eip)
        if pa is None:
            self._step()
            return
        t = self.translations.get((eip, pa, self.mode_id))
        if t is not None:
            self.stats.relinked += 1
            self._install(t)
            return
        self._bound_tcache()
        self._translate_batch(eip)

    def _install(self, t):
        self.table.install(t.key[0], t.address, t.pages)
        for page, _ in t.pages:
            self.code_mappings.mark(page)

    def tcache_bytes(self):
        """Estimated host memory held by the translation cache (compiled code and its bookkeeping)."""
        return self.compiler.footprint + TRANSLATION_BYTES * len(self.translations)

    def _bound_tcache(self):
        if self.tcache_size is not None and self.tcache_bytes() > self.tcache_size:
            self.flush_tcache()

    def flush_tcache(self):
        """Drop every translation and free the compiled code (new engines). Only call it while no
        native block is running: between dispatches, from the run loop."""
        t0 = time.perf_counter()
        for t in self.translations.values():
            self.code.remove(t.regions)
        self.translations.clear()
        self.lookup.drop()
        if self.mode is not None:
            table, _ = self.lookup.table_for(0, self.mode[0])
            self._point_at(table)
        else:
            self.table.clear()
        self.counters = np.zeros(COUNTERS_INITIAL, dtype=np.uint32)
        self.ctx.counters = self.counters.ctypes.data
        self._free_counters, self._next_counter = [], 1
        self.modes = {self.mode: 0} if self.mode is not None else {}
        self.mode_id = 0
        if self.mode is not None:
            self._publish_modes()
        self.interp.flush()                   # its decoded blocks, also per-guest and unbounded
        self.compiler.reset()
        self.stats.tcache_flushes += 1
        self.stats.flush_seconds += time.perf_counter() - t0

    def _fetch(self, addr, length):
        """Code bytes for the translator, as the interpreter fetches them (paging: to the end of
        the page), or b"" if the page is not mapped: the interpreter then takes that instruction."""
        la = (self.state.cpu.seg[CS].base + addr) & 0xFFFFFFFF
        if self.interp.probe_code_address(la) is None:
            return b""
        return self.interp.fetch_code(la, length)

    def _translate_batch(self, eip):
        """Translate the missed block and the not-yet-translated blocks it statically reaches."""
        t0 = time.perf_counter()
        mode = self.mode_id
        todo, blocks, seen = [eip], [], set()
        while todo and len(blocks) < BATCH_BLOCKS:
            addr = todo.pop(0)
            # With paging on, only the missed block's page: a walk for a block that never runs
            # would set Accessed bits the guest can see.
            if addr in seen or (self.shadow_paged and (addr ^ eip) >> 12):
                continue
            seen.add(addr)
            if self._translation_at(addr) is not None:
                continue
            slot = self._new_counter()
            # A block other than the missed one may not fetch from the next page (it may never run).
            block = translate(self._fetch, self.decoder, addr, mode, self.block_insns,
                              hot_threshold=self.hot_threshold, counter_slot=slot, callouts_at=self.adaptive,
                              may_cross=addr == eip or not self.shadow_paged, **self._seg_options(addr))
            if block is None:
                self._free_counters.append(slot)
                continue
            blocks.append(block)
            for target in _static_successors(block):
                todo.append(target)
        if not blocks:
            return
        addresses = self.compiler.compile([b.ir for b in blocks], [b.name for b in blocks])
        for b in blocks:
            self._add_translation(b, addresses[b.name], b.counter_slot)
            self.stats.blocks_translated += 1
            self.stats.guest_insns_translated += len(b.insns)
        self.stats.translate_seconds += self._hide_from_guest(time.perf_counter() - t0)

    def _promote(self, eip):
        """Retranslate a hot block with the optimising tier and put it in place of the quick one."""
        t0 = time.perf_counter()
        old = self._translation_at(eip)
        block = translate(self._fetch, self.decoder, eip, self.mode_id, self.block_insns, tier="hot",
                          callouts_at=self.adaptive, **self._seg_options(eip))
        address = self.compiler.compile([block.ir], [block.name], tier="hot")[block.name]
        if old is not None:
            self.code.remove(old.regions)
            self._release(old)
        self._add_translation(block, address)
        self.stats.hot_blocks += 1
        self.stats.hot_seconds += self._hide_from_guest(time.perf_counter() - t0)

    def _new_counter(self):
        """A zeroed slot in the execution-counter array (slot 0 is scratch, never handed out)."""
        if self._free_counters:
            slot = self._free_counters.pop()
        else:
            slot = self._next_counter
            self._next_counter += 1
            if slot >= len(self.counters):
                grown = np.zeros(2 * len(self.counters), dtype=np.uint32)
                grown[:len(self.counters)] = self.counters
                self.counters = grown
                self.ctx.counters = grown.ctypes.data
        self.counters[slot] = 0
        return slot

    def _release(self, t):
        if t.slot:
            self._free_counters.append(t.slot)
            t.slot = 0

    def _add_translation(self, b, address, slot=0):
        cs_base = self.state.cpu.seg[CS].base
        first, last = (cs_base + b.lo) & 0xFFFFFFFF, (cs_base + b.hi - 1) & 0xFFFFFFFF
        ranges = self.interp.physical_ranges(first, last)
        t = Translation((b.eip, ranges[0][0], self.mode_id), b.name, address, b.native_insns, slot=slot)
        t.regions = self.code.add(ranges, self, t)
        if self.shadow_paged:             # what the lookup table checks after a mapping flush
            t.pages = tuple(zip((first >> 12, last >> 12), (lo & ~0xFFF for lo, _ in ranges)))
        self.translations[t.key] = t
        self._install(t)
        return t

    def on_invalidate(self, region):
        """A guest write hit translated code (CodeTracker): drop that translation."""
        t = region.tag
        if self.translations.get(t.key) is t:
            del self.translations[t.key]
            self._release(t)
            self.stats.invalidations += 1
            table = self.lookup.get(t.key[2])
            if table is not None:
                table.remove(t.key[0], t.address)

    def stats_lines(self):
        s, c = self.stats, self.ctx
        quick, hot = self.compiler.times_by_tier["quick"], self.compiler.times_by_tier["hot"]
        per_insn = (s.translate_seconds / s.guest_insns_translated * 1e6) if s.guest_insns_translated else 0
        lines = [
            f"guest instructions     {self.executed}",
            f"blocks translated      {s.blocks_translated} ({s.guest_insns_translated} guest instructions, "
            f"{quick.modules} modules)",
            f"translation time       {s.translate_seconds * 1e3:.1f} ms ({per_insn:.0f} us/guest insn: decode and "
            f"IR in Python {(s.translate_seconds - quick.parse - quick.codegen) * 1e3:.1f} ms, LLVM parse "
            f"{quick.parse * 1e3:.1f} ms, codegen {quick.codegen * 1e3:.1f} ms)",
            f"hot-tier blocks        {s.hot_blocks} ({s.hot_seconds * 1e3:.1f} ms: parse {hot.parse * 1e3:.1f} ms, "
            f"optimise {hot.optimize * 1e3:.1f} ms, codegen {hot.codegen * 1e3:.1f} ms)",
            f"lookup misses          {s.misses}",
            f"blocks dispatched      {c.dispatched}",
            f"chained exits          {c.chained}",
            f"returns to Python      {s.returns_to_python}",
            f"interpreter steps      {s.interp_steps} (slow memory {s.slow_memory})",
            "callouts               " + (", ".join(f"{k} {v}" for k, v in sorted(s.callouts.items())) or "none"),
            f"invalidations          {s.invalidations}",
            f"adaptive callouts      {s.adapted} instructions retranslated after {ADAPT_AFTER} slow exits each",
            f"segment checks         {s.seg_checked} blocks retranslated to check accesses (segments not flat)",
            f"lookup-table fills     {s.lookup_flushes} ({s.relinked} misses found an existing translation)",
            f"page walks             {c.walks} native, {self.mmu.walks} reference; "
            f"{self.shadows.flushes} shadow flushes, {self.mmu.flushes} mapping flushes",
            f"page-table stores      {c.pt_stores} native (only the entries they remap dropped)",
            f"tcache                 {self.tcache_bytes() >> 10} KiB of "
            + ("unbounded" if self.tcache_size is None else f"{self.tcache_size >> 10} KiB")
            + f", {s.tcache_flushes} flushes ({s.flush_seconds * 1e3:.1f} ms)",
        ]
        return lines


def _static_successors(block):
    """Constant EIPs the block can continue at: likely to run soon, so worth compiling in the same batch."""
    return list(block.exit_targets)
