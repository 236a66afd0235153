; Multiboot v1 header with the "a.out kludge" (flags bit 16) for flat binaries.
; The address fields come from the linker script (bin.ld).
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010003          ; bit 16: address fields valid, bit 1: memory info, bit 0

extern _start, _load_start, _edata, _end

section .multiboot progbits alloc noexec nowrite align=4
align 4
mb_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd mb_header                  ; header_addr
    dd _load_start                ; load_addr
    dd _edata                     ; load_end_addr
    dd _end                       ; bss_end_addr
    dd _start                     ; entry_addr
