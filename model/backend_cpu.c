/* backend_cpu.c — the operations of backend.h on the CPU: CBLAS for the
 * matrix products, plain loops for everything else.
 *
 * Memory is ordinary host memory, 64-byte aligned for vector loads.
 * Nothing here can fail after allocation, so sync() always succeeds.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "data.h"
#include "gemm_small.h"
#include "gemv_cpu.h"
#include "rng.h"

#ifndef S2S_NO_CBLAS
#include <cblas.h>
#endif
#ifdef S2S_XSMM
#include <libxsmm.h>
#endif

/* The hot loops are compiled for AVX-512 and AVX2 as well as the baseline,
 * and the best the CPU has is picked when the program starts. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#ifdef S2S_AVX2_ONLY /* to time an AVX2-only CPU's code on an AVX-512 one */
#define HOT __attribute__((target("avx2")))
#else
#define HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#else
#define HOT
#endif

typedef struct {
    int threads;
    gemv_team *team; /* with 2 or more threads: the helper of cpu_gemv (owned) */
} cpu_ctx;

/* ---------------------------------------------------------------- threads */

/* Runs fn over [0, n) in one contiguous chunk per thread (chunk 0 on the
 * calling thread). The chunks depend only on n and the thread count, so
 * results are reproducible for a given count. Short vectors run inline:
 * starting a thread costs more than they do. */
typedef void (*chunk_fn)(void *arg, size_t lo, size_t hi, int part);
typedef struct {
    chunk_fn fn;
    void *arg;
    size_t lo, hi;
    int part;
} chunk_job;

enum { MAX_CHUNKS = 8 };

static void *chunk_run(void *p)
{
    chunk_job *j = p;
    j->fn(j->arg, j->lo, j->hi, j->part);
    return NULL;
}

static int parallel_chunks(const s2s_backend *be, size_t n, chunk_fn fn, void *arg)
{
    int k = ((const cpu_ctx *)be->ctx)->threads;
    if (k > MAX_CHUNKS) k = MAX_CHUNKS;
    if (k < 2 || n < 65536) k = 1;
    chunk_job jobs[MAX_CHUNKS];
    pthread_t th[MAX_CHUNKS];
    int started[MAX_CHUNKS] = {0};
    for (int i = 0; i < k; i++) {
        /* Boundaries on 16-float (64-byte) lines keep every chunk vectorised. */
        size_t lo = i == 0 ? 0 : (n / (size_t)k * (size_t)i) & ~(size_t)15;
        size_t hi = i == k - 1 ? n : (n / (size_t)k * (size_t)(i + 1)) & ~(size_t)15;
        jobs[i] = (chunk_job){fn, arg, lo, hi, i};
    }
    for (int i = 1; i < k; i++) started[i] = pthread_create(&th[i], NULL, chunk_run, &jobs[i]) == 0;
    chunk_run(&jobs[0]);
    for (int i = 1; i < k; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            chunk_run(&jobs[i]); /* no thread to be had: run it here */
    }
    return k;
}

/* ---------------------------------------------------------------- memory */

static void *cpu_alloc(s2s_backend *be, size_t bytes)
{
    (void)be;
    void *p = NULL;
    if (bytes == 0) bytes = 64;
    size_t rounded = (bytes + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, rounded) != 0) return NULL;
    memset(p, 0, rounded);
    return p;
}

static void cpu_free(s2s_backend *be, void *p)
{
    (void)be;
    free(p);
}

static void cpu_copy(s2s_backend *be, void *dst, const void *src, size_t bytes)
{
    (void)be;
    if (bytes) memmove(dst, src, bytes);
}

static void cpu_zero(s2s_backend *be, void *p, size_t bytes)
{
    (void)be;
    if (bytes) memset(p, 0, bytes);
}

static int cpu_sync(s2s_backend *be, s2s_error *err)
{
    (void)be;
    (void)err;
    return 0;
}

static void cpu_destroy(s2s_backend *be)
{
    if (!be) return;
    if (be->ctx) gemv_team_free(((cpu_ctx *)be->ctx)->team);
    free(be->ctx);
    free(be);
}

/* ---------------------------------------------------------------- algebra */

/* Rows [r0, r1) of src(rows, cols) into dst(cols, rows) = srcᵀ, in 32 × 32
 * blocks, so that both sides are read and written a cache line at a time. */
