"""The native page walk, bt_fill(ctx, addr, write) -> i32, in LLVM IR (compiled once per process with
the other runtime routines of bt/backend/runtime_ir.py). Warm: runs on a shadow-table miss, from the
memory helpers of quick-tier blocks and from hot-tier blocks, so a TLB miss costs no trip to Python.

It walks the guest's 32-bit page tables exactly as the reference walk (bt/runtime/paging.py, which
the tests compare it with) for the access at linear `addr` by the current CPL, sets the A/D bits,
and fills the shadow tables' entries for the page: the read table always, the write table when the
access rights allow a write, the page is dirty and its frame holds neither code nor page tables
(Mmu.frame_flags), so such stores take the store helper's slow path. It returns the entry it filled in the
table of the access (read or write), or 0 when it cannot complete the access natively; the caller
then leaves native code and the interpreter runs the instruction (and raises #PF if it faults).
One more answer for a write: `frame | FILL_WATCHED` when the write is allowed (and D is set) but
the frame holds code or page tables; the store helper may then still store natively if the bytes
touch no code, after dropping what a store into a page table remaps (runtime_ir._granule_write). With paging off, every RAM frame is answered that way
(the identity shadow has no write entry for code pages).
When the access faults (a not-present entry, or rights that do not allow it) it also leaves the #PF's
error code in JitContext.fault_code (FAULT_PENDING | code) and the address in fault_addr, so that
the block's slow exit can deliver the #PF natively (bt_page_fault in delivery_ir.py); the
dispatcher clears fault_code when native code is entered, so it never outlives that exit.
It gives up (0), leaving the work to the reference walk, when: paging is off, the access is not
allowed (the interpreter raises the #PF), a paging-structure frame is not yet marked as a page table
(the reference walk marks it and write-protects it everywhere first), an A/D update would land in a
frame holding code, an address is beyond RAM, or a 4 MiB PDE has PSE-36 bits set.

Every filled page goes into ctx.fill_log, so flushing the shadow tables (jit_engine.py) clears only
the entries filled since the last flush, and the guest-physical address of the last entry it read
(the PTE, or the PDE of a 4 MiB page) into ctx.fill_entries, so that a native store into a page
table can find the shadow entries it makes stale (bt/backend/pt_store_ir.py).
"""
from bt.backend.context import FILL_LOG_SIZE, field_offset
from bt.runtime.paging import (FRAME_CODE, FRAME_PAGE_TABLE, PDE_PS, PSE36_HIGH, PSE36_RESERVED, PTE_A, PTE_D,
                               PTE_P, PTE_RW, PTE_US)
from bt.runtime.state import CR0_PG, CR0_WP, CR4_PSE, offset_of

FILL_WATCHED = 2
# JitContext.fault_code when the walk found a guest-visible #PF: FAULT_PENDING | its error code
# (SDM Vol. 3, 4.7), with the linear address in fault_addr; bt_page_fault (delivery_ir.py) delivers it.
FAULT_PENDING = 1 << 31
PF_PROTECTION, PF_WRITE, PF_USER = 1, 2, 4


def _i32(v):
    return v - (1 << 32) if v >= 1 << 31 else v


