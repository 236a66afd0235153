"""Data movement handlers (MOV, MOVZX/MOVSX, LEA, XCHG, PUSH/POP, ...). Factories run at decode time;
the closures they return are the interpreter's hot path. SDM Vol. 2 is the spec for each."""
from bt.frontend.decoder import REG, MEM
from bt.runtime.interp.registry import handles


@handles("mov")
def mov(x, insn):
    dst, src = insn.operands
    if dst.kind not in (REG, MEM) or src.kind not in (REG, MEM, "imm"):
        from bt.runtime.interp.ops_system import mov_special
        return mov_special(x, insn)
    get, put = x.reader(src, dst.size), x.writer(dst)

    def op():
        put(get())
    return op
