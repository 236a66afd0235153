"""The JIT's fixed native routines, written once as LLVM IR and compiled at start-up (cold):
- bt_dispatch(st, ctx): the native dispatcher loop: look EIP up in the direct-mapped table, call the
  block, repeat while blocks return EXIT_NEXT and the budget lasts. Returns to Python only on a miss,
  an exhausted budget or an exit code a block returned.
- bt_materialize(st): folds pending lazy flags (cc_op, cc_a, cc_b, cc_res: the CpuState's format of
  bt/runtime/flags.py) into eflags. Its flag formulas are the JIT's own (bt/backend/emitter.py), not
  the interpreter's, so the two are checked against each other.
- bt_miss(st, ctx): what empty lookup-table slots point to.
- bt_read8/16/32(ctx, addr) -> i64 and bt_write8/16/32(ctx, addr, value) -> i32: the shadow-table
  access that quick-tier blocks call instead of inlining it (fewer IR instructions to compile per guest
  access; the hot tier inlines it). A miss first tries the native page walk (bt_fill,
  bt/backend/page_walk_ir.py). A read returns the zero-extended value, or -1 to mean "leave the
  fast path"; a write returns 0 for the same.
- bt_fill / bt_fill_sup: the native page walk (page_walk_ir.py); bt_pt_store: what a store into a
  page table makes stale (pt_store_ir.py); bt_deliver / bt_iret: native interrupt delivery and IRET
  (delivery_ir.py).
These functions keep no state of their own, so one compiled copy serves every engine in the process
(`runtime_addresses`); blocks call the memory helpers through pointers in the JitContext.
"""
from bt.backend.context import EXIT_BUDGET, EXIT_MISS, LOOKUP_BITS, LOOKUP_SIZE, field_offset
from bt.backend.flag_ir import ARITH_BITS, BIT_INDEX, Record, TYPE, _record_flag, _s32
from bt.backend.delivery_ir import delivery_module_ir
from bt.backend.page_walk_ir import FILL_WATCHED, page_walk_ir
from bt.backend.pt_store_ir import pt_store_ir
from bt.runtime.paging import FRAME_PAGE_TABLE
from bt.runtime.flags import CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC
from bt.runtime.state import ARITH_FLAGS, CF, offset_of


def dispatcher_ir():
    st_eip = offset_of("eip")
    return f"""
define i32 @bt_dispatch(ptr %st, ptr %ctx) {{
entry:
  %budget.p = getelementptr i8, ptr %ctx, i64 {field_offset('budget')}
  %tags.p = getelementptr i8, ptr %ctx, i64 {field_offset('tags')}
  %fns.p = getelementptr i8, ptr %ctx, i64 {field_offset('fns')}
  %count.p = getelementptr i8, ptr %ctx, i64 {field_offset('dispatched')}
  %eip.p = getelementptr i8, ptr %st, i64 {st_eip}
  %fault.p = getelementptr i8, ptr %ctx, i64 {field_offset('fault_code')}
  store i32 0, ptr %fault.p                  ; a #PF found by the walk lives only until its slow exit
  br label %loop
loop:
  %budget = load i64, ptr %budget.p
  %more = icmp sgt i64 %budget, 0
  br i1 %more, label %look, label %out.budget
look:
  %tags = load ptr, ptr %tags.p              ; reloaded: a block may have switched CPL (delivery_ir.py)
  %fns = load ptr, ptr %fns.p
  %eip = load i32, ptr %eip.p
  %hi = lshr i32 %eip, {LOOKUP_BITS}
  %mix = xor i32 %eip, %hi
  %idx32 = and i32 %mix, {LOOKUP_SIZE - 1}
  %idx = zext i32 %idx32 to i64
  %tag.p = getelementptr i32, ptr %tags, i64 %idx
  %tag = load i32, ptr %tag.p
  %hit = icmp eq i32 %tag, %eip
  br i1 %hit, label %run, label %out.miss
run:
  %n = load i64, ptr %count.p
  %n1 = add i64 %n, 1
  store i64 %n1, ptr %count.p
  %fn.p = getelementptr i64, ptr %fns, i64 %idx
  %fn = load ptr, ptr %fn.p
  %r = call i32 %fn(ptr %st, ptr %ctx)
  %next = icmp eq i32 %r, 0
  br i1 %next, label %loop, label %out
out:
  ret i32 %r
out.miss:
  ret i32 {EXIT_MISS}
out.budget:
  ret i32 {EXIT_BUDGET}
}}

define i32 @bt_miss(ptr %st, ptr %ctx) {{
  ret i32 {EXIT_MISS}
}}
"""


