/* Guest wrapper: runs KERNEL(ITERS) once and prints its checksum; exit value 0 when every
   self-check passed. Built per workload and variant by ../Makefile (-DKERNEL -DITERS -DNAME). */
#include "rt.h"
#include "kernel.h"

int main(void)
{
    int ok = 1;
    u32 sum = KERNEL(ITERS, &ok);
    rt_puts(NAME " iters=");
    rt_putdec(ITERS);
    rt_puts(" sum=");
    rt_puthex(sum);
    rt_puts(ok ? " OK\n" : " FAIL\n");
    return ok ? 0 : 1;
}
