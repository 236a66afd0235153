/* Native peer: the same kernel compiled for the host. Prints the guest's line on stdout and the
   kernel's own time (CLOCK_MONOTONIC, process start-up excluded) as "ns=N" on stderr.
   Usage: NAME [iters]   (default ITERS, the guest image's count) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "kernel.h"

int main(int argc, char **argv)
{
    u32 iters = argc > 1 ? (u32)strtoul(argv[1], 0, 0) : ITERS;
    int ok = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    u32 sum = KERNEL(iters, &ok);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf(NAME " iters=%u sum=%08X %s\n", iters, sum, ok ? "OK" : "FAIL");
    fprintf(stderr, "ns=%lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    return ok ? 0 : 1;
}
