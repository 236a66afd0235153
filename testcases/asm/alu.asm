; ALU instructions with flags: add/adc/sub/sbb/cmp/and/or/xor/test, inc/dec/neg/not
; in 8/16/32-bit register, memory and immediate forms. Known values from the SDM
; definitions are checked; the sweeps are folded into checksums (defined flags only).
%include "rt.inc"
%include "vals.inc"

; BIN op, dst, src, flagmask: for every (a, b) in vals x vals with CF in = (i^j)&1,
; eax = a, ebx = b, [mem] = a, then "op dst, src"; mixes EFLAGS & mask, eax and [mem]
%macro BIN 4
    xor esi, esi
%%i:
    xor edi, edi
%%j:
    mov eax, [vals + esi*4]
    mov ebx, [vals + edi*4]
    mov [mem], eax
    mov ecx, esi
    xor ecx, edi
    and ecx, 1
    push ecx
    popfd
    %1 %2, %3
    MIXF %4
    MIX eax
    MIX [mem]
    inc edi
    cmp edi, NVALS
    jb %%j
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; UN op, dst, flagmask: for every a in vals, with CF in = i&1
%macro UN 3
    xor esi, esi
%%i:
    mov eax, [vals + esi*4]
    mov [mem], eax
    mov ecx, esi
    and ecx, 1
    push ecx
    popfd
    %1 %2
    MIXF %3
    MIX eax
    MIX [mem]
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

%macro BIN3 3                   ; op, flagmask, name prefix: all sizes and forms
    BEGIN %3
    BIN %1, al, bl, %2
    BIN %1, ah, bl, %2
    BIN %1, al, bh, %2
    BIN %1, ax, bx, %2
    BIN %1, eax, ebx, %2
    BIN %1, byte [mem], bl, %2
    BIN %1, word [mem], bx, %2
    BIN %1, dword [mem], ebx, %2
    BIN %1, bl, byte [mem], %2
    BIN %1, ebx, dword [mem], %2
    BIN %1, al, 0x81, %2
    BIN %1, ax, 0x8001, %2
    BIN %1, eax, 0x80000001, %2
    BIN %1, eax, -3, %2
    BIN %1, word [mem], 5, %2
    BIN %1, dword [mem], 0x7FFFFFFF, %2
    END
%endmacro

section .text
main:
    BEGIN "alu-known"
    mov al, 0x7F
    add al, 1
    CHECKF F_ALL, F_OF|F_SF|F_AF
    movzx eax, al
    CHECK eax, 0x80
    mov al, 0x80
    add al, 0x80
    CHECKF F_ALL, F_CF|F_OF|F_ZF|F_PF
    xor eax, eax
    sub eax, 1
    CHECKF F_ALL, F_CF|F_SF|F_AF|F_PF
    CHECK eax, 0xFFFFFFFF
    SETF F_CF
    adc eax, 0
    CHECKF F_ALL, F_CF|F_ZF|F_AF|F_PF
    CHECK eax, 0
    SETF F_CF
    sbb ax, 0
    CHECKF F_ALL, F_CF|F_SF|F_AF|F_PF
    CHECK eax, 0xFFFF
    mov ecx, 5
    cmp ecx, 7
    CHECKF F_ALL, F_CF|F_AF|F_SF
    mov eax, 0x80000000
    cmp eax, 1
    CHECKF F_ALL, F_OF|F_AF|F_PF
    mov eax, -1
    and eax, 0
    CHECKF F_LOGIC, F_ZF|F_PF
    mov al, 0x80
    or al, 1
    CHECKF F_LOGIC, F_SF|F_PF
    mov eax, 0x80000000
    test eax, eax
    CHECKF F_LOGIC, F_SF|F_PF
    SETF F_CF|F_OF
    xor eax, eax
    CHECKF F_LOGIC, F_ZF|F_PF
    SETF F_CF
    mov eax, 0x7FFFFFFF
    inc eax
    CHECKF F_ALL, F_OF|F_SF|F_AF|F_PF|F_CF
    SETF 0
    xor eax, eax
    dec ax
    CHECKF F_ALL, F_SF|F_AF|F_PF
    CHECK eax, 0xFFFF
    xor eax, eax
    neg eax
    CHECKF F_ALL, F_ZF|F_PF
    mov al, 0x80
    neg al
    CHECKF F_ALL, F_OF|F_CF|F_SF
    mov eax, 1
    neg eax
    CHECKF F_ALL, F_CF|F_SF|F_AF|F_PF
    CHECK eax, -1
    SETF F_ALL
    mov eax, 0x0F0F0F0F
    not eax
    CHECKF F_ALL, F_ALL
    CHECK eax, 0xF0F0F0F0
    mov byte [mem], 0xFF
    SETF 0
    inc byte [mem]
    CHECKF F_ALL, F_ZF|F_AF|F_PF
    movzx eax, byte [mem]
    CHECK eax, 0
    ; adc/sbb chains: 64-bit add and subtract
    mov eax, 0xFFFFFFFF
    mov edx, 0x00000001
    add eax, 1
    adc edx, 0
    CHECK eax, 0
    CHECK edx, 2
    sub eax, 1
    sbb edx, 0
    CHECK eax, 0xFFFFFFFF
    CHECK edx, 1
    END

    BIN3 add, F_ALL, "add"
    BIN3 adc, F_ALL, "adc"
    BIN3 sub, F_ALL, "sub"
    BIN3 sbb, F_ALL, "sbb"
    BIN3 cmp, F_ALL, "cmp"
    BIN3 and, F_LOGIC, "and"
    BIN3 or, F_LOGIC, "or"
    BIN3 xor, F_LOGIC, "xor"

    BEGIN "test"
    BIN test, al, bl, F_LOGIC
    BIN test, ax, bx, F_LOGIC
    BIN test, eax, ebx, F_LOGIC
    BIN test, byte [mem], bl, F_LOGIC
    BIN test, dword [mem], ebx, F_LOGIC
    BIN test, al, 0x81, F_LOGIC
    BIN test, eax, 0x80000001, F_LOGIC
    END

    BEGIN "unary"
    UN inc, al, F_ALL
    UN inc, ax, F_ALL
    UN inc, eax, F_ALL
    UN inc, byte [mem], F_ALL
    UN inc, dword [mem], F_ALL
    UN dec, ah, F_ALL
    UN dec, ax, F_ALL
    UN dec, eax, F_ALL
    UN dec, word [mem], F_ALL
    UN neg, al, F_ALL
    UN neg, ax, F_ALL
    UN neg, eax, F_ALL
    UN neg, dword [mem], F_ALL
    UN not, al, F_ALL
    UN not, ax, F_ALL
    UN not, eax, F_ALL
    UN not, byte [mem], F_ALL
    END

    call rt_result
    ret

section .bss
mem: resd 2