static void transpose_rows(float *dst, const float *src, int rows, int cols, int r0, int r1)
{
    enum { TB = 32 };
    for (int i0 = r0; i0 < r1; i0 += TB)
        for (int j0 = 0; j0 < cols; j0 += TB) {
            const int i1 = i0 + TB < r1 ? i0 + TB : r1, j1 = j0 + TB < cols ? j0 + TB : cols;
            for (int j = j0; j < j1; j++)
                for (int i = i0; i < i1; i++)
                    dst[(size_t)j * rows + i] = src[(size_t)i * cols + j];
        }
}

typedef struct {
    const s2s_transpose *list;
    int n;
} transpose_args;

/* The first row of a matrix whose elements are [start, end) of the list
 * that starts at or after element b. */
static int row_at(size_t b, size_t start, size_t end, size_t cols, int rows)
{
    return b <= start ? 0 : b >= end ? rows : (int)((b - start + cols - 1) / cols);
}

/* The list's elements, end to end, are [0, Σ rows·cols); a chunk [lo, hi)
 * takes, of each matrix it overlaps, the rows whose first element falls in
 * it: chunks side by side split every matrix between whole rows. */
static void transpose_chunk(void *arg, size_t lo, size_t hi, int part)
{
    (void)part;
    const transpose_args *a = arg;
    size_t start = 0;
    for (int i = 0; i < a->n; i++) {
        const s2s_transpose *t = &a->list[i];
        const size_t cols = (size_t)t->cols, end = start + (size_t)t->rows * cols;
        const int r0 = row_at(lo, start, end, cols, t->rows);
        const int r1 = row_at(hi, start, end, cols, t->rows);
        if (r0 < r1) transpose_rows(t->dst, t->src, t->rows, t->cols, r0, r1);
        start = end;
    }
}

static void cpu_transpose(s2s_backend *be, const s2s_transpose *list, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) total += (size_t)list[i].rows * (size_t)list[i].cols;
    transpose_args a = {list, n};
    parallel_chunks(be, total, transpose_chunk, &a);
}

#ifdef S2S_XSMM
/* Whether TN products go to libxsmm: AVX-512 kernels (see cpu_gemm). */
static int xsmm_tn;

static void xsmm_setup(void)
{
    libxsmm_init(); /* once; later calls return at once */
    xsmm_tn = libxsmm_get_target_archid() >= LIBXSMM_X86_AVX512_CORE;
}
#endif

/* Products of up to this many rows go to gemm_small_nn when they are NN
 * (the model sends its x Wᵀ of few rows as x (Wᵀ), be->few_rows): on both
 * instruction sets it beat OpenBLAS there, which packs B for every call
 * (`make gemm-bench`, docs/gemm_shapes.md). */
enum { FEW_ROWS = 128 };

static void cpu_gemm(s2s_backend *be, int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb, float beta, float *C,
                     int ldc)
{
    (void)be;
    if (M <= 0 || N <= 0) return;
    if (!transA && !transB && M <= FEW_ROWS && alpha == 1.0f && (beta == 0.0f || beta == 1.0f)) {
        gemm_small_nn(M, N, K, A, lda, B, ldb, C, ldc, beta == 1.0f);
        return;
    }
#ifdef S2S_XSMM
    /* make XSMM=1: libxsmm's JIT kernels where they beat OpenBLAS on the
     * model's shapes (docs/gemm_shapes.md): dx = dy W (NN) everywhere, and
     * dW += dy^T x (TN) only with AVX-512 kernels (with AVX2 ones OpenBLAS is
     * faster there). libxsmm is column-major, so the row-major C = op(A) B
     * is run as C^T = B^T op(A)^T: operands swapped, A's transpose becoming
     * the second operand's. Its JIT has no kernel for a transposed first
     * operand (our x W^T), nor for alpha != 1 or beta other than 0 and 1:
     * those, and any shape it declines, go to CBLAS below. The choice and the
     * kernel depend only on the shape and the CPU, so results stay
     * reproducible for a given thread count. */
    if (!transB && K > 0 && (!transA || xsmm_tn)) {
        const int flags = transA ? LIBXSMM_GEMM_FLAG_TRANS_B : LIBXSMM_GEMM_FLAG_NONE;
        const libxsmm_blasint l_a = ldb, l_b = lda, l_c = ldc;
        const libxsmm_smmfunction kernel =
            libxsmm_smmdispatch(N, M, K, &l_a, &l_b, &l_c, &alpha, &beta, &flags, NULL);
        if (kernel) {
            kernel(B, A, C);
            return;
        }
    }
#endif
#ifndef S2S_NO_CBLAS
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C,
                ldc);
