"""Protected-mode segment loads for the reference interpreter (SDM Vol. 3, 5.5-5.8; Vol. 2 MOV, POP,
LDS/LES/LFS/LGS/LSS, JMP/CALL/RET far). Cold: runs on segment-register loads and far transfers only.
"""
from bt.runtime.descriptors import Descriptor
from bt.runtime.events import GuestFault, GP, NP, SS as SS_FAULT
from bt.runtime.state import CS, SS, W_CPL


def descriptor_address(x, selector):
    """Linear address of the descriptor `selector` names, or #GP(selector) if outside its table."""
    cpu = x.state.cpu
    if selector & 4:
        base, limit = cpu.ldtr.base, cpu.ldtr.limit
        if not (cpu.ldtr.attrs & 0x80):          # no LDT loaded
            raise GuestFault(GP, selector & 0xFFFC, "selector names the LDT but none is loaded")
    else:
        base, limit = cpu.gdtr_base, cpu.gdtr_limit
    index = selector & 0xFFF8
    if index + 7 > limit:
        raise GuestFault(GP, selector & 0xFFFC, f"selector {selector:#06x} outside its descriptor table")
    return (base + index) & 0xFFFFFFFF


def read_descriptor(x, selector):
    addr = descriptor_address(x, selector)
    return Descriptor(x.sys_rd32(addr) | (x.sys_rd32((addr + 4) & 0xFFFFFFFF) << 32)), addr


def set_accessed(x, desc, addr):
    if not desc.raw & (1 << 40):
        x.sys_wr8((addr + 5) & 0xFFFFFFFF, (desc.raw >> 40 & 0xFF) | 1)


def write_cache(x, sreg, selector, desc):
    seg = x.state.cpu.seg[sreg]
    seg.selector = selector
    if desc is None:                 # null selector: unusable until reloaded
        seg.base, seg.limit, seg.attrs = 0, 0, 0
    else:
        seg.base, seg.limit, seg.attrs = desc.base, desc.limit, desc.with_accessed().attrs
    if sreg == CS:
        x.flush()


def load_data_segment(x, sreg, selector):
    """MOV/POP/Lxx to DS, ES, FS, GS or SS with the SDM's checks."""
    cpl = x.w[W_CPL]
    rpl = selector & 3
    if selector & 0xFFFC == 0:
        if sreg == SS:
            raise GuestFault(GP, 0, "null selector loaded into SS")
        write_cache(x, sreg, selector, None)
        return
    desc, addr = read_descriptor(x, selector)
    err = selector & 0xFFFC
    if sreg == SS:
        if rpl != cpl or desc.dpl != cpl or not desc.writable:
            raise GuestFault(GP, err, "SS must be a writable data segment at CPL")
        if not desc.present:
            raise GuestFault(SS_FAULT, err, "stack segment not present")
    else:
        if desc.is_system or not desc.readable:
            raise GuestFault(GP, err, "segment is not a readable data or code segment")
        if (desc.is_data or not desc.conforming) and desc.dpl < max(cpl, rpl):
            raise GuestFault(GP, err, "segment DPL below CPL/RPL")
        if not desc.present:
            raise GuestFault(NP, err, "segment not present")
    set_accessed(x, desc, addr)
    write_cache(x, sreg, selector, desc)


def load_code_segment(x, selector, offset):
    """Far JMP/CALL/RET to a code segment at the same privilege level (gates and tasks come with the
    system issue). Returns the new EIP."""
    cpl = x.w[W_CPL]
    if selector & 0xFFFC == 0:
        raise GuestFault(GP, 0, "far transfer to a null selector")
    desc, addr = read_descriptor(x, selector)
    err = selector & 0xFFFC
    if desc.is_system:
        raise GuestFault(GP, err, "far transfers through gates or TSS are not supported yet")
    if not desc.is_code:
        raise GuestFault(GP, err, "far transfer target is not a code segment")
    if desc.conforming:
        if desc.dpl > cpl:
            raise GuestFault(GP, err, "conforming code segment DPL above CPL")
    elif (selector & 3) > cpl or desc.dpl != cpl:
        raise GuestFault(GP, err, "non-conforming code segment with DPL != CPL")
    if not desc.present:
        raise GuestFault(NP, err, "code segment not present")
    if offset > desc.limit:
        raise GuestFault(GP, 0, "far transfer offset beyond the code segment limit")
    set_accessed(x, desc, addr)
    write_cache(x, CS, (selector & 0xFFFC) | cpl, desc)
    return offset
