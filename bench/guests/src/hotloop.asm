; Hot integer loop (no memory access in the loop): ITERS iterations of 6 instructions.
; Prints the three accumulators; exit value 0.
%include "rt.inc"

section .text
main:
    push ebx
    xor eax, eax
    mov ebx, 1
    mov edx, 0x12345678
    mov ecx, ITERS
.loop:
    add eax, ecx
    xor edx, eax
    lea ebx, [ebx + edx * 2]
    rol edx, 3
    dec ecx
    jnz .loop
    push edx
    push ebx
    push eax
    PRINT "hotloop iters="
    push dword ITERS
    call rt_putdec
    PRINT " sum="
    call rt_puthex               ; eax
    PRINT " "
    call rt_puthex               ; ebx
    PRINT " "
    call rt_puthex               ; edx
    PRINT " OK", 10
    pop ebx
    xor eax, eax
    ret
