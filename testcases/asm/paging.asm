; 32-bit paging (no PAE): 4 KiB page tables and 4 MiB PSE pages, aliases of one frame,
; Accessed/Dirty bits, #PF with CR2 and the error code (not present, read-only with
; CR0.WP = 1 and 0, user/supervisor, instruction fetch), demand paging from the #PF handler
; (plain stores, REP STOSD, a fetch spanning two pages), CR3 switches, INVLPG and CR4.PGE,
; and a ring-3 task making INT 0x80 system calls with paging on.
; Expected values follow SDM Vol. 3 chapter 4 (4.3, 4.7 page-fault error code, 4.8 A/D).
%include "rt.inc"
%include "kern.inc"

VC equ 0x00C00000                ; PDE 3 -> pt_c: one 4 KiB page per test (slots below)
VD equ 0x01000000                ; PDE 4 -> pt_d: empty, filled by the demand handler
; pt_c slots
S_A1   equ 0                     ; -> frame_a
S_A2   equ 1                     ; -> frame_a
S_AD   equ 2                     ; -> frame_b, A/D tests
S_RO   equ 3                     ; -> frame_b, supervisor read-only
S_INV  equ 4                     ; INVLPG tests
S_NP   equ 5                     ; never present
S_NX   equ 6                     ; never present (instruction fetch)
S_CODE equ 7                     ; -> frame_c, code
S_CODE2 equ 8                    ; not present, then demand-mapped to frame_d
S_URO  equ 9                     ; -> user_ro, user read-only
S_URW  equ 10                    ; -> user_rw, user writable

%define VA(slot) (VC + (slot) * 0x1000)
%define PTE_C(slot) [pt_c + (slot) * 4]

; SLOT slot, frame, flags: set pt_c[slot] and invalidate its TLB entry
%macro SLOT 3
    mov dword PTE_C(%1), %2 + (%3)
    invlpg [VA(%1)]
%endmacro

section .text
main:
    call kern_setup
    call paging_init
    mov dword [pd0 + 1 * 4], 0x400000 | PG_PS | PG_P | PG_W      ; 4-8 MiB identity
    mov dword [pd0 + 2 * 4], 0x400000 | PG_PS | PG_P | PG_W      ; 8-12 MiB -> 4-8 MiB
    mov dword [pd0 + 3 * 4], pt_c + (PG_P | PG_W | PG_U)
    mov dword [pd0 + 4 * 4], pt_d + (PG_P | PG_W)
    call enable_tests
    call alias_tests
    call ad_tests
    call pf_tests
    call demand_tests
    call cr3_tests
    call invlpg_tests
    call ring3_tests
    call rt_result
    ret

; ---- paging on, 4 KiB and 4 MiB pages -----------------------------------------------------
enable_tests:
    BEGIN "enable"
    mov dword [frame_a], 0x11111111
    mov dword [0x401234], 0
    call paging_on
    mov eax, cr0
    and eax, CR0_PG | CR0_WP | 1
    CHECK eax, CR0_PG | 1
    mov eax, cr4
    CHECK eax, CR4_PSE
    mov eax, cr3
    CHECK eax, pd0
    CHECK [frame_a], 0x11111111              ; through PT0
    mov dword [frame_a + 4], 0x22222222
    CHECK [frame_a + 4], 0x22222222
        mov dword [0x401234], 0xCAFE0001         ; PSE identity, read through the PSE alias
    CHECK [0x801234], 0xCAFE0001
    mov dword [0x8017FC], 0xCAFE0002
    CHECK [0x4017FC], 0xCAFE0002
    MIX [0x401234]
    ; a dword across the PDE 1 / PDE 2 boundary: physical 0x7FFFFE..F then 0x400000..1
    mov dword [0x7FFFFE], 0x44332211
    movzx eax, word [0x7FFFFE]
    CHECK eax, 0x2211
    movzx eax, word [0x400000]
    CHECK eax, 0x4433
    CHECK [0x7FFFFE], 0x44332211
    movzx eax, word [0xBFFFFE]               ; physical 0x7FFFFE through PDE 2
    CHECK eax, 0x2211
    END
    ret

; mixes the error code, CR2 and EIP of every logged fault into the group checksum
sum_log:
    pushad
    mov ecx, [ev_count]
    cmp ecx, EV_MAX
    jbe .n
    mov ecx, EV_MAX
.n:
    mov esi, ev_log
    jecxz .done
