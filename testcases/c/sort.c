/* Sorting: heapsort, merge sort and insertion sort of the same pseudo-random
   arrays must agree, be ordered and keep the multiset (sum and xor) unchanged. */
#include "rt.h"

#define N 600
static i32 a[N], b[N], c[N], tmp[N];

static void heapsort(i32 *v, int n)
{
    for (int start = n / 2 - 1, end = n; end > 1;) {
        int root;
        if (start >= 0) {
            root = start--;
        } else {
            i32 t = v[0]; v[0] = v[--end]; v[end] = t;
            root = 0;
        }
        for (;;) {
            int child = 2 * root + 1;
            if (child >= end)
                break;
            if (child + 1 < end && v[child + 1] > v[child])
                child++;
            if (v[root] >= v[child])
                break;
            i32 t = v[root]; v[root] = v[child]; v[child] = t;
            root = child;
        }
    }
}

static void mergesort(i32 *v, int lo, int hi)
{
    if (hi - lo < 2)
        return;
    int mid = lo + (hi - lo) / 2;
    mergesort(v, lo, mid);
    mergesort(v, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = v[j] < v[i] ? v[j++] : v[i++];
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < hi)
        tmp[k++] = v[j++];
    memcpy(v + lo, tmp + lo, (hi - lo) * sizeof *v);
}

static void insertion(i32 *v, int n)
{
    for (int i = 1; i < n; i++) {
        i32 x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

int main(void)
{
    u32 seed = 0xC0FFEE;
    for (int round = 0; round < 3; round++) {
        static const char *names[] = { "sort-random", "sort-dups", "sort-sorted" };
        rt_begin(names[round]);
        u32 sum = 0, xr = 0;
        for (int i = 0; i < N; i++) {
            seed = seed * 1664525u + 1013904223u;
            i32 v = (i32)seed;
            if (round == 1)
                v = (i32)(seed >> 28) - 8;       /* many duplicates, negatives */
            if (round == 2)
                v = i * 3 - N;                   /* already sorted */
            a[i] = b[i] = c[i] = v;
            sum += (u32)v;
            xr ^= (u32)v;
        }
        heapsort(a, N);
        mergesort(b, 0, N);
        insertion(c, N);
        u32 bad = 0, s2 = 0, x2 = 0;
        for (int i = 0; i < N; i++) {
            if (i && a[i - 1] > a[i])
                bad++;
            if (a[i] != b[i] || a[i] != c[i])
                bad++;
            s2 += (u32)a[i];
            x2 ^= (u32)a[i];
            rt_mix((u32)a[i]);
        }
        rt_check(bad, 0);
        rt_check(s2, sum);
        rt_check(x2, xr);
        rt_end();
    }
    return rt_result();
}
