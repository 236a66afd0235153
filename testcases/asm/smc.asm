; Self-modifying code, paging off: stores that patch an instruction later in the same
; block and the very next instruction (P6 and later: the modified instruction takes effect,
; SDM Vol. 3 11.6 "Self-modifying code"), immediates patched in hot loops, patched jump
; targets and conditions, code copied with REP MOVSB and run, an instruction spanning a
; 4 KiB boundary patched in either half, REP STOSB over the instructions that follow it,
; and stores to data sharing the page with the running code.
; Expected values are derived by hand (see the comments) or computed twice in the guest.
%include "rt.inc"

section .text
main:
    call same_block
    call next_insn
    call loop_imm
    call jump_target
    call copy_exec
    call page_span
    call stos_into_block
    call data_on_code
    call rt_result
    ret

; ---- a store patches an instruction further down its own block ----------------------------
same_block:
    BEGIN "same_block"
    xor ecx, ecx
.loop:
    imul eax, ecx, 0x11111111
    mov [.imm + 1], eax          ; the mov edx below
    mov byte [.op], 0x01         ; add r/m32, r32 on even ecx, sub on odd
    test cl, 1
    jz .even
    mov byte [.op], 0x29
.even:
    mov esi, 1000
    mov edi, ecx
    xor edx, edx
    nop
    nop
.imm:
    mov edx, strict dword 0xDEADBEEF
.op:
    add esi, edi                 ; 01 FE / 29 FE
    CHECK edx, eax
    MIX esi
    inc ecx
    cmp ecx, 16
    jb .loop
    ; the last run (ecx = 15, odd): 1000 - 15
    CHECK esi, 985
    END
    ret

; ---- a store patches the very next instruction --------------------------------------------
next_insn:
    BEGIN "next_insn"
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
.loop:
    mov eax, ecx
    xor ebx, ebx
    mov bl, 3
    div bl                       ; ah = ecx mod 3
    movzx eax, ah
    mov al, [.ops + eax]
    mov [.n], al
.n:
    nop                          ; becomes inc edx, inc edx, dec edx
    mov [.m + 2], ecx
.m:
    add esi, strict dword 0      ; 81 C6 imm32: adds ecx
    inc ecx
    cmp ecx, 300
    jb .loop
    CHECK edx, 100               ; 200 inc, 100 dec
    CHECK esi, 299 * 300 / 2
    MIX edx
    MIX esi
    END
    ret
.ops: db 0x42, 0x42, 0x4A

; ---- a patched immediate in hot loops -----------------------------------------------------
loop_imm:
    BEGIN "loop_imm"
    ; 10,000 iterations, the immediate set to k + 1 at every i = 1000 k
    xor ebx, ebx
    xor ecx, ecx
.loop1:
    mov eax, ecx
    xor edx, edx
    mov esi, 1000
    div esi
    test edx, edx
    jnz .add
    inc eax
    mov [.add + 2], eax
.add:
    add ebx, strict dword 0x7777
    inc ecx
    cmp ecx, 10000
    jb .loop1
    CHECK ebx, 1000 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10)
    MIX ebx
    ; patched on every iteration just before it runs, in the same block: adds i
    xor ebx, ebx
    xor ecx, ecx
.loop2:
    mov [.add2 + 2], ecx
.add2:
    add ebx, strict dword 0
    inc ecx
    cmp ecx, 10000
    jb .loop2
    CHECK ebx, 9999 * 10000 / 2
    MIX ebx
    ; patched after it ran: iteration i adds what iteration i - 1 stored (i - 1), i = 0 adds 0
    mov dword [.add3 + 2], 0
    xor ebx, ebx
    xor ecx, ecx
.loop3:
.add3:
    add ebx, strict dword 0
    mov [.add3 + 2], ecx
    inc ecx
    cmp ecx, 10000
    jb .loop3
    CHECK ebx, 9998 * 9999 / 2
    MIX ebx
    END
    ret

; ---- patched jump targets and conditions --------------------------------------------------
jump_target:
    BEGIN "jump_target"
    xor esi, esi
    xor ecx, ecx
.loop:
    mov eax, ecx
    and eax, 3
    mov eax, [.targets + eax * 4]
    sub eax, .j + 5
    mov [.j + 1], eax
.j:
    jmp strict near .t0
.t0:
    add esi, 1
    jmp .join
.t1:
    add esi, 10
    jmp .join
.t2:
    add esi, 100
    jmp .join
.t3:
    add esi, 1000
.join:
    inc ecx
    cmp ecx, 8
    jb .loop
    CHECK esi, 2222              ; each target twice
    MIX esi
    ; a patched call target
    xor esi, esi
    xor ecx, ecx
.cloop:
    mov eax, .f1
    test cl, 1
    jz .c0
    mov eax, .f2
.c0:
    sub eax, .c + 5
    mov [.c + 1], eax
.c:
    call strict near .f1
    inc ecx
    cmp ecx, 10
    jb .cloop
    CHECK esi, 5 * 3 + 5 * 0x50000
    MIX esi
    ; a patched condition: jz on even iterations, jnz on odd ones; ZF = 1 always
    xor edi, edi
    xor ecx, ecx
.jloop:
    mov byte [.jc], 0x74
    test cl, 1
    jz .p0
    mov byte [.jc], 0x75
.p0:
    cmp eax, eax
.jc:
    jz short .taken
    add edi, 0x100
    jmp .jd
.taken:
    add edi, 1
