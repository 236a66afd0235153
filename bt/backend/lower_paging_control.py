"""Native VMM callouts for paging control at CPL 0: MOV r32, CRn and INVLPG (SDM Vol. 2 "MOV—Move
to/from Control Registers", "INVLPG"). A guest's page-fault handler reads CR2 on every fault and a
kernel that unmaps a page runs INVLPG, so both stay in native code:
- MOV from CR0, CR2, CR3 or CR4 reads the CpuState's control registers, which the interpreter's MOV
  to CRn and the page walks keep (CR2 is set by every #PF, native or not). Other CRs: the interpreter
  raises #UD.
- INVLPG has nothing to invalidate: no cached mapping is ever stale, since a store into a page table
  drops what it changes at once (bt/backend/pt_store_ir.py natively, Mmu.flush in Python), as
  bt/runtime/paging.py describes. It only ends the block, as the table says.
At CPL > 0 both leave to the interpreter, which raises #GP. Cold (translation time).
"""
from bt.backend.lower_flags_virt import at_cpl0
from bt.backend.lowering import Unsupported, lowers
from bt.runtime.state import offset_of

READABLE_CRS = (0, 2, 3, 4)


@lowers("mov-from-cr", native=True)
def mov_from_cr(e, insn):
    dst, src = insn.operands
    if src.reg not in READABLE_CRS:
        raise Unsupported(f"CR{src.reg} does not exist: the interpreter raises #UD")
    at_cpl0(e)
    e.set_reg32(dst.reg, e.emit(f"load i32, ptr {e.st_ptr(offset_of('cr') + 4 * src.reg)}", "cr"))


@lowers("invlpg", native=True)
def invlpg(e, insn):
    at_cpl0(e)
