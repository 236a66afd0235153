"""BlockEmitter: writes the LLVM IR (as text) of one translated guest block.

@fileoverview How a block is lowered (read this before writing a lowering in bt/backend/lower_*.py)
- The block is `define i32 @tb_<eip>(ptr %st, ptr %ctx)`: %st is the CpuState, %ctx the JitContext
  (bt/backend/context.py). It returns an exit code of context.py.
- Guest registers live in SSA values: the first read of a register loads it in the entry block, writes
  only rebind the name (`set_reg`), and every exit stores the registers the block changed. Values have
  their guest width: i8, i16 or i32.
- Flags are symbolic at translation time (`FlagState`): each arithmetic flag is known to come from the
  block's entry, from an arithmetic *record* (kind, size, a, b, result) or from an i1 value. A flag is
  computed in IR only where something reads it, or at an exit where it must be stored; an exit whose
  six flags all come from one ADD/ADC/SUB/SBB/LOGIC record stores that record in the lazy-flag fields
  (cc_op/cc_a/cc_b/cc_res, the format of bt/runtime/flags.py) instead of computing anything.
- Memory goes through the shadow page table: one load of the entry for the page, a check, and a host
  access inside guest RAM (inline in the hot tier; a call to the shared bt_read*/bt_write* helpers of
  runtime_ir.py, through pointers in JitContext, in the quick tier: 4 IR instructions instead of 15).
  Quick-tier IR avoids what LLVM's FastISel cannot select (direct calls in the JIT's large code model,
  i1 returns, intrinsics like ctpop): such a basic block falls back to the much slower SelectionDAG. Anything else takes a *side exit*: the state as it was before the current
  instruction is stored and the block returns EXIT_SLOW_MEM, so the interpreter re-executes that
  instruction (precise state, whatever the slow case: unbacked memory, code pages, faults).
  Consequence for lowerings: an instruction may store to guest memory at most once, and only after
  every access that can side-exit.
- Block ends store EIP, charge the instruction budget and, when the budget allows and the lookup table
  has the target, `musttail` call the next block directly (chaining) without returning to Python.
- Tiers: a quick-tier block counts its executions and returns EXIT_HOT at HOT_THRESHOLD; the engine
  then retranslates it with tier="hot" (O2), where a jump back to the block's own start loops inside
  the function with registers and flag records in phis (see "hot-tier loops" below).
- Segments: data accesses take their linear address from `linear` (seg_checks.py): a block assumes
  flat segments (and a CS limit of 0xFFFFFFFF) and checks that once at its entry, or (retranslated
  after that check failed) checks each access against its segment's limit and type, its own bytes
  against the CS limit at entry and each near transfer's target (`code_target_ok`).
The flag machinery lives in flag_ir.py, the hot-tier loops in hot_loop.py and the segment checks in
seg_checks.py (mixins of BlockEmitter).
Cold: runs once per translated block (target: well under 100 µs per guest instruction).
"""
from bt.backend.context import (EXIT_NEXT, EXIT_HOT, EXIT_INTERP, EXIT_SLOW_MEM, LOOKUP_BITS, LOOKUP_SIZE,
                                SHADOW_VALID, field_offset, lookup_index)
from bt.backend.block_state import Snapshot
from bt.backend.flag_ir import ARITH_BITS, ENTRY, TYPE, FlagsMixin, _s32
from bt.backend.hot_loop import HotLoopMixin
from bt.backend.seg_checks import SegmentChecksMixin
from bt.backend.lowering import Unsupported  # noqa: F401  (re-exported: lowerings import it from here)
from bt.runtime.state import W_SEG_BASE, offset_of

_STATE_KEYS = ("reg", "seg", "eflags", "eflags_raw")     # values read from guest state at block start
# Quick-tier executions before a block is retranslated by the hot tier. An O2 compile (~5-10 ms) saves
# ~1-3 ns per execution (bench/), so it pays after ~10^6 executions; promote a little before that.
HOT_THRESHOLD = 200_000

OFF_EIP = offset_of("eip")


class BlockEmitter(FlagsMixin, HotLoopMixin, SegmentChecksMixin):
    def __init__(self, name, eip, tier="quick", hot_threshold=None, counter_slot=0, seg_checks=False):
        self.name = name
        self.seg_checks = seg_checks    # check each access against its segment (else: the entry guard)
        self.code_last = eip            # offset of the block's last byte (the translator sets it)
        self._flat_segs = set()         # segments the entry guard must find flat (seg_checks off)
        self.hot_threshold = HOT_THRESHOLD if hot_threshold is None else hot_threshold
        self.block_eip = eip
        self.tier = tier
        self.entry = []         # entry-block lines (context fields: constant while the block runs)
        self.header = []        # loop-header lines (guest state loads: redone when a hot block loops)
        self.body = []          # the main chain
        self.tail = []          # side-exit and exit blocks
        self._n = 0
        self._entry_cache = {}
        self.regs = {}          # gpr number -> i32 SSA name
        self.dirty = set()
        self.fsrc = {bit: ENTRY for bit in ARITH_BITS}
        self._fcache = {}       # (id(source), bit) -> i1 name, valid on the main chain
        self._records = []
        self.done = 0           # guest instructions completed so far
        self.eip = eip          # address of the instruction being lowered
        self.ended = False
        self.exits = 0
        self.peel_latch = None      # hot tier: (label, regs, dirty, flags) where the peel loops back
        self.loop_copy = False
        self._loop_latch = None
        self._phis = []
        self._phi_at = None
        self._side_exits = {}       # (instruction serial, exit code) -> label of the shared side exit
        self._insn_serial = 0
        self.extend_branches = True     # see exit_branch
        self.exit_targets = []          # constant EIPs the block may leave to (for batching)
        self.continued = False
        self.counter_slot = counter_slot
        self.insn_start = None

    # ---- names and lines ----------------------------------------------------------------------

    def tmp(self, hint="t"):
        self._n += 1
        return f"%{hint}.{self._n}"

    def label(self, hint="L"):
        self._n += 1
        return f"{hint}.{self._n}"

    def emit(self, text, hint="t"):
        """Append `<name> = text` to the main chain and return the name."""
        name = self.tmp(hint)
        self.body.append(f"  {name} = {text}")
        return name

    def line(self, text):
        self.body.append(f"  {text}")

    def start_block(self, label):
        self.body.append(f"{label}:")

    def _entry_value(self, key, text, hint):
        name = self._entry_cache.get(key)
        if name is None:
            name = self.tmp(hint)
            lines = self.header if key[0] in _STATE_KEYS else self.entry
            lines.append(f"  {name} = {text}")
            self._entry_cache[key] = name
        return name

    def st_ptr(self, offset):
        return self._entry_value(("st", offset), f"getelementptr i8, ptr %st, i64 {offset}", "p")

    def ctx_field(self, name, typ="ptr"):
        ptr = self._entry_value(("ctxp", name), f"getelementptr i8, ptr %ctx, i64 {field_offset(name)}", "cp")
        return self._entry_value(("ctx", name), f"load {typ}, ptr {ptr}", name)

    # ---- instruction boundaries ---------------------------------------------------------------

    def begin_insn(self, insn):
        self.eip = insn.address
        self.next_eip = (insn.address + getattr(insn, "size", 0)) & 0xFFFFFFFF
        self.continued = False
        self._insn_serial += 1
        self.insn_start = Snapshot(dict(self.regs), set(self.dirty), dict(self.fsrc), self.done, insn.address)
        self._mark = (len(self.body), len(self.tail), dict(self._fcache), self.exits)

    def rollback(self):
        """Forget the IR of the current instruction (its lowering raised Unsupported)."""
        body_len, tail_len, fcache, exits = self._mark
        del self.body[body_len:]
        del self.tail[tail_len:]
        snap = self.insn_start
        self.regs, self.dirty, self.fsrc = dict(snap.regs), set(snap.dirty), dict(snap.flags)
        self._fcache, self.exits, self.ended = fcache, exits, False

    def end_insn(self):
        self.done += 1

    # ---- registers --------------------------------------------------------------------------------

    def reg32(self, r):
        name = self.regs.get(r)
        if name is None:
            ptr = self.st_ptr(4 * r)
            name = self._entry_value(("reg", r), f"load i32, ptr {ptr}", f"r{r}")
            self.regs[r] = name
        return name

    def reg(self, r, size, high8=False):
        full = self.reg32(r)
        if size == 4:
            return full
        if high8:
            shifted = self.emit(f"lshr i32 {full}, 8")
            return self.emit(f"trunc i32 {shifted} to i8")
        return self.emit(f"trunc i32 {full} to {TYPE[size]}")

    def set_reg32(self, r, value):
        self.regs[r] = value
        self.dirty.add(r)

    def set_reg(self, r, value, size, high8=False):
        if size == 4:
            return self.set_reg32(r, value)
        full = self.reg32(r)
        wide = self.emit(f"zext {TYPE[size]} {value} to i32")
        if high8:
            wide = self.emit(f"shl i32 {wide}, 8")
            keep = 0xFFFF00FF
        else:
            keep = 0xFFFF0000 if size == 2 else 0xFFFFFF00
        kept = self.emit(f"and i32 {full}, {_s32(keep)}")
        self.set_reg32(r, self.emit(f"or i32 {kept}, {wide}"))

    # ---- values -------------------------------------------------------------------------------

    def const(self, value, size):
        bits = 8 * size
        value &= (1 << bits) - 1
        return str(value - (1 << bits) if value >> (bits - 1) else value)

    def zext(self, value, from_size, to_size=4):
        if from_size == to_size:
            return value
        return self.emit(f"zext {TYPE[from_size]} {value} to {TYPE[to_size]}")

    def sext(self, value, from_size, to_size=4):
        if from_size == to_size:
            return value
        return self.emit(f"sext {TYPE[from_size]} {value} to {TYPE[to_size]}")

    def trunc(self, value, from_size, to_size):
        if from_size == to_size:
            return value
        return self.emit(f"trunc {TYPE[from_size]} {value} to {TYPE[to_size]}")

    # ---- memory -------------------------------------------------------------------------------

    def seg_base(self, seg):
        ptr = self.st_ptr(4 * W_SEG_BASE[seg])
        return self._entry_value(("seg", seg), f"load i32, ptr {ptr}", f"segbase{seg}")

    def host_address(self, addr, size, write, miss_label=None):
        """Shadow fast path for an access of `size` bytes at linear `addr`: the host address on the
        main chain. A miss side-exits (state before this instruction), or branches to `miss_label`
        when the caller has its own way out (the REP loops of lower_string.py)."""
        table = self.ctx_field("shadow_write" if write else "shadow_read")
        ram = self.ctx_field("ram")
        page = self.emit(f"lshr i32 {addr}, 12")
        page64 = self.emit(f"zext i32 {page} to i64")
        slot = self.emit(f"getelementptr i32, ptr {table}, i64 {page64}")
        entry = self.emit(f"load i32, ptr {slot}", "pte")
        offset = self.emit(f"and i32 {addr}, 4095")
        valid = self.emit(f"and i32 {entry}, {SHADOW_VALID}")
        ok = self.emit(f"icmp ne i32 {valid}, 0")
        if size > 1:
            fits = self.emit(f"icmp ule i32 {offset}, {4096 - size}")
            ok = self.emit(f"and i1 {fits}, {ok}")
        if miss_label is None:
            # A miss runs the native page walk (bt_fill), then side-exits only if that cannot help.
            hit, walk, join = self.label("hit"), self.label("walk"), self.label("mapped")
            self.line(f"br i1 {ok}, label %{hit}, label %{walk}, !prof !0")
            self.start_block(hit)
            self.line(f"br label %{join}")
            self.start_block(walk)
            filled = self.emit(f"call i32 {self.ctx_field('fill')}(ptr %ctx, i32 {addr}, i32 {int(write)})")
            ok2 = self.emit(f"icmp ne i32 {self.emit(f'and i32 {filled}, {SHADOW_VALID}')}, 0")
            if size > 1:
                ok2 = self.emit(f"and i1 {fits}, {ok2}")
            self.line(f"br i1 {ok2}, label %{join}, label %{self._side_exit_label(EXIT_SLOW_MEM)}")
            self.start_block(join)
            entry = self.emit(f"phi i32 [ {entry}, %{hit} ], [ {filled}, %{walk} ]", "pte")
        else:
            cont = self.label("fast")
            self.line(f"br i1 {ok}, label %{cont}, label %{miss_label}, !prof !0")
            self.start_block(cont)
        frame = self.emit(f"and i32 {entry}, -4096")
        gpa = self.emit(f"or i32 {frame}, {offset}", "gpa")
        gpa64 = self.emit(f"zext i32 {gpa} to i64")
        return self.emit(f"getelementptr i8, ptr {ram}, i64 {gpa64}", "hva")

    def load(self, addr, size):
        if self.tier == "quick" and size <= 4:     # a call to the shared helper: less IR to compile
            fn = self.ctx_field(f"read{8 * size}")      # called through a pointer: FastISel-able
            r = self.emit(f"call i64 {fn}(ptr %ctx, i32 {addr})")
            self.side_exit_unless(self.emit(f"icmp sge i64 {r}, 0"), EXIT_SLOW_MEM)
            return self.emit(f"trunc i64 {r} to {TYPE[size]}", "m")
        hva = self.host_address(addr, size, write=False)
        return self.emit(f"load {TYPE[size]}, ptr {hva}, align 1", "m")

    def store(self, addr, value, size):
        if self.tier == "quick" and size <= 4:
            fn = self.ctx_field(f"write{8 * size}")
            r = self.emit(f"call i32 {fn}(ptr %ctx, i32 {addr}, {TYPE[size]} {value})")
            self.side_exit_unless(self.emit(f"icmp ne i32 {r}, 0"), EXIT_SLOW_MEM)
            return
        if size > 4:
            hva = self.host_address(addr, size, write=True)
            self.line(f"store {TYPE[size]} {value}, ptr {hva}, align 1")
            return
        # Hot tier: inline fast path; on a miss the shared helper may still do it (code-page granules).
        table, ram = self.ctx_field("shadow_write"), self.ctx_field("ram")
        page = self.emit(f"lshr i32 {addr}, 12")
        page64 = self.emit(f"zext i32 {page} to i64")
        entry = self.emit(f"load i32, ptr {self.emit(f'getelementptr i32, ptr {table}, i64 {page64}')}", "pte")
        offset = self.emit(f"and i32 {addr}, 4095")
        mapped = self.emit(f"icmp ne i32 {self.emit(f'and i32 {entry}, {SHADOW_VALID}')}, 0")
        ok = mapped if size == 1 else self.emit(f"and i1 {mapped}, {self.emit(f'icmp ule i32 {offset}, {4096 - size}')}")
        fast, helper, join = self.label("wfast"), self.label("whelp"), self.label("wdone")
        self.line(f"br i1 {ok}, label %{fast}, label %{helper}, !prof !0")
        self.start_block(helper)
        fn = self.ctx_field(f"write{8 * size}")
        r = self.emit(f"call i32 {fn}(ptr %ctx, i32 {addr}, {TYPE[size]} {value})")
        done = self.emit(f"icmp ne i32 {r}, 0")
        self.line(f"br i1 {done}, label %{join}, label %{self._side_exit_label(EXIT_SLOW_MEM)}")
        self.start_block(fast)
        gpa = self.emit(f"or i32 {self.emit(f'and i32 {entry}, -4096')}, {offset}", "gpa")
        hva = self.emit(f"getelementptr i8, ptr {ram}, i64 {self.emit(f'zext i32 {gpa} to i64')}", "hva")
        self.line(f"store {TYPE[size]} {value}, ptr {hva}, align 1")
        self.line(f"br label %{join}")
        self.start_block(join)

    # ---- exits --------------------------------------------------------------------------------

    def side_exit_unless(self, ok, code):
        """Continue on the main chain if `ok`, else leave with the state before this instruction.
        The side exits of one instruction with the same code share one exit block."""
        out = self._side_exit_label(code)
        cont = self.label("ok")
        self.line(f"br i1 {ok}, label %{cont}, label %{out}, !prof !0")
        self.start_block(cont)

    def _side_exit_label(self, code):
        key = (self._insn_serial, code)
        out = self._side_exits.get(key)
        if out is None:
            out = self.label("side")
            self._side_exits[key] = out
            self.tail.append(f"{out}:")
            self._store_state(self.insn_start, self.tail)
            if code == EXIT_SLOW_MEM:       # a #PF the native walk found is delivered natively
                r = self.tmp("r")
                self.tail.append(f"  {r} = call i32 {self.ctx_field('page_fault')}(ptr %st, ptr %ctx, "
                                 f"i32 {_s32(self.insn_start.eip)})")
                self.tail.append(f"  ret i32 {r}")
            else:
                self.tail.append(f"  ret i32 {code}")
        return out

    def fault_unless(self, ok, vector):
        """Continue if `ok`, else the instruction raises exception `vector` (one without an error
        code): delivered through the guest's IDT natively (bt_deliver, delivery_ir.py) when it
        can be, else by the interpreter, which re-executes the instruction (a side exit)."""
        key = (self._insn_serial, "fault", vector)
        out = self._side_exits.get(key)
        if out is None:
            out = self._side_exits[key] = self.label("fault")
            t = self.tail
            t.append(f"{out}:")
            self._store_state(self.insn_start, t)
            r, delivered = self.tmp("r"), self.tmp("ok")
            t.append(f"  {r} = call i32 {self.ctx_field('deliver')}(ptr %st, ptr %ctx, i32 {vector}, "
                     f"i32 {_s32(self.eip)}, i32 0, i32 0)")
            t.append(f"  {delivered} = icmp ne i32 {r}, 0")
            yes, no = self.label("delivered"), self.label("undelivered")
            t.append(f"  br i1 {delivered}, label %{yes}, label %{no}")
            t.append(f"{yes}:")
            self._charge(1, t)                 # a delivered fault counts as an instruction (interp.deliver)
            t.append(f"  ret i32 {EXIT_NEXT}")
            t.append(f"{no}:")
            t.append(f"  ret i32 {EXIT_INTERP}")
        cont = self.label("ok")
        self.line(f"br i1 {ok}, label %{cont}, label %{out}, !prof !0")
        self.start_block(cont)

    def native_callout(self, call, info):
        """End the block with a VMM callout made natively: store the state before the instruction,
        make `call` (an i32, nonzero when it did the instruction's work and the state is the new
        one), then go on at the new EIP through the dispatcher; if it declined, leave to the
        interpreter as `exit_interp(info)` does."""
        self._store_state(self.insn_start, self.body)
        done = self.emit(f"icmp ne i32 {self.emit(call, 'r')}, 0")
        yes, no = self.label("native"), self.label("declined")
        self.line(f"br i1 {done}, label %{yes}, label %{no}")
        self.start_block(no)
        self.line(f"store i32 {info}, ptr {self.ctx_field_ptr('exit_info')}")
        self.line(f"ret i32 {EXIT_INTERP}")
        self.start_block(yes)
        self._charge(1, self.body)
        self.line(f"ret i32 {EXIT_NEXT}")
        self.ended = True

    def exit_interp(self, info=0):
        """End the block before the current instruction: the interpreter runs it (a VMM callout)."""
        snap = self.insn_start
        self._store_state(snap, self.body)
        if info:
            p = self.emit(f"getelementptr i8, ptr %ctx, i64 {field_offset('exit_info')}")
            self.line(f"store i32 {info}, ptr {p}")
        self.line(f"ret i32 {EXIT_INTERP}")
        self.ended = True

    def exit_to(self, target):
        """End the block with a jump to constant `target` (after the current instruction)."""
        self._exit(str(_s32(target)), constant=target)

    def exit_to_value(self, target_i32):
        self._exit(target_i32, constant=None)

    def exit_branch(self, cond_i1, taken, fallthrough):
        """A conditional branch. With `extend_branches` (and a fall-through to the next instruction)
        only the taken path leaves; translation goes on along the fall-through path in this
        function (an extended block), which makes fewer, larger functions: cheaper to compile."""
        t, f = self.label("taken"), self.label("fall")
        self.line(f"br i1 {cond_i1}, label %{t}, label %{f}")
        saved_cache = dict(self._fcache)
        self.start_block(t)
        self.code_target_ok(taken)          # only a taken branch checks its target (CS limit)
        self._exit(str(_s32(taken)), constant=taken, final=False)
        self._fcache = saved_cache
        self.start_block(f)
        # A hot loop's back edge ends the block: what follows would be lowered twice (peel and loop
        # copy) for code that runs once per loop exit.
        loops_back = self.tier == "hot" and taken == self.block_eip
        if self.extend_branches and fallthrough == self.next_eip and not loops_back:
            self.continued = True
            return
        self._exit(str(_s32(fallthrough)), constant=fallthrough)

    def exit_fallthrough(self, target):
        """End the block before the current instruction, continuing at `target` (its address)."""
        self._exit(str(_s32(target)), constant=target, completed=self.done)

    def _exit(self, target, constant, final=True, completed=None):
        # By default the instruction ending the block has completed.
        done = self.done + 1 if completed is None else completed
        if self.tier == "hot" and constant == self.block_eip and self._latch_free():
            self._self_loop(done)
            self.exits += 1
            if final:
                self.ended = True
            return
        if constant is not None:
            self.exit_targets.append(constant)
        snap = Snapshot(self.regs, self.dirty, self.fsrc, done, None)
        self._store_state(snap, self.body, eip=target)
        budget = self._charge(done, self.body)
        tags, fns = self.ctx_field("tags"), self.ctx_field("fns")
        if constant is not None:
            idx = str(lookup_index(constant))
        else:
            hi = self.emit(f"lshr i32 {target}, {LOOKUP_BITS}")
            mix = self.emit(f"xor i32 {target}, {hi}")
            idx32 = self.emit(f"and i32 {mix}, {LOOKUP_SIZE - 1}")
            idx = self.emit(f"zext i32 {idx32} to i64")
        tag_p = self.emit(f"getelementptr i32, ptr {tags}, i64 {idx}")
        tag = self.emit(f"load i32, ptr {tag_p}")
        hit = self.emit(f"icmp eq i32 {tag}, {target}")
        more = self.emit(f"icmp sgt i64 {budget}, 0")
        go = self.emit(f"and i1 {hit}, {more}")
        chain, back = self.label("chain"), self.label("back")
        # Everything but the musttail call stays outside the chain block: FastISel cannot select a
        # musttail call, so that block alone goes through the slower SelectionDAG path.
        fn_p = self.emit(f"getelementptr i64, ptr {fns}, i64 {idx}")
        fn = self.emit(f"load ptr, ptr {fn_p}")
        counter = self.ctx_field_ptr("chained")
        n = self.emit(f"load i64, ptr {counter}")
        one = self.emit(f"zext i1 {go} to i64")
        self.line(f"store i64 {self.emit(f'add i64 {n}, {one}')}, ptr {counter}")
        self.line(f"br i1 {go}, label %{chain}, label %{back}")
        self.start_block(chain)
        r = self.emit(f"musttail call i32 {fn}(ptr %st, ptr %ctx)")
        self.line(f"ret i32 {r}")
        self.start_block(back)
        self.line(f"ret i32 {EXIT_NEXT}")
        self.exits += 1
        if final:
            self.ended = True

    def _charge(self, done, out):
        """Subtract `done` instructions from the budget; returns the new budget (i64)."""
        ptr = self.ctx_field_ptr("budget")
        b = self.tmp("budget")
        out.append(f"  {b} = load i64, ptr {ptr}")
        b2 = self.tmp("budget")
        out.append(f"  {b2} = sub i64 {b}, {done}")
        out.append(f"  store i64 {b2}, ptr {ptr}")
        return b2

    def ctx_field_ptr(self, name):
        return self._entry_value(("ctxp", name), f"getelementptr i8, ptr %ctx, i64 {field_offset(name)}", "cp")

    def _store_state(self, snap, out, eip=None):
        """Store the registers and flags of `snap` (and EIP) to the CpuState, into lines `out`."""
        def emit(text, hint="t"):
            name = self.tmp(hint)
            out.append(f"  {name} = {text}")
            return name
        for r in sorted(snap.dirty):
            out.append(f"  store i32 {snap.regs[r]}, ptr {self.st_ptr(4 * r)}")
        self._store_flags(snap.flags, out, emit)
        target = str(_s32(snap.eip)) if eip is None else eip
        out.append(f"  store i32 {target}, ptr {self.st_ptr(OFF_EIP)}")
        if eip is None and snap.done:
            self._charge(snap.done, out)

    # ---- assembling ---------------------------------------------------------------------------

    def finish(self):
        lines = []
        lines += [f"define i32 @{self.name}(ptr noalias %st, ptr noalias %ctx) {{", "entry:"]
        lines += self.entry
        lines += self._flat_guard()
        if self.tier == "quick":
            # Count executions in the engine's counter array (JitContext.counters[counter_slot]); at
            # the threshold leave (nothing done yet, EIP is this block's) so the engine retranslates
            # the block with the hot tier.
            lines += [f"  %counters.p = getelementptr i8, ptr %ctx, i64 {field_offset('counters')}",
                      "  %counters = load ptr, ptr %counters.p",
                      f"  %count.p = getelementptr i32, ptr %counters, i64 {self.counter_slot}",
                      "  %count = load i32, ptr %count.p",
                      "  %count1 = add i32 %count, 1",
                      "  store i32 %count1, ptr %count.p",
                      f"  %hot = icmp eq i32 %count1, {self.hot_threshold}",
                      "  br i1 %hot, label %promote, label %body, !prof !0",
                      "promote:",
                      f"  ret i32 {EXIT_HOT}"]
        else:
            lines.append("  br label %body")
        lines.append("body:")
        lines += self.header
        body = self.body
        if self._phi_at is not None:
            body = body[:self._phi_at] + self._phi_lines() + body[self._phi_at:]
        lines += body
        lines += self.tail
        lines.append("}")
        return "\n".join(lines)
