/* gemm_shapes.c — `make gemm-bench`: OpenBLAS's cblas_sgemm beside libxsmm
 * on the matrix products the model runs, one thread each.
 *
 * The shapes are those cpu_gemm receives (model.c's linear_forward and
 * linear_backward): training with batch 64 split over 2 threads (32 rows a
 * shard, weight gradients over T*32 = 352 rows), the same on one thread
 * (64 rows, 704), and one-sentence decoding (B = 1). Row-major, as the
 * model: C(M,N) = alpha op(A) op(B) + beta C.
 *
 * libxsmm is column-major: the row-major product is the column-major
 * C^T(N,M) = op(B)^T op(A)^T, so A and B swap places and so do their
 * transpose flags. Three ways through libxsmm are timed:
 *   xsmm_sgemm  libxsmm_sgemm, the library's BLAS-like entry point: a JIT
 *               kernel when M*N*K <= LIBXSMM_MAX_MNK, else it falls back to
 *               the BLAS it is linked with (here OpenBLAS);
 *   xsmm_jit    a kernel from libxsmm_smmdispatch for the whole shape,
 *               called directly ("-" when libxsmm will not make one, e.g.
 *               for a transpose its JIT does not support);
 *   xsmm_jitNN  for the row-major x W^T products only: the same with W
 *               stored transposed beforehand (a layout the model would have
 *               to keep; the transpose itself is not timed).
 * and ours, gemm_small_nn (model/gemm_small.c), which the CPU backend runs
 * for NN products of up to 128 rows: NN as it is, x W^T from W^T stored
 * beforehand, as the model keeps it; not TN.
 * Each figure is GFLOP/s (2MNK per product); every way is run in turn
 * within each repetition, so a burst of other work on the machine slows
 * all of them alike. Printed: the median over the repetitions and the best.
 *
 * OpenBLAS runs the kernels the program itself would: when it picked a weak
 * family on this CPU (Debian's build says "Prescott" on some virtual CPUs),
 * OPENBLAS_CORETYPE is set to SkylakeX or Haswell and the program restarts,
 * as seq2seq does. To time the AVX2 code of both on an AVX-512 machine:
 *   OPENBLAS_CORETYPE=Haswell LIBXSMM_TARGET=hsw gemm_shapes
 *
 *   gemm_shapes [--reps N] [--ms T]   (defaults 15 repetitions of ~40 ms)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <libxsmm.h>

#include "gemm_small.h"

char *openblas_get_corename(void);
void openblas_set_num_threads(int n);

typedef struct {
    const char *what;
    int ta, tb, M, N, K;
    float beta;
    double share; /* of a training step's GEMM FLOPs (2 threads), "" = n/a */
} shape;

/* Shares: FLOPs of each shape over all of cpu_gemm's in one epoch of the
 * default training run (2 threads), counted by interposing cblas_sgemm. */
