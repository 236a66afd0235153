"""Native interrupt delivery and IRET, in LLVM IR (compiled once per process with the other runtime
routines of bt/backend/runtime_ir.py). Warm: every INT n, INT3, IRETD and #DE of translated code.

- bt_deliver(st, ctx, vector, return_eip, error_code, kind) -> i32: enter the handler of `vector`
  as bt/runtime/interrupts.deliver does (SDM Vol. 3, 6.12), for the common case only: a 32-bit
  interrupt or trap gate in the IDT, its code segment a present, accessed, non-conforming ring-0
  code segment in the GDT with the CS base of the code running now, from CPL 0 (same stack) or
  CPL 3 (the ring-0 stack from a 32-bit TSS, a present, accessed, writable, expand-up 32-bit data
  segment in the GDT). `kind`: DELIVER_ERROR_CODE pushes `error_code`, DELIVER_SOFTWARE (INT n,
  INT3) checks the gate's DPL against CPL.
- bt_page_fault(st, ctx, eip): a #PF the native page walk found, delivered from a block's slow exit.
- bt_iret(st, ctx) -> i32: IRETD at CPL 0 on a 32-bit stack (SDM Vol. 2 IRET) back to CPL 0 or to
  CPL 3 (SS:ESP popped too), to a present, accessed, non-conforming code segment in the GDT with the same CS base.
Both return 1 when done (the CpuState is the new one, the JitContext's shadow and lookup tables are
the new CPL's) or 0, having changed nothing the guest can see, for anything else: the caller then
leaves native code and the interpreter runs the instruction with every check of the SDM (faults,
task gates, LDT selectors, 16-bit gates and stacks, v8086, an unusual segment). The checks made
here are the interpreter's in the same order, so that the accesses they make (which set Accessed bits
through the page walk) are the same whichever engine ends up completing the instruction.

Memory: descriptor tables, the TSS and the interrupt frame are supervisor accesses through the
supervisor shadow pair (bt_fill_sup on a miss), whatever the CPL. A frame's pages are probed
writable, lowest address first as interrupts.push_frame does, before anything is written.
Changing CPL needs the other CPL's lookup table (JitContext.mode_slots, kept by jit_engine.py); if
it has none yet, Python does the switch.
"""
from bt.backend.context import EXIT_NEXT, EXIT_SLOW_MEM, IRQ_KICK, MODE_BASE, MODE_FNS, MODE_TAGS, MODE_VALID, SHADOW_VALID, field_offset
from bt.runtime.events import PF
from bt.runtime.state import (AC, ARITH_FLAGS, CS, DF, EFLAGS_FIXED1, ES, DS, FS, GS, ESP, ID, IF, IOPL, NT,
                              RF, SS, TF, VM, offset_of)

assert TF << 32 == IRQ_KICK      # bt_iret's kick, as lower_flags_virt.popf's

DELIVER_ERROR_CODE = 1
DELIVER_SOFTWARE = 2

SEG_SIZE = 16                      # SegmentCache: selector, base, limit, attrs
INT_GATE32, TRAP_GATE32 = 0x0E, 0x0F
# Descriptor high dword bits.
HI_ACCESSED, HI_WRITABLE, HI_CONFORMING, HI_CODE, HI_S = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
HI_PRESENT, HI_BIG, HI_GRANULAR = 1 << 15, 1 << 22, 1 << 23
# What IRET at CPL 0 may change (interp/ops_system.py: _writable_flags(cpl 0, 32-bit) | RF).
IRET_CHANGEABLE = ARITH_FLAGS | TF | DF | NT | AC | ID | IOPL | IF | RF


def _i32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