def materialize_ir():
    off = {n: offset_of(n) for n in ("eflags", "cc_op", "cc_a", "cc_b", "cc_res")}
    lines = [
        "define i32 @bt_materialize(ptr %st) {",
        "entry:",
        *(f"  %{n}.p = getelementptr i8, ptr %st, i64 {o}" for n, o in off.items()),
        "  %op = load i32, ptr %cc_op.p",
        "  %ef = load i32, ptr %eflags.p",
        "  %a32 = load i32, ptr %cc_a.p",
        "  %b32 = load i32, ptr %cc_b.p",
        "  %r32 = load i32, ptr %cc_res.p",
    ]
    cases, bodies = [], []
    counter = [0]

    def emit_into(body):
        def emit(text, hint="t"):
            counter[0] += 1
            name = f"%{hint}.{counter[0]}"
            body.append(f"  {name} = {text}")
            return name
        return emit

    for kind in (CC_ADD, CC_ADC, CC_SUB, CC_SBB, CC_LOGIC, CC_INC, CC_DEC):
        for size in (1, 2, 4):
            label = f"k{kind | size}"
            cases.append(f"i32 {kind | size}, label %{label}")
            body = [f"{label}:"]
            emit = emit_into(body)
            t = TYPE[size]
            a, b, res = (v if size == 4 else emit(f"trunc i32 {v} to {t}") for v in ("%a32", "%b32", "%r32"))
            cin = None
            if kind in (CC_ADC, CC_SBB):
                # The lazy format keeps no carry-in: it follows from a, b and res (full-adder identity).
                cin = _carry_in(emit, kind, t, a, b, res)
            rec = Record(kind, size, a, b, res, cin)
            keep = ARITH_FLAGS & ~CF if kind in (CC_INC, CC_DEC) else ARITH_FLAGS
            acc = emit(f"and i32 %ef, {_s32(~keep & 0xFFFFFFFF)}")
            for bit in ARITH_BITS:
                if not keep & bit:
                    continue
                v = _record_flag(rec, bit, emit)
                wide = emit(f"zext i1 {v} to i32")
                if BIT_INDEX[bit]:
                    wide = emit(f"shl i32 {wide}, {BIT_INDEX[bit]}")
                acc = emit(f"or i32 {acc}, {wide}")
            body += [f"  store i32 {acc}, ptr %eflags.p", "  store i32 0, ptr %cc_op.p", f"  ret i32 {acc}"]
            bodies += body
    lines.append(f"  switch i32 %op, label %concrete [ {' '.join(cases)} ]")
    lines += ["concrete:", "  ret i32 %ef"]
    lines += bodies
    lines.append("}")
    return "\n".join(lines)


def _carry_in(emit, kind, t, a, b, res):
    """ADC: res = a + b + cin, so cin = (res - a - b) != 0; SBB: res = a - b - cin."""
    if kind == CC_ADC:
        s = emit(f"add {t} {a}, {b}")
        d = emit(f"sub {t} {res}, {s}")
    else:
        s = emit(f"sub {t} {a}, {b}")
        d = emit(f"sub {t} {s}, {res}")
    return emit(f"icmp ne {t} {d}, 0", "cin")


def memory_helpers_ir():
    out = []
    for size in (1, 2, 4):
        bits, t = 8 * size, TYPE[size]
        fits = f"icmp ule i32 %off, {4096 - size}" if size > 1 else "icmp eq i32 0, 0"
        for write in (False, True):
            table = "shadow_write" if write else "shadow_read"
            head = (f"define i32 @bt_write{bits}(ptr %ctx, i32 %addr, {t} %value) {{" if write else
                    f"define i64 @bt_read{bits}(ptr %ctx, i32 %addr) {{")
            fast = ([f"  store {t} %value, ptr %hva, align 1", "  ret i32 1"] if write else
                    [f"  %x = load {t}, ptr %hva, align 1", "  %z = zext " + t + " %x to i64", "  ret i64 %z"])
            out += [head, "entry:",
                    f"  %table.p = getelementptr i8, ptr %ctx, i64 {field_offset(table)}",
                    "  %table = load ptr, ptr %table.p",
                    "  %page = lshr i32 %addr, 12",
                    "  %page64 = zext i32 %page to i64",
                    "  %slot = getelementptr i32, ptr %table, i64 %page64",
                    "  %pte = load i32, ptr %slot",
                    "  %off = and i32 %addr, 4095",
                    "  %valid = and i32 %pte, 1",
                    "  %mapped = icmp ne i32 %valid, 0",
                    f"  %fits = {fits}",
                    "  %ok = and i1 %mapped, %fits",
                    "  br i1 %ok, label %fast, label %slow, !prof !0",
                    "fast:",
                    f"  %ram.p = getelementptr i8, ptr %ctx, i64 {field_offset('ram')}",
                    "  %ram = load ptr, ptr %ram.p",
                    "  %frame = and i32 %pte, -4096",
                    "  %gpa = or i32 %frame, %off",
                    "  %gpa64 = zext i32 %gpa to i64",
                    "  %hva = getelementptr i8, ptr %ram, i64 %gpa64",
                    *fast,
                    "slow:",                    # a shadow miss: the native page walk may fill it
                    "  br i1 %fits, label %walk, label %fail",
                    "walk:",
                    f"  %filled = call i32 @bt_fill(ptr %ctx, i32 %addr, i32 {int(write)})",
                    "  %fvalid = and i32 %filled, 1",
                    "  %fok = icmp ne i32 %fvalid, 0",
                    f"  br i1 %fok, label %refill, label %{'granules.try' if write else 'fail'}",
                    "refill:",
                    "  %fframe = and i32 %filled, -4096",
                    "  %fgpa = or i32 %fframe, %off",
                    "  %fgpa64 = zext i32 %fgpa to i64",
                    f"  %fram.p = getelementptr i8, ptr %ctx, i64 {field_offset('ram')}",
                    "  %fram = load ptr, ptr %fram.p",
                    "  %fhva = getelementptr i8, ptr %fram, i64 %fgpa64",
                    *([f"  store {t} %value, ptr %fhva, align 1", "  ret i32 1"] if write else
                      [f"  %fx = load {t}, ptr %fhva, align 1", f"  %fz = zext {t} %fx to i64", "  ret i64 %fz"]),
                    *(_granule_write(t, size) if write else ["fail:", "  ret i64 -1"]),
                    "}"]
    return "\n".join(out)


def _granule_write(t, size):
    """A store the guest may make to a frame holding code or page tables (bt_fill returned it with
    FILL_WATCHED) may still go ahead natively when the 16-byte granules it touches hold no code
    (CodeTracker.granules, via JitContext.code_map), and into a page table once bt_pt_store has
    dropped the shadow entries it makes stale (so it drops nothing for a store that then leaves)."""
    return ["granules.try:",                # bt_fill: allowed, but the frame holds code or tables
            f"  %watched = and i32 %filled, {FILL_WATCHED}",
            "  %iswatched = icmp ne i32 %watched, 0",
            "  br i1 %iswatched, label %frame.check, label %fail",
            "frame.check:",
            "  %rframe = and i32 %filled, -4096",
            "  %rgpa = or i32 %rframe, %off",
            "  %rf = lshr i32 %rframe, 12",
            "  %rf64 = zext i32 %rf to i64",
            f"  %ff.p = getelementptr i8, ptr %ctx, i64 {field_offset('frame_flags')}",
            "  %ff = load ptr, ptr %ff.p",
            "  %rfl.p = getelementptr i8, ptr %ff, i64 %rf64",
            "  %rfl = load i8, ptr %rfl.p",
            f"  %cm.p = getelementptr i8, ptr %ctx, i64 {field_offset('code_map')}",
            "  %cm = load ptr, ptr %cm.p",
            "  %g0 = lshr i32 %rgpa, 4",
            f"  %rlast = add i32 %rgpa, {size - 1}",
            "  %g1 = lshr i32 %rlast, 4",
            "  %g0.64 = zext i32 %g0 to i64",
            "  %g1.64 = zext i32 %g1 to i64",
            "  %c0.p = getelementptr i16, ptr %cm, i64 %g0.64",
            "  %c1.p = getelementptr i16, ptr %cm, i64 %g1.64",
            "  %c0 = load i16, ptr %c0.p",
            "  %c1 = load i16, ptr %c1.p",
            "  %c = or i16 %c0, %c1",
            "  %clear = icmp eq i16 %c, 0",
            "  br i1 %clear, label %table.check, label %fail",
            "table.check:",                   # no code touched; a page table?
            f"  %rpt = and i8 %rfl, {FRAME_PAGE_TABLE}",
            "  %rnotpt = icmp eq i8 %rpt, 0",
            "  br i1 %rnotpt, label %write, label %pt",
            "pt:",                           # drop what the store makes stale, then store
            f"  %ptok = call i32 @bt_pt_store(ptr %ctx, i32 %rgpa, i32 {size})",
            "  %ptgo = icmp ne i32 %ptok, 0",
            "  br i1 %ptgo, label %write, label %fail",
            "write:",
            f"  %ram2.p = getelementptr i8, ptr %ctx, i64 {field_offset('ram')}",
            "  %ram2 = load ptr, ptr %ram2.p",
            "  %rgpa64 = zext i32 %rgpa to i64",
            "  %rhva = getelementptr i8, ptr %ram2, i64 %rgpa64",
            f"  store {t} %value, ptr %rhva, align 1",
            "  ret i32 1",
            "fail:",
            "  ret i32 0"]


MEMORY_HELPERS = tuple(f"bt_{op}{bits}" for bits in (8, 16, 32) for op in ("read", "write"))
def runtime_module_ir():
    return "\n".join((dispatcher_ir(), materialize_ir(), memory_helpers_ir(), page_walk_ir(),
                      page_walk_ir("bt_fill_sup", supervisor=True), pt_store_ir(), delivery_module_ir()))


_addresses = None
_keepalive = None


def runtime_addresses():
    """{name: native address} of the runtime functions, compiled once per process."""
    global _addresses, _keepalive
    if _addresses is None:
        from bt.backend.compiler import NativeCompiler
        compiler = NativeCompiler()
        names = ["bt_dispatch", "bt_materialize", "bt_miss", "bt_fill", "bt_fill_sup", "bt_deliver", "bt_iret", "bt_page_fault",
                 *MEMORY_HELPERS]
        _addresses = compiler.compile([runtime_module_ir()], names)
        _keepalive = compiler          # its code must live as long as the process
    return _addresses
