/* logring.c — see logring.h. */
#include "logring.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int log_create(log_ring *r, int cap, s2s_error *err)
{
    memset(r, 0, sizeof *r);
    r->lines = calloc((size_t)(cap > 0 ? cap : 1), sizeof *r->lines);
    if (!r->lines) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the log");
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r->lines);
        r->lines = NULL;
        return s2s_fail(err, S2S_ERR_NOMEM, "cannot create the log mutex");
    }
    r->cap = cap > 0 ? cap : 1;
    return 0;
}

void log_free(log_ring *r)
{
    if (!r || !r->lines) return;
    pthread_mutex_destroy(&r->mu);
    free(r->lines);
    memset(r, 0, sizeof *r);
}

void log_add(log_ring *r, log_kind kind, const char *fmt, ...)
{
    log_line l;
    l.kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l.text, sizeof l.text, fmt, ap);
    va_end(ap);
    /* One line per entry: a newline or tab would break the pane's layout. */
    for (char *p = l.text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    pthread_mutex_lock(&r->mu);
    r->lines[r->total % (uint64_t)r->cap] = l;
    r->total++;
    pthread_mutex_unlock(&r->mu);
}

int log_copy(log_ring *r, log_line *dst, int max, uint64_t *total)
{
    pthread_mutex_lock(&r->mu);
    uint64_t kept = r->total < (uint64_t)r->cap ? r->total : (uint64_t)r->cap;
    int n = max < (int)kept ? max : (int)kept;
    if (n < 0) n = 0;
    for (int i = 0; i < n; i++) dst[i] = r->lines[(r->total - (uint64_t)n + (uint64_t)i) % (uint64_t)r->cap];
    if (total) *total = r->total;
    pthread_mutex_unlock(&r->mu);
    return n;
}
