; What the PIC and PIT look like at entry under QEMU (after SeaBIOS): IMRs, ISR, channel 0's
; read-back status, ELCR. (IRR is left out: QEMU's shows a stale UART request of the BIOS.)
bits 32
org 0x100000
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000
header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd header, 0x100000, end_load, end_bss, start
start:
    mov esp, 0x90000
    in al, 0x21
    call hex8
    in al, 0xA1
    call hex8
    mov al, 0x0B
    out 0x20, al
    in al, 0x20          ; ISR
    call hex8
    mov al, 0xE2         ; read-back: status of channel 0
    out 0x43, al
    in al, 0x40
    and al, 0x7F
    call hex8
    mov dx, 0x4D0
    in al, dx
    call hex8
    inc dx
    in al, dx
    call hex8
    mov dx, 0x3F8
    mov al, 10
    out dx, al
    mov al, 0
    out 0xF4, al
hex8:
    push eax
    shr al, 4
    call nib
    pop eax
    push eax
    call nib
    mov al, ' '
    mov dx, 0x3F8
    out dx, al
    pop eax
    ret
nib:
    and al, 0xF
    add al, '0'
    cmp al, '9'
    jbe .p
    add al, 7
.p: mov dx, 0x3F8
    out dx, al
    ret
end_load:
end_bss:
