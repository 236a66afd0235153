; Code-segment limit checks (SDM Vol. 3 5.3; Vol. 2 JMP, Jcc, CALL, RET, LOOP, JECXZ): #GP(0) when an
; instruction fetch goes beyond the CS limit (an instruction straddling the limit, the instruction
; after the last one inside), and when a near transfer's target is beyond it (the transfer does not
; happen: the saved EIP is the branch's, nothing pushed or popped, ECX of LOOP unchanged); targets at
; the limit itself are fine. Each case runs in a code segment (S_LIM, base lim_area, byte-granular
; limit set per case) first with a limit far beyond the code, then with the limit next to it: the
; engines have the code decoded or translated from the first run when the second meets the limit.
; Faults are logged by ring.inc's handlers and resume at lim_exit (offset 1, inside every limit).
%include "rt.inc"
%include "ring.inc"

S_LIM    equ 0x30                ; GDT 6: ring-0 readable code, base lim_area, limit per case
BIG      equ 0xFFFFF             ; a limit far beyond every case's code
%define O(x) ((x) - lim_area)    ; offset in S_LIM of a label in lim_area

; RUN limit, entry: run lim_area code from `entry` in S_LIM with that limit (an offset); it ends at
; lim_exit (directly or through a fault), which records ESP and comes back here
%macro RUN 2
    push dword %1
    call set_lim
    mov dword [lim_back], %%back
    mov [entry_sp], esp
    RESUME O(lim_exit)
    jmp S_LIM:O(%2)
%%back:
    mov esp, [entry_sp]
    mov dword [resume], 0
%endmacro

; ESP_AT_EXIT d: ESP at lim_exit was the entry ESP + d
%macro ESP_AT_EXIT 1
    mov edx, [lim_esp]
    sub edx, [entry_sp]
    CHECK edx, %1
%endmacro

; GP_AT k, label: event k is #GP(0) at label in S_LIM
%macro GP_AT 2
    EXPECT %1, 13, 0, O(%2), S_LIM
%endmacro

section .text
main:
    call kern_setup
    call fetch_group
    call jump_group
    call stack_group
    call loop_group
    call rt_result
    ret

; void set_lim(limit): GDT entry 6 = present ring-0 readable code, 32-bit, base lim_area, G = 0
set_lim:
    push eax
    push edx
    mov edx, [esp + 12]
    mov eax, lim_area
    shl eax, 16
    mov ax, dx
    mov [gdt + 6 * 8], eax
    mov eax, lim_area
    shr eax, 16
    and eax, 0xFF
    or eax, 0x00409B00
    and edx, 0xF0000
    or eax, edx
    mov edx, lim_area
    and edx, 0xFF000000
    or eax, edx
    mov [gdt + 6 * 8 + 4], eax
    pop edx
    pop eax
    ret 4

fetch_group:
    BEGIN "fetch"
    call clear_events
    xor ebx, ebx
    RUN BIG, f_block                 ; no limit in the way
    CHECK eax, 6
    CHECK ebx, 0x12345678
    CHECK [ev_n], 0
    xor ebx, ebx
    RUN O(f_mov) + 3, f_block        ; the MOV's last byte is beyond: five INCs done, then #GP
    CHECK eax, 6
    CHECK ebx, 0
    xor ebx, ebx
    RUN O(f_after) - 1, f_block      ; the MOV's last byte is the limit; the next fetch faults
    CHECK eax, 6
    CHECK ebx, 0x12345678
    xor ebx, ebx
    RUN O(f_mov) - 1, f_block        ; the MOV starts beyond
    CHECK ebx, 0
    mov eax, 100
    RUN O(f_one), f_one              ; entered at the limit: a 1-byte instruction is inside
    CHECK eax, 101
    CHECK [ev_n], 4
    GP_AT 0, f_mov
    GP_AT 1, f_after
    GP_AT 2, f_mov
    GP_AT 3, f_one + 1
    END
    ret

jump_group:
    BEGIN "jumps"
    call clear_events
    RUN BIG, j_short
    RUN O(j_short.far) - 1, j_short
    RUN BIG, j_near
    RUN O(j_near.far) - 1, j_near
    RUN BIG, j_cc
    RUN O(j_cc.far) - 1, j_cc
    RUN BIG, j_ccnear
    RUN O(j_ccnear.far) - 1, j_ccnear
    CHECK [ev_n], 4
    RUN O(j_nottaken.far) - 1, j_nottaken   ; not taken: the target is not checked
    CHECK [ev_n], 4
    RUN BIG, j_reg
    RUN O(j_reg.far) - 1, j_reg
    RUN BIG, j_mem
    RUN O(j_mem.far) - 1, j_mem
    mov eax, 0
    RUN O(j_edge.t), j_edge          ; target at the limit: taken, then the next fetch faults
    CHECK eax, 1
    CHECK [ev_n], 7
    GP_AT 0, j_short
    GP_AT 1, j_near
    GP_AT 2, j_cc.br
    GP_AT 3, j_ccnear.br
    GP_AT 4, j_reg.br
    GP_AT 5, j_mem
    GP_AT 6, j_edge.t + 1
    END
    ret

stack_group:
    BEGIN "call_ret"
    call clear_events
    RUN BIG, s_call
    ESP_AT_EXIT -4
    RUN O(s_call.far) - 1, s_call    ; nothing pushed
    ESP_AT_EXIT 0
    RUN BIG, s_callreg
    RUN O(s_callreg.far) - 1, s_callreg
    ESP_AT_EXIT 0
    RUN BIG, s_ret
    ESP_AT_EXIT 0
    RUN O(s_ret.far) - 1, s_ret      ; nothing popped
    ESP_AT_EXIT -4
    RUN BIG, s_retn
    ESP_AT_EXIT 0
    RUN O(s_retn.far) - 1, s_retn
    ESP_AT_EXIT -12
    mov eax, 0
    RUN O(s_edge.t), s_edge          ; return to the limit itself
    CHECK eax, 1
    ESP_AT_EXIT 0
    CHECK [ev_n], 5
    GP_AT 0, s_call.br
    GP_AT 1, s_callreg.br
    GP_AT 2, s_ret.br
    GP_AT 3, s_retn.br
    GP_AT 4, s_edge.t + 1
    END
    ret

loop_group:
    BEGIN "loops"
    call clear_events
    mov ecx, 5
    RUN O(l_loop.far) - 1, l_loop    ; taken: ECX not decremented
    CHECK ecx, 5
    mov ecx, 1
    RUN O(l_loop.far) - 1, l_loop    ; not taken (ECX becomes 0)
    CHECK ecx, 0
    mov ecx, 3
    RUN O(l_loopne.far) - 1, l_loopne
    CHECK ecx, 3
    xor ecx, ecx
    RUN O(l_jecxz.far) - 1, l_jecxz
    mov ecx, 7
    RUN O(l_jecxz.far) - 1, l_jecxz  ; not taken
    CHECK ecx, 7
    mov ecx, 300000
    RUN BIG, l_hot
    CHECK eax, 300000
    mov ecx, 300000
    RUN O(l_hot.out) - 1, l_hot      ; a hot loop inside the limit, leaving it by falling through
    CHECK eax, 300000
    CHECK ecx, 0
    CHECK [ev_n], 4
    GP_AT 0, l_loop.br
    GP_AT 1, l_loopne.br
    GP_AT 2, l_jecxz.br
    GP_AT 3, l_hot.out
    END
    ret

; ---- the code run in S_LIM: each case's .far is its first byte beyond the small limit ----------
align 16
lim_area:
    nop
lim_exit:
    mov [lim_esp], esp
    jmp far [lim_back]

f_block:
    mov eax, 1
    inc eax
    inc eax
    inc eax
    inc eax
    inc eax
f_mov:
    mov ebx, 0x12345678
f_after:
    jmp lim_exit
f_one:
    inc eax
    jmp lim_exit

j_short:
    jmp short .far
.far: jmp lim_exit
j_near:
    jmp near .far
.far: jmp lim_exit
j_cc:
    xor eax, eax
.br: jz short .far
.far: jmp lim_exit
j_ccnear:
    xor eax, eax
.br: jz near .far
.far: jmp lim_exit
j_nottaken:
    xor eax, eax
    jnz short .far
    jmp lim_exit
.far: jmp lim_exit
j_reg:
    mov eax, O(.far)
.br: jmp eax
.far: jmp lim_exit
j_mem:
    jmp [j_mem_ptr]
.far: jmp lim_exit
j_edge:
    jmp short .t
    nop
.t: inc eax
    jmp lim_exit

s_call:
.br: call .far
.far: jmp lim_exit
s_callreg:
    mov eax, O(.far)
.br: call eax
.far: jmp lim_exit
s_ret:
    push dword O(.far)
.br: ret
.far: jmp lim_exit
s_retn:
    push dword 0
    push dword 0
    push dword O(.far)
.br: ret 8
.far: jmp lim_exit
s_edge:
    push dword O(.t)
    ret
.t: inc eax
    jmp lim_exit

l_loop:
.br: loop .far
    jmp lim_exit
.far: jmp lim_exit
l_loopne:
    xor eax, eax
    inc eax                          ; ZF = 0
.br: loopne .far
    jmp lim_exit
.far: jmp lim_exit
l_jecxz:
.br: jecxz .far
    jmp lim_exit
.far: jmp lim_exit
l_hot:
    xor eax, eax
.l: inc eax
    loop .l
.out: jmp lim_exit

section .data
align 4
j_mem_ptr: dd O(j_mem.far)
lim_back:  dd 0
           dw K_CODE

section .bss
alignb 4
entry_sp:  resd 1
lim_esp:   resd 1
