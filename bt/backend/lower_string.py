"""Native lowerings of the string instructions MOVS STOS LODS CMPS SCAS (b/w/d), with and without
REP/REPE/REPNE, 32-bit address size only (SDM Vol. 2, "MOVS", "REP/REPE/REPNE"...). Cold.

Without REP one iteration is straight-line code on the main chain. A REP form is a loop inside the
block, between the main chain and its continuation:

  pre -> head (phis: k, ECX, ESI, EDI, last loaded value / compared pair, stop) -> done (main chain)
         head -> chk -> iter -> latch -> head
                  |      `-> slow exit: a memory access left the shadow fast path
                  `-> chunk end (k > 0, ECX a multiple of CHUNK) -> charge one instruction -> iter
                                                                      `-> chunk exit

A REP counts one instruction per chunk as on the interpreter (bt/runtime/rep_chunks.py): each chunk
end charges the budget, and the REP's last chunk is charged with the block. The loop goes on through
a chunk end while the budget lasts, and leaves by the chunk exit (EXIT_BUDGET) when it does not or
after ITERATIONS_PER_RETURN iterations (ECX a multiple of it), so that a huge ECX cannot starve the
dispatcher of deadline checks. Both loop exits leave the state as of the k completed iterations with
EIP at the REP instruction (REP is restartable); the slow exit returns EXIT_SLOW_MEM and the
interpreter goes on with the REP, ending its chunk where this loop would have. Each iteration checks
every access before its one store, so a slow exit never leaves half an iteration behind.
"""
from bt.backend.context import EXIT_BUDGET, EXIT_SLOW_MEM
from bt.backend.block_state import Snapshot
from bt.backend.emitter import TYPE, Unsupported
from bt.backend.flag_ir import ARITH_BITS, Record
from bt.backend.lowering import lowers
from bt.frontend.decoder import MEM
from bt.runtime.flags import CC_SUB
from bt.runtime.rep_chunks import CHUNK
from bt.runtime.state import EAX, ECX, ESI, EDI, DS, ES

ITERATIONS_PER_RETURN = 16 * CHUNK
ELEMENT = {"b": 1, "w": 2, "d": 4}
USES_SRC = ("movs", "lods", "cmps")       # read seg:ESI
USES_DST = ("movs", "stos", "cmps", "scas")   # access ES:EDI


@lowers("movsb", "movsw", "movsd", "stosb", "stosw", "stosd", "lodsb", "lodsw", "lodsd",
        "cmpsb", "cmpsw", "cmpsd", "scasb", "scasw", "scasd")
def string_op(e, insn):
    op, size = insn.name[:-1], ELEMENT[insn.name[-1]]
    mems = [o for o in insn.operands if o.kind == MEM]
    if op in ("movs", "cmps") and len(mems) != 2:
        raise Unsupported("SSE movsd/cmpsd")
    if insn.addr_size != 4:
        raise Unsupported("16-bit address size (SI/DI/CX)")
    if insn.lock:
        raise Unsupported("LOCK string instruction: #UD")
    src_seg = next((o.seg for o in mems if o.base == ESI), DS)
    df = e.df_set()
    step = e.emit(f"select i1 {df}, i32 {-size}, i32 {size}", "step")
    if not insn.rep:
        _single(e, op, size, src_seg, step)
    else:
        # F2 on MOVS/STOS/LODS repeats like F3; on CMPS/SCAS it is REPNE.
        until = None if op not in ("cmps", "scas") else ("ne" if insn.rep == "rep" else "eq")
        _rep(e, insn, op, size, src_seg, step, until)


def _iteration(e, op, size, src_seg, step, esi, edi, acc, host, miss_label=None):
    """One element: every address check first, then the accesses. Returns (esi, edi, loaded, a, b)."""
    t = TYPE[size]
    src = dst = None
    if op in USES_SRC:
        src = host(e.linear(src_seg, esi, size, False, miss_label), size, False)
    if op in USES_DST:
        writes = op in ("movs", "stos")
        dst = host(e.linear(ES, edi, size, writes, miss_label), size, writes)
    loaded = a = b = None
    if op == "movs":
        v = e.emit(f"load {t}, ptr {src}, align 1", "m")
        e.line(f"store {t} {v}, ptr {dst}, align 1")
    elif op == "stos":
        e.line(f"store {t} {acc}, ptr {dst}, align 1")
    elif op == "lods":
        loaded = e.emit(f"load {t}, ptr {src}, align 1", "m")
    elif op == "cmps":
        a = e.emit(f"load {t}, ptr {src}, align 1", "m")     # SRC1 = seg:ESI, SRC2 = ES:EDI
        b = e.emit(f"load {t}, ptr {dst}, align 1", "m")
    else:   # scas: accumulator - ES:EDI
        a, b = acc, e.emit(f"load {t}, ptr {dst}, align 1", "m")
    new_esi = e.emit(f"add i32 {esi}, {step}", "esi") if op in USES_SRC else esi
    new_edi = e.emit(f"add i32 {edi}, {step}", "edi") if op in USES_DST else edi
    return new_esi, new_edi, loaded, a, b


