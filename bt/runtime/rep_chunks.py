"""How a REP string instruction counts against the instruction budget (--max-insns, --icount time).
Both engines follow this rule, so that a limit reached in the middle of a long REP leaves the same
state on both: the interpreter's handlers (bt/runtime/interp/ops_string.py, hot) and the JIT's REP
loops (bt/backend/lower_string.py, at translation time).

A REP runs in chunks, and each chunk counts as one instruction. A chunk starts where the REP is reached
with work left and ends when ECX (CX with a 16-bit address size) reaches 0 or a multiple of CHUNK, or
when its condition stops it (REPE/REPNE), or at a fault (precise, with EIP at the REP: the instruction
was not completed and is counted when the fault is delivered). After a chunk the interpreter looks at
limits, deadlines and interrupts, and fetches the instruction again (a REP that overwrote its own bytes
runs the new bytes from the next chunk). The JIT's native loop charges each chunk to its budget and goes
on while the budget lasts, which is the same: the budget ends before any limit or interrupt, and a
store into code leaves native code for the interpreter.

Chunks end at values of ECX, not after a number of iterations since the chunk began: an engine may
split a chunk (the JIT's native loop leaves for its interpreter at a slow memory access) and the other
part still ends where the other engine's chunk ends, and counts it once. A REP with count n counts
ceil(n / CHUNK) instructions. QEMU counts every iteration (its TCG code runs one iteration per
execution of the instruction); btvm does not, to keep a REP cheap against the budget checks.
"""
CHUNK = 4096


def chunk_iterations(n):
    """Iterations of the chunk starting with count n > 0 (fewer if its condition stops it)."""
    return ((n - 1) & (CHUNK - 1)) + 1
