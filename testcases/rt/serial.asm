; COM1 output (poll LSR bit 5, write THR) and the isa-debug-exit device.
; All routines are stdcall and preserve every register and EFLAGS.
bits 32

global rt_putc, rt_puts, rt_puthex, rt_putdec, rt_exit

COM1     equ 0x3F8
COM1_LSR equ COM1 + 5
EXIT_PORT equ 0xF4

section .text
; void rt_putc(int c)
rt_putc:
    pushfd
    push eax
    push edx
    mov dx, COM1_LSR
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov eax, [esp + 16]
    mov dx, COM1
    out dx, al
    pop edx
    pop eax
    popfd
    ret 4

; void rt_puts(const char *s)
rt_puts:
    pushfd
    push esi
    push eax
    mov esi, [esp + 16]
.next:
    movzx eax, byte [esi]
    test eax, eax
    jz .done
    push eax
    call rt_putc
    inc esi
    jmp .next
.done:
    pop eax
    pop esi
    popfd
    ret 4

; void rt_puthex(uint32_t v): 8 hex digits
rt_puthex:
    pushfd
    pushad
    mov edx, [esp + 40]
    mov ecx, 8
.digit:
    rol edx, 4
    mov eax, edx
    and eax, 0xF
    movzx eax, byte [hexdigits + eax]
    push eax
    call rt_putc
    dec ecx
    jnz .digit
    popad
    popfd
    ret 4

; void rt_putdec(uint32_t v): unsigned decimal
rt_putdec:
    pushfd
    pushad
    mov eax, [esp + 40]
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    add edx, '0'
    push edx
    inc ecx
    test eax, eax
    jnz .div
.out:
    call rt_putc                  ; digit already pushed
    dec ecx
    jnz .out
    popad
    popfd
    ret 4

; void rt_exit(int status): QEMU exits with (status << 1) | 1
rt_exit:
    mov eax, [esp + 4]
    out EXIT_PORT, al
.hang:
    hlt
    jmp .hang

section .rodata
hexdigits: db "0123456789ABCDEF"
