; Nanobenchmark "in": N reads of the UART's line status register (port 0x3FD, QEMU reads 0x60:
; transmitter empty) with `in al, dx` in ring 0. sum = sum of the bytes read.
%include "nano.inc"

section .text
main:
    call nano_setup
    mov ecx, [nano_n]
    xor ebx, ebx
    mov dx, 0x3FD
    xor eax, eax
.loop:
    in al, dx
    add ebx, eax
    dec ecx
    jnz .loop
    mov [nano_sum], ebx
    mov eax, [nano_n]
    mov [nano_count], eax
    imul eax, eax, 0x60
    REPORT "in", eax
    ret
