/* Branchy interpreter-style kernel: a stack bytecode VM with a switch dispatch loop running
   three small programs (iterative Fibonacci modulo 2^32, a prime sieve, Collatz lengths). */
#include "kernel.h"

enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_SHR, OP_LT, OP_EQ,
       OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_DROP, OP_LDM, OP_STM, OP_HALT };

#define MEM 2048
static i32 vmem[MEM];

static i32 run(const i32 *code, i32 *vars)
{
    i32 stack[32];
    int sp = 0, pc = 0;
    for (;;) {
        i32 op = code[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] + (u32)stack[sp]); break;
        case OP_SUB: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] - (u32)stack[sp]); break;
        case OP_MUL: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] * (u32)stack[sp]); break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] = (i32)((u32)stack[sp - 1] >> (stack[sp] & 31)); break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JMP: pc = code[pc]; break;
        case OP_JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
        case OP_JNZ: pc = stack[--sp] ? code[pc] : pc + 1; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_LDM: stack[sp - 1] = vmem[(u32)stack[sp - 1] % MEM]; break;
        case OP_STM: sp -= 2; vmem[(u32)stack[sp + 1] % MEM] = stack[sp]; break;
        case OP_HALT: return sp ? stack[sp - 1] : 0;
        default: return -1;
        }
    }
}

/* vars: 0 n, 1 a, 2 b, 3 i, 4 t */
static const i32 fib[] = {   /* the JZ operand at index 18 is patched by build() */
    OP_PUSH, 0, OP_STORE, 1, OP_PUSH, 1, OP_STORE, 2, OP_PUSH, 0, OP_STORE, 3,
    /* 12: */ OP_LOAD, 3, OP_LOAD, 0, OP_LT, OP_JZ, 38,
    OP_LOAD, 1, OP_LOAD, 2, OP_ADD, OP_LOAD, 2, OP_STORE, 1, OP_STORE, 2,
    OP_LOAD, 3, OP_PUSH, 1, OP_ADD, OP_STORE, 3, OP_JMP, 12,
};
/* sieve: vars 0 n, 3 i, 4 j, 5 count; vmem[k] = 1 marks composite */
static const i32 sieve[] = {   /* the JZ operand at index 10 is patched by build() */
    OP_PUSH, 0, OP_STORE, 3,                                   /* i = 0 */
    /* 4 */ OP_LOAD, 3, OP_LOAD, 0, OP_LT, OP_JZ, 22,
    OP_PUSH, 0, OP_LOAD, 3, OP_STM, OP_LOAD, 3, OP_PUSH, 1, OP_ADD, OP_STORE, 3, OP_JMP, 4,
};
static i32 prog_fib[64], prog_sieve[160], prog_collatz[96];

static int emit(i32 *p, int n, const i32 *src, int len) { for (int i = 0; i < len; i++) p[n + i] = src[i]; return n + len; }

static void build(void)
{
    /* fib: loop head at 12, exit label after the back jump */
    int n = emit(prog_fib, 0, fib, sizeof fib / sizeof fib[0]);
    prog_fib[18] = n;                      /* JZ target: past the loop */
    prog_fib[n++] = OP_LOAD; prog_fib[n++] = 1; prog_fib[n++] = OP_HALT;

    /* sieve: clear vmem[0..n), then for i = 2..n-1: if !vmem[i] { count++; for j = i*i; j < n; j += i: vmem[j] = 1 } */
    i32 *s = prog_sieve;
    n = emit(s, 0, sieve, sizeof sieve / sizeof sieve[0]);
    s[10] = n;
    int outer, inner, skip, done, inner_end;
    s[n++] = OP_PUSH; s[n++] = 0; s[n++] = OP_STORE; s[n++] = 5;   /* count = 0 */
    s[n++] = OP_PUSH; s[n++] = 2; s[n++] = OP_STORE; s[n++] = 3;   /* i = 2 */
    outer = n;
    s[n++] = OP_LOAD; s[n++] = 3; s[n++] = OP_LOAD; s[n++] = 0; s[n++] = OP_LT; s[n++] = OP_JZ; done = n++;
    s[n++] = OP_LOAD; s[n++] = 3; s[n++] = OP_LDM; s[n++] = OP_JNZ; skip = n++;
    s[n++] = OP_LOAD; s[n++] = 5; s[n++] = OP_PUSH; s[n++] = 1; s[n++] = OP_ADD; s[n++] = OP_STORE; s[n++] = 5;
    s[n++] = OP_LOAD; s[n++] = 3; s[n++] = OP_DUP; s[n++] = OP_MUL; s[n++] = OP_STORE; s[n++] = 4;
    inner = n;
    s[n++] = OP_LOAD; s[n++] = 4; s[n++] = OP_LOAD; s[n++] = 0; s[n++] = OP_LT; s[n++] = OP_JZ; inner_end = n++;
    s[n++] = OP_PUSH; s[n++] = 1; s[n++] = OP_LOAD; s[n++] = 4; s[n++] = OP_STM;
    s[n++] = OP_LOAD; s[n++] = 4; s[n++] = OP_LOAD; s[n++] = 3; s[n++] = OP_ADD; s[n++] = OP_STORE; s[n++] = 4;
    s[n++] = OP_JMP; s[n++] = inner;
    s[inner_end] = n;
    s[skip] = n;
    s[n++] = OP_LOAD; s[n++] = 3; s[n++] = OP_PUSH; s[n++] = 1; s[n++] = OP_ADD; s[n++] = OP_STORE; s[n++] = 3;
    s[n++] = OP_JMP; s[n++] = outer;
    s[done] = n;
    s[n++] = OP_LOAD; s[n++] = 5; s[n++] = OP_HALT;

    /* collatz: vars 0 x, 1 steps: while x != 1 { x = x & 1 ? 3x+1 : x >> 1; steps++ } */
    i32 *c = prog_collatz;
    n = 0;
    c[n++] = OP_PUSH; c[n++] = 0; c[n++] = OP_STORE; c[n++] = 1;
    int head = n, exit_, even, join;
    c[n++] = OP_LOAD; c[n++] = 0; c[n++] = OP_PUSH; c[n++] = 1; c[n++] = OP_EQ; c[n++] = OP_JNZ; exit_ = n++;
    c[n++] = OP_LOAD; c[n++] = 0; c[n++] = OP_PUSH; c[n++] = 1; c[n++] = OP_AND; c[n++] = OP_JZ; even = n++;
    c[n++] = OP_LOAD; c[n++] = 0; c[n++] = OP_PUSH; c[n++] = 3; c[n++] = OP_MUL; c[n++] = OP_PUSH; c[n++] = 1;
    c[n++] = OP_ADD; c[n++] = OP_STORE; c[n++] = 0; c[n++] = OP_JMP; join = n++;
    c[even] = n;
    c[n++] = OP_LOAD; c[n++] = 0; c[n++] = OP_PUSH; c[n++] = 1; c[n++] = OP_SHR; c[n++] = OP_STORE; c[n++] = 0;
    c[join] = n;
    c[n++] = OP_LOAD; c[n++] = 1; c[n++] = OP_PUSH; c[n++] = 1; c[n++] = OP_ADD; c[n++] = OP_STORE; c[n++] = 1;
    c[n++] = OP_JMP; c[n++] = head;
    c[exit_] = n;
    c[n++] = OP_LOAD; c[n++] = 1; c[n++] = OP_HALT;
}

static u32 fib_ref(u32 n) { u32 a = 0, b = 1; while (n--) { u32 t = a + b; a = b; b = t; } return a; }

u32 vm_run(u32 iters, int *ok)
{
    u32 h = 0;
    build();
    for (u32 it = 0; it < iters; it++) {
        i32 vars[8] = {0};
        vars[0] = 20 + (i32)(it % 40);
        u32 f = (u32)run(prog_fib, vars);
        if (f != fib_ref((u32)vars[0]))
            *ok = 0;
        vars[0] = 200 + (i32)(it % 7) * 100;
        i32 primes = run(prog_sieve, vars);
        if (vars[0] == 200 && primes != 46)
            *ok = 0;
        vars[0] = 27 + (i32)it;
        vars[1] = 0;
        i32 steps = run(prog_collatz, vars);
        if (it == 0 && steps != 111)
            *ok = 0;
        h = (h * 31u) ^ f ^ ((u32)primes << 8) ^ ((u32)steps << 16);
    }
    return h;
}