class _Function:
    """Straight-line IR with early exits: every failed check branches to %fail (return 0).
    `block` is the label of the basic block being written (for phis)."""

    def __init__(self, header):
        self.lines = [header, "entry:", "  %scratch = alloca i32"]
        self.n = 0
        self.block = "entry"

    def __call__(self, text, hint="v"):
        self.n += 1
        name = f"%{hint}.{self.n}"
        self.lines.append(f"  {name} = {text}")
        return name

    def line(self, text):
        self.lines.append(f"  {text}")

    def label(self, hint):
        self.n += 1
        return f"{hint}.{self.n}"

    def start(self, label):
        self.lines.append(f"{label}:")
        self.block = label

    def check(self, ok):
        cont = self.label("ok")
        self.line(f"br i1 {ok}, label %{cont}, label %fail")
        self.start(cont)

    def bits_set(self, value, mask):
        return self(f"icmp eq i32 {self(f'and i32 {value}, {_i32(mask)}')}, {_i32(mask)}")

    def bits_clear(self, value, mask):
        return self(f"icmp eq i32 {self(f'and i32 {value}, {_i32(mask)}')}, 0")

    def field(self, base, offset, ty="i32"):
        return self(f"load {ty}, ptr {self(f'getelementptr i8, ptr {base}, i64 {offset}', 'p')}")

    def store(self, base, offset, value, ty="i32"):
        self.line(f"store {ty} {value}, ptr {self(f'getelementptr i8, ptr {base}, i64 {offset}', 'p')}")

    def finish(self):
        return "\n".join(self.lines + ["fail:", "  ret i32 0", "}"])


def _seg(reg, part):
    return offset_of("seg") + SEG_SIZE * reg + {"selector": 0, "base": 4, "limit": 8, "attrs": 12}[part]


def _sys_read(f, addr):
    r = f(f"call i64 @bt_sys_read32(ptr %ctx, i32 {addr})", "rd")
    f.check(f(f"icmp sge i64 {r}, 0"))
    return f(f"trunc i64 {r} to i32")


def _gdt_descriptor(f, selector):
    """(low, high) dwords of the GDT descriptor of `selector` (not null, TI = 0, inside the limit)."""
    f.check(f.bits_clear(selector, 4))                             # LDT selectors: Python
    f.check(f(f"icmp ne i32 {f(f'and i32 {selector}, 65532')}, 0"))
    index = f(f"and i32 {selector}, 65528")
    limit = f.field("%st", offset_of("gdtr_limit"))
    f.check(f(f"icmp ule i32 {f(f'add i32 {index}, 7')}, {limit}"))
    at = f(f"add i32 {f.field('%st', offset_of('gdtr_base'))}, {index}")
    return _sys_read(f, at), _sys_read(f, f(f"add i32 {at}, 4"))


def _decode(f, lo, hi):
    """(base, limit, attrs) of a segment descriptor, in the SegmentCache's form."""
    middle = f(f"shl i32 {f(f'and i32 {hi}, 255')}, 16")
    base = f(f"or i32 {f(f'lshr i32 {lo}, 16')}, {middle}")
    base = f(f"or i32 {base}, {f(f'and i32 {hi}, {_i32(0xFF000000)}')}")
    raw = f(f"or i32 {f(f'and i32 {lo}, 65535')}, {f(f'and i32 {hi}, 983040')}")
    scaled = f(f"or i32 {f(f'shl i32 {raw}, 12')}, 4095")
    granular = f(f"icmp ne i32 {f(f'and i32 {hi}, {HI_GRANULAR}')}, 0")
    limit = f(f"select i1 {granular}, i32 {scaled}, i32 {raw}")
    attrs = f(f"and i32 {f(f'lshr i32 {hi}, 8')}, {0xF0FF}")
    return base, limit, attrs


def _dpl_is(f, hi, dpl):
    return f(f"icmp eq i32 {f(f'and i32 {hi}, 24576')}, {dpl << 13}")


def _code_segment(f, hi, dpl):
    """A present, accessed, non-conforming code segment of privilege `dpl`."""
    f.check(f.bits_set(hi, HI_S | HI_CODE | HI_PRESENT | HI_ACCESSED))
    f.check(f.bits_clear(hi, HI_CONFORMING))
    f.check(_dpl_is(f, hi, dpl))


def _mode_tables(f, cpl, cs_base):
    """(tags, fns) of the lookup table for CPL `cpl` with CS base `cs_base` (else fail)."""
    slots = f.field("%ctx", field_offset("mode_slots"), "ptr")
    base = f(f"load i64, ptr {f(f'getelementptr i64, ptr {slots}, i64 {MODE_BASE + cpl}')}")
    want = f(f"or i64 {f(f'zext i32 {cs_base} to i64')}, {MODE_VALID}")
    f.check(f(f"icmp eq i64 {base}, {want}"))
    tags = f(f"load ptr, ptr {f(f'getelementptr i64, ptr {slots}, i64 {MODE_TAGS + cpl}')}")
    fns = f(f"load ptr, ptr {f(f'getelementptr i64, ptr {slots}, i64 {MODE_FNS + cpl}')}")
    return tags, fns


def _switch_tables(f, tags, fns, pair):
    """Point the context at the new CPL's lookup table and shadow pair ("sup" or "user")."""
    f.store("%ctx", field_offset("tags"), tags, "ptr")
    f.store("%ctx", field_offset("fns"), fns, "ptr")
    for table in ("read", "write"):
        f.store("%ctx", field_offset(f"shadow_{table}"), f.field("%ctx", field_offset(f"{pair}_{table}"), "ptr"), "ptr")


def _load_segment(f, reg, selector, base, limit, attrs):
    for part, value in (("selector", selector), ("base", base), ("limit", limit), ("attrs", attrs)):
        f.store("%st", _seg(reg, part), value)
    f.store("%ctx", field_offset("seg_flat"), "0")      # blocks' flat guards must look again


def deliver_ir():
    f = _Function("define i32 @bt_deliver(ptr %st, ptr %ctx, i32 %vector, i32 %ret_eip, i32 %err, i32 %kind) {")
    eflags = f("call i32 @bt_materialize(ptr %st)", "eflags")
    f.check(f.bits_clear(eflags, VM))
    cpl = f.field("%st", offset_of("cpl"))
    # The gate.
    entry = f("shl i32 %vector, 3")
    f.check(f(f"icmp ule i32 {f(f'add i32 {entry}, 7')}, {f.field('%st', offset_of('idtr_limit'))}"))
    gate_at = f(f"add i32 {f.field('%st', offset_of('idtr_base'))}, {entry}")
    g_lo = _sys_read(f, gate_at)
    g_hi = _sys_read(f, f(f"add i32 {gate_at}, 4"))
    gate_type = f(f"and i32 {f(f'lshr i32 {g_hi}, 8')}, 31")       # S and type
    is_int = f(f"icmp eq i32 {gate_type}, {INT_GATE32}")
    f.check(f(f"or i1 {is_int}, {f(f'icmp eq i32 {gate_type}, {TRAP_GATE32}')}"))
    software = f(f"icmp ne i32 {f(f'and i32 %kind, {DELIVER_SOFTWARE}')}, 0")
    gate_dpl = f(f"and i32 {f(f'lshr i32 {g_hi}, 13')}, 3")
    f.check(f(f"or i1 {f(f'xor i1 {software}, true')}, {f(f'icmp uge i32 {gate_dpl}, {cpl}')}"))
    f.check(f.bits_set(g_hi, HI_PRESENT))
    # Its code segment: ring 0, the same CS base as now.
    selector = f(f"lshr i32 {g_lo}, 16")
    c_lo, c_hi = _gdt_descriptor(f, selector)
    _code_segment(f, c_hi, 0)
    offset = f(f"or i32 {f(f'and i32 {g_hi}, {_i32(0xFFFF0000)}')}, {f(f'and i32 {g_lo}, 65535')}")
    c_base, c_limit, c_attrs = _decode(f, c_lo, c_hi)
    f.check(f(f"icmp ule i32 {offset}, {c_limit}"))
    f.check(f(f"icmp eq i32 {c_base}, {f.field('%st', _seg(CS, 'base'))}"))
    tags, fns = _mode_tables(f, 0, c_base)
    from_user = f(f"icmp eq i32 {cpl}, 3")
    f.check(f(f"or i1 {from_user}, {f(f'icmp eq i32 {cpl}, 0')}"))
    old_ss = f.field("%st", _seg(SS, "selector"))
    old_esp = f.field("%st", 4 * ESP)
    f.line(f"br i1 {from_user}, label %inner, label %same")

    # From CPL 3: the ring-0 stack from the TSS (interrupts.inner_stack).
    f.start("inner")
    tr_attrs = f.field("%st", offset_of("tr") + 12)
    tss_type = f(f"and i32 {tr_attrs}, 15")
    f.check(f(f"icmp eq i32 {f(f'or i32 {tss_type}, 2')}, 11"))      # 32-bit TSS, available or busy
    f.check(f(f"icmp uge i32 {f.field('%st', offset_of('tr') + 8)}, 9"))
    tss_base = f.field("%st", offset_of("tr") + 4)
    ss0 = f(f"and i32 {_sys_read(f, f(f'add i32 {tss_base}, 8'))}, 65535")     # SS0, then ESP0
    esp0 = _sys_read(f, f(f"add i32 {tss_base}, 4"))
    f.check(f.bits_clear(ss0, 3))                                      # RPL 0
    s_lo, s_hi = _gdt_descriptor(f, ss0)
    f.check(f.bits_set(s_hi, HI_S | HI_WRITABLE | HI_PRESENT | HI_ACCESSED | HI_BIG))
    f.check(f.bits_clear(s_hi, HI_CODE | HI_CONFORMING))              # data, expand-up
    f.check(_dpl_is(f, s_hi, 0))
    s_base, s_limit, s_attrs = _decode(f, s_lo, s_hi)
    inner_end = f.block
    f.line("br label %stack")

    # From CPL 0: the current stack, if 32-bit and expand-up.
    f.start("same")
    cur_attrs = f.field("%st", _seg(SS, "attrs"))
    f.check(f.bits_set(cur_attrs, HI_BIG >> 8))
    f.check(f.bits_clear(cur_attrs, HI_CONFORMING >> 8))
    cur_base = f.field("%st", _seg(SS, "base"))
    cur_limit = f.field("%st", _seg(SS, "limit"))
    same_end = f.block
    f.line("br label %stack")

    f.start("stack")
    def join(inner, same):
        return f(f"phi i32 [ {inner}, %{inner_end} ], [ {same}, %{same_end} ]")
    base, limit, esp = join(s_base, cur_base), join(s_limit, cur_limit), join(esp0, old_esp)
    new_ss, new_ss_base = join(ss0, old_ss), join(s_base, cur_base)
    new_ss_limit, new_ss_attrs = join(s_limit, cur_limit), join(s_attrs, cur_attrs)
    # The frame from the top: [SS, ESP,] EFLAGS, CS, EIP[, error code] (interrupts.deliver).
    has_error = f(f"icmp ne i32 {f(f'and i32 %kind, {DELIVER_ERROR_CODE}')}, 0")
    words = f(f"add i32 {f(f'select i1 {from_user}, i32 5, i32 3')}, {f(f'zext i1 {has_error} to i32')}")
    size = f(f"shl i32 {words}, 2")
    f.check(f(f"icmp uge i32 {esp}, {size}"))                          # no wrap-around
    new_esp = f(f"sub i32 {esp}, {size}")
    fits = f(f"icmp ule i32 {f(f'sub i32 {esp}, 1')}, {limit}")
    f.check(f(f"or i1 {fits}, {f(f'icmp eq i32 {limit}, -1')}"))
    # Probe the lowest then the highest dword writable (push_frame's order): every other dword of
    # the frame lies on their pages, so the lookups below fill nothing more.
    low = f(f"add i32 {base}, {new_esp}")
    top = f(f"add i32 {base}, {f(f'sub i32 {esp}, 4')}")
    for addr in (low, top):
        f.check(f(f"icmp ne ptr {f(f'call ptr @bt_sys_write_ptr(ptr %ctx, i32 {addr})')}, null"))
    old_cs = f.field("%st", _seg(CS, "selector"))
    frame = [old_ss, old_esp, eflags, old_cs, "%ret_eip", "%err"]      # from CPL 3; from CPL 0: [2:]
    stores = []
    for position in range(len(frame)):
        present = f(f"icmp ult i32 {position}, {words}")
        value = frame[position + 2] if position + 2 < len(frame) else "0"
        value = f(f"select i1 {from_user}, i32 {frame[position]}, i32 {value}")
        addr = f(f"add i32 {top}, {-4 * position}")
        ptr = f(f"call ptr @bt_sys_write_ptr(ptr %ctx, i32 {f(f'select i1 {present}, i32 {addr}, i32 {top}')})")
        f.check(f(f"icmp ne ptr {ptr}, null"))                          # a dword across two pages
        stores.append((f(f"select i1 {present}, ptr {ptr}, ptr %scratch"), value))
    # Commit: nothing below can fail.
    for ptr, value in stores:
        f.line(f"store i32 {value}, ptr {ptr}, align 1")
    f.store("%st", 4 * ESP, new_esp)
    _load_segment(f, SS, new_ss, new_ss_base, new_ss_limit, new_ss_attrs)
    _load_segment(f, CS, f(f"and i32 {selector}, 65532"), c_base, c_limit, c_attrs)
    f.store("%st", offset_of("cpl"), "0")
    cleared = f(f"select i1 {is_int}, i32 {_i32(~(TF | NT | RF | VM | IF))}, i32 {_i32(~(TF | NT | RF | VM))}")
    f.store("%st", offset_of("eflags"), f(f"and i32 {eflags}, {cleared}"))
    f.store("%st", offset_of("eip"), offset)
    _switch_tables(f, tags, fns, "sup")
    f.line("ret i32 1")
    return f.finish()




def iret_ir():
    f = _Function("define i32 @bt_iret(ptr %st, ptr %ctx) {")
    f.check(f(f"icmp eq i32 {f.field('%st', offset_of('cpl'))}, 0"))
    eflags = f("call i32 @bt_materialize(ptr %st)", "eflags")
    f.check(f.bits_clear(eflags, NT | VM))                 # task return, v8086: Python
    f.check(f.bits_set(f.field("%st", _seg(SS, "attrs")), HI_BIG >> 8))     # 16-bit stack (SP): Python
    ss_base = f.field("%st", _seg(SS, "base"))
    esp = f.field("%st", 4 * ESP)

    def pop(index):
        return _sys_read(f, f(f"add i32 {ss_base}, {f(f'add i32 {esp}, {4 * index}')}"))
    eip, selector, new_flags = pop(0), f(f"and i32 {pop(1)}, 65535"), pop(2)
    f.check(f.bits_clear(new_flags, VM))
    rpl = f(f"and i32 {selector}, 3")
    outer = f(f"icmp eq i32 {rpl}, 3")
    f.check(f(f"or i1 {outer}, {f(f'icmp eq i32 {rpl}, 0')}"))
    f.line(f"br i1 {outer}, label %outer, label %same")

    # Back to CPL 0 (segments.load_code_segment).
    f.start("same")
    c_lo, c_hi = _gdt_descriptor(f, selector)
    _code_segment(f, c_hi, 0)
    same_base, same_limit, same_attrs = _decode(f, c_lo, c_hi)
    same_esp = f(f"add i32 {esp}, 12")
    same_ss = [f.field("%st", _seg(SS, part)) for part in ("selector", "limit", "attrs")]
    same_end = f.block
    f.line("br label %checked")

    # Back to CPL 3 with SS:ESP (ops_system._outer_code_checks, then _outer_stack_checks).
    f.start("outer")
    o_lo, o_hi = _gdt_descriptor(f, selector)
    _code_segment(f, o_hi, 3)
    new_esp, new_ss = pop(3), f(f"and i32 {pop(4)}, 65535")
    f.check(f(f"icmp eq i32 {f(f'and i32 {new_ss}, 3')}, 3"))
    s_lo, s_hi = _gdt_descriptor(f, new_ss)
    f.check(f.bits_set(s_hi, HI_S | HI_WRITABLE | HI_PRESENT | HI_ACCESSED))
    f.check(f.bits_clear(s_hi, HI_CODE))
    f.check(_dpl_is(f, s_hi, 3))
    outer_base, outer_limit, outer_attrs = _decode(f, o_lo, o_hi)
    s_base, s_limit, s_attrs = _decode(f, s_lo, s_hi)
    # ES, DS, FS, GS holding a segment more privileged than CPL 3 would become null: Python.
    for reg in (ES, DS, FS, GS):
        attrs = f.field("%st", _seg(reg, "attrs"))
        reg_selector = f.field("%st", _seg(reg, "selector"))
        null = f(f"icmp eq i32 {f(f'and i32 {reg_selector}, 65532')}, 0")
        dpl3 = f.bits_set(attrs, 0x60)
        conforming = f.bits_set(attrs, 0x1C)
        f.check(f(f"or i1 {null}, {f(f'or i1 {dpl3}, {conforming}')}"))
    outer_end = f.block
    f.line("br label %checked")

    f.start("checked")
    def join(same, outer_value, ty="i32"):
        return f(f"phi {ty} [ {same}, %{same_end} ], [ {outer_value}, %{outer_end} ]")
    c_base, c_limit = join(same_base, outer_base), join(same_limit, outer_limit)
    c_attrs = join(same_attrs, outer_attrs)
    esp_after = join(same_esp, new_esp)
    ss_selector, ss_base_new = join(same_ss[0], new_ss), join(ss_base, s_base)
    ss_limit, ss_attrs = join(same_ss[1], s_limit), join(same_ss[2], s_attrs)
    f.check(f(f"icmp ule i32 {eip}, {c_limit}"))
    f.check(f(f"icmp eq i32 {c_base}, {f.field('%st', _seg(CS, 'base'))}"))
    new_cpl = rpl
    same_tags, same_fns = f.field("%ctx", field_offset("tags"), "ptr"), f.field("%ctx", field_offset("fns"), "ptr")
    tables_end = f.block
    f.line(f"br i1 {outer}, label %user.tables, label %commit")
    f.start("user.tables")
    user_tags, user_fns = _mode_tables(f, 3, c_base)
    user_end = f.block
    f.line("br label %commit")

    f.start("commit")                                       # nothing below can fail
    tags = f(f"phi ptr [ {same_tags}, %{tables_end} ], [ {user_tags}, %{user_end} ]")
    fns = f(f"phi ptr [ {same_fns}, %{tables_end} ], [ {user_fns}, %{user_end} ]")
    kept = f(f"and i32 {eflags}, {_i32(~IRET_CHANGEABLE)}")
    taken = f(f"and i32 {new_flags}, {IRET_CHANGEABLE}")
    eflags_new = f(f"or i32 {f(f'or i32 {kept}, {taken}')}, {EFLAGS_FIXED1}")
    f.store("%st", offset_of("eflags"), eflags_new)
    f.store("%st", offset_of("eip"), eip)
    _load_segment(f, CS, selector, c_base, c_limit, c_attrs)
    f.store("%st", offset_of("cpl"), new_cpl)
    f.store("%st", 4 * ESP, esp_after)
    _load_segment(f, SS, ss_selector, ss_base_new, ss_limit, ss_attrs)
    f.store("%ctx", field_offset("tags"), tags, "ptr")
    f.store("%ctx", field_offset("fns"), fns, "ptr")
    to_user, stay = f.label("to.user"), f.label("stay")
    f.line(f"br i1 {outer}, label %{to_user}, label %{stay}")
    f.start(to_user)
    for table in ("read", "write"):
        f.store("%ctx", field_offset(f"shadow_{table}"), f.field("%ctx", field_offset(f"user_{table}"), "ptr"), "ptr")
    f.line(f"br label %{stay}")
    f.start(stay)
    # IF set while INTR is asserted, or TF set: spend the budget so that Python takes the interrupt
    # (or single-steps) before the next instruction, as after a native POPF (lower_flags_virt.py).
    pending = f.field("%ctx", field_offset("irq_pending"))
    interrupt = f(f"lshr i32 {f(f'and i32 {pending}, {eflags_new}')}, 1")      # IF (0x200) -> 0x100
    either = f(f"or i32 {interrupt}, {f(f'and i32 {eflags_new}, {TF}')}")
    kick = f(f"shl i64 {f(f'zext i32 {either} to i64')}, 32")                   # 0x100 << 32: IRQ_KICK
    budget = f.field("%ctx", field_offset("budget"), "i64")
    f.store("%ctx", field_offset("budget"), f(f"sub i64 {budget}, {kick}"), "i64")
    f.line("ret i32 1")
    return f.finish()


def system_memory_ir():
    """bt_sys_read32(ctx, addr) -> i64 (-1: not natively) and bt_sys_write_ptr(ctx, addr) -> ptr
    (null: not natively): supervisor accesses to a dword within one page through the supervisor
    shadow pair, filled by bt_fill_sup on a miss. A write needs a write entry (no code or page
    table in the frame): a watched frame's answer (FILL_WATCHED) is not enough."""
    out = []
    for write in (False, True):
        table = field_offset("sup_write" if write else "sup_read")
        head = ("define ptr @bt_sys_write_ptr(ptr %ctx, i32 %addr) {" if write else
                "define i64 @bt_sys_read32(ptr %ctx, i32 %addr) {")
        done = (["  ret ptr %hva"] if write else ["  %x = load i32, ptr %hva, align 1", "  %z = zext i32 %x to i64",
                                                "  ret i64 %z"])
        out += [head, "entry:",
                f"  %table.p = getelementptr i8, ptr %ctx, i64 {table}",
                "  %table = load ptr, ptr %table.p",
                "  %page = lshr i32 %addr, 12",
                "  %page64 = zext i32 %page to i64",
                "  %slot = getelementptr i32, ptr %table, i64 %page64",
                "  %cached = load i32, ptr %slot",
                "  %off = and i32 %addr, 4095",
                "  %fits = icmp ule i32 %off, 4092",
                "  br i1 %fits, label %look, label %fail",
                "look:",
                f"  %hit.b = and i32 %cached, {SHADOW_VALID}",
                "  %hit = icmp ne i32 %hit.b, 0",
                "  br i1 %hit, label %mapped, label %walk, !prof !0",
                "walk:",
                f"  %filled = call i32 @bt_fill_sup(ptr %ctx, i32 %addr, i32 {int(write)})",
                f"  %filled.b = and i32 %filled, {SHADOW_VALID}",
                "  %ok = icmp ne i32 %filled.b, 0",
                "  br i1 %ok, label %mapped, label %fail",
                "mapped:",
                "  %found = phi i32 [ %cached, %look ], [ %filled, %walk ]",
                f"  %ram.p = getelementptr i8, ptr %ctx, i64 {field_offset('ram')}",
                "  %ram = load ptr, ptr %ram.p",
                "  %frame = and i32 %found, -4096",
                "  %gpa = or i32 %frame, %off",
                "  %gpa64 = zext i32 %gpa to i64",
                "  %hva = getelementptr i8, ptr %ram, i64 %gpa64",
                *done,
                "fail:",
                "  ret ptr null" if write else "  ret i64 -1",
                "}"]
    return "\n".join(out)


def page_fault_ir():
    """bt_page_fault(st, ctx, eip) -> exit code, the slow exit of an instruction at `eip` whose
    access failed (state already as before it): if the native walk found a #PF (fault_code), set
    CR2 and deliver it (EXIT_NEXT, counting the faulting instruction as the interpreter does);
    otherwise, or if bt_deliver declines, EXIT_SLOW_MEM: the interpreter re-executes it."""
    code_off, addr_off = field_offset("fault_code"), field_offset("fault_addr")
    budget_off = field_offset("budget")
    return f"""
define i32 @bt_page_fault(ptr %st, ptr %ctx, i32 %eip) {{
entry:
  %code.p = getelementptr i8, ptr %ctx, i64 {code_off}
  %code = load i32, ptr %code.p
  %pending = icmp slt i32 %code, 0
  br i1 %pending, label %fault, label %slow
fault:
  store i32 0, ptr %code.p
  %addr.p = getelementptr i8, ptr %ctx, i64 {addr_off}
  %addr = load i32, ptr %addr.p
  %cr2.p = getelementptr i8, ptr %st, i64 {offset_of("cr") + 8}
  store i32 %addr, ptr %cr2.p
  %error = and i32 %code, {0x7FFFFFFF}
  %r = call i32 @bt_deliver(ptr %st, ptr %ctx, i32 {PF}, i32 %eip, i32 %error, i32 {DELIVER_ERROR_CODE})
  %done = icmp ne i32 %r, 0
  br i1 %done, label %delivered, label %slow
delivered:
  %budget.p = getelementptr i8, ptr %ctx, i64 {budget_off}
  %budget = load i64, ptr %budget.p
  %budget1 = sub i64 %budget, 1
  store i64 %budget1, ptr %budget.p
  ret i32 {EXIT_NEXT}
slow:
  ret i32 {EXIT_SLOW_MEM}
}}"""


def delivery_module_ir():
    return "\n".join((system_memory_ir(), deliver_ir(), iret_ir(), page_fault_ir()))
