; Nanobenchmark "pushf": N `pushfd; popfd` pairs in ring 0. count = the loop iterations, sum = ECX
; after the loop (0).
%include "nano.inc"

section .text
main:
    call nano_setup
    mov ecx, [nano_n]
    xor ebx, ebx
.loop:
    pushfd
    popfd
    inc ebx
    dec ecx
    jnz .loop
    mov [nano_count], ebx
    mov [nano_sum], ecx
    REPORT "pushf", 0
    ret