.next:
    MIX [esi + EV_ERR]
    MIX [esi + EV_CR2]
    MIX [esi + EV_EIP]
    add esi, 32
    loop .next
.done:
    popad
    ret

; ---- two virtual pages, one frame ---------------------------------------------------------
alias_tests:
    BEGIN "alias"
    SLOT S_A1, frame_a, PG_P | PG_W
    SLOT S_A2, frame_a, PG_P | PG_W
    mov dword [VA(S_A1) + 0x100], 0x5A5A0001
    CHECK [VA(S_A2) + 0x100], 0x5A5A0001
    CHECK [frame_a + 0x100], 0x5A5A0001
    mov dword [frame_a + 0x200], 0x5A5A0002
    CHECK [VA(S_A1) + 0x200], 0x5A5A0002
    CHECK [VA(S_A2) + 0x200], 0x5A5A0002
    mov byte [VA(S_A2) + 0x201], 0x77
    CHECK [VA(S_A1) + 0x200], 0x5A5A7702
    ; a dword across the slot 0 / slot 1 boundary: frame_a + 0xFFE..F, then frame_a + 0..1
    mov dword [VA(S_A1) + 0xFFE], 0xD4C3B2A1
    movzx eax, word [frame_a + 0xFFE]
    CHECK eax, 0xB2A1
    movzx eax, word [frame_a]
    CHECK eax, 0xD4C3
    CHECK [VA(S_A1) + 0xFFE], 0xD4C3B2A1
    ; a string copy from one alias to the other inside the frame
    lea esi, [VA(S_A1) + 0x100]
    lea edi, [VA(S_A2) + 0x300]
    mov ecx, 0x41                            ; frame_a + 0x100..0x203 -> + 0x300..0x403
    rep movsd
    CHECK [frame_a + 0x300], 0x5A5A0001
    CHECK [frame_a + 0x400], 0x5A5A7702
    MIX [VA(S_A2) + 0x3FC]
    MIX [VA(S_A1) + 0xFFC]
    END
    ret

; ---- Accessed and Dirty bits (SDM 4.8) ----------------------------------------------------
ad_tests:
    BEGIN "accessed_dirty"
    SLOT S_AD, frame_b, PG_P | PG_W
    and dword [pd0 + 3 * 4], ~(PG_A | PG_D)
    invlpg [VA(S_AD)]
    mov eax, [VA(S_AD)]                      ; a read sets A in the PDE and the PTE
    mov eax, PTE_C(S_AD)
    CHECK eax, frame_b + (PG_P | PG_W | PG_A)
    mov eax, [pd0 + 3 * 4]
    and eax, PG_A | PG_D
    CHECK eax, PG_A
    mov dword [VA(S_AD) + 4], 1              ; a write sets D in the PTE only
    mov eax, PTE_C(S_AD)
    CHECK eax, frame_b + (PG_P | PG_W | PG_A | PG_D)
    mov eax, [pd0 + 3 * 4]
    and eax, PG_A | PG_D
    CHECK eax, PG_A
    ; the first access a write: A and D together
    SLOT S_AD, frame_b, PG_P | PG_W
    and dword [pd0 + 3 * 4], ~(PG_A | PG_D)
    invlpg [VA(S_AD)]
    mov dword [VA(S_AD) + 8], 2
    mov eax, PTE_C(S_AD)
    CHECK eax, frame_b + (PG_P | PG_W | PG_A | PG_D)
    mov eax, [pd0 + 3 * 4]
    and eax, PG_A | PG_D
    CHECK eax, PG_A
    ; a 4 MiB page: A and D live in the PDE
    and dword [pd0 + 2 * 4], ~(PG_A | PG_D)
    invlpg [0x800000]
    mov eax, [0x800010]
    CHECK [pd0 + 2 * 4], 0x400000 | PG_PS | PG_P | PG_W | PG_A
    mov [0x800010], eax
    CHECK [pd0 + 2 * 4], 0x400000 | PG_PS | PG_P | PG_W | PG_A | PG_D
    ; a fault sets neither: a write to a not-present entry leaves it 0
    mov dword [resume], .after
    mov dword [ev_count], 0
    mov dword [VA(S_NP)], 1
.after:
    CHECK PTE_C(S_NP), 0
    CHECK [ev_count], 1
    call sum_log
    END
    ret

; ---- #PF in ring 0: CR2, error code, saved EIP --------------------------------------------
pf_tests:
    BEGIN "pf_ring0"
    mov dword [ev_count], 0
    mov dword [pf_mode], PF_RESUME
    SLOT S_RO, frame_b, PG_P
    SLOT S_CODE, frame_c, PG_P | PG_W
    mov dword [resume], .r1
    mov eax, 0x77
.f1:
    add eax, [VA(S_NP)]                      ; read, not present: err 0
.r1:
    CHECK eax, 0x77
    EXPECT_PF 0, 0, VA(S_NP), .f1, K_CODE
    mov dword [resume], .r2
.f2:
    mov dword [VA(S_NP) + 0xFFC], 1          ; write, not present: err W
.r2:
    EXPECT_PF 1, 2, VA(S_NP) + 0xFFC, .f2, K_CODE
    mov dword [resume], .r3
.f3:
    mov dword [VA(S_CODE) + 0xFFE], 0x12345678  ; second half not present: CR2 = its page
.r3:
    EXPECT_PF 2, 2, VA(S_CODE2), .f3, K_CODE
    ; CR0.WP = 1: a ring-0 write to a read-only page faults (err P|W)
    mov eax, cr0
    or eax, CR0_WP
    mov cr0, eax
    mov eax, cr3
    mov cr3, eax
    mov dword [frame_b + 0x10], 0x1111
    mov dword [resume], .r4
.f4:
    mov dword [VA(S_RO) + 0x10], 0x2222
.r4:
    EXPECT_PF 3, 3, VA(S_RO) + 0x10, .f4, K_CODE
    CHECK [frame_b + 0x10], 0x1111
    CHECK [VA(S_RO) + 0x10], 0x1111          ; reading it is fine
    ; CR0.WP = 0: the same write succeeds
    mov eax, cr0
    and eax, ~CR0_WP
    mov cr0, eax
    mov eax, cr3
    mov cr3, eax
    mov dword [VA(S_RO) + 0x10], 0x3333
    CHECK [frame_b + 0x10], 0x3333
    CHECK [ev_count], 4
    ; instruction fetch from a not-present page: CR2 = EIP = the target
    mov dword [resume], .r5
    mov eax, VA(S_NX)
    jmp eax
.r5:
    EXPECT_PF 4, 0, VA(S_NX), VA(S_NX), K_CODE
    ; an instruction whose last three bytes are on a not-present page: EIP = its start
    mov word [frame_c + 0xFFE], 0x78B8       ; B8 78 | 56 34 12 = mov eax, 0x12345678
    mov dword [resume], .r6
    mov eax, VA(S_CODE) + 0xFFE
    jmp eax
.r6:
    EXPECT_PF 5, 0, VA(S_CODE2), VA(S_CODE) + 0xFFE, K_CODE
    CHECK [ev_count], 6
    call sum_log
    END
    ret

; ---- demand paging: the handler maps the page, the instruction restarts -------------------
demand_tests:
    BEGIN "demand"
    mov dword [ev_count], 0
    mov dword [demand_next], 0x500000
    mov dword [demand_flags], PG_P | PG_W
    mov dword [pf_mode], PF_DEMAND
    ; 16 pages, one store each: value i * 0x01010101 + 0x5A at VD + i * 0x1004
    xor ecx, ecx
.touch:
    imul eax, ecx, 0x01010101
    add eax, 0x5A
    imul edx, ecx, 0x1004
.st:
    mov [VD + edx], eax
    inc ecx
    cmp ecx, 16
    jb .touch
    CHECK [ev_count], 16
    ; each PTE: frame 0x500000 + i * 0x1000, A and D set by the store; data seen through
    ; the 4 MiB identity mapping of those frames
    xor ecx, ecx
.verify:
    mov eax, ecx
    shl eax, 12
    add eax, 0x500000 | PG_P | PG_W | PG_A | PG_D
    CHECK [pt_d + ecx * 4], eax
    imul eax, ecx, 0x01010101
    add eax, 0x5A
    imul edx, ecx, 0x1004
    CHECK [0x500000 + edx], eax
    CHECK [VD + edx], eax
    inc ecx
    cmp ecx, 16
    jb .verify
    CHECK [ev_count], 16
    EXPECT_PF 0, 2, VD, .st, K_CODE
    EXPECT_PF 15, 2, VD + 15 * 0x1004, .st, K_CODE
    ; REP STOSD over three unmapped pages: each fault restarts it with ECX/EDI advanced
    mov edi, VD + 0x10000
    mov ecx, 3 * 1024
    mov eax, 0xA5A5A5A5
