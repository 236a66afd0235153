; Call gates: far CALL from ring 3 through a DPL-3 gate to ring-0 code with 2 parameters copied to
; the TSS's ring-0 stack (return CS:EIP, parameters, caller SS:ESP), far RET 8 back to ring 3
; (parameters popped on both stacks, a DPL-0 ES becomes null), a gate with no parameters, far CALL
; and far JMP through gates in ring 0 (no stack switch), far JMP from ring 3 through a gate to
; non-conforming ring-0 code (#GP(code selector)) and to conforming code (stays in ring 3), a DPL-0
; gate from ring 3 (#GP(gate selector)).
%include "rt.inc"
%include "ring.inc"

CONF_CODE equ 0x30               ; GDT 6: conforming code, DPL 0
GATE_P2   equ 0x3B               ; GDT 7: call gate DPL 3 -> K_CODE:gate_p2, 2 parameters
GATE_P0   equ 0x43               ; GDT 8: call gate DPL 3 -> K_CODE:gate_p0, no parameters
GATE_K    equ 0x48               ; GDT 9: call gate DPL 0 -> K_CODE:gate_k
GATE_CONF equ 0x53               ; GDT 10: call gate DPL 3 -> CONF_CODE:conf_target

; CALL_GATE index, selector, target, dpl, count: build a 32-bit call gate at run time
%macro CALL_GATE 5
    mov eax, %3
    and eax, 0xFFFF
    or eax, (%2) << 16
    mov [gdt + (%1) * 8], eax
    mov eax, %3
    and eax, 0xFFFF0000
    or eax, 0x8C00 | ((%4) << 13) | (%5)
    mov [gdt + (%1) * 8 + 4], eax
%endmacro

section .text
main:
    call kern_setup
    DESC 6, 0x0000FFFF, 0x00CF9F00
    CALL_GATE 7, K_CODE, gate_p2, 3, 2
    CALL_GATE 8, K_CODE, gate_p0, 3, 0
    CALL_GATE 9, K_CODE, gate_k, 0, 0
    CALL_GATE 10, CONF_CODE, conf_target, 3, 0
    call ring3_group
    call ring0_group
    call jmp_group
    call rt_result
    ret

; ---- far CALL from ring 3 -----------------------------------------------------------------
ring3_group:
    BEGIN "call_gate_ring3"
    call clear_events
    TO_USER user_calls, 0x0002
    CHECK [ev_n], 0
    ; what the ring-0 code saw on its stack
    CHECK [k_seen], u_ret1                   ; return EIP
    CHECK [k_seen + 4], U_CODE               ; return CS
    CHECK [k_seen + 8], 0x11111111           ; parameter pushed last
    CHECK [k_seen + 12], 0x22222222
    CHECK [k_seen + 16], ustack_top - 8 - 8  ; caller ESP (after the pushes)
    CHECK [k_seen + 20], U_DATA              ; caller SS
    CHECK [k_seen + 24], K_CODE              ; CS in the gate's code: ring 0
    CHECK [k_seen + 28], kstack_top - 24     ; on the TSS's stack: 6 dwords
    ; back in ring 3
    CHECK [u_seen], ustack_top - 8           ; RET 8 popped the parameters
    CHECK [u_seen + 4], 0                    ; ES was K_DATA: null after the return to ring 3
    CHECK [u_seen + 8], 0x12345678           ; EBX from ring 0
    CHECK [u_seen + 12], U_CODE
    CHECK [k_seen0], u_ret2                  ; the gate without parameters
    CHECK [k_seen0 + 4], U_CODE
    CHECK [k_seen0 + 8], ustack_top - 8
    CHECK [k_seen0 + 12], U_DATA
    CHECK [u_seen + 16], ustack_top - 8
    END
    ret

user_calls:
    push dword 0xAAAAAAAA        ; not a parameter: stays
    push dword 0xBBBBBBBB
    push dword 0x22222222
    push dword 0x11111111
    call GATE_P2:0xDEADBEEF      ; the offset is ignored
u_ret1:
    mov [u_seen], esp
    mov ax, es
    movzx eax, ax
    mov [u_seen + 4], eax
    mov [u_seen + 8], ebx
    mov ax, cs
    movzx eax, ax
    mov [u_seen + 12], eax
    mov ax, U_DATA
    mov es, ax
    call GATE_P0:0
u_ret2:
    mov [u_seen + 16], esp
    add esp, 8
    SYS_RETURN

gate_p2:                         ; ring 0, on the TSS's stack
    mov eax, [esp]
    mov [k_seen], eax
    mov eax, [esp + 4]
    mov [k_seen + 4], eax
    mov eax, [esp + 8]
    mov [k_seen + 8], eax
    mov eax, [esp + 12]
    mov [k_seen + 12], eax
    mov eax, [esp + 16]
    mov [k_seen + 16], eax
    mov eax, [esp + 20]
    mov [k_seen + 20], eax
    mov ax, cs
    movzx eax, ax
    mov [k_seen + 24], eax
    mov [k_seen + 28], esp
    mov ax, K_DATA
    mov es, ax
    mov ebx, 0x12345678
    retf 8

gate_p0:
    mov eax, [esp]
    mov [k_seen0], eax
    mov eax, [esp + 4]
    mov [k_seen0 + 4], eax
    mov eax, [esp + 8]
    mov [k_seen0 + 8], eax
    mov eax, [esp + 12]
    mov [k_seen0 + 12], eax
    retf

; ---- ring 0 -------------------------------------------------------------------------------
ring0_group:
    BEGIN "call_gate_ring0"
    mov [k_esp], esp
    call GATE_K:0                ; same privilege: no stack switch, no parameters copied
.ret:
    CHECK [k_seen_k], .ret
    CHECK [k_seen_k + 4], K_CODE
    mov eax, [k_esp]
    sub eax, 8
    CHECK [k_seen_k + 8], eax
    mov eax, esp
    CHECK eax, [k_esp]
    jmp GATE_K:0                 ; JMP through a gate: nothing pushed
.after_jmp:
    END
    ret

gate_k:
    cmp dword [k_jumped], 0
    jne .jumped
    mov eax, [esp]
    mov [k_seen_k], eax
    mov eax, [esp + 4]
    mov [k_seen_k + 4], eax
    mov [k_seen_k + 8], esp
    inc dword [k_jumped]
    retf
.jumped:
    mov eax, esp
    CHECK eax, [k_esp]
    jmp ring0_group.after_jmp

; ---- far JMP from ring 3 ------------------------------------------------------------------
jmp_group:
    BEGIN "jmp_gate_ring3"
    call clear_events
    TO_USER user_jmps, 0x0002
    CHECK [ev_n], 2
    EXPECT 0, 13, K_CODE, u_jmp_k, U_CODE    ; JMP to non-conforming ring-0 code
    EXPECT 1, 13, GATE_K & ~3, u_call_k, U_CODE   ; gate DPL 0 < CPL 3
    CHECK [u_conf], CONF_CODE | 3            ; conforming code runs at CPL 3
    CHECK [u_conf + 4], 0x3
    END
    ret

user_jmps:
    RESUME u_jmp_k_end
u_jmp_k:
    jmp GATE_P2:0
u_jmp_k_end:
    RESUME u_call_k_end
u_call_k:
    call GATE_K:0
u_call_k_end:
    jmp GATE_CONF:0
u_conf_back:
    SYS_RETURN

conf_target:                     ; conforming, DPL 0, reached by JMP from ring 3
    mov ax, cs
    movzx eax, ax
    mov [u_conf], eax
    and eax, 3
    mov [u_conf + 4], eax
    jmp U_CODE:u_conf_back

section .bss
alignb 4
k_seen:   resd 8
k_seen0:  resd 4
k_seen_k: resd 4
k_jumped: resd 1
k_esp:    resd 1
u_seen:   resd 8
u_conf:   resd 2
