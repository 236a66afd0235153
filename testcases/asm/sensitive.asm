; The Robin & Irvine sensitive instructions in ring 0 and ring 3: SGDT/SIDT/SLDT/STR/SMSW (register
; and memory forms), LAR/LSL/VERR/VERW over a table of selectors (null, code, data, conforming,
; execute-only, read-only, not present, LDT, TSS busy and available, call gate, interrupt gate,
; RPL above DPL, beyond the GDT and LDT limits), PUSHF showing IOPL, POPF and IRET keeping IOPL and
; IF where the CPL forbids them, CLI/STI/IN/OUT in ring 3 with IOPL 3, IN in ring 3 with IOPL 0.
; Expected values come from the SDM's descriptor formats and the LAR/LSL/VERR/VERW rules (LAR
; returns the descriptor's second dword AND 0x00F0FF00). Every descriptor has its accessed bit set.
%include "rt.inc"
%include "ring.inc"

NONE equ 0xDEADBEEF              ; LAR/LSL leave their destination unchanged when they fail
R    equ 1                       ; VERR sets ZF
W    equ 2                       ; VERW sets ZF

section .text
main:
    call kern_setup
    call setup_descs
    call regs_group
    call probe_group
    call flags0_group
    call user_flags_group
    call user_io_group
    call rt_result
    ret

setup_descs:
    DESC 6, 0x0000FFFF, 0x00CF9F00           ; 0x30 conforming code, DPL 0, readable
    mov eax, ldt                             ; 0x38 LDT, limit 0x0F (two entries)
    shl eax, 16
    or eax, 0x000F
    mov [gdt + 7 * 8], eax
    mov eax, ldt
    mov ecx, eax
    and eax, 0xFF000000
    shr ecx, 16
    and ecx, 0xFF
    or eax, ecx
    or eax, 0x00008200
    mov [gdt + 7 * 8 + 4], eax
    DESC 8, 0x00000FFF, 0x00409300           ; 0x40 data, DPL 0, limit 0xFFF bytes
    DESC 9, 0x0000FFFF, 0x00CF9900           ; 0x48 code, execute-only
    DESC 10, 0x0000FFFF, 0x00CFF100          ; 0x50 data, DPL 3, read-only
    DESC 11, (K_CODE << 16) | 0x5678, 0x1234EC00   ; 0x58 call gate, DPL 3, offset 0x12345678
    DESC 12, 0x0000FFFF, 0x00CF1300          ; 0x60 data, not present
    DESC 13, 0x00000067, 0x00008100          ; 0x68 16-bit TSS, available
    DESC 14, (K_CODE << 16) | 0x5678, 0x12348E00   ; 0x70 interrupt gate (not valid for LAR)
    DESC 15, 0x00000067, 0x00008900          ; 0x78 32-bit TSS, available
    mov ax, 0x38
    lldt ax
    ret

; ---- SGDT SIDT SLDT STR SMSW --------------------------------------------------------------
; store_regs(EDI = 12-dword area): the values the instructions give at the current CPL
store_regs:
    sgdt [edi]                   ; limit (16 bits), base (32 bits)
    sidt [edi + 8]
    mov eax, 0xFFFFFFFF
    sldt eax                     ; 32-bit register: selector zero-extended (P6 and later)
    mov [edi + 16], eax
    mov dword [edi + 20], 0xFFFFFFFF
    sldt [edi + 20]              ; memory: 16 bits written
    mov eax, 0xFFFFFFFF
    str eax
    mov [edi + 24], eax
    mov dword [edi + 28], 0xFFFFFFFF
    str [edi + 28]
    mov eax, 0xFFFFFFFF
    smsw eax                     ; bits 31-16 undefined: only the low half is checked
    and eax, 0xFFFF
    mov [edi + 32], eax
    mov dword [edi + 36], 0xFFFFFFFF
    smsw [edi + 36]
    ret