#else
    /* Reference loops for a machine without any CBLAS: correct, slow. */
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        for (int j = 0; j < N; j++) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
        for (int k = 0; k < K; k++) {
            float a = alpha * (transA ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]);
            if (a == 0.0f) continue;
            if (!transB) {
                const float *b = B + (size_t)k * ldb;
                for (int j = 0; j < N; j++) c[j] += a * b[j];
            } else {
                for (int j = 0; j < N; j++) c[j] += a * B[(size_t)j * ldb + k];
            }
        }
    }
#endif
}

/* One sentence's products: gemv_cpu.c, with the backend's helper thread. */
static void cpu_gemv(s2s_backend *be, float *y, const float *W, int ldw, const float *x, int out,
                     int in, int accumulate)
{
    gemv_run(((cpu_ctx *)be->ctx)->team, y, W, ldw, x, out, in, accumulate);
}

HOT static void cpu_add_bias(s2s_backend *be, float *y, const float *bias, int rows, int cols)
{
    (void)be;
    for (int r = 0; r < rows; r++) {
        float *yr = y + (size_t)r * cols;
        for (int c = 0; c < cols; c++) yr[c] += bias[c];
    }
}

HOT static void cpu_bias_grad(s2s_backend *be, float *dbias, const float *dy, int rows, int cols)
{
    (void)be;
    for (int r = 0; r < rows; r++) {
        const float *d = dy + (size_t)r * cols;
        for (int c = 0; c < cols; c++) dbias[c] += d[c];
    }
}

typedef struct {
    float *y;
    const float *x;
} add_args;

HOT static void add_chunk(void *arg, size_t lo, size_t hi, int part)
{
    add_args *a = arg;
    float *restrict y = a->y;
    const float *restrict x = a->x;
    (void)part;
    for (size_t i = lo; i < hi; i++) y[i] += x[i];
}

static void cpu_add(s2s_backend *be, float *y, const float *x, size_t n)
{
    add_args a = {y, x};
    parallel_chunks(be, n, add_chunk, &a);
}

/* ---------------------------------------------------------------- embedding */

static void cpu_embed_forward(s2s_backend *be, float *out, const float *table, const int *ids,
                              int n, int E)
{
    (void)be;
    for (int i = 0; i < n; i++)
        memcpy(out + (size_t)i * E, table + (size_t)ids[i] * E, sizeof(float) * (size_t)E);
}

static void cpu_embed_backward(s2s_backend *be, float *dtable, const float *d_out, const int *ids,
                               int n, int E)
{
    (void)be;
    for (int i = 0; i < n; i++) {
        if (ids[i] == S2S_PAD) continue; /* padding_idx: the <PAD> row never learns */
        float *row = dtable + (size_t)ids[i] * E;
        const float *d = d_out + (size_t)i * E;
        for (int e = 0; e < E; e++) row[e] += d[e];
    }
}

/* ---------------------------------------------------------------- dropout */

HOT static void cpu_dropout_forward(s2s_backend *be, float *y, float *mask, const float *x, size_t n,
                                float p, uint64_t seed)
{
    (void)be;
    const float keep = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) {
        mask[i] = rng_hash01(seed, i) >= p ? keep : 0.0f;
        y[i] = x[i] * mask[i];
    }
}

static void cpu_dropout_backward(s2s_backend *be, float *dx, const float *dy, const float *mask,
                                 size_t n)
{
    (void)be;
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}

/* ---------------------------------------------------------------- GRU cell */

/* e^x without a library call, so loops over it vectorise: x = n ln2 + r,
 * e^r by Cephes' degree-6 polynomial (about 1 ulp on the reduced range),
 * 2^n assembled in the exponent bits. Inputs are clamped to the range where
 * float e^x is finite and normal. */
static inline float exp_fast(float x)
{
    x = x > 88.3f ? 88.3f : x;
    x = x < -87.3f ? -87.3f : x;
    /* Round x·log2(e) to the nearest integer with the 1.5·2^23 trick. */
    const float magic = 12582912.0f;
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    union { float f; int32_t i; } bits = {.f = t}, scale;
    scale.i = (bits.i - 0x4B400000 + 127) * (1 << 23); /* 2^n */
    return p * scale.f;
}

