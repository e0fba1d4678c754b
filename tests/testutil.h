/* testutil.h — shared by the cmocka tests. */
#ifndef S2S_TESTUTIL_H
#define S2S_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "data.h"

/* A one-vocabulary view of v for dataset_create (a shallow copy: free v,
 * never the view). */
#define SHARED(v) (&(s2s_vocabs){.src = *(v), .shared = 1})

/* Fails the test (with the message) when a core call returns non-zero. */
#define CHECK_OK(call, errp)                                                      \
    do {                                                                          \
        int rc_ = (call);                                                         \
        if (rc_ != 0) fail_msg("%s failed (%d): %s", #call, rc_, (errp)->msg);    \
    } while (0)

/* The synthetic task's three splits, the vocabulary built from the
 * training split, and one split encoded with it. */
typedef struct {
    s2s_corpus tr, va, te;
    s2s_vocab v;
    s2s_dataset d;
} synth_data;

/* Draws the splits (n_train, n_val, n_test sentences) with seed; d
 * encodes the training split, or the test split with on_test. */
static inline void synth_open(synth_data *s, int n_train, int n_val, int n_test, uint64_t seed,
                              int on_test)
{
    s2s_error err;
    s2s_error_clear(&err);
    CHECK_OK(corpus_synthetic(&s->tr, &s->va, &s->te, n_train, n_val, n_test, seed, &err), &err);
    CHECK_OK(vocab_create(&s->v, &err), &err);
    CHECK_OK(vocab_build(&s->v, &s->tr, &err), &err);
    CHECK_OK(dataset_create(&s->d, on_test ? &s->te : &s->tr, SHARED(&s->v), &err), &err);
}

static inline void synth_close(synth_data *s)
{
    dataset_free(&s->d);
    vocab_free(&s->v);
    corpus_free(&s->tr);
    corpus_free(&s->va);
    corpus_free(&s->te);
}

/* n floats in [-1, 1) from a small LCG seeded with seed (malloc'd; the
 * caller frees). */
static inline float *filled(size_t n, unsigned seed)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return p;
}

/* Worst relative error max_i |a-b| / (atol + |b|) style comparison:
 * returns the largest |a-b| - rtol*|b| excess (<= atol means all close) and
 * the index of the worst element. */
static inline double worst_excess(const float *a, const float *b, size_t n, double rtol,
                                  size_t *worst)
{
    double w = -INFINITY;
    size_t wi = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]) - rtol * fabs((double)b[i]);
        if (!(d <= w)) { w = d; wi = i; }
        if (isnan(d)) { w = INFINITY; wi = i; break; }
    }
    if (worst) *worst = wi;
    return w;
}

/* Max over i of |a-b| / max(|b|, floor): a relative error that does not blow
 * up on values near zero. */
static inline double max_rel_err(const float *a, const float *b, size_t n, double floor_,
                                 size_t *worst)
{
    double w = 0;
    size_t wi = 0;
    for (size_t i = 0; i < n; i++) {
        double den = fabs((double)b[i]);
        if (den < floor_) den = floor_;
        double r = fabs((double)a[i] - (double)b[i]) / den;
        if (isnan(r)) r = INFINITY;
        if (r > w) { w = r; wi = i; }
    }
    if (worst) *worst = wi;
    return w;
}

#endif
