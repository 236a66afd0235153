; Stores into page tables and what the next access sees: a PTE remapping a data page (1,000
; times), two PDEs sharing one page table, a PDE pointed at another table and made not
; present, 4 MiB pages (frame changed by dword, word and byte stores, a page table instead),
; stores covering parts of two entries, byte/word stores and read-modify-write instructions
; on entries, the PTE of a code page, a page table whose frame also holds code and a counter,
; and a user page remapped by the kernel and by ring 3 through a user-writable alias of its
; page table. After each change the program runs INVLPG on every page it changed, as the
; architecture requires (btvm needs none: its JIT drops what a store changes at once and runs
; INVLPG as a no-op, which is what this program checks against QEMU).
; The frames are fixed physical pages in 3-4 MiB (identity-mapped by PT0); each data frame
; holds MARK(frame) = frame + 0x5A in its first dword, so a read shows which frame a page
; maps. Expected values are derived by hand (SDM Vol. 3, 4.7: error codes; 4.8: A/D bits).
%include "rt.inc"
%include "kern.inc"

FA equ 0x00300000                ; data frames
FB equ 0x00301000
FC equ 0x00302000
FD equ 0x00303000
FE equ 0x00310000                ; FA + 64 KiB: differs from FA in bits 31:16 only
FF equ 0x00311000
CODE1 equ 0x00320000             ; mov eax, 1 / ret
CODE2 equ 0x00321000             ; mov eax, 2 / ret
PT_A equ 0x003F0000              ; PDE 1 and PDE 2
PT_B equ 0x003F1000              ; PDE 1 now and then, PDE 3 once
PT_C equ 0x003F2000              ; PDE 6; code at + 0x800, a counter at + 0xF00
BIG1 equ 0x00800000              ; 4 MiB frames
BIG2 equ 0x00C00000

VA1 equ 0x00400000               ; PDE 1 -> PT_A
VA2 equ 0x00800000               ; PDE 2 -> PT_A too
VL  equ 0x00C00000               ; PDE 3: 4 MiB page (BIG1 or BIG2) or PT_B
VW1 equ 0x01000000               ; PDE 4: BIG1, never changed
VW2 equ 0x01400000               ; PDE 5: BIG2, never changed
VC  equ 0x01800000               ; PDE 6 -> PT_C

%define MARK(f) ((f) + 0x5A)
%define PTE(t, slot) [(t) + (slot) * 4]

; EXPECT va, frame: count in EDI a read of va that does not show MARK(frame)
%macro EXPECT 2
    cmp dword [%1], MARK(%2)
    je %%ok
    inc edi
%%ok:
%endmacro

section .text
main:
    call kern_setup
    call paging_init
    call tables_init
    call paging_on
    mov eax, cr0
    or eax, CR0_WP                ; supervisor writes respect R/W
    mov cr0, eax
    mov dword [VW1], MARK(BIG1)
    mov dword [VW1 + 0x3FF000], MARK(BIG1 + 0x3FF000)
    mov dword [VW2], MARK(BIG2)
    mov dword [VW2 + 0x3FF000], MARK(BIG2 + 0x3FF000)
    call pte_remap
    call shared_table
    call pde_switch
    call large_page
    call partial
    call code_remap
    call table_code
    call user_remap
    call rt_result
    ret

; zero the tables, write the marks and code, link the PDEs (paging still off)
tables_init:
    pushad
    mov edi, PT_A
    xor eax, eax
    mov ecx, 3 * 1024
    rep stosd
    mov esi, frames
.mark:
    mov eax, [esi]
    test eax, eax
    jz .marked
    lea edx, [eax + 0x5A]
    mov [eax], edx
    add esi, 4
    jmp .mark
