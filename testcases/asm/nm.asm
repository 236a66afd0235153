; #NM (device not available) for every combination of CR0.EM, CR0.MP and CR0.TS, with an x87
; instruction (FNOP) and with WAIT, as in the SDM's table of the actions taken for EM/MP/TS:
; x87 instructions fault when EM or TS is set, WAIT only when MP and TS are both set. The saved
; EIP is the faulting instruction. Then CLTS clears TS (seen by SMSW), and #NM from ring 3.
; (#AC and segment-limit faults are not tested anywhere: QEMU 7.2's TCG checks neither.)
%include "rt.inc"
%include "ring.inc"

CR0_MP equ 2
CR0_EM equ 4
CR0_TS equ 8

section .text
main:
    call kern_setup
    call table_group
    call clts_group
    call rt_result
    ret

; try_both(EBX = EM|MP|TS bits): run FNOP and WAIT with those CR0 bits; the events are logged
try_both:
    mov eax, cr0
    and eax, ~(CR0_MP | CR0_EM | CR0_TS)
    or eax, ebx
    mov cr0, eax
    RESUME .after_fnop
.fnop:
    fnop
.after_fnop:
    RESUME .after_wait
.wait:
    fwait
.after_wait:
    mov dword [resume], 0
    mov eax, cr0
    and eax, ~(CR0_MP | CR0_EM | CR0_TS)
    mov cr0, eax
    ret

; CASE bits, fnop_faults, wait_faults
%macro CASE 3
    call clear_events
    mov ebx, %1
    call try_both
    CHECK [ev_n], (%2) + (%3)
%if %2
    EXPECT 0, 7, 0, try_both.fnop, K_CODE
%endif
%if %3
    EXPECT (%2), 7, 0, try_both.wait, K_CODE
%endif
%endmacro

table_group:
    BEGIN "em_mp_ts"
    CASE 0, 0, 0
    CASE CR0_TS, 1, 0
    CASE CR0_MP, 0, 0
    CASE CR0_MP | CR0_TS, 1, 1
    CASE CR0_EM, 1, 0
    CASE CR0_EM | CR0_TS, 1, 0
    CASE CR0_EM | CR0_MP, 1, 0
    CASE CR0_EM | CR0_MP | CR0_TS, 1, 1
    END
    ret

clts_group:
    BEGIN "clts_ring3"
    mov eax, cr0
    or eax, CR0_TS | CR0_MP
    mov cr0, eax
    smsw eax
    and eax, 0xFFFF
    CHECK eax, 0x001B            ; PE MP TS ET
    clts
    smsw eax
    and eax, 0xFFFF
    CHECK eax, 0x0013
    call clear_events
    fnop
    fwait
    CHECK [ev_n], 0
    ; TS again: #NM from ring 3 is taken on the TSS's ring-0 stack
    mov eax, cr0
    or eax, CR0_TS
    mov cr0, eax
    TO_USER user_nm, 0x0002
    CHECK [ev_n], 2
    EXPECT 0, 7, 0, u_fnop, U_CODE
    EXPECT 1, 7, 0, u_wait, U_CODE
    CHECK [ev_log + EV_USP], ustack_top
    clts
    mov eax, cr0
    and eax, ~CR0_MP
    mov cr0, eax
    END
    ret

user_nm:
    RESUME u_fnop + 2
u_fnop:
    fnop
    RESUME u_wait + 1
u_wait:
    fwait
    SYS_RETURN