%macro CHECK_REGS 1
    movzx eax, word [%1]
    CHECK eax, GDT_N * 8 - 1
    CHECK [%1 + 2], gdt
    movzx eax, word [%1 + 8]
    CHECK eax, 256 * 8 - 1
    CHECK [%1 + 10], idt
    CHECK [%1 + 16], 0x38
    CHECK [%1 + 20], 0xFFFF0038
    CHECK [%1 + 24], TSS_SEL
    CHECK [%1 + 28], 0xFFFF0000 | TSS_SEL
    CHECK [%1 + 32], 0x0011      ; CR0 = PE | ET (QEMU's Multiboot entry)
    CHECK [%1 + 36], 0xFFFF0011
    MIX [%1 + 16]
    MIX [%1 + 24]
    MIX [%1 + 32]
%endmacro

regs_group:
    BEGIN "sgdt_sidt_sldt_str_smsw"
    mov edi, regs0
    call store_regs
    CHECK_REGS regs0
    TO_USER user_regs, 0x0002
    CHECK_REGS regs3
    CHECK [ev_n], 0              ; none of them faults in ring 3
    END
    ret

user_regs:
    mov edi, regs3
    call store_regs
    SYS_RETURN

; ---- LAR LSL VERR VERW --------------------------------------------------------------------
; probe_all(EDI = results): per selector of sel_table, LAR value, LSL value, and
; ZF of LAR | LSL << 1 | VERR << 2 | VERW << 3
probe_all:
    mov esi, sel_table
.next:
    mov ebx, [esi]
    cmp ebx, -1
    je .done
    mov eax, NONE
    xor edx, edx
    lar eax, ebx
    setz dl
    mov [edi], eax
    mov eax, NONE
    lsl eax, ebx
    setz cl
    shl cl, 1
    or dl, cl
    mov [edi + 4], eax
    verr bx
    setz cl
    shl cl, 2
    or dl, cl
    verw bx
    setz cl
    shl cl, 3
    or dl, cl
    mov [edi + 8], edx
    add esi, 28
    add edi, 12
    jmp .next
.done:
    ret

; check_probe(ESI = expected column offset 4 (ring 0) or 16 (ring 3), EDI = results)
check_probe:
    mov ebx, sel_table
.next:
    cmp dword [ebx], -1
    je .done
    mov eax, [ebx + esi]         ; LAR
    CHECK [edi], eax
    mov ecx, [ebx + esi + 4]     ; LSL
    CHECK [edi + 4], ecx
    xor edx, edx                 ; the flags the expected values imply
    cmp eax, NONE
    setne dl
    cmp ecx, NONE
    je .nolsl
    or dl, 2
.nolsl:
    mov eax, [ebx + esi + 8]
    shl eax, 2
    or edx, eax
    CHECK [edi + 8], edx
    MIX [edi]
    MIX [edi + 4]
    MIX [edi + 8]
    add ebx, 28
    add edi, 12
    jmp .next
.done:
    ret

probe_group:
    BEGIN "lar_lsl_verr_verw"
    mov edi, probe0
    call probe_all
    mov esi, 4
    mov edi, probe0
    call check_probe
    TO_USER user_probe, 0x0002
    mov esi, 16
    mov edi, probe3
    call check_probe
    ; the 16-bit form of LAR writes only the low half
    mov eax, 0x12345678
    mov ecx, K_CODE
    lar ax, cx
    CHECK eax, 0x12349B00
    CHECK [ev_n], 0
    END
    ret

user_probe:
    mov edi, probe3
    call probe_all
    SYS_RETURN

; ---- PUSHF POPF IRET: IOPL, IF, AC, ID, RF, VM ----------------------------------------------
flags0_group:
    BEGIN "flags_ring0"
    SETF 0x3002                  ; ring 0 sets IOPL
    pushfd
    pop eax
    CHECK eax, 0x3002
    SETF 0x0202                  ; and IF (both PICs masked: nothing arrives)
    pushfd
    pop eax
    CHECK eax, 0x0202
    SETF F_AC | F_RF | 0x20000 | 0x200000 | 2   ; AC and ID change, RF cleared, VM unaffected
    pushfd
    pop eax
    CHECK eax, F_AC | 0x200000 | 2
    push word 0x0003             ; 16-bit POPF: low half only, AC and ID stay
    popfw
    pushfd
    pop eax
    CHECK eax, F_AC | 0x200000 | 3
    SETF 2
    ; IRET to ring 0 with IOPL 3 and IF
    pushfd
    or dword [esp], 0x3200
    push dword K_CODE
    push dword .back
    iretd
.back:
    pushfd
    pop eax
    CHECK eax, 0x3202
    SETF 2
    END
    ret

user_flags_group:
    BEGIN "flags_ring3"
    TO_USER user_iopl0, 0x0002
    CHECK [u_flags], 0x0002      ; PUSHF in ring 3: IOPL 0, IF 0
    CHECK [u_flags + 4], 0x0003  ; POPF kept IOPL and IF, set CF
    CHECK [u_flags + 8], 0x0082  ; IRET to ring 3 kept IOPL and IF, set SF
    CHECK [u_flags + 12], F_AC | 2   ; AC is not privileged
    TO_USER user_iopl3, 0x3002
    CHECK [u_flags + 16], 0x3002 ; PUSHF shows IOPL 3
    CHECK [u_flags + 20], 0x3202 ; STI
    CHECK [u_flags + 24], 0x3002 ; CLI
    CHECK [u_flags + 28], 0x3203 ; POPF changes IF (CPL <= IOPL) but not IOPL
    CHECK [ev_n], 0
    END
    ret

user_iopl0:
    pushfd
    pop dword [u_flags]
    push dword 0x3203
    popfd
    pushfd
    pop dword [u_flags + 4]
    SETF 2
    pushfd
    or dword [esp], 0x3280
    push dword U_CODE
    push dword .back
    iretd
.back:
    pushfd
    pop dword [u_flags + 8]
    SETF F_AC | 2
    pushfd
    pop dword [u_flags + 12]
    SETF 2
    SYS_RETURN

user_iopl3:
    pushfd
    pop dword [u_flags + 16]
    sti
    pushfd
    pop dword [u_flags + 20]
    cli
    pushfd
    pop dword [u_flags + 24]
    push dword 0x0203
    popfd
    pushfd
    pop dword [u_flags + 28]
    cli
    SYS_RETURN

; ---- IN/OUT from ring 3 -------------------------------------------------------------------
user_io_group:
    BEGIN "io_ring3"
    TO_USER user_io3, 0x3002
    CHECK [u_io], 0xFF           ; master IMR
    CHECK [u_io + 4], 0x60       ; LSR: THR empty, transmitter empty
    CHECK [ev_n], 0
    mov dword [ev_n], 0
    TO_USER user_io0, 0x0002
    CHECK [ev_n], 2
    EXPECT 0, 13, 0, u_in0, U_CODE
    EXPECT 1, 13, 0, u_out0, U_CODE
    CHECK [u_io + 8], 0x12345678 ; the faulting IN left EAX alone
    END
    ret

user_io3:                        ; IOPL 3: every port
    in al, 0x21
    movzx eax, al
    mov [u_io], eax
    mov dx, 0x3FD
    in al, dx
    movzx eax, al
    mov [u_io + 4], eax
    out 0x80, al
    PRINT "ring 3 with IOPL 3 writes to COM1", 10
    SYS_RETURN

user_io0:                        ; IOPL 0, no I/O bitmap in the TSS: #GP(0)
    mov eax, 0x12345678
    RESUME u_in0_end
u_in0:
    in al, 0x21
u_in0_end:
    mov [u_io + 8], eax
    RESUME u_out0_end
u_out0:
    out 0x80, al
u_out0_end:
    SYS_RETURN

section .rodata
align 4
; selector, ring 0: LAR, LSL, R|W, ring 3: LAR, LSL, R|W
sel_table:
    dd 0x00, NONE, NONE, 0, NONE, NONE, 0                           ; null
    dd 0x03, NONE, NONE, 0, NONE, NONE, 0                           ; null, RPL 3
    dd 0x08, 0x00C09B00, 0xFFFFFFFF, R, NONE, NONE, 0               ; ring-0 code
    dd 0x10, 0x00C09300, 0xFFFFFFFF, R|W, NONE, NONE, 0             ; ring-0 data
    dd 0x13, NONE, NONE, 0, NONE, NONE, 0                           ; ring-0 data, RPL 3 > DPL
    dd 0x1B, 0x00C0FB00, 0xFFFFFFFF, R, 0x00C0FB00, 0xFFFFFFFF, R   ; ring-3 code
    dd 0x23, 0x00C0F300, 0xFFFFFFFF, R|W, 0x00C0F300, 0xFFFFFFFF, R|W
    dd 0x28, 0x00008B00, 0x67, 0, NONE, NONE, 0                     ; busy TSS (loaded)
    dd 0x30, 0x00C09F00, 0xFFFFFFFF, R, 0x00C09F00, 0xFFFFFFFF, R   ; conforming: no DPL check
    dd 0x33, 0x00C09F00, 0xFFFFFFFF, R, 0x00C09F00, 0xFFFFFFFF, R
    dd 0x38, 0x00008200, 0x0F, 0, NONE, NONE, 0                     ; LDT
    dd 0x40, 0x00409300, 0x0FFF, R|W, NONE, NONE, 0                 ; byte-granular limit
    dd 0x48, 0x00C09900, 0xFFFFFFFF, 0, NONE, NONE, 0               ; execute-only
    dd 0x53, 0x00C0F100, 0xFFFFFFFF, R, 0x00C0F100, 0xFFFFFFFF, R   ; read-only data
    dd 0x5B, 0x0030EC00, NONE, 0, 0x0030EC00, NONE, 0               ; call gate: no limit
    dd 0x60, 0x00C01300, 0xFFFFFFFF, R|W, NONE, NONE, 0             ; not present: not checked
    dd 0x68, 0x00008100, 0x67, 0, NONE, NONE, 0                     ; 16-bit TSS
    dd 0x70, NONE, NONE, 0, NONE, NONE, 0                           ; interrupt gate
    dd 0x78, 0x00008900, 0x67, 0, NONE, NONE, 0                     ; available 32-bit TSS
    dd 0x100, NONE, NONE, 0, NONE, NONE, 0                          ; beyond the GDT limit
    dd 0xFFF8, NONE, NONE, 0, NONE, NONE, 0
    dd 0x04, 0x00C0F300, 0xFFFFFFFF, R|W, 0x00C0F300, 0xFFFFFFFF, R|W   ; LDT 0: ring-3 data
    dd 0x07, 0x00C0F300, 0xFFFFFFFF, R|W, 0x00C0F300, 0xFFFFFFFF, R|W
    dd 0x0C, 0x00C09B00, 0xFFFFFFFF, R, NONE, NONE, 0               ; LDT 1: ring-0 code
    dd 0x14, NONE, NONE, 0, NONE, NONE, 0                           ; beyond the LDT limit
    dd -1

section .data
align 8
ldt:
    dq 0x00CFF3000000FFFF
    dq 0x00CF9B000000FFFF

section .bss
alignb 4
regs0:  resd 12
regs3:  resd 12
probe0: resd 3 * 32
probe3: resd 3 * 32
u_flags: resd 8
u_io:   resd 4