def page_walk_ir(name="bt_fill", supervisor=False):
    """bt_fill walks for the current CPL and fills the current pair of shadow tables;
    bt_fill_sup (supervisor=True) walks as a supervisor access (descriptor tables, interrupt
    frames: bt/backend/delivery_ir.py) and fills the supervisor pair (bt/runtime/shadow_tables.py)."""
    cr = offset_of("cr")
    tables = ("sup_read", "sup_write") if supervisor else ("shadow_read", "shadow_write")
    ctx = {n: field_offset(n) for n in ("state", "ram", "ram_size", "frame_flags", "fill_log", "fill_count",
                                        "fill_entries", "walks", "fault_code")}
    ctx["shadow_read"], ctx["shadow_write"] = (field_offset(t) for t in tables)

    def field(name, ty, base="%ctx", off=None):
        off = ctx[name] if off is None else off
        return [f"  %{name}.p = getelementptr i8, ptr {base}, i64 {off}",
                f"  %{name} = load {ty}, ptr %{name}.p"]

    def table_frame(prefix, gpa):
        """Check that the paging-structure entry at %gpa lies in RAM and its frame is marked."""
        return [f"  %{prefix}.in = icmp ult i32 {gpa}, %ram_size",
                f"  br i1 %{prefix}.in, label %{prefix}.inram, label %fail",
                f"{prefix}.inram:",
                f"  %{prefix}.f = lshr i32 {gpa}, 12",
                f"  %{prefix}.f64 = zext i32 %{prefix}.f to i64",
                f"  %{prefix}.fl.p = getelementptr i8, ptr %frame_flags, i64 %{prefix}.f64",
                f"  %{prefix}.fl = load i8, ptr %{prefix}.fl.p",
                f"  %{prefix}.t = and i8 %{prefix}.fl, {FRAME_PAGE_TABLE}",
                f"  %{prefix}.marked = icmp ne i8 %{prefix}.t, 0",
                f"  br i1 %{prefix}.marked, label %{prefix}.read, label %fail",
                f"{prefix}.read:",
                f"  %{prefix}.gpa64 = zext i32 {gpa} to i64",
                f"  %{prefix}.e.p = getelementptr i8, ptr %ram, i64 %{prefix}.gpa64",
                f"  %{prefix}.e = load i32, ptr %{prefix}.e.p, align 4",
                f"  %{prefix}.pres = and i32 %{prefix}.e, {PTE_P}",
                f"  %{prefix}.here = icmp ne i32 %{prefix}.pres, 0",
                f"  br i1 %{prefix}.here, label %{prefix}.present, label %absent",
                f"{prefix}.present:"]

    lines = [
        f"define i32 @{name}(ptr %ctx, i32 %addr, i32 %write) {{",
        "entry:",
        *field("state", "ptr"),
        f"  %cr0.p = getelementptr i8, ptr %state, i64 {cr}",
        "  %cr0 = load i32, ptr %cr0.p",
        *field("ram_size", "i32"),
        f"  %pg = and i32 %cr0, {_i32(CR0_PG)}",
        "  %on = icmp ne i32 %pg, 0",
        "  br i1 %on, label %walk, label %flat",
        "flat:",                                    # paging off: only a write to a watched RAM frame
        "  %flat.w = icmp ne i32 %write, 0",
        "  %flat.in = icmp ult i32 %addr, %ram_size",
        "  %flat.ok = and i1 %flat.w, %flat.in",
        "  %flat.frame = and i32 %addr, -4096",
        f"  %flat.ret = or i32 %flat.frame, {FILL_WATCHED}",
        "  %flat.r = select i1 %flat.ok, i32 %flat.ret, i32 0",
        "  ret i32 %flat.r",
        "walk:",
        f"  %cr3.p = getelementptr i8, ptr %state, i64 {cr + 12}",
        "  %cr3 = load i32, ptr %cr3.p",
        f"  %cr4.p = getelementptr i8, ptr %state, i64 {cr + 16}",
        "  %cr4 = load i32, ptr %cr4.p",
        f"  %cpl.p = getelementptr i8, ptr %state, i64 {offset_of('cpl')}",
        "  %cpl = load i32, ptr %cpl.p",
        "  %user = icmp eq i32 %cpl, 3" if not supervisor else "  %user = icmp ne i32 0, 0",   # false
        "  %isw = icmp ne i32 %write, 0",
        *field("ram", "ptr"),
        *field("frame_flags", "ptr"),
        "  %pd.base = and i32 %cr3, -4096",
        "  %pd.idx = lshr i32 %addr, 20",
        "  %pd.off = and i32 %pd.idx, 4092",
        "  %pd.gpa = or i32 %pd.base, %pd.off",
        *table_frame("pd", "%pd.gpa"),
        f"  %ps = and i32 %pd.e, {PDE_PS}",
        f"  %pse = and i32 %cr4, {CR4_PSE}",
        "  %big.ps = icmp ne i32 %ps, 0",
        "  %big.pse = icmp ne i32 %pse, 0",
        "  %big = and i1 %big.ps, %big.pse",
        "  br i1 %big, label %large, label %small",
        "large:",                                   # PSE-36 bits (high frame, reserved): Python's
        f"  %l.x = and i32 %pd.e, {PSE36_HIGH | PSE36_RESERVED}",
        "  %l.plain = icmp eq i32 %l.x, 0",
        "  br i1 %l.plain, label %large.ok, label %fail",
        "large.ok:",
        "  %l.hi = and i32 %pd.e, -4194304",
        "  %l.mid = and i32 %addr, 4190208",
        "  %l.frame = or i32 %l.hi, %l.mid",
        "  br label %check",
        "small:",                                   # the PDE's A bit before the PTE is looked at
        f"  %pd.a = or i32 %pd.e, {PTE_A}",
        "  %pd.a.new = icmp ne i32 %pd.a, %pd.e",
        "  br i1 %pd.a.new, label %pd.seta, label %pt",
        "pd.seta:",
        f"  %pd.code = and i8 %pd.fl, {FRAME_CODE}",
        "  %pd.hascode = icmp ne i8 %pd.code, 0",
        "  br i1 %pd.hascode, label %fail, label %pd.store",
        "pd.store:",
        "  store i32 %pd.a, ptr %pd.e.p, align 4",
        "  br label %pt",
        "pt:",
        "  %pt.base = and i32 %pd.e, -4096",
        "  %pt.idx = lshr i32 %addr, 10",
        "  %pt.off = and i32 %pt.idx, 4092",
        "  %pt.gpa = or i32 %pt.base, %pt.off",
        *table_frame("pt", "%pt.gpa"),
        "  %s.rights = and i32 %pd.e, %pt.e",
        "  %s.frame = and i32 %pt.e, -4096",
        "  br label %check",
        "check:",
        "  %ent = phi i32 [ %pd.e, %large.ok ], [ %pt.e, %pt.present ]",
        "  %ent.p = phi ptr [ %pd.e.p, %large.ok ], [ %pt.e.p, %pt.present ]",
        "  %ent.gpa = phi i32 [ %pd.gpa, %large.ok ], [ %pt.gpa, %pt.present ]",
        "  %ent.fl = phi i8 [ %pd.fl, %large.ok ], [ %pt.fl, %pt.present ]",
        "  %rights = phi i32 [ %pd.e, %large.ok ], [ %s.rights, %pt.present ]",
        "  %frame = phi i32 [ %l.frame, %large.ok ], [ %s.frame, %pt.present ]",
        # SDM Vol. 3, 4.6: user accesses need U/S (and R/W to write); supervisor writes need R/W
        # only with CR0.WP (the same rule as paging.allowed).
        f"  %us.b = and i32 %rights, {PTE_US}",
        "  %us = icmp ne i32 %us.b, 0",
        f"  %rw.b = and i32 %rights, {PTE_RW}",
        "  %rw = icmp ne i32 %rw.b, 0",
        f"  %wp.b = and i32 %cr0, {CR0_WP}",
        "  %wp = icmp ne i32 %wp.b, 0",
        "  %sup = xor i1 %user, true",
        "  %nowp = xor i1 %wp, true",
        "  %free = and i1 %sup, %nowp",
        "  %may.write = or i1 %rw, %free",
        "  %u.ok = or i1 %sup, %us",
        "  %read = xor i1 %isw, true",
        "  %w.ok = or i1 %read, %may.write",
        "  %ok = and i1 %u.ok, %w.ok",
        "  br i1 %ok, label %grant, label %denied",
        "grant:",
        f"  %ad = select i1 %isw, i32 {PTE_A | PTE_D}, i32 {PTE_A}",
        "  %upd = or i32 %ent, %ad",
        "  %changed = icmp ne i32 %upd, %ent",
        "  br i1 %changed, label %setad, label %fill",
        "setad:",
        f"  %ent.code = and i8 %ent.fl, {FRAME_CODE}",
        "  %ent.hascode = icmp ne i8 %ent.code, 0",
        "  br i1 %ent.hascode, label %fail, label %ad.store",
        "ad.store:",
        "  store i32 %upd, ptr %ent.p, align 4",
        "  br label %fill",
        "fill:",
        "  %fr.in = icmp ult i32 %frame, %ram_size",
        "  br i1 %fr.in, label %fill.ram, label %fail",
        "fill.ram:",
        "  %page = lshr i32 %addr, 12",
        "  %page64 = zext i32 %page to i64",
        "  %rentry = or i32 %frame, 1",
        *field("shadow_read", "ptr"),
        "  %rslot = getelementptr i32, ptr %shadow_read, i64 %page64",
        "  %rold = load i32, ptr %rslot",
        "  store i32 %rentry, ptr %rslot",
        f"  %dirty.b = and i32 %upd, {PTE_D}",
        "  %dirty = icmp ne i32 %dirty.b, 0",
        "  %fr.f = lshr i32 %frame, 12",
        "  %fr.f64 = zext i32 %fr.f to i64",
        "  %fr.fl.p = getelementptr i8, ptr %frame_flags, i64 %fr.f64",
        "  %fr.fl = load i8, ptr %fr.fl.p",
        "  %plain = icmp eq i8 %fr.fl, 0",
        "  %cw.1 = and i1 %dirty, %may.write",
        "  %cw = and i1 %cw.1, %plain",
        "  %wentry = select i1 %cw, i32 %rentry, i32 0",
        *field("shadow_write", "ptr"),
        "  %wslot = getelementptr i32, ptr %shadow_write, i64 %page64",
        "  store i32 %wentry, ptr %wslot",
        # A page whose read entry was already valid is in the log (bt_pt_store keeps it so): a
        # store into a page table walks again on every store, and must not fill the log.
        "  %fresh = icmp eq i32 %rold, 0",
        "  br i1 %fresh, label %tolog, label %counted",
        "tolog:",
        *field("fill_count", "i32"),
        f"  %room = icmp ult i32 %fill_count, {FILL_LOG_SIZE}",
        "  br i1 %room, label %log, label %logged",
        "log:",
        *field("fill_log", "ptr"),
        "  %cnt64 = zext i32 %fill_count to i64",
        "  %log.slot = getelementptr i32, ptr %fill_log, i64 %cnt64",
        "  store i32 %page, ptr %log.slot",
        *field("fill_entries", "ptr"),
        "  %ent.slot = getelementptr i32, ptr %fill_entries, i64 %cnt64",
        "  store i32 %ent.gpa, ptr %ent.slot",
        "  br label %logged",
        "logged:",
        "  %cnt1 = add i32 %fill_count, 1",
        f"  %cnt = select i1 %room, i32 %cnt1, i32 {FILL_LOG_SIZE + 1}",     # saturates: overflowed
        "  store i32 %cnt, ptr %fill_count.p",
        "  br label %counted",
        "counted:",
        *field("walks", "i64"),
        "  %walks1 = add i64 %walks, 1",
        "  store i64 %walks1, ptr %walks.p",
        f"  %watched = or i32 %frame, {FILL_WATCHED}",
        "  %wanswer.1 = select i1 %cw.1, i32 %watched, i32 0",
        "  %wanswer = select i1 %cw, i32 %wentry, i32 %wanswer.1",
        "  %ret = select i1 %isw, i32 %wanswer, i32 %rentry",
        "  ret i32 %ret",
        # A guest-visible #PF (not present, or not allowed): its error code for bt_page_fault.
        "absent:",
        "  br label %fault",
        "denied:",
        "  br label %fault",
        "fault:",
        f"  %pf.p = phi i32 [ 0, %absent ], [ {PF_PROTECTION}, %denied ]",
        f"  %pf.w = select i1 %isw, i32 {PF_WRITE}, i32 0",
        f"  %pf.u = select i1 %user, i32 {PF_USER}, i32 0",
        "  %pf.wu = or i32 %pf.w, %pf.u",
        "  %pf.code = or i32 %pf.p, %pf.wu",
        f"  %pf.pending = or i32 %pf.code, {_i32(FAULT_PENDING)}",
        *field("fault_code", "i32"),
        "  store i32 %pf.pending, ptr %fault_code.p",
        f"  %fault_addr.p = getelementptr i8, ptr %ctx, i64 {field_offset('fault_addr')}",
        "  store i32 %addr, ptr %fault_addr.p",
        "  ret i32 0",
        "fail:",
        "  ret i32 0",
        "}",
    ]
    return "\n".join(lines)
