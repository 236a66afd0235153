/* 64-bit arithmetic in 32-bit code: multiplication, shifts, signed and unsigned
   division and remainder (libgcc __udivdi3/__divdi3/__umoddi3/__moddi3),
   checked against known constants and the identity n == q * d + r. */
#include "rt.h"

static u64 rng = 0x0123456789ABCDEFull;

static u64 next(void)
{
    /* xorshift64 */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check64(u64 got, u64 want)
{
    rt_check((u32)got, (u32)want);
    rt_check((u32)(got >> 32), (u32)(want >> 32));
}

int main(void)
{
    rt_begin("arith64-known");
    volatile u64 m = 0xFFFFFFFFFFFFFFFFull;
    check64(m / 10, 1844674407370955161ull);
    check64(m % 10, 5);
    check64(0x123456789ABCDEF0ull / 0x12345ull, 0x100005B00205ull);
    volatile i64 s = -1000000000000ll;
    check64((u64)(s / 7), (u64)-142857142857ll);
    check64((u64)(s % 7), (u64)-1ll);
    check64((u64)(s / -7), 142857142857ull);
    check64((u64)(1000000000000ll % -7), 1);
    volatile u64 p = 0xFFFFFFFFull;
    check64(p * p, 0xFFFFFFFE00000001ull);
    check64((u64)1 << 63 >> 62, 2);
    volatile int sh = 40;
    check64(0x8000000000000000ull >> sh, 0x800000);
    check64((u64)((i64)0x8000000000000000ull >> sh), 0xFFFFFFFFFF800000ull);
    check64(0x1ull << sh, 0x10000000000ull);
    rt_end();

    rt_begin("arith64-random");
    u32 bad = 0;
    for (int i = 0; i < 400; i++) {
        u64 n = next();
        u64 d = next() >> (next() & 63);
        if (d == 0)
            d = 1;
        u64 q = n / d, r = n % d;
        if (q * d + r != n || r >= d)
            bad++;
        i64 sn = (i64)n, sd = (i64)d;
        if (i & 1)
            sd = -sd;
        if (sd == -1)
            sd = 3;
        i64 sq = sn / sd, sr = sn % sd;
        if (sq * sd + sr != sn)
            bad++;
        if (sr != 0 && ((sr < 0) != (sn < 0)))
            bad++;                                /* remainder takes the dividend's sign */
        rt_mix((u32)q);
        rt_mix((u32)(q >> 32));
        rt_mix((u32)sr);
        rt_mix((u32)((u64)sq >> 32));
        u64 prod = n * d;
        rt_mix((u32)prod ^ (u32)(prod >> 32));
    }
    rt_check(bad, 0);
    rt_end();
    return rt_result();
}
