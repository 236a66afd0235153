"""THE instruction table: one row per integer instruction, the facts both engines share.

Read by the interpreter (which handlers exist), the JIT frontend (block ends, sensitive instructions,
flag liveness), the differential tests (undefined flags to mask) and `btvm table`. Cold: parsed once
at import.

Legend (flags: C P A Z S O D I T; "-" for none):
  reads      flags the instruction reads
  writes     flags it may write (a superset: e.g. a shift by 0 writes none)
  undefined  flags the SDM leaves undefined after it (a test must mask them)
  attrs      end   - always ends a translation block (control transfer or mode change)
             sens  - sensitive: the JIT turns it into a VMM callout (privileged, or one of the
                     sensitive-but-unprivileged instructions of Robin & Irvine)
             priv  - privileged: #GP(0) unless CPL 0
             io    - port I/O: allowed only when CPL <= IOPL (or by the TSS bitmap)
             nojit - the JIT has no native lowering (may change as the backend grows)
x87: only WAIT and FNOP (#NM from CR0.EM/MP/TS, else no-ops: bt/runtime/interp/ops_x87.py); they are
sensitive because CR0 decides what they do. Other x87 instructions are not rows: #NM or #UD (no x87 yet).
Some facts depend on the operands (MOV to a segment or control register is sensitive and ends the
block; PUSH/POP of a segment register is sensitive); `ends_block` and `is_sensitive` add those.
The row facts come from the Intel SDM, Vol. 2 (the "Flags Affected" section of each instruction).
"""
from dataclasses import dataclass

from bt.frontend.decoder import SREG, CREG, DREG, MEM

_ROWS = """
# name       reads    writes   undefined  attrs
mov          -        -        -          -
movzx        -        -        -          -
movsx        -        -        -          -
lea          -        -        -          -
xchg         -        -        -          -
push         -        -        -          -
pop          -        -        -          -
pushal       -        -        -          -
pushaw       -        -        -          -
popal        -        -        -          -
popaw        -        -        -          -
enter        -        -        -          -
leave        -        -        -          -
cbw          -        -        -          -
cwde         -        -        -          -
cwd          -        -        -          -
cdq          -        -        -          -
xlatb        -        -        -          -
bswap        -        -        -          -
lahf         CPAZS    -        -          -
sahf         -        CPAZS    -          -
add          -        CPAZSO   -          -
adc          C        CPAZSO   -          -
sub          -        CPAZSO   -          -
sbb          C        CPAZSO   -          -
cmp          -        CPAZSO   -          -
neg          -        CPAZSO   -          -
inc          -        PAZSO    -          -
dec          -        PAZSO    -          -
and          -        CPAZSO   A          -
or           -        CPAZSO   A          -
xor          -        CPAZSO   A          -
test         -        CPAZSO   A          -
not          -        -        -          -
shl          -        CPAZSO   AO         -
sal          -        CPAZSO   AO         -
shr          -        CPAZSO   AO         -
sar          -        CPAZSO   AO         -
rol          -        CO       O          -
ror          -        CO       O          -
rcl          C        CO       O          -
rcr          C        CO       O          -
shld         -        CPAZSO   AO         -
shrd         -        CPAZSO   AO         -
mul          -        CPAZSO   PAZS       -
imul         -        CPAZSO   PAZS       -
div          -        CPAZSO   CPAZSO     -
idiv         -        CPAZSO   CPAZSO     -
bt           -        CPASO    PASO       -
bts          -        CPASO    PASO       -
btr          -        CPASO    PASO       -
btc          -        CPASO    PASO       -
bsf          -        CPAZSO   CPASO      -
bsr          -        CPAZSO   CPASO      -
daa          CA       CPAZSO   O          -
das          CA       CPAZSO   O          -
aaa          A        CPAZSO   PZSO       -
aas          A        CPAZSO   PZSO       -
aam          -        CPAZSO   CAO        -
aad          -        CPAZSO   CAO        -
salc         C        -        -          -
xadd         -        CPAZSO   -          -
cmpxchg      -        CPAZSO   -          -
cmpxchg8b    -        Z        -          -
clc          -        C        -          -
stc          -        C        -          -
cmc          C        C        -          -
cld          -        D        -          -
std          -        D        -          -
seto         O        -        -          -
setno        O        -        -          -
setb         C        -        -          -
setae        C        -        -          -
sete         Z        -        -          -
setne        Z        -        -          -
setbe        CZ       -        -          -
seta         CZ       -        -          -
sets         S        -        -          -
setns        S        -        -          -
setp         P        -        -          -
setnp        P        -        -          -
setl         SO       -        -          -
setge        SO       -        -          -
setle        ZSO      -        -          -
setg         ZSO      -        -          -
cmovo        O        -        -          -
cmovno       O        -        -          -
cmovb        C        -        -          -
cmovae       C        -        -          -
cmove        Z        -        -          -
cmovne       Z        -        -          -
cmovbe       CZ       -        -          -
cmova        CZ       -        -          -
cmovs        S        -        -          -
cmovns       S        -        -          -
cmovp        P        -        -          -
cmovnp       P        -        -          -
cmovl        SO       -        -          -
cmovge       SO       -        -          -
cmovle       ZSO      -        -          -
cmovg        ZSO      -        -          -
jo           O        -        -          end
jno          O        -        -          end
jb           C        -        -          end
jae          C        -        -          end
je           Z        -        -          end
jne          Z        -        -          end
jbe          CZ       -        -          end
ja           CZ       -        -          end
js           S        -        -          end
jns          S        -        -          end
jp           P        -        -          end
jnp          P        -        -          end
jl           SO       -        -          end
jge          SO       -        -          end
jle          ZSO      -        -          end
jg           ZSO      -        -          end
jcxz         -        -        -          end
jecxz        -        -        -          end
loop         -        -        -          end
loope        Z        -        -          end
loopne       Z        -        -          end
jmp          -        -        -          end
call         -        -        -          end
ret          -        -        -          end
movsb        D        -        -          -
movsw        D        -        -          -
movsd        D        -        -          -
stosb        D        -        -          -
stosw        D        -        -          -
stosd        D        -        -          -
lodsb        D        -        -          -
lodsw        D        -        -          -
lodsd        D        -        -          -
cmpsb        D        CPAZSO   -          -
cmpsw        D        CPAZSO   -          -
cmpsd        D        CPAZSO   -          -
scasb        D        CPAZSO   -          -
scasw        D        CPAZSO   -          -
scasd        D        CPAZSO   -          -
cpuid        -        -        -          -
rdtsc        -        -        -          -
nop          -        -        -          -
pause        -        -        -          -
endbr32      -        -        -          -
prefetchnta  -        -        -          -
prefetcht0   -        -        -          -
prefetcht1   -        -        -          -
prefetcht2   -        -        -          -
wait         -        -        -          sens
fnop         -        -        -          sens
ud2          -        -        -          end
ud0          -        -        -          end
bound        -        -        -          -
into         O        TI       -          end,sens
int3         -        TI       -          end,sens
int1         -        TI       -          end,sens
int          -        TI       -          end,sens
iretd        -        CPAZSODIT -         end,sens
iret         -        CPAZSODIT -         end,sens
ljmp         -        -        -          end,sens
lcall        -        -        -          end,sens
retf         -        -        -          end,sens
hlt          -        -        -          end,sens,priv
cli          -        I        -          sens
sti          -        I        -          end,sens
pushfd       CPAZSODIT -       -          sens
pushf        CPAZSODIT -       -          sens
popfd        -        CPAZSODIT -         end,sens
popf         -        CPAZSODIT -         end,sens
in           -        -        -          sens,io
out          -        -        -          sens,io
insb         D        -        -          sens,io
insw         D        -        -          sens,io
insd         D        -        -          sens,io
outsb        D        -        -          sens,io
outsw        D        -        -          sens,io
outsd        D        -        -          sens,io
lds          -        -        -          end,sens
les          -        -        -          end,sens
lfs          -        -        -          end,sens
lgs          -        -        -          end,sens
lss          -        -        -          end,sens
lgdt         -        -        -          end,sens,priv
lidt         -        -        -          end,sens,priv
lldt         -        -        -          end,sens,priv
ltr          -        -        -          end,sens,priv
lmsw         -        -        -          end,sens,priv
clts         -        -        -          end,sens,priv
invd         -        -        -          sens,priv
wbinvd       -        -        -          sens,priv
invlpg       -        -        -          end,sens,priv
rdmsr        -        -        -          sens,priv
wrmsr        -        -        -          end,sens,priv
sgdt         -        -        -          sens
sidt         -        -        -          sens
sldt         -        -        -          sens
str          -        -        -          sens
smsw         -        -        -          sens
lar          -        Z        -          sens
lsl          -        Z        -          sens
verr         -        Z        -          sens
verw         -        Z        -          sens
arpl         -        Z        -          -
"""

