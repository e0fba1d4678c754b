/* optime.h — where a training epoch's time goes, for bench.c: every
 * operation of a backend timed where it is called, on whichever thread
 * calls it, by swapping the backend's function pointers for timing
 * wrappers (nothing in the core knows). Times are summed over threads into
 * a few groups (the weights' transposes with the copies); matrix products
 * also count their floating-point work.
 *
 *   optime_install(be);  ... run ... ;  optime_remove(be);  optime_print(...)
 *
 * One backend at a time; the two clock reads per call (about 50 ns) are
 * part of what is measured, so the epoch timed this way is a little slower
 * than the ones reported above it. */
#ifndef S2S_OPTIME_H
#define S2S_OPTIME_H

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "backend.h"

enum { OPT_GEMM, OPT_GRU, OPT_ATTN, OPT_LOSS, OPT_OPTIM, OPT_OTHER, OPT_N };
static const char *const optime_group[OPT_N] = {
    "matrix products (gemm)", "GRU cells", "attention", "loss and argmax",
    "gradient clip and Adam", "embedding, dropout, biases, copies",
};

static s2s_backend optime_orig;            /* the backend's own operations */
static atomic_llong optime_ns[OPT_N];      /* summed over threads */
static _Atomic double optime_gemm_flops;   /* 2·M·N·K of every product */

static long long optime_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define OPTIME(group, call)                                     \
    do {                                                        \
        const long long t0_ = optime_now_ns();                  \
        call;                                                   \
        atomic_fetch_add(&optime_ns[group], optime_now_ns() - t0_); \
    } while (0)

static void ot_gemm(s2s_backend *be, int ta, int tb, int M, int N, int K, float alpha,
                    const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    OPTIME(OPT_GEMM, optime_orig.gemm(be, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc));
    double f = 2.0 * M * N * K, cur = atomic_load(&optime_gemm_flops);
    while (!atomic_compare_exchange_weak(&optime_gemm_flops, &cur, cur + f)) {
    }
}
static void ot_add_bias(s2s_backend *be, float *y, const float *b, int r, int c)
{
    OPTIME(OPT_OTHER, optime_orig.add_bias(be, y, b, r, c));
}
static void ot_bias_grad(s2s_backend *be, float *db, const float *dy, int r, int c)
{
    OPTIME(OPT_OTHER, optime_orig.bias_grad(be, db, dy, r, c));
}
static void ot_add(s2s_backend *be, float *y, const float *x, size_t n)
{
    OPTIME(OPT_OTHER, optime_orig.add(be, y, x, n));
}
static void ot_copy(s2s_backend *be, void *d, const void *s, size_t n)
{
    OPTIME(OPT_OTHER, optime_orig.copy(be, d, s, n));
}
static void ot_transpose(s2s_backend *be, const s2s_transpose *list, int n)
{
    OPTIME(OPT_OTHER, optime_orig.transpose(be, list, n));
}
static void ot_zero(s2s_backend *be, void *p, size_t n)
{
    OPTIME(OPT_OTHER, optime_orig.zero(be, p, n));
}
static void ot_embed_forward(s2s_backend *be, float *o, const float *t, const int *ids, int n,
                             int E)
{
    OPTIME(OPT_OTHER, optime_orig.embed_forward(be, o, t, ids, n, E));
}
static void ot_embed_backward(s2s_backend *be, float *dt, const float *d, const int *ids, int n,
                              int E)
{
    OPTIME(OPT_OTHER, optime_orig.embed_backward(be, dt, d, ids, n, E));
}
static void ot_dropout_forward(s2s_backend *be, float *y, float *mask, const float *x, size_t n,
                               float p, uint64_t seed)
{
    OPTIME(OPT_OTHER, optime_orig.dropout_forward(be, y, mask, x, n, p, seed));
}
static void ot_dropout_backward(s2s_backend *be, float *dx, const float *dy, const float *mask,
                                size_t n)
{
    OPTIME(OPT_OTHER, optime_orig.dropout_backward(be, dx, dy, mask, n));
}
static void ot_gru_forward(s2s_backend *be, float *h, float *g, const float *gi, const float *gh,
                           const float *bi, const float *bh, const float *hp, const int *len, int t,
                           int B, int H)
{
    OPTIME(OPT_GRU, optime_orig.gru_forward(be, h, g, gi, gh, bi, bh, hp, len, t, B, H));
}
static void ot_gru_backward(s2s_backend *be, float *dgi, float *dgh, float *dhp, const float *dh,
                            const float *g, const float *hp, const int *len, int t, int B, int H)
{
    OPTIME(OPT_GRU, optime_orig.gru_backward(be, dgi, dgh, dhp, dh, g, hp, len, t, B, H));
}
static void ot_attn_forward(s2s_backend *be, int kind, float *ctx, float *alpha, float *energy,
                            const float *keys, const float *q, const float *v, const float *vals,
                            const int *len, int S, int B, int H)
{
    OPTIME(OPT_ATTN,
           optime_orig.attn_forward(be, kind, ctx, alpha, energy, keys, q, v, vals, len, S, B, H));
}
static void ot_attn_backward(s2s_backend *be, int kind, float *dk, float *dq, float *dv,
                             float *dvals, const float *dctx, const float *dalpha,
                             const float *alpha, const float *energy, const float *q,
                             const float *v, const float *vals, const int *len, int S, int B, int H)
{
    OPTIME(OPT_ATTN, optime_orig.attn_backward(be, kind, dk, dq, dv, dvals, dctx, dalpha, alpha,
                                               energy, q, v, vals, len, S, B, H));
}
static void ot_loc_forward(s2s_backend *be, float *kt, const float *k, const float *ap,
                           const float *U, const float *b, int S, int B, int H)
{
    OPTIME(OPT_ATTN, optime_orig.loc_forward(be, kt, k, ap, U, b, S, B, H));
}
static void ot_loc_backward(s2s_backend *be, float *dU, float *db, float *dap, const float *dkt,
                            const float *ap, const float *U, int S, int B, int H)
{
    OPTIME(OPT_ATTN, optime_orig.loc_backward(be, dU, db, dap, dkt, ap, U, S, B, H));
}
static void ot_xent_forward(s2s_backend *be, float *loss, float *dl, const float *logits,
                            const int *target, int B, int V, float scale)
{
    OPTIME(OPT_LOSS, optime_orig.xent_forward(be, loss, dl, logits, target, B, V, scale));
}
static void ot_next_token(s2s_backend *be, int *next, const float *logits, const int *teacher,
                          int B, int V)
{
    OPTIME(OPT_LOSS, optime_orig.next_token(be, next, logits, teacher, B, V));
}
static void ot_clip_norm(s2s_backend *be, float *g, size_t n, float max_norm, float *norm)
{
    OPTIME(OPT_OPTIM, optime_orig.clip_norm(be, g, n, max_norm, norm));
}
static void ot_adam(s2s_backend *be, float *p, const float *g, float *m, float *v, size_t n,
                    float lr, float b1, float b2, float eps, int t)
{
    OPTIME(OPT_OPTIM, optime_orig.adam(be, p, g, m, v, n, lr, b1, b2, eps, t));
}

