; memcpy/memset/memmove/memcmp for the freestanding C programs (cdecl).
bits 32
global memcpy, memset, memmove, memcmp

section .text
memcpy:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov ecx, [esp + 20]
    mov eax, edi
    rep movsb
    pop edi
    pop esi
    ret

memmove:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov ecx, [esp + 20]
    mov eax, edi
    cmp edi, esi
    jbe .fwd
    lea esi, [esi + ecx - 1]
    lea edi, [edi + ecx - 1]
    std
    rep movsb
    cld
    jmp .done
.fwd:
    rep movsb
.done:
    pop edi
    pop esi
    ret

memset:
    push edi
    mov edi, [esp + 8]
    mov eax, [esp + 12]
    mov ecx, [esp + 16]
    mov edx, edi
    rep stosb
    mov eax, edx
    pop edi
    ret

memcmp:
    push esi
    push edi
    mov esi, [esp + 12]
    mov edi, [esp + 16]
    mov ecx, [esp + 20]
    xor eax, eax
    repe cmpsb
    je .done
    movzx eax, byte [esi - 1]
    movzx ecx, byte [edi - 1]
    sub eax, ecx
.done:
    pop edi
    pop esi
    ret
