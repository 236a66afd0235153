; Self-check framework: named test groups, equality checks, a running
; checksum of results, PASS/FAIL lines. stdcall; preserves registers and EFLAGS.
bits 32

global rt_begin, rt_mix, rt_check, rt_end, rt_result, rt_hash
extern rt_puts, rt_puthex, rt_putdec, rt_putc

section .text
; void rt_begin(const char *name)
rt_begin:
    pushfd
    push eax
    mov eax, [esp + 12]
    mov [cur_name], eax
    mov dword [group_fails], 0
    mov dword [check_no], 0
    mov dword [rt_hash], 0x811C9DC5
    pop eax
    popfd
    ret 4

; void rt_mix(uint32_t v): hash = (rol(hash, 5) ^ v) * 0x9E3779B1
rt_mix:
    pushfd
    push eax
    push edx
    mov eax, [rt_hash]
    rol eax, 5
    xor eax, [esp + 16]
    mov edx, 0x9E3779B1
    imul eax, edx
    mov [rt_hash], eax
    pop edx
    pop eax
    popfd
    ret 4

; void rt_check(uint32_t actual, uint32_t expected)
rt_check:
    pushfd
    push eax
    inc dword [check_no]
    mov eax, [esp + 12]
    cmp eax, [esp + 16]
    je .ok
    inc dword [group_fails]
    push s_fail
    call rt_puts
    push dword [cur_name]
    call rt_puts
    push s_check
    call rt_puts
    push dword [check_no]
    call rt_putdec
    push s_got
    call rt_puts
    push eax
    call rt_puthex
    push s_want
    call rt_puts
    push dword [esp + 16]
    call rt_puthex
    push 10
    call rt_putc
.ok:
    pop eax
    popfd
    ret 8

; void rt_end(void): print the group verdict and checksum
rt_end:
    pushfd
    cmp dword [group_fails], 0
    jne .fail
    push s_pass
    jmp .name
.fail:
    inc dword [total_fails]
    push s_fail
.name:
    call rt_puts
    push dword [cur_name]
    call rt_puts
    push s_sum
    call rt_puts
    push dword [rt_hash]
    call rt_puthex
    push s_checks
    call rt_puts
    push dword [check_no]
    call rt_putdec
    push 10
    call rt_putc
    popfd
    ret

; int rt_result(void): prints the summary, returns the number of failed groups
rt_result:
    mov eax, [total_fails]
    test eax, eax
    jnz .bad
    push s_allpass
    call rt_puts
    ret
.bad:
    push s_failed
    call rt_puts
    push eax
    call rt_putdec
    push 10
    call rt_putc
    cmp eax, 0x7F
    jbe .ret
    mov eax, 0x7F
.ret:
    ret

section .rodata
s_pass:    db "PASS ", 0
s_fail:    db "FAIL ", 0
s_sum:     db " sum=", 0
s_checks:  db " checks=", 0
s_check:   db " check #", 0
s_got:     db " got ", 0
s_want:    db " want ", 0
s_allpass: db "ALL PASS", 10, 0
s_failed:  db "FAILED groups=", 0

section .data
align 4
rt_hash:     dd 0x811C9DC5
cur_name:    dd s_noname
group_fails: dd 0
check_no:    dd 0
total_fails: dd 0
s_noname:    db "?", 0
