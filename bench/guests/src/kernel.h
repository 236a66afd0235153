/* The pure-compute benchmark kernels, compiled twice: freestanding for the guest (guest_main.c)
   and for the host (host_main.c, the native peer). Each returns a checksum of everything it
   computed and clears *ok when a self-check fails. */
#ifndef KERNEL_H
#define KERNEL_H
#include <stdint.h>
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int32_t i32;

u32 cmark_run(u32 iters, int *ok);
u32 strmem_run(u32 iters, int *ok);
u32 vm_run(u32 iters, int *ok);
#endif
