; #TS, which idt.asm does not reach: INT 0x80 in ring 3 when the TSS's SS0 is
; unusable (null, RPL or DPL not 0, not a writable data segment, beyond the GDT limit). #TS is
; delivered through a gate to a conforming code segment, so its handler runs in ring 3 on the
; ring-3 stack (the broken SS0 is never needed) and the handler's CS has RPL 3.
; (INT1, opcode F1, is not here: QEMU 7.2 raises #UD for it where the SDM says #DB.)
%include "rt.inc"
%include "ring.inc"

CONF_CODE equ 0x30               ; GDT index 6: conforming code, DPL 0

section .text
main:
    call kern_setup
    DESC 6, 0x0000FFFF, 0x00CF9F00
    DESC 7, 0x0000FFFF, 0x00CF9300           ; 0x38 data, DPL 0 (a good SS0)
    DESC 8, 0x0000FFFF, 0x00CF9100           ; 0x40 read-only data, DPL 0
    DESC 9, 0x0000FFFF, 0x00CF1300           ; 0x48 data, DPL 0, not present
    GATE 12, conf_stub_12, INT_GATE
    mov word [idt + 12 * 8 + 2], CONF_CODE
    GATE 10, conf_stub_10, INT_GATE
    mov word [idt + 10 * 8 + 2], CONF_CODE
    call ts_group
    call rt_result
    ret

; TS_CASE ss0, vector, error: INT 0x80 from ring 3 with SS0 = ss0 faults with vector(error)
%macro TS_CASE 3
    mov dword [tss + 8], %1
    mov dword [ts_want], %2
    mov dword [ts_err], %3
    call ts_one
%endmacro

ts_group:
    BEGIN "ts_ss0"
    TS_CASE 0x00, 10, 0          ; null
    TS_CASE 0x3B, 10, 0x38       ; RPL 3
    TS_CASE K_DATA | 1, 10, K_DATA   ; RPL 1
    TS_CASE U_DATA & ~3, 10, U_DATA & ~3   ; DPL 3
    TS_CASE K_CODE, 10, K_CODE   ; code segment
    TS_CASE 0x40, 10, 0x40       ; read-only data
    TS_CASE TSS_SEL, 10, TSS_SEL ; system segment
    TS_CASE 0x100, 10, 0x100     ; beyond the GDT limit
    ; not here: SS0 = 0x48, not present. The SDM says #SS(0x48); QEMU 7.2 raises #TS(0x48)
    mov dword [tss + 8], 0x38    ; another good SS0: the system call works
    call clear_events
    TO_USER user_sys, 0x0002
    CHECK [ev_n], 1
    EXPECT 0, 0x80, 0, u_sys_next, U_CODE
    CHECK [ev_log + EV_USP], ustack_top
    CHECK [u_done], 1
    mov dword [tss + 8], K_DATA
    END
    ret

; one #TS case: the event, then the handler's CS (RPL 3: it ran in ring 3)
ts_one:
    call clear_events
    mov dword [u_done], 0
    TO_USER user_ts, 0x0002
    mov dword [tss + 8], K_DATA
    CHECK [ev_n], 1
    EXPECT 0, [ts_want], [ts_err], u_ts_int, U_CODE
    CHECK [ev_log + EV_USP], CONF_CODE | 3
    CHECK [u_done], 1
    ret

user_ts:
    RESUME u_ts_next
    mov eax, 7
u_ts_int:
    int 0x80                     ; system call 7 does not exist: only the fault matters
u_ts_next:
    mov dword [u_done], 1
    SYS_RETURN

user_sys:
    mov eax, 7
    int 0x80
u_sys_next:
    mov dword [u_done], 1
    SYS_RETURN

; #TS handler in the conforming segment: runs at CPL 3 with DS = U_DATA, logs like ev_common
; (EV_USP holds the handler's own CS), repairs SS0 and resumes at [resume]
conf_stub_12:
    push 12
    jmp conf_common
conf_stub_10:
    push 10
conf_common:                     ; [esp + 32] vector, + 36 error, + 40 EIP, + 44 CS, + 48 EFLAGS
    pushad
    mov edi, [ev_n]
    and edi, LOG_MAX - 1
    shl edi, 5
    add edi, ev_log
    mov eax, [esp + 32]
    mov [edi + EV_VEC], eax
    mov eax, [esp + 36]
    mov [edi + EV_ERR], eax
    mov eax, [esp + 40]
    mov [edi + EV_EIP], eax
    movzx eax, word [esp + 44]
    mov [edi + EV_CS], eax
    mov eax, [esp + 48]
    mov [edi + EV_FLAGS], eax
    mov ax, cs
    movzx eax, ax
    mov [edi + EV_USP], eax
    inc dword [ev_n]
    mov dword [tss + 8], K_DATA  ; a good SS0 again, for the system call that ends the test
    mov eax, [resume]
    mov [esp + 40], eax
    mov dword [resume], 0
    popad
    add esp, 8
    iretd

section .bss
alignb 4
ts_want: resd 1
ts_err:  resd 1
u_done:  resd 1
