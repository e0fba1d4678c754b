/* attnjson.h — attention matrices as JSON Lines (`--attention-out FILE`),
 * so people can plot them with their own tools.
 *
 * One object per line, one line per decoded sentence:
 *
 *   {"source": ["<SOS>", "the", "cat", "<EOS>"],     encoder tokens (columns)
 *    "output": ["cat", "the", "<EOS>"],               decoder steps (rows)
 *    "attention": [[0.01, 0.02, 0.95, 0.02], ...],    steps x columns, rows sum to 1
 *    "reference": ["cat", "the"],                     eval only: the right answer
 *    "match": true}                                   eval only: exact match
 *
 * "source" starts with "<SOS>" only for location attention (its start
 * marker); "output" ends with "<EOS>" when the model stopped. A model
 * without attention writes "attention": null. Strings are UTF-8 with
 * JSON's escapes; weights are printed with 6 significant digits. */
#ifndef S2S_ATTNJSON_H
#define S2S_ATTNJSON_H

#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;
    const char *path;
    long written;  /* lines so far */
} attn_jsonl;

/* Opens path for writing (truncating it); the error names the file. */
int attn_jsonl_open(attn_jsonl *j, const char *path, s2s_error *err);
/* Writes one sentence. attn (steps, n_src) may be NULL (no attention);
 * ref may be NULL (then "reference" and "match" are left out). */
int attn_jsonl_write(attn_jsonl *j, const char *const *src, int n_src, const char *const *out,
                     int steps, const float *attn, const char *const *ref, int n_ref, int match,
                     s2s_error *err);
/* Flushes and closes: a full disk is reported here if not before. Safe on
 * a closed or never-opened j. */
int attn_jsonl_close(attn_jsonl *j, s2s_error *err);

#endif