static const shape SHAPES[] = {
    {"dW = dY^T X (hidden, 2 thr)", 1, 0, 768, 256, 352, 1.0f, 31.1},
    {"x W^T recurrent (2 thr)", 0, 1, 32, 768, 256, 0.0f, 10.8},
    {"dX = dY W recurrent (2 thr)", 0, 0, 32, 256, 768, 1.0f, 9.7},
    {"x W^T all steps (2 thr)", 0, 1, 352, 768, 256, 0.0f, 5.0},
    {"dW = dY^T X (emb, 2 thr)", 1, 0, 768, 128, 352, 1.0f, 4.4},
    {"dX = dY W all steps (2 thr)", 0, 0, 352, 256, 768, 1.0f, 4.4},
    {"dW = dY^T X (attn, 2 thr)", 1, 0, 256, 256, 352, 1.0f, 3.0},
    {"x W^T emb block (2 thr)", 0, 1, 32, 768, 128, 0.0f, 0.9},
    {"logits x W^T (2 thr)", 0, 1, 32, 38, 256, 0.0f, 0.1},
    {"dW out = dY^T X (2 thr)", 1, 0, 38, 256, 352, 1.0f, 0.2},
    {"x W^T recurrent (1 thr)", 0, 1, 64, 768, 256, 0.0f, -1},
    {"x W^T [emb;ctx] (1 thr)", 0, 1, 64, 768, 384, 0.0f, -1},
    {"dX = dY W recurrent (1 thr)", 0, 0, 64, 256, 768, 1.0f, -1},
    {"dW = dY^T X (hidden, 1 thr)", 1, 0, 768, 256, 704, 1.0f, -1},
    {"decode x W^T hidden (B=1)", 0, 1, 1, 768, 256, 0.0f, -1},
    {"decode x W^T emb (B=1)", 0, 1, 1, 768, 128, 0.0f, -1},
    {"decode x W^T [emb;ctx] (B=1)", 0, 1, 1, 768, 384, 0.0f, -1},
    {"decode attn query (B=1)", 0, 1, 1, 256, 256, 0.0f, -1},
    {"decode logits (B=1)", 0, 1, 1, 38, 256, 0.0f, -1},
};
enum { NSHAPES = sizeof SHAPES / sizeof SHAPES[0], NWAYS = 5 };
static const char *WAYS[NWAYS] = {"openblas", "xsmm_sgemm", "xsmm_jit", "xsmm_jitNN", "ours"};

/* As backend_cpu_blas_better_core(): restarts with a better OpenBLAS kernel
 * family when OpenBLAS chose a weak one and none was asked for. */
static void fast_blas_kernels(char **argv)
{
    const char *core = openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") || !core ||
        (strcmp(core, "Prescott") && strcmp(core, "Core2") && strcmp(core, "Nehalem") &&
         strcmp(core, "Sandybridge")))
        return;
    const char *better = NULL;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        better = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        better = "Haswell";
#endif
    if (!better) return;
    setenv("OPENBLAS_CORETYPE", better, 1);
    execv("/proc/self/exe", argv);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *fill(size_t n, unsigned seed)
{
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, sizeof(float) * (n ? n : 1))) {
        fprintf(stderr, "gemm_shapes: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

typedef struct {
    const shape *s;
    const float *A, *B, *Bt; /* Bt: op(B) stored plainly, for xsmm_jitNN */
    float *C;
    int lda, ldb;
    libxsmm_smmfunction jit, jit_nn;
} problem;

/* One product by way w; returns 0 if that way has no kernel for the shape. */
static int run_once(const problem *p, int w)
{
    const shape *s = p->s;
    const float alpha = 1.0f, beta = s->beta;
    switch (w) {
    case 0:
        cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                    s->tb ? CblasTrans : CblasNoTrans, s->M, s->N, s->K, alpha, p->A, p->lda,
                    p->B, p->ldb, beta, p->C, s->N);
        return 1;
    case 1: {
        /* column-major: m = N, n = M, a = B, b = A, flags swapped */
        const char ta = s->tb ? 'T' : 'N', tb = s->ta ? 'T' : 'N';
        const libxsmm_blasint m = s->N, n = s->M, k = s->K, lda = p->ldb, ldb = p->lda, ldc = s->N;
        libxsmm_sgemm(&ta, &tb, &m, &n, &k, &alpha, p->B, &lda, p->A, &ldb, &beta, p->C, &ldc);
        return 1;
    }
    case 2:
        if (!p->jit) return 0;
        p->jit(p->B, p->A, p->C);
        return 1;
    case 3:
        if (!p->jit_nn) return 0;
        p->jit_nn(p->Bt, p->A, p->C);
        return 1;
    default: /* gemm_small_nn: NN, and x W^T as x (W^T) stored beforehand */
        if (s->ta) return 0;
        gemm_small_nn(s->M, s->N, s->K, p->A, p->lda, p->Bt, s->N, p->C, s->N, beta == 1.0f);
        return 1;
    }
}

/* Times `iters` products; GFLOP/s. */
static double rate(const problem *p, int w, int iters)
{
    const double t0 = now_s();
    for (int i = 0; i < iters; i++) run_once(p, w);
    const double dt = now_s() - t0;
    return 2.0 * p->s->M * p->s->N * (double)p->s->K * iters / dt * 1e-9;
}

static double max_rel_diff(const float *x, const float *y, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)x[i] - (double)y[i]));
        m = fmax(m, fabs((double)x[i]));
    }
    return m > 0 ? d / m : d;
}

