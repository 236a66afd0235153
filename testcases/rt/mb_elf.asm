; Multiboot v1 header for ELF32 images: the loader uses the ELF program headers.
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003          ; bit 0: page-align modules, bit 1: want memory info

section .multiboot progbits alloc noexec nowrite align=4
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
