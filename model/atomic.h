/* atomic.h — files that are replaced whole or not at all.
 *
 * Every file the program writes (checkpoints, history.csv, the PNG figures,
 * analysis.md) goes to PATH.tmp first and is renamed over PATH only once it
 * is complete, so a reader or a crash never sees half a file. */
#ifndef S2S_ATOMIC_H
#define S2S_ATOMIC_H

#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;          /* write the contents here */
    char *tmp;        /* PATH.tmp (owned) */
    const char *path; /* the caller's; must outlive the commit */
} s2s_atomic;

/* Opens PATH.tmp with mode ("w" or "wb"). A directory at path is refused. */
int atomic_open(s2s_atomic *a, const char *path, const char *mode, s2s_error *err);

/* Checks for write errors, flushes (durable: also fsyncs the file and, after
 * the rename, its directory), closes and renames PATH.tmp over path. On any
 * failure PATH.tmp is removed and path is untouched. Always releases a. */
int atomic_commit(s2s_atomic *a, int durable, s2s_error *err);

/* Gives up: closes and removes PATH.tmp. */
void atomic_abort(s2s_atomic *a);

#endif
