; Nanobenchmark "divzero": N `div ecx` with ECX = 0; the #DE handler counts, adds the saved EIP's
; distance from the div to sum and resumes after the 2-byte instruction.
%include "nano.inc"

section .text
main:
    call nano_setup
    GATE 0, de_handler, INT_GATE
    mov esi, [nano_n]
    xor ecx, ecx
.loop:
    mov eax, esi
    xor edx, edx
.div:
    div ecx                                  ; F7 F1
    dec esi
    jnz .loop
    REPORT "divzero", 0
    ret

de_handler:
    inc dword [nano_count]
    mov eax, [esp]                           ; EIP of the faulting div
    sub eax, main.div
    add [nano_sum], eax
    add dword [esp], 2
    iretd