static inline float sigmoidf(float x) { return 1.0f / (1.0f + exp_fast(-x)); }

/* tanh(x) = 1 − 2 / (e^{2x} + 1): exact at ±∞, within a few float ulps in
 * absolute terms elsewhere, which is all the gradient needs. */
static inline float tanh_fast(float x) { return 1.0f - 2.0f / (exp_fast(2.0f * x) + 1.0f); }

/* x[j] + bias[j] (bias may be NULL): the same float addition add_bias does. */
#define WITH_BIAS(x, bias, j) ((bias) ? (x)[j] + (bias)[j] : (x)[j])

/* r = σ(W_ir x + b_ir + W_hr h + b_hr)
 * z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * for one sentence's row. One gate per loop: short bodies keep every loop
 * vectorised. The row is a function of its own because GCC vectorises
 * these loops over restrict parameters but not over restrict pointers
 * declared inside the loop over rows. */
static inline void gru_forward_row(float *restrict hb, float *restrict g, const float *restrict xi,
                                   const float *restrict xh, const float *restrict b_ih,
                                   const float *restrict b_hh, const float *restrict hp, int H)
{
    for (int j = 0; j < 2 * H; j++) /* r, z */
        g[j] = sigmoidf(WITH_BIAS(xi, b_ih, j) + WITH_BIAS(xh, b_hh, j));
    for (int j = 0; j < H; j++) {
        float hn = WITH_BIAS(xh, b_hh, 2 * H + j);
        g[3 * H + j] = hn;
        g[2 * H + j] = tanh_fast(WITH_BIAS(xi, b_ih, 2 * H + j) + g[j] * hn);
    }
    for (int j = 0; j < H; j++) {
        float z = g[H + j], n = g[2 * H + j];
        hb[j] = (1.0f - z) * n + z * hp[j];
    }
}

/* gi, gh: (B, 3H) in gate order r, z, n, without the biases b_ih, b_hh when
 * those are given; gates: (B, 4H) = r, z, n, W_hn h + b_hn. */
HOT static void cpu_gru_forward(s2s_backend *be, float *h, float *gates, const float *gi,
                            const float *gh, const float *b_ih, const float *b_hh,
                            const float *h_prev, const int *len, int t, int B, int H)
{
    (void)be;
    for (int b = 0; b < B; b++) {
        float *hb = h + (size_t)b * H, *g = gates + (size_t)b * 4 * H;
        const float *hp = h_prev + (size_t)b * H;
        if (len && t >= len[b]) { /* past the end: carry the state unchanged */
            memcpy(hb, hp, sizeof(float) * (size_t)H);
            memset(g, 0, sizeof(float) * 4 * (size_t)H);
            continue;
        }
        gru_forward_row(hb, g, gi + (size_t)b * 3 * H, gh + (size_t)b * 3 * H, b_ih, b_hh, hp, H);
    }
}

/* dn = dh ⊙ (1 − z)            dz = dh ⊙ (h − n)          dh_prev = dh ⊙ z (+ d_gh W_hh, by the caller)
 * dn̂ = dn ⊙ (1 − n²)          d_gi_n = dn̂                 d_gh_n = dn̂ ⊙ r
 * dr̂ = dn̂ ⊙ hn ⊙ r(1 − r)     d_gi_r = d_gh_r = dr̂
 * dẑ = dz ⊙ z(1 − z)           d_gi_z = d_gh_z = dẑ
 * for one sentence's row (a function of its own, as gru_forward_row). */
static inline void gru_backward_row(float *restrict dgi, float *restrict dgh, float *restrict dhp,
                                    const float *restrict dhb, const float *restrict g,
                                    const float *restrict hp, int H)
{
    for (int j = 0; j < H; j++) {
        float r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
        float d = dhb[j];
        float dn = d * (1.0f - z) * (1.0f - n * n);
        float dz = d * (hp[j] - n) * z * (1.0f - z);
        float dr = dn * hn * r * (1.0f - r);
        dgi[j] = dr;
        dgh[j] = dr;
        dgi[H + j] = dz;
        dgh[H + j] = dz;
        dgi[2 * H + j] = dn;
        dgh[2 * H + j] = dn * r;
        dhp[j] = d * z;
    }
}

