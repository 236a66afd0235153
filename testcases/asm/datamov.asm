; Data movement: mov (all forms), movzx/movsx, lea (addressing modes, 16-bit
; addressing), xchg, push/pop (incl. memory, segment registers, 16-bit), pusha/popa,
; enter/leave, pushf/popf, lahf/sahf, cbw/cwde/cwd/cdq, xlat, prefixes 0x66/0x67,
; segment overrides with a nonzero-base descriptor, NOP forms and endbr32.
%include "rt.inc"

LOW equ 0x2000                  ; below 64 KiB, for 16-bit addressing

section .text
main:
    BEGIN "mov"
    mov eax, 0x12345678
    mov bl, al
    mov bh, ah
    movzx ecx, bx
    CHECK ecx, 0x5678
    mov [mem], eax
    mov dx, [mem + 2]
    movzx edx, dx
    CHECK edx, 0x1234
    mov byte [mem + 1], 0xAB
    CHECK [mem], 0x1234AB78
    mov word [mem], 0xCDEF
    CHECK [mem], 0x1234CDEF
    mov dword [mem + 4], -2
    CHECK [mem + 4], 0xFFFFFFFE
    mov al, [mem + 3]           ; moffs forms
    mov [mem + 5], al
    CHECK [mem + 4], 0xFFFF12FE
    mov ax, [mem]
    mov [mem + 6], ax
    CHECK [mem + 4], 0xCDEF12FE
    mov eax, [mem + 4]
    mov [mem + 8], eax
    CHECK [mem + 8], 0xCDEF12FE
    mov esi, 3
    mov dword [tab + esi*4 + 4], 0x4444
    CHECK [tab + 16], 0x4444
    mov ebx, tab
    mov ecx, -2
    mov byte [ebx + ecx*2 + 21], 0x99
    movzx eax, byte [tab + 17]
    CHECK eax, 0x99
    movzx eax, byte [mem + 7]
    CHECK eax, 0xCD
    movzx eax, word [mem + 6]
    CHECK eax, 0xCDEF
    movsx eax, byte [mem + 7]
    CHECK eax, 0xFFFFFFCD
    movsx eax, word [mem + 4]
    CHECK eax, 0x12FE
    mov bl, 0x80
    movsx bx, bl
    movzx ebx, bx
    CHECK ebx, 0xFF80
    mov cx, 0x7FFF
    movsx ecx, cx
    CHECK ecx, 0x7FFF
    mov eax, 0x12340081
    movsx ax, al                ; 66 0F BE
    CHECK eax, 0x1234FF81
    mov eax, 0xFFFF0000
    mov ax, cs
    CHECK eax, 0xFFFF0000 | SEL_CODE
    mov ax, ss
    movzx eax, ax
    CHECK eax, SEL_DATA
    mov word [mem], 0xFFFF
    mov [mem], ds               ; 16-bit store
    CHECK [mem], 0x12340000 | SEL_DATA
    END

    BEGIN "lea"
    mov ebx, 0x1000
    mov esi, 0x20
    lea eax, [ebx + esi*8 + 0x7F]
    CHECK eax, 0x117F
    lea eax, [esi*4]
    CHECK eax, 0x80
    lea eax, [ebx + ebx*2]
    CHECK eax, 0x3000
    lea eax, [ebx - 0x1001]
    CHECK eax, -1
    lea ax, [ebx + 0x12345]     ; 16-bit destination keeps the upper half
    CHECK eax, 0xFFFF3345
    mov ebx, 0xFFFF
    mov esi, 0x0003
    a16 lea eax, [bx + si + 4]  ; 16-bit address wraps to 64 KiB
    CHECK eax, 6
    mov ebp, 0x10
    mov edi, 0x20
    a16 lea eax, [bp + di - 1]
    CHECK eax, 0x2F
    a16 lea ecx, [0x8000]
    CHECK ecx, 0x8000
    END

    BEGIN "xchg"
    mov eax, 1
    mov ebx, 2
    xchg eax, ebx
    CHECK eax, 2
    CHECK ebx, 1
    mov ecx, 0x11223344
    xchg cl, ch
    CHECK ecx, 0x11224433
    mov dword [mem], 0xAABBCCDD
    xchg [mem], ecx
    CHECK ecx, 0xAABBCCDD
    CHECK [mem], 0x11224433
    xchg ax, cx
    CHECK eax, 0xCCDD
    CHECK ecx, 0xAABB0002
    xchg [mem + 1], al
    CHECK eax, 0xCC44
    CHECK [mem], 0x1122DD33
    END

    BEGIN "push-pop"
    mov edi, esp
    push 0x12345678
    push byte -5
    push word 0x1234            ; 66 68: 2 bytes
    mov eax, edi
    sub eax, esp
    CHECK eax, 10
    pop cx
    movzx ecx, cx
    CHECK ecx, 0x1234
    pop eax
    CHECK eax, -5
    mov dword [mem], 0xCAFEF00D
    push dword [mem]
    pop dword [mem + 4]
    CHECK [mem + 4], 0xCAFEF00D
    pop eax
    CHECK eax, 0x12345678
    CHECKESP edi
    push esp                    ; pushes the value before the push
    pop eax
    CHECK eax, edi
    push ds
    mov eax, edi
    sub eax, esp
    CHECK eax, 4                ; 32-bit push of a segment register
    pop eax
    and eax, 0xFFFF
    CHECK eax, SEL_DATA
    push fs
    pop gs
    mov ax, gs
    movzx eax, ax
    CHECK eax, SEL_DATA
    mov esp, edi
    mov eax, 0xA0
    mov ecx, 0xA1
    mov edx, 0xA2
    mov ebx, 0xA3
    mov ebp, 0xA5
    mov esi, 0xA6
    pushad
    mov eax, [esp + 12]         ; ESP before pushad
    CHECK eax, edi
    mov eax, [esp]              ; EDI
    CHECK eax, edi
    mov eax, [esp + 28]         ; EAX
    CHECK eax, 0xA0
    mov eax, [esp + 8]          ; EBP
    CHECK eax, 0xA5
    mov dword [esp + 12], 0     ; ignored by popad
    mov dword [esp + 16], 0xB3
    mov eax, 0
    popad
    CHECKESP edi
    CHECK ebx, 0xB3
    CHECK eax, 0xA0
    o16 pusha                   ; 16 bytes
    mov eax, edi
    sub eax, esp
    CHECK eax, 16
    movzx eax, word [esp + 14]
    CHECK eax, 0xA0
    mov word [esp + 14], 0x1111
    o16 popa
    CHECK eax, 0x1111
    CHECKESP edi
    END

    BEGIN "enter-leave"
    mov ebx, esp
    mov ebp, 0x5555
    enter 16, 0
    CHECK [ebp], 0x5555
    lea eax, [ebx - 4]
    CHECK ebp, eax
    lea eax, [ebx - 20]
    CHECKESP eax
    mov esi, ebp
    mov dword [esi - 4], 0x7777 ; outer frame's display slot
    enter 8, 2                  ; level 2: old EBP, one copied pointer, new frame pointer
    CHECK [ebp], esi
    CHECK [ebp - 4], 0x7777
    CHECK [ebp - 8], ebp
    lea eax, [esi - 36]
    CHECKESP eax
    leave
    CHECK ebp, esi
    leave
    CHECK ebp, 0x5555
    CHECKESP ebx
    enter 0, 1
    mov eax, ebx
    sub eax, esp
    CHECK eax, 8                ; old EBP and the frame pointer
    leave
    CHECKESP ebx
    END

    BEGIN "flags-moves"
    SETF 0
    lahf
    movzx eax, ah
    CHECK eax, 0x02
    SETF F_ALL
    lahf
    movzx eax, ah
    CHECK eax, 0xD7
    mov ah, 0xFF
    SETF 0
    sahf
    CHECKF F_ALL, F_ALL & ~F_OF
    mov ah, 0x00
    sahf
    CHECKF 0xFF, 0x02
    SETF F_DF | F_OF | F_CF
    pushfd
    pop eax
    and eax, 0xFFF
    CHECK eax, F_DF | F_OF | F_CF | 2
    cld
    mov eax, 0x0000FCFF         ; all but TF, IF: reserved bits 3, 5, 15 read 0, bit 1 reads 1
    push eax
    popfd
    pushfd
    pop eax
    SETF 0
    and eax, 0x0000FFFF
    CHECK eax, 0x7CD7
    SETF 0
    pushfw
    pop ax
    movzx eax, ax
    CHECK eax, 2
    push word F_CF | F_ZF
    popfw
    CHECKF F_ALL, F_CF | F_ZF
    mov eax, 0x80
    cbw
    CHECK eax, 0xFF80
    cwde
    CHECK eax, 0xFFFFFF80
    mov eax, 0x7F
    cwde
    CHECK eax, 0x7F
    mov edx, 0x12345678
    mov eax, 0x8000
    cwd
    CHECK edx, 0x1234FFFF
    mov eax, 0x80000000
    cdq
    CHECK edx, 0xFFFFFFFF
    mov eax, 5
    cdq
    CHECK edx, 0
    mov ebx, xtab
    mov eax, 0xFFFFFF03
    xlatb
    CHECK eax, 0xFFFFFF30
    mov al, 2
    ds xlatb
    movzx eax, al
    CHECK eax, 0x20
    END

    BEGIN "segments"
    ; descriptor 0x18 has base XSEG_BASE: fs:[x] is physical XSEG_BASE + x
    mov dword [XSEG_BASE + 0x40], 0x600DF00D
    mov ax, SEL_XDATA
    mov fs, ax
    mov eax, [fs:0x40]
    CHECK eax, 0x600DF00D
    mov dword [fs:0x44], 0xBEEF
    CHECK [XSEG_BASE + 0x44], 0xBEEF
    mov ebx, 0x40
    mov gs, [sel_x]             ; load from memory
    mov ecx, [gs:ebx + 4]
    CHECK ecx, 0xBEEF
    lea eax, [fs:ebx]           ; lea ignores the segment base
    CHECK eax, 0x40
    mov dword [XSEG_BASE + 0x80], 0x0C0B0A09
    mov ebx, 0x80
    mov al, 3
    fs xlatb                    ; fs:[ebx + al]
    movzx eax, al
    CHECK eax, 0x0C
    mov esi, 0x40
    mov edi, buf
    fs movsd                    ; source through FS, destination ES
    CHECK [buf], 0x600DF00D
    mov ax, SEL_DATA
    mov fs, ax
    mov gs, ax
    mov eax, [fs:buf]
    CHECK eax, 0x600DF00D
    mov es, [sel_x + 2]         ; SEL_DATA
    mov eax, [es:buf]
    CHECK eax, 0x600DF00D
    mov eax, [cs:buf]           ; flat code segment is readable
    CHECK eax, 0x600DF00D
    mov eax, [ss:buf]
    CHECK eax, 0x600DF00D
    END

    BEGIN "prefixes"
    mov eax, 0xFFFFFFFF
    mov ax, 0x1234              ; 66 B8 iw
    CHECK eax, 0xFFFF1234
    mov dword [mem], 0xFFFF
    add word [mem], 7           ; 66 83 /0: the carry does not reach bit 16
    CHECK [mem], 6
    mov ebx, 0
    a16 mov dword [LOW], 0x99887766
    a16 mov dword [LOW + 4], 0x44332211
    mov word [LOW], 0x1111
    CHECK [LOW], 0x99881111
    mov esi, 0x10000 + LOW
    a16 mov eax, [si + 2]       ; SI: the upper half of ESI is ignored
    CHECK eax, 0x22119988
    o16 a16 mov ax, [bx + si]
    movzx eax, ax
    CHECK eax, 0x1111
    mov eax, 0xABCD0000
    db 0x66, 0x66               ; repeated operand-size prefix
    mov ax, 0x5555
    CHECK eax, 0xABCD5555
    db 0x3E, 0x26               ; two segment prefixes: the last one (ES) wins
    mov eax, [mem]
    CHECK eax, 6
    END

    BEGIN "nops"
    SETF F_ALL
    mov eax, 0x1357
    nop
    xchg ax, ax                 ; 66 90
    db 0x0F, 0x1F, 0x00         ; nop dword [eax]
    db 0x0F, 0x1F, 0x40, 0x00   ; nop dword [eax + 0]
    db 0x0F, 0x1F, 0x44, 0x00, 0x00
    db 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00
    db 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00
    db 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    db 0xF3, 0x0F, 0x1E, 0xFB   ; endbr32
    db 0xF3, 0x90               ; pause
    CHECKF F_ALL, F_ALL
    CHECK eax, 0x1357
    END

    call rt_result
    ret

section .data
align 4
sel_x: dw SEL_XDATA, SEL_DATA
xtab: db 0x00, 0x10, 0x20, 0x30, 0x40

section .bss
alignb 4
mem: resd 4
tab: resd 8
buf: resd 4
