"""The JIT's lowerings of string instructions (bt/backend/lower_string.py), PUSHA/POPA ENTER LEAVE
(lower_stack.py), XADD CMPXCHG CMPXCHG8B (lower_exchange.py), POP m and XLATB (lower_move.py) and the
16-bit near transfers (lower_control.py) against the reference interpreter and Unicorn.

Seeded random states: registers, DF, the data window and, for the string forms, ESI/EDI/ECX placed so
that REPE/REPNE stop early, counts are 0, 1 or a few hundred, and sources and destinations overlap.
Compared: EAX..EDI, EIP, EFLAGS minus the table's undefined flags, the data window (which holds the
stack). Every form must run natively (no "fallback" callout) and, inside RAM, without slow exits.
Then the REP loop's exits: a mid-REP slow exit (an element straddling a page, a store into a page
holding code) must leave the state of the completed iterations at the REP for the interpreter, and a
count above ITERATIONS_PER_RETURN must come back to Python on the way; a REP inside a hot self-loop block.
"""
import random

import pytest
from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32
from unicorn import x86_const as U

from bt.backend.lower_string import ITERATIONS_PER_RETURN
from bt.runtime import flags
from bt.runtime.events import GuestHalt
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit
from bt.runtime.state import REG_NAMES, W_EIP, W_EFLAGS, W_CC_OP, ARITH_FLAGS, DF
from cpu_harness import BareMachine
from interp_uc import undefined_mask

MEM_SIZE = 1 << 20
DATA, DATA_END = 0x4000, 0xC800      # compared; the stack is in it too
CODE0, SLOT = 0xC800, 64             # code below 64 KiB: 16-bit transfers truncate EIP
HLT = b"\xf4"
EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI = range(8)
UC_REGS = [getattr(U, "UC_X86_REG_" + n.upper()) for n in REG_NAMES]


class Engines:
    """One JIT, one interpreter and one Unicorn, each with every snippet at its own code slot."""

    def __init__(self, **jit_args):
        self.jm, self.im = BareMachine(MEM_SIZE), BareMachine(MEM_SIZE)
        self.jit = Jit(self.jm, **jit_args)
        self.interp = Interpreter(self.im)
        self.uc = Uc(UC_ARCH_X86, UC_MODE_32)
        self.uc.mem_map(0, MEM_SIZE)
        self.slots = {}

    def place(self, code):
        if code not in self.slots:
            addr = CODE0 + SLOT * len(self.slots)
            assert len(code) + 1 <= SLOT and addr + SLOT <= 0x10000
            for write in (self.jm.mem.write, self.im.mem.write, self.uc.mem_write):
                write(addr, code + HLT)
            self.slots[code] = addr
        return self.slots[code]

    @staticmethod
    def _run(m, engine, addr, regs, eflags, data):
        w = m.state.w
        for i, v in enumerate(regs):
            w[i] = v
        w[W_EFLAGS], w[W_CC_OP], w[W_EIP] = eflags, flags.CC_EFLAGS, addr
        m.mem.write(DATA, data)
        try:
            engine.run()
        except GuestHalt:
            pass
        return [w[i] for i in range(8)], w[W_EIP], flags.materialize(w), bytes(m.mem.read(DATA, DATA_END - DATA))

    def run_jit(self, addr, regs, eflags, data):
        return self._run(self.jm, self.jit, addr, regs, eflags, data)

    def run_interp(self, addr, regs, eflags, data):
        return self._run(self.im, self.interp, addr, regs, eflags, data)

    def run_unicorn(self, addr, end, regs, eflags, data):
        uc = self.uc
        uc.mem_write(DATA, data)
        for r, v in zip(UC_REGS, regs):
            uc.reg_write(r, v)
        uc.reg_write(U.UC_X86_REG_EFLAGS, eflags)
        try:
            uc.emu_start(addr, end)
        except UcError as e:        # pragma: no cover - reported by the comparison
            return None, str(e), 0, b""
        # The other engines stop after the HLT at `end`.
        return ([uc.reg_read(r) for r in UC_REGS], uc.reg_read(U.UC_X86_REG_EIP) + 1,
                uc.reg_read(U.UC_X86_REG_EFLAGS), bytes(uc.mem_read(DATA, DATA_END - DATA)))


