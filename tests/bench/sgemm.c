/* make bench: the speed reference, OpenBLAS cblas_sgemm (all threads). Benchmark-only; never part
 * of the build or the tests.
 *   sgemm N        whole-process form: allocate and fill A, B and C (N x N fp32), make ONE
 *                  cblas_sgemm call, exit. tests/bench.sh times it from spawn to exit, exactly
 *                  as it times tpusim.
 *   sgemm N warm   prints the seconds of the best warm call (6 calls, the first not counted). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1024;
    int warm = argc > 2 && strcmp(argv[2], "warm") == 0;
    if (n < 1 || n > 65536) {
        fprintf(stderr, "sgemm: bad size\n");
        return 2;
    }
    size_t e = (size_t)n * (size_t)n;
    float *a = malloc(sizeof(float) * e), *b = malloc(sizeof(float) * e), *c = malloc(sizeof(float) * e);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < e; i++) {
        a[i] = (float)((i * 7) % 13) / 13.0f;
        b[i] = (float)((i * 5) % 11) / 11.0f;
        c[i] = 0.0f;
    }
    double best = 1e30;
    int calls = warm ? 6 : 1;
    for (int r = 0; r < calls; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f, a, (int)n,
                    b, (int)n, 0.0f, c, (int)n);
        double t = now() - t0;
        if ((!warm || r > 0) && t < best)   /* warm: the first call starts threads and fills caches */
            best = t;
    }
    if (warm)
        printf("%.6f\n", best);
    else
        printf("%g\n", (double)c[e / 2 + 1]);   /* so the call is not optimised away */
    free(a);
    free(b);
    free(c);
    return 0;
}
