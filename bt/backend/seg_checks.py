"""Segment limit and type checks for translated blocks (SegmentChecksMixin of BlockEmitter): what a
data access at an offset through a segment register must pass before it has a linear address (SDM
Vol. 3 5.3 "Limit checking", 5.4 "Type checking"; bt/runtime/interp/seg_limits.py is the spec).

Cold (translation time). Nearly every guest runs with flat segments (present writable data,
expand-up, limit 0xFFFFFFFF: nothing to check), so a block is first translated assuming that of every
segment it accesses, and of CS (limit 0xFFFFFFFF), and checks it once in its entry block
(`_flat_guard`; a segment found flat is remembered in JitContext.seg_flat until Python runs again
or native delivery loads a segment, so chained blocks pay one load and compare): if a segment is not
flat, the block returns EXIT_SEGMENTS before doing anything, and
the engine (bt/runtime/jit_engine.py) retranslates it with `seg_checks`, where each access is checked
against the per-segment facts the entry block derives from the segment's limit and attributes.
Segment caches cannot change inside a block (MOV/POP Sreg, LDS and the like, far transfers, INT and
IRET all end blocks).
The CS limit (SDM Vol. 3 5.3; Vol. 2 JMP, Jcc, CALL, RET, LOOP): with seg_checks the entry block
checks that the block's last byte (`code_last`, set by the translator, which ends such blocks before
an instruction beyond the limit they were translated under) is within the limit, else the block
leaves with EXIT_INTERP before doing anything and the interpreter raises the fetch's #GP(0) at the
right instruction; and each near transfer checks its target (`code_target_ok`), side-exiting to the
interpreter (state before the branch) if it is beyond. Chained blocks check their own bytes.
"""
from bt.backend.context import EXIT_INTERP, EXIT_SEGMENTS, field_offset
from bt.runtime.state import CS, W_SEG_BASE

M32 = 0xFFFFFFFF


def _s64(value):
    return value - (1 << 64) if value >= 1 << 63 else value

# attrs (descriptor bits 40..55 >> 8) & FLAT_KIND_MASK == FLAT_KIND: present (P), code or data (S),
# data, expand-up, writable. With limit 0xFFFFFFFF such a segment needs no check at all.
FLAT_KIND_MASK, FLAT_KIND = 0x9E, 0x92