_ENGINES = {}


def engines(**jit_args):
    key = tuple(sorted(jit_args.items()))
    if key not in _ENGINES:
        _ENGINES[key] = Engines(**jit_args)
    return _ENGINES[key]


def compare(label, got, want, code, regs):
    keep = (ARITH_FLAGS | DF) & ~undefined_mask(code)
    bad = [f"{REG_NAMES[i]} {g:#x} != {w:#x}" for i, (g, w) in enumerate(zip(got[0], want[0])) if g != w]
    if got[1] != want[1]:
        bad.append(f"eip {got[1]:#x} != {want[1]!r}")
    if got[2] & keep != want[2] & keep:
        bad.append(f"eflags {got[2]:#x} != {want[2]:#x}")
    if got[3] != want[3]:
        at = next(k for k in range(len(got[3])) if got[3][k] != want[3][k])
        bad.append(f"memory differs first at {DATA + at:#x}")
    assert not bad, f"{label}: {code.hex()} regs={[hex(r) for r in regs]}: " + "; ".join(bad)


def check(code, regs, eflags, data, eng=None, unicorn=True, fast=True):
    """Run `code` + HLT on all engines from one state; the JIT must not fall back or leave its fast
    path (unless `fast` is False)."""
    eng = eng or engines()
    addr = eng.place(code)
    stats = eng.jit.stats
    before = (stats.callouts.get("fallback", 0), stats.slow_memory)
    got = eng.run_jit(addr, regs, eflags, data)
    assert stats.callouts.get("fallback", 0) == before[0], f"{code.hex()} was not lowered"
    if fast:
        assert stats.slow_memory == before[1], f"{code.hex()} left the fast path"
    compare("jit vs interp", got, eng.run_interp(addr, regs, eflags, data), code, regs)
    if unicorn:
        compare("jit vs unicorn", got, eng.run_unicorn(addr, addr + len(code), regs, eflags, data), code, regs)
    return got


# ---- string instructions -------------------------------------------------------------------------

STRING_OPS = ["a4", "a5", "66a5", "aa", "ab", "66ab", "ac", "ad", "66ad",
              "a6", "a7", "66a7", "ae", "af", "66af"]
STRING_FORMS = [p + op for op in STRING_OPS for p in ("", "f3", "f2")] + ["26a5", "f364a4", "f326a7", "f2f3ae"]


def string_state(rng, code):
    data = bytearray(rng.randbytes(DATA_END - DATA))
    size = 1 if not code[-1] & 1 else 2 if b"\x66" in code else 4
    esi = rng.randrange(0x4400, 0x7C00) & -size
    edi = rng.choice((rng.randrange(0x8400, 0xB000), esi + rng.choice((-8, -4, -2, -1, 1, 2, 3, 4, 8))))
    n = rng.choice((0, 1, 2, 3, 7, rng.randrange(8, 300)))
    # Equal runs for REPE/REPNE: the destination copies a prefix of the source, element by element
    # or at random places; the accumulator equals an element at some position.
    if rng.random() < 0.7:
        run = rng.randrange(0, 40) * size
        data[edi - DATA:edi - DATA + run] = data[esi - DATA:esi - DATA + run]
    eax = rng.getrandbits(32)
    if rng.random() < 0.5:
        at = edi + size * rng.randrange(0, 12)
        eax = (eax & ~((1 << 8 * size) - 1)) | int.from_bytes(data[at - DATA:at - DATA + size], "little")
    regs = [eax, n, rng.getrandbits(32), 0x5000,
            0xC000, rng.getrandbits(32), esi, edi]
    eflags = 0x2 | (rng.getrandbits(12) & ARITH_FLAGS) | (DF if rng.random() < 0.4 else 0)
    if eflags & DF:
        # Going down: start near the top of the areas.
        regs[ESI] += 0x300
        regs[EDI] += 0x300
    return regs, eflags, bytes(data)


@pytest.mark.parametrize("form", STRING_FORMS)
def test_string_forms(form):
    rng = random.Random(form)
    code = bytes.fromhex(form)
    for prefix in (b"", bytes.fromhex("39fe")):     # flags at block entry, or from a CMP record
        for _ in range(16):
            regs, eflags, data = string_state(rng, code)
            size = 1 if not code[-1] & 1 else 2 if b"\x66" in code else 4
            # A misaligned element may straddle a page: that iteration leaves the fast path.
            aligned = regs[ESI] % size == 0 and regs[EDI] % size == 0
            # Unicorn does not let the last of F2/F3 win (the interpreter and the JIT do, as on P6).
            both = code.startswith(b"\xf2\xf3")
            check(prefix + code, regs, eflags, data, fast=aligned, unicorn=not both)


def test_rep_count_zero_keeps_everything():
    data = bytes(DATA_END - DATA)
    for form in ("f3a4", "f3ab", "f3ad", "f3a6", "f2a7", "f3ae", "f2af"):
        for eflags in (0x2, 0x2 | 0x8D5, 0x2 | DF | 0x41):
            got = check(bytes.fromhex(form), [1, 0, 2, 3, 0xC000, 5, 0x5000, 0x6000], eflags, data)
            assert got[0][ESI] in (0x5000,) and got[0][EDI] == 0x6000 and got[2] & 0x8D5 == eflags & 0x8D5


def test_repe_stops_early():
    data = bytearray(DATA_END - DATA)
    data[0x1000:0x1100] = bytes(range(256))
    data[0x2000:0x2100] = bytes(range(256))
    data[0x2042] = 0xFF                     # first difference at index 0x42
    got = check(bytes.fromhex("f3a6"), [0, 0x100, 0, 0, 0xC000, 0, 0x5000, 0x6000], 0x2, bytes(data))
    assert got[0][ECX] == 0x100 - 0x43 and got[0][ESI] == 0x5043
    got = check(bytes.fromhex("f2ae"), [0x37, 0x100, 0, 0, 0xC000, 0, 0, 0x6000], 0x2, bytes(data))
    assert got[0][EDI] == 0x6038 and got[2] & 0x40       # REPNE SCASB found 0x37, ZF=1


def test_overlapping_movs():
    rng = random.Random(7)
    data = rng.randbytes(DATA_END - DATA)
    for form, esi, edi, n, eflags in (("f3a4", 0x5000, 0x5001, 0x80, 0x2), ("f3a5", 0x5000, 0x5002, 0x40, 0x2),
                                      ("f3a4", 0x5080, 0x507F, 0x80, 0x2 | DF),
                                      ("f3a5", 0x5100, 0x5103, 0x40, 0x2 | DF)):
        check(bytes.fromhex(form), [0, n, 0, 0, 0xC000, 0, esi, edi], eflags, data)


class _FirstSlowExit:
    """Records the guest registers and EIP when the JIT first hands an instruction to the interpreter
    because of a slow memory access."""

    def __init__(self, jit):
        self.jit, self.step, self.seen = jit, jit._step, None
        jit._step = self

    def __call__(self):
        if self.seen is None:
            w = self.jit.w
            self.seen = [w[i] for i in range(8)], w[W_EIP]
        return self.step()

    def close(self):
        self.jit._step = self.step


@pytest.mark.parametrize("form,esi,edi,n,eflags,k", [
    ("f3a5", 0x5000, 0x7FF2, 10, 0x2, 3),           # 4th destination dword straddles 0x8000
    ("f3a5", 0x5FFE + 16, 0x7000, 10, 0x2 | DF, 4),   # going down: the 5th source straddles 0x6000
    ("f3a7", 0x6FF5, 0x8FF0, 10, 0x2, 2),           # REPE CMPSD: equal data, source straddles
    ("66f3ab", 0, 0x5FF9, 9, 0x2, 3),               # STOSW: odd address, 4th word straddles
    ("f3ad", 0x4FF1, 0, 8, 0x2, 3),                 # LODSD
    ("f2af", 0, 0x6FF2, 8, 0x2, 3),                 # REPNE SCASD
])
def test_mid_rep_slow_exit_is_precise(form, esi, edi, n, eflags, k):
    eng = engines()
    code = bytes.fromhex(form)
    addr = eng.place(code)
    data = bytes(DATA_END - DATA)       # all zero: CMPS/SCAS (EAX=1 for SCAS) run to the straddle
    regs = [1, n, 0, 0, 0xC000, 0, esi, edi]
    spy = _FirstSlowExit(eng.jit)
    try:
        check(code, regs, eflags, data, fast=False)
    finally:
        spy.close()
    assert spy.seen is not None, "no slow exit"
    got_regs, eip = spy.seen
    size = 2 if form.startswith("66") else 4
    step = -size if eflags & DF else size
    assert eip == addr and got_regs[ECX] == n - k
    if form[-2:] in ("a5", "a7", "ad"):
        assert got_regs[ESI] == (esi + k * step) & 0xFFFFFFFF
    if form[-2:] in ("a5", "a7", "ab", "af"):
        assert got_regs[EDI] == (edi + k * step) & 0xFFFFFFFF


def test_rep_store_into_code_page_continues_in_interpreter():
    # The code slots' page is write-protected in the shadow table: the REP leaves native code at
    # the first element there and the interpreter finishes it (without touching the code itself).
    eng = engines()
    code = bytes.fromhex("f3aa")
    addr = eng.place(code)
    assert 0xC in eng.jm.code.pages
    spy = _FirstSlowExit(eng.jit)
    try:
        check(code, [0xAB, 0x20, 0, 0, 0xBF00, 0, 0, 0xBFF0], 0x2, bytes(DATA_END - DATA), fast=False)
    finally:
        spy.close()
    assert spy.seen[0][EDI] == 0xC000 and spy.seen[0][ECX] == 0x10 and spy.seen[1] == addr


def test_long_rep_returns_to_python_on_the_way():
    eng = engines()
    n = 2 * ITERATIONS_PER_RETURN + 3
    code = bytes.fromhex("f3ab")
    addr = eng.place(code)
    returns, slow = eng.jit.stats.returns_to_python, eng.jit.stats.slow_memory
    data = bytes(DATA_END - DATA)
    regs = [0x01020304, n, 0, 0, 0xC000, 0, 0, 0x10000]
    got = eng.run_jit(addr, regs, 0x2, data)
    assert got[0][ECX] == 0 and got[0][EDI] == 0x10000 + 4 * n and got[1] == addr + len(code) + 1
    assert eng.jm.mem.read(0x10000 + 4 * n - 4, 8) == bytes.fromhex("0403020100000000")
    assert eng.jit.stats.returns_to_python - returns >= 3 and eng.jit.stats.slow_memory == slow
    compare("jit vs interp", got, eng.run_interp(addr, regs, 0x2, data), code, regs)


