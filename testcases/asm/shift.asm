; Shifts and rotates: shl/shr/sar/rol/ror/rcl/rcr in 8/16/32 bits by 1, imm8 and CL
; (counts 0, 1, >= width, >= 32 masked by 31), and shld/shrd. Flags that the SDM
; leaves undefined for a given count are masked out of the checksums.
%include "rt.inc"
%include "vals.inc"

K_SHL equ 0                     ; shl/shr: CF undefined when count >= width
K_SAR equ 1
K_ROT equ 2                     ; rol/ror: only CF/OF written
K_RC  equ 3                     ; rcl/rcr
K_SHD equ 4                     ; shld/shrd

; SH insn, width, kind: run insn (count in CL) for every value in vals (in eax,
; [mem]; ebx = another value as shld/shrd source) and every count in counts
%macro SH 3
    xor esi, esi
%%i:
    xor edi, edi
%%j:
    movzx ecx, byte [counts + edi]
    mov eax, %2
    mov edx, %3
    call mask_for
    LOADV
    %1
    FOLD
    inc edi
    cmp edi, NCOUNTS
    jb %%j
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; SHI op, operands, imm, width, kind: "op operands, imm" for every value in vals
%macro SHI 5
    xor esi, esi
    xor edi, edi
%%i:
    mov ecx, %3
    mov eax, %4
    mov edx, %5
    call mask_for
    LOADV
    %1 %2, %3
    FOLD
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; LOADV: eax = [mem] = vals[esi], ebx = vals[(esi + 5) % NVALS],
; EFLAGS in = (all status flags if (esi + edi) odd) xor (CF if esi odd)
%macro LOADV 0
    mov eax, [vals + esi*4]
    mov [mem], eax
    lea ebx, [esi + 5]
    cmp ebx, NVALS
    jb %%b
    sub ebx, NVALS
%%b:
    mov ebx, [vals + ebx*4]
    lea edx, [esi + edi]
    and edx, 1
    neg edx
    and edx, F_ALL
    mov ebp, esi
    and ebp, F_CF
    xor edx, ebp
    push edx
    popfd
%endmacro

; FOLD: mix EFLAGS & [fmask], eax and [mem] into the checksum
%macro FOLD 0
    pushfd
    pop edx
    and edx, [fmask]
    MIX edx
    MIX eax
    MIX [mem]
%endmacro

%macro SHALL 2                  ; op, kind: the three sizes, register and memory, by CL
    SH {%1 al, cl}, 8, %2
    SH {%1 ah, cl}, 8, %2
    SH {%1 ax, cl}, 16, %2
    SH {%1 eax, cl}, 32, %2
    SH {%1 byte [mem], cl}, 8, %2
    SH {%1 word [mem], cl}, 16, %2
    SH {%1 dword [mem], cl}, 32, %2
%endmacro

section .text
; mask_for: eax = width, ecx = count (unmasked), edx = kind -> [fmask]
mask_for:
    push ecx
    and ecx, 31
    mov dword [fmask], F_ALL
    test ecx, ecx
    jz .done                    ; masked count 0: flags unchanged
    cmp edx, K_ROT
    jae .notshift
    mov dword [fmask], F_ALL & ~F_AF
    cmp ecx, 1
    je .done
    and dword [fmask], ~F_OF
    cmp ecx, eax
    jb .done
    cmp edx, K_SHL
    jne .done
    and dword [fmask], ~F_CF
    jmp .done
.notshift:
    cmp edx, K_SHD
    je .shd
    cmp ecx, 1
    je .done
    and dword [fmask], ~F_OF    ; rotates: OF only defined for count 1
    jmp .done
.shd:
    mov dword [fmask], F_ALL & ~F_AF
    cmp ecx, 1
    je .done
    and dword [fmask], ~F_OF
.done:
    pop ecx
    ret

