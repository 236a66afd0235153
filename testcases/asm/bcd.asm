; BCD adjustment: daa/das/aaa/aas over every AL with each AF/CF input, aam/aad with
; base 10 and other bases (never 0: that would be #DE). Flags the SDM leaves
; undefined are masked out.
%include "rt.inc"

; ADJ insn, flagmask: for AL = 0..255, AH = AL ^ 0x5A, AF/CF in all four states
%macro ADJ 2
    xor esi, esi
%%i:
    mov eax, esi
    and eax, 0xFF
    mov ah, al
    xor ah, 0x5A
    mov edx, esi
    shr edx, 8                  ; bits 8, 9 of esi: CF, AF in
    mov ecx, edx
    and ecx, 1
    and edx, 2
    shl edx, 3
    or edx, ecx
    push edx
    popfd
    %1
    MIXF %2
    MIX eax
    inc esi
    cmp esi, 1024
    jb %%i
%endmacro

section .text
main:
    BEGIN "bcd-known"
    mov eax, 0x79
    add al, 0x35
    daa
    CHECKF F_CF, F_CF
    CHECK eax, 0x14             ; 79 + 35 = 114
    mov eax, 0x35
    sub al, 0x47
    das
    CHECKF F_CF, F_CF
    CHECK eax, 0x88             ; 35 - 47 = -12 -> 88, borrow
    mov eax, 0x19
    add al, 0x28
    daa
    CHECKF F_CF|F_AF, F_AF
    CHECK eax, 0x47
    mov eax, 0x0008
    add al, 6
    aaa
    CHECKF F_CF|F_AF, F_CF|F_AF
    CHECK eax, 0x0104           ; 8 + 6 = 14 unpacked
    mov eax, 0x0205
    sub al, 8
    aas
    CHECKF F_CF|F_AF, F_CF|F_AF
    CHECK eax, 0x0107           ; 25 - 8 = 17
    mov eax, 0x004F
    aam
    CHECK eax, 0x0709
    mov eax, 0x004F
    aam 16
    CHECK eax, 0x040F
    mov eax, 0x0709
    aad
    CHECK eax, 0x004F
    mov eax, 0x040F
    aad 16
    CHECK eax, 0x004F
    mov eax, 0
    aam
    CHECKF F_ZF|F_SF|F_PF, F_ZF|F_PF
    END

    BEGIN "daa"
    ADJ daa, F_ALL & ~F_OF
    END
    BEGIN "das"
    ADJ das, F_ALL & ~F_OF
    END
    BEGIN "aaa"
    ADJ aaa, F_AF|F_CF
    END
    BEGIN "aas"
    ADJ aas, F_AF|F_CF
    END
    BEGIN "aam-aad"
    ADJ aam, F_SF|F_ZF|F_PF
    ADJ {aam 7}, F_SF|F_ZF|F_PF
    ADJ {aam 255}, F_SF|F_ZF|F_PF
    ADJ aad, F_SF|F_ZF|F_PF
    ADJ {aad 3}, F_SF|F_ZF|F_PF
    ADJ {aad 0}, F_SF|F_ZF|F_PF
    END

    call rt_result
    ret