.marked:
    mov dword [CODE1], 0x000001B8     ; mov eax, 1
    mov dword [CODE1 + 4], 0xC300     ; (imm32 high byte) ret
    mov dword [CODE2], 0x000002B8
    mov dword [CODE2 + 4], 0xC300
    mov esi, table_fn                 ; the function that lives in PT_C's frame
    mov edi, PT_C + 0x800
    mov ecx, table_fn_end - table_fn
    rep movsb
    mov dword [pd0 + 1 * 4], PT_A + (PG_P | PG_W | PG_U)
    mov dword [pd0 + 2 * 4], PT_A + (PG_P | PG_W | PG_U)
    mov dword [pd0 + 3 * 4], BIG1 + (PG_P | PG_W | PG_PS)
    mov dword [pd0 + 4 * 4], BIG1 + (PG_P | PG_W | PG_PS)
    mov dword [pd0 + 5 * 4], BIG2 + (PG_P | PG_W | PG_PS)
    mov dword [pd0 + 6 * 4], PT_C + (PG_P | PG_W)
    mov dword PTE(PT_B, 0), FC + (PG_P | PG_W)
    mov dword PTE(PT_B, 1), FD + (PG_P | PG_W)
    mov dword PTE(PT_B, 1023), FA + (PG_P | PG_W)
    popad
    ret

table_fn:                             ; copied to PT_C + 0x800
    mov eax, [VC]
    ret
table_fn_end:

; ---- a PTE remapping a data page ----------------------------------------------------------
pte_remap:
    BEGIN "pte_remap"
    xor edi, edi
    xor ecx, ecx
.loop:
    mov dword PTE(PT_A, 0), FA + (PG_P | PG_W)
    invlpg [VA1]
    EXPECT VA1, FA
    mov [VA1 + 8], ecx
    mov dword PTE(PT_A, 0), FB + (PG_P | PG_W)
    invlpg [VA1]
    mov [VA1 + 12], ecx               ; a write first
    EXPECT VA1, FB
    inc ecx
    cmp ecx, 1000
    jb .loop
    CHECK edi, 0
    CHECK [FA + 8], 999
    CHECK [FB + 12], 999
    CHECK [FA + 12], 0
    CHECK [FB + 8], 0
    CHECK PTE(PT_A, 0), FB + 0x63     ; D, A, W, P
    MIX PTE(PT_A, 0)
    MIX [FA + 8]
    END
    ret

; ---- two PDEs sharing a page table --------------------------------------------------------
shared_table:
    BEGIN "shared_table"
    xor edi, edi
    xor ecx, ecx
.loop:
    mov dword PTE(PT_A, 1), FA + (PG_P | PG_W)
    invlpg [VA1 + 0x1000]
    invlpg [VA2 + 0x1000]
    EXPECT VA1 + 0x1000, FA
    EXPECT VA2 + 0x1000, FA
    mov [VA2 + 0x1010], ecx
    mov dword PTE(PT_A, 1), FC + (PG_P | PG_W)
    invlpg [VA1 + 0x1000]
    invlpg [VA2 + 0x1000]
    EXPECT VA2 + 0x1000, FC
    EXPECT VA1 + 0x1000, FC
    mov [VA1 + 0x1014], ecx
    inc ecx
    cmp ecx, 500
    jb .loop
    CHECK edi, 0
    CHECK [FA + 0x10], 499
    CHECK [FC + 0x14], 499
    CHECK [VA2 + 0x1014], 499
    MIX PTE(PT_A, 1)
    MIX [VA1 + 0x1010]
    END
    ret

; ---- a PDE pointed at another table, then not present ------------------------------------
pde_switch:
    BEGIN "pde_switch"
    mov dword [ev_count], 0
    mov dword PTE(PT_A, 0), FA + (PG_P | PG_W)
    mov dword PTE(PT_A, 1), FB + (PG_P | PG_W)
    invlpg [VA1]
    invlpg [VA1 + 0x1000]
    invlpg [VA2]
    invlpg [VA2 + 0x1000]
    xor edi, edi
    xor ecx, ecx
.loop:
    mov dword [pd0 + 1 * 4], PT_B + (PG_P | PG_W | PG_U)
    invlpg [VA1]
    invlpg [VA1 + 0x1000]
    EXPECT VA1, FC
    EXPECT VA1 + 0x1000, FD
    mov dword [pd0 + 1 * 4], PT_A + (PG_P | PG_W | PG_U)
    invlpg [VA1]
    invlpg [VA1 + 0x1000]
    EXPECT VA1, FA
    EXPECT VA1 + 0x1000, FB
    EXPECT VA2 + 0x1000, FB           ; PDE 2 never changed
    inc ecx
    cmp ecx, 300
    jb .loop
    CHECK edi, 0
    ; not present: a read and a write of pages under it fault
    mov dword [pd0 + 1 * 4], PT_B + (PG_W | PG_U)
    invlpg [VA1]
    invlpg [VA1 + 0x1000]
    mov dword [resume], .r1
