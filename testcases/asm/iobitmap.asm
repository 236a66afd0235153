; The TSS I/O-permission bitmap: IN/OUT in ring 3 with IOPL 0 are allowed when every bit for the
; accessed ports is clear, #GP(0) otherwise: single ports, word and dword accesses straddling a set
; bit (also across a bitmap byte and at port 0xFFFF, whose next bit is in the 0xFF byte after the
; bitmap), a bitmap beyond the TSS limit; with IOPL 3 or in ring 0 the bitmap is not consulted.
; Ports 0x2F0-0x2FF are unassigned on QEMU's pc machine (reads give all ones).
%include "rt.inc"
%include "ring.inc"

IOMAP equ TSS_SIZE               ; bitmap offset in the TSS

; BLOCK port: set the port's bit in the bitmap
%macro BLOCK 1
    mov eax, %1
    bts [tss + IOMAP], eax       ; a register offset: an immediate one is taken modulo 32
%endmacro

section .text
main:
    call kern_setup
    mov word [tss + 102], IOMAP
    mov byte [tss + IOMAP + 8192], 0xFF      ; the byte after the bitmap
    BLOCK 0x21
    BLOCK 0x2F1
    BLOCK 0x2F3
    BLOCK 0x2F8
    mov ecx, IOMAP + 8192        ; limit: the whole bitmap and the byte after it
    call reload_tr
    call user_group
    call limit_group
    call rt_result
    ret

; reload_tr(ECX = TSS limit): mark the TSS available, set its limit, LTR again
reload_tr:
    mov [gdt + 5 * 8], cx
    and byte [gdt + 5 * 8 + 6], 0xF0
    shr ecx, 16
    and cl, 0x0F
    or [gdt + 5 * 8 + 6], cl
    mov byte [gdt + 5 * 8 + 5], 0x89
    mov ax, TSS_SEL
    ltr ax
    ret

; IO_OK insn, result: a ring-3 access that must not fault; stores EAX
; IO_GP insn: one that must fault with #GP(0) (EAX stays 0x5A5A5A5A)
%macro IO_OK 1
    mov eax, 0x5A5A5A5A
    %1
    mov [edi], eax
    add edi, 4
%endmacro
%macro IO_GP 1
    mov eax, 0x5A5A5A5A
    RESUME %%after
%%insn:
    %1
%%after:
    mov dword [resume], 0
    mov [edi], eax
    mov dword [edi + 4], %%insn
    add edi, 8
%endmacro

user_io:                         ; ring 3, IOPL 0: results to u_res
    mov edi, u_res
    IO_OK {in al, 0x20}          ; master IRR/ISR port: bit clear (value not checked)
    IO_OK {out 0x80, al}
    IO_GP {in al, 0x21}          ; bit set
    IO_GP {out 0x21, al}
    mov dx, 0x2F0
    IO_OK {in al, dx}
    IO_GP {in ax, dx}            ; 0x2F0-0x2F1: 0x2F1 set
    IO_GP {in eax, dx}
    mov dx, 0x2F4
    IO_OK {in eax, dx}           ; 0x2F4-0x2F7 all clear
    mov dx, 0x2F2
    IO_GP {in ax, dx}            ; 0x2F2-0x2F3: 0x2F3 set
    mov dx, 0x2F7
    IO_OK {in al, dx}
    IO_GP {in ax, dx}            ; 0x2F7-0x2F8 across two bitmap bytes
    mov dx, 0xFFFF
    IO_OK {in al, dx}
    IO_GP {in ax, dx}            ; port 0x10000's bit is in the 0xFF byte
    SYS_RETURN

user_iopl3:                      ; ring 3, IOPL 3: the bitmap is not consulted
    mov edi, u_res3
    IO_OK {in al, 0x21}
    mov dx, 0x2F0
    IO_OK {in eax, dx}
    SYS_RETURN

; CHECK_GP k, n: u_res slot k is a #GP(0) at that slot's instruction, event n
%macro CHECK_GP 2
    CHECK [u_res + (%1) * 4], 0x5A5A5A5A
    mov eax, [u_res + (%1) * 4 + 4]
    EXPECT %2, 13, 0, eax, U_CODE
%endmacro

user_group:
    BEGIN "bitmap_ring3"
    call clear_events
    TO_USER user_io, 0x0002
    CHECK [ev_n], 7
    CHECK_GP 2, 0                ; in al, 0x21
    CHECK_GP 4, 1                ; out 0x21, al
    CHECK [u_res + 6 * 4], 0x5A5A5AFF   ; in al, 0x2F0
    CHECK_GP 7, 2
    CHECK_GP 9, 3
    CHECK [u_res + 11 * 4], 0xFFFFFFFF
    CHECK_GP 12, 4
    CHECK [u_res + 14 * 4], 0x5A5A5AFF   ; in al, 0x2F7
    CHECK_GP 15, 5
    CHECK [u_res + 17 * 4], 0x5A5A5AFF   ; in al, 0xFFFF
    CHECK_GP 18, 6
    call clear_events
    TO_USER user_iopl3, 0x3002
    CHECK [ev_n], 0
    CHECK [u_res3], 0x5A5A5AFF   ; IMR
    CHECK [u_res3 + 4], 0xFFFFFFFF
    ; ring 0 ignores the bitmap too
    mov dx, 0x2F0
    in eax, dx
    CHECK eax, 0xFFFFFFFF
    CHECK [ev_n], 0
    END
    ret

user_low:                        ; ring 3, IOPL 0, bitmap cut by the TSS limit
    mov edi, u_res
    IO_OK {out 0x80, al}         ; its bitmap byte is inside the limit
    mov dx, 0x2F0
    IO_GP {in al, dx}            ; its bitmap byte is beyond it (its bit is clear)
    SYS_RETURN

limit_group:
    BEGIN "bitmap_limit"
    mov ecx, IOMAP + 0x40        ; bitmap bytes for ports 0x000-0x1FF only
    call reload_tr
    call clear_events
    TO_USER user_low, 0x0002
    CHECK [ev_n], 1
    CHECK_GP 1, 0
    mov ecx, TSS_SIZE - 1
    call reload_tr
    END
    ret

section .bss
alignb 4
u_res:  resd 32
u_res3: resd 4
