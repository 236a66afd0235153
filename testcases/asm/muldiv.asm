; mul, imul (one-, two- and three-operand forms), div and idiv in 8/16/32 bits.
; Only CF/OF are defined after multiplication; no flags after division. Divisions
; are arranged never to fault (nonzero divisor, quotient in range).
%include "rt.inc"
%include "vals.inc"

; MULS insn: for all (a, b): eax = a, ebx = b, edx = ~a, [mem] = b; run insn,
; fold CF/OF, eax, edx (and ecx, the three-operand destination)
%macro MULS 1
    xor esi, esi
%%i:
    xor edi, edi
%%j:
    mov eax, [vals + esi*4]
    mov ebx, [vals + edi*4]
    mov [mem], ebx
    mov edx, eax
    not edx
    mov ecx, 0x5A5A5A5A
    %1
    MIXF F_CF|F_OF
    MIX eax
    MIX edx
    MIX ecx
    inc edi
    cmp edi, NVALS
    jb %%j
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; DIVS setup, insn, zero-test: for all (a, b): eax = a, ebx = b (skip when
; zero-test says the divisor is unusable), run setup then insn; fold eax, edx
%macro DIVS 3
    xor esi, esi
%%i:
    xor edi, edi
%%j:
    mov eax, [vals + esi*4]
    mov ebx, [vals + edi*4]
    %3
    jz %%skip
    mov [mem], ebx
    %1
    %2
    MIX eax
    MIX edx
%%skip:
    inc edi
    cmp edi, NVALS
    jb %%j
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; Dividend setup for unsigned division: high half = divisor >> 1 (below the divisor)
%macro HI8 0
    mov ah, bl
    shr ah, 1
%endmacro
%macro HI16 0
    mov edx, ebx
    shr dx, 1
%endmacro
%macro HI32 0
    mov edx, ebx
    shr edx, 1
%endmacro
%macro ZHI32 0
    xor edx, edx
%endmacro
; Divisor usability: ZF = 1 means skip (zero; for signed also -1)
%macro NZ8 0
    test bl, bl
%endmacro
%macro NZ16 0
    test bx, bx
%endmacro
%macro NZ32 0
    test ebx, ebx
%endmacro
%macro SNZ8 0
    lea ecx, [ebx + 1]
    test cl, 0xFE
%endmacro
%macro SNZ16 0
    lea ecx, [ebx + 1]
    test cx, 0xFFFE
%endmacro
%macro SNZ32 0
    lea ecx, [ebx + 1]
    test ecx, 0xFFFFFFFE
%endmacro

section .text
main:
    BEGIN "muldiv-known"
    mov eax, 0xFFFFFFFF
    mov ebx, eax
    mul ebx
    CHECKF F_CF|F_OF, F_CF|F_OF
    CHECK eax, 1
    CHECK edx, 0xFFFFFFFE
    mov eax, 0x10
    mov bl, 0x10
    mul bl
    CHECKF F_CF|F_OF, F_CF|F_OF
    CHECK eax, 0x100
    mov eax, 2
    mov bl, 3
    mul bl
    CHECKF F_CF|F_OF, 0
    CHECK eax, 6
    mov eax, 0xFFFF
    mov bx, 0xFFFF
    mov edx, 0x12340000
    mul bx
    CHECK eax, 0x0001
    CHECK edx, 0x1234FFFE
    mov eax, 0xFF
    mov bl, 0xFF
    imul bl
    CHECKF F_CF|F_OF, 0
    CHECK eax, 1
    mov eax, 0x40
    mov bl, 2
    imul bl
    CHECKF F_CF|F_OF, F_CF|F_OF
    CHECK eax, 0x80
    mov eax, -7
    mov ebx, 6
    imul ebx
    CHECK eax, -42
    CHECK edx, -1
    mov ebx, 0x10000
    imul ebx, ebx
    CHECKF F_CF|F_OF, F_CF|F_OF
    CHECK ebx, 0
    mov ebx, 1234
    imul eax, ebx, -3
    CHECKF F_CF|F_OF, 0
    CHECK eax, -3702
    mov dword [mem], 0x4000
    imul cx, [mem], 2
    CHECKF F_CF|F_OF, F_CF|F_OF
    movzx ecx, cx
    CHECK ecx, 0x8000
    imul ecx, [mem], 100000
    CHECK ecx, 1638400000
    xor edx, edx
    mov eax, 100
    mov ebx, 7
    div ebx
    CHECK eax, 14
    CHECK edx, 2
    mov edx, 1
    xor eax, eax
    mov ebx, 2
    div ebx
    CHECK eax, 0x80000000
    CHECK edx, 0
    mov eax, -100
    cdq
    mov ebx, 7
    idiv ebx
    CHECK eax, -14
    CHECK edx, -2
    mov eax, 100
    cdq
    mov ebx, -7
    idiv ebx
    CHECK eax, -14
    CHECK edx, 2
    mov eax, 0xFF80
    mov bl, 2
    idiv bl
    CHECK eax, 0x00C0
    mov eax, 0x1234
    mov bl, 0x56
    div bl
    CHECK eax, 0x1036
    mov edx, 0x12345678
    mov eax, 0x0007
    mov dx, 3
    mov bx, 10
    div bx                      ; 0x30007 / 10
    CHECK eax, 0x4CCD
    CHECK edx, 0x12340005
    mov edx, 0xFFFFFFFF
    mov eax, 0xFFFFFFF0         ; -16 as 64-bit
    mov dword [mem], -4
    idiv dword [mem]
    CHECK eax, 4
    CHECK edx, 0
    END

    BEGIN "mul"
    MULS {mul bl}
    MULS {mul bh}
    MULS {mul bx}
    MULS {mul ebx}
    MULS {mul byte [mem]}
    MULS {mul word [mem]}
    MULS {mul dword [mem]}
    END
    BEGIN "imul1"
    MULS {imul bl}
    MULS {imul bx}
    MULS {imul ebx}
    MULS {imul byte [mem]}
    MULS {imul dword [mem]}
    END
    BEGIN "imul2"
    MULS {imul ax, bx}
    MULS {imul eax, ebx}
    MULS {imul eax, [mem]}
    MULS {imul cx, [mem]}
    END
    BEGIN "imul3"
    MULS {imul ecx, ebx, 7}
    MULS {imul ecx, ebx, -128}
    MULS {imul ecx, ebx, 0x12345}
    MULS {imul cx, bx, -3}
    MULS {imul cx, bx, 0x7FFF}
    MULS {imul ecx, [mem], -0x10000}
    END
    BEGIN "div"
    DIVS HI8, {div bl}, NZ8
    DIVS HI16, {div bx}, NZ16
    DIVS HI32, {div ebx}, NZ32
    DIVS ZHI32, {div dword [mem]}, NZ32
    DIVS HI16, {div word [mem]}, NZ16
    END
    BEGIN "idiv"
    DIVS cbw, {idiv bl}, SNZ8
    DIVS cwd, {idiv bx}, SNZ16
    DIVS cdq, {idiv ebx}, SNZ32
    DIVS cdq, {idiv dword [mem]}, SNZ32
    DIVS cbw, {idiv byte [mem]}, SNZ8
    END

    call rt_result
    ret

section .bss
mem: resd 2
