; Timer interrupts: the 8259A pair remapped to vectors 0x20-0x2F (ICW1-4, OCW1 masks, OCW3
; IRR/ISR reads), the 8254's counter 0 in modes 2 and 3 on IRQ 0 (status through the read-back
; command, counts through the latch and read-back commands), an IRQ 0 handler counting ticks with
; EOI, `sti; hlt` loops, a masked IRQ 0 that is never delivered, and the STI interrupt shadow.
; Timing varies between runs, so only what does not depend on it is checked: status bytes, counts
; within their range, the order of events, where each interrupt was taken.
%include "rt.inc"
%include "irq.inc"

RELOAD equ 40000                 ; ~33.5 ms at 1.193182 MHz (even, for mode 3)

section .text
main:
    call idt_setup
    call pic_group
    call pit_group
    call mode2_group
    call mode3_group
    call masked_group
    call shadow_group
    call rt_result
    ret

pic_group:
    BEGIN "pic_init"
    OUTB PIC1_IMR, 0xFF          ; the BIOS's PIC: IRQ 0 on vector 8 until remapped
    OUTB PIC2_IMR, 0xFF
    call pic_remap
    INB PIC1_IMR                 ; ICW1 cleared the masks
    CHECK eax, 0
    INB PIC2_IMR
    CHECK eax, 0
    OUTB PIC1_IMR, 0xFF          ; OCW1
    OUTB PIC2_IMR, 0xFF
    INB PIC1_IMR
    CHECK eax, 0xFF
    INB PIC2_IMR
    CHECK eax, 0xFF
    OUTB PIC2_IMR, 0x5A
    INB PIC2_IMR
    CHECK eax, 0x5A
    OUTB PIC2_IMR, 0xFF
    OUTB PIC1, OCW3_ISR          ; nothing in service on either PIC
    INB PIC1
    CHECK eax, 0
    INB PIC1                     ; the OCW3 selection stays
    CHECK eax, 0
    OUTB PIC2, OCW3_ISR
    INB PIC2
    CHECK eax, 0
    OUTB PIC2, OCW3_IRR
    OUTB PIC1, OCW3_IRR
    END
    ret

; status byte (read-back) & 0x3F = RW bits 5-4, mode bits 3-1, BCD bit 0 of the control word
%macro PIT2_STATUS 2
    OUTB PIT_CTL, %1
    OUTB PIT_CTL, 0xE8           ; read-back: status of counter 2
    INB PIT2
    and eax, 0x3F
    CHECK eax, %2
    MIX eax
%endmacro

pit_group:
    BEGIN "pit"
    PIT0_SET 0x34, RELOAD        ; counter 0, low/high byte, mode 2, binary
    OUTB PIT_CTL, 0xE2           ; read-back: status of counter 0
    INB PIT0
    and eax, 0x3F
    CHECK eax, 0x34
    MIX eax
    PIT2_STATUS 0xB6, 0x36       ; counter 2 (no count written: only the status is read)
    PIT2_STATUS 0x94, 0x14       ; low byte only, mode 2
    PIT2_STATUS 0xA5, 0x25       ; high byte only, mode 2, BCD
    PIT2_STATUS 0x92, 0x12       ; low byte, mode 1
    PIT2_STATUS 0xB0, 0x30       ; mode 0
    PIT2_STATUS 0xB8, 0x38       ; mode 4
    PIT2_STATUS 0xBA, 0x3A       ; mode 5
    PIT2_STATUS 0xB6, 0x36
    OUTB PIT_CTL, 0xEA           ; read-back: status of counters 0 and 2 at once
    INB PIT0
    and eax, 0x3F
    CHECK eax, 0x34
    INB PIT2
    and eax, 0x3F
    CHECK eax, 0x36
    ; counter 0 in mode 2 counts RELOAD .. 1
    call pit0_latch
    INRANGE eax, 1, RELOAD
    OUTB PIT_CTL, 0xD2           ; read-back: count of counter 0
    in al, PIT0
    mov ah, al
    in al, PIT0
    xchg al, ah
    movzx eax, ax
    INRANGE eax, 1, RELOAD
    OUTB PIT_CTL, 0xC2           ; read-back: status, then count, of counter 0
    INB PIT0
    and eax, 0x3F
    CHECK eax, 0x34
    in al, PIT0
    mov ah, al
    in al, PIT0
    xchg al, ah
    movzx eax, ax
    INRANGE eax, 1, RELOAD
    ; after a status-only read-back the counter reads its count again
    OUTB PIT_CTL, 0xE2
    INB PIT0
    call pit0_latch
    INRANGE eax, 1, RELOAD
    END
    ret

; TICK_LOOP n: `sti; hlt` until n ticks; every tick must wake the HLT
%macro TICK_LOOP 1
    call clear_log
    OUTB PIC1_IMR, 0xFE
%%wait:
    sti
    hlt
%%woken:
    cli
    cmp dword [ticks], %1
    jb %%wait
    OUTB PIC1_IMR, 0xFF
    CHECK [ticks], %1
    CHECK [ev_n], %1
    mov ebx, 0
%%each:
    mov esi, ebx
    shl esi, 5
    CHECK [ev_log + esi + EV_VEC], 0x20
    CHECK [ev_log + esi + EV_EIP], %%woken
    CHECK [ev_log + esi + EV_CS], SEL_CODE
    CHECK [ev_log + esi + EV_ISR], 0x01
    mov eax, [ev_log + esi + EV_FLAGS]
    and eax, F_IF
    CHECK eax, F_IF
    inc ebx
    cmp ebx, %1
    jb %%each
    READ_ISR                     ; every tick got its EOI
    CHECK eax, 0
%endmacro

mode2_group:
    BEGIN "mode2"
    PIT0_SET 0x34, RELOAD
    TICK_LOOP 5
    END
    ret

mode3_group:
    BEGIN "mode3"
    PIT0_SET 0x36, RELOAD        ; square wave
    OUTB PIT_CTL, 0xE2
    INB PIT0
    and eax, 0x3F
    CHECK eax, 0x36
    MIX eax
    call pit0_latch              ; mode 3 counts down by two: an even count RELOAD .. 2
    INRANGE eax, 2, RELOAD
    and eax, 1
    CHECK eax, 0
    TICK_LOOP 4
    END
    ret

masked_group:
    BEGIN "masked"
    PIT0_SET 0x34, RELOAD
    call clear_log
    OUTB PIC1_IMR, 0xFF          ; IRQ 0 masked
    sti
    mov ecx, 3                   ; three periods with IF = 1
    call wait_reloads
    WAIT_IRR 0x01                ; ... and the request is in the IRR
    cli
    CHECK [ticks], 0
    CHECK [ev_n], 0
    READ_ISR
    CHECK eax, 0
    INB PIC1_IMR
    CHECK eax, 0xFF
    END
    ret

shadow_group:
    BEGIN "sti_shadow"
    ; IRQ 0 is still requested from the masked group: unmasking it with IF = 0 delivers nothing
    call clear_log
    OUTB PIC1_IMR, 0xFE
    nop
    nop
    CHECK [ticks], 0
    ; with a request pending, the instruction after STI runs before the interrupt is taken
    sti
    inc dword [marker]
.after_inc:
    cli
    CHECK [ticks], 1
    CHECK [ev_log + EV_MARKER], 1
    CHECK [ev_log + EV_EIP], .after_inc
    ; `sti; cli` with a request pending: nothing is taken
    WAIT_IRR 0x01
    sti
    cli
    CHECK [ticks], 1
    ; `sti; hlt` with a request pending: HLT runs and the request wakes it at once
    sti
    hlt
.after_hlt:
    cli
    CHECK [ticks], 2
    CHECK [ev_log + 32 + EV_EIP], .after_hlt
    ; `sti; hlt` with nothing pending: the next tick wakes it
    sti
    hlt
.after_hlt2:
    cli
    CHECK [ticks], 3
    CHECK [ev_log + 64 + EV_EIP], .after_hlt2
    OUTB PIC1_IMR, 0xFF
    READ_ISR
    CHECK eax, 0
    END
    ret
