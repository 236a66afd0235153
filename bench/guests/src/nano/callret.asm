; Nanobenchmark "callret": N near calls to a function that only returns. sum = the value the
; callee leaves in EAX each time (its return address), summed.
%include "nano.inc"

section .text
main:
    call nano_setup
    mov ecx, [nano_n]
    xor ebx, ebx
.loop:
    call leaf
.after:
    add ebx, eax
    dec ecx
    jnz .loop
    mov [nano_sum], ebx
    mov eax, [nano_n]
    mov [nano_count], eax
    imul eax, eax, .after
    REPORT "callret", eax
    ret

leaf:
    mov eax, [esp]
    ret