class SegmentChecksMixin:
    def linear(self, seg, offset, size, write, miss_label=None):
        """The linear address of a `size`-byte data access at i32 `offset` through segment `seg`,
        after its limit and type checks (SDM Vol. 3 5.3, 5.4; the interpreter's
        bt/runtime/interp/seg_limits.py is the spec). A violation side-exits to the interpreter
        (EXIT_INTERP, state before this instruction), which raises the #GP(0)/#SS(0); or branches to
        `miss_label` when the caller has its own way out (REP loops). The per-segment facts are
        derived once per block in the entry block: segment caches cannot change inside a block.
        Without seg_checks the block instead assumes flat segments (present writable data,
        expand-up, limit 0xFFFFFFFF: nothing to check), which its entry guard verifies."""
        if not self.seg_checks:
            self._flat_segs.add(seg)
            return self.emit(f"add i32 {self.seg_base(seg)}, {offset}", "lin")
        lo, span, flat, _ = self._seg_facts(seg)
        allowed = self._seg_allowed(seg, write)
        rel = self.emit(f"sub i32 {offset}, {lo}")
        inside = self.emit(f"icmp ule i32 {rel}, {span}")
        if size > 1:
            last = self.emit(f"add i32 {offset}, {size - 1}")
            last_rel = self.emit(f"sub i32 {last}, {lo}")
            last_inside = self.emit(f"icmp ule i32 {last_rel}, {span}")
            no_wrap = self.emit(f"icmp uge i32 {last}, {offset}")
            inside = self.emit(f"and i1 {inside}, {self.emit(f'and i1 {last_inside}, {no_wrap}')}")
        ok = self.emit(f"and i1 {allowed}, {self.emit(f'or i1 {flat}, {inside}')}", "segok")
        if miss_label is None:
            self.side_exit_unless(ok, EXIT_INTERP)
        else:
            cont = self.label("segok")
            self.line(f"br i1 {ok}, label %{cont}, label %{miss_label}, !prof !0")
            self.start_block(cont)
        return self.emit(f"add i32 {self.seg_base(seg)}, {offset}", "lin")

    def _seg_value(self, seg, name, text):
        return self._entry_value(("segchk", seg, name), text, f"s{seg}.{name}")

    def _seg_field(self, seg, index, name):
        return self._seg_value(seg, name, f"load i32, ptr {self.st_ptr(4 * (W_SEG_BASE[seg] + index))}")

    def _seg_facts(self, seg):
        """(lo, span, flat, empty) of `seg`: valid offsets are lo .. lo + span (expand-up: 0 .. limit;
        expand-down: limit + 1 .. 0xFFFF or 0xFFFFFFFF by the B bit; `empty` when that leaves none);
        `flat` (expand-up with limit 0xFFFFFFFF) is not checked at all, so accesses may wrap past
        4 GiB as in the interpreter."""
        v = self._seg_value
        limit, attrs = self._seg_field(seg, 1, "limit"), self._seg_field(seg, 2, "attrs")
        down = v(seg, "down", f"icmp eq i32 {v(seg, 'dc', f'and i32 {attrs}, 12')}, 4")   # data, expand-down
        big = v(seg, "big", f"icmp ne i32 {v(seg, 'b', f'and i32 {attrs}, 16384')}, 0")
        top = v(seg, "top", f"select i1 {big}, i32 -1, i32 65535")
        upper = v(seg, "upper", f"select i1 {down}, i32 {top}, i32 {limit}")
        lo = v(seg, "lo", f"select i1 {down}, i32 {v(seg, 'lim1', f'add i32 {limit}, 1')}, i32 0")
        span = v(seg, "span", f"sub i32 {upper}, {lo}")
        up = v(seg, "up", f"xor i1 {down}, true")
        flat = v(seg, "flat", f"and i1 {up}, {v(seg, 'max', f'icmp eq i32 {limit}, -1')}")
        empty = v(seg, "empty", f"and i1 {down}, {v(seg, 'full', f'icmp uge i32 {limit}, {top}')}")
        return lo, span, flat, empty

    def _seg_allowed(self, seg, write):
        """i1: `seg` may be read (written): present readable code or data (writable data), and not
        an expand-down segment without a valid offset."""
        v = self._seg_value
        kind = v(seg, "kind", f"and i32 {self._seg_field(seg, 2, 'attrs')}, 154")   # P, S, code, RW
        if write:
            ok = v(seg, "wr", f"icmp eq i32 {kind}, 146")                  # P S data RW
        else:     # P and S set (>= 0x90), not execute-only code (0x98)
            ok = v(seg, "rd", f"and i1 {v(seg, 'ps', f'icmp uge i32 {kind}, 144')}, "
                              f"{v(seg, 'nxo', f'icmp ne i32 {kind}, 152')}")
        empty = self._seg_facts(seg)[3]
        return v(seg, "wrok" if write else "rdok",
                 f"and i1 {ok}, {v(seg, 'nonempty', f'xor i1 {empty}, true')}")

    def code_target_ok(self, target):
        """Before a near transfer to `target` (an int, or an i32 value): with seg_checks, side-exit to
        the interpreter (which raises the #GP(0)) unless it is within the CS limit. Without, the
        entry guard found the limit 0xFFFFFFFF: any target is."""
        if not self.seg_checks:
            return
        if isinstance(target, int):
            if self.block_eip <= target <= self.eip:     # within the bytes the entry check covers
                return
            target = str(target - (1 << 32) if target > 0x7FFFFFFF else target)
        limit = self._seg_field(CS, 1, "limit")
        self.side_exit_unless(self.emit(f"icmp ule i32 {target}, {limit}", "csok"), EXIT_INTERP)

    def _code_guard(self):
        """seg_checks: entry lines that leave with EXIT_INTERP (nothing done yet) unless the block's
        last byte is within the CS limit (flat 0xFFFFFFFF: always, even for bytes past 4 GiB)."""
        last = self.code_last
        test = ("icmp eq i32 %cs.limit, -1" if last > M32
                else f"icmp ule i32 {last - (1 << 32) if last > 0x7FFFFFFF else last}, %cs.limit")
        return [f"  %cs.lp = getelementptr i8, ptr %st, i64 {4 * (W_SEG_BASE[CS] + 1)}",
                "  %cs.limit = load i32, ptr %cs.lp",
                f"  %cs.inside = {test}",
                "  br i1 %cs.inside, label %cs.ok, label %cs.no, !prof !0",
                "cs.no:",
                f"  ret i32 {EXIT_INTERP}",
                "cs.ok:"]

    def _flat_guard(self):
        """Entry lines that leave with EXIT_SEGMENTS (nothing done yet) unless CS and every segment
        the block accesses unchecked are flat; the engine then retranslates the block with
        seg_checks. With seg_checks: the CS limit check of the block's bytes (`_code_guard`)."""
        if self.seg_checks:
            return self._code_guard()
        # Verified since Python last ran (or native delivery loaded a segment)? One load and compare.
        need = (1 << CS) | sum(1 << seg for seg in self._flat_segs)
        lines = [f"  %flatv.p = getelementptr i8, ptr %ctx, i64 {field_offset('seg_flat')}",
                 "  %flatv = load i32, ptr %flatv.p",
                 f"  %flatv.need = and i32 %flatv, {need}",
                 f"  %flatv.ok = icmp eq i32 %flatv.need, {need}",
                 "  br i1 %flatv.ok, label %flat.ok, label %flat.check, !prof !0",
                 "flat.check:"]
        # Else one i64 load per data segment (its limit and attrs words are adjacent), masked and
        # compared with the flat pattern; the differences are OR-ed, so one compare decides.
        lines += [f"  %flatcs.lp = getelementptr i8, ptr %st, i64 {4 * (W_SEG_BASE[CS] + 1)}",
                  "  %flatcs.limit = load i32, ptr %flatcs.lp",
                  "  %flatcs = icmp eq i32 %flatcs.limit, -1"]      # code: only the limit matters
        ok, diff = "%flatcs", None
        for seg in sorted(self._flat_segs):
            g = f"%flat{seg}"
            lines += [f"  {g}.p = getelementptr i8, ptr %st, i64 {4 * (W_SEG_BASE[seg] + 1)}",
                      f"  {g}.la = load i64, ptr {g}.p, align 4",          # limit | attrs << 32
                      f"  {g}.m = and i64 {g}.la, {_s64((FLAT_KIND_MASK << 32) | M32)}",
                      f"  {g} = xor i64 {g}.m, {_s64((FLAT_KIND << 32) | M32)}"]
            if diff is not None:
                lines.append(f"  {g}.any = or i64 {diff}, {g}")
                g = f"{g}.any"
            diff = g
        if diff is not None:
            lines += [f"  %flat.data = icmp eq i64 {diff}, 0",
                      "  %flat.all = and i1 %flatcs, %flat.data"]
            ok = "%flat.all"
        lines += [f"  br i1 {ok}, label %flat.mark, label %flat.no, !prof !0",
                  "flat.mark:",
                  f"  %flatv.new = or i32 %flatv, {need}",
                  "  store i32 %flatv.new, ptr %flatv.p",
                  "  br label %flat.ok"]
        return lines + ["flat.no:",
                        f"  ret i32 {EXIT_SEGMENTS}",
                        "flat.ok:"]
