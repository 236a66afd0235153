; Platform probe (not a testcase: prints loader-specific addresses): the entry
; state, the whole Multiboot info, unbacked-memory and unassigned-port reads, and
; the UART registers as they read right after boot.
%include "rt.inc"

%macro SHOW 2                   ; label, value
    PRINT %1
    push dword %2
    call rt_puthex
    push 10
    call rt_putc
%endmacro

section .text
main:
    ; UART registers first, before any serial output touches them
    mov dx, 0x3F9
    mov edi, uart
.uart:
    in al, dx
    stosb
    inc dx
    cmp dx, 0x400
    jne .uart

    SHOW "entry eax=", [entry_eax]
    SHOW "entry ebx=", [entry_ebx]
    SHOW "entry esp=", [entry_esp]
    SHOW "entry cr0=", [entry_cr0]
    SHOW "entry eflags=", [entry_eflags]
    mov eax, cr4
    SHOW "cr4=", eax
    mov ecx, 1
.ul:
    PRINT "uart reg "
    lea eax, [ecx + 0x3F8]
    push eax
    call rt_puthex
    movzx eax, byte [uart + ecx - 1]
    SHOW " = ", eax
    inc ecx
    cmp ecx, 8
    jne .ul

    SHOW "read [0x08000000]=", [0x08000000]
    SHOW "read [0x10000000]=", [0x10000000]
    SHOW "read [0xC0000000]=", [0xC0000000]
    mov dword [0x10000000], 0x12345678
    SHOW "after write [0x10000000]=", [0x10000000]
    mov dx, 0x2F0
    xor eax, eax
    in al, dx
    SHOW "inb 0x2F0=", eax
    xor eax, eax
    in ax, dx
    SHOW "inw 0x2F0=", eax
    in eax, dx
    SHOW "inl 0x2F0=", eax
    mov dx, 0x3F8
    in eax, dx
    SHOW "inl 0x3F8=", eax

    mov ebx, [entry_ebx]
    SHOW "mbi flags=", [ebx]
    SHOW "mbi mem_lower=", [ebx + 4]
    SHOW "mbi mem_upper=", [ebx + 8]
    SHOW "mbi boot_device=", [ebx + 12]
    SHOW "mbi cmdline=", [ebx + 16]
    mov eax, [ebx + 16]
    test eax, eax
    jz .nocmd
    PRINT "  cmdline string='"
    push eax
    call rt_puts
    PRINT "'", 10
.nocmd:
    SHOW "mbi mods_count=", [ebx + 20]
    SHOW "mbi mods_addr=", [ebx + 24]
    SHOW "mbi mmap_length=", [ebx + 44]
    SHOW "mbi mmap_addr=", [ebx + 48]
    SHOW "mbi drives_length=", [ebx + 52]
    SHOW "mbi config_table=", [ebx + 60]
    SHOW "mbi boot_loader_name=", [ebx + 64]
    mov eax, [ebx + 64]
    test eax, eax
    jz .noname
    PRINT "  loader name='"
    push eax
    call rt_puts
    PRINT "'", 10
.noname:
    SHOW "mbi apm_table=", [ebx + 68]
    mov esi, [ebx + 48]
    mov edi, esi
    add edi, [ebx + 44]
.mmap:
    cmp esi, edi
    jae .mmapdone
    PRINT "mmap size="
    push dword [esi]
    call rt_puthex
    PRINT " base="
    push dword [esi + 8]
    call rt_puthex
    push dword [esi + 4]
    call rt_puthex
    PRINT " len="
    push dword [esi + 16]
    call rt_puthex
    push dword [esi + 12]
    call rt_puthex
    PRINT " type="
    push dword [esi + 20]
    call rt_puthex
    push 10
    call rt_putc
    mov eax, [esi]
    lea esi, [esi + eax + 4]
    jmp .mmap
.mmapdone:
    xor eax, eax
    ret

section .bss
uart: resb 8
