; External interrupts end to end: PIC remapped to 0x20/0x28, PIT channel 0 in mode 2 at ~1 kHz,
; a HLT loop that wakes on each tick, ISR/IRR reads inside the handler, the STI shadow, UART THRE
; interrupts on IRQ 4, PIT read-back status and channel 2 through port 0x61, a slave IRQ masked.
; Prints one line per check; exits with 0 through port 0xF4. Output recorded from QEMU.
bits 32
org 0x100000
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000
header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd header, 0x100000, end_load, end_bss, start

%macro PUTS 1
    push eax
    mov esi, %1
    call puts
    pop eax
%endmacro

start:
    mov esp, stack_top
    lgdt [gdt_desc]
    jmp 0x08:.cs
.cs:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    ; IDT: every vector -> unexpected, then the ones we use
    mov ecx, 256
    xor ebx, ebx
.fill:
    mov eax, unexpected
    call set_gate
    inc ebx
    loop .fill
    mov ebx, 0x20
    mov eax, timer_isr
    call set_gate
    mov ebx, 0x24
    mov eax, uart_isr
    call set_gate
    mov ebx, 0x27
    mov eax, spurious_isr
    call set_gate
    lidt [idt_desc]

    ; PIT channel 0: mode 2, count 1193 (~1 kHz), before the PIC lets IRQ 0 through
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al
    ; PIC: ICW1..ICW4, vectors 0x20 / 0x28, only IRQ 0 unmasked
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xA1, al
    mov al, 1
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    in al, 0x21
    PUTS s_imr
    call hex8
    call newline

    ; HLT loop: 20 ticks
    sti
.wait:
    hlt
    cmp dword [ticks], 20
    jb .wait
    cli
    PUTS s_ticks
    mov eax, [ticks]
    call dec32
    call newline
    PUTS s_isr
    mov al, [isr_seen]
    call hex8
    mov al, [irr_seen]
    and al, 0xFE           ; IRQ 0 may or may not be requested again already
    call hex8
    call newline
    ; after EOI nothing is in service
    mov al, 0x0B
    out 0x20, al
    in al, 0x20
    PUTS s_isr_after
    call hex8
    call newline
    mov al, 0x0A           ; back to reading IRR
    out 0x20, al

    ; STI shadow: wait with IF=0 until IRQ 0 is requested, then STI; the next instruction runs first
    mov dword [shadow_probe], 0
.irr:
    in al, 0x20
    test al, 1
    jz .irr
    mov dword [marker], 0
    sti
    mov dword [marker], 1
    nop
    cli
    PUTS s_shadow
    mov eax, [shadow_probe]
    call dec32
    call newline

    ; interrupt with IF=0 stays pending: masked in the PIC instead, IRR still shows it
    mov al, 0xFF
    out 0x21, al
.irr2:
    in al, 0x20
    test al, 1
    jz .irr2
    mov ecx, [ticks]
    sti
    nop
    nop
    cli
    PUTS s_masked
    mov eax, [ticks]
    sub eax, ecx
    call dec32
    call newline

    ; PIT read-back status of channel 0 (OUT masked: it depends on time)
    mov al, 0xE2
    out 0x43, al
    in al, 0x40
    and al, 0x7F
    PUTS s_status
    call hex8
    call newline

    ; channel 2 in mode 0 with its gate on through port 0x61: OUT goes high at terminal count
    in al, 0x61
    and al, 0xFC
    or al, 1
    out 0x61, al
    mov al, 0xB0           ; channel 2, LSB then MSB, mode 0
    out 0x43, al
    mov al, 100
    out 0x42, al
    xor al, al
    out 0x42, al
.ch2:
    in al, 0x61
    test al, 0x20
    jz .ch2
    PUTS s_ch2
    and al, 0x23
    call hex8
    call newline

    ; UART THRE interrupt on IRQ 4: enabling IER.THRI with THR empty raises it at once
    mov al, 0xEF           ; unmask IRQ 4 only
    out 0x21, al
    sti
    mov dx, 0x3F9
    mov al, 0x02
    out dx, al
.uart_wait:
    cmp dword [uart_count], 0
    je .uart_wait
    cli
    PUTS s_uart
    mov al, [uart_iir]
    call hex8
    mov eax, [uart_count]
    call dec32
    call newline

    ; spurious: none should have happened
    PUTS s_spurious
    mov eax, [spurious_count]
    call dec32
    call newline
    mov al, 0
    out 0xF4, al
.halt:
    cli
    hlt
    jmp .halt

timer_isr:
    push eax
    inc dword [ticks]
    cmp dword [ticks], 1
    jne .notfirst
    mov al, 0x0B            ; read ISR
    out 0x20, al
    in al, 0x20
    mov [isr_seen], al
    mov al, 0x0A            ; read IRR
    out 0x20, al
    in al, 0x20
    mov [irr_seen], al
.notfirst:
    mov eax, [marker]
    mov [shadow_probe], eax
    mov al, 0x20
    out 0x20, al
    pop eax
    iret

uart_isr:
    push eax
    push edx
    mov dx, 0x3FA
    in al, dx               ; IIR: reading it acknowledges the THRE interrupt
    mov [uart_iir], al
    inc dword [uart_count]
    mov dx, 0x3F9
    xor al, al
    out dx, al              ; IER = 0
    mov al, 0x20
    out 0x20, al
    pop edx
    pop eax
    iret

spurious_isr:
    inc dword [spurious_count]
    iret

unexpected:
    PUTS s_unexpected
    mov al, 1
    out 0xF4, al
    hlt

; ebx = vector, eax = handler
set_gate:
    mov [idt + ebx * 8], ax
    mov word [idt + ebx * 8 + 2], 0x08
    mov word [idt + ebx * 8 + 4], 0x8E00
    shr eax, 16
    mov [idt + ebx * 8 + 6], ax
    ret

putc:
    push edx
    mov dx, 0x3F8
    out dx, al
    pop edx
    ret

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

newline:
    mov al, 10
    jmp putc

hex8:
    push eax
    shr al, 4
    call .nib
    pop eax
    push eax
    call .nib
    mov al, ' '
    call putc
    pop eax
    ret
.nib:
    and al, 0xF
    add al, '0'
    cmp al, '9'
    jbe .p
    add al, 7
.p: jmp putc

dec32:
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .div
.out:
    pop eax
    add al, '0'
    call putc
    loop .out
    mov al, ' '
    call putc
    pop edx
    pop ecx
    pop ebx
    ret

s_imr: db "imr ", 0
s_ticks: db "ticks ", 0
s_isr: db "isr/irr in handler ", 0
s_isr_after: db "isr after eoi ", 0
s_shadow: db "sti shadow: marker seen by the handler ", 0
s_masked: db "masked irq taken ", 0
s_status: db "pit ch0 status ", 0
s_ch2: db "port 61 ", 0
s_uart: db "uart iir/count ", 0
s_spurious: db "spurious ", 0
s_unexpected: db "unexpected interrupt", 10, 0

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
gdt_desc:
    dw 23
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt
ticks: dd 0
marker: dd 0
shadow_probe: dd 0
isr_seen: dd 0
irr_seen: dd 0
uart_iir: dd 0
uart_count: dd 0
spurious_count: dd 0
end_load:
section .bss
alignb 8
idt: resb 256 * 8
resb 4096
stack_top:
end_bss:
