; Nanobenchmark "syscall": N system calls from ring 3, each INT 0x80 through a DPL-3 interrupt
; gate to a ring-0 handler on the TSS stack and IRET back. sum = sum of the EAX arguments.
%include "nano.inc"

section .text
main:
    call nano_setup
    GATE 0x80, syscall_handler, INT_GATE | DPL3
    push dword user_loop
    call nano_ring3
    mov eax, [nano_n]
    mov ecx, eax
    dec ecx
    mul ecx
    shrd eax, edx, 1                         ; 0 + 1 + ... + N-1, mod 2^32
    REPORT "syscall", eax
    ret

; ring 3: EAX = N-1 .. 0 for the calls to count, then EAX = -1 goes back to the kernel
user_loop:
    mov ecx, [nano_n]
.loop:
    lea eax, [ecx - 1]
    int 0x80
    dec ecx
    jnz .loop
    mov eax, -1
    int 0x80

syscall_handler:
    cmp eax, -1
    je .exit
    inc dword [nano_count]
    add [nano_sum], eax
    iretd
.exit:
    jmp [nano_resume]
