; String instructions: movs/stos/lods/cmps/scas in byte/word/dword sizes, with
; rep/repe/repne, DF = 0 and DF = 1, ECX = 0, overlapping copies, and the 0x67
; address-size prefix (SI/DI/CX) on buffers below 64 KiB.
%include "rt.inc"

LOW equ 0x3000                  ; low buffer for 16-bit addressing (free RAM)

section .text
; fill buf with a pattern: buf[i] = i * 7 + 3
fill:
    pushad
    xor ecx, ecx
.l: lea eax, [ecx*8]
    sub eax, ecx
    add eax, 3
    mov [buf + ecx], al
    inc ecx
    cmp ecx, 256
    jb .l
    popad
    ret

; mix the 256-byte buf into the checksum
mixbuf:
    pushad
    xor ecx, ecx
.l: MIX [buf + ecx]
    add ecx, 4
    cmp ecx, 256
    jb .l
    popad
    ret

main:
    BEGIN "movs"
    call fill
    mov esi, buf
    mov edi, buf + 128
    mov ecx, 10
    rep movsb
    CHECK ecx, 0
    CHECK esi, buf + 10
    CHECK edi, buf + 138
    CHECK [buf + 128], 0x18110A03
    mov esi, buf + 4
    mov edi, buf + 200
    mov ecx, 3
    rep movsd
    CHECK edi, buf + 212
    CHECK [buf + 200], 0x342D261F
    mov esi, buf + 20
    mov edi, buf + 230
    mov ecx, 2
    rep movsw
    CHECK esi, buf + 24
    movzx eax, word [buf + 230]
    CHECK eax, 0x968F
    ; DF = 1 copies downwards
    std
    mov esi, buf + 9
    mov edi, buf + 99
    mov ecx, 10
    rep movsb
    cld
    CHECK esi, buf - 1
    CHECK edi, buf + 89
    CHECK [buf + 90], 0x18110A03
    std
    mov esi, buf + 12
    mov edi, buf + 52
    mov ecx, 4
    rep movsd
    cld
    CHECK esi, buf - 4
    CHECK edi, buf + 36
    CHECK [buf + 40], 0x18110A03
    ; overlapping forward copy by one byte replicates the first byte
    mov byte [buf + 160], 0x5A
    mov esi, buf + 160
    mov edi, buf + 161
    mov ecx, 8
    rep movsb
    CHECK [buf + 164], 0x5A5A5A5A
    ; ECX = 0: nothing happens, flags kept
    mov esi, buf
    mov edi, buf + 1
    xor ecx, ecx
    SETF F_ALL
    rep movsb
    CHECKF F_ALL, F_ALL
    CHECK esi, buf
    ; single movs without rep, and a segment override on the source
    mov esi, buf
    mov edi, buf + 250
    movsw
    fs movsw
    CHECK edi, buf + 254
    call mixbuf
    END

    BEGIN "stos-lods"
    call fill
    mov edi, buf + 16
    mov eax, 0x11223344
    mov ecx, 4
    rep stosd
    CHECK [buf + 28], 0x11223344
    CHECK edi, buf + 32
    mov ecx, 3
    rep stosw
    CHECK [buf + 32], 0x33443344
    mov ecx, 5
    rep stosb
    CHECK edi, buf + 43
    CHECK [buf + 40], 0x30444444      ; byte 43 keeps 43 * 7 + 3
    std
    mov edi, buf + 63
    mov al, 0xEE
    mov ecx, 8
    rep stosb
    cld
    CHECK edi, buf + 55
    CHECK [buf + 56], 0xEEEEEEEE
    mov esi, buf + 16
    lodsd
    CHECK eax, 0x11223344
    lodsw
    movzx eax, ax
    CHECK eax, 0x3344
    mov eax, 0xFFFFFFFF
    lodsb
    CHECK eax, 0xFFFFFF22
    CHECK esi, buf + 23
    std
    lodsw
    cld
    CHECK esi, buf + 21
    mov esi, buf
    mov ecx, 5
    rep lodsb                   ; legal, loads the last byte
    movzx eax, al
    CHECK eax, 31
    CHECK esi, buf + 5
    call mixbuf
    END

    BEGIN "cmps-scas"
    call fill
    mov esi, buf
    mov edi, buf2
    mov ecx, 64
    rep movsd                   ; buf2 = buf
    mov byte [buf2 + 37], 0
    mov esi, buf
    mov edi, buf2
    mov ecx, 256
    repe cmpsb
    CHECKF F_ZF, 0
    CHECK ecx, 256 - 38
    CHECK esi, buf + 38
    mov esi, buf
    mov edi, buf2
    mov ecx, 37
    repe cmpsb                  ; all equal: ends on ECX = 0, ZF = 1
    CHECKF F_ZF, F_ZF
    CHECK ecx, 0
    mov esi, buf
    mov edi, buf2
    mov ecx, 100
    repe cmpsd
    CHECK ecx, 100 - 10
    mov esi, buf
    mov edi, buf2
    mov ecx, 10
    repne cmpsw                 ; stops at the first equal word
    CHECKF F_ZF, F_ZF
    CHECK ecx, 9
    std
    mov esi, buf + 40
    mov edi, buf2 + 40
    mov ecx, 41
    repe cmpsb
    cld
    CHECK ecx, 37
    CHECK edi, buf2 + 36
    ; scas: find byte 31 (= buf[4]) and a missing byte
    mov edi, buf
    mov al, 31
    mov ecx, 256
    repne scasb
    CHECKF F_ZF, F_ZF
    CHECK ecx, 251
    CHECK edi, buf + 5
    mov edi, buf
    mov al, 0                   ; i * 7 + 3 == 0 mod 256 has one solution, i = 109
    mov ecx, 100
    repne scasb
    CHECKF F_ZF, 0
    CHECK ecx, 0
    mov edi, buf
    mov ax, [buf + 8]
    mov ecx, 128
    repne scasw
    CHECK edi, buf + 10
    mov edi, buf + 64
    mov eax, [buf + 64]
    mov ecx, 10
    repe scasd
    CHECK ecx, 8
    mov eax, 0x00000010
    mov edi, buf
    scasb                       ; flags as cmp al, [edi]: 0x10 - 3 borrows from bit 4
    CHECKF F_ALL, F_AF
    ; checksum: repe cmpsb over every mismatch position
    xor ebx, ebx
