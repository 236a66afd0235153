; Nanobenchmark "pgfault": paging on, N reads of a page that is not present; the #PF handler
; checks CR2, sets P in the PTE and returns, the read is retried and succeeds, and the loop
; clears P again (PTE write + INVLPG): one fault, one handler, one unmap per iteration.
; sum = what the reads returned (the page's first dword, 1 each time) plus CR2 mismatches << 16.
%include "nano.inc"

PTE equ nano_pt0 + 4096                      ; PTE of TARGET_GVA

section .text
main:
    call nano_setup
    GATE 14, pf_handler, INT_GATE
    call nano_paging_on
    mov dword [target_frame], 1
    mov eax, target_frame
    or eax, 0x006                            ; R/W, U/S, not present
    mov [PTE], eax
    invlpg [TARGET_GVA]
    mov ecx, [nano_n]
    xor ebx, ebx
.loop:
    add ebx, [TARGET_GVA]                    ; faults, then retried
    and dword [PTE], ~1
    invlpg [TARGET_GVA]
    dec ecx
    jnz .loop
    add [nano_sum], ebx
    REPORT "pgfault", [nano_n]
    ret

pf_handler:
    push eax
    inc dword [nano_count]
    mov eax, cr2
    cmp eax, TARGET_GVA
    je .ok
    add dword [nano_sum], 0x10000
.ok:
    or dword [PTE], 1
    pop eax
    add esp, 4                               ; error code
    iretd

section .data
align 4096
target_frame: dd 0
