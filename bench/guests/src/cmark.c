/* CoreMark-class kernel: linked-list processing, matrix operations, a number-parsing state
   machine and CRC-16, seeded per iteration; every part checks itself. */
#include "kernel.h"

#define LIST_N 96
#define MAT_N 14
#define SM_LEN 320

struct node { struct node *next; i32 value; u32 index; };
static struct node nodes[LIST_N];

static u16 crc16_step(u16 crc, u8 byte)
{
    for (int k = 0; k < 8; k++) {
        u16 mix = (crc ^ byte) & 1;
        crc >>= 1;
        if (mix)
            crc ^= 0xA001;
        byte >>= 1;
    }
    return crc;
}

static u16 crc16_u32(u16 crc, u32 v)
{
    crc = crc16_step(crc, (u8)v);
    crc = crc16_step(crc, (u8)(v >> 8));
    crc = crc16_step(crc, (u8)(v >> 16));
    return crc16_step(crc, (u8)(v >> 24));
}

static u32 lcg(u32 *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* ---- list ---- */
static struct node *list_build(u32 seed)
{
    for (u32 i = 0; i < LIST_N; i++) {
        nodes[i].value = (i32)(lcg(&seed) & 0xFFFF) - 0x8000;
        nodes[i].index = i;
        nodes[i].next = i + 1 < LIST_N ? &nodes[i + 1] : 0;
    }
    return &nodes[0];
}

static struct node *list_reverse(struct node *head)
{
    struct node *prev = 0;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static struct node *list_merge_sort(struct node *head, int by_value)
{
    /* bottom-up merge sort on the linked list */
    u32 width = 1;
    for (;;) {
        struct node *p = head, *tail = 0;
        u32 merges = 0;
        head = 0;
        while (p) {
            struct node *q = p;
            u32 psize = 0, qsize = width;
            merges++;
            while (q && psize < width) {
                psize++;
                q = q->next;
            }
            while (psize || (qsize && q)) {
                struct node *e;
                if (!psize) {
                    e = q; q = q->next; qsize--;
                } else if (!qsize || !q) {
                    e = p; p = p->next; psize--;
                } else {
                    int le = by_value ? p->value <= q->value : p->index <= q->index;
                    if (le) { e = p; p = p->next; psize--; }
                    else { e = q; q = q->next; qsize--; }
                }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1)
            return head;
        width *= 2;
    }
}

static struct node *list_find(struct node *head, i32 value)
{
    while (head && head->value != value)
        head = head->next;
    return head;
}

static u16 list_bench(u32 seed, u16 crc, int *ok)
{
    struct node *head = list_build(seed);
    i32 sum_before = 0, sum_after = 0;
    for (struct node *p = head; p; p = p->next)
        sum_before += p->value;
    head = list_reverse(head);
    head = list_merge_sort(head, 1);
    u32 count = 0;
    for (struct node *p = head; p; p = p->next) {
        sum_after += p->value;
        if (p->next && p->value > p->next->value)
            *ok = 0;
        count++;
        crc = crc16_u32(crc, (u32)p->value);
    }
    if (count != LIST_N || sum_after != sum_before)
        *ok = 0;
    for (u32 k = 0; k < 8; k++) {
        struct node *f = list_find(head, nodes[(seed + k * 13) % LIST_N].value);
        if (!f)
            *ok = 0;
        else
            crc = crc16_u32(crc, f->index);
    }
    head = list_merge_sort(head, 0);
    for (u32 i = 0; head; head = head->next, i++)
        if (head->index != i)
            *ok = 0;
    return crc;
}

/* ---- matrix ---- */
static i32 ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N], mt[MAT_N][MAT_N];

static u16 matrix_bench(u32 seed, u16 crc, int *ok)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (i32)(lcg(&seed) & 0xFFF) - 0x800;
            mb[i][j] = (i32)(lcg(&seed) & 0xFFF) - 0x800;
        }
    /* C = A * B */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            i32 s = 0;
            for (int k = 0; k < MAT_N; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    /* check one row the other way round: (B^T A^T)^T = A B */
    int r = seed % MAT_N;
    for (int j = 0; j < MAT_N; j++) {
        i32 s = 0;
        for (int k = 0; k < MAT_N; k++)
            s += mb[k][j] * ma[r][k];
        if (s != mc[r][j])
            *ok = 0;
    }
    /* add a constant, multiply by a constant, extract bit fields */
    i32 c = (i32)(seed & 0xFF) + 1;
    u32 acc = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mt[j][i] = (mc[i][j] + c) * 3;
            acc += ((u32)mt[j][i] >> 2) & 0xF;
            acc ^= (u32)mt[j][i] << (j & 7);
        }
    for (int i = 0; i < MAT_N; i++)
        crc = crc16_u32(crc, (u32)mt[i][i]);
    return crc16_u32(crc, acc);
}