def test_rep_in_hot_self_loop():
    # The block loops to itself: the hot tier lowers it twice (peeled iteration and loop copy).
    eng = engines(hot_threshold=3)
    rng = random.Random(3)
    body = {
        "movs": "f3a4",
        "cmps": "f3a6",
        "scas": "f2ae",
        "stos": "f3ab",
    }
    for name, op in body.items():
        # L: mov ecx, 5; rep op; dec edx; jnz L
        code = bytes.fromhex("b905000000" + op + "4a75" + format(-(5 + len(op) // 2 + 3) & 0xFF, "02x"))
        data = bytearray(rng.randbytes(DATA_END - DATA))
        data[0x2000:0x2100] = data[0x1000:0x1100]
        regs = [0x55, 0, 40, 0, 0xC000, 0, 0x5000, 0x6000 if name != "stos" else 0x8000]
        hot = eng.jit.stats.hot_blocks
        check(code, regs, 0x2 | (DF if name == "stos" else 0), bytes(data), eng=eng)
        assert eng.jit.stats.hot_blocks > hot, "the loop was not promoted to the hot tier"


# ---- stack, exchange and misc --------------------------------------------------------------------

MISC_FORMS = [
    "60", "6660", "61", "6661", "c8100000", "c8000000", "c9", "66c9",
    "8f03", "8f442404", "8f0424", "668f03", "66ff33", "ff33", "666a80", "6668ffff", "6650", "665b",
    "0fc1c8", "0fc10b", "0fc0c4", "0fc1c0", "660fc103", "0fc003",
    "0fb1c8", "0fb10b", "0fb1c0", "0fb0e0", "660fb10b", "0fb003", "0fc70b",
    "d7", "26d7",
]


def misc_state(rng, code):
    data = bytearray(rng.randbytes(DATA_END - DATA))
    regs = [rng.getrandbits(32) for _ in range(8)]
    regs[EBX] = 0x5000
    regs[ESP] = 0xB100 + rng.randrange(0, 64) * 4     # PUSHA/POPA stay on one page
    regs[EBP] = rng.choice((0xA000, 0xA800 + rng.randrange(0, 64)))
    if rng.random() < 0.5:
        # CMPXCHG/CMPXCHG8B compare equal: the accumulator (EDX:EAX) equals [EBX] (or the register).
        regs[EAX] = int.from_bytes(data[0x1000:0x1004], "little")
        regs[EDX] = int.from_bytes(data[0x1004:0x1008], "little")
    eflags = 0x2 | (rng.getrandbits(12) & ARITH_FLAGS)
    return regs, eflags, bytes(data)


@pytest.mark.parametrize("form", MISC_FORMS)
def test_misc_forms(form):
    rng = random.Random(form)
    code = bytes.fromhex(form)
    for prefix in (b"", bytes.fromhex("39fe")):
        # Unicorn 2.1 returns garbage EFLAGS for CMPXCHG8B right after a CMP (lazy flags not folded).
        unicorn = not (prefix and form == "0fc70b")
        for _ in range(10):
            check(prefix + code, *misc_state(rng, code), unicorn=unicorn)


def test_pusha_crossing_a_page_leaves_native_code():
    eng = engines()
    regs = [1, 2, 3, 4, 0x9010, 6, 7, 8]        # the 32 bytes below ESP straddle 0x9000
    check(bytes.fromhex("60"), regs, 0x2, bytes(DATA_END - DATA), fast=False)
    assert eng.jit.stats.slow_memory


# ---- 16-bit near transfers -----------------------------------------------------------------------

def _control_cases():
    cases = []
    # call16 rel; jmp +2; ret16  -> ends after the ret's jmp target
    cases.append(("66e80200eb0266c3", {}))
    # ret16 imm: push a 16-bit return address by hand then `ret 2` over one extra word
    cases.append(("666a00" "6668{lo}" "66c20200", {}))
    # jcc16 taken and not taken (ZF from a CMP)
    cases.append(("39c0660f84010090", {}))
    cases.append(("39c8660f85010090", {}))
    # jmp16 rel to the end; jmp16 through AX; call16 through a register
    cases.append(("66e90100" "90", {}))
    cases.append(("66ffe0" "90", {"ax_end": True}))
    cases.append(("66ffd0" "90", {"ax_end": True}))
    return cases


@pytest.mark.parametrize("case", range(len(_control_cases())))
def test_16bit_near_transfers(case):
    form, opts = _control_cases()[case]
    eng = engines()
    # The slot address is known once placed; `{lo}` and AX are filled with the end address.
    probe = bytes.fromhex(form.replace("{lo}", "0000"))
    addr = CODE0 + SLOT * len(eng.slots)          # where the next new snippet goes
    end = addr + len(probe)
    code = bytes.fromhex(form.replace("{lo}", (end & 0xFFFF).to_bytes(2, "little").hex()))
    regs = [0xABCD0000 | end if opts.get("ax_end") else 0x1234, 0x1234, 0, 0, 0xB000, 0, 0, 0]
    assert code not in eng.slots
    check(code, regs, 0x2, bytes(DATA_END - DATA))