.stos:
    rep stosd
    CHECK ecx, 0
    CHECK edi, VD + 0x13000
    CHECK [ev_count], 19
    EXPECT_PF 16, 2, VD + 0x10000, .stos, K_CODE
    EXPECT_PF 17, 2, VD + 0x11000, .stos, K_CODE
    EXPECT_PF 18, 2, VD + 0x12000, .stos, K_CODE
    CHECK [0x510000], 0xA5A5A5A5
    CHECK [0x512FFC], 0xA5A5A5A5
    CHECK [pt_d + 18 * 4], 0x512000 | PG_P | PG_W | PG_A | PG_D
    ; a fetch spanning into a not-present page: mapped to frame_d, the call completes
    mov dword [frame_d], 0xC3123456          ; 56 34 12 | C3 (ret)
    mov dword [demand_next], frame_d
    mov eax, VA(S_CODE) + 0xFFE
    call eax
    CHECK eax, 0x12345678
    CHECK [ev_count], 20
    EXPECT_PF 19, 0, VA(S_CODE2), VA(S_CODE) + 0xFFE, K_CODE
    mov eax, PTE_C(S_CODE2)
    and eax, ~PG_D                           ; D is not defined by a fetch: masked
    CHECK eax, frame_d + (PG_P | PG_W | PG_A)
    mov dword [pf_mode], PF_RESUME
    call sum_log
    END
    ret

; ---- CR3: two page directories map VC to different frames ---------------------------------
cr3_tests:
    BEGIN "cr3_switch"
    mov esi, pd0
    mov edi, pd_b
    mov ecx, 1024
    rep movsd
    mov dword [pd_b + 3 * 4], pt_b + (PG_P | PG_W | PG_U)
    mov dword [pt_b], frame_b + (PG_P | PG_W)
    mov dword [frame_a + 0x40], 0xAAAA0040
    mov dword [frame_b + 0x40], 0xBBBB0040
    mov ebx, 3
.again:
    mov eax, pd_b
    mov cr3, eax
    CHECK [VC + 0x40], 0xBBBB0040
    mov eax, cr3
    CHECK eax, pd_b
    add dword [VC + 0x44], 1                 ; frame_b + 0x44
    mov eax, pd0
    mov cr3, eax
    CHECK [VC + 0x40], 0xAAAA0040
    add dword [VC + 0x44], 0x100             ; frame_a + 0x44
    dec ebx
    jnz .again
    CHECK [frame_b + 0x44], 3
    CHECK [frame_a + 0x44], 0x300
    MIX [frame_b + 0x40]
    mov eax, cr3
    CHECK eax, pd0
    END
    ret

; ---- INVLPG, CR3 reload and global pages --------------------------------------------------
invlpg_tests:
    BEGIN "invlpg"
    mov dword [ev_count], 0
    SLOT S_INV, frame_a, PG_P | PG_W
    CHECK [VA(S_INV) + 0x40], 0xAAAA0040
    mov dword PTE_C(S_INV), frame_b + (PG_P | PG_W)
    invlpg [VA(S_INV)]
    CHECK [VA(S_INV) + 0x40], 0xBBBB0040
    mov dword PTE_C(S_INV), frame_a + (PG_P | PG_W)
    mov eax, cr3
    mov cr3, eax
    CHECK [VA(S_INV) + 0x40], 0xAAAA0040
    ; 1000 PTE edits, each followed by INVLPG and a read of the new frame
    xor ebx, ebx
    xor esi, esi
.edit:
    mov eax, frame_a + (PG_P | PG_W)
    test ebx, 1
    jz .even
    mov eax, frame_b + (PG_P | PG_W)
.even:
    mov PTE_C(S_INV), eax
    invlpg [VA(S_INV)]
    add esi, [VA(S_INV) + 0x40]
    inc ebx
    cmp ebx, 1000
    jb .edit
    CHECK esi, (500 * 0xAAAA0040 + 500 * 0xBBBB0040) & 0xFFFFFFFF
    ; CR4.PGE and a global page: INVLPG drops global entries too
    mov eax, cr4
    or eax, CR4_PGE
    mov cr4, eax
    mov eax, cr4
    CHECK eax, CR4_PSE | CR4_PGE
    SLOT S_INV, frame_b, PG_P | PG_W | PG_G
    CHECK [VA(S_INV) + 0x40], 0xBBBB0040
    SLOT S_INV, frame_a, PG_P | PG_W | PG_G
    CHECK [VA(S_INV) + 0x40], 0xAAAA0040
    ; unmapped: the next access faults
    SLOT S_INV, 0, 0
    mov dword [resume], .r1
.f1:
    mov eax, [VA(S_INV) + 0x40]
.r1:
    EXPECT_PF 0, 0, VA(S_INV) + 0x40, .f1, K_CODE
    mov eax, cr4
    and eax, ~CR4_PGE
    mov cr4, eax
    CHECK [ev_count], 1
    call sum_log
    END
    ret

; ---- a ring-3 task with paging on ---------------------------------------------------------
ring3_tests:
    BEGIN "ring3"
    mov dword [ev_count], 0
    mov dword [u_counter], 0
    mov dword [u_nreport], 0
    mov dword [user_ro], 0x600DF00D
    SLOT S_URO, user_ro, PG_P | PG_U
    SLOT S_URW, user_rw, PG_P | PG_W | PG_U
    push dword user_stack_top
    push dword user_main
    call run_user
    CHECK [u_nreport], 4
    CHECK [u_report], 3                      ; CPL
    CHECK [u_report + 4], 0x600DF00D         ; read of the user read-only page
    CHECK [u_report + 8], 0xBEEF             ; write and read of the user writable page
    CHECK [u_report + 12], 0x1234            ; push/pop on the user stack page
    CHECK [user_rw], 0xBEEF
    CHECK [u_counter], 4950                  ; 100 system calls adding 0..99
    CHECK [ev_count], 7
    EXPECT_PF 0, 5, VA(S_RO), u_f1, U_CODE   ; read of a supervisor page: P|U
    EXPECT_PF 1, 7, VA(S_RO) + 4, u_f2, U_CODE ; write of a supervisor page: P|W|U
    EXPECT_PF 2, 7, VA(S_URO) + 8, u_f3, U_CODE ; write of a user read-only page
    EXPECT_PF 3, 4, VA(S_NP), u_f4, U_CODE   ; read, not present: U
    EXPECT_PF 4, 6, VA(S_NP), u_f5, U_CODE   ; write, not present: W|U
    EXPECT_PF 5, 5, rt_putc, rt_putc, U_CODE ; fetch from a supervisor page
    EXPECT_PF 6, 7, user_main, u_f7, U_CODE  ; write to its own read-only code page
    CHECK [user_ro + 8], 0
    call sum_log
    END
    ret

; SETRES label: system call 7, the kernel resumes the next fault at label
%macro SETRES 1
    mov eax, 7
    mov ebx, %1
    int 0x80
%endmacro
%macro REPORT 1
    mov ebx, %1
    mov eax, 8
    int 0x80
%endmacro

section .text.user progbits alloc exec nowrite align=4096
user_text_start:
user_main:
    mov eax, 2
    int 0x80
    REPORT eax
    mov eax, 5
    mov ebx, u_hello
    int 0x80
    xor esi, esi
.count:
    mov eax, 4
    mov ebx, esi
    int 0x80
    inc esi
    cmp esi, 100
    jb .count
    REPORT [VA(S_URO)]
    mov dword [VA(S_URW)], 0xBEEF
    REPORT [VA(S_URW)]
    push dword 0x1234
    pop ecx
    REPORT ecx
    SETRES u_r1
u_f1:
    mov eax, [VA(S_RO)]
u_r1:
    SETRES u_r2
u_f2:
    mov dword [VA(S_RO) + 4], 1
u_r2:
    SETRES u_r3
u_f3:
    mov dword [VA(S_URO) + 8], 1
u_r3:
    SETRES u_r4
u_f4:
    mov eax, [VA(S_NP)]
u_r4:
    SETRES u_r5
u_f5:
    mov [VA(S_NP)], eax
u_r5:
    SETRES u_r6
    mov eax, rt_putc
    jmp eax
u_r6:
    SETRES u_r7
u_f7:
    mov byte [user_main], 0x90
u_r7:
    mov eax, 3
    int 0x80
u_hello: db "hello from ring 3, paging on", 10, 0
align 4096, db 0xCC
user_text_end:

section .bss.pages
pt_c:    resb 4096
pt_d:    resb 4096
pd_b:    resb 4096
pt_b:    resb 4096
frame_a: resb 4096
frame_b: resb 4096
frame_c: resb 4096
frame_d: resb 4096
user_ro: resb 4096
user_rw: resb 4096
