; Many page-fault round trips and PTE edits (a workload for benchmarks as much as a test):
; 5,000 read-modify-writes each faulting on a freshly unmapped page and restarted after the
; #PF handler maps it (alternately to two frames), then 20,000 PTE edits each followed by
; INVLPG and a read through the new mapping. Expected values are derived by hand.
%include "rt.inc"
%include "kern.inc"

VC equ 0x00C00000                ; PDE 3 -> pt_c, slot 0 is the page under test
ROUNDS equ 5000
EDITS  equ 20000

section .text
main:
    call kern_setup
    call paging_init
    mov dword [pd0 + 3 * 4], pt_c + (PG_P | PG_W)
    call paging_on
    call roundtrips
    call pte_edits
    call rt_result
    ret

roundtrips:
    BEGIN "pf_roundtrip"
    mov dword [ev_count], 0
    mov dword [demand_flags], PG_P | PG_W
    mov dword [pf_mode], PF_DEMAND
    xor ecx, ecx
.loop:
    mov dword [pt_c], 0
    invlpg [VC]
    mov eax, frame_a
    test cl, 1
    jz .even
    mov eax, frame_b
.even:
    mov [demand_next], eax
    mov edx, ecx
    and edx, 0x3FF
.rmw:
    add dword [VC + edx * 4], 1      ; faults, the handler maps the page, it restarts
    inc ecx
    cmp ecx, ROUNDS
    jb .loop
    mov dword [pf_mode], PF_RESUME
    CHECK [ev_count], ROUNDS
    ; W/R of a read-modify-write that faults on a not-present page: QEMU reports the read
    ; (0), some processors the write (2); masked out here
    and dword [ev_log + EV_ERR], ~2
    and dword [ev_log + 63 * 32 + EV_ERR], ~2
    EXPECT_PF 0, 0, VC, .rmw, K_CODE
    EXPECT_PF 63, 0, VC + 63 * 4, .rmw, K_CODE
    ; each frame took ROUNDS / 2 increments; word 0 of frame_a: i = 0, 1024, ..., 4096
    mov esi, frame_a
    call sum_frame
    CHECK eax, ROUNDS / 2
    mov esi, frame_b
    call sum_frame
    CHECK eax, ROUNDS / 2
    CHECK [frame_a], 5
    CHECK [frame_b + 4], 5
    CHECK [frame_b + 1023 * 4], 4    ; i = 1023, 2047, 3071, 4095
    MIX [frame_a + 8]
    MIX [frame_b + 12]
    END
    ret

; EAX = sum of the 1024 dwords at ESI
sum_frame:
    push ecx
    push esi
    xor eax, eax
    mov ecx, 1024
.add:
    add eax, [esi]
    add esi, 4
    loop .add
    pop esi
    pop ecx
    ret

pte_edits:
    BEGIN "pte_edit"
    mov dword [frame_a + 0x80], 1
    mov dword [frame_b + 0x80], 0x10000
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov eax, frame_a + (PG_P | PG_W)
    test cl, 1
    jz .even
    mov eax, frame_b + (PG_P | PG_W)
.even:
    mov [pt_c], eax
    invlpg [VC]
    add ebx, [VC + 0x80]
    inc ecx
    cmp ecx, EDITS
    jb .loop
    CHECK ebx, EDITS / 2 * 0x10001
    MIX ebx
    END
    ret

section .text.user progbits alloc exec nowrite align=4096
user_text_start:
    ud2                              ; no ring-3 task here
align 4096, db 0xCC
user_text_end:

section .bss.pages
pt_c:    resb 4096
frame_a: resb 4096
frame_b: resb 4096
