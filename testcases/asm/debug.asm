; Single-step debug exceptions (#DB from EFLAGS.TF): TF set by POPF (the first trap comes after
; the instruction following the POPF), by IRET (after the first instruction at the target), the
; POPF that clears TF still traps; each trap's saved EIP is the next instruction, DR6.BS is set,
; the saved EFLAGS has TF and the handler (interrupt gate) runs with TF clear. The MOV SS and POP SS
; shadow: the trap due after them is taken after the following instruction instead.
%include "rt.inc"
%include "ring.inc"

DR6_BS equ 0x4000

; CHECK_STEP n, eip[, tf]: event n is a single-step trap before `eip`; the saved EFLAGS has TF
; unless the stepped instruction cleared it (tf = 0)
%macro CHECK_STEP 2-3 F_TF
    CHECK [ev_log + (%1) * 32 + EV_VEC], 1
    CHECK [ev_log + (%1) * 32 + EV_EIP], %2
    CHECK [ev_log + (%1) * 32 + EV_CS], K_CODE
    mov eax, [ev_log + (%1) * 32 + EV_DR6]
    and eax, DR6_BS | 0xF        ; BS, and no breakpoint condition B0-B3
    CHECK eax, DR6_BS
    mov eax, [ev_log + (%1) * 32 + EV_FLAGS]
    and eax, F_TF
    CHECK eax, %3
    MIX [ev_log + (%1) * 32 + EV_VEC]
%endmacro

section .text
main:
    call kern_setup
    xor eax, eax
    mov dr6, eax
    call popf_group
    call iret_group
    call movss_group
    call rt_result
    ret

popf_group:
    BEGIN "popf_tf"
    call clear_events
    pushfd
    or dword [esp], F_TF
    popfd                        ; TF was 0 when POPF started: no trap after it
.a: nop
.b: mov eax, 1
.c: add eax, eax
.d: pushfd
.e: and dword [esp], ~F_TF
.f: popfd                        ; TF was 1 when this POPF started: it traps
.g: nop
    CHECK eax, 2                 ; the stepped instructions ran once each
    CHECK [ev_n], 6
    CHECK_STEP 0, .b
    CHECK_STEP 1, .c
    CHECK_STEP 2, .d
    CHECK_STEP 3, .e
    CHECK_STEP 4, .f
    CHECK_STEP 5, .g, 0
    END
    ret

iret_group:
    BEGIN "iret_tf"
    call clear_events
    pushfd
    or dword [esp], F_TF
    push dword K_CODE
    push dword .t0
    iretd
.t0: mov ecx, 5
.t1: dec ecx                     ; a loop: every iteration is stepped
.t2: jnz .t1
.t3: pushfd
.t4: and dword [esp], ~F_TF
.t5: popfd
.t6: nop
    CHECK [ev_n], 14             ; .t0, 5 x (.t1 .t2), .t3 .t4 .t5
    CHECK_STEP 0, .t1
    CHECK_STEP 1, .t2
    CHECK_STEP 2, .t1
    CHECK_STEP 9, .t2
    CHECK_STEP 10, .t3           ; the last JNZ falls through
    CHECK_STEP 11, .t4
    CHECK_STEP 13, .t6, 0
    CHECK [ev_log + 8 * 32 + EV_EIP], .t1
    END
    ret

movss_group:
    BEGIN "mov_ss_shadow"
    call clear_events
    mov ax, ss
    pushfd
    or dword [esp], F_TF
    popfd
.a: nop
.b: mov ss, ax                   ; no trap after MOV SS ...
.c: nop                          ; ... one after the next instruction
.d: nop
.e: push ss
.f: pop ss                       ; the same for POP SS
.g: nop
.h: pushfd
    and dword [esp], ~F_TF
    popfd
    CHECK [ev_n], 8              ; after .a .c .d .e .g .h, the AND and the POPF
    CHECK_STEP 0, .b
    CHECK_STEP 1, .d
    CHECK_STEP 2, .e
    CHECK_STEP 3, .f
    CHECK_STEP 4, .h
    END
    ret
