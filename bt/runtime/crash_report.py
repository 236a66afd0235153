"""What a user needs when btvm itself fails during a run: the guest EIP, the registers and the block
being executed, disassembled, with the instruction at EIP marked.

Called by bt/runtime/machine.py when an engine raises an internal error (cold, once). Must never
raise: whatever it cannot find is left out with a note.
"""
from bt.frontend.decoder import DecodeError, Decoder, MAX_INSN_LEN
from bt.runtime.regdump import register_dump
from bt.runtime.state import CS

LISTING_INSNS = 12


def _block_start(machine, pa):
    """Start of the longest decoded block (interpreter or JIT, from the code tracker) that covers or
    ends at physical address `pa` (a callout ends a JIT block just before it), else `pa` itself."""
    tracker = getattr(machine, "code", None)
    regions = tracker.pages.get(pa >> 12, ()) if tracker is not None else ()
    starts = [r.lo for r in regions if r.lo <= pa <= r.hi]
    return min(starts, default=pa)


def block_listing(machine, eip):
    cs_base = machine.state.cpu.seg[CS].base
    decoder = Decoder()
    addr = (_block_start(machine, (cs_base + eip) & 0xFFFFFFFF) - cs_base) & 0xFFFFFFFF
    if addr != eip:
        lines = [f"block at {addr:#010x}:"]
    else:
        lines = [f"code at {eip:#010x}:"]
    for _ in range(LISTING_INSNS):
        code = machine.mem.read((cs_base + addr) & 0xFFFFFFFF, MAX_INSN_LEN)
        mark = "=>" if addr == eip else "  "
        try:
            insn = decoder.decode(code, addr)
        except DecodeError:
            lines.append(f"{mark} {addr:08x}  {code[:8].hex(' ')}  (undecodable)")
            break
        lines.append(f"{mark} {addr:08x}  {code[:insn.size].hex(' '):<24} {insn.text}")
        if addr < eip < insn.next_address:
            lines.append(f"   (eip {eip:#010x} is inside this instruction)")
        addr = insn.next_address
        if addr > eip and len(lines) > 4 and addr - eip > 32:
            break
    return "\n".join(lines)


def internal_error_report(machine):
    """Register dump and the block being executed, as text ("" parts are skipped on failure)."""
    parts = []
    for make in (lambda: register_dump(machine.state),
                 lambda: block_listing(machine, machine.state.cpu.eip)):
        try:
            parts.append(make())
        except Exception as e:      # never let the report hide the error
            parts.append(f"(report incomplete: {type(e).__name__}: {e})")
    return "\n".join(parts)
