/* snapshot.h — the training thread hands the UI consistent copies of the
 * parameters.
 *
 * Two host buffers: the writer (the training thread, between batches)
 * fills the back one with no lock held, computes its checksum, and then,
 * under the mutex, makes it the front one and bumps the sequence number.
 * A reader copies the front buffer, its checksum and its sequence number
 * under the same mutex, so a swap (after which the writer starts filling
 * the old front buffer) can never happen during the copy. The checksum
 * travels with the data, so the reader can prove what it got is whole:
 * tests/test_snapshot.c fails if the locking is taken out.
 *
 * The writer holds the mutex only for the swap (a few instructions); the
 * reader holds it for one memcpy, and only when the sequence number says
 * there is something new.
 */
#ifndef S2S_SNAPSHOT_H
#define S2S_SNAPSHOT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    uint64_t seq;     /* 1, 2, ... for each publication; 0 = none yet */
    uint64_t sum;     /* snap_checksum of the data */
    int epoch, step;  /* where training was when it was taken (step 0: epoch end) */
} snap_meta;

typedef struct {
    pthread_mutex_t mu;
    size_t n;         /* floats per buffer */
    float *buf[2];
    snap_meta meta[2];
    int front;        /* index of the published buffer */
    uint64_t seq;     /* sequence number of the front buffer (0: none yet) */
    uint64_t taken;   /* the newest sequence number a reader has taken */
} snap_store;

int snap_create(snap_store *s, size_t n, s2s_error *err);
void snap_free(snap_store *s);

/* A 64-bit checksum of n floats (their bits, order-sensitive). */
uint64_t snap_checksum(const float *x, size_t n);

/* Writer: the buffer to fill next. Only the one writer thread may use it,
 * and only until its snap_publish. */
float *snap_back(snap_store *s);
/* Writer: checksums the back buffer and publishes it as the front one. */
void snap_publish(snap_store *s, int epoch, int step);

/* Writer: 1 when a reader has taken the newest snapshot (or none was
 * published yet), so a new one would be read; a writer that publishes only
 * then copies no weights nobody looks at. */
int snap_wanted(snap_store *s);

/* The sequence number of the newest snapshot (0: none yet). */
uint64_t snap_latest(snap_store *s);

/* Reader: if the newest snapshot is not `have` (pass 0 the first time),
 * copies its n floats into dst, fills *meta and returns 1; returns 0 when
 * there is nothing newer (dst untouched). */
int snap_take(snap_store *s, float *dst, uint64_t have, snap_meta *meta);

/* Reader: 1 if dst (as taken with meta) matches its checksum. */
int snap_verify(const float *dst, size_t n, const snap_meta *meta);

#endif
