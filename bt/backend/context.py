"""The JIT context: what native code needs besides the CPU state, in one fixed ctypes layout.

Created by bt/runtime/jit_engine.py; every translated block and the native dispatcher receive a
pointer to it (second argument, the first is the CpuState). Python writes the pointers once and the
budget before each dispatch; native code updates the budget and the counters. Field offsets are what
the IR in bt/backend/ addresses, via `field_offset`.

Lookup table: LOOKUP_SIZE direct-mapped entries keyed by linear EIP (`tags`, u32) with the native
function of the translation (`fns`, u64). Empty entries hold tag EMPTY_TAG and the miss stub, so
native code never calls a null pointer. A table holds translations of one mode (CS base, CPL,
paging); Python points `tags`/`fns` at the current mode's table (bt/runtime/lookup_tables.py) and
removes entries when translations are invalidated or their pages map elsewhere.
"""
import ctypes

LOOKUP_BITS = 14
LOOKUP_SIZE = 1 << LOOKUP_BITS
EMPTY_TAG = 0xFFFFFFFF

# Block and dispatcher exit codes (i32 return values). 0 means "continue at state.eip".
EXIT_NEXT = 0
EXIT_MISS = 1          # no translation for state.eip in the lookup table
EXIT_BUDGET = 2        # the instruction budget ran out: Python checks limits, devices, deadline
EXIT_INTERP = 3        # run the instruction at state.eip in the interpreter (callout or no lowering)
EXIT_SLOW_MEM = 4      # a memory access left the shadow fast path; state is precise at state.eip
EXIT_HOT = 5           # a quick-tier block became hot: retranslate it with the optimising tier
EXIT_SEGMENTS = 6      # a block translated for flat segments met others: retranslate it with checks
EXIT_NAMES = {EXIT_NEXT: "next", EXIT_MISS: "miss", EXIT_BUDGET: "budget", EXIT_INTERP: "callout",
              EXIT_SLOW_MEM: "slow-mem", EXIT_HOT: "hot", EXIT_SEGMENTS: "segments"}

# A native POPF that sets IF while irq_pending subtracts this from the budget (IF << 31): the block
# returns to Python, which adds it back (bt/backend/lower_flags_virt.py, bt/runtime/jit_engine.py).
IRQ_KICK = 1 << 40

# Shadow page table entry bits (u32 per guest-virtual page: gpa page base | bits).
SHADOW_VALID = 1
FILL_LOG_SIZE = 4096


class JitContext(ctypes.Structure):
    _fields_ = [
        ("ram", ctypes.c_void_p),            # host address of guest-physical 0
        ("shadow_read", ctypes.c_void_p),    # u32[1 << 20]: gva page -> gpa page | SHADOW_VALID
        ("shadow_write", ctypes.c_void_p),   # same, but only pages writable without a callout
        ("tags", ctypes.c_void_p),           # u32[LOOKUP_SIZE]
        ("fns", ctypes.c_void_p),            # u64[LOOKUP_SIZE]
        ("materialize", ctypes.c_void_p),    # i32 (ptr state): folds lazy flags into eflags
        ("counters", ctypes.c_void_p),       # u32[]: executions of each quick-tier block (by slot)
        ("parity", ctypes.c_void_p),         # u8[256]: 1 where a byte has even parity (PF)
        ("code_map", ctypes.c_void_p),       # u16 per 16 bytes of RAM: how many code regions overlap it
        ("read8", ctypes.c_void_p),          # the shadow-table access helpers of runtime_ir.py
        ("read16", ctypes.c_void_p),
        ("read32", ctypes.c_void_p),
        ("write8", ctypes.c_void_p),
        ("write16", ctypes.c_void_p),
        ("write32", ctypes.c_void_p),
        ("budget", ctypes.c_int64),          # guest instructions left before EXIT_BUDGET
        ("exit_info", ctypes.c_uint32),      # callout kind for EXIT_INTERP
        ("irq_pending", ctypes.c_uint32),    # IF (0x200) while the PIC asserts INTR, else 0
        ("chained", ctypes.c_uint64),        # block-to-block transfers that skipped the dispatcher
        ("dispatched", ctypes.c_uint64),     # blocks entered from the dispatcher loop
        # Paging (bt/backend/page_walk_ir.py): the native walk that fills the shadow tables on a miss.
        ("state", ctypes.c_void_p),          # the CpuState (CR0, CR3, CR4, CPL)
        ("frame_flags", ctypes.c_void_p),    # u8 per RAM frame: Mmu.frame_flags (code, page table)
        ("fill_log", ctypes.c_void_p),       # u32[FILL_LOG_SIZE]: pages the walk filled since a flush
        ("fill", ctypes.c_void_p),           # i32 bt_fill(ctx, addr, write): the walk
        ("ram_size", ctypes.c_uint32),
        ("fill_count", ctypes.c_uint32),     # entries in fill_log; > FILL_LOG_SIZE: it overflowed
        ("walks", ctypes.c_uint64),          # native walks that filled an entry
        ("sti_mark", ctypes.c_uint64),       # native STI from IF=0: chained + dispatched + 1 at it
        # Native CPL switches (bt/backend/delivery_ir.py): both shadow pairs (bt/runtime/shadow_tables.py)
        # and the lookup table of each CPL's mode.
        ("sup_read", ctypes.c_void_p),       # the supervisor pair (what shadow_* point at for CPL 0-2)
        ("sup_write", ctypes.c_void_p),
        ("user_read", ctypes.c_void_p),      # the user pair (CPL 3; the supervisor pair with paging off)
        ("user_write", ctypes.c_void_p),
        ("mode_slots", ctypes.c_void_p),     # u64[3 * 4]: MODE_TAGS/MODE_FNS/MODE_BASE + CPL
        ("deliver", ctypes.c_void_p),        # i32 bt_deliver(st, ctx, vector, eip, error, kind)
        ("iret", ctypes.c_void_p),           # i32 bt_iret(st, ctx)
        ("page_fault", ctypes.c_void_p),     # i32 bt_page_fault(st, ctx, eip): a slow exit's #PF
        ("fault_code", ctypes.c_uint32),     # FAULT_PENDING | #PF error code from the walk (page_walk_ir.py)
        ("fault_addr", ctypes.c_uint32),     # its linear address
        ("port_mirror", ctypes.c_void_p),    # u32[65536]: VALID | byte a native IN reads (port_mirror.py)
        # Native stores into page tables (bt/backend/pt_store_ir.py).
        ("fill_entries", ctypes.c_void_p),   # u32[FILL_LOG_SIZE]: gpa of the last entry each fill read
        ("code_entries", ctypes.c_void_p),   # u8 bits per RAM dword: entries mapping translated code
        ("map_epoch", ctypes.c_uint32),      # bumped when native code drops shadow entries
        ("pt_stores", ctypes.c_uint64),      # stores into page tables made natively
        # Segments (bt/backend/seg_checks.py): bit 1 << seg once a block's entry guard found that
        # segment flat; Python clears it before each dispatch, native delivery when it loads one.
        ("seg_flat", ctypes.c_uint32),
    ]


# JitContext.mode_slots: for each CPL, the lookup table (tags, fns) of the mode with that CPL and the
# current paging state, and its CS base | MODE_VALID; kept by jit_engine.py (`_publish_modes`).
MODE_TAGS, MODE_FNS, MODE_BASE = 0, 4, 8
MODE_VALID = 1 << 32


def field_offset(name):
    return getattr(JitContext, name).offset


def lookup_index(eip):
    """The lookup-table slot of a linear EIP; the IR computes the same function."""
    return (eip ^ (eip >> LOOKUP_BITS)) & (LOOKUP_SIZE - 1)
