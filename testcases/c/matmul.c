/* Integer matrix multiply: A*I == A, (A*B)^T == B^T * A^T, (A*B)*C == A*(B*C)
   (all mod 2^32), a known 2x2 product, and a checksum of A*B. */
#include "rt.h"

#define N 24
typedef i32 mat[N][N];
static mat A, B, C, T1, T2, T3, T4, I;

static void mul(mat r, mat x, mat y)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            i32 s = 0;
            for (int k = 0; k < N; k++)
                s += x[i][k] * y[k][j];
            r[i][j] = s;
        }
}

static void transpose(mat r, mat x)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            r[j][i] = x[i][j];
}

static u32 diff(mat x, mat y)
{
    u32 n = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            n += x[i][j] != y[i][j];
    return n;
}

int main(void)
{
    u32 seed = 7;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 69069u + 1;
            A[i][j] = (i32)(seed >> 20) - 2048;
            seed = seed * 69069u + 1;
            B[i][j] = (i32)(seed >> 12);
            seed = seed * 69069u + 1;
            C[i][j] = (i32)seed;
            I[i][j] = i == j;
        }

    rt_begin("matmul-known");
    static mat K1, K2, K3;
    K1[0][0] = 1; K1[0][1] = 2; K1[1][0] = 3; K1[1][1] = 4;
    K2[0][0] = 5; K2[0][1] = 6; K2[1][0] = 7; K2[1][1] = 8;
    mul(K3, K1, K2);
    rt_check(K3[0][0], 19);
    rt_check(K3[0][1], 22);
    rt_check(K3[1][0], 43);
    rt_check(K3[1][1], 50);
    mul(T1, A, I);
    rt_check(diff(T1, A), 0);
    rt_end();

    rt_begin("matmul-identities");
    mul(T1, A, B);                  /* A*B */
    transpose(T2, A);
    transpose(T3, B);
    mul(T4, T3, T2);                /* B^T A^T */
    transpose(T2, T1);
    rt_check(diff(T2, T4), 0);
    mul(T2, T1, C);                 /* (A*B)*C */
    mul(T3, B, C);
    mul(T4, A, T3);                 /* A*(B*C) */
    rt_check(diff(T2, T4), 0);
    u32 h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            rt_mix((u32)T1[i][j]);
            h += (u32)T2[i][j];
        }
    rt_mix(h);
    rt_puts("trace(A*B) = ");
    i32 tr = 0;
    for (int i = 0; i < N; i++)
        tr += T1[i][i];
    rt_puthex((u32)tr);
    rt_putc('\n');
    rt_end();
    return rt_result();
}
