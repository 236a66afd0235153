"""Hot-tier loops for the BlockEmitter (mixed into it): a hot block that jumps to its own start loops
inside its function. Cold (translation time).
"""
from bt.backend.context import EXIT_NEXT
from bt.backend.block_state import Snapshot
from bt.backend.flag_ir import ARITH_BITS, ENTRY, TYPE, Record, _s32
from bt.backend.lowering import Unsupported


class HotLoopMixin:
    # ---- hot-tier loops: a block that jumps to its own start --------------------------------------
    # The first iteration is peeled: it starts from the guest state and ends at the `loop` header,
    # whose phis merge its registers and symbolic flag records with those of the loop copy's latch.
    # Both copies lower the same instructions, so their flag records have the same shape and only
    # their operands need phis: no flag is computed per iteration, none is stored until an exit.

    def _latch_free(self):
        return self._loop_latch is None if self.loop_copy else self.peel_latch is None

    def _self_loop(self, done):
        budget = self._charge(done, self.body)
        more = self.emit(f"icmp sgt i64 {budget}, 0")
        latch, back = self.label("latch"), self.label("back")
        self.line(f"br i1 {more}, label %{latch}, label %{back}")
        self.start_block(back)
        self._store_state(Snapshot(self.regs, self.dirty, self.fsrc, 0, None), self.body,
                          eip=str(_s32(self.block_eip)))
        self.line(f"ret i32 {EXIT_NEXT}")
        self.start_block(latch)
        self.line("br label %loop")
        state = (latch, dict(self.regs), set(self.dirty), dict(self.fsrc))
        if self.loop_copy:
            self._loop_latch = state
        else:
            self.peel_latch = state

    def begin_loop_copy(self):
        """After the peeled iteration: start the loop copy at the `loop` header."""
        label, regs, dirty, fsrc = self.peel_latch
        self.loop_copy = True
        new_regs = {}
        for r, value in sorted(regs.items()):
            phi = self.tmp(f"r{r}")
            self._phis.append((phi, "i32", value, label, ("reg", r)))
            new_regs[r] = phi
        mapping, new_fsrc = {}, {}
        for bit in ARITH_BITS:
            src = fsrc[bit]
            if src is ENTRY:
                new_fsrc[bit] = ENTRY
                continue
            if id(src) not in mapping:
                if isinstance(src, Record):
                    fields = {}
                    for field in ("a", "b", "res", "cin"):
                        value = getattr(src, field)
                        if value is not None:
                            phi = self.tmp("fl")
                            typ = "i1" if field == "cin" else TYPE[src.size]
                            self._phis.append((phi, typ, value, label, ("flag", bit, field)))
                            value = phi
                        fields[field] = value
                    new = Record(src.kind, src.size, fields["a"], fields["b"], fields["res"], fields["cin"])
                    self._records.append(new)
                else:
                    phi = self.tmp("fl")
                    self._phis.append((phi, "i1", src[1], label, ("flag", bit, "val")))
                    new = ("val", phi)
                mapping[id(src)] = new
            new_fsrc[bit] = mapping[id(src)]
        self.regs, self.dirty, self.fsrc, self._fcache = new_regs, set(dirty), new_fsrc, {}
        self.body.append("loop:")
        self._phi_at = len(self.body)
        self.done, self.ended = 0, False

    def _phi_lines(self):
        lines = []
        latch = self._loop_latch
        for phi, typ, peel_value, peel_label, key in self._phis:
            incoming = f"[ {peel_value}, %{peel_label} ]"
            if latch is not None:
                label, regs, _, fsrc = latch
                if key[0] == "reg":
                    value = regs[key[1]]
                else:
                    src = fsrc[key[1]]
                    if key[2] == "val":
                        if not (isinstance(src, tuple) and src[0] == "val"):
                            raise Unsupported("loop copy changed a flag's shape")
                        value = src[1]
                    else:
                        if not isinstance(src, Record) or getattr(src, key[2]) is None:
                            raise Unsupported("loop copy changed a flag's shape")
                        value = getattr(src, key[2])
                incoming += f", [ {value}, %{label} ]"
            lines.append(f"  {phi} = phi {typ} {incoming}")
        return lines
