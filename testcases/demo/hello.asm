; The btvm demo guest: prints a greeting on COM1 and exits with status 0 through port 0xF4.
; A flat binary with a Multiboot header using the a.out kludge (flags bit 16), so both
;   btvm run testcases/demo/hello.bin
;   qemu-system-i386 ... -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel testcases/demo/hello.bin
; boot it the same way. Build: nasm -f bin -o hello.bin hello.asm
        bits 32
        org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 1 << 16                    ; addresses below are valid (a.out kludge)
COM1     equ 0x3F8
LSR_THRE equ 0x20
EXIT_PORT equ 0xF4

header:
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)
        dd header                       ; header_addr
        dd header                       ; load_addr: the file loads from its first byte
        dd 0                            ; load_end_addr: to the end of the file
        dd 0                            ; bss_end_addr: no bss
        dd start                        ; entry_addr

start:
        cli
        mov esi, message
.next:
        mov bl, [esi]
        test bl, bl
        jz .done
        mov dx, COM1 + 5                ; LSR: wait until the transmitter can take a byte
.wait:
        in al, dx
        test al, LSR_THRE
        jz .wait
        mov dx, COM1
        mov al, bl
        out dx, al
        inc esi
        jmp .next
.done:
        mov dx, EXIT_PORT
        xor eax, eax                    ; status 0 (QEMU reports it as (0 << 1) | 1 = 1)
        out dx, al
        hlt

message:
        db "Hello from a btvm guest!", 10, 0
