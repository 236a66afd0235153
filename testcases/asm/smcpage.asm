; Self-modifying code with paging on: code written through one virtual alias of a frame and
; run through another, an instruction spanning two virtual pages whose frames are not
; adjacent (second half patched through the identity mapping), one virtual code page
; remapped to other frames (PTE + INVLPG, CR3 switch), and ring-3 code patched by the
; kernel through a supervisor alias between runs of the task.
; Expected values are derived by hand (see the comments).
%include "rt.inc"
%include "kern.inc"

VC equ 0x00C00000                ; PDE 3 -> pt_c
S_X    equ 0                     ; -> frame_a: run
S_W    equ 1                     ; -> frame_a: write
S_LO   equ 2                     ; -> frame_c \ one instruction across the two,
S_HI   equ 3                     ; -> frame_b / frames in reverse order
S_RE   equ 4                     ; -> frame_a / frame_b / frame_c: remapped code
S_UA   equ 5                     ; -> the ring-3 code page, supervisor writable

%define VA(slot) (VC + (slot) * 0x1000)
%define PTE_C(slot) [pt_c + (slot) * 4]

%macro SLOT 3
    mov dword PTE_C(%1), %2 + (%3)
    invlpg [VA(%1)]
%endmacro

section .text
main:
    call kern_setup
    call paging_init
    mov dword [pd0 + 3 * 4], pt_c + (PG_P | PG_W | PG_U)
    call paging_on
    call alias_code
    call span_alias
    call remap_code
    call user_code
    call rt_result
    ret

; ---- written through S_W, run through S_X -------------------------------------------------
; template at + 0x10: B8 imm32 (mov eax, imm) / 01 C8 (add eax, ecx) / C3 (ret)
alias_code:
    BEGIN "alias_code"
    SLOT S_X, frame_a, PG_P
    SLOT S_W, frame_a, PG_P | PG_W
    mov dword [VA(S_W) + 0x10], 0x000000B8
    mov dword [VA(S_W) + 0x14], 0xC3C80100
    mov ecx, 5
    call VA(S_X) + 0x10
    CHECK eax, 5
    ; 1000 calls, the immediate rewritten through S_W every 100: imm = k * 0x10000
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov eax, ecx
    xor edx, edx
    mov esi, 100
    div esi
    test edx, edx
    jnz .run
    shl eax, 16
    mov [VA(S_W) + 0x11], eax
.run:
    call VA(S_X) + 0x10
    add ebx, eax
    inc ecx
    cmp ecx, 1000
    jb .loop
    ; sum of i (499500) + 100 * 0x10000 * (0 + 1 + ... + 9)
    CHECK ebx, 499500 + 100 * 0x10000 * 45
    MIX ebx
    ; the same through the identity mapping of frame_a: 01 C8 becomes 29 C8 (sub)
    mov byte [frame_a + 0x15], 0x29
    mov ecx, 3
    call VA(S_X) + 0x10
    CHECK eax, 9 * 0x10000 - 3
    END
    ret

; ---- one instruction across two pages whose frames are not adjacent -----------------------
SPAN equ VA(S_HI) - 2            ; B8 78 | 56 34 12 C3
span_alias:
    BEGIN "span_alias"
    SLOT S_LO, frame_c, PG_P | PG_W
    SLOT S_HI, frame_b, PG_P | PG_W
    mov word [frame_c + 0xFFE], 0x78B8
    mov dword [frame_b], 0xC3123456
    call SPAN
    CHECK eax, 0x12345678
    ; the second half patched through frame_b's identity mapping: imm = 0x78 | k << 8
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov eax, ecx
    or eax, 0xC3000000
    mov [frame_b], eax
    call SPAN
    add ebx, eax
    inc ecx
    cmp ecx, 100
    jb .loop
    CHECK ebx, 100 * 0x78 + 256 * 4950
    MIX ebx
    ; the first half patched through the virtual page itself
    mov byte [SPAN + 1], 0x01
    call SPAN
    CHECK eax, 99 * 0x100 + 1
    END
    ret

; ---- one virtual code page, several frames ------------------------------------------------
; frame_a + 0x20: mov eax, 0xA / ret;  frame_b + 0x20: mov eax, 0xB / ret;  frame_c ... 0xC
remap_code:
    BEGIN "remap_code"
    mov dword [frame_a + 0x20], 0x00000AB8
    mov dword [frame_a + 0x24], 0x0000C300
    mov dword [frame_b + 0x20], 0x00000BB8
    mov dword [frame_b + 0x24], 0x0000C300
    mov dword [frame_c + 0x20], 0x00000CB8
    mov dword [frame_c + 0x24], 0x0000C300
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov eax, ecx
    xor edx, edx
    mov esi, 3
    div esi                      ; edx = i mod 3: frame_a, frame_b, frame_c
    mov eax, [frames + edx * 4]
    or eax, PG_P
    mov PTE_C(S_RE), eax
    invlpg [VA(S_RE)]
    call VA(S_RE) + 0x20
    shl ebx, 4
    or ebx, eax
    inc ecx
    cmp ecx, 6
    jb .loop
    CHECK ebx, 0xABCABC
    MIX ebx
    ; the same virtual page under a second page directory maps frame_c
    mov esi, pd0
    mov edi, pd_b
    mov ecx, 1024
    rep movsd
    mov dword [pd_b + 3 * 4], pt_b + (PG_P | PG_W | PG_U)
    mov dword [pt_b + S_RE * 4], frame_c + PG_P
    SLOT S_RE, frame_a, PG_P
    xor ebx, ebx
    mov ecx, 3
.cr3:
    mov eax, pd_b
    mov cr3, eax
    call VA(S_RE) + 0x20
    shl ebx, 4
    or ebx, eax
    mov eax, pd0
    mov cr3, eax
    call VA(S_RE) + 0x20
    shl ebx, 4
    or ebx, eax
    dec ecx
    jnz .cr3
    CHECK ebx, 0xCACACA
    MIX ebx
    END
    ret

; ---- ring-3 code patched by the kernel between runs ---------------------------------------
user_code:
    BEGIN "user_code"
    mov dword [u_nreport], 0
    SLOT S_UA, user_text_start, PG_P | PG_W
    mov ebx, 3
.run:
    imul eax, ebx, 0x01010101
    mov [VA(S_UA) + (u_imm - user_text_start) + 1], eax
    push dword user_stack_top
    push dword user_main
    call run_user
    dec ebx
    jnz .run
    CHECK [u_nreport], 3
    CHECK [u_report], 0x03030303
    CHECK [u_report + 4], 0x02020202
    CHECK [u_report + 8], 0x01010101
    MIX [u_report]
    END
    ret

section .rodata
align 4
frames: dd frame_a, frame_b, frame_c

section .text.user progbits alloc exec nowrite align=4096
user_text_start:
user_main:
u_imm:
    mov ebx, strict dword 0
    mov eax, 8
    int 0x80                     ; report(EBX)
    mov eax, 3
    int 0x80                     ; back to the kernel
align 4096, db 0xCC
user_text_end:

section .bss.pages
pt_c:    resb 4096
pd_b:    resb 4096
pt_b:    resb 4096
frame_a: resb 4096
frame_b: resb 4096
frame_c: resb 4096
