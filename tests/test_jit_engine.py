"""System behaviour of the JIT engine against the reference interpreter: tiers and in-function
loops, self-modifying code, exact instruction limits, indirect branches, statistics."""
import functools

import pytest

import jit_diff
from jit_diff import assert_same, undefined_flags
from bt.runtime.interp import Interpreter
from bt.runtime.jit_engine import Jit


def run_pair(code, regs=None, memory=None, watch=None, max_insns=1_000_000, hot_threshold=None):
    jit_cls = functools.partial(Jit, hot_threshold=hot_threshold) if hot_threshold else Jit
    args = (code + (b"" if code.endswith(b"\xf4") else b"\xf4"), regs, 0x2, dict(memory or {}),
            dict(watch or {}), max_insns, jit_diff.CODE_ADDR)
    return jit_diff._run(jit_cls, *args), jit_diff._run(Interpreter, *args)


# mov ecx, 1000 ; l: adc eax, ebx ; adc edx, 0 ; dec ecx ; jnz l ; hlt
ADC_LOOP = bytes.fromhex("b9 e8 03 00 00  11 d8  83 d2 00  49  75 f8")


@pytest.mark.parametrize("hot", [None, 2, 50])
def test_loop_carrying_flags_across_iterations(hot):
    """ADC reads the CF of the previous iteration's ADC: the hot tier's loop phis must carry it."""
    jit, ref = run_pair(ADC_LOOP, regs={"eax": 0x9000_0000, "ebx": 0x7123_4567, "edx": 0}, hot_threshold=hot)
    assert_same(jit, ref, undefined_flags(ADC_LOOP))
    assert ref.regs[2] > 0        # the carries really happened


def test_hot_loop_with_stores_and_a_slow_path_inside():
    # mov ecx, 300 ; l: mov [edi], ecx ; add edi, 4 ; cmp ecx, 150 ; jne s ; mov [0x1000], al ; s: dec ecx ; jnz l
    # The store to 0x1000 hits the code page (write-protected): a side exit from the loop copy.
    code = bytes.fromhex("b9 2c 01 00 00  89 0f  83 c7 04  81 f9 96 00 00 00  75 05  a2 00 10 00 00 49 75 e9")
    jit, ref = run_pair(code, regs={"edi": 0x8000, "eax": 0xb9}, watch={0x8000: 1200}, hot_threshold=2)
    assert_same(jit, ref, undefined_flags(code))


def test_self_modifying_code_inside_the_running_block():
    # mov byte [0x1009], 0x42 ; nop ; mov al, 0 (its immediate is the byte just written) ; hlt
    code = bytes.fromhex("c6 05 09 10 00 00 42  90  b0 00")
    jit, ref = run_pair(code)
    assert ref.regs[0] & 0xFF == 0x42          # the P6 behaviour: the new byte executes
    assert_same(jit, ref)


def test_rewriting_a_translated_function():
    # f at 0x1100: mov eax, 1 ; ret.  Main: call f ; mov ebx, eax ; mov byte [0x1101], 7 ; call f ; hlt
    main = bytes.fromhex("e8 fb 00 00 00  89 c3  c6 05 01 11 00 00 07  e8 ed 00 00 00")
    func = bytes.fromhex("b8 01 00 00 00 c3")
    jit, ref = run_pair(main, memory={0x1100: func})
    assert (ref.regs[3], ref.regs[0]) == (1, 7)
    assert_same(jit, ref)


@pytest.mark.parametrize("limit", [1, 5, 37, 1000, 2001])
def test_instruction_limit_is_exact(limit):
    jit, ref = run_pair(ADC_LOOP, regs={"eax": 5, "ebx": 7}, max_insns=limit)
    assert jit.end == ref.end == "limit"
    assert_same(jit, ref, undefined_flags(ADC_LOOP))


def test_calls_and_returns_in_a_loop():
    # mov ecx, 500 ; l: call f ; dec ecx ; jnz l ; hlt ; f: add eax, ecx ; ret
    code = bytes.fromhex("b9 f4 01 00 00  e8 04 00 00 00  49  75 f8  f4  01 c8 c3")
    jit, ref = run_pair(code, hot_threshold=10)
    assert ref.regs[0] == sum(range(1, 501))
    assert_same(jit, ref)


def test_stats_show_chaining_and_few_returns_to_python():
    from cpu_harness import BareMachine
    from bt.runtime.events import GuestHalt
    m = BareMachine().load_code(bytes.fromhex("b9 40 42 0f 00  01 c8  49  75 fb  f4"), eax=0)
    jit = Jit(m, hot_threshold=10**9)             # quick tier only: the loop chains block to block
    with pytest.raises(GuestHalt):
        jit.run()
    assert jit.ctx.chained >= 999_000               # the loop block chains to itself
    assert jit.stats.returns_to_python < 10
    text = "\n".join(jit.stats_lines())
    assert "chained exits" in text and "callouts" in text
