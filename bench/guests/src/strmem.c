/* String- and memory-heavy kernel: byte-wise copy/move/fill/compare on a 32 KiB arena, string
   length/search/reverse, decimal conversion round trips and a word-count hash table over
   generated text. Own routines only (no libc), so guest and host run the same code. */
#include "kernel.h"

#define ARENA 32768
#define TEXT 4096
#define BUCKETS 257

static u8 arena[ARENA];
static char text[TEXT + 1];

static void copy_bytes(u8 *d, const u8 *s, u32 n) { while (n--) *d++ = *s++; }
static void move_bytes(u8 *d, const u8 *s, u32 n)
{
    if (d < s) { while (n--) *d++ = *s++; }
    else { d += n; s += n; while (n--) *--d = *--s; }
}
static void fill_bytes(u8 *d, u8 v, u32 n) { while (n--) *d++ = v; }
static int compare_bytes(const u8 *a, const u8 *b, u32 n)
{
    for (; n; n--, a++, b++)
        if (*a != *b)
            return *a < *b ? -1 : 1;
    return 0;
}
static u32 str_len(const char *s) { const char *p = s; while (*p) p++; return (u32)(p - s); }
static int str_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return (u8)*a - (u8)*b;
}
static const char *str_str(const char *h, const char *n)
{
    for (; *h; h++) {
        const char *a = h, *b = n;
        while (*b && *a == *b) { a++; b++; }
        if (!*b)
            return h;
    }
    return 0;
}
static void str_rev(char *s, u32 n)
{
    for (u32 i = 0, j = n - 1; n && i < j; i++, j--) { char t = s[i]; s[i] = s[j]; s[j] = t; }
}
static u32 to_dec(u32 v, char *out)
{
    u32 n = 0;
    do { out[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    out[n] = 0;
    str_rev(out, n);
    return n;
}
static u32 from_dec(const char *s)
{
    u32 v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (u32)(*s++ - '0');
    return v;
}
static u32 fnv(u32 h, const u8 *p, u32 n) { while (n--) h = (h ^ *p++) * 16777619u; return h; }

static u32 lcg(u32 *s) { *s = *s * 1664525u + 1013904223u; return *s >> 9; }

static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
    "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma"};
#define NWORDS (sizeof words / sizeof words[0])

struct entry { const char *word; u32 len; u32 count; };
static struct entry table[BUCKETS];

static u32 word_count(u32 *h, int *ok)
{
    for (u32 i = 0; i < BUCKETS; i++)
        table[i].word = 0, table[i].count = 0;
    u32 total = 0, distinct = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && *p != ' ') p++;
        u32 len = (u32)(p - start);
        if (!len) continue;
        u32 slot = fnv(2166136261u, (const u8 *)start, len) % BUCKETS;
        while (table[slot].word && (table[slot].len != len ||
               compare_bytes((const u8 *)table[slot].word, (const u8 *)start, len)))
            slot = (slot + 1) % BUCKETS;
        if (!table[slot].word) { table[slot].word = start; table[slot].len = len; distinct++; }
        table[slot].count++;
        total++;
    }
    u32 sum = 0;
    for (u32 i = 0; i < BUCKETS; i++)
        if (table[i].word) { sum += table[i].count; *h = fnv(*h, (const u8 *)&table[i].count, 4); }
    if (sum != total || distinct > NWORDS)
        *ok = 0;
    return total;
}

u32 strmem_run(u32 iters, int *ok)
{
    u32 h = 2166136261u;
    for (u32 it = 0; it < iters; it++) {
        u32 seed = it * 2654435761u + 7;
        /* text of random words */
        u32 n = 0;
        while (n < TEXT - 16) {
            const char *w = words[lcg(&seed) % NWORDS];
            u32 len = str_len(w);
            copy_bytes((u8 *)text + n, (const u8 *)w, len);
            n += len;
            text[n++] = ' ';
        }
        text[n] = 0;
        if (str_len(text) != n)
            *ok = 0;
        u32 words_seen = word_count(&h, ok);
        const char *hit = str_str(text, words[it % NWORDS]);
        h = fnv(h, (const u8 *)&words_seen, 4);
        if (hit)
            h ^= (u32)(hit - text);
        /* memory: fill, copy, overlapping moves, compare */
        u32 len = 4096 + (lcg(&seed) & 4095);
        fill_bytes(arena, (u8)it, len);
        copy_bytes(arena + 8192, (const u8 *)text, len < TEXT ? len : TEXT);
        copy_bytes(arena + 16384, arena + 8192, 2048);
        if (compare_bytes(arena + 16384, arena + 8192, 2048))
            *ok = 0;
        move_bytes(arena + 8192 + 3, arena + 8192, 2048);
        move_bytes(arena + 16384, arena + 16384 + 5, 2048);
        if (compare_bytes(arena + 16384, arena + 8192 + 3 + 5, 2043) != 0)
            *ok = 0;
        h = fnv(h, arena + 8192, 4096);
        /* decimal round trips and string compare */
        char a[16], b[16];
        for (u32 k = 0; k < 64; k++) {
            u32 v = lcg(&seed) * 977u;
            to_dec(v, a);
            if (from_dec(a) != v)
                *ok = 0;
            to_dec(v + 1, b);
            int c = str_cmp(a, b);
            h = fnv(h, (const u8 *)a, str_len(a)) + (u32)(c < 0 ? 1 : c > 0 ? 2 : 3);
        }
    }
    return h;
}