.cs:
    mov esi, buf
    mov edi, buf2
    mov ecx, 256
    repe cmpsb
    pushfd
    and dword [esp], F_ALL
    call rt_mix
    MIX ecx
    add ebx, 23
    and ebx, 0xFF
    xor byte [buf2 + ebx], 0x40
    cmp ebx, 5
    jne .cs
    END

    BEGIN "addr16"
    ; 0x67: movs/stos/lods/scas use SI, DI, CX
    mov esi, 0xABCD0000 + LOW
    mov edi, 0x12340000 + LOW + 0x100
    mov eax, 0x55AA55AA
    mov ecx, 0xFFFF0004
    a16 rep stosd
    CHECK ecx, 0xFFFF0000
    CHECK edi, 0x12340000 + LOW + 0x110
    CHECK [LOW + 0x10C], 0x55AA55AA
    mov ecx, 0x00010008
    mov edi, 0x12340000 + LOW + 0x200
    mov esi, 0xABCD0000 + LOW + 0x100
    a16 rep movsw
    CHECK ecx, 0x00010000
    CHECK esi, 0xABCD0000 + LOW + 0x110
    CHECK [LOW + 0x20C], 0x55AA55AA
    mov edi, 0x0000FFFE         ; DI wraps within 64 KiB
    mov dword [0xFFFC], 0
    mov dword [0x10000], 0
    mov ax, 0x7777
    mov ecx, 2
    a16 rep stosw
    CHECK edi, 0x00000002
    CHECK [0xFFFC], 0x77770000
    movzx eax, word [0x0]
    CHECK eax, 0x7777
    mov esi, LOW + 0x100
    a16 lodsd
    CHECK esi, LOW + 0x104
    END

    call rt_result
    ret

section .bss
alignb 4
buf: resb 256
buf2: resb 256
