"""Native stores into guest page tables: bt_pt_store(ctx, gpa, size) -> i32, in LLVM IR (compiled
once per process with bt/backend/runtime_ir.py). Warm: the store helpers call it for every guest
store into a frame the walk has marked as a page directory or page table (Mmu.frame_flags), before
they store, so that a PTE write (demand paging, unmapping, A/D clearing) costs no trip to Python.

The shadow tables must never hold a mapping the guest's page tables no longer give (paging.py:
both engines stay coherent with the page tables, without waiting for INVLPG). Which shadow entries
can the store at `gpa` make stale? Those whose walk read one of the entry dwords it touches, as the
page's PTE (or 4 MiB PDE) or as its PDE. The fill log holds, for every page filled since the last
flush, its page number and the address of its last entry (ctx.fill_entries); its PDE's address
follows from CR3 (unchanged since that flush, as a CR3 load flushes). One pass over the log drops
those pages from both shadow pairs and compacts the log, so that it keeps listing only live pages.

It answers 0, and the store goes to the interpreter (whose Mmu.flush drops every cached mapping) as
before, when native code cannot see everything that depends on the entry:
- the entry maps a page with translated code (ctx.code_entries, kept by bt/runtime/code_mappings.py):
  the lookup tables would need the same care, and they live in Python;
- the fill log overflowed, so it does not list every filled page.
Otherwise it answers 1 after dropping the entries, and bumps ctx.map_epoch, so that Python forgets
the interpreter's TLB before it next uses it (Jit.after_native): the JIT's interpreter has its own
TLB, which may hold pages the shadow tables do not.
"""
from bt.backend.context import FILL_LOG_SIZE, field_offset
from bt.runtime.state import offset_of


def pt_store_ir():
    def ctx_load(name, ty):
        return [f"  %{name}.p = getelementptr i8, ptr %ctx, i64 {field_offset(name)}",
                f"  %{name} = load {ty}, ptr %{name}.p"]

    def code_bit(name, dword_gpa):
        """%{name}: i1, the code_entries bit of the entry dword at `dword_gpa`."""
        return [f"  %{name}.byte = lshr i32 {dword_gpa}, 5",
                f"  %{name}.byte64 = zext i32 %{name}.byte to i64",
                f"  %{name}.bp = getelementptr i8, ptr %code_entries, i64 %{name}.byte64",
                f"  %{name}.bits = load i8, ptr %{name}.bp",
                f"  %{name}.idx32 = lshr i32 {dword_gpa}, 2",
                f"  %{name}.idx32m = and i32 %{name}.idx32, 7",
                f"  %{name}.idx = trunc i32 %{name}.idx32m to i8",
                f"  %{name}.sh = lshr i8 %{name}.bits, %{name}.idx",
                f"  %{name}.b = and i8 %{name}.sh, 1",
                f"  %{name} = icmp ne i8 %{name}.b, 0"]

    tables = ("sup_read", "sup_write", "user_read", "user_write")

    def drop(table):
        return [f"  %{table}.slot = getelementptr i32, ptr %{table}, i64 %v64",
                f"  store i32 0, ptr %{table}.slot"]

    lines = [
        "define i32 @bt_pt_store(ptr %ctx, i32 %gpa, i32 %size) {",
        "entry:",
        "  %first = and i32 %gpa, -4",
        "  %end = add i32 %gpa, %size",
        "  %endm1 = sub i32 %end, 1",
        "  %last = and i32 %endm1, -4",
        *ctx_load("code_entries", "ptr"),
        *code_bit("code0", "%first"),
        *code_bit("code1", "%last"),
        "  %code = or i1 %code0, %code1",
        *ctx_load("fill_count", "i32"),
        f"  %over = icmp ugt i32 %fill_count, {FILL_LOG_SIZE}",
        "  %no = or i1 %code, %over",
        "  br i1 %no, label %decline, label %scan",
        "scan:",
        *ctx_load("state", "ptr"),
        f"  %cr3.p = getelementptr i8, ptr %state, i64 {offset_of('cr') + 12}",
        "  %cr3 = load i32, ptr %cr3.p",
        "  %pd.base = and i32 %cr3, -4096",
        *ctx_load("fill_log", "ptr"),
        *ctx_load("fill_entries", "ptr"),
        *(line for table in tables for line in ctx_load(table, "ptr")),
        "  br label %head",
        "head:",
        "  %i = phi i32 [ 0, %scan ], [ %i.next, %next ]",
        "  %j = phi i32 [ 0, %scan ], [ %j.next, %next ]",
        "  %more = icmp ult i32 %i, %fill_count",
        "  br i1 %more, label %body, label %done",
        "body:",
        "  %i64 = zext i32 %i to i64",
        "  %v.p = getelementptr i32, ptr %fill_log, i64 %i64",
        "  %v = load i32, ptr %v.p",
        "  %e.p = getelementptr i32, ptr %fill_entries, i64 %i64",
        "  %e = load i32, ptr %e.p",
        "  %pde.idx = lshr i32 %v, 10",
        "  %pde.off = shl i32 %pde.idx, 2",
        "  %pde = or i32 %pd.base, %pde.off",
        "  %h.e0 = icmp eq i32 %e, %first",
        "  %h.e1 = icmp eq i32 %e, %last",
        "  %h.d0 = icmp eq i32 %pde, %first",
        "  %h.d1 = icmp eq i32 %pde, %last",
        "  %h.e = or i1 %h.e0, %h.e1",
        "  %h.d = or i1 %h.d0, %h.d1",
        "  %hit = or i1 %h.e, %h.d",
        "  br i1 %hit, label %drop, label %keep",
        "drop:",                          # every table: the page may be cached in either CPL class
        "  %v64 = zext i32 %v to i64",
        *(line for table in tables for line in drop(table)),
        "  br label %next",
        "keep:",
        "  %j64 = zext i32 %j to i64",
        "  %kv.p = getelementptr i32, ptr %fill_log, i64 %j64",
        "  store i32 %v, ptr %kv.p",
        "  %ke.p = getelementptr i32, ptr %fill_entries, i64 %j64",
        "  store i32 %e, ptr %ke.p",
        "  %j.kept = add i32 %j, 1",
        "  br label %next",
        "next:",
        "  %j.next = phi i32 [ %j, %drop ], [ %j.kept, %keep ]",
        "  %i.next = add i32 %i, 1",
        "  br label %head",
        "done:",
        "  store i32 %j, ptr %fill_count.p",
        *ctx_load("map_epoch", "i32"),            # the interpreter's TLB may hold what was dropped
        "  %epoch = add i32 %map_epoch, 1",       # or what was never in the shadow tables
        "  store i32 %epoch, ptr %map_epoch.p",
        *ctx_load("pt_stores", "i64"),
        "  %stores = add i64 %pt_stores, 1",
        "  store i64 %stores, ptr %pt_stores.p",
        "  ret i32 1",
        "decline:",
        "  ret i32 0",
        "}",
    ]
    return "\n".join(lines)
