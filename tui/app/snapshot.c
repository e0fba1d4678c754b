/* snapshot.c — double-buffered parameter snapshots; see snapshot.h. */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

int snap_create(snap_store *s, size_t n, s2s_error *err)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->buf[0] = calloc(n ? n : 1, sizeof(float));
    s->buf[1] = calloc(n ? n : 1, sizeof(float));
    if (!s->buf[0] || !s->buf[1]) {
        free(s->buf[0]);
        free(s->buf[1]);
        memset(s, 0, sizeof *s);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the parameter snapshots (%zu floats)", n);
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->buf[0]);
        free(s->buf[1]);
        memset(s, 0, sizeof *s);
        return s2s_fail(err, S2S_ERR_NOMEM, "cannot create the snapshot mutex");
    }
    return 0;
}

void snap_free(snap_store *s)
{
    if (!s || !s->buf[0]) return;
    pthread_mutex_destroy(&s->mu);
    free(s->buf[0]);
    free(s->buf[1]);
    memset(s, 0, sizeof *s);
}

/* Fletcher-style over the 32-bit words, two 64-bit sums (order-sensitive,
 * about a cycle per float). */
uint64_t snap_checksum(const float *x, size_t n)
{
    uint64_t a = 0x9e3779b97f4a7c15ull, b = (uint64_t)n;
    for (size_t i = 0; i < n; i++) {
        uint32_t w;
        memcpy(&w, &x[i], sizeof w);
        a += w;
        b += a;
    }
    return a ^ (b * 0xff51afd7ed558ccdull);
}

float *snap_back(snap_store *s)
{
    /* Only the writer changes `front`, so it may read it without the lock. */
    return s->buf[1 - s->front];
}

void snap_publish(snap_store *s, int epoch, int step)
{
    const int back = 1 - s->front;
    const uint64_t sum = snap_checksum(s->buf[back], s->n);
    pthread_mutex_lock(&s->mu);
    s->meta[back].seq = s->seq + 1;
    s->meta[back].sum = sum;
    s->meta[back].epoch = epoch;
    s->meta[back].step = step;
    s->front = back;
    s->seq++;
    pthread_mutex_unlock(&s->mu);
}

int snap_wanted(snap_store *s)
{
    pthread_mutex_lock(&s->mu);
    int w = s->taken == s->seq;
    pthread_mutex_unlock(&s->mu);
    return w;
}

uint64_t snap_latest(snap_store *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t q = s->seq;
    pthread_mutex_unlock(&s->mu);
    return q;
}

int snap_take(snap_store *s, float *dst, uint64_t have, snap_meta *meta)
{
    int got = 0;
    pthread_mutex_lock(&s->mu);
    if (s->seq != 0 && s->seq != have) {
        memcpy(dst, s->buf[s->front], s->n * sizeof(float));
        *meta = s->meta[s->front];
        s->taken = s->seq;
        got = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return got;
}

int snap_verify(const float *dst, size_t n, const snap_meta *meta)
{
    return snap_checksum(dst, n) == meta->sum;
}
