#!/bin/sh
# Count guest instructions of an image under QEMU (one instruction per TB, exec log).
# Usage: tools/count_insns.sh IMAGE  -> prints the number (includes QEMU's option-ROM code)
log=$(mktemp)
timeout 600 qemu-system-i386 -accel tcg -singlestep -d exec,nochain -D "$log" -display none \
    -serial null -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$1" </dev/null
grep -c '^Trace' "$log"
rm -f "$log"
