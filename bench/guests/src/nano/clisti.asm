; Nanobenchmark "clisti" (for A&A's cr8wr, which is x86-64 only): N `cli; sti` pairs in ring 0
; with both PICs masked. sum = EFLAGS.IF after each pair, summed (N * 0x200).
%include "nano.inc"

section .text
main:
    call nano_setup
    mov ecx, [nano_n]
    xor ebx, ebx
.loop:
    cli
    sti
    pushfd
    pop eax
    and eax, 0x200
    add ebx, eax
    dec ecx
    jnz .loop
    cli
    mov [nano_sum], ebx
    mov eax, [nano_n]
    mov [nano_count], eax
    shl eax, 9
    REPORT "clisti", eax
    ret