.f1:
    mov eax, [VA1 + 0x1008]
.r1:
    mov dword [resume], .r2
.f2:
    mov [VA1], eax
.r2:
    EXPECT VA2 + 0x1000, FB
    mov dword [pd0 + 1 * 4], PT_A + (PG_P | PG_W | PG_U)
    invlpg [VA1]
    invlpg [VA1 + 0x1000]
    EXPECT VA1 + 0x1000, FB
    CHECK edi, 0
    CHECK [ev_count], 2
    EXPECT_PF 0, 0, VA1 + 0x1008, .f1, K_CODE
    EXPECT_PF 1, 2, VA1, .f2, K_CODE
    MIX [pd0 + 1 * 4]
    MIX PTE(PT_B, 1)
    END
    ret

; ---- 4 MiB pages --------------------------------------------------------------------------
large_page:
    BEGIN "large_page"
    mov dword [ev_count], 0
    xor edi, edi
    xor ecx, ecx
.loop:
    mov dword [pd0 + 3 * 4], BIG1 + (PG_P | PG_W | PG_PS)
    invlpg [VL]
    invlpg [VL + 0x3FF000]
    EXPECT VL, BIG1
    EXPECT VL + 0x3FF000, BIG1 + 0x3FF000
    mov [VL + 0x10], ecx
    mov dword [pd0 + 3 * 4], BIG2 + (PG_P | PG_W | PG_PS)
    invlpg [VL]
    invlpg [VL + 0x3FF000]
    EXPECT VL + 0x3FF000, BIG2 + 0x3FF000
    EXPECT VL, BIG2
    mov [VL + 0x14], ecx
    mov dword [pd0 + 3 * 4], PT_B + (PG_P | PG_W)   ; a page table instead
    invlpg [VL]
    invlpg [VL + 0x3FF000]
    EXPECT VL, FC
    EXPECT VL + 0x3FF000, FA
    inc ecx
    cmp ecx, 300
    jb .loop
    CHECK edi, 0
    CHECK [VW1 + 0x10], 299
    CHECK [VW2 + 0x14], 299
    CHECK [VW1 + 0x14], 0
    ; byte, word and dword stores into the 4 MiB PDE
    mov dword [pd0 + 3 * 4], BIG2 + (PG_P | PG_W | PG_PS)
    invlpg [VL]
    mov [VL + 0x18], ecx
    CHECK [pd0 + 3 * 4], BIG2 + 0xE3                ; PS, D, A, W, P
    and byte [pd0 + 3 * 4], ~PG_P
    invlpg [VL]
    mov dword [resume], .r1
.f1:
    mov eax, [VL + 0x3FF004]
.r1:
    mov word [pd0 + 3 * 4 + 2], BIG1 >> 16          ; the frame, still not present
    or byte [pd0 + 3 * 4], PG_P
    invlpg [VL]
    invlpg [VL + 0x3FF000]
    EXPECT VL + 0x3FF000, BIG1 + 0x3FF000
    CHECK [pd0 + 3 * 4], BIG1 + 0xE3
    CHECK [VL + 0x18], 0
    CHECK [VW2 + 0x18], 300
    CHECK edi, 0
    CHECK [ev_count], 1
    EXPECT_PF 0, 0, VL + 0x3FF004, .f1, K_CODE
    MIX [pd0 + 3 * 4]
    MIX [VW2 + 0x18]
    END
    ret