.jd:
    inc ecx
    cmp ecx, 8
    jb .jloop
    CHECK edi, 4 * 1 + 4 * 0x100
    MIX edi
    ; a patched rel8: the same jmp short lands on .r1 then .r2
    xor edi, edi
    mov byte [.js + 1], .r1 - (.js + 2)
    call .jshort
    mov byte [.js + 1], .r2 - (.js + 2)
    call .jshort
    CHECK edi, 0x21
    MIX edi
    END
    ret
.f1:
    add esi, 3
    ret
.f2:
    add esi, 0x50000
    ret
.jshort:
.js:
    jmp short .r1
.r1:
    add edi, 1
    ret
.r2:
    add edi, 0x20
    ret

section .rodata
align 4
jump_target.targets: dd jump_target.t0, jump_target.t1, jump_target.t2, jump_target.t3

section .text
; ---- code copied with REP MOVSB, then run -------------------------------------------------
copy_exec:
    BEGIN "copy_exec"
    xor ebx, ebx                 ; sum through the copies
    xor ebp, ebp                 ; sum through the originals
    xor edx, edx
.loop:
    mov esi, tmpl1
    mov ecx, tmpl1_end - tmpl1
    test dl, 1
    jz .c0
    mov esi, tmpl2
    mov ecx, tmpl2_end - tmpl2
.c0:
    mov edi, codebuf + 0x100
    rep movsb
    mov ecx, edx
    call codebuf + 0x100
    add ebx, eax
    mov ecx, edx
    test dl, 1
    jnz .o2
    call tmpl1
    jmp .o
.o2:
    call tmpl2
.o:
    add ebp, eax
    inc edx
    cmp edx, 200
    jb .loop
    CHECK ebx, ebp
    ; by hand: even i give 0x11111111 + i (sum of even i < 200 = 9900), odd i 0x22222222 - i (10000)
    CHECK ebx, (100 * 0x33333333 + 9900 - 10000) & 0xFFFFFFFF
    MIX ebx
    END
    ret

tmpl1:
    mov eax, 0x11111111
    add eax, ecx
    ret
tmpl1_end:
tmpl2:
    mov eax, 0x22222222
    sub eax, ecx
    nop
    ret
tmpl2_end:

; ---- an instruction spanning a 4 KiB boundary ---------------------------------------------
SPAN equ codebuf + 0x1000 - 2    ; B8 78 | 56 34 12 C3: mov eax, imm32 / ret
page_span:
    BEGIN "page_span"
    mov word [SPAN], 0x78B8
    mov dword [SPAN + 2], 0xC3123456
    call SPAN
    CHECK eax, 0x12345678
    ; the second half (on the next page) patched: imm = 0x78 | k << 8
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov eax, ecx
    shl eax, 8
    shr eax, 8
    or eax, 0xC3000000
    mov [SPAN + 2], eax          ; 3 immediate bytes and the ret
    call SPAN
    add ebx, eax
    inc ecx
    cmp ecx, 100
    jb .loop
    CHECK ebx, 100 * 0x78 + 256 * 4950
    MIX ebx
    ; the first half patched: imm low byte = k, the high bytes stay 0x000063 (k = 99 above)
    xor ebx, ebx
    xor ecx, ecx
.loop2:
    mov [SPAN + 1], cl
    call SPAN
    add ebx, eax
    inc ecx
    cmp ecx, 100
    jb .loop2
    CHECK ebx, 100 * 0x6300 + 4950
    MIX ebx
    ; the opcode patched: BA = mov edx, imm32
    mov byte [SPAN], 0xBA
    mov edx, 0
    call SPAN
    CHECK edx, 0x00006363
    END
    ret

; ---- REP STOSB overwrites the instructions right after it ---------------------------------
stos_into_block:
    BEGIN "stos_into_block"
    mov esi, .tgt
    mov edi, tgt_copy
    mov ecx, 5
    rep movsb
    xor ebx, ebx
    xor ebp, ebp
.loop:
    mov esi, tgt_copy            ; restore the mov edx, 0xDEADBEEF
    mov edi, .tgt
    mov ecx, 5
    rep movsb
    mov ecx, ebp
    and ecx, 1
    imul ecx, ecx, 5             ; 5 NOPs on odd iterations, none on even ones
    mov edi, .tgt
    mov al, 0x90
    mov edx, 0x1234
    rep stosb
.tgt:
    mov edx, strict dword 0xDEADBEEF
    add ebx, edx
    inc ebp
    cmp ebp, 10
    jb .loop
    CHECK ebx, (5 * 0xDEADBEEF + 5 * 0x1234) & 0xFFFFFFFF
    MIX ebx
    END
    ret

; ---- data sharing the page with running code ----------------------------------------------
align 64
data_on_code:
    BEGIN "data_on_code"
    mov dword [.counter], 0
    mov dword [.sum], 0
    xor ecx, ecx
.loop:
    inc dword [.counter]
    add [.sum], ecx
    mov [.last], ecx
    inc ecx
    cmp ecx, 10000
    jb .loop
    CHECK [.counter], 10000
    CHECK [.sum], 9999 * 10000 / 2
    CHECK [.last], 9999
    MIX [.sum]
    ; a string store to the same page
    mov edi, .buf
    mov ecx, 16
    mov eax, 0x5A5A5A5A
    rep stosd
    CHECK [.buf + 60], 0x5A5A5A5A
    END
    ret
align 4
.counter: dd 0
.sum:     dd 0
.last:    dd 0
.buf:     times 16 dd 0

section .bss
alignb 4
tgt_copy: resb 8

section .bss.code nobits alloc exec write align=4096
codebuf: resb 8192
