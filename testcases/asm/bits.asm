; Bit instructions and conditional ops: bt/bts/btr/btc (register, immediate and
; memory forms, memory bit offsets outside the addressed operand), bsf/bsr, all 16
; setcc and cmovcc conditions, xadd, cmpxchg, cmpxchg8b, bswap.
%include "rt.inc"
%include "vals.inc"

; BTM insn, size-bits: memory form with register offset from offs[]; the base
; operand is the middle of a 64-byte bitmap. Folds CF and the whole bitmap.
%macro BTM 1
    call bitmap_init
    xor esi, esi
%%i:
    mov ecx, [offs + esi*4]
    SETF 0
    %1
    MIXF F_CF
    call bitmap_mix
    SETF F_CF
    %1
    MIXF F_CF
    call bitmap_mix
    inc esi
    cmp esi, NOFFS
    jb %%i
%endmacro

; BTR insn: register/immediate forms for all values and bit numbers in offs[]
%macro BTR 1
    xor esi, esi
%%i:
    xor edi, edi
%%j:
    mov eax, [vals + esi*4]
    mov [mem], eax
    mov ecx, [offs + edi*4]
    SETF 0
    %1
    MIXF F_CF
    MIX eax
    MIX [mem]
    inc edi
    cmp edi, NOFFS
    jb %%j
    inc esi
    cmp esi, NVALS
    jb %%i
%endmacro

; ONEV insn, flagmask: "insn" with eax = [mem] = each value, ebx = next value
%macro ONEV 2
    xor esi, esi
%%i:
    mov eax, [vals + esi*4]
    mov [mem], eax
    mov ebx, [vals + 4 + esi*4]
    mov ecx, 0x33333333
    mov edx, ebx
    not edx
    SETF 0
    %1
    MIXF %2
    MIX eax
    MIX ebx
    MIX ecx
    MIX [mem]
    inc esi
    cmp esi, NVALS - 1
    jb %%i
%endmacro

section .text
bitmap_init:
    pushad
    mov edi, bitmap
    mov ecx, 16
    mov eax, 0x9E3779B9
.l: stosd
    rol eax, 7
    add eax, 0x6A09E667
    loop .l
    popad
    ret

bitmap_mix:
    pushad
    xor eax, eax
    xor ecx, ecx
.l: rol eax, 3
    xor eax, [bitmap + ecx*4]
    inc ecx
    cmp ecx, 16
    jb .l
    MIX eax
    popad
    ret

; cond_expect: edx = EFLAGS value -> ebx = bit n set iff condition n holds
cond_expect:
    push eax
    push ecx
    xor ebx, ebx
    mov eax, edx
    shr eax, 11
    and eax, 1                  ; o
    mov ecx, eax
    shl ecx, 0
    or ebx, ecx
    mov eax, edx
    and eax, 1                  ; c
    shl eax, 2
    or ebx, eax
    mov eax, edx
    shr eax, 6
    and eax, 1                  ; z
    shl eax, 4
    or ebx, eax
    mov eax, edx
    mov ecx, edx
    shr ecx, 6
    or eax, ecx
    and eax, 1                  ; c | z
    shl eax, 6
    or ebx, eax
    mov eax, edx
    shr eax, 7
    and eax, 1                  ; s
    shl eax, 8
    or ebx, eax
    mov eax, edx
    shr eax, 2
    and eax, 1                  ; p
    shl eax, 10
    or ebx, eax
    mov eax, edx
    shr eax, 7
    mov ecx, edx
    shr ecx, 11
    xor eax, ecx
    and eax, 1                  ; s ^ o
    mov ecx, eax
    shl ecx, 12
    or ebx, ecx
    mov ecx, edx
    shr ecx, 6
    or eax, ecx
    and eax, 1                  ; z | (s ^ o)
    shl eax, 14
    or ebx, eax
    mov eax, ebx                ; odd conditions are the negations
    shl eax, 1
    xor eax, 0xAAAA
    or ebx, eax
    pop ecx
    pop eax
    ret