main:
    BEGIN "shift-known"
    mov al, 0x80
    shl al, 1
    CHECKF F_ALL & ~F_AF, F_CF|F_OF|F_ZF|F_PF
    mov eax, 0x80000001
    shr eax, 1
    CHECKF F_CF|F_OF, F_CF|F_OF
    CHECK eax, 0x40000000
    mov al, 0x81
    sar al, 1
    CHECKF F_CF|F_OF|F_SF|F_ZF, F_CF|F_SF
    movzx eax, al
    CHECK eax, 0xC0
    mov eax, 0x80000000
    mov cl, 31
    sar eax, cl
    CHECK eax, 0xFFFFFFFF
    SETF F_ALL
    mov eax, 0x12345678
    mov cl, 32
    shl eax, cl
    CHECKF F_ALL, F_ALL
    CHECK eax, 0x12345678
    mov cl, 33
    shl eax, cl
    CHECK eax, 0x2468ACF0
    mov al, 0x81
    rol al, 1
    CHECKF F_CF|F_OF, F_CF|F_OF
    movzx eax, al
    CHECK eax, 0x03
    mov eax, 0x12345678
    ror eax, 4
    CHECKF F_CF, F_CF
    CHECK eax, 0x81234567
    SETF F_CF
    mov al, 0x80
    rcl al, 1
    CHECKF F_CF|F_OF, F_CF|F_OF
    movzx eax, al
    CHECK eax, 1
    mov eax, 0xA5
    mov cl, 9
    SETF F_CF
    rcr al, cl
    CHECK eax, 0xA5
    xor eax, eax
    SETF F_CF
    rcr eax, 1
    CHECKF F_CF|F_OF, F_OF
    CHECK eax, 0x80000000
    mov eax, 0x12345678
    mov ebx, 0x9ABCDEF0
    shld eax, ebx, 4
    CHECKF F_CF, F_CF
    CHECK eax, 0x23456789
    mov eax, 0x12345678
    mov cl, 8
    shrd eax, ebx, cl
    CHECKF F_CF, 0
    CHECK eax, 0xF0123456
    mov eax, 0x1234
    mov ebx, 0xABCD
    shld ax, bx, 4
    CHECK eax, 0x234A
    mov eax, 0xFFFFFFFF
    mov cl, 24
    shl eax, cl                 ; 32-bit: count < width
    CHECK eax, 0xFF000000
    mov eax, 0x00000080
    mov cl, 9
    shr ax, cl
    CHECK eax, 0
    mov eax, 0x8000
    mov cl, 20
    sar ax, cl
    CHECK eax, 0xFFFF
    END

    BEGIN "shl"
    SHALL shl, K_SHL
    END
    BEGIN "shr"
    SHALL shr, K_SHL
    END
    BEGIN "sar"
    SHALL sar, K_SAR
    END
    BEGIN "rol"
    SHALL rol, K_ROT
    END
    BEGIN "ror"
    SHALL ror, K_ROT
    END
    BEGIN "rcl"
    SHALL rcl, K_RC
    END
    BEGIN "rcr"
    SHALL rcr, K_RC
    END
    BEGIN "shift-imm"
    SHI shl, eax, 1, 32, K_SHL
    SHI shr, ax, 1, 16, K_SHL
    SHI sar, al, 1, 8, K_SAR
    SHI shl, al, 7, 8, K_SHL
    SHI shr, eax, 31, 32, K_SHL
    SHI sar, ax, 15, 16, K_SAR
    SHI sar, dword [mem], 4, 32, K_SAR
    SHI rol, al, 1, 8, K_ROT
    SHI ror, eax, 1, 32, K_ROT
    SHI rol, ax, 12, 16, K_ROT
    SHI ror, byte [mem], 3, 8, K_ROT
    SHI rcl, eax, 1, 32, K_RC
    SHI rcr, al, 1, 8, K_RC
    SHI rcl, ax, 5, 16, K_RC
    SHI rcr, dword [mem], 17, 32, K_RC
    SHI rol, eax, 40, 32, K_ROT
    SHI shl, word [mem], 1, 16, K_SHL
    END
    BEGIN "shld-shrd"
    SH {shld eax, ebx, cl}, 32, K_SHD
    SH {shrd eax, ebx, cl}, 32, K_SHD
    SH {shld dword [mem], ebx, cl}, 32, K_SHD
    SH {shrd dword [mem], ebx, cl}, 32, K_SHD
    SHI shld, {ax, bx}, 1, 16, K_SHD
    SHI shld, {ax, bx}, 4, 16, K_SHD
    SHI shrd, {ax, bx}, 8, 16, K_SHD
    SHI shrd, {word [mem], bx}, 15, 16, K_SHD
    SHI shld, {eax, ebx}, 1, 32, K_SHD
    SHI shrd, {eax, ebx}, 31, 32, K_SHD
    SHI shld, {dword [mem], ebx}, 12, 32, K_SHD
    END

    call rt_result
    ret

section .data
counts: db 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 255
NCOUNTS equ $ - counts

section .bss
mem: resd 2
fmask: resd 1
