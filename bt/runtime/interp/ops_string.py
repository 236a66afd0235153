"""String instructions: MOVS, STOS, LODS, CMPS, SCAS (b/w/d) with REP/REPE/REPNE (INS/OUTS are in
ops_system.py). Called by the interpreter core at decode time (the factories); the closures run hot.

SDM Vol. 2 "REP/REPE/REPNE": the source is seg:ESI (DS unless overridden), the destination ES:EDI
(never overridable); with a 16-bit address size (0x67) SI, DI and CX are used and the upper halves kept.
DF chooses the direction. A REP with count 0 does nothing (flags untouched).

Precise state: on a fault in iteration k, ESI/EDI/ECX (and CMPS/SCAS flags) reflect the k completed
iterations and EIP stays at the instruction, so the guest can restart it. A REP runs one chunk per call
(bt/runtime/rep_chunks.py: until ECX is a multiple of CHUNK, at most CHUNK iterations); if work remains
it ends the block and returns its own address as the next EIP, so the run loop regains control
(--max-insns / --timeout stay responsive). Each call counts as one instruction. F2 (REPNE) on
MOVS/STOS/LODS acts as REP, as on Intel CPUs.
"""
from bt.runtime import flags
from bt.runtime.flags import CC_SUB
from bt.runtime.interp.core import _SmcAbort as _EndBlock   # "stop the block here, continue at EIP"
from bt.runtime.interp.registry import handles
from bt.runtime.rep_chunks import chunk_iterations
from bt.runtime.state import EAX, ECX, ESI, EDI, ES, DF, W_EFLAGS

M32 = 0xFFFFFFFF
MASK = {1: 0xFF, 2: 0xFFFF, 4: M32}


def _common(x, insn):
    """Element size, address mask, kept upper bits, REP-ness, source segment (checked linear
    address of a source element: core.seg_linear)."""
    size = int(insn.name[-1:].translate(str.maketrans("bwd", "124")))
    amask = 0xFFFF if insn.addr_size == 2 else M32
    mems = [o for o in insn.operands if o.kind == "mem"]
    src_seg = next((o.seg for o in mems if o.base == ESI), 3)
    return size, amask, ~amask & M32, bool(insn.rep), x.seg_linear(src_seg, size, False)


def _more(x, insn):
    """Called when a chunk is done and work remains: resume this instruction next."""
    x.smc = False           # any code-write hit already invalidated blocks; we end the block anyway
    raise _EndBlock(insn.address)


@handles("movsb", "movsw", "movsd")
def movs(x, insn):
    if len(insn.operands) != 2 or insn.operands[1].kind != "mem":
        raise _not_string(insn)
    w = x.w
    size, amask, keep, rep, src = _common(x, insn)
    rd, wr = x.readers[size], x.writers[size]
    dst = x.seg_linear(ES, size, True)

    def op():
        n = (w[ECX] & amask) if rep else 1
        if not n:
            return None
        step = -size if w[W_EFLAGS] & DF else size
        si, di = w[ESI] & amask, w[EDI] & amask
        k = chunk_iterations(n)
        done = 0
        try:
            while done < k:
                v = rd(src(si))
                wr(dst(di), v)
                si = (si + step) & amask
                di = (di + step) & amask
                done += 1
        finally:
            w[ESI] = (w[ESI] & keep) | si
            w[EDI] = (w[EDI] & keep) | di
            if rep:
                w[ECX] = (w[ECX] & keep) | (n - done)
        if n > k:
            _more(x, insn)
    return op


@handles("stosb", "stosw", "stosd")
def stos(x, insn):
    w = x.w
    size, amask, keep, rep, _ = _common(x, insn)
    wr, vmask = x.writers[size], MASK[size]
    dst = x.seg_linear(ES, size, True)

    def op():
        n = (w[ECX] & amask) if rep else 1
        if not n:
            return None
        step = -size if w[W_EFLAGS] & DF else size
        v = w[EAX] & vmask
        di = w[EDI] & amask
        k = chunk_iterations(n)
        done = 0
        try:
            while done < k:
                wr(dst(di), v)
                di = (di + step) & amask
                done += 1
        finally:
            w[EDI] = (w[EDI] & keep) | di
            if rep:
                w[ECX] = (w[ECX] & keep) | (n - done)
        if n > k:
            _more(x, insn)
    return op


