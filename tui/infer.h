/* infer.h — one sentence in, its reversal and attention out: what
 * `seq2seq reverse`, the heatmap export and the UI's prompt all show. */
#ifndef S2S_INFER_H
#define S2S_INFER_H

#include "data.h"
#include "err.h"
#include "model.h"

typedef struct {
    int n_src;      /* encoder tokens: the words, then <EOS> */
    char **src;     /* n_src labels (owned) */
    int *unknown;   /* n_src flags: 1 where the word is outside the vocabulary */
    int n_words;    /* output words, before <EOS> */
    int steps;      /* decoder steps = rows of attn: n_words + 1 if it stopped */
    int stopped;    /* 1 if it produced <EOS> within the cap (2 · words + 2) */
    char **out;     /* steps labels (owned): the words, then "<EOS>" if stopped */
    int *copied;    /* steps flags: 1 where the output is the source word under
                       that step's attention peak (copy-through) */
    float *attn;    /* (steps, n_src) attention weights; zeros without attention */
} s2s_reversal;

/* Greedy-decodes s (which must have at least one word) with m. Unknown
 * words are encoded as <UNK> and copied through by attention: each unknown
 * word is written at the step that attends to it most strongly among the
 * steps whose attention peaks on it, and a step that writes <UNK> writes the
 * source word under its attention peak. */
int infer_reverse(s2s_model *m, const s2s_vocab *v, const s2s_sentence *s, s2s_reversal *r,
                  s2s_error *err);
void reversal_free(s2s_reversal *r);

#endif
