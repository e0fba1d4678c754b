/* gemv_cpu.c — matrix-vector products for decoding one sentence on the CPU.
 *
 * Decoding one sentence multiplies one row by every weight matrix at every
 * step, so its speed is the speed at which the weights reach the core. The
 * decoder's weights (3.8 MB at E128 H256 L2) do not fit one core's L2
 * cache, so one core streams them from L3 at every step; split by rows
 * between two cores, each keeps its half in its own L2 from one step to the
 * next. A helper thread takes the second half of every product; it spins
 * while products keep coming (they come every few microseconds while a
 * sentence decodes) and sleeps after GEMV_SPIN_S without any.
 *
 * Every row is computed by the same code whichever thread takes it, and
 * the split falls on a multiple of four rows, so the result is the same
 * bits with or without the helper.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemv_cpu.h"

/* The kernel in two widths: AVX-512 where the CPU has it, else AVX2 or
 * the baseline, picked when the program starts. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#ifdef S2S_AVX2_ONLY /* to time an AVX2-only CPU's code on an AVX-512 one */
#define HOT_NARROW __attribute__((target("avx2")))
#else
#define HOT_NARROW __attribute__((target_clones("avx2", "default")))
#define HOT_WIDE __attribute__((target("avx512f")))
#endif
#else
#define HOT_NARROW
#endif

/* Vectors of 8 and 16 floats, loaded from any float address (the rows of
 * a column block of W are not aligned). */
typedef float v8f __attribute__((vector_size(32), aligned(4), may_alias));
typedef float v16f __attribute__((vector_size(64), aligned(4), may_alias));

/* y_i = Σ_k W(i,k) x_k (+ y_i) for rows lo ≤ i < hi (lo a multiple of 4),
 * four rows at a time: the four dot products share each load of x. Each
 * row keeps sixteen partial sums (lane j adds the terms k ≡ j mod 16, in
 * NV vectors of 16/NV floats), added in lane order at the end, so a row's
 * value depends only on the shapes: the same bits from either width. Rows
 * after the last full group of four (of `out`) take the plain loop.
 * Two widths because GCC keeps a 64-byte vector in one AVX-512 register but
 * spills it to the stack on AVX2, and 32-byte ones run at half speed on
 * AVX-512. */
#define GEMV_ROWS(name, attr, VEC, NV)                                                      \
    attr static void name(float *y, const float *W, int ldw, const float *x, int lo, int hi, \
                          int out, int in, int accumulate)                                   \
    {                                                                                        \
        enum { L = 16 / NV };                                                                \
        const int in16 = in & ~15, out4 = out & ~3;                                          \
        int i = lo;                                                                          \
        for (; i + 4 <= hi && i + 4 <= out4; i += 4) {                                       \
            const float *w[4] = {W + (size_t)i * ldw, W + (size_t)(i + 1) * ldw,             \
                                 W + (size_t)(i + 2) * ldw, W + (size_t)(i + 3) * ldw};      \
            VEC acc[4][NV] = {{{0}}};                                                        \
            for (int k = 0; k < in16; k += 16)                                               \
                for (int v = 0; v < NV; v++) {                                              \
                    const VEC xk = *(const VEC *)(x + k + v * L);                            \
                    for (int r = 0; r < 4; r++) acc[r][v] += *(const VEC *)(w[r] + k + v * L) * xk; \
                }                                                                            \
            float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};                                           \
            for (int r = 0; r < 4; r++)                                                      \
                for (int v = 0; v < NV; v++)                                                 \
                    for (int j = 0; j < L; j++) s[r] += acc[r][v][j];                        \
            for (int r = 0; r < 4; r++) {                                                    \
                for (int k = in16; k < in; k++) s[r] += w[r][k] * x[k];                      \
                y[i + r] = accumulate ? y[i + r] + s[r] : s[r];                              \
            }                                                                                \
        }                                                                                    \
        for (; i < hi; i++) {                                                                \
            const float *wi = W + (size_t)i * ldw;                                           \
            float s = 0.0f;                                                                  \
            for (int k = 0; k < in; k++) s += wi[k] * x[k];                                  \
            y[i] = accumulate ? y[i] + s : s;                                                \
        }                                                                                    \
    }

GEMV_ROWS(gemv_rows_v8, HOT_NARROW, v8f, 2)
#ifdef HOT_WIDE
GEMV_ROWS(gemv_rows_v16, HOT_WIDE, v16f, 1)
#endif

static void gemv_rows(float *y, const float *W, int ldw, const float *x, int lo, int hi, int out,
                      int in, int accumulate)
{
#ifdef HOT_WIDE
    if (__builtin_cpu_supports("avx512f")) {
        gemv_rows_v16(y, W, ldw, x, lo, hi, out, in, accumulate);
        return;
    }
#endif
    gemv_rows_v8(y, W, ldw, x, lo, hi, out, in, accumulate);
}

/* Below this many weights a product is not split: waking the other core
 * costs more than half of it. */
enum { SPLIT_MIN = 32768 };
#define GEMV_SPIN_S 200e-6

/* Fields sit on cache lines by who writes them, so that a spinning reader
 * does not pull a line the other side is writing: per product, the caller
 * writes one line and the helper one, and `sleeping` changes only when the
 * helper goes to sleep or wakes. */
#define LINE _Alignas(64)
struct gemv_team {
    /* written by the caller */
    LINE atomic_uint posted; /* number of the last product posted */
    float *y;                /* the product posted: rows [split, out) are the second half */
    const float *W, *x;
    int ldw, out, in, accumulate, split;
    atomic_flag busy;        /* one caller at a time; others compute alone */
    /* written by whichever side takes the second half (the helper, as a rule) */
    LINE atomic_uint claimed; /* number of the last product whose second half was taken */
    atomic_uint finished;     /* number of the last second half the helper finished */
    LINE atomic_int sleeping;
    LINE atomic_int quit;
    pthread_t thread;
    pthread_mutex_t lock; /* with wake: where the helper sleeps */
    pthread_cond_t wake;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits for a product after number `seen`: spins, then sleeps. Returns 0 to quit. */
static unsigned helper_wait(gemv_team *t, unsigned seen)
{
    double t0 = 0.0;
    for (unsigned spins = 0;; spins++) {
        unsigned p = atomic_load(&t->posted);
        if (p != seen || atomic_load(&t->quit)) return p;
        cpu_relax();
        if ((spins & 255) != 255) continue;
        if (t0 == 0.0) t0 = now_s();
        else if (now_s() - t0 > GEMV_SPIN_S) break;
    }
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->sleeping, 1);
    /* posted is read after sleeping is set, and the caller reads sleeping
     * after posting: one of the two sees the other (sequentially consistent
     * atomics), so no product is left unannounced. */
    while (atomic_load(&t->posted) == seen && !atomic_load(&t->quit))
        pthread_cond_wait(&t->wake, &t->lock);
    atomic_store(&t->sleeping, 0);
    pthread_mutex_unlock(&t->lock);
    return atomic_load(&t->posted);
}

static void *helper_main(void *arg)
{
    gemv_team *t = arg;
    unsigned seen = 0;
    for (;;) {
        unsigned p = helper_wait(t, seen);
        if (atomic_load(&t->quit)) return NULL;
        seen = p;
        unsigned expect = p - 1;
        /* The caller may have taken this half itself (the helper was late). */
        if (!atomic_compare_exchange_strong(&t->claimed, &expect, p)) continue;
        gemv_rows(t->y, t->W, t->ldw, t->x, t->split, t->out, t->out, t->in, t->accumulate);
        atomic_store(&t->finished, p);
    }
}

int gemv_team_create(gemv_team **out)
{
    *out = NULL;
    gemv_team *t = aligned_alloc(64, sizeof *t); /* sizeof is a multiple of the 64 */
    if (!t) return -1;
    memset(t, 0, sizeof *t);
    atomic_flag_clear(&t->busy);
    if (pthread_mutex_init(&t->lock, NULL)) {
        free(t);
        return -1;
    }
    if (pthread_cond_init(&t->wake, NULL)) {
        pthread_mutex_destroy(&t->lock);
        free(t);
        return -1;
    }
    if (pthread_create(&t->thread, NULL, helper_main, t)) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return -1;
    }
    *out = t;
    return 0;
}

void gemv_team_free(gemv_team *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->quit, 1);
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

void gemv_run(gemv_team *t, float *y, const float *W, int ldw, const float *x, int out, int in,
              int accumulate)
{
    const int split = (out / 2) & ~3;
    if (!t || (size_t)out * (size_t)in < SPLIT_MIN || split == 0 ||
        atomic_flag_test_and_set(&t->busy)) {
        gemv_rows(y, W, ldw, x, 0, out, out, in, accumulate);
        return;
    }
    t->y = y, t->W = W, t->x = x;
    t->ldw = ldw, t->out = out, t->in = in, t->accumulate = accumulate, t->split = split;
    const unsigned p = atomic_load(&t->posted) + 1;
    atomic_store(&t->posted, p);
    if (atomic_load(&t->sleeping)) {
        pthread_mutex_lock(&t->lock);
        pthread_cond_signal(&t->wake);
        pthread_mutex_unlock(&t->lock);
    }
    gemv_rows(y, W, ldw, x, 0, split, out, in, accumulate);
    unsigned expect = p - 1;
    /* Read before trying to take it: the helper has, as a rule. */
    if (atomic_load_explicit(&t->claimed, memory_order_acquire) == expect &&
        atomic_compare_exchange_strong(&t->claimed, &expect, p))
        gemv_rows(y, W, ldw, x, split, out, out, in, accumulate); /* helper not there yet */
    else
        while (atomic_load_explicit(&t->finished, memory_order_acquire) != p) cpu_relax();
    atomic_flag_clear(&t->busy);
}