@handles("lodsb", "lodsw", "lodsd")
def lods(x, insn):
    w = x.w
    size, amask, keep, rep, src = _common(x, insn)
    rd = x.readers[size]
    akeep = ~MASK[size] & M32

    def op():
        n = (w[ECX] & amask) if rep else 1
        if not n:
            return None
        step = -size if w[W_EFLAGS] & DF else size
        si = w[ESI] & amask
        k = chunk_iterations(n)
        done = 0
        try:
            while done < k:
                v = rd(src(si))
                w[EAX] = (w[EAX] & akeep) | v
                si = (si + step) & amask
                done += 1
        finally:
            w[ESI] = (w[ESI] & keep) | si
            if rep:
                w[ECX] = (w[ECX] & keep) | (n - done)
        if n > k:
            _more(x, insn)
    return op


@handles("cmpsb", "cmpsw", "cmpsd")
def cmps(x, insn):
    if len(insn.operands) != 2 or insn.operands[1].kind != "mem":
        raise _not_string(insn)
    w = x.w
    size, amask, keep, rep, src = _common(x, insn)
    rd, vmask, cc = x.readers[size], MASK[size], CC_SUB | size
    dst = x.seg_linear(ES, size, False)
    record = flags.record
    # REPE continues while equal, REPNE while not equal.
    stop_on_equal = insn.rep == "repne"

    def op():
        n = (w[ECX] & amask) if rep else 1
        if not n:
            return None
        step = -size if w[W_EFLAGS] & DF else size
        si, di = w[ESI] & amask, w[EDI] & amask
        k = chunk_iterations(n)
        done = 0
        a = b = 0
        try:
            while done < k:
                va = rd(src(si))
                a, b = va, rd(dst(di))
                si = (si + step) & amask
                di = (di + step) & amask
                done += 1
                if (a == b) == stop_on_equal:
                    break
        finally:
            w[ESI] = (w[ESI] & keep) | si
            w[EDI] = (w[EDI] & keep) | di
            if rep:
                w[ECX] = (w[ECX] & keep) | (n - done)
            if done:
                record(w, cc, a, b, (a - b) & vmask)
        if done == k and n > k and (a == b) != stop_on_equal:
            _more(x, insn)
    return op


@handles("scasb", "scasw", "scasd")
def scas(x, insn):
    w = x.w
    size, amask, keep, rep, _ = _common(x, insn)
    rd, vmask, cc = x.readers[size], MASK[size], CC_SUB | size
    dst = x.seg_linear(ES, size, False)
    record = flags.record
    stop_on_equal = insn.rep == "repne"

    def op():
        n = (w[ECX] & amask) if rep else 1
        if not n:
            return None
        step = -size if w[W_EFLAGS] & DF else size
        a = w[EAX] & vmask
        di = w[EDI] & amask
        k = chunk_iterations(n)
        done = 0
        b = 0
        try:
            while done < k:
                b = rd(dst(di))
                di = (di + step) & amask
                done += 1
                if (a == b) == stop_on_equal:
                    break
        finally:
            w[EDI] = (w[EDI] & keep) | di
            if rep:
                w[ECX] = (w[ECX] & keep) | (n - done)
            if done:
                record(w, cc, a, b, (a - b) & vmask)
        if done == k and n > k and (a == b) != stop_on_equal:
            _more(x, insn)
    return op


def _not_string(insn):
    from bt.runtime.events import GuestFault, UD
    return GuestFault(UD, detail=f"{insn.text!r}: SSE form, not a string instruction")