HOT static void cpu_gru_backward(s2s_backend *be, float *d_gi, float *d_gh, float *dh_prev,
                             const float *dh, const float *gates, const float *h_prev,
                             const int *len, int t, int B, int H)
{
    (void)be;
    for (int b = 0; b < B; b++) {
        const float *dhb = dh + (size_t)b * H;
        float *dhp = dh_prev + (size_t)b * H;
        float *dgi = d_gi + (size_t)b * 3 * H, *dgh = d_gh + (size_t)b * 3 * H;
        if (len && t >= len[b]) {
            memcpy(dhp, dhb, sizeof(float) * (size_t)H);
            memset(dgi, 0, sizeof(float) * 3 * (size_t)H);
            memset(dgh, 0, sizeof(float) * 3 * (size_t)H);
            continue;
        }
        gru_backward_row(dgi, dgh, dhp, dhb, gates + (size_t)b * 4 * H, h_prev + (size_t)b * H, H);
    }
}

/* ---------------------------------------------------------------- attention */

static inline float dotf(const float *a, const float *b, int n)
{
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* The loops over H of attention, over restrict parameters so that GCC
 * vectorises them (as gru_forward_row); each element's arithmetic is the
 * same as written inline. */
static inline void energy_row(float *restrict e, const float *restrict k,
                              const float *restrict q, int H)
{
    for (int j = 0; j < H; j++) e[j] = tanh_fast(k[j] + q[j]);
}

/* y += a x */
static inline void axpy_row(float *restrict y, float a, const float *restrict x, int H)
{
    for (int j = 0; j < H; j++) y[j] += a * x[j];
}

/* Bahdanau's energy backward at one position: dv += dscore e,
 * dê = dscore v ⊙ (1 − e²), dkeys += dê, dquery += dê. */
static inline void energy_row_backward(float *restrict d_v, float *restrict dk,
                                       float *restrict dq, const float *restrict e,
                                       const float *restrict v, float dscore, int H)
{
    for (int j = 0; j < H; j++) {
        d_v[j] += dscore * e[j];
        float de = dscore * v[j] * (1.0f - e[j] * e[j]);
        dk[j] += de;
        dq[j] += de;
    }
}

/* Bahdanau: e_s = tanh(W_h h_s + W_s q) (keys = W_h h_s, query = W_s q), score_s = vᵀ e_s
 * Luong:    score_s = qᵀ h_s
 * α = softmax over s < len[b] (padded positions get exactly 0)
 * context = Σ_s α_s h_s */
HOT static void cpu_attn_forward(s2s_backend *be, int kind, float *context, float *alpha,
                             float *energy, const float *keys, const float *query, const float *v,
                             const float *values, const int *len, int S, int B, int H)
{
    (void)be;
    for (int b = 0; b < B; b++) {
        const float *q = query + (size_t)b * H;
        float *a = alpha + (size_t)b * S;
        int n = len[b] < S ? len[b] : S;
        float mx = -INFINITY;
        for (int s = 0; s < n; s++) {
            const float *val = values + ((size_t)s * B + b) * H;
            float score;
            if (kind == S2S_ATTN_BAHDANAU) {
                const float *k = keys + ((size_t)s * B + b) * H;
                float *e = energy + ((size_t)s * B + b) * H;
                energy_row(e, k, q, H);
                score = dotf(e, v, H);
            } else {
                score = dotf(q, val, H);
            }
            a[s] = score;
            if (score > mx) mx = score;
        }
        float sum = 0.0f;
        for (int s = 0; s < n; s++) {
            a[s] = exp_fast(a[s] - mx);
            sum += a[s];
        }
        for (int s = 0; s < n; s++) a[s] /= sum;
        for (int s = n; s < S; s++) a[s] = 0.0f;
        float *c = context + (size_t)b * H;
        memset(c, 0, sizeof(float) * (size_t)H);
        for (int s = 0; s < n; s++) axpy_row(c, a[s], values + ((size_t)s * B + b) * H, H);
    }
}

/* dα_s = dcᵀ h_s;  d score_s = α_s (dα_s − Σ_j α_j dα_j);  dh_s += α_s dc
 * Bahdanau: dv += Σ_s dscore_s e_s;  dê_s = dscore_s v ⊙ (1 − e_s²);  dkeys_s += dê_s;  dquery = Σ_s dê_s
 * Luong:    dquery = Σ_s dscore_s h_s;  dh_s += dscore_s q */
HOT static void cpu_attn_backward(s2s_backend *be, int kind, float *d_keys, float *d_query,
                              float *d_v, float *d_values, const float *d_context,
                              const float *d_alpha, const float *alpha, const float *energy,
                              const float *query, const float *v, const float *values,
                              const int *len, int S, int B, int H)
{
    (void)be;
    for (int b = 0; b < B; b++) {
        const float *dc = d_context + (size_t)b * H;
        const float *a = alpha + (size_t)b * S;
        float *dq = d_query + (size_t)b * H;
        int n = len[b] < S ? len[b] : S;
        /* First pass: Σ_j α_j dα_j; dα_s is recomputed below rather than
         * stored, so no scratch memory is needed for any S. */
        const float *da = d_alpha ? d_alpha + (size_t)b * S : NULL;
        float dot = 0.0f;
        for (int s = 0; s < n; s++) {
            const float *val = values + ((size_t)s * B + b) * H;
            dot += a[s] * (dotf(dc, val, H) + (da ? da[s] : 0.0f));
        }
        memset(dq, 0, sizeof(float) * (size_t)H);
        for (int s = 0; s < n; s++) {
            const float *val = values + ((size_t)s * B + b) * H;
            float *dval = d_values + ((size_t)s * B + b) * H;
            float dscore = a[s] * (dotf(dc, val, H) + (da ? da[s] : 0.0f) - dot);
            axpy_row(dval, a[s], dc, H);
            if (kind == S2S_ATTN_BAHDANAU) {
                energy_row_backward(d_v, d_keys + ((size_t)s * B + b) * H, dq,
                                    energy + ((size_t)s * B + b) * H, v, dscore, H);
            } else {
                const float *q = query + (size_t)b * H;
                for (int j = 0; j < H; j++) {
                    dq[j] += dscore * val[j];
                    dval[j] += dscore * q[j];
                }
            }
        }
    }
}

/* The previous alignment a(S) around position s: ak[k] = a(s+k−1), zero
 * outside 0..S−1. */
static inline void loc_taps(float *ak, const float *a, int s, int S)
{
    for (int k = 0; k < S2S_LOC_K; k++) {
        const int p = s + k - S2S_LOC_K / 2;
        ak[k] = p >= 0 && p < S ? a[p] : 0.0f;
    }
}

/* keys_t(s,b,h) = keys(s,b,h) + bias(h) + Σ_k U(h,k) α_prev(b, s+k−1) */
HOT static void cpu_loc_forward(s2s_backend *be, float *keys_t, const float *keys,
                                const float *alpha_prev, const float *U, const float *bias, int S,
                                int B, int H)
{
    (void)be;
    for (int s = 0; s < S; s++)
        for (int b = 0; b < B; b++) {
            float ak[S2S_LOC_K];
            loc_taps(ak, alpha_prev + (size_t)b * S, s, S);
            const size_t row = ((size_t)s * B + b) * H;
            for (int h = 0; h < H; h++) {
                float f = bias[h];
                for (int k = 0; k < S2S_LOC_K; k++) f += U[h * S2S_LOC_K + k] * ak[k];
                keys_t[row + h] = keys[row + h] + f;
            }
        }
}

/* dU(h,k) += Σ_{s,b} d_keys_t(s,b,h) α_prev(b, s+k−1);  dbias(h) += Σ_{s,b} d_keys_t(s,b,h)
 * d_alpha_prev(b,p) = Σ_k Σ_h d_keys_t(p−k+1, b, h) U(h,k) */
HOT static void cpu_loc_backward(s2s_backend *be, float *dU, float *dbias, float *d_alpha_prev,
                                 const float *d_keys_t, const float *alpha_prev, const float *U,
                                 int S, int B, int H)
{
    (void)be;
    if (d_alpha_prev)
        for (int b = 0; b < B; b++)
            for (int p = 0; p < S; p++) {
                float g = 0.0f;
                for (int k = 0; k < S2S_LOC_K; k++) {
                    const int s = p - k + S2S_LOC_K / 2;
                    if (s < 0 || s >= S) continue;
                    const float *d = d_keys_t + ((size_t)s * B + b) * H;
                    for (int h = 0; h < H; h++) g += d[h] * U[h * S2S_LOC_K + k];
                }
                d_alpha_prev[(size_t)b * S + p] = g;
            }
    for (int s = 0; s < S; s++)
        for (int b = 0; b < B; b++) {
            float ak[S2S_LOC_K];
            loc_taps(ak, alpha_prev + (size_t)b * S, s, S);
            const float *d = d_keys_t + ((size_t)s * B + b) * H;
            for (int h = 0; h < H; h++) {
                dbias[h] += d[h];
                for (int k = 0; k < S2S_LOC_K; k++) dU[h * S2S_LOC_K + k] += d[h] * ak[k];
            }
        }
}

/* ---------------------------------------------------------------- output */

static void cpu_xent_forward(s2s_backend *be, float *loss_sum, float *d_logits,
                             const float *logits, const int *target, int B, int V, float scale)
{
    (void)be;
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        const float *x = logits + (size_t)b * V;
        float *d = d_logits + (size_t)b * V;
        int y = target[b];
        if (y == S2S_PAD) {
            memset(d, 0, sizeof(float) * (size_t)V);
            continue;
        }
        float mx = x[0];
        for (int k = 1; k < V; k++) mx = x[k] > mx ? x[k] : mx;
        double sum = 0.0;
        for (int k = 0; k < V; k++) sum += exp((double)(x[k] - mx));
        loss += (log(sum) - (double)(x[y] - mx)) * scale;
        for (int k = 0; k < V; k++) d[k] = (float)(exp((double)(x[k] - mx)) / sum) * scale;
        d[y] -= scale;
    }
    loss_sum[0] += (float)loss;
}

static void cpu_next_token(s2s_backend *be, int *next, const float *logits, const int *teacher,
                           int B, int V)
{
    (void)be;
    for (int b = 0; b < B; b++) {
        if (teacher) {
            next[b] = teacher[b];
            continue;
        }
        const float *x = logits + (size_t)b * V;
        int best = 0;
        for (int k = 1; k < V; k++)
            if (x[k] > x[best]) best = k;
        next[b] = best;
    }
}

/* ---------------------------------------------------------------- optimiser */

typedef struct {
    float *g;
    float scale;
    double partial[MAX_CHUNKS];
} clip_args;

HOT static void sumsq_chunk(void *arg, size_t lo, size_t hi, int part)
{
    clip_args *a = arg;
    const float *restrict g = a->g;
    double ss = 0.0;
    for (size_t i = lo; i < hi; i++) ss += (double)g[i] * g[i];
    a->partial[part] = ss;
}

HOT static void scale_chunk(void *arg, size_t lo, size_t hi, int part)
{
    clip_args *a = arg;
    float *restrict g = a->g;
    (void)part;
    for (size_t i = lo; i < hi; i++) g[i] *= a->scale;
}

static void cpu_clip_norm(s2s_backend *be, float *g, size_t n, float max_norm, float *norm)
{
    clip_args a = {.g = g};
    int k = parallel_chunks(be, n, sumsq_chunk, &a);
    double ss = 0.0;
    for (int i = 0; i < k; i++) ss += a.partial[i]; /* fixed order */
    double nrm = sqrt(ss);
    norm[0] = (float)nrm;
    if (max_norm > 0.0f) {
        double coef = max_norm / (nrm + 1e-6);
        if (coef < 1.0) {
            a.scale = (float)coef;
            parallel_chunks(be, n, scale_chunk, &a);
        }
    }
}