; SETALL: ebx = bit n set iff setcc n stored 1 (all 16 conditions)
%macro SETALL 0
    seto [cc + 0]
    setno [cc + 1]
    setb [cc + 2]
    setae [cc + 3]
    sete [cc + 4]
    setne [cc + 5]
    setbe [cc + 6]
    seta [cc + 7]
    sets [cc + 8]
    setns [cc + 9]
    setp [cc + 10]
    setnp [cc + 11]
    setl [cc + 12]
    setge [cc + 13]
    setle [cc + 14]
    setg [cc + 15]
%endmacro

; CMOVALL: with edx = EFLAGS to test, ebx = bit n set iff cmovcc n moved
; (register and memory forms)
%macro CMOVS 16
    xor ebx, ebx
%assign n 0
%rep 16
    xor eax, eax
    mov ecx, 1 << n
    push edx                    ; flags under test (xor/or clobber them)
    popfd
    cmov%1 eax, ecx
    or ebx, eax
    mov ax, 0
    push edx
    popfd
    cmov%1 ax, [bitval + n*4]
    or bx, ax
%assign n n+1
%rotate 1
%endrep
%endmacro
%define CMOVALL CMOVS o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g

main:
    BEGIN "bt-known"
    mov eax, 0x80000001
    bt eax, 31
    CHECKF F_CF, F_CF
    mov ecx, 33                 ; register form: offset masked to 1
    bt eax, ecx
    CHECKF F_CF, 0
    bts eax, ecx
    CHECKF F_CF, 0
    CHECK eax, 0x80000003
    btr eax, 0
    CHECKF F_CF, F_CF
    CHECK eax, 0x80000002
    btc eax, 4
    CHECKF F_CF, 0
    CHECK eax, 0x80000012
    mov dword [bitmap + 32], 0
    mov dword [bitmap + 36], 0
    mov ecx, 40                 ; memory form: bit 8 of the next dword
    bts dword [bitmap + 32], ecx
    CHECKF F_CF, 0
    CHECK [bitmap + 36], 0x100
    mov dword [bitmap + 28], 0
    mov ecx, -1                 ; bit 7 of the byte below the operand
    bts dword [bitmap + 32], ecx
    CHECK [bitmap + 28], 0x80000000
    btc word [bitmap + 36], cx  ; cx = 0xFFFF: -1, bit 15 of word [bitmap + 34]
    CHECK [bitmap + 32], 0x80000000
    mov ecx, -1
    btr dword [bitmap + 32], ecx
    CHECKF F_CF, F_CF
    CHECK [bitmap + 28], 0
    bt dword [bitmap + 36], 8
    CHECKF F_CF, F_CF
    END

    BEGIN "bt-reg"
    BTR {bt eax, ecx}
    BTR {bts eax, ecx}
    BTR {btr eax, ecx}
    BTR {btc eax, ecx}
    BTR {bt ax, cx}
    BTR {bts ax, cx}
    BTR {btr ax, cx}
    BTR {btc ax, cx}
    BTR {bt eax, 5}
    BTR {bts eax, 31}
    BTR {btr ax, 15}
    BTR {btc eax, 33}
    BTR {bts dword [mem], 36}
    BTR {btc word [mem], 17}
    END

    BEGIN "bt-mem"
    BTM {bt dword [bitmap + 32], ecx}
    BTM {bts dword [bitmap + 32], ecx}
    BTM {btr dword [bitmap + 32], ecx}
    BTM {btc dword [bitmap + 32], ecx}
    BTM {bt word [bitmap + 32], cx}
    BTM {bts word [bitmap + 32], cx}
    BTM {btr word [bitmap + 32], cx}
    BTM {btc word [bitmap + 32], cx}
    END

    BEGIN "bsf-bsr"
    mov eax, 0x00F00000
    bsf ecx, eax
    CHECKF F_ZF, 0
    CHECK ecx, 20
    bsr ecx, eax
    CHECK ecx, 23
    mov ax, 0x0001
    bsr cx, ax
    CHECK ecx, 0
    xor eax, eax
    bsf ecx, eax
    CHECKF F_ZF, F_ZF
    mov dword [mem], 0x80000000
    bsf edx, [mem]
    CHECK edx, 31
    xor esi, esi
