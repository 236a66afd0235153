; Exceptions and interrupts through the IDT: our own GDT (ring-0 and ring-3
; segments, a 32-bit TSS), an IDT with a stub per vector, faults and traps in
; ring 0 (#DE #UD #BP #OF #GP #NP, errors while delivering, #DF), INT 0x80 from
; ring 0, then IRET to ring 3: INT 0x80 system calls through a DPL-3 gate and
; #GP from privileged instructions, taken on the TSS's ring-0 stack.
; Every event prints its vector, error code, saved CS:EIP and EFLAGS.
%include "rt.inc"

K_CODE   equ 0x08
K_DATA   equ 0x10
U_CODE   equ 0x1B                ; GDT index 3, RPL 3
U_DATA   equ 0x23                ; GDT index 4, RPL 3
TSS_SEL  equ 0x28                ; GDT index 5
NP_CODE  equ 0x30                ; GDT index 6: a code segment that is not present
BAD_SEL  equ 0x38                ; beyond the GDT limit

INT_GATE  equ 0x8E               ; P=1 DPL=0 32-bit interrupt gate
TRAP_GATE equ 0x8F               ; P=1 DPL=0 32-bit trap gate
DPL3      equ 0x60

F_IF equ 0x200
F_NT equ 0x4000

; GATE vector, handler, type: write IDT entry `vector`
%macro GATE 3
    push dword %3
    push dword %2
    push dword %1
    call set_gate
%endmacro

; EXPECT n, vector, error, eip, cs: event log entry n
%macro EXPECT 5
    mov esi, %1
    shl esi, 6
    add esi, ev_log
    CHECK [esi + EV_VEC], %2
    CHECK [esi + EV_ERR], %3
    CHECK [esi + EV_EIP], %4
    CHECK [esi + EV_CS], %5
    MIX [esi + EV_FLAGS]
%endmacro

; event log entry (64 bytes)
EV_VEC   equ 0
EV_ERR   equ 4
EV_EIP   equ 8
EV_CS    equ 12
EV_FLAGS equ 16                  ; EFLAGS saved on the stack
EV_USP   equ 20                  ; ESP and SS saved on a privilege change (0 otherwise)
EV_USS   equ 24
EV_INNER equ 28                  ; EFLAGS inside the handler (IF, TF, NT)
EV_FRAME equ 32                  ; address of the saved EIP (the handler's stack)

section .text
main:
    call setup
    call ring0_tests
    call ring3_tests
    call rt_result
    ret

; ---- descriptor tables ------------------------------------------------------------------
setup:
    ; mask both PICs: QEMU's BIOS left the timer on IRQ 0 = vector 8
    mov al, 0xFF
    out 0x21, al
    out 0xA1, al
    ; TSS descriptor: base = tss, limit = 103, type 9 (available 32-bit TSS)
    mov eax, tss
    mov [gdt + 5 * 8 + 2], ax
    shr eax, 16
    mov [gdt + 5 * 8 + 4], al
    mov [gdt + 5 * 8 + 7], ah
    mov dword [tss + 4], kstack_top          ; ESP0
    mov dword [tss + 8], K_DATA              ; SS0
    mov word [tss + 102], 104                ; I/O bitmap beyond the limit: no port allowed
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
    ; every exception vector: an interrupt gate to its stub
    xor ebx, ebx
.gates:
    GATE ebx, [stubs + ebx * 4], INT_GATE
    inc ebx
    cmp ebx, 32
    jb .gates
    GATE 3, stub_3, INT_GATE | DPL3          ; INT3 and INTO allowed from ring 3
    GATE 4, stub_4, INT_GATE | DPL3
    GATE 0x80, stub_80, TRAP_GATE | DPL3     ; system calls
    GATE 0x81, stub_81, INT_GATE             ; ring 0 only
    GATE 0x82, stub_82, INT_GATE
    GATE 0x83, stub_83, TRAP_GATE
    GATE 0x90, stub_90, INT_GATE & 0x7F      ; not present
    GATE 0x91, stub_91, INT_GATE             ; selector patched to NP_CODE below
    mov word [idt + 0x91 * 8 + 2], NP_CODE
    GATE 0x92, stub_92, INT_GATE             ; selector patched to a data segment below
    mov word [idt + 0x92 * 8 + 2], K_DATA
    lidt [idt_desc]
    ret

; void set_gate(vector, handler, type)
set_gate:
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

; ---- ring 0 -------------------------------------------------------------------------------
ring0_tests:
    BEGIN "faults"
    mov dword [resume], .after_de
    mov eax, 1
    xor edx, edx
    xor ecx, ecx
.de:
    div ecx
.after_de:
    EXPECT 0, 0, 0, .de, K_CODE
    mov dword [resume], .after_ud
.ud:
    ud2
.after_ud:
    EXPECT 1, 6, 0, .ud, K_CODE
    mov dword [resume], .after_gp1
    mov ax, BAD_SEL
.gp1:
    mov ds, ax
.after_gp1:
    EXPECT 2, 13, BAD_SEL, .gp1, K_CODE
    mov dword [resume], .after_gp2
    mov ax, TSS_SEL
.gp2:
    mov es, ax
.after_gp2:
    EXPECT 3, 13, TSS_SEL, .gp2, K_CODE
    mov dword [resume], .after_br
    mov eax, 20
.br:
    bound eax, [bounds]
.after_br:
    EXPECT 4, 5, 0, .br, K_CODE
    CHECK [ev_count], 5
    END

    BEGIN "traps"
    int3
.bp:
    EXPECT 5, 3, 0, .bp, K_CODE
    mov al, 0x7F
    add al, 1                    ; OF = 1
    into
.of:
    EXPECT 6, 4, 0, .of, K_CODE
    add al, 1                    ; OF = 0: INTO does nothing
    into
    CHECK [ev_count], 7
    mov eax, 2                   ; system call 2: the caller's CPL
    mov [esp_before], esp
    int 0x80
.sys:
    EXPECT 7, 0x80, 0, .sys, K_CODE
    CHECK eax, 0
    mov eax, [esp_before]
    sub eax, 12                  ; EFLAGS, CS, EIP: no stack switch in ring 0
    CHECK [ev_log + 7 * 64 + EV_FRAME], eax
    ; an interrupt gate clears IF and NT in the handler, a trap gate only NT
    SETF F_IF | F_NT | 2
    int 0x82
.ig:
    SETF 2
    EXPECT 8, 0x82, 0, .ig, K_CODE
    mov eax, [ev_log + 8 * 64 + EV_FLAGS]
    and eax, F_IF | F_NT
    CHECK eax, F_IF | F_NT
    CHECK [ev_log + 8 * 64 + EV_INNER], 0
    SETF F_IF | F_NT | 2
    int 0x83
.tg:
    SETF 2
    EXPECT 9, 0x83, 0, .tg, K_CODE
    CHECK [ev_log + 9 * 64 + EV_INNER], F_IF
    CHECK [ev_count], 10
    END

    BEGIN "delivery"
    mov dword [resume], .after_np
.np:
    int 0x90                     ; gate not present: #NP(0x90 * 8 + 2), EXT = 0
.after_np:
    EXPECT 10, 11, 0x90 * 8 + 2, .np, K_CODE
    mov dword [resume], .after_np2
.np2:
    int 0x91                     ; handler segment not present: #NP(selector)
.after_np2:
    EXPECT 11, 11, NP_CODE, .np2, K_CODE
    mov dword [resume], .after_gp3
.gp3:
    int 0x92                     ; gate selector names a data segment: #GP(selector)
.after_gp3:
    EXPECT 12, 13, K_DATA, .gp3, K_CODE
    mov dword [resume], .after_gp4
.gp4:
    int 0xA0                     ; empty IDT entry: #GP(0xA0 * 8 + 2)
.after_gp4:
    EXPECT 13, 13, 0xA0 * 8 + 2, .gp4, K_CODE
    ; #BR whose gate is not present: #NP(5 * 8 + 2 | EXT) is delivered instead (benign first)
    and byte [idt + 5 * 8 + 5], 0x7F
    mov dword [resume], .after_br2
    mov eax, 20
.br2:
    bound eax, [bounds]
.after_br2:
    or byte [idt + 5 * 8 + 5], 0x80
    EXPECT 14, 11, 5 * 8 + 2, .br2, K_CODE
    ; #GP whose gate is not present: #NP while delivering a contributory fault = #DF(0)
    and byte [idt + 13 * 8 + 5], 0x7F
    mov dword [resume], .after_df
    mov ax, BAD_SEL
.df:
    mov ds, ax
.after_df:
    or byte [idt + 13 * 8 + 5], 0x80
    EXPECT 15, 8, 0, .df, K_CODE
    CHECK [ev_count], 16
    END
    ret

; ---- ring 3 -------------------------------------------------------------------------------
ring3_tests:
    BEGIN "ring3"
    mov [kernel_esp], esp
    mov ax, U_DATA
    mov ds, ax
    mov es, ax
    mov gs, ax
    mov ax, K_DATA
    mov fs, ax                   ; DPL 0: IRET to ring 3 makes FS null
    push dword U_DATA            ; SS
    push dword ustack_top        ; ESP
    push dword 2                 ; EFLAGS: IF = 0, IOPL = 0
    push dword U_CODE
    push dword user_main
    iretd
back_in_ring0:                   ; system call 3 lands here, on the TSS's ring-0 stack
    mov ax, K_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov esp, [kernel_esp]
    CHECK [ev_count], 28
    CHECK [u_fs], 0
    CHECK [u_gs], U_DATA
    CHECK [u_cs], U_CODE
    CHECK [u_ss], U_DATA
    CHECK [u_cpl], 3
    EXPECT 16, 0x80, 0, u_sys1, U_CODE
    EXPECT 20, 13, 0, u_cli, U_CODE
    EXPECT 21, 13, 0, u_hlt, U_CODE
    EXPECT 22, 13, 0x81 * 8 + 2, u_int81, U_CODE
    EXPECT 23, 3, 0, u_bp, U_CODE
    EXPECT 24, 13, K_DATA, u_movds, U_CODE
    EXPECT 25, 6, 0, u_ud, U_CODE
    EXPECT 26, 0, 0, u_de, U_CODE
    ; every event from ring 3 saved the user SS:ESP and used the TSS stack
    mov ebx, 16
.frames:
    mov esi, ebx
    shl esi, 6
    add esi, ev_log
    CHECK [esi + EV_USS], U_DATA
    CHECK [esi + EV_USP], ustack_top
    CHECK [esi + EV_FRAME], kstack_top - 20
    inc ebx
    cmp ebx, 28
    jb .frames
    END
    ret

; Ring 3 (CPL 3, IOPL 0): system calls, then privileged instructions that fault.
user_main:
    mov eax, 2
    int 0x80                     ; CPL of the caller
u_sys1:
    mov [u_cpl], eax
    mov ax, fs
    movzx eax, ax
    mov [u_fs], eax
    mov ax, gs
    movzx eax, ax
    mov [u_gs], eax
    mov ax, cs
    movzx eax, ax
    mov [u_cs], eax
    mov ax, ss
    movzx eax, ax
    mov [u_ss], eax
    mov eax, 5
    mov ebx, hello
    int 0x80                     ; print a string
    mov eax, 1
    mov ebx, '!'
    int 0x80                     ; print a character
    mov eax, 1
    mov ebx, 10
    int 0x80
    mov dword [resume], u_cli + 1
u_cli:
    cli
    mov dword [resume], u_hlt + 1
u_hlt:
    hlt
    mov dword [resume], u_int81 + 2
u_int81:
    int 0x81
    int3
u_bp:
    mov dword [resume], u_movds_end
    mov ax, K_DATA
u_movds:
    mov ds, ax
u_movds_end:
    mov dword [resume], u_ud + 2
u_ud:
    ud2
    mov dword [resume], u_de_end
    xor ecx, ecx
u_de:
    div ecx
u_de_end:
    mov eax, 3
    int 0x80                     ; back to the kernel: does not return

; ---- handlers -----------------------------------------------------------------------------
; Each stub pushes a 0 error code unless the CPU pushed one, then the vector.
%macro STUB 1
stub_%1:
%if !(%1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17)
    push 0
%endif
    push %1
    jmp handler_common
%endmacro

%assign v 0
%rep 32
STUB v
%assign v v + 1
%endrep

stub_80: push 0
    push 0x80
    jmp handler_common
stub_81: push 0
    push 0x81
    jmp handler_common
stub_82: push 0
    push 0x82
    jmp handler_common
stub_83: push 0
    push 0x83
    jmp handler_common
stub_90:
stub_91:
stub_92:
    push 0
    push 0xEE                    ; never reached
    jmp handler_common

; Frame after PUSHAD: [ebp + 28] EAX, [ebp + 16] EBX, [ebp + 32] vector, [ebp + 36] error,
; [ebp + 40] EIP, [ebp + 44] CS, [ebp + 48] EFLAGS, [ebp + 52] ESP, [ebp + 56] SS (from ring 3).
handler_common:
    pushad
    mov ebp, esp
    mov esi, [ev_count]
    shl esi, 6
    add esi, ev_log
    pushfd
    pop eax
    and eax, F_IF | F_NT | 0x100
    mov [esi + EV_INNER], eax
    lea eax, [ebp + 40]
    mov [esi + EV_FRAME], eax
    mov eax, [ebp + 32]
    mov [esi + EV_VEC], eax
    and dword [ebp + 36], ~1     ; EXT: the SDM sets it for a fault while delivering an
    mov eax, [ebp + 36]          ; exception, QEMU 7.2 never does
    mov [esi + EV_ERR], eax
    mov eax, [ebp + 40]
    mov [esi + EV_EIP], eax
    mov eax, [ebp + 44]
    mov [esi + EV_CS], eax
    mov eax, [ebp + 48]
    mov [esi + EV_FLAGS], eax
    xor eax, eax
    xor ecx, ecx
    test dword [ebp + 44], 3
    jz .same_ring
    mov eax, [ebp + 52]
    mov ecx, [ebp + 56]
.same_ring:
    mov [esi + EV_USP], eax
    mov [esi + EV_USS], ecx
    inc dword [ev_count]
    cmp dword [ebp + 32], 0x80
    jne .print
    cmp dword [ebp + 28], 1      ; the print services print only their text
    je .dispatch
    cmp dword [ebp + 28], 5
    je .dispatch
.print:
    PRINT "vec="
    push dword [ebp + 32]
    call rt_puthex
    PRINT " err="
    push dword [ebp + 36]
    call rt_puthex
    PRINT " cs="
    push dword [ebp + 44]
    call rt_puthex
    PRINT " eip="
    push dword [ebp + 40]
    call rt_puthex
    PRINT " eflags="
    push dword [ebp + 48]
    call rt_puthex
    test dword [ebp + 44], 3
    jz .eol
    PRINT " ss:esp="
    push dword [ebp + 56]
    call rt_puthex
    push ':'
    call rt_putc
    push dword [ebp + 52]
    call rt_puthex
.eol:
    push 10
    call rt_putc
.dispatch:
    cmp dword [ebp + 32], 0x80
    jne .resume
    call do_syscall
.resume:
    mov eax, [resume]
    test eax, eax
    jz .ret
    mov [ebp + 40], eax
    mov dword [resume], 0
.ret:
    popad
    add esp, 8
    iretd

; System calls: EAX = 1 putc(EBX), 2 caller's CPL -> EAX, 3 back to the kernel, 5 puts(EBX)
do_syscall:
    mov eax, [ebp + 28]
    cmp eax, 1
    jne .not1
    push dword [ebp + 16]
    call rt_putc
    ret
.not1:
    cmp eax, 2
    jne .not2
    mov eax, [ebp + 44]
    and eax, 3
    mov [ebp + 28], eax
    ret
.not2:
    cmp eax, 3
    jne .not3
    jmp back_in_ring0
.not3:
    cmp eax, 5
    jne .not5
    push dword [ebp + 16]
    call rt_puts
.not5:
    ret

section .rodata
hello: db "hello from ring 3", 10, 0
bounds: dd 0, 10
stubs:
%assign v 0
%rep 32
    dd stub_ %+ v
%assign v v + 1
%endrep

section .data
align 8
gdt:
    dq 0                          ; 0x00 null
    dq 0x00CF9A000000FFFF         ; 0x08 code, ring 0
    dq 0x00CF92000000FFFF         ; 0x10 data, ring 0
    dq 0x00CFFA000000FFFF         ; 0x18 code, ring 3
    dq 0x00CFF2000000FFFF         ; 0x20 data, ring 3
    dq 0x0000890000000067         ; 0x28 32-bit TSS, base patched by setup
    dq 0x00CF1A000000FFFF         ; 0x30 code, ring 0, not present
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt

section .bss
alignb 8
idt:        resb 256 * 8
tss:        resb 104
ev_log:     resb 64 * 32
ev_count:   resd 1
resume:     resd 1
esp_before: resd 1
kernel_esp: resd 1
u_cpl:      resd 1
u_fs:       resd 1
u_gs:       resd 1
u_cs:       resd 1
u_ss:       resd 1
alignb 16
            resb 8192
kstack_top:
            resb 4096
ustack_top:
