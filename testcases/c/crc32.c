/* CRC-32 (IEEE 802.3, reflected 0xEDB88320): table-driven versus bit-by-bit,
   the standard check value of "123456789", and Adler-32 of a generated buffer. */
#include "rt.h"

static u32 table[256];
static u8 data[8192];

static void make_table(void)
{
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
}

static u32 crc_table(const u8 *p, u32 n)
{
    u32 c = 0xFFFFFFFFu;
    while (n--)
        c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

static u32 crc_bitwise(const u8 *p, u32 n)
{
    u32 c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static u32 adler32(const u8 *p, u32 n)
{
    u32 a = 1, b = 0;
    while (n--) {
        a = (a + *p++) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

int main(void)
{
    static const char check[] = "123456789";
    make_table();

    rt_begin("crc32-known");
    rt_check(table[1], 0x77073096u);
    rt_check(table[255], 0x2D02EF8Du);
    rt_check(crc_table((const u8 *)check, 9), 0xCBF43926u);
    rt_check(crc_bitwise((const u8 *)check, 9), 0xCBF43926u);
    rt_check(crc_table((const u8 *)check, 0), 0);
    rt_check(adler32((const u8 *)"Wikipedia", 9), 0x11E60398u);
    rt_end();

    rt_begin("crc32-buffer");
    u32 x = 12345;
    for (u32 i = 0; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (u8)(x >> 16);
    }
    u32 total = crc_table(data, sizeof data);
    rt_check(total, crc_bitwise(data, sizeof data));
    rt_mix(total);
    for (u32 len = 1; len <= 1024; len = len * 2 + 1) {
        u32 c = crc_table(data + len, len);
        rt_check(c, crc_bitwise(data + len, len));
        rt_mix(c);
    }
    rt_mix(adler32(data, sizeof data));
    rt_puts("crc32 of buffer = ");
    rt_puthex(total);
    rt_putc('\n');
    rt_end();
    return rt_result();
}
