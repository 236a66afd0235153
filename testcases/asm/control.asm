; Control transfer and system-ish instructions: all 16 jcc (short and near), jmp
; short/near/indirect (register, memory), call/ret (direct, indirect register and
; memory, ret imm16), loop/loopz/loopnz/jecxz/jcxz, lock-prefixed read-modify-writes,
; cpuid (leaf 0 max >= 1, no crash), rdtsc (monotonic).
%include "rt.inc"

; JCCS: edx = EFLAGS under test; ebx = bit n set iff jcc n was taken (short and near)
%macro JCCS 16
    xor ebx, ebx
%assign n 0
%rep 16
    push edx
    popfd
    j%1 short %%t %+ n
    jmp short %%n %+ n
%%t %+ n:
    or ebx, 1 << n
%%n %+ n:
    push edx
    popfd
    j%1 near %%u %+ n
    jmp near %%m %+ n
    times 130 nop               ; forces rel32 displacement
%%u %+ n:
    or ebx, 0x10000 << n
%%m %+ n:
%assign n n+1
%rotate 1
%endrep
%endmacro

section .text
func_add:                       ; int func_add(a, b): stdcall via ret 8
    mov eax, [esp + 4]
    add eax, [esp + 8]
    ret 8

func_ret:
    mov eax, 0xFEED
    ret

main:
    BEGIN "jcc"
    xor esi, esi
.jc:
    xor edx, edx
    test esi, 1
    jz .j1
    or edx, F_CF
.j1:
    test esi, 2
    jz .j2
    or edx, F_PF
.j2:
    test esi, 4
    jz .j3
    or edx, F_ZF
.j3:
    test esi, 8
    jz .j4
    or edx, F_SF
.j4:
    test esi, 16
    jz .j5
    or edx, F_OF
.j5:
    JCCS o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
    ; the taken set for short and near forms must agree and be complementary pairs
    mov eax, ebx
    shr eax, 16
    movzx ecx, bx
    CHECK eax, ecx
    mov eax, ecx
    shr eax, 1
    xor eax, ecx
    and eax, 0x5555
    CHECK eax, 0x5555
    MIX ebx
    inc esi
    cmp esi, 32
    jb .jc
    ; known: after cmp 1, 2 (signed and unsigned less)
    mov eax, 1
    cmp eax, 2
    pushfd
    pop edx
    JCCS b, be, l, le, ne, s, a, ae, g, ge, e, o, no, p, np, ns
    and ebx, 0xFFFF
    CHECK ebx, 0x3000 | 0x3F    ; b be l le ne s, no, p (0xFFFFFFFF: CF SF PF)
    END

    BEGIN "jmp-call"
    xor ecx, ecx
    jmp short .s1
    inc ecx
.s1:
    jmp near .s2
    inc ecx
.s2:
    mov eax, .s3
    jmp eax
    inc ecx
.s3:
    mov dword [vptr], .s4
    jmp [vptr]
    inc ecx
.s4:
    mov ebx, jtab
    mov esi, 1
    jmp [ebx + esi*4]
    inc ecx
.s5:
    CHECK ecx, 0
    mov ebx, esp
    push 40
    push 2
    call func_add
    CHECK eax, 42
    CHECKESP ebx
    mov eax, 0
    mov edx, func_ret
    call edx
    CHECK eax, 0xFEED
    mov eax, 0
    mov dword [vptr], func_ret
    call [vptr]
    CHECK eax, 0xFEED
    call .here
.here:
    pop eax
    CHECK eax, .here
    mov eax, 0
    mov esi, 2
    call [ctab + esi*4 - 8]
    CHECK eax, 0xFEED
    ; ret imm16 with a 16-bit count larger than the arguments frees them all
    mov ebx, esp
    push 1
    push 2
    push 3
    call .ret12
    CHECKESP ebx
    END

    BEGIN "loop"
    mov ecx, 10
    xor eax, eax
.l1:
    add eax, ecx
    loop .l1
    CHECK eax, 55
    CHECK ecx, 0
    ; loopz stops when ZF = 0
    mov ecx, 100
    mov esi, bytes
    xor edx, edx
.l2:
    inc edx
    lodsb
    cmp al, 7
    loopz .l2
    CHECK edx, 4
    CHECK ecx, 96
    ; loopnz stops when ZF = 1
    mov ecx, 100
    mov esi, bytes
.l3:
    lodsb
    cmp al, 9
    loopnz .l3
    CHECK ecx, 94
    ; jecxz / jcxz
    mov edx, 0
    mov ecx, 0x10000
    jcxz .z1
    inc edx
.z1:
    jecxz .z2
    inc edx
.z2:
    CHECK edx, 1
    xor ecx, ecx
    jecxz .z3
    inc edx
.z3:
    CHECK edx, 1
    ; loop with ECX = 0 runs 2^32 times: not done; a16 loop uses CX
    mov ecx, 0x12340003
    xor eax, eax
.l4:
    inc eax
    a16 loop .l4
    CHECK eax, 3
    CHECK ecx, 0x12340000
    END

    BEGIN "lock"
    mov dword [cnt], 5
    lock inc dword [cnt]
    lock add dword [cnt], 10
    lock sub word [cnt], 1
    CHECK [cnt], 15
    mov eax, 100
    lock xadd [cnt], eax
    CHECK eax, 15
    CHECK [cnt], 115
    mov eax, 115
    mov ecx, 7
    lock cmpxchg [cnt], ecx
    CHECKF F_ZF, F_ZF
    CHECK [cnt], 7
    lock bts dword [cnt], 4
    CHECKF F_CF, 0
    lock or byte [cnt], 0x80
    lock and dword [cnt], 0xFF
    lock xor dword [cnt], 1
    lock not dword [cnt]
    lock neg dword [cnt]
    CHECK [cnt], 0x97
    mov eax, 0
    mov edx, 0
    mov ebx, 1
    mov ecx, 2
    lock cmpxchg8b [cnt]
    CHECKF F_ZF, 0
    CHECK eax, 0x97
    lock dec dword [cnt]
    lock adc dword [cnt], 0
    lock sbb dword [cnt], 0
    lock btr dword [cnt], 0
    lock btc dword [cnt], 3
    CHECK [cnt], 0x9E
    xchg [cnt], ebx             ; implicitly locked
    CHECK ebx, 0x9E
    END

    BEGIN "cpuid-rdtsc"
    xor eax, eax
    cpuid
    cmp eax, 1
    setae al
    movzx eax, al
    CHECK eax, 1
    mov eax, 1
    cpuid
    and edx, 1 << 15 | 1 << 8 | 1 << 4     ; CMOV, CX8, TSC
    CHECK edx, 1 << 15 | 1 << 8 | 1 << 4
    rdtsc
    mov esi, eax
    mov edi, edx
    mov ecx, 1000
.spin:
    loop .spin
    rdtsc
    sub eax, esi
    sbb edx, edi
    ; second read >= first: the 64-bit difference is not negative
    shr edx, 31
    CHECK edx, 0
    END

    call rt_result
    ret

.ret12:
    mov eax, 0
    ret 12

section .data
align 4
jtab: dd 0, main.s5
ctab: dd func_ret
bytes: db 7, 7, 7, 8, 7, 9, 7, 7

section .bss
vptr: resd 1
cnt: resd 2
