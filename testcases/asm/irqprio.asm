; Interrupt priorities in the 8259A with two request lines: IRQ 0 from the 8254 and IRQ 4 from the
; UART's THR-empty interrupt (IER bit 1). Both are made pending with IF = 0 (polling the IRR), then
; taken by one `sti; nop; cli`: the log shows which came first and what the handlers saw (ISR, IRR,
; the UART's IIR). Fixed priority (IRQ 0 first), a priority set by OCW2 (IRQ 4 first), a lower
; line blocked while IRQ 0 is in service (fully nested mode) and let through by the special mask
; mode, the IIR of the THRE interrupt. Spurious IRQ 7 is not covered: nothing provokes it
; deterministically on QEMU.
%include "rt.inc"
%include "irq.inc"

RELOAD equ 40000

; RAISE_IRQ4: THR empty, then IER = THRE interrupt: the UART raises IRQ 4
%macro RAISE_IRQ4 0
    mov dx, UART_LSR
%%thre:
    in al, dx
    test al, 0x20
    jz %%thre
    mov dx, UART_IER
    OUTB dx, IER_THRE
%endmacro

; CHECK_EVENT n, vector, isr, irr & mask, mask
%macro CHECK_EVENT 5
    CHECK [ev_log + (%1) * 32 + EV_VEC], %2
    CHECK [ev_log + (%1) * 32 + EV_ISR], %3
    EVENT %1, EV_IRR
    and eax, %5
    CHECK eax, %4
    CHECK [ev_log + (%1) * 32 + EV_CS], SEL_CODE
    MIX [ev_log + (%1) * 32 + EV_VEC]
%endmacro

section .text
main:
    call idt_setup
    call setup
    call fixed_group
    call rotate_group
    call nested_group
    call iir_group
    call rt_result
    ret

setup:
    OUTB PIC1_IMR, 0xFF
    OUTB PIC2_IMR, 0xFF
    call pic_remap
    OUTB PIC1_IMR, 0xFF
    OUTB PIC2_IMR, 0xFF
    PIT0_SET 0x34, RELOAD
    ret

; both_pending: IRQ 0 and IRQ 4 requested and unmasked, IF = 0
both_pending:
    OUTB PIC1_IMR, 0xEE
    WAIT_IRR 0x01
    RAISE_IRQ4
    WAIT_IRR 0x10
    READ_IRR
    and eax, 0x11
    CHECK eax, 0x11
    call clear_log
    ret

fixed_group:
    BEGIN "fixed_priority"
    call both_pending
    sti
    nop
.taken:
    cli
    OUTB PIC1_IMR, 0xFF
    CHECK [ev_n], 2
    CHECK_EVENT 0, 0x20, 0x01, 0x10, 0x10     ; IRQ 0 first, IRQ 4 still requested
    CHECK_EVENT 1, 0x24, 0x10, 0x00, 0x10     ; then IRQ 4, after IRQ 0's IRET
    CHECK [ev_log + EV_EIP], .taken
    CHECK [ev_log + 32 + EV_EIP], .taken
    CHECK [ev_log + 32 + EV_IIR], 0x0102      ; THRE interrupt, cleared by reading the IIR
    READ_ISR
    CHECK eax, 0
    END
    ret

rotate_group:
    BEGIN "set_priority"
    OUTB PIC1, 0xC3              ; OCW2 set priority: IRQ 3 lowest, so IRQ 4 highest
    call both_pending
    sti
    nop
.taken:
    cli
    OUTB PIC1_IMR, 0xFF
    OUTB PIC1, 0xC7              ; back to IRQ 7 lowest
    CHECK [ev_n], 2
    CHECK_EVENT 0, 0x24, 0x10, 0x01, 0x01     ; IRQ 4 first, IRQ 0 still requested
    CHECK_EVENT 1, 0x20, 0x01, 0x00, 0x10
    CHECK [ev_log + EV_EIP], .taken
    CHECK [ev_log + 32 + EV_EIP], .taken
    READ_ISR
    CHECK eax, 0
    END
    ret

nested_group:
    BEGIN "nested"
    ; IRQ 0 taken without EOI: it stays in service
    OUTB PIC1_IMR, 0xFE
    WAIT_IRR 0x01
    call clear_log
    mov dword [no_eoi], 1
    sti
    nop
    cli
    CHECK [ev_n], 1
    CHECK [ev_log + EV_VEC], 0x20
    READ_ISR
    CHECK eax, 0x01
    ; IRQ 4 (lower priority) requested and unmasked, IRQ 0 masked: still blocked by the ISR
    OUTB PIC1_IMR, 0xEF
    RAISE_IRQ4
    WAIT_IRR 0x10
    sti
    nop
    nop
    cli
    CHECK [ev_n], 1
    ; special mask mode: the masked in-service IRQ 0 no longer blocks IRQ 4
    OUTB PIC1, 0x68
    OUTB PIC1_IMR, 0xEF          ; same mask: QEMU 7.2 re-evaluates its INTR output on OCW1, not OCW3
    sti
    nop
.taken:
    cli
    OUTB PIC1, 0x48              ; special mask mode off
    CHECK [ev_n], 2
    CHECK [ev_log + 32 + EV_VEC], 0x24
    CHECK [ev_log + 32 + EV_ISR], 0x11
    CHECK [ev_log + 32 + EV_EIP], .taken
    READ_ISR                     ; IRQ 4's specific EOI left IRQ 0 in service
    CHECK eax, 0x01
    OUTB PIC1, 0x60              ; specific EOI for IRQ 0
    READ_ISR
    CHECK eax, 0
    mov dword [no_eoi], 0
    OUTB PIC1_IMR, 0xFF
    END
    ret

iir_group:
    BEGIN "uart_iir"
    ; IRQ 4 masked; the UART alone
    mov dx, UART_IER
    OUTB dx, 0
    mov dx, UART_IIR
    INB dx
    CHECK eax, 0x01              ; no interrupt pending
    RAISE_IRQ4
    mov dx, UART_IER
    INB dx
    CHECK eax, IER_THRE
    mov dx, UART_IIR
    INB dx
    CHECK eax, 0x02              ; THR empty
    INB dx
    CHECK eax, 0x01              ; reading the IIR cleared it
    mov dx, UART_IER
    OUTB dx, 0
    mov dx, UART_IIR
    INB dx
    CHECK eax, 0x01
    END
    ret
