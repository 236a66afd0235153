; Boot contract test: entry state and the Multiboot info fields the platform
; promises (mem_lower, mem_upper, memory map), unbacked RAM and unassigned ports.
%include "rt.inc"

section .text
main:
    BEGIN "entry"
    CHECK [entry_eax], 0x2BADB002
    mov eax, [entry_cr0]
    and eax, 0x80000001            ; PG, PE
    CHECK eax, 1
    mov eax, [entry_eflags]
    and eax, 0x00020200            ; VM, IF
    CHECK eax, 0
    END

    BEGIN "mbinfo"
    mov ebx, [entry_ebx]
    mov eax, [ebx]
    and eax, 0x41                  ; bit 0 mem_*, bit 6 mmap
    CHECK eax, 0x41
    PRINT "mem_lower="
    push dword [ebx + 4]
    call rt_putdec
    PRINT " mem_upper="
    push dword [ebx + 8]
    call rt_putdec
    push 10
    call rt_putc
    MIX [ebx + 4]
    MIX [ebx + 8]
    mov esi, [ebx + 48]
    mov edi, esi
    add edi, [ebx + 44]
    xor ecx, ecx
.mmap:
    cmp esi, edi
    jae .done
    PRINT "mmap base="
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
    call rt_putdec
    push 10
    call rt_putc
    MIX [esi + 4]
    MIX [esi + 12]
    MIX [esi + 20]
    inc ecx
    mov eax, [esi]
    lea esi, [esi + eax + 4]
    jmp .mmap
.done:
    ; 128 MiB of RAM: the mmap must describe memory at 1 MiB
    CHECK [ebx + 8], 129920       ; QEMU -m 128: 128 MiB - 1 MiB - 128 KiB reserved at the top
    END

    BEGIN "unbacked"
    mov dx, 0x2F0
    xor eax, eax
    in al, dx
    CHECK eax, 0xFF
    xor eax, eax
    in ax, dx
    CHECK eax, 0xFFFF
    in eax, dx
    CHECK eax, 0xFFFFFFFF
    mov dx, 0x3FD
    in al, dx
    and eax, 0x60
    CHECK eax, 0x60                ; THR empty, transmitter empty
    mov eax, [0x10000000]
    MIX eax
    mov dword [0x10000000], 0x5A5A5A5A
    mov eax, [0x10000000]
    MIX eax
    END

    call rt_result
    ret
