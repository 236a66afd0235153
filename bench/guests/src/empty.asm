; Exits at once: measures the peers' start-up (QEMU's firmware and Multiboot load, btvm's loader).
%include "rt.inc"

section .text
main:
    xor eax, eax
    ret