.bs:
    mov eax, [vals + esi*4]
    mov [mem], eax
    test eax, eax
    jz .bszero
    bsf ecx, eax
    MIXF F_ZF
    MIX ecx
    bsr ecx, eax
    MIXF F_ZF
    MIX ecx
    bsf ecx, [mem]
    MIX ecx
    bsr ecx, [mem]
    MIX ecx
.bszero:
    test ax, ax
    jz .bsnext
    bsf cx, ax
    MIXF F_ZF
    MIX ecx
    bsr cx, [mem]
    MIXF F_ZF
    MIX ecx
.bsnext:
    inc esi
    cmp esi, NVALS
    jb .bs
    END

    BEGIN "setcc"
    xor esi, esi                ; esi = 5-bit pattern over O, S, Z, P, C
.sc:
    xor edx, edx
    mov eax, esi
    test eax, 1
    jz .sc1
    or edx, F_CF
.sc1:
    test eax, 2
    jz .sc2
    or edx, F_PF
.sc2:
    test eax, 4
    jz .sc3
    or edx, F_ZF
.sc3:
    test eax, 8
    jz .sc4
    or edx, F_SF
.sc4:
    test eax, 16
    jz .sc5
    or edx, F_OF
.sc5:
    push edx
    popfd
    SETALL
    xor ebx, ebx
    mov ecx, 15
.pack:
    movzx eax, byte [cc + ecx]
    shl ebx, 1
    or ebx, eax
    dec ecx
    jns .pack
    mov edi, ebx
    call cond_expect
    CHECK edi, ebx
    MIX edi
    CMOVALL
    mov edi, ebx
    call cond_expect
    CHECK edi, ebx
    inc esi
    cmp esi, 32
    jb .sc
    END

    BEGIN "xadd-cmpxchg"
    mov eax, 5
    mov ebx, 7
    xadd eax, ebx
    CHECK eax, 12
    CHECK ebx, 5
    mov dword [mem], 100
    mov eax, 100
    mov ecx, 200
    cmpxchg [mem], ecx
    CHECKF F_ZF, F_ZF
    CHECK [mem], 200
    mov eax, 1
    cmpxchg [mem], ecx
    CHECKF F_ZF, 0
    CHECK eax, 200
    mov dword [m64], 0x11111111
    mov dword [m64 + 4], 0x22222222
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0x33333333
    mov ecx, 0x44444444
    cmpxchg8b [m64]
    CHECKF F_ZF, F_ZF
    CHECK [m64], 0x33333333
    CHECK [m64 + 4], 0x44444444
    cmpxchg8b [m64]
    CHECKF F_ZF, 0
    CHECK eax, 0x33333333
    CHECK edx, 0x44444444
    mov eax, 0x12345678
    bswap eax
    CHECK eax, 0x78563412
    mov esi, 0x01020304
    bswap esi
    CHECK esi, 0x04030201
    ONEV {xadd eax, ebx}, F_ALL
    ONEV {xadd al, bl}, F_ALL
    ONEV {xadd ax, bx}, F_ALL
    ONEV {xadd [mem], ebx}, F_ALL
    ONEV {xadd [mem], bh}, F_ALL
    ONEV {cmpxchg ecx, ebx}, F_ALL
    ONEV {cmpxchg [mem], ebx}, F_ALL
    ONEV {cmpxchg cl, dl}, F_ALL
    ONEV {cmpxchg [mem], dx}, F_ALL
    ONEV {bswap eax}, F_ALL
    ONEV {bswap ebx}, F_ALL
    END

    call rt_result
    ret

section .data
align 4
offs: dd 0, 1, 5, 15, 16, 31, 32, 33, 63, 100, 255, -1, -8, -33, -200, -256
NOFFS equ ($ - offs) / 4
bitval:
%assign n 0
%rep 16
    dd 1 << n
%assign n n+1
%endrep

section .bss
alignb 8
bitmap: resb 64
mem: resd 2
m64: resd 2
cc: resb 16
