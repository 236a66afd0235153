"""Guest block -> LLVM IR: decode with the frontend, rewrite sensitive instructions into callouts,
lower the rest with the registered lowerings (cold: a translation-cache miss).

`translate(fetch, decoder, eip)` returns a BlockIR: the function name, its IR text, the decoded
instructions and the guest-physical byte range it was made from. A block ends at an unconditional control transfer
(conditional branches leave only on their taken path: extended blocks),
a callout (the block exits to the VMM *before* the sensitive instruction), an instruction without a
native lowering (likewise, the interpreter runs it), a page boundary or `max_insns` instructions
(MAX_BLOCK_INSNS; lockstep differential runs use 1).
"""
from dataclasses import dataclass

from bt.backend import lower_alu, lower_control, lower_move  # noqa: F401  (registration)
from bt.backend import lower_exchange, lower_stack, lower_string  # noqa: F401  (registration)
from bt.backend import lower_bits, lower_flagops, lower_muldiv, lower_shift  # noqa: F401
from bt.backend import lower_flags_virt, lower_interrupts, lower_paging_control, lower_ports  # noqa: F401  (native callouts)
from bt.backend.emitter import BlockEmitter, Unsupported
from bt.backend.lowering import LOWERINGS, NATIVE_CALLOUTS, lowering_name
from bt.frontend import table
from bt.frontend.callouts import KIND, callout_kind
from bt.frontend.decoder import DecodeError, MAX_INSN_LEN

MAX_BLOCK_INSNS = 64
PAGE_MASK = ~0xFFF


@dataclass
class BlockIR:
    name: str
    eip: int
    ir: str
    insns: list          # decoded guest instructions covered by native code or the final callout
    native_insns: int    # how many of them run natively
    lo: int              # guest-physical byte range the translation depends on
    hi: int
    callout: str = ""    # kind of the callout ending the block, if any
    counter_slot: int = 0
    exit_targets: tuple = ()   # constant EIPs the block can continue at (static successors)


CROSSES = object()      # _decode: the instruction goes on into the next page, which it may not fetch


def block_name(eip, mode):
    return f"tb_{eip:08x}_{mode}"


def translate(fetch, decoder, eip, mode=0, max_insns=MAX_BLOCK_INSNS, tier="quick", hot_threshold=None,
              counter_slot=0, callouts_at=frozenset(), seg_checks=False, cs_limit=None, may_cross=True):
    """counter_slot: the block's execution counter in JitContext.counters (slot 0 is scratch).
    may_cross: the first instruction may fetch from the next page (only the block about to run
    should: the fetch sets that page's Accessed bit); if it would need to and may not: None.
    callouts_at: EIPs to run as callouts whatever they are (adaptive translation, jit_engine.py).
    seg_checks: check every access against its segment instead of assuming flat segments
    (bt/backend/seg_checks.py); cs_limit (with seg_checks): the block ends before an instruction
    beyond this CS limit, so that it runs natively whenever its entry check finds it inside."""
    e = BlockEmitter(block_name(eip, mode) + ("_hot" if tier != "quick" else ""), eip, tier, hot_threshold,
                     counter_slot, seg_checks)
    e.extend_branches = max_insns > 1      # lockstep runs want one instruction per block
    insns, addr, callout = [], eip, ""
    while True:
        # Only a block's first instruction may fetch from the next page: a later one might never
        # run (an earlier instruction faults or jumps away), and the fetch would set that page's
        # Accessed bit, which the interpreter sets only when it runs the instruction.
        insn = _decode(fetch, decoder, addr, may_cross=may_cross and not insns)
        if insn is CROSSES:
            if not insns:
                return None
            e.begin_insn(_Stub(addr))
            e.exit_fallthrough(addr)
            break
        if insn is None:            # #UD when reached: the interpreter raises it precisely
            e.begin_insn(_Stub(addr))
            if insns:
                e.exit_fallthrough(addr)
            else:
                e.exit_interp(KIND["fallback"])
                callout = "fallback"
            break
        if insns and cs_limit is not None and insn.address + insn.size - 1 > cs_limit:
            e.begin_insn(_Stub(addr))
            e.exit_fallthrough(addr)
            break
        e.begin_insn(insn)
        kind = "adaptive" if insn.address in callouts_at else callout_kind(insn)
        name = lowering_name(insn)
        lowering = LOWERINGS.get(name) if kind is None or (name in NATIVE_CALLOUTS and kind != "adaptive") else None
        if lowering is not None:
            try:
                lowering(e, insn)
            except Unsupported:
                e.rollback()
                lowering = None
        if lowering is None:
            if insns:
                e.exit_fallthrough(addr)
            else:
                insns.append(insn)
                callout = kind or "fallback"
                e.exit_interp(KIND[callout])
            break
        insns.append(insn)
        addr = insn.next_address
        if e.ended:
            break
        e.end_insn()
        if ((table.ends_block(insn) and not e.continued) or len(insns) >= max_insns
                or (addr & PAGE_MASK) != (eip & PAGE_MASK)):
            e.begin_insn(_Stub(addr))
            e.exit_fallthrough(addr)
            break
    if e.peel_latch is not None:
        _lower_loop_copy(e, insns)
    last = insns[-1] if insns else None
    hi = (last.address + last.size) if last else eip + 1
    native = len(insns) - (1 if callout else 0)
    e.code_last = max(hi, eip + 1) - 1
    try:
        ir = e.finish()
    except Unsupported:            # the loop copy's flags took another shape: no in-function loop
        return translate(fetch, decoder, eip, mode, max_insns, tier="hot-noloop", counter_slot=counter_slot,
                         callouts_at=callouts_at, seg_checks=seg_checks, cs_limit=cs_limit, may_cross=may_cross)
    targets = list(e.exit_targets)
    targets += [i.next_address for i in insns if i.name == "call"]      # where calls return to
    if callout and callout not in ("far-transfer", "interrupt", "halt", "fallback"):
        targets.append(insns[-1].next_address)       # after the VMM runs it, execution goes on here
    return BlockIR(e.name, eip, ir, insns, native, eip, max(hi, eip + 1), callout, counter_slot,
                   tuple(dict.fromkeys(targets)))


def _decode(fetch, decoder, addr, may_cross=True):
    """The instruction at `addr`, or None if undecodable. `fetch` gives the bytes up to the end of a
    page; the next page is fetched only for an instruction that goes on into it (as the CPU does:
    fetching it may set its Accessed bit), and only if `may_cross`: else CROSSES."""
    code = fetch(addr, MAX_INSN_LEN)
    while True:
        try:
            return decoder.decode(code, addr)
        except DecodeError:
            if not code or len(code) >= MAX_INSN_LEN:
                return None
            if not may_cross:
                return CROSSES
            more = fetch((addr + len(code)) & 0xFFFFFFFF, MAX_INSN_LEN - len(code))
            if not more:
                return None
            code += more


def _lower_loop_copy(e, insns):
    """Hot tier: lower the block a second time as the loop body (see the emitter's hot-tier loops)."""
    e.begin_loop_copy()
    for insn in insns:
        e.begin_insn(insn)
        LOWERINGS[insn.name](e, insn)
        if e.ended:
            return
        e.end_insn()
    # The peel went on past its last instruction (a fall-through out of the block): so does the copy.
    e.begin_insn(_Stub(insns[-1].next_address))
    e.exit_fallthrough(insns[-1].next_address)


class _Stub:
    """Instruction boundary marker for exits placed before an instruction that is not lowered."""

    def __init__(self, address):
        self.address = address

