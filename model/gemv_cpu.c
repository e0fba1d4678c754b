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

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HOT
#endif

/* Sixteen floats, loaded from any float address (the rows of a column
 * block of W are not 64-byte aligned). */
typedef float v16f __attribute__((vector_size(64), aligned(4), may_alias));

/* y_i = Σ_k W(i,k) x_k (+ y_i) for rows lo ≤ i < hi (lo a multiple of 4),
 * four rows at a time: the four dot products share each load of x, and
 * sixteen lanes per row keep sixteen partial sums added in a fixed order,
 * so a row's value depends only on the shapes. Rows after the last full
 * group of four (of `out`) take the plain loop. */
HOT static void gemv_rows(float *y, const float *W, int ldw, const float *x, int lo, int hi,
                          int out, int in, int accumulate)
{
    const int in16 = in & ~15, out4 = out & ~3;
    int i = lo;
    for (; i + 4 <= hi && i + 4 <= out4; i += 4) {
        const float *w0 = W + (size_t)i * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
        v16f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        for (int k = 0; k < in16; k += 16) {
            const v16f xk = *(const v16f *)(x + k);
            a0 += *(const v16f *)(w0 + k) * xk;
            a1 += *(const v16f *)(w1 + k) * xk;
            a2 += *(const v16f *)(w2 + k) * xk;
            a3 += *(const v16f *)(w3 + k) * xk;
        }
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int j = 0; j < 16; j++) {
            s0 += a0[j];
            s1 += a1[j];
            s2 += a2[j];
            s3 += a3[j];
        }
        for (int k = in16; k < in; k++) {
            s0 += w0[k] * x[k];
            s1 += w1[k] * x[k];
            s2 += w2[k] * x[k];
            s3 += w3[k] * x[k];
        }
        if (accumulate) {
            y[i] += s0, y[i + 1] += s1, y[i + 2] += s2, y[i + 3] += s3;
        } else {
            y[i] = s0, y[i + 1] = s1, y[i + 2] = s2, y[i + 3] = s3;
        }
    }
    for (; i < hi; i++) {
        const float *wi = W + (size_t)i * ldw;
        float s = 0.0f;
        for (int k = 0; k < in; k++) s += wi[k] * x[k];
        y[i] = accumulate ? y[i] + s : s;
    }
}

/* Below this many weights a product is not split: waking the other core
 * costs more than half of it. */
enum { SPLIT_MIN = 32768 };
#define GEMV_SPIN_S 200e-6

/* The fields each thread writes sit on cache lines of their own, so that
 * a spinning reader does not pull a line the other side is writing. */
#define LINE _Alignas(64)
struct gemv_team {
    /* written by the caller */
    LINE atomic_uint posted; /* number of the last product posted */
    float *y;                /* the product posted: rows [split, out) are the second half */
    const float *W, *x;
    int ldw, out, in, accumulate, split;
    atomic_flag busy;        /* one caller at a time; others compute alone */
    /* written by whichever side takes the second half */
    LINE atomic_uint claimed; /* number of the last product whose second half was taken */
    /* written by the helper */
    LINE atomic_uint finished; /* number of the last second half the helper finished */
    atomic_int sleeping;
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
    if (atomic_load_explicit(&t->claimed, memory_order_relaxed) == expect &&
        atomic_compare_exchange_strong(&t->claimed, &expect, p))
        gemv_rows(y, W, ldw, x, split, out, out, in, accumulate); /* helper not there yet */
    else
        while (atomic_load(&t->finished) != p) cpu_relax();
    atomic_flag_clear(&t->busy);
}