/* ---- state machine: classify comma-separated numbers ---- */
enum { S_START, S_INT, S_FRAC, S_EXP0, S_EXP, S_INVALID, S_COUNT };
static char sm_text[SM_LEN + 1];

static void sm_build(u32 seed)
{
    static const char alphabet[] = "0123456789012345.+-eE,x";
    for (u32 i = 0; i < SM_LEN; i++)
        sm_text[i] = alphabet[lcg(&seed) % (sizeof alphabet - 1)];
    sm_text[SM_LEN] = 0;
}

static u16 state_bench(u32 seed, u16 crc, int *ok)
{
    u32 counts[S_COUNT] = {0};
    u32 transitions = 0, tokens = 0;
    sm_build(seed);
    int s = S_START;
    for (const char *p = sm_text; ; p++) {
        char ch = *p;
        int next;
        if (ch == ',' || ch == 0) {
            counts[s]++;
            tokens++;
            next = S_START;
        } else {
            switch (s) {
            case S_START:
                next = (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ? S_INT :
                       ch == '.' ? S_FRAC : S_INVALID;
                break;
            case S_INT:
                next = (ch >= '0' && ch <= '9') ? S_INT : ch == '.' ? S_FRAC :
                       (ch == 'e' || ch == 'E') ? S_EXP0 : S_INVALID;
                break;
            case S_FRAC:
                next = (ch >= '0' && ch <= '9') ? S_FRAC :
                       (ch == 'e' || ch == 'E') ? S_EXP0 : S_INVALID;
                break;
            case S_EXP0:
                next = (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ? S_EXP : S_INVALID;
                break;
            case S_EXP:
                next = (ch >= '0' && ch <= '9') ? S_EXP : S_INVALID;
                break;
            default:
                next = S_INVALID;
            }
        }
        transitions += next != s;
        s = next;
        if (ch == 0)
            break;
    }
    u32 total = 0;
    for (int i = 0; i < S_COUNT; i++) {
        total += counts[i];
        crc = crc16_u32(crc, counts[i]);
    }
    if (total != tokens)
        *ok = 0;
    return crc16_u32(crc, transitions);
}

u32 cmark_run(u32 iters, int *ok)
{
    u16 crc = 0;
    u32 mixed = 0;
    /* CRC-16 self-check: the standard check value of "123456789" (CRC-16/ARC) */
    static const char check[] = "123456789";
    u16 c = 0;
    for (int i = 0; check[i]; i++)
        c = crc16_step(c, (u8)check[i]);
    if (c != 0xBB3D)
        *ok = 0;
    for (u32 it = 0; it < iters; it++) {
        u32 seed = 0x9E3779B9u * (it + 1);
        crc = list_bench(seed, crc, ok);
        crc = matrix_bench(seed, crc, ok);
        crc = state_bench(seed, crc, ok);
        mixed = (mixed << 5 | mixed >> 27) ^ crc;
    }
    return mixed;
}