; ---- parts of entries, widths, read-modify-write ------------------------------------------
; PT_A slots 4 and 5: pages P4 = VA1 + 0x4000 and P5 = VA1 + 0x5000
P4 equ VA1 + 0x4000
P5 equ VA1 + 0x5000
partial:
    BEGIN "partial"
    mov dword [ev_count], 0
    xor edi, edi
    mov dword PTE(PT_A, 4), FA + (PG_P | PG_W)
    mov dword PTE(PT_A, 5), FC + (PG_P | PG_W)
    mov dword PTE(PT_A, 6), FF + (PG_P | PG_W)
    invlpg [P4]
    invlpg [P5]
    EXPECT P4, FA
    EXPECT P5, FC
    ; a dword at slot 4 + 2: bits 31:16 of slot 4 (FA -> FE), bits 15:0 of slot 5 (FC -> FD)
    mov dword [PT_A + 4 * 4 + 2], 0x30230031
    invlpg [P4]
    invlpg [P5]
    EXPECT P4, FE
    EXPECT P5, FD
    CHECK PTE(PT_A, 4), FE + 0x23
    CHECK PTE(PT_A, 5), FD + 0x23
    ; a byte store clears P of slot 5, another sets it
    mov byte [PT_A + 5 * 4], 0x22
    invlpg [P5]
    mov dword [resume], .r1
.f1:
    mov eax, [P5 + 4]
.r1:
    mov byte [PT_A + 5 * 4], 0x23
    invlpg [P5]
    EXPECT P5, FD
    ; a word store into bits 15:0 of slot 4: FE -> FF
    mov word [PT_A + 4 * 4], 0x1023
    invlpg [P4]
    EXPECT P4, FF
    ; XOR, ADD, SUB move the frame
    xor dword PTE(PT_A, 4), FF ^ FA
    invlpg [P4]
    EXPECT P4, FA
    add dword PTE(PT_A, 4), 0x1000
    invlpg [P4]
    EXPECT P4, FB
    sub word [PT_A + 4 * 4], 0x1000
    invlpg [P4]
    EXPECT P4, FA
    ; AND clears W: a supervisor write faults (CR0.WP); OR sets it again
    mov [P4 + 0x10], edi
    and dword PTE(PT_A, 4), ~PG_W
    invlpg [P4]
    mov dword [resume], .r2
.f2:
    mov dword [P4 + 0x14], 0x5A5A
.r2:
    or byte [PT_A + 4 * 4], PG_W
    invlpg [P4]
    mov dword [P4 + 0x14], 0x1234
    CHECK [FA + 0x14], 0x1234
    ; XCHG, BTR/BTS, LOCK CMPXCHG, XADD
    mov eax, FB + (PG_P | PG_W)
    xchg PTE(PT_A, 5), eax
    invlpg [P5]
    CHECK eax, FD + 0x23
    EXPECT P5, FB
    btr dword PTE(PT_A, 5), 0
    invlpg [P5]
    mov dword [resume], .r3
.f3:
    mov eax, [P5]
.r3:
    bts dword PTE(PT_A, 5), 0
    invlpg [P5]
    EXPECT P5, FB
    mov eax, FB + 0x23
    mov edx, FC + (PG_P | PG_W)
    lock cmpxchg PTE(PT_A, 5), edx
    invlpg [P5]
    CHECK eax, FB + 0x23
    EXPECT P5, FC
    mov eax, 0x1000
    xadd PTE(PT_A, 5), eax
    invlpg [P5]
    CHECK eax, FC + 0x23
    EXPECT P5, FD
    ; REP STOSD over both entries, MOVSD copying slot 6 into slot 4
    push edi
    mov eax, FE + (PG_P | PG_W)
    mov edi, PT_A + 4 * 4
    mov ecx, 2
    rep stosd
    pop edi
    invlpg [P4]
    invlpg [P5]
    EXPECT P4, FE
    EXPECT P5, FE
    push edi
    mov esi, PT_A + 6 * 4
    mov edi, PT_A + 4 * 4
    movsd
    pop edi
    invlpg [P4]
    EXPECT P4, FF
    CHECK edi, 0
    CHECK [ev_count], 3
    EXPECT_PF 0, 0, P5 + 4, .f1, K_CODE
    EXPECT_PF 1, 3, P4 + 0x14, .f2, K_CODE
    EXPECT_PF 2, 0, P5, .f3, K_CODE
    MIX PTE(PT_A, 4)
    MIX PTE(PT_A, 5)
    MIX [P4]
    END
    ret

