; Nanobenchmark "ptemod": paging on, N PTE writes + INVLPG, each followed by a read through the
; page: the PTE of TARGET_GVA alternates between two frames holding 1 and 2, so sum = 3 * N / 2
; (N even) only if every write took effect.
%include "nano.inc"

PTE equ nano_pt0 + 4096                      ; PTE of TARGET_GVA

section .text
main:
    call nano_setup
    call nano_paging_on
    mov dword [frame_a], 1
    mov dword [frame_b], 2
    mov esi, frame_a + 0x007
    mov edi, frame_b + 0x007
    mov ecx, [nano_n]
    xor ebx, ebx
.loop:
    mov [PTE], esi
    invlpg [TARGET_GVA]
    add ebx, [TARGET_GVA]
    xchg esi, edi
    dec ecx
    jnz .loop
    mov [nano_sum], ebx
    mov eax, [nano_n]
    mov [nano_count], eax
    mov ecx, eax
    shr ecx, 1
    add eax, ecx                             ; 3 * N / 2
    REPORT "ptemod", eax
    ret

section .data
align 4096
frame_a: dd 0
align 4096
frame_b: dd 0