_FLAG_BITS = {"C": 0x1, "P": 0x4, "A": 0x10, "Z": 0x40, "S": 0x80, "T": 0x100, "I": 0x200, "D": 0x400,
              "O": 0x800}
# Condition codes in x86 encoding order (the low nibble of Jcc/SETcc/CMOVcc opcodes).
CONDITIONS = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")


@dataclass(frozen=True, slots=True)
class InsnInfo:
    name: str
    reads: int          # EFLAGS mask
    writes: int
    undefined: int
    ends_block: bool
    sensitive: bool
    privileged: bool
    io: bool


def _mask(field):
    return 0 if field == "-" else sum(_FLAG_BITS[c] for c in field)


def _parse(text):
    table = {}
    for line in text.strip().splitlines():
        if line.startswith("#"):
            continue
        name, reads, writes, undefined, attrs = line.split()
        attrs = set(attrs.split(",")) - {"-"}
        assert name not in table, name
        table[name] = InsnInfo(name, _mask(reads), _mask(writes), _mask(undefined),
                               "end" in attrs, "sens" in attrs, "priv" in attrs, "io" in attrs)
    return table


TABLE = _parse(_ROWS)


def info(name):
    """The row for a capstone instruction name, or None if the instruction is not in the ISA we run."""
    return TABLE.get(name)


def condition_of(name):
    """The condition-code number (0..15) of a Jcc/SETcc/CMOVcc name, else None."""
    for prefix in ("j", "set", "cmov"):
        if name.startswith(prefix) and name[len(prefix):] in CONDITIONS:
            return CONDITIONS.index(name[len(prefix):])
    return None


def is_sensitive(insn):
    row = TABLE.get(insn.name)
    if row is not None and row.sensitive:
        return True
    # Segment, control and debug register moves and segment pushes/pops are sensitive by operand.
    return insn.name in ("mov", "push", "pop") and any(op.kind in (SREG, CREG, DREG) for op in insn.operands)


def ends_block(insn):
    row = TABLE.get(insn.name)
    if row is not None and row.ends_block:
        return True
    # Loading a segment or control register changes what translations assume (bases, CPL, paging).
    if insn.name in ("mov", "pop") and insn.operands and insn.operands[0].kind in (SREG, CREG, DREG):
        return True
    return False


def writes_memory(insn):
    """Whether the instruction may store to guest memory (used for self-modifying-code checks)."""
    if insn.name in ("push", "pushal", "pushaw", "pushfd", "pushf", "call", "enter", "int", "int3",
                     "into", "int1", "lcall", "sgdt", "sidt", "cmpxchg8b") or insn.name.startswith(
                     ("movs", "stos", "ins")):
        return True
    if insn.name in ("xchg", "xadd", "cmpxchg"):
        return any(op.kind == MEM for op in insn.operands)
    return bool(insn.operands) and insn.operands[0].kind == MEM and insn.name not in (
        "cmp", "test", "bt", "lgdt", "lidt", "lldt", "ltr", "lmsw", "invlpg", "verr", "verw",
        "jmp", "ljmp", "prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2", "nop", "push")
