; Guest entry: record the entry state, load our own GDT, reload all segment
; registers, set up a stack, call main() and exit with its return value.
bits 32

global _start
global entry_eax, entry_ebx, entry_esp, entry_cr0, entry_eflags
extern main, rt_exit

SEL_CODE  equ 0x08
SEL_DATA  equ 0x10
SEL_XDATA equ 0x18               ; data segment with base XSEG_BASE (see rt.inc)

section .text
_start:
    mov [entry_eax], eax
    mov [entry_ebx], ebx
    mov [entry_esp], esp
    mov esp, stack_top           ; mov does not touch EFLAGS
    pushfd
    pop dword [entry_eflags]
    mov eax, cr0
    mov [entry_cr0], eax
    lgdt [gdt_desc]
    jmp SEL_CODE:.reload
.reload:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, stack_top
    cld
    call main
    push eax
    call rt_exit
.hang:
    hlt
    jmp .hang

section .data
align 8
gdt:
    dq 0                          ; 0x00 null
    dq 0x00CF9A000000FFFF         ; 0x08 code: base 0, limit 4 GiB, 32-bit, ring 0
    dq 0x00CF92000000FFFF         ; 0x10 data: base 0, limit 4 GiB, ring 0
    dq 0x00CF92200000FFFF         ; 0x18 data: base 0x00200000, limit 4 GiB, ring 0
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

section .bss
alignb 4
entry_eax:    resd 1
entry_ebx:    resd 1
entry_esp:    resd 1
entry_cr0:    resd 1
entry_eflags: resd 1
alignb 16
    resb 65536
stack_top:
