/* test_cuda.c — the CUDA backend against the CPU backend.
 *
 * Without a usable GPU (or in a build without CUDA) backend_cuda_create says
 * S2S_ERR_UNSUPPORTED: the test prints "SKIP: <why>" and every test is
 * skipped, so CI passes. A GPU that is present but fails to start fails.
 *
 * With a GPU:
 *  (a) every operation of backend.h runs on both backends on the same random
 *      inputs, at sizes that are no multiple of a warp (B=5, S=7, H=33, V=13,
 *      E=11), and the results must satisfy |cuda − cpu| ≤ atol + rtol·|cpu|;
 *      the worst element of each output is printed. Dropout masks, embedding
 *      lookups and token choices must be identical.
 *  (b) the whole model: the same configuration (V=38, E=16, H=32, L=2,
 *      dropout 0.1; Bahdanau, Luong and no attention), the same initial
 *      weights, the same batch of mixed lengths, a mixed teacher-forcing feed,
 *      train=1: the loss, every gradient tensor, the gradient norm, every
 *      parameter after clip + Adam, and greedy decoding's tokens (equal) and
 *      attention (close).
 *
 * Tolerances (FP32 on both sides, TF32 off, which is the backend's default):
 * element-wise operations 1e-6 absolute + 1e-5 relative (expf and tanh differ
 * by an ulp or two between glibc and CUDA, and nvcc fuses multiply-adds);
 * reductions over ~33 terms 2e-5 absolute. Whole model: loss 1e-5 relative;
 * gradients 1e-4 relative plus 1e-4 of the tensor's largest gradient (small
 * entries are differences of larger terms and carry absolute, not relative,
 * error); parameters after Adam 1e-6 + 1e-5 relative, plus the change that
 * the allowed gradient error can make in Adam's first step (see
 * adam_slack). A mismatch in (b) while (a) passes and the token check fails
 * points at an argmax near-tie: fed back, one different token changes
 * everything after it.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "backend.h"
#include "data.h"
#include "model.h"
#include "rng.h"

static s2s_backend *g_cpu, *g_gpu; /* made by the group setup; g_gpu NULL: skip */

static int group_setup(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    if (backend_cpu_create(&g_cpu, 1, &err) != 0) {
        fprintf(stderr, "backend_cpu_create: %s\n", err.msg);
        return -1;
    }
    int rc = backend_cuda_create(&g_gpu, 0, &err);
    if (rc == S2S_ERR_UNSUPPORTED) {
        g_gpu = NULL;
        printf("SKIP: %s\n", err.msg);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "backend_cuda_create failed (%d): %s\n", rc, err.msg);
        return -1;
    }
    printf("CUDA backend started; comparing with the CPU backend (%s)\n", backend_cpu_blas_info());
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    backend_free(g_gpu);
    backend_free(g_cpu);
    return 0;
}

#define NEED_GPU()              \
    do {                        \
        if (!g_gpu) skip();     \
    } while (0)

static void sync_ok(s2s_backend *be)
{
    s2s_error err;
    s2s_error_clear(&err);
    CHECK_OK(be->sync(be, &err), &err);
}

/* ------------------------------------------------------------ buffers on both backends */

/* The same data in CPU memory (.c) and GPU memory (.g). */
typedef struct {
    float *c, *g;
    size_t n;
} fpair;

typedef struct {
    int *c, *g;
    size_t n;
} ipair;

static fpair fp_new(size_t n, const float *host)
{
    fpair p = {g_cpu->alloc(g_cpu, n * sizeof(float)), g_gpu->alloc(g_gpu, n * sizeof(float)), n};
    assert_non_null(p.c);
    assert_non_null(p.g);
    if (host) {
        g_cpu->upload(g_cpu, p.c, host, n * sizeof(float));
        g_gpu->upload(g_gpu, p.g, host, n * sizeof(float));
    }
    return p;
}

static ipair ip_new(size_t n, const int *host)
{
    ipair p = {g_cpu->alloc(g_cpu, n * sizeof(int)), g_gpu->alloc(g_gpu, n * sizeof(int)), n};
    assert_non_null(p.c);
    assert_non_null(p.g);
    g_cpu->upload(g_cpu, p.c, host, n * sizeof(int));
    g_gpu->upload(g_gpu, p.g, host, n * sizeof(int));
    return p;
}

static void fp_free(fpair *p)
{
    g_cpu->free(g_cpu, p->c);
    g_gpu->free(g_gpu, p->g);
}

static void ip_free(ipair *p)
{
    g_cpu->free(g_cpu, p->c);
    g_gpu->free(g_gpu, p->g);
}

static float *host_floats(size_t n)
{
    float *h = malloc((n ? n : 1) * sizeof(float));
    assert_non_null(h);
    return h;
}

static float *rand_floats(size_t n, s2s_rng *r, float lo, float hi)
{
    float *h = host_floats(n);
    for (size_t i = 0; i < n; i++) h[i] = lo + (hi - lo) * rng_uniform(r);
    return h;
}

/* ------------------------------------------------------------ comparisons */

/* Worst element of |cuda − cpu| against atol + rtol·|cpu|, printed; returns
 * 1 if every element is within its bound (NaN on one side only fails). */
static int close_enough(const char *op, const char *what, const float *gpu, const float *cpu,
                        size_t n, double atol, double rtol)
{
    double worst = 0.0, wdiff = 0.0;
    size_t wi = 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        double a = gpu[i], b = cpu[i];
        if (isnan(a) || isnan(b)) {
            if (isnan(a) && isnan(b)) continue;
            worst = INFINITY;
            wi = i;
            ok = 0;
            break;
        }
        double diff = fabs(a - b), ratio = diff / (atol + rtol * fabs(b));
        if (ratio > worst) {
            worst = ratio;
            wi = i;
            wdiff = diff;
        }
    }
    if (worst > 1.0) ok = 0;
    printf("  %-14s %-10s worst |cuda-cpu| %.3g at [%zu] (cuda %.9g, cpu %.9g), %.2f of the bound%s\n",
           op, what, wdiff, wi, n ? (double)gpu[wi] : 0.0, n ? (double)cpu[wi] : 0.0, worst,
           ok ? "" : "  <-- FAIL");
    return ok;
}

/* Downloads both sides of p and compares them. */
static int compare(const char *op, const char *what, const fpair *p, double atol, double rtol)
{
    float *hc = host_floats(p->n), *hg = host_floats(p->n);
    g_cpu->download(g_cpu, hc, p->c, p->n * sizeof(float));
    g_gpu->download(g_gpu, hg, p->g, p->n * sizeof(float));
    sync_ok(g_gpu);
    int ok = close_enough(op, what, hg, hc, p->n, atol, rtol);
    free(hc);
    free(hg);
    return ok;
}

static int compare_exact(const char *op, const char *what, const fpair *p)
{
    float *hc = host_floats(p->n), *hg = host_floats(p->n);
    g_cpu->download(g_cpu, hc, p->c, p->n * sizeof(float));
    g_gpu->download(g_gpu, hg, p->g, p->n * sizeof(float));
    sync_ok(g_gpu);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < p->n; i++)
        if (memcmp(&hc[i], &hg[i], sizeof(float)) != 0 && !bad++) first = i;
    if (bad)
        printf("  %-14s %-10s %zu of %zu differ, first at [%zu] (cuda %.9g, cpu %.9g)  <-- FAIL\n",
               op, what, bad, p->n, first, (double)hg[first], (double)hc[first]);
    else
        printf("  %-14s %-10s bit-identical (%zu elements)\n", op, what, p->n);
    free(hc);
    free(hg);
    return bad == 0;
}

static int compare_ints(const char *op, const char *what, const ipair *p)
{
    int *hc = malloc(p->n * sizeof(int)), *hg = malloc(p->n * sizeof(int));
    assert_non_null(hc);
    assert_non_null(hg);
    g_cpu->download(g_cpu, hc, p->c, p->n * sizeof(int));
    g_gpu->download(g_gpu, hg, p->g, p->n * sizeof(int));
    sync_ok(g_gpu);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < p->n; i++)
        if (hc[i] != hg[i] && !bad++) first = i;
    if (bad)
        printf("  %-14s %-10s %zu of %zu differ, first at [%zu] (cuda %d, cpu %d)  <-- FAIL\n", op,
               what, bad, p->n, first, hg[first], hc[first]);
    else
        printf("  %-14s %-10s equal (%zu values)\n", op, what, p->n);
    free(hc);
    free(hg);
    return bad == 0;
}

#define EW_ATOL 1e-6 /* element-wise operations */
#define EW_RTOL 1e-5
#define RED_ATOL 2e-5 /* sums of tens of terms of order 1 */
#define RED_RTOL 1e-5

/* Sizes of the op-level tests: nothing is a multiple of 32. */
enum { TB = 5, TS = 7, TH = 33, TV = 13, TE = 11 };

/* ------------------------------------------------------------ memory */

static void test_memory(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 1);
    const size_t n = 1001;
    float *h = rand_floats(n, &r, -1, 1), *back = host_floats(n);
    float *d = g_gpu->alloc(g_gpu, n * sizeof(float));
    assert_non_null(d);
    g_gpu->download(g_gpu, back, d, n * sizeof(float));
    sync_ok(g_gpu);
    for (size_t i = 0; i < n; i++) assert_true(back[i] == 0.0f); /* alloc zeroes */

    g_gpu->upload(g_gpu, d, h, n * sizeof(float));
    g_gpu->download(g_gpu, back, d, n * sizeof(float));
    sync_ok(g_gpu);
    assert_memory_equal(back, h, n * sizeof(float));

    /* copy and zero on sub-ranges (pointer arithmetic on device memory) */
    float *e = g_gpu->alloc(g_gpu, n * sizeof(float));
    assert_non_null(e);
    g_gpu->copy(g_gpu, e + 10, d + 20, 500 * sizeof(float));
    g_gpu->zero(g_gpu, d + 100, 50 * sizeof(float));
    float *back2 = host_floats(n);
    g_gpu->download(g_gpu, back, d, n * sizeof(float));
    g_gpu->download(g_gpu, back2, e, n * sizeof(float));
    sync_ok(g_gpu);
    for (size_t i = 0; i < n; i++) {
        assert_true(back[i] == (i >= 100 && i < 150 ? 0.0f : h[i]));
        assert_true(back2[i] == (i >= 10 && i < 510 ? h[i + 10] : 0.0f));
    }
    void *z = g_gpu->alloc(g_gpu, 0);
    assert_non_null(z); /* zero bytes still gives a pointer, as on the CPU */
    g_gpu->free(g_gpu, z);

    /* An impossible allocation: NULL, and nothing left for sync to report. */
    void *huge = g_gpu->alloc(g_gpu, (size_t)1 << 52);
    assert_null(huge);
    sync_ok(g_gpu);
    printf("  memory: alloc zeroes, upload/download/copy/zero exact, failed alloc is NULL\n");
    g_gpu->free(g_gpu, d);
    g_gpu->free(g_gpu, e);
    free(h);
    free(back);
    free(back2);
}

/* A failing call is reported by sync (file, line, call), once. */
static void test_error_reporting(void **state)
{
    (void)state;
    NEED_GPU();
    float *a = g_gpu->alloc(g_gpu, 64 * sizeof(float));
    assert_non_null(a);
    /* lda = 1 < K = 4: cuBLAS rejects it. */
    g_gpu->gemm(g_gpu, 0, 0, 4, 4, 4, 1.0f, a, 1, a, 4, 0.0f, a + 32, 4);
    s2s_error err;
    s2s_error_clear(&err);
    int rc = g_gpu->sync(g_gpu, &err);
    printf("  sync after a bad gemm: %d \"%s\"\n", rc, err.msg);
    assert_int_equal(rc, S2S_ERR_DEVICE);
    assert_non_null(strstr(err.msg, "backend_cuda.cu:"));
    assert_non_null(strstr(err.msg, "cublasSgemm"));
    sync_ok(g_gpu); /* reported once, then cleared */
    g_gpu->free(g_gpu, a);
}

/* ------------------------------------------------------------ dense algebra */

static void test_gemm(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 2);
    const int M = 7, N = 13, K = 33, pad = 3;
    int ok = 1;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int beta_i = 0; beta_i < 2; beta_i++) {
                /* Row-major with padded leading dimensions, and operands at
                 * an offset inside a larger buffer (as the model does with
                 * column blocks of W_ih). */
                const int arows = ta ? K : M, acols = ta ? M : K;
                const int brows = tb ? N : K, bcols = tb ? K : N;
                const int lda = acols + pad, ldb = bcols + pad, ldc = N + pad;
                const size_t off = 5;
                float *ha = rand_floats(off + (size_t)arows * lda, &r, -1, 1);
                float *hb = rand_floats(off + (size_t)brows * ldb, &r, -1, 1);
                float *hc = rand_floats((size_t)M * ldc, &r, -1, 1);
                fpair A = fp_new(off + (size_t)arows * lda, ha);
                fpair B = fp_new(off + (size_t)brows * ldb, hb);
                fpair C = fp_new((size_t)M * ldc, hc);
                const float alpha = 0.7f, beta = beta_i ? 0.3f : 0.0f;
                g_cpu->gemm(g_cpu, ta, tb, M, N, K, alpha, A.c + off, lda, B.c + off, ldb, beta,
                            C.c, ldc);
                g_gpu->gemm(g_gpu, ta, tb, M, N, K, alpha, A.g + off, lda, B.g + off, ldb, beta,
                            C.g, ldc);
                char what[64];
                snprintf(what, sizeof what, "tA%d tB%d %s", ta, tb, beta_i ? "b0.3" : "b0");
                ok &= compare("gemm", what, &C, RED_ATOL, RED_RTOL);
                fp_free(&A);
                fp_free(&B);
                fp_free(&C);
                free(ha);
                free(hb);
                free(hc);
            }
    assert_true(ok);
}

static void test_bias_and_add(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 3);
    int ok = 1;
    {
        const int rows = TB * TS, cols = 3 * TH;
        float *hy = rand_floats((size_t)rows * cols, &r, -1, 1), *hb = rand_floats(cols, &r, -1, 1);
        fpair y = fp_new((size_t)rows * cols, hy), b = fp_new(cols, hb);
        g_cpu->add_bias(g_cpu, y.c, b.c, rows, cols);
        g_gpu->add_bias(g_gpu, y.g, b.g, rows, cols);
        ok &= compare("add_bias", "y", &y, EW_ATOL, EW_RTOL);
        fp_free(&y);
        fp_free(&b);
        free(hy);
        free(hb);
    }
    /* bias_grad at shapes that take one chunk, several, and many columns. */
    static const int shapes[][2] = {{TB * TS, 3 * TH}, {1000, TV}, {3001, 5}, {77, 9000}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const int rows = shapes[k][0], cols = shapes[k][1];
        float *hdy = rand_floats((size_t)rows * cols, &r, -1, 1);
        float *hdb = rand_floats(cols, &r, -1, 1); /* += onto existing values */
        fpair dy = fp_new((size_t)rows * cols, hdy), db = fp_new(cols, hdb);
        g_cpu->bias_grad(g_cpu, db.c, dy.c, rows, cols);
        g_gpu->bias_grad(g_gpu, db.g, dy.g, rows, cols);
        char what[64];
        snprintf(what, sizeof what, "%dx%d", rows, cols);
        /* sums of up to 3001 terms of order 1 */
        ok &= compare("bias_grad", what, &db, 1e-6 * sqrt((double)rows) * 10, RED_RTOL);
        fp_free(&dy);
        fp_free(&db);
        free(hdy);
        free(hdb);
    }
    {
        const size_t n = 1001;
        float *hy = rand_floats(n, &r, -1, 1), *hx = rand_floats(n, &r, -1, 1);
        fpair y = fp_new(n, hy), x = fp_new(n, hx);
        g_cpu->add(g_cpu, y.c, x.c, n);
        g_gpu->add(g_gpu, y.g, x.g, n);
        ok &= compare_exact("add", "y", &y);
        fp_free(&y);
        fp_free(&x);
        free(hy);
        free(hx);
    }
    assert_true(ok);
}

/* ------------------------------------------------------------ embedding */

static void test_embedding(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 4);
    const int n = TB * TS;
    int ids[TB * TS];
    for (int i = 0; i < n; i++) ids[i] = (int)rng_below(&r, TV); /* repeats and <PAD>s */
    ids[0] = ids[7] = S2S_PAD;
    ids[3] = ids[4] = ids[20] = 5;
    float *htab = rand_floats((size_t)TV * TE, &r, -1, 1);
    float *hd = rand_floats((size_t)n * TE, &r, -1, 1);
    ipair id = ip_new(n, ids);
    fpair tab = fp_new((size_t)TV * TE, htab), out = fp_new((size_t)n * TE, NULL);
    fpair dout = fp_new((size_t)n * TE, hd), dtab = fp_new((size_t)TV * TE, htab);
    g_cpu->embed_forward(g_cpu, out.c, tab.c, id.c, n, TE);
    g_gpu->embed_forward(g_gpu, out.g, tab.g, id.g, n, TE);
    int ok = compare_exact("embed_forward", "out", &out);
    g_cpu->embed_backward(g_cpu, dtab.c, dout.c, id.c, n, TE);
    g_gpu->embed_backward(g_gpu, dtab.g, dout.g, id.g, n, TE);
    ok &= compare("embed_backward", "dtable", &dtab, EW_ATOL, EW_RTOL);
    /* The <PAD> row is untouched (it started as htab's row 0). */
    float row0[TE];
    g_gpu->download(g_gpu, row0, dtab.g, sizeof row0);
    sync_ok(g_gpu);
    assert_memory_equal(row0, htab, sizeof row0);
    fp_free(&tab);
    fp_free(&out);
    fp_free(&dout);
    fp_free(&dtab);
    ip_free(&id);
    free(htab);
    free(hd);
    assert_true(ok);
}

/* ------------------------------------------------------------ dropout */

static void test_dropout(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 5);
    const size_t n = 10007;
    static const float ps[] = {0.1f, 0.5f};
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        const uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1);
        float *hx = rand_floats(n, &r, -1, 1);
        fpair x = fp_new(n, hx), y = fp_new(n, NULL), mask = fp_new(n, NULL);
        g_cpu->dropout_forward(g_cpu, y.c, mask.c, x.c, n, ps[k], seed);
        g_gpu->dropout_forward(g_gpu, y.g, mask.g, x.g, n, ps[k], seed);
        const char *what = k == 0 ? "mask p=0.1" : "mask p=0.5";
        ok &= compare_exact("dropout_fwd", what, &mask);
        ok &= compare_exact("dropout_fwd", "y", &y);
        /* in place, as the model calls it */
        g_cpu->dropout_forward(g_cpu, x.c, mask.c, x.c, n, ps[k], seed + 1);
        g_gpu->dropout_forward(g_gpu, x.g, mask.g, x.g, n, ps[k], seed + 1);
        ok &= compare_exact("dropout_fwd", "in place", &x);
        g_cpu->dropout_backward(g_cpu, y.c, y.c, mask.c, n);
        g_gpu->dropout_backward(g_gpu, y.g, y.g, mask.g, n);
        ok &= compare_exact("dropout_bwd", "dx", &y);
        fp_free(&x);
        fp_free(&y);
        fp_free(&mask);
        free(hx);
    }
    assert_true(ok);
}

/* ------------------------------------------------------------ GRU cell */

static void test_gru(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 6);
    const int B = TB, H = TH, t = 4;
    const int lens[TB] = {3, 7, 1, 5, 4}; /* at t = 4, rows 0, 2 and 4 are past their end */
    ipair len = ip_new(B, lens);
    int ok = 1;
    for (int use_len = 0; use_len < 2; use_len++) {
        float *hgi = rand_floats((size_t)B * 3 * H, &r, -2, 2);
        float *hgh = rand_floats((size_t)B * 3 * H, &r, -2, 2);
        float *hhp = rand_floats((size_t)B * H, &r, -1, 1);
        float *hdh = rand_floats((size_t)B * H, &r, -1, 1);
        float *hgarbage = rand_floats((size_t)B * 4 * H, &r, -1, 1);
        fpair gi = fp_new((size_t)B * 3 * H, hgi), gh = fp_new((size_t)B * 3 * H, hgh);
        fpair hp = fp_new((size_t)B * H, hhp), h = fp_new((size_t)B * H, NULL);
        fpair gates = fp_new((size_t)B * 4 * H, hgarbage); /* masked rows must be zeroed */
        const int *lc = use_len ? len.c : NULL, *lg = use_len ? len.g : NULL;
        /* The masked case also adds both biases; the other adds none. */
        float *hb = rand_floats((size_t)2 * 3 * H, &r, -1, 1);
        fpair bias = fp_new((size_t)2 * 3 * H, hb);
        const float *bic = use_len ? bias.c : NULL, *bhc = use_len ? bias.c + 3 * H : NULL;
        const float *big = use_len ? bias.g : NULL, *bhg = use_len ? bias.g + 3 * H : NULL;
        g_cpu->gru_forward(g_cpu, h.c, gates.c, gi.c, gh.c, bic, bhc, hp.c, lc, t, B, H);
        g_gpu->gru_forward(g_gpu, h.g, gates.g, gi.g, gh.g, big, bhg, hp.g, lg, t, B, H);
        fp_free(&bias);
        free(hb);
        const char *tag = use_len ? "masked+bias" : "no len";
        ok &= compare("gru_forward h", tag, &h, EW_ATOL, EW_RTOL);
        ok &= compare("gru_forward g", tag, &gates, EW_ATOL, EW_RTOL);

        /* Backward from the CPU's gates on both sides: the op alone. */
        float *hgates = host_floats((size_t)B * 4 * H);
        g_cpu->download(g_cpu, hgates, gates.c, (size_t)B * 4 * H * sizeof(float));
        g_gpu->upload(g_gpu, gates.g, hgates, (size_t)B * 4 * H * sizeof(float));
        fpair dh = fp_new((size_t)B * H, hdh), dhp = fp_new((size_t)B * H, hgarbage);
        fpair dgi = fp_new((size_t)B * 3 * H, hgarbage), dgh = fp_new((size_t)B * 3 * H, hgarbage);
        g_cpu->gru_backward(g_cpu, dgi.c, dgh.c, dhp.c, dh.c, gates.c, hp.c, lc, t, B, H);
        g_gpu->gru_backward(g_gpu, dgi.g, dgh.g, dhp.g, dh.g, gates.g, hp.g, lg, t, B, H);
        ok &= compare("gru_backward", "d_gi", &dgi, EW_ATOL, EW_RTOL);
        ok &= compare("gru_backward", "d_gh", &dgh, EW_ATOL, EW_RTOL);
        ok &= compare("gru_backward", "dh_prev", &dhp, EW_ATOL, EW_RTOL);
        fp_free(&gi);
        fp_free(&gh);
        fp_free(&hp);
        fp_free(&h);
        fp_free(&gates);
        fp_free(&dh);
        fp_free(&dhp);
        fp_free(&dgi);
        fp_free(&dgh);
        free(hgi);
        free(hgh);
        free(hhp);
        free(hdh);
        free(hgarbage);
        free(hgates);
    }
    ip_free(&len);
    assert_true(ok);
}

/* ------------------------------------------------------------ attention */

static int check_attention(int kind, int S, int B, int H, const int *lens, s2s_rng *r)
{
    const int bahdanau = kind == S2S_ATTN_BAHDANAU;
    const size_t SBH = (size_t)S * B * H, BH = (size_t)B * H, BS = (size_t)B * S;
    ipair len = ip_new(B, lens);
    float *hk = rand_floats(SBH, r, -1, 1), *hval = rand_floats(SBH, r, -1, 1);
    float *hq = rand_floats(BH, r, -1, 1), *hv = rand_floats(H, r, -1, 1);
    fpair keys = fp_new(SBH, hk), values = fp_new(SBH, hval), query = fp_new(BH, hq);
    fpair v = fp_new(H, hv), ctx = fp_new(BH, NULL), alpha = fp_new(BS, NULL);
    fpair energy = fp_new(SBH, NULL);
    char what[64];
    snprintf(what, sizeof what, "%s S%d B%d", bahdanau ? "bahdanau" : "luong", S, B);

    g_cpu->attn_forward(g_cpu, kind, ctx.c, alpha.c, bahdanau ? energy.c : NULL,
                        bahdanau ? keys.c : NULL, query.c, bahdanau ? v.c : NULL, values.c, len.c,
                        S, B, H);
    g_gpu->attn_forward(g_gpu, kind, ctx.g, alpha.g, bahdanau ? energy.g : NULL,
                        bahdanau ? keys.g : NULL, query.g, bahdanau ? v.g : NULL, values.g, len.g,
                        S, B, H);
    int ok = compare("attn_fwd alpha", what, &alpha, EW_ATOL, RED_RTOL);
    ok &= compare("attn_fwd ctx", what, &ctx, RED_ATOL, RED_RTOL);
    /* Energy at padded positions is never written by either: both stay 0. */
    if (bahdanau) ok &= compare("attn_fwd e", what, &energy, EW_ATOL, EW_RTOL);

    /* Backward from the CPU's alpha and energy on both sides. */
    float *ha = host_floats(BS), *he = host_floats(SBH);
    g_cpu->download(g_cpu, ha, alpha.c, BS * sizeof(float));
    g_cpu->download(g_cpu, he, energy.c, SBH * sizeof(float));
    g_gpu->upload(g_gpu, alpha.g, ha, BS * sizeof(float));
    g_gpu->upload(g_gpu, energy.g, he, SBH * sizeof(float));
    float *hdc = rand_floats(BH, r, -1, 1);
    float *hdk = rand_floats(SBH, r, -1, 1), *hdval = rand_floats(SBH, r, -1, 1);
    float *hdv = rand_floats(H, r, -1, 1), *hdq = rand_floats(BH, r, -1, 1);
    fpair dc = fp_new(BH, hdc), dk = fp_new(SBH, hdk), dval = fp_new(SBH, hdval);
    fpair dv = fp_new(H, hdv), dq = fp_new(BH, hdq); /* dq is overwritten, the rest += */
    /* Bahdanau also takes a further gradient of alpha (location attention's). */
    float *hda = rand_floats(BS, r, -1, 1);
    fpair da = fp_new(BS, hda);
    g_cpu->attn_backward(g_cpu, kind, bahdanau ? dk.c : NULL, dq.c, bahdanau ? dv.c : NULL,
                         dval.c, dc.c, bahdanau ? da.c : NULL, alpha.c,
                         bahdanau ? energy.c : NULL, query.c, bahdanau ? v.c : NULL, values.c,
                         len.c, S, B, H);
    g_gpu->attn_backward(g_gpu, kind, bahdanau ? dk.g : NULL, dq.g, bahdanau ? dv.g : NULL,
                         dval.g, dc.g, bahdanau ? da.g : NULL, alpha.g,
                         bahdanau ? energy.g : NULL, query.g, bahdanau ? v.g : NULL, values.g,
                         len.g, S, B, H);
    fp_free(&da);
    free(hda);
    ok &= compare("attn_bwd dq", what, &dq, RED_ATOL, RED_RTOL);
    ok &= compare("attn_bwd dval", what, &dval, RED_ATOL, RED_RTOL);
    if (bahdanau) {
        ok &= compare("attn_bwd dkeys", what, &dk, RED_ATOL, RED_RTOL);
        /* d_v sums over every real (s, b) */
        ok &= compare("attn_bwd dv", what, &dv, RED_ATOL * sqrt((double)S * B), RED_RTOL);
    }
    fpair all[] = {keys, values, query, v, ctx, alpha, energy, dc, dk, dval, dv, dq};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) fp_free(&all[i]);
    ip_free(&len);
    float *hall[] = {hk, hval, hq, hv, ha, he, hdc, hdk, hdval, hdv, hdq};
    for (size_t i = 0; i < sizeof hall / sizeof hall[0]; i++) free(hall[i]);
    return ok;
}

static void test_attention(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 7);
    const int lens[TB] = {7, 3, 1, 5, 6}; /* full, short, a single position */
    /* A batch big enough that d_v's column sum takes several chunks. */
    enum { B2 = 40, S2 = 9 };
    int lens2[B2];
    for (int b = 0; b < B2; b++) lens2[b] = 1 + (int)rng_below(&r, S2);
    lens2[0] = S2;
    int ok = 1;
    for (int kind = 0; kind < 2; kind++) {
        ok &= check_attention(kind, TS, TB, TH, lens, &r);
        ok &= check_attention(kind, S2, B2, TH, lens2, &r);
    }
    assert_true(ok);
}

/* The location term, forward and backward, sizes no multiple of a warp. */
static int check_location(int S, int B, int H, s2s_rng *r)
{
    const size_t SBH = (size_t)S * B * H, BS = (size_t)B * S, HK = (size_t)H * S2S_LOC_K;
    float *hk = rand_floats(SBH, r, -1, 1), *ha = rand_floats(BS, r, 0, 1);
    float *hU = rand_floats(HK, r, -1, 1), *hb = rand_floats(H, r, -1, 1);
    float *hd = rand_floats(SBH, r, -1, 1), *hdU = rand_floats(HK, r, -1, 1);
    float *hdb = rand_floats(H, r, -1, 1);
    fpair keys = fp_new(SBH, hk), alpha = fp_new(BS, ha), U = fp_new(HK, hU), bias = fp_new(H, hb);
    fpair keys_t = fp_new(SBH, NULL), d = fp_new(SBH, hd), dU = fp_new(HK, hdU);
    fpair db = fp_new(H, hdb), da = fp_new(BS, NULL);
    char what[64];
    snprintf(what, sizeof what, "location S%d B%d H%d", S, B, H);
    g_cpu->loc_forward(g_cpu, keys_t.c, keys.c, alpha.c, U.c, bias.c, S, B, H);
    g_gpu->loc_forward(g_gpu, keys_t.g, keys.g, alpha.g, U.g, bias.g, S, B, H);
    int ok = compare("loc_fwd", what, &keys_t, EW_ATOL, EW_RTOL);
    g_cpu->loc_backward(g_cpu, dU.c, db.c, da.c, d.c, alpha.c, U.c, S, B, H);
    g_gpu->loc_backward(g_gpu, dU.g, db.g, da.g, d.g, alpha.g, U.g, S, B, H);
    /* dU and db sum over every (s, b); d_alpha over H and the taps */
    ok &= compare("loc_bwd dU", what, &dU, RED_ATOL * sqrt((double)S * B), RED_RTOL);
    ok &= compare("loc_bwd dbias", what, &db, RED_ATOL * sqrt((double)S * B), RED_RTOL);
    ok &= compare("loc_bwd d_alpha", what, &da, RED_ATOL * sqrt((double)H), RED_RTOL);
    fpair all[] = {keys, alpha, U, bias, keys_t, d, dU, db, da};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) fp_free(&all[i]);
    float *hall[] = {hk, ha, hU, hb, hd, hdU, hdb};
    for (size_t i = 0; i < sizeof hall / sizeof hall[0]; i++) free(hall[i]);
    return ok;
}

static void test_location(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 17);
    int ok = check_location(TS, TB, TH, &r);
    ok &= check_location(1, 3, 37, &r); /* one position: both taps fall off the edges */
    ok &= check_location(53, 40, 256, &r);
    assert_true(ok);
}

/* ------------------------------------------------------------ output */

static void test_xent(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 8);
    int ok = 1;
    static const int Bs[] = {9, 300};
    for (int k = 0; k < 2; k++) {
        const int B = Bs[k], V = TV;
        int *tgt = malloc(sizeof(int) * (size_t)B);
        assert_non_null(tgt);
        for (int b = 0; b < B; b++) tgt[b] = (int)rng_below(&r, V);
        tgt[1] = tgt[B - 1] = S2S_PAD; /* rows that contribute nothing */
        float *hx = rand_floats((size_t)B * V, &r, -4, 4);
        float *hd = rand_floats((size_t)B * V, &r, -1, 1); /* overwritten, PAD rows too */
        const float start = 0.25f;                          /* loss_sum is += */
        ipair t = ip_new(B, tgt);
        fpair x = fp_new((size_t)B * V, hx), d = fp_new((size_t)B * V, hd);
        fpair loss = fp_new(1, &start);
        const float scale = 1.0f / 7.0f;
        g_cpu->xent_forward(g_cpu, loss.c, d.c, x.c, t.c, B, V, scale);
        g_gpu->xent_forward(g_gpu, loss.g, d.g, x.g, t.g, B, V, scale);
        char what[64];
        snprintf(what, sizeof what, "B%d", B);
        ok &= compare("xent loss_sum", what, &loss, 0.0, 1e-6);
        ok &= compare("xent d_logits", what, &d, 1e-7, EW_RTOL);
        ip_free(&t);
        fp_free(&x);
        fp_free(&d);
        fp_free(&loss);
        free(tgt);
        free(hx);
        free(hd);
    }
    assert_true(ok);
}

static void test_next_token(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 9);
    int ok = 1;
    static const int Vs[] = {TV, 40};
    for (int k = 0; k < 2; k++) {
        const int B = 9, V = Vs[k];
        float *hx = rand_floats((size_t)B * V, &r, -1, 1);
        /* Ties: the first maximum wins, within a lane and across lanes. */
        hx[0 * V + 3] = hx[0 * V + V - 2] = 5.0f;
        for (int v = 0; v < V; v++) hx[1 * V + v] = 0.5f; /* all equal: 0 */
        hx[2 * V + V - 1] = 9.0f;                          /* the last one */
        for (int v = 0; v < V; v++) hx[3 * V + v] = -INFINITY;
        hx[4 * V + 5] = NAN; /* a NaN never wins (it is not at index 0) */
        hx[5 * V + 1] = hx[5 * V + V - 1] = 3.0f;
        int teach[9];
        for (int b = 0; b < B; b++) teach[b] = (int)rng_below(&r, V);
        int zeros[9] = {0};
        fpair x = fp_new((size_t)B * V, hx);
        ipair t = ip_new(B, teach), next = ip_new(B, zeros);
        g_cpu->next_token(g_cpu, next.c, x.c, NULL, B, V);
        g_gpu->next_token(g_gpu, next.g, x.g, NULL, B, V);
        char what[64];
        snprintf(what, sizeof what, "argmax V%d", V);
        ok &= compare_ints("next_token", what, &next);
        g_cpu->next_token(g_cpu, next.c, x.c, t.c, B, V);
        g_gpu->next_token(g_gpu, next.g, x.g, t.g, B, V);
        ok &= compare_ints("next_token", "teacher", &next);
        fp_free(&x);
        ip_free(&t);
        ip_free(&next);
        free(hx);
    }
    assert_true(ok);
}

/* ------------------------------------------------------------ optimiser */

static void test_clip_norm(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 10);
    int ok = 1;
    static const size_t ns[] = {37, 1000003};
    static const float maxes[] = {1.0f, 0.1f, 0.0f};
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < 3; j++) {
            const size_t n = ns[k];
            float *hg = rand_floats(n, &r, -1e-3f, 1e-3f); /* norm ≈ 0.58 for the large n */
            if (n < 100)
                for (size_t i = 0; i < n; i++) hg[i] *= 1000.0f;
            fpair g = fp_new(n, hg), norm = fp_new(1, NULL);
            g_cpu->clip_norm(g_cpu, g.c, n, maxes[j], norm.c);
            g_gpu->clip_norm(g_gpu, g.g, n, maxes[j], norm.g);
            static const char *const max_names[] = {"max1", "max0.1", "max0"};
            char what[64];
            snprintf(what, sizeof what, "n%zu %s", n, max_names[j]);
            ok &= compare("clip norm", what, &norm, 0.0, 1e-6);
            ok &= compare("clip g", what, &g, 0.0, 1e-6);
            fp_free(&g);
            fp_free(&norm);
            free(hg);
        }
    assert_true(ok);
}

static void test_adam(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 11);
    const size_t n = 1001;
    float *hp = rand_floats(n, &r, -1, 1);
    fpair p = fp_new(n, hp), m = fp_new(n, NULL), v = fp_new(n, NULL), g = fp_new(n, NULL);
    int ok = 1;
    for (int t = 1; t <= 7; t++) {
        float *hg = rand_floats(n, &r, -0.1f, 0.1f);
        g_cpu->upload(g_cpu, g.c, hg, n * sizeof(float));
        g_gpu->upload(g_gpu, g.g, hg, n * sizeof(float));
        g_cpu->adam(g_cpu, p.c, g.c, m.c, v.c, n, 1e-3f, 0.9f, 0.999f, 1e-8f, t);
        g_gpu->adam(g_gpu, p.g, g.g, m.g, v.g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, t);
        free(hg);
    }
    ok &= compare("adam", "p (t=7)", &p, 1e-7, EW_RTOL);
    /* m sums terms of both signs (|g| <= 0.1): its error is a few ulps of the
     * terms (7e-9 each), not of the possibly tiny result. */
    ok &= compare("adam", "m", &m, 2e-8, EW_RTOL);
    ok &= compare("adam", "v", &v, 1e-11, EW_RTOL);
    fp_free(&p);
    fp_free(&m);
    fp_free(&v);
    fp_free(&g);
    free(hp);
    assert_true(ok);
}

/* ------------------------------------------------------------ the whole model */

/* B sentences with the given word counts, words drawn from r: sources are
 * words + <EOS>, targets <SOS> + reversed words + <EOS>, both padded. */
static void make_batch(s2s_batch *b, int B, const int *nwords, int V, s2s_rng *r)
{
    s2s_error err;
    int S = 0, T = 0;
    for (int i = 0; i < B; i++) {
        if (nwords[i] + 1 > S) S = nwords[i] + 1;
        if (nwords[i] + 2 > T) T = nwords[i] + 2;
    }
    CHECK_OK(batch_create(b, B, S, T, &err), &err);
    b->B = B;
    b->S = S;
    b->T = T;
    b->ntok = 0;
    for (int i = 0; i < B; i++) {
        const int n = nwords[i];
        int w[S2S_MAX_SENTENCE_WORDS];
        for (int k = 0; k < n; k++) w[k] = S2S_NUM_SPECIAL + (int)rng_below(r, (uint32_t)(V - S2S_NUM_SPECIAL));
        for (int s = 0; s < S; s++) b->src[s * B + i] = s < n ? w[s] : s == n ? S2S_EOS : S2S_PAD;
        for (int t = 0; t < T; t++)
            b->tgt[t * B + i] = t == 0 ? S2S_SOS : t <= n ? w[n - t] : t == n + 1 ? S2S_EOS : S2S_PAD;
        b->src_len[i] = n + 1;
        b->tgt_len[i] = n + 2;
        b->ntok += n + 1;
    }
}

typedef struct {
    s2s_model *m;
    float *params, *grads; /* host copies, model_num_params floats */
} side;

/* Largest |x| over a tensor. */
static double tensor_max(const float *x, size_t n)
{
    double mx = 0;
    for (size_t i = 0; i < n; i++) mx = fmax(mx, fabs((double)x[i]));
    return mx;
}

#define LOSS_RTOL 1e-5
#define GRAD_RTOL 1e-4
#define GRAD_SCALE_TOL 1e-4 /* times the tensor's largest |gradient| */
#define GRAD_ATOL 1e-9
#define PARAM_ATOL 1e-6
#define PARAM_RTOL 1e-5
#define ATTN_ATOL 1e-5
#define ATTN_RTOL 1e-4

/* Adam's first step moves a parameter by lr·ĝ/(|ĝ| + ε) (ĝ the clipped
 * gradient): about ±lr whatever |ĝ|, so where |ĝ| is as small as the
 * allowed gradient error its sign — and the step — may differ. The slack is
 * that error pushed through the step's derivative, lr·ε/(|ĝ| + ε)², capped
 * at 2·lr. */
static double adam_slack(double g, double gtol, double coef, double lr, double eps)
{
    double gc = fabs(g) * coef, d = gtol * coef;
    double s = lr * eps * d / ((gc + eps) * (gc + eps));
    /* The linearisation undercounts when d is comparable to |ĝ|. */
    if (d >= 0.5 * gc) s = 2.0 * lr;
    return s < 2.0 * lr ? s : 2.0 * lr;
}

static void check_model(int attention, int B, const int *nwords, uint64_t batch_seed)
{
    s2s_error err;
    s2s_error_clear(&err);
    const s2s_config cfg = {38, 38, 16, 32, 2, 0.1f, attention, 0};
    s2s_rng r;
    rng_seed(&r, batch_seed);
    s2s_batch b = {0};
    make_batch(&b, B, nwords, cfg.src_vocab, &r);
    /* Mixed teacher forcing: the truth at some steps, the argmax at others. */
    unsigned char feed[S2S_MAX_SENTENCE_WORDS + 2];
    for (int t = 0; t < b.T; t++) feed[t] = (unsigned char)(t % 3 != 2);
    printf(" model attention=%s B=%d S=%d T=%d tokens=%d\n", attention_name(attention), b.B, b.S,
           b.T, b.ntok);

    side cpu = {0}, gpu = {0};
    CHECK_OK(model_create(&cpu.m, &cfg, g_cpu, &err), &err);
    CHECK_OK(model_create(&gpu.m, &cfg, g_gpu, &err), &err);
    CHECK_OK(model_init_params(cpu.m, 7, &err), &err);
    CHECK_OK(model_init_params(gpu.m, 7, &err), &err);
    const size_t n = model_num_params(cpu.m);
    assert_int_equal(n, model_num_params(gpu.m));
    cpu.params = host_floats(n);
    gpu.params = host_floats(n);
    cpu.grads = host_floats(n);
    gpu.grads = host_floats(n);
    int ok = 1;

    /* Validation loss: no dropout, the same feed. */
    float vl_c = 0, vl_g = 0;
    CHECK_OK(model_forward_loss(cpu.m, &b, feed, &vl_c, &err), &err);
    CHECK_OK(model_forward_loss(gpu.m, &b, feed, &vl_g, &err), &err);
    ok &= close_enough("forward_loss", "loss", &vl_g, &vl_c, 1, 0.0, LOSS_RTOL);

    /* Training step: dropout 0.1 with the same seed draws the same masks. */
    float loss_c = 0, loss_g = 0;
    CHECK_OK(model_forward_backward(cpu.m, &b, feed, 1, 1234, &loss_c, &err), &err);
    CHECK_OK(model_forward_backward(gpu.m, &b, feed, 1, 1234, &loss_g, &err), &err);
    ok &= close_enough("fwd_bwd", "loss", &loss_g, &loss_c, 1, 0.0, LOSS_RTOL);
    CHECK_OK(model_get_grads(cpu.m, cpu.grads, &err), &err);
    CHECK_OK(model_get_grads(gpu.m, gpu.grads, &err), &err);
    double *gtol = malloc(n * sizeof(double)); /* each gradient's allowed error */
    assert_non_null(gtol);
    double grad_worst = 0.0; /* max |cuda − cpu| / the tensor's largest |gradient| */
    const char *grad_worst_name = "";
    for (int i = 0; i < model_num_tensors(cpu.m); i++) {
        const s2s_tensor_info *t = model_tensor(cpu.m, i);
        const float *gc = cpu.grads + t->offset, *gg = gpu.grads + t->offset;
        const double gmax = tensor_max(gc, t->numel);
        for (size_t k = 0; k < t->numel && gmax > 0; k++) {
            double e = fabs((double)gg[k] - gc[k]) / gmax;
            if (e > grad_worst) {
                grad_worst = e;
                grad_worst_name = t->name;
            }
        }
        const double atol = GRAD_ATOL + GRAD_SCALE_TOL * gmax;
        ok &= close_enough("grad", t->name, gg, gc, t->numel, atol, GRAD_RTOL);
        for (size_t k = 0; k < t->numel; k++)
            gtol[t->offset + k] = atol + GRAD_RTOL * fabs((double)gc[k]);
        if (strstr(t->name, "embedding")) /* <PAD> rows never learn */
            for (int e = 0; e < cfg.embed; e++) assert_true(gg[e] == 0.0f);
    }

    /* Clip + Adam; the norm at initialisation is about 0.3, so clip at 0.1
     * to exercise the scaling decided on the device. */
    const s2s_adam_opts o = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f};
    float norm_c = 0, norm_g = 0;
    CHECK_OK(model_clip_adam(cpu.m, &o, &norm_c, &err), &err);
    CHECK_OK(model_clip_adam(gpu.m, &o, &norm_g, &err), &err);
    ok &= close_enough("clip_adam", "grad norm", &norm_g, &norm_c, 1, 0.0, LOSS_RTOL);
    const double coef = norm_c > o.clip ? o.clip / (norm_c + 1e-6) : 1.0;
    CHECK_OK(model_get_params(cpu.m, cpu.params, &err), &err);
    CHECK_OK(model_get_params(gpu.m, gpu.params, &err), &err);
    int params_ok = 1;
    double worst = 0;
    size_t wi = 0;
    for (size_t k = 0; k < n; k++) {
        double bound = PARAM_ATOL + PARAM_RTOL * fabs((double)cpu.params[k]) +
                       adam_slack(cpu.grads[k], gtol[k], coef, o.lr, o.eps);
        double ratio = fabs((double)gpu.params[k] - cpu.params[k]) / bound;
        if (!(ratio <= worst)) {
            worst = ratio;
            wi = k;
        }
    }
    params_ok = worst <= 1.0;
    printf("  %-14s %-10s worst at [%zu] (cuda %.9g, cpu %.9g, grad %.3g), %.2f of the bound%s\n",
           "clip_adam", "params", wi, (double)gpu.params[wi], (double)cpu.params[wi],
           (double)cpu.grads[wi], worst, params_ok ? "" : "  <-- FAIL");
    ok &= params_ok;
    double param_worst = 0.0;
    for (size_t k = 0; k < n; k++)
        param_worst = fmax(param_worst, fabs((double)gpu.params[k] - cpu.params[k]));
    printf("  summary %s: loss rel err %.2g; worst gradient error %.2g of its tensor's largest "
           "(%s); worst parameter after clip+Adam off by %.2g\n",
           attention_name(attention), fabs((double)loss_g - loss_c) / fabs((double)loss_c),
           grad_worst, grad_worst_name, param_worst);

    /* Greedy decoding with the updated weights: the same tokens, close attention. */
    const int steps = b.T + 2;
    int *tok_c = calloc((size_t)B * steps, sizeof(int)), *tok_g = calloc((size_t)B * steps, sizeof(int));
    float *att_c = host_floats((size_t)B * steps * b.S), *att_g = host_floats((size_t)B * steps * b.S);
    assert_non_null(tok_c);
    assert_non_null(tok_g);
    CHECK_OK(model_greedy(cpu.m, &b, steps, tok_c, att_c, &err), &err);
    CHECK_OK(model_greedy(gpu.m, &b, steps, tok_g, att_g, &err), &err);
    int same = memcmp(tok_c, tok_g, sizeof(int) * (size_t)B * steps) == 0;
    printf("  %-14s %-10s %s\n", "greedy", "tokens", same ? "equal" : "differ  <-- FAIL");
    ok &= same;
    ok &= close_enough("greedy", "attention", att_g, att_c, (size_t)B * steps * b.S, ATTN_ATOL,
                       ATTN_RTOL);

    free(tok_c);
    free(tok_g);
    free(att_c);
    free(att_g);
    free(gtol);
    free(cpu.params);
    free(gpu.params);
    free(cpu.grads);
    free(gpu.grads);
    model_free(cpu.m);
    model_free(gpu.m);
    batch_free(&b);
    assert_true(ok);
}

/* Lengths from 1 to 10 words, unsorted, so every padding pattern occurs. */
static const int MIXED[7] = {1, 10, 4, 7, 2, 9, 5};

static void test_model_bahdanau(void **state)
{
    (void)state;
    NEED_GPU();
    check_model(S2S_ATTN_BAHDANAU, 7, MIXED, 21);
}

static void test_model_luong(void **state)
{
    (void)state;
    NEED_GPU();
    check_model(S2S_ATTN_LUONG, 7, MIXED, 22);
}

static void test_model_none(void **state)
{
    (void)state;
    NEED_GPU();
    check_model(S2S_ATTN_NONE, 7, MIXED, 23);
}

/* A seed-sized batch (64 sentences of 3..10 words): the column sums and the
 * loss reduction take several chunks. */
static void test_model_location(void **state)
{
    (void)state;
    NEED_GPU();
    check_model(S2S_ATTN_LOCATION, 7, MIXED, 24);
}

static void test_model_batch64(void **state)
{
    (void)state;
    NEED_GPU();
    s2s_rng r;
    rng_seed(&r, 24);
    int nw[64];
    for (int i = 0; i < 64; i++) nw[i] = 3 + (int)rng_below(&r, 8);
    check_model(S2S_ATTN_BAHDANAU, 64, nw, 25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory),         cmocka_unit_test(test_error_reporting),
        cmocka_unit_test(test_gemm),           cmocka_unit_test(test_bias_and_add),
        cmocka_unit_test(test_embedding),      cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_gru),            cmocka_unit_test(test_attention),
        cmocka_unit_test(test_xent),           cmocka_unit_test(test_next_token),
        cmocka_unit_test(test_clip_norm),      cmocka_unit_test(test_adam),
        cmocka_unit_test(test_model_bahdanau), cmocka_unit_test(test_model_luong),
        cmocka_unit_test(test_model_none),     cmocka_unit_test(test_model_batch64),
        cmocka_unit_test(test_location),       cmocka_unit_test(test_model_location),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
