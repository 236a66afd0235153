; Runtime of the nanobenchmark guests (bench/guests/src/nano/*.asm, built by bench/guests/Makefile):
; our own GDT with ring-3 segments and a 32-bit TSS, an IDT whose every vector reports an
; unexpected event and exits, the switch to ring 3, identity paging over the first 8 MiB, and the
; one result line. N lives in .data after the marker "NANO_N=": bench/nano.py patches it.
%include "rt.inc"

global nano_setup, nano_set_gate, nano_ring3, nano_paging_on, nano_report
global nano_n, nano_count, nano_sum, nano_resume, nano_kstack_top, nano_pt0

K_CODE   equ 0x08
K_DATA   equ 0x10
TSS_SEL  equ 0x28
INT_GATE equ 0x8E
CR0_PG   equ 0x80000000

%ifndef N
%define N 1000
%endif

section .text
; void nano_setup(void): GDT, TSS (ESP0 = nano_kstack_top), IDT, PICs masked
nano_setup:
    pushad
    ; QEMU's BIOS leaves the timer unmasked on IRQ 0 = vector 8: mask both PICs (STI loops)
    mov al, 0xFF
    out 0x21, al
    out 0xA1, al
    mov eax, tss
    mov [gdt + 5 * 8 + 2], ax
    shr eax, 16
    mov [gdt + 5 * 8 + 4], al
    mov [gdt + 5 * 8 + 7], ah
    mov dword [tss + 4], nano_kstack_top     ; ESP0
    mov dword [tss + 8], K_DATA              ; SS0
    mov word [tss + 102], 104                ; no I/O bitmap
    lgdt [gdt_desc]
    jmp K_CODE:.reload
.reload:
    mov ax, K_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov ax, TSS_SEL
    ltr ax
    xor ebx, ebx
.gates:
    push dword INT_GATE
    push dword [unexpected_stubs + ebx * 4]
    push ebx
    call nano_set_gate
    inc ebx
    cmp ebx, 32
    jb .gates
    lidt [idt_desc]
    popad
    ret

; void nano_set_gate(vector, handler, type)
nano_set_gate:
    push eax
    push ecx
    push edx
    mov edx, [esp + 16]
    lea edx, [idt + edx * 8]
    mov eax, [esp + 20]
    mov [edx], ax
    mov word [edx + 2], K_CODE
    mov byte [edx + 4], 0
    mov ecx, [esp + 24]
    mov [edx + 5], cl
    shr eax, 16
    mov [edx + 6], ax
    pop edx
    pop ecx
    pop eax
    ret 12

; void nano_ring3(entry): IRET to entry in ring 3 (IF = 0, IOPL = 0) on a user stack; the ring-3
; code comes back with `mov eax, 0` + `int 0x80` to a handler that jumps to nano_resume with the
; ring-0 stack reset: nano_ring3 then returns to its caller.
nano_ring3:
    pop dword [ring3_ret]
    pop eax                                  ; entry
    pushad
    mov [ring0_esp], esp
    mov dword [nano_resume], .back
    mov cx, U_DATA
    mov ds, cx
    mov es, cx
    mov fs, cx
    mov gs, cx
    push dword U_DATA
    push dword ustack_top
    push dword 2
    push dword U_CODE
    push eax
    iretd
.back:
    mov ax, K_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, [ring0_esp]
    popad
    jmp [ring3_ret]

U_CODE equ 0x1B
U_DATA equ 0x23

; void nano_paging_on(void): identity-map 0..8 MiB with 4 KiB user-writable pages and turn on
; paging; nano_pt0 is the page table of 0..4 MiB, the one of 4..8 MiB follows it (PTE of
; TARGET_GVA = [nano_pt0 + 4096]). Exits with "paging unavailable" when the platform refuses.
nano_paging_on:
    pushad
    mov edi, nano_pt0
    mov eax, 0x007                           ; P, R/W, U/S
    mov ecx, 2048
.pte:
    mov [edi], eax
    add edi, 4
    add eax, 4096
    dec ecx
    jnz .pte
    mov dword [page_dir], nano_pt0 + 0x007
    mov dword [page_dir + 4], nano_pt0 + 4096 + 0x007
    mov eax, page_dir
    mov cr3, eax
    ; a #GP here (a platform without paging) is reported by the unexpected-event handler
    mov dword [enabling_paging], 1
    mov eax, cr0
    or eax, CR0_PG
    mov cr0, eax
    jmp .on
.on:
    mov dword [enabling_paging], 0
    ; self-check: map TARGET_GVA onto the frame of `probe_frame` and read through it
    mov eax, probe_frame
    or eax, 0x007
    mov [nano_pt0 + 4096], eax
    invlpg [0x00400000]
    mov eax, [0x00400000]
    cmp eax, 0x5A17C0DE
    jne .refused
    mov dword [nano_pt0 + 4096], 0x00400007  ; identity again
    invlpg [0x00400000]
    popad
    ret
.refused:
    PRINT "nano: paging unavailable (a mapped page reads "
    push eax
    call rt_puthex
    PRINT ")", 10
    push 3
    call rt_exit

; int nano_report(name, expected sum): "nano NAME n=N count=C sum=S ok|FAIL"; eax = 0 if
; count == N and sum == expected, else 1
nano_report:
    push ebx
    mov ebx, 1
    PRINT "nano "
    push dword [esp + 8]
    call rt_puts
    PRINT " n="
    push dword [nano_n]
    call rt_putdec
    PRINT " count="
    push dword [nano_count]
    call rt_putdec
    PRINT " sum="
    push dword [nano_sum]
    call rt_puthex
    mov eax, [nano_count]
    cmp eax, [nano_n]
    jne .bad
    mov eax, [nano_sum]
    cmp eax, [esp + 12]
    jne .bad
    xor ebx, ebx
    PRINT " ok", 10
    jmp .done
.bad:
    PRINT " FAIL", 10
.done:
    mov eax, ebx
    pop ebx
    ret 8

; ---- unexpected events: print and exit 2 (3 if paging was being turned on) ----------------
%macro UNEXPECTED 1
unexpected_%1:
%if !(%1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17)
    push 0
%endif
    push %1
    jmp unexpected_common
%endmacro
%assign v 0
%rep 32
UNEXPECTED v
%assign v v + 1
%endrep

unexpected_common:
    mov ax, K_DATA
    mov ds, ax
    mov es, ax
    cmp dword [enabling_paging], 0
    je .other
    PRINT "nano: paging unavailable (vector "
    push dword [esp]
    call rt_putdec
    PRINT " on mov cr0)", 10
    push 3
    call rt_exit
.other:
    PRINT "nano: unexpected vector "
    push dword [esp]
    call rt_putdec
    PRINT " err="
    push dword [esp + 4]
    call rt_puthex
    PRINT " eip="
    push dword [esp + 8]
    call rt_puthex
    push 10
    call rt_putc
    push 2
    call rt_exit

section .rodata
unexpected_stubs:
%assign v 0
%rep 32
    dd unexpected_ %+ v
%assign v v + 1
%endrep

section .data
    db "NANO_N="                             ; bench/nano.py patches the dword after it
nano_n:          dd N
nano_count:      dd 0
nano_sum:        dd 0
nano_resume:     dd 0
enabling_paging: dd 0
align 8
gdt:
    dq 0                          ; 0x00 null
    dq 0x00CF9A000000FFFF         ; 0x08 code, ring 0
    dq 0x00CF92000000FFFF         ; 0x10 data, ring 0
    dq 0x00CFFA000000FFFF         ; 0x18 code, ring 3
    dq 0x00CFF2000000FFFF         ; 0x20 data, ring 3
    dq 0x0000890000000067         ; 0x28 32-bit TSS, base patched by nano_setup
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt
align 4096
probe_frame: dd 0x5A17C0DE

section .bss
alignb 4096
page_dir:   resb 4096
nano_pt0:   resb 2 * 4096
idt:        resb 256 * 8
tss:        resb 104
ring0_esp:  resd 1
ring3_ret:  resd 1
alignb 16
            resb 8192
nano_kstack_top:
            resb 8192
ustack_top:
