/* String routines written here (length, compare, reverse, integer <-> text in
   several bases, a word counter) and the runtime's memcpy/memmove/memset/memcmp. */
#include "rt.h"

static size_t my_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int my_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (u8)*a - (u8)*b;
}

static void reverse(char *s)
{
    size_t n = my_strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i]; s[i] = s[n - 1 - i]; s[n - 1 - i] = t;
    }
}

static char *utoa(u32 v, char *buf, u32 base)
{
    char *p = buf;
    do {
        u32 d = v % base;
        *p++ = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    *p = 0;
    reverse(buf);
    return buf;
}

static char *itoa(i32 v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        utoa(-(u32)v, buf + 1, 10);
    } else {
        utoa((u32)v, buf, 10);
    }
    return buf;
}

static i32 atoi_base(const char *s, u32 base)
{
    int neg = 0;
    u32 v = 0;
    if (*s == '-')
        neg = 1, s++;
    for (; *s; s++) {
        u32 d = *s <= '9' ? (u32)(*s - '0') : (u32)(*s - 'a' + 10);
        v = v * base + d;
    }
    return neg ? -(i32)v : (i32)v;
}

static u32 count_words(const char *s)
{
    u32 n = 0;
    int in = 0;
    for (; *s; s++) {
        int space = *s == ' ' || *s == '\n' || *s == '\t';
        if (!space && !in)
            n++;
        in = !space;
    }
    return n;
}

static char buf[300], big[4096];

int main(void)
{
    rt_begin("strings-known");
    rt_check(my_strlen(""), 0);
    rt_check(my_strlen("hello, world"), 12);
    rt_check(my_strcmp("abc", "abc") == 0, 1);
    rt_check(my_strcmp("abc", "abd") < 0, 1);
    rt_check(my_strcmp("b", "abc") > 0, 1);
    rt_check(my_strcmp(itoa(-2147483647 - 1, buf), "-2147483648"), 0);
    rt_check(my_strcmp(utoa(0xDEADBEEF, buf, 16), "deadbeef"), 0);
    rt_check(my_strcmp(utoa(255, buf, 2), "11111111"), 0);
    rt_check(my_strcmp(utoa(0, buf, 7), "0"), 0);
    rt_check((u32)atoi_base("-12345", 10), (u32)-12345);
    rt_check((u32)atoi_base("zz", 36), 1295);
    rt_check(count_words("  the quick\tbrown fox\n jumps "), 5);
    memcpy(buf, "abcdefghij", 11);
    memmove(buf + 2, buf, 5);
    rt_check(my_strcmp(buf, "ababcdehij"), 0);
    memmove(buf, buf + 3, 5);
    rt_check(my_strcmp(buf, "bcdehdehij"), 0);
    memset(buf + 4, 'x', 3);
    rt_check(my_strcmp(buf, "bcdexxxhij"), 0);
    rt_check(memcmp("abc", "abd", 3) < 0, 1);
    rt_check(memcmp("abc", "abc", 3), 0);
    rt_end();

    rt_begin("strings-roundtrip");
    u32 x = 1, bad = 0;
    for (int i = 0; i < 300; i++) {
        x = x * 2654435761u + 0x9E3779B9u;
        for (u32 base = 2; base <= 36; base += 17) {
            utoa(x, buf, base);
            if ((u32)atoi_base(buf, base) != x)
                bad++;
            for (size_t k = 0; buf[k]; k++)
                rt_mix((u8)buf[k]);
        }
        itoa((i32)x, buf);
        if ((u32)atoi_base(buf, 10) != x)
            bad++;
    }
    rt_check(bad, 0);
    for (u32 i = 0; i < sizeof big - 1; i++)
        big[i] = (i * 7) % 11 ? 'a' + i % 26 : ' ';
    u32 words = count_words(big);
    rt_mix(words);
    rt_puts("words = ");
    rt_putdec(words);
    rt_putc('\n');
    reverse(big);
    rt_check(count_words(big), words);
    rt_end();
    return rt_result();
}