int main(int argc, char **argv)
{
    int reps = 15;
    double ms = 40;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ms") && i + 1 < argc) ms = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: gemm_shapes [--reps N] [--ms T]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 1000 || ms <= 0) {
        fprintf(stderr, "gemm_shapes: --reps 1..1000, --ms > 0\n");
        return 2;
    }
    fast_blas_kernels(argv);
    openblas_set_num_threads(1);
    libxsmm_init();
    char cpu[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                const char *c = strchr(line, ':');
                if (c) snprintf(cpu, sizeof cpu, "%s", c + 2);
                cpu[strcspn(cpu, "\n")] = 0;
                break;
            }
        fclose(f);
    }
    printf("cpu: %s\n", cpu);
    printf("OpenBLAS kernels: %s; libxsmm %s, target %s; LIBXSMM_MAX_MNK %d; 1 thread\n",
           openblas_get_corename(), LIBXSMM_VERSION, libxsmm_get_target_arch(),
           (int)LIBXSMM_MAX_MNK);
    printf("%d repetitions of ~%.0f ms per way and shape; GFLOP/s median (best)\n\n", reps, ms);
    printf("ours: gemm_small_nn, %s kernels\n", gemm_small_isa());
    printf("%-30s %-2s %-15s %6s | %-15s %-15s %-15s %-15s %-15s | %s\n", "product (row-major)",
           "op", "M x N x K", "share", WAYS[0], WAYS[1], WAYS[2], WAYS[3], WAYS[4],
           "spread openblas");

    double *g = malloc(sizeof(double) * (size_t)reps * NWAYS);
    if (!g) return 1;
    for (int si = 0; si < NSHAPES; si++) {
        const shape *s = &SHAPES[si];
        problem p = {.s = s};
        /* op(A) is M x K, op(B) is K x N; stored as row-major A, B. */
        const int ar = s->ta ? s->K : s->M, ac = s->ta ? s->M : s->K;
        const int br = s->tb ? s->N : s->K, bc = s->tb ? s->K : s->N;
        p.lda = ac;
        p.ldb = bc;
        float *A = fill((size_t)ar * ac, 1u + (unsigned)si), *B = fill((size_t)br * bc, 7u + (unsigned)si);
        float *Bt = fill((size_t)s->K * s->N, 0); /* op(B) as a plain K x N */
        for (int k = 0; k < s->K; k++)
            for (int n = 0; n < s->N; n++)
                Bt[(size_t)k * s->N + n] = s->tb ? B[(size_t)n * p.ldb + k] : B[(size_t)k * p.ldb + n];
        float *C = fill((size_t)s->M * s->N, 3u);
        p.A = A;
        p.B = B;
        p.Bt = Bt;
        p.C = C;
        {
            const int flags = (s->tb ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (s->ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
            const libxsmm_blasint lda = p.ldb, ldb = p.lda, ldc = s->N;
            const float alpha = 1.0f, beta = s->beta;
            p.jit = libxsmm_smmdispatch(s->N, s->M, s->K, &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL);
            if (s->tb && !s->ta) {
                const int f0 = 0;
                const libxsmm_blasint lda0 = s->N;
                p.jit_nn = libxsmm_smmdispatch(s->N, s->M, s->K, &lda0, &ldb, &ldc, &alpha, &beta, &f0, NULL);
            }
        }
        /* Agreement with OpenBLAS from the same C (beta = 0 for the check). */
        const size_t nc = (size_t)s->M * s->N;
        float *ref = fill(nc, 0), *c0 = fill(nc, 0);
        double diff[NWAYS] = {0};
        {
            shape s0 = *s;
            s0.beta = 0.0f;
            problem q = p;
            q.s = &s0;
            const int flags = (s->tb ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (s->ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
            const libxsmm_blasint lda = p.ldb, ldb = p.lda, ldc = s->N, lda0 = s->N;
            const float alpha = 1.0f, beta = 0.0f;
            const int f0 = 0;
            q.jit = p.jit ? libxsmm_smmdispatch(s->N, s->M, s->K, &lda, &ldb, &ldc, &alpha, &beta, &flags, NULL) : NULL;
            q.jit_nn = p.jit_nn ? libxsmm_smmdispatch(s->N, s->M, s->K, &lda0, &ldb, &ldc, &alpha, &beta, &f0, NULL) : NULL;
            q.C = ref;
            run_once(&q, 0);
            for (int w = 1; w < NWAYS; w++) {
                memset(c0, 0, sizeof(float) * nc);
                q.C = c0;
                diff[w] = run_once(&q, w) ? max_rel_diff(ref, c0, nc) : -1;
            }
        }
        /* Iterations per timed block: ~ms milliseconds of OpenBLAS. */
        for (int w = 0; w < NWAYS; w++) rate(&p, w, 3); /* warm up, JIT done */
        int iters = 1;
        for (;;) {
            const double t0 = now_s();
            for (int i = 0; i < iters; i++) run_once(&p, 0);
            if (now_s() - t0 > ms * 1e-3 / 4 || iters > (1 << 24)) break;
            iters *= 2;
        }
        iters *= 4;
        for (int r = 0; r < reps; r++)
            for (int w = 0; w < NWAYS; w++) {
                int has = w == 0 || w == 1 || (w == 2 && p.jit) || (w == 3 && p.jit_nn) ||
                          (w == 4 && !s->ta);
                g[w * reps + r] = has ? rate(&p, w, iters) : NAN;
            }
        char mnk[32], cell[NWAYS][32], share[16];
        snprintf(mnk, sizeof mnk, "%dx%dx%d", s->M, s->N, s->K);
        if (s->share >= 0) snprintf(share, sizeof share, "%.1f%%", s->share);
        else snprintf(share, sizeof share, "-");
        double spread = 0;
        for (int w = 0; w < NWAYS; w++) {
            double *v = g + w * reps;
            if (isnan(v[0])) {
                snprintf(cell[w], sizeof cell[w], "-");
                continue;
            }
            qsort(v, (size_t)reps, sizeof *v, cmp_double);
            snprintf(cell[w], sizeof cell[w], "%.1f (%.1f)", v[reps / 2], v[reps - 1]);
            if (w == 0) spread = (v[reps - 1] - v[0]) / v[reps / 2];
        }
        printf("%-30s %c%c %-15s %6s | %-15s %-15s %-15s %-15s %-15s | %.0f%%\n", s->what,
               s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', mnk, share, cell[0], cell[1], cell[2],
               cell[3], cell[4], 100 * spread);
        printf("RESULT shape=%s op=%c%c", mnk, s->ta ? 'T' : 'N', s->tb ? 'T' : 'N');
        for (int w = 0; w < NWAYS; w++) {
            const double *v = g + w * reps;
            printf(" %s=%.2f/%.2f", WAYS[w], isnan(v[0]) ? 0.0 : v[reps / 2], isnan(v[0]) ? 0.0 : v[reps - 1]);
        }
        printf(" diff_sgemm=%.1e diff_jit=%.1e diff_jitNN=%.1e diff_ours=%.1e\n", diff[1], diff[2],
               diff[3], diff[4]);
        fflush(stdout);
        free(A);
        free(B);
        free(Bt);
        free(C);
        free(ref);
        free(c0);
    }
    free(g);
    libxsmm_finalize();
    return 0;
}