typedef struct {
    float *p, *m, *v;
    const float *g;
    float lr, beta1, beta2, eps, bc1, bc2;
} adam_args;

HOT static void adam_chunk(void *arg, size_t lo, size_t hi, int part)
{
    const adam_args *a = arg;
    float *restrict p = a->p, *restrict m = a->m, *restrict v = a->v;
    const float *restrict g = a->g;
    const float beta1 = a->beta1, beta2 = a->beta2;
    (void)part;
    for (size_t i = lo; i < hi; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        float mhat = m[i] / a->bc1, vhat = v[i] / a->bc2;
        p[i] -= a->lr * mhat / (sqrtf(vhat) + a->eps);
    }
}

static void cpu_adam(s2s_backend *be, float *p, const float *g, float *m, float *v, size_t n,
                     float lr, float beta1, float beta2, float eps, int t)
{
    adam_args a = {p, m, v, g, lr, beta1, beta2, eps, (float)(1.0 - pow(beta1, t)),
                   (float)(1.0 - pow(beta2, t))};
    parallel_chunks(be, n, adam_chunk, &a);
}

/* ---------------------------------------------------------------- construction */

const char *backend_cpu_blas_info(void)
{
#if defined(S2S_NO_CBLAS)
    return "built-in reference loops (no CBLAS found at build time)";
#elif defined(OPENBLAS_VERSION) && defined(S2S_XSMM)
    static char info[320];
    xsmm_setup();
    if (!info[0])
        snprintf(info, sizeof info, "%s + libxsmm %s (%s products, %s)", openblas_get_config(),
                 LIBXSMM_VERSION, xsmm_tn ? "NN of over 128 rows, and TN" : "NN of over 128 rows",
                 libxsmm_get_target_arch());
    return info;
#elif defined(OPENBLAS_VERSION)
    return openblas_get_config(); /* e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ..." */
#else
    return "CBLAS";
#endif
}

