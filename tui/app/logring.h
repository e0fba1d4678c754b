/* logring.h — the log pane's lines: a ring any thread may add to (the
 * trainer's epoch lines, evaluation results, saved files, errors) and the
 * UI copies from once per frame. */
#ifndef S2S_LOGRING_H
#define S2S_LOGRING_H

#include <pthread.h>
#include <stdint.h>

#include "err.h"

enum { LOG_LINE = 1024 }; /* a 100-word sentence and its reversal fit */

typedef enum { LOG_INFO = 0, LOG_EPOCH, LOG_GOOD, LOG_BAD, LOG_ERROR, LOG_USER } log_kind;

typedef struct {
    log_kind kind;
    char text[LOG_LINE];
} log_line;

typedef struct {
    pthread_mutex_t mu;
    log_line *lines;
    int cap;
    uint64_t total; /* lines ever added; line k lives at lines[k % cap] */
} log_ring;

int log_create(log_ring *r, int cap, s2s_error *err);
void log_free(log_ring *r);
void log_add(log_ring *r, log_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Copies the newest min(max, kept) lines into dst, oldest first; returns how
 * many. *total gets the number of lines ever added. */
int log_copy(log_ring *r, log_line *dst, int max, uint64_t *total);

#endif