/* Swaps be's operations for the timing wrappers and zeroes the totals. */
static void optime_install(s2s_backend *be)
{
    optime_orig = *be;
    for (int i = 0; i < OPT_N; i++) atomic_store(&optime_ns[i], 0);
    atomic_store(&optime_gemm_flops, 0.0);
    be->gemm = ot_gemm;
    be->add_bias = ot_add_bias;
    be->bias_grad = ot_bias_grad;
    be->add = ot_add;
    be->copy = ot_copy;
    if (be->transpose) be->transpose = ot_transpose;
    be->zero = ot_zero;
    be->embed_forward = ot_embed_forward;
    be->embed_backward = ot_embed_backward;
    be->dropout_forward = ot_dropout_forward;
    be->dropout_backward = ot_dropout_backward;
    be->gru_forward = ot_gru_forward;
    be->gru_backward = ot_gru_backward;
    be->attn_forward = ot_attn_forward;
    be->attn_backward = ot_attn_backward;
    be->loc_forward = ot_loc_forward;
    be->loc_backward = ot_loc_backward;
    be->xent_forward = ot_xent_forward;
    be->next_token = ot_next_token;
    be->clip_norm = ot_clip_norm;
    be->adam = ot_adam;
}

/* Puts be's own operations back. */
static void optime_remove(s2s_backend *be) { *be = optime_orig; }

/* The groups' thread-seconds over `wall` seconds on `threads` threads, the
 * products' own rate, and what the whole step would reach if everything but
 * the products took no time: `useful` FLOP in the products' time per
 * thread, against `peak`. Returns that bound in GFLOP/s. */
static double optime_print(double wall, int threads, double useful, double peak)
{
    const double total = wall * threads;
    double in_ops = 0.0;
    printf("where the time goes (one more epoch, each operation timed on its thread; %d thread(s) "
           "x %.2f s = %.2f thread-seconds):\n",
           threads, wall, total);
    for (int i = 0; i < OPT_N; i++) {
        const double s = (double)atomic_load(&optime_ns[i]) * 1e-9;
        in_ops += s;
        printf("  %-36s %6.2f s  %5.1f%%", optime_group[i], s, 100.0 * s / total);
        if (i == OPT_GEMM) {
            const double f = atomic_load(&optime_gemm_flops);
            printf("   %.3f TFLOP at %.1f GFLOP/s per thread", f * 1e-12, f / s * 1e-9);
        }
        printf("\n");
    }
    printf("  %-36s %6.2f s  %5.1f%%   (threads starting, batching, waiting for the other shard)\n",
           "outside any operation", total - in_ops, 100.0 * (total - in_ops) / total);
    const double gemm_s = (double)atomic_load(&optime_ns[OPT_GEMM]) * 1e-9 / threads;
    const double bound = useful / gemm_s * 1e-9;
    printf("  bound: were everything but the products free, %.3f TFLOP of useful work in %.2f s of "
           "products per thread = %.1f GFLOP/s = %.0f%% of SGEMM peak\n",
           useful * 1e-12, gemm_s, bound, 100.0 * bound / peak);
    return bound;
}

#endif