const char *backend_cpu_own_isa(void) { return gemm_small_isa(); }

const char *backend_cpu_blas_core(void)
{
#if defined(OPENBLAS_VERSION) && !defined(S2S_NO_CBLAS)
    return openblas_get_corename();
#else
    return "unknown";
#endif
}

const char *backend_cpu_blas_better_core(void)
{
#if defined(OPENBLAS_VERSION) && defined(__x86_64__) && defined(__GNUC__)
    /* Debian's OpenBLAS names some virtual CPUs "Prescott" and then runs
     * SSE kernels on an AVX-512 machine (about 3.5x slower SGEMM). */
    const char *core = openblas_get_corename();
    int weak = core && (strcmp(core, "Prescott") == 0 || strcmp(core, "Core2") == 0 ||
                        strcmp(core, "Nehalem") == 0 || strcmp(core, "Sandybridge") == 0);
    if (!weak) return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

int backend_cpu_create(s2s_backend **out, int threads, s2s_error *err)
{
    *out = NULL;
#ifdef S2S_XSMM
    xsmm_setup();
#endif
    s2s_backend *be = calloc(1, sizeof *be);
    cpu_ctx *ctx = calloc(1, sizeof *ctx);
    if (!be || !ctx) {
        free(be);
        free(ctx);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the CPU backend's state (%s)",
                        S2S_SIZE(sizeof *be + sizeof *ctx));
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
    }
    ctx->threads = threads;
    be->shards = threads;
    be->pack_rows = 1;
    be->few_rows = FEW_ROWS;
    /* Without a thread to be had, one-sentence products run on one core. */
    if (threads >= 2 && gemv_team_create(&ctx->team)) ctx->team = NULL;
#if defined(OPENBLAS_VERSION)
    /* Our GEMMs are small (64 rows); splitting the batch across threads pays
     * where OpenBLAS's own threads only add overhead. */
    openblas_set_num_threads(1);
#endif
    be->name = "cpu";
    be->ctx = ctx;
    be->alloc = cpu_alloc;
    be->free = cpu_free;
    be->upload = cpu_copy;
    be->download = cpu_copy;
    be->copy = cpu_copy;
    be->zero = cpu_zero;
    be->sync = cpu_sync;
    be->destroy = cpu_destroy;
    be->gemm = cpu_gemm;
    be->gemv = cpu_gemv;
    be->transpose = cpu_transpose;
    be->add_bias = cpu_add_bias;
    be->bias_grad = cpu_bias_grad;
    be->add = cpu_add;
    be->embed_forward = cpu_embed_forward;
    be->embed_backward = cpu_embed_backward;
    be->dropout_forward = cpu_dropout_forward;
    be->dropout_backward = cpu_dropout_backward;
    be->gru_forward = cpu_gru_forward;
    be->gru_backward = cpu_gru_backward;
    be->attn_forward = cpu_attn_forward;
    be->attn_backward = cpu_attn_backward;
    be->loc_forward = cpu_loc_forward;
    be->loc_backward = cpu_loc_backward;
    be->xent_forward = cpu_xent_forward;
    be->next_token = cpu_next_token;
    be->clip_norm = cpu_clip_norm;
    be->adam = cpu_adam;
    *out = be;
    return 0;
}

void backend_free(s2s_backend *be)
{
    if (be && be->destroy) be->destroy(be);
}
