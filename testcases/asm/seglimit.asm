; Segment limit and type checks on data accesses (SDM Vol. 3 5.3, 5.4; Vol. 2 "Protected Mode
; Exceptions"): #GP(0) beyond a DS/ES/FS/GS/CS limit, #SS(0) beyond the SS limit, expand-down
; segments (B = 1 and B = 0), a G = 1 limit, writes into read-only data and readable code, a read
; of execute-only code through CS:, a null selector, REP STOSD stopping at the limit with ECX/EDI
; of the iterations done, PUSH/POP beyond the limits of a ring-3 stack (#SS on the TSS stack).
; Every fault is logged by the handlers of ring.inc (vector, error code, saved EIP and CS) and
; resumes after the faulting instruction; the checks compare with values derived from the SDM.
; NOT matched against QEMU: QEMU 7.2's TCG checks no data-segment limit (testcases/README.md); the
; expected output is this program's own self-check (tests/test_testcases_qemu.py skips it).
%include "rt.inc"
%include "ring.inc"

AREA     equ 0x00300000          ; base of the test segments (RAM, not used by anything else)

; SEG index, base, limit (20 bits), access byte, flags nibble (G, D/B): GDT entry `index`
%macro SEG 5
    DESC %1, ((((%2) & 0xFFFF) << 16) | ((%3) & 0xFFFF)), \
             ((((%2) >> 16) & 0xFF) | ((%4) << 8) | ((((%3) >> 16) & 0xF) << 16) | ((%5) << 20) | ((%2) & 0xFF000000))
%endmacro

S_RW     equ 0x30                ; RW data, expand-up, limit 0xFFF
S_RO     equ 0x38                ; read-only data, limit 0xFFF
S_DOWN   equ 0x40                ; RW expand-down, limit 0xFFF, B = 1: 0x1000 .. 0xFFFFFFFF
S_DOWN16 equ 0x48                ; RW expand-down, limit 0xFFF, B = 0: 0x1000 .. 0xFFFF
S_CODE   equ 0x50                ; readable code (base AREA), loadable in a data register
S_GRAN   equ 0x58                ; RW data, limit 0 with G = 1: 0xFFF
S_USTK   equ 0x63                ; ring-3 RW stack, limit 0xFFF
S_UDOWN  equ 0x6B                ; ring-3 RW expand-down stack, limit 0xFFF, B = 1
S_XO     equ 0x70                ; execute-only code, base 0, 4 GiB

section .text
main:
    call kern_setup
    SEG 6, AREA, 0xFFF, 0x93, 0x4
    SEG 7, AREA, 0xFFF, 0x91, 0x4
    SEG 8, AREA, 0xFFF, 0x97, 0x4
    SEG 9, AREA, 0xFFF, 0x97, 0x0
    SEG 10, AREA, 0xFFF, 0x9B, 0x4
    SEG 11, AREA, 0, 0x93, 0xC
    SEG 12, AREA, 0xFFF, 0xF3, 0x4
    SEG 13, AREA, 0xFFF, 0xF7, 0x4
    SEG 14, 0, 0xFFFFF, 0x99, 0xC
    call expand_up_group
    call expand_down_group
    call type_group
    call string_group
    call ss_group
    call ring3_stack_group
    call rt_result
    ret

expand_up_group:
    BEGIN "expand_up"
    call clear_events
    mov ax, S_RW
    mov fs, ax
    mov dword [AREA + 0xFFC], 0x11223344
    mov eax, [fs:0xFFC]              ; last dword inside
    CHECK eax, 0x11223344
    mov al, [fs:0xFFF]               ; last byte inside
    CHECK [ev_n], 0
    RESUME .a1
.f0: mov eax, [fs:0xFFD]             ; one byte beyond
.a1: RESUME .a2
.f1: mov ax, [fs:0xFFF]
.a2: RESUME .a3
.f2: mov dword [fs:0x1000], 1
.a3: mov ax, S_GRAN
    mov fs, ax
    mov eax, [fs:0xFFC]              ; G = 1: limit 0 means 0xFFF
    RESUME .a4
.f3: mov eax, [fs:0xFFD]
.a4: CHECK [ev_n], 4
    EXPECT 0, 13, 0, .f0, K_CODE
    EXPECT 1, 13, 0, .f1, K_CODE
    EXPECT 2, 13, 0, .f2, K_CODE
    EXPECT 3, 13, 0, .f3, K_CODE
    mov ax, K_DATA
    mov fs, ax
    END
    ret

expand_down_group:
    BEGIN "expand_down"
    call clear_events
    mov ax, S_DOWN
    mov fs, ax
    mov dword [AREA + 0x1000], 0x55667788
    mov eax, [fs:0x1000]             ; first valid offset: limit + 1
    CHECK eax, 0x55667788
    mov eax, [fs:0xFFFFFFFC]         ; the last dword below 4 GiB (linear AREA - 4)
    CHECK [ev_n], 0
    RESUME .a1
.f0: mov eax, [fs:0xFFF]             ; offset <= limit
.a1: RESUME .a2
.f1: mov eax, [fs:0xFFE]             ; straddles the limit
.a2: RESUME .a3
.f2: mov eax, [fs:0xFFFFFFFD]        ; past 4 GiB
.a3: mov ax, S_DOWN16
    mov fs, ax
    mov eax, [fs:0xFFFC]             ; B = 0: the upper bound is 0xFFFF
    RESUME .a4
.f3: mov eax, [fs:0xFFFD]
.a4: RESUME .a5
.f4: mov byte [fs:0x10000], 1
.a5: CHECK [ev_n], 5
    EXPECT 0, 13, 0, .f0, K_CODE
    EXPECT 1, 13, 0, .f1, K_CODE
    EXPECT 2, 13, 0, .f2, K_CODE
    EXPECT 3, 13, 0, .f3, K_CODE
    EXPECT 4, 13, 0, .f4, K_CODE
    mov ax, K_DATA
    mov fs, ax
    END
    ret

type_group:
    BEGIN "types"
    call clear_events
    mov dword [AREA], 0x99AABBCC
    mov ax, S_RO
    mov gs, ax
    mov eax, [gs:0]                  ; read-only data: reads work
    CHECK eax, 0x99AABBCC
    RESUME .a1
.f0: mov [gs:0], eax                 ; write: #GP(0)
.a1: RESUME .a2
.f1: add dword [gs:0], 1             ; read-modify-write: #GP(0), memory unchanged
.a2: CHECK [AREA], 0x99AABBCC
    mov ax, S_CODE
    mov gs, ax
    mov eax, [gs:0]                  ; readable code through GS: reads work
    CHECK eax, 0x99AABBCC
    RESUME .a3
.f2: mov byte [gs:1], 0              ; never writable
.a3: xor eax, eax
    mov gs, ax                       ; null selector: loading works, any access faults
    RESUME .a4
.f3: mov eax, [gs:0]
.a4: jmp S_XO:.xo                    ; execute-only code: fetch works, reads through CS: fault
.xo: RESUME .a5
.f4: mov eax, [cs:AREA]
.a5: jmp K_CODE:.back
.back:
    CHECK [ev_n], 5
    EXPECT 0, 13, 0, .f0, K_CODE
    EXPECT 1, 13, 0, .f1, K_CODE
    EXPECT 2, 13, 0, .f2, K_CODE
    EXPECT 3, 13, 0, .f3, K_CODE
    EXPECT 4, 13, 0, .f4, S_XO
    mov ax, K_DATA
    mov gs, ax
    END
    ret

string_group:
    BEGIN "strings"
    call clear_events
    mov ax, S_RW
    mov es, ax
    cld
    mov edi, 0xFF8
    mov ecx, 4
    mov eax, 0xABCDEF01
    RESUME .a1
.f0: rep stosd                       ; two dwords fit, the third faults
.a1: mov ebx, ecx
    mov esi, edi
    mov ax, K_DATA
    mov es, ax
    CHECK ebx, 2                     ; ECX/EDI of the two iterations done
    CHECK esi, 0x1000
    CHECK [AREA + 0xFFC], 0xABCDEF01
    mov ax, S_RO
    mov es, ax
    mov esi, AREA
    mov edi, 0x10
    mov ecx, 3
    RESUME .a2
.f1: rep movsb                       ; destination read-only: nothing done
.a2: mov ebx, ecx
    mov ax, K_DATA
    mov es, ax
    CHECK ebx, 3
    mov ax, S_DOWN
    mov fs, ax
    mov esi, 0xFFE
    RESUME .a3
.f2: fs lodsd                        ; source below the expand-down limit
.a3: mov ax, K_DATA
    mov fs, ax
    CHECK esi, 0xFFE
    CHECK [ev_n], 3
    EXPECT 0, 13, 0, .f0, K_CODE
    EXPECT 1, 13, 0, .f1, K_CODE
    EXPECT 2, 13, 0, .f2, K_CODE
    END
    ret

; SS with a limit in ring 0: the handler's frame goes on the same stack, so ESP stays inside
ss_group:
    BEGIN "ss_ring0"
    call clear_events
    mov [.esp], esp
    mov ax, S_RW
    mov ss, ax
    mov esp, 0x800
    mov dword [AREA + 0x7F0], 0x01020304
    mov ebp, 0x7F0
    mov ebx, [ebp]                   ; EBP-based: SS, inside
    RESUME .a1
    mov ebp, 0xFFE
.f0: mov eax, [ebp]                  ; beyond the SS limit: #SS(0)
.a1: RESUME .a2
.f1: mov eax, [ss:0x1000]            ; explicit SS: #SS(0)
.a2: RESUME .a3
.f2: mov eax, [ds:ebp]               ; DS (flat) with the same offset: fine
.a3: mov ax, K_DATA
    mov ss, ax
    mov esp, [.esp]
    CHECK ebx, 0x01020304
    CHECK [ev_n], 2
    EXPECT 0, 12, 0, .f0, K_CODE
    EXPECT 1, 12, 0, .f1, K_CODE
    END
    ret
section .bss
.esp: resd 1
section .text

ring3_stack_group:
    BEGIN "ss_ring3"
    call clear_events
    TO_USER user_stack, 0x0002
    CHECK [ev_n], 3
    EXPECT 0, 12, 0, u_pop, U_CODE
    CHECK [ev_log + EV_USP], 0x1000
    EXPECT 1, 12, 0, u_push2, U_CODE
    CHECK [ev_log + 32 + EV_USP], 0x1000
    EXPECT 2, 12, 0, u_pop3, U_CODE
    CHECK [ev_log + 64 + EV_USP], 0xFFFFFFFE
    CHECK [AREA + 0xFFC], 0x5A5A5A5A
    END
    ret

user_stack:
    mov ax, S_USTK
    mov ss, ax
    mov esp, 0x1000
    RESUME u_pop + 1
u_pop:
    pop eax                          ; ESP = limit + 1: #SS(0)
    push dword 0x5A5A5A5A            ; the last dword inside
    pop eax
    mov ax, S_UDOWN
    mov ss, ax
    mov esp, 0x1004
    push eax                         ; 0x1000: inside
    RESUME u_push2 + 1
u_push2:
    push eax                         ; 0xFFC: below the expand-down limit: #SS(0)
    mov esp, 0xFFFFFFFE
    RESUME u_pop3 + 1
u_pop3:
    pop eax                          ; two bytes past 4 GiB: #SS(0)
    pop ax                           ; the last word below 4 GiB: inside
    mov ax, U_DATA
    mov ss, ax
    mov esp, ustack_top
    SYS_RETURN