; ---- the PTE of a code page ----------------------------------------------------------------
code_remap:
    BEGIN "code_remap"
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov dword PTE(PT_A, 8), CODE1 + PG_P
    invlpg [VA1 + 0x8000]
    call VA1 + 0x8000
    add ebx, eax
    mov dword PTE(PT_A, 8), CODE2 + PG_P
    invlpg [VA1 + 0x8000]
    call VA1 + 0x8000
    shl eax, 16
    add ebx, eax
    inc ecx
    cmp ecx, 200
    jb .loop
    CHECK ebx, 200 * 0x20001
    MIX ebx
    MIX PTE(PT_A, 8)
    END
    ret

; ---- a page table whose frame also holds code and data -------------------------------------
table_code:
    BEGIN "table_code"
    xor edi, edi
    xor ebx, ebx
    xor ecx, ecx
.loop:
    mov dword PTE(PT_C, 0), FA + (PG_P | PG_W)
    invlpg [VC]
    call PT_C + 0x800                 ; mov eax, [VC]
    cmp eax, MARK(FA)
    je .a
    inc edi
.a:
    inc dword [PT_C + 0xF00]
    mov dword PTE(PT_C, 0), FD + (PG_P | PG_W)
    invlpg [VC]
    call PT_C + 0x800
    cmp eax, MARK(FD)
    je .d
    inc edi
.d:
    inc ecx
    cmp ecx, 300
    jb .loop
    CHECK edi, 0
    CHECK [PT_C + 0xF00], 300
    MIX PTE(PT_C, 0)
    MIX [PT_C + 0xF00]
    END
    ret

; ---- a user page, remapped by the kernel and from ring 3 -----------------------------------
; slot 12: the user page (VU); slot 13: PT_A itself, user-writable (VT)
VU equ VA1 + 0xC000
VT equ VA1 + 0xD000
user_remap:
    BEGIN "user_remap"
    mov dword [ev_count], 0
    mov dword [u_nreport], 0
    mov dword PTE(PT_A, 13), PT_A + (PG_P | PG_W | PG_U)
    mov dword PTE(PT_A, 12), FA + (PG_P | PG_W | PG_U)
    invlpg [VT]
    invlpg [VU]
    call run_read                     ; FA
    mov dword PTE(PT_A, 12), FB + (PG_P | PG_W | PG_U)
    invlpg [VU]
    call run_read                     ; FB
    push dword user_stack_top
    push dword u_remap                ; ring 3 writes slot 12 -> FC through VT
    call run_user
    invlpg [VU]
    call run_read                     ; FC
    mov dword PTE(PT_A, 12), FA + (PG_P | PG_W)   ; supervisor only
    invlpg [VU]
    call run_read                     ; #PF (U|P), reports 0
    CHECK [u_nreport], 4
    CHECK [u_report], MARK(FA)
    CHECK [u_report + 4], MARK(FB)
    CHECK [u_report + 8], MARK(FC)
    CHECK [u_report + 12], 0
    CHECK PTE(PT_A, 12), FA + (PG_P | PG_W)
    CHECK [ev_count], 1
    EXPECT_PF 0, 5, VU + 8, u_f1, U_CODE
    MIX [u_report + 8]
    MIX PTE(PT_A, 13)
    END
    ret

run_read:
    push dword user_stack_top
    push dword u_read
    call run_user
    ret

section .rodata
align 4
frames: dd FA, FB, FC, FD, FE, FF, 0

section .text.user progbits alloc exec nowrite align=4096
user_text_start:
u_read:                               ; report([VU + 8] ? [VU] : 0)
    mov eax, 7
    mov ebx, u_r1
    int 0x80                          ; resume at u_r1 after a fault
    xor ebx, ebx
u_f1:
    mov eax, [VU + 8]
    mov ebx, [VU]
u_r1:
    mov eax, 8
    int 0x80
    mov eax, 7
    xor ebx, ebx
    int 0x80                          ; no resume point any more
    mov eax, 3
    int 0x80
u_remap:
    mov eax, [VU]                     ; cached for ring 3
    mov dword [VT + 12 * 4], FC + (PG_P | PG_W | PG_U)
    mov eax, 3
    int 0x80
align 4096, db 0xCC
user_text_end:
