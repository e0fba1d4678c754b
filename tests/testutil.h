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