def _single(e, op, size, src_seg, step):
    esi = e.reg32(ESI) if op in USES_SRC else None
    edi = e.reg32(EDI) if op in USES_DST else None
    acc = e.reg(EAX, size) if op in ("stos", "scas") else None
    new_esi, new_edi, loaded, a, b = _iteration(e, op, size, src_seg, step, esi, edi, acc, e.host_address)
    if op in USES_SRC:
        e.set_reg32(ESI, new_esi)
    if op in USES_DST:
        e.set_reg32(EDI, new_edi)
    if loaded is not None:
        e.set_reg(EAX, loaded, size)
    if a is not None:
        e.record(CC_SUB, size, a, b, e.emit(f"sub {TYPE[size]} {a}, {b}", "res"))


def _loop_host(e, exit_label):
    """BlockEmitter.host_address, leaving to `exit_label` (the loop's own exit) on a miss."""
    return lambda addr, size, write: e.host_address(addr, size, write, miss_label=exit_label)


def _rep(e, insn, op, size, src_seg, step, until):
    t = TYPE[size]
    compares = until is not None
    ecx0 = e.reg32(ECX)
    esi0 = e.reg32(ESI) if op in USES_SRC else None
    edi0 = e.reg32(EDI) if op in USES_DST else None
    eax0 = e.reg32(EAX) if op == "lods" else None
    acc0 = e.reg(EAX, size) if op in ("stos", "scas", "lods") else None
    old_flags = {bit: e.flag(bit) for bit in ARITH_BITS} if compares else None

    pre, head, chk, it, latch, done = (e.label(h) for h in ("rep.pre", "rep.head", "rep.chk", "rep.iter",
                                                             "rep.latch", "rep.done"))
    chunk_end, chunk_exit, slow_exit = e.label("rep.chunk"), e.label("rep.chunkexit"), e.label("rep.slow")
    e.line(f"br label %{pre}")
    e.start_block(pre)
    e.line(f"br label %{head}")
    e.start_block(head)
    phi_at = len(e.body)
    k, ecx = e.tmp("k"), e.tmp("ecx")
    esi = e.tmp("esi") if esi0 else None
    edi = e.tmp("edi") if edi0 else None
    acc = e.tmp("acc") if op == "lods" else acc0
    a, b, stop = (e.tmp("a"), e.tmp("b"), e.tmp("stop")) if compares else (None, None, None)
    fin = e.emit(f"icmp eq i32 {ecx}, 0")
    if compares:
        fin = e.emit(f"or i1 {fin}, {stop}")
    e.line(f"br i1 {fin}, label %{done}, label %{chk}")
    e.start_block(chk)
    started = e.emit(f"icmp ne i32 {k}, 0")
    aligned = e.emit(f"icmp eq i32 {e.emit(f'and i32 {ecx}, {CHUNK - 1}')}, 0")
    e.line(f"br i1 {e.emit(f'and i1 {started}, {aligned}')}, label %{chunk_end}, label %{it}")
    e.start_block(chunk_end)
    budget = e._charge(1, e.body)
    more = e.emit(f"icmp sgt i64 {budget}, {e.insn_start.done}")    # the block's earlier instructions too
    mid = e.emit(f"icmp ne i32 {e.emit(f'and i32 {ecx}, {ITERATIONS_PER_RETURN - 1}')}, 0")
    e.line(f"br i1 {e.emit(f'and i1 {more}, {mid}')}, label %{it}, label %{chunk_exit}")
    e.start_block(it)
    n_esi, n_edi, loaded, n_a, n_b = _iteration(e, op, size, src_seg, step, esi, edi, acc,
                                                _loop_host(e, slow_exit), slow_exit)
    n_k = e.emit(f"add i32 {k}, 1", "k")
    n_ecx = e.emit(f"sub i32 {ecx}, 1", "ecx")
    if compares:
        eq = e.emit(f"icmp eq {t} {n_a}, {n_b}")
        # REPE stops when the elements differ, REPNE when they are equal.
        n_stop = eq if until == "eq" else e.emit(f"xor i1 {eq}, true")
    e.line(f"br label %{latch}")
    e.start_block(latch)
    e.line(f"br label %{head}")

    phis = [(k, "i32", "0", n_k), (ecx, "i32", ecx0, n_ecx)]
    if esi:
        phis.append((esi, "i32", esi0, n_esi))
    if edi:
        phis.append((edi, "i32", edi0, n_edi))
    if op == "lods":
        phis.append((acc, t, acc0, loaded))
    if compares:
        phis += [(a, t, "0", n_a), (b, t, "0", n_b), (stop, "i1", "false", n_stop)]
    e.body[phi_at:phi_at] = [f"  {name} = phi {ty} [ {v0}, %{pre} ], [ {v1}, %{latch} ]"
                             for name, ty, v0, v1 in phis]

    # The exits, with the state of the k completed iterations (head's phis dominate them).
    def partial_state(done_insns):
        regs = dict(e.insn_start.regs)
        dirty = set(e.insn_start.dirty) | {ECX}
        regs[ECX] = ecx
        for r, v in ((ESI, esi), (EDI, edi)):
            if v:
                regs[r] = v
                dirty.add(r)
        if op == "lods":
            regs[EAX] = _merge_low(e.tail, e, eax0, acc, size)
            dirty.add(EAX)
        fl = dict(e.insn_start.flags)
        if compares:
            res = e.tmp("res")
            e.tail.append(f"  {res} = sub {t} {a}, {b}")
            rec = Record(CC_SUB, size, a, b, res)
            fl.update({bit: rec for bit in ARITH_BITS})
        return Snapshot(regs, dirty, fl, done_insns, insn.address)

    e.tail.append(f"{chunk_exit}:")
    e._store_state(partial_state(e.insn_start.done), e.tail)     # the chunk end charged the REP
    e.tail.append(f"  ret i32 {EXIT_BUDGET}")

    e.tail.append(f"{slow_exit}:")
    if compares:
        # No iteration completed: the flags are still those before the instruction.
        first, later = e.label("rep.slow0"), e.label("rep.slowk")
        z = e.tmp("z")
        e.tail += [f"  {z} = icmp eq i32 {k}, 0", f"  br i1 {z}, label %{first}, label %{later}",
                   f"{first}:"]
        e._store_state(e.insn_start, e.tail)
        e.tail += [f"  ret i32 {EXIT_SLOW_MEM}", f"{later}:"]
    e._store_state(partial_state(e.insn_start.done), e.tail)
    e.tail.append(f"  ret i32 {EXIT_SLOW_MEM}")

    # The main chain continues after the loop.
    e.start_block(done)
    e.set_reg32(ECX, ecx)
    if esi:
        e.set_reg32(ESI, esi)
    if edi:
        e.set_reg32(EDI, edi)
    if op == "lods":
        e.set_reg(EAX, acc, size)
    if compares:
        # ECX = 0 at the start: no comparison, the flags are kept.
        e.record(CC_SUB, size, a, b, e.emit(f"sub {t} {a}, {b}", "res"))
        started = e.emit(f"icmp ne i32 {k}, 0")
        new_flags = {bit: e.flag(bit) for bit in ARITH_BITS}
        for bit in ARITH_BITS:
            e.set_flag(bit, e.emit(f"select i1 {started}, i1 {new_flags[bit]}, i1 {old_flags[bit]}", "f"))


def _merge_low(out, e, full, low, size):
    """Lines in `out` putting the `size`-byte `low` into the low bits of i32 `full`."""
    if size == 4:
        return low
    wide, kept, merged = e.tmp("w"), e.tmp("w"), e.tmp("w")
    keep = -0x100 if size == 1 else -0x10000
    out += [f"  {wide} = zext {TYPE[size]} {low} to i32", f"  {kept} = and i32 {full}, {keep}",
            f"  {merged} = or i32 {kept}, {wide}"]
    return merged
