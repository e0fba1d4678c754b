/* decode.h — greedy decoding and beam search: a whole dataset (greedy in
 * batches: evaluation), or one sentence with its labels and attention (what
 * `reverse`, the heatmap and the UI's prompt show), including the rule that
 * copies words the vocabulary lacks through the attention. */
#ifndef S2S_DECODE_H
#define S2S_DECODE_H

#include "data.h"
#include "err.h"
#include "model.h"

/* Decoding of every sentence of d (greedy, or the beam's chosen hypotheses). */
typedef struct {
    int count;
    int *out_off, *out_len; /* sentence i's output ids: out[out_off[i] .. +out_len[i]),
                               up to (not including) <EOS>; steps = out_len + 1 if it
                               stopped at <EOS>, else out_len */
    int *out;
    int *stopped;           /* 1 if it produced <EOS> before the cap */
    int *correct;           /* 1 if out equals the reversed source exactly */
    int prefix;             /* columns before the first word (model_src_prefix) */
    float **attn;           /* attn[i]: (steps_i, prefix + src_len_i) weights, row per step */
    int *steps;             /* decoder steps taken (rows of attn[i]) */
    int n_correct;
} s2s_decoded;

/* Decodes d in batches of `batch`, each sentence capped at 2*words+2 steps.
 * keep_attn = 0 skips storing attention. */
int decode_dataset(s2s_model *m, const s2s_dataset *d, int batch, int keep_attn,
                   s2s_decoded *out, s2s_error *err);
void decoded_free(s2s_decoded *r);
/* The same by beam search of width K (model_beam), one sentence at a
 * time: out as decode_dataset's, each sentence's chosen hypothesis (K = 1
 * is greedy decoding). */
int decode_dataset_beam(s2s_model *m, const s2s_dataset *d, int K, int keep_attn,
                        s2s_decoded *out, s2s_error *err);
/* The same with an oracle length (model_greedy_oracle): no sentence writes
 * <EOS> before its own number of words, so what a model would do past the
 * length where it stops can be measured. */
int decode_dataset_oracle(s2s_model *m, const s2s_dataset *d, int batch, int keep_attn,
                          s2s_decoded *out, s2s_error *err);

/* ---- one sentence ---- */

typedef struct {
    int prefix;     /* columns before the first word: 1 = the start marker <SOS> */
    int n_src;      /* encoder tokens: prefix, the words, then <EOS> */
    char **src;     /* n_src labels (owned) */
    int *unknown;   /* n_src flags: 1 where the word is outside the vocabulary */
    int n_words;    /* output words, before <EOS> */
    int steps;      /* decoder steps = rows of attn: n_words + 1 if it stopped */
    int stopped;    /* 1 if it produced <EOS> within the cap (2 · words + 2) */
    char **out;     /* steps labels (owned): the words, then "<EOS>" if stopped */
    int *copied;    /* steps flags: 1 where the output is the source word under
                       that step's attention peak (copy-through) */
    float *attn;    /* (steps, n_src) attention weights; zeros without attention */
} s2s_decoding;

/* Greedy-decodes s (which must have at least one word) with m. Unknown
 * words are encoded as <UNK> and copied through by attention: each unknown
 * word is written at the step that attends to it most strongly among the
 * steps whose attention peaks on it, and a step that writes <UNK> writes the
 * source word under its attention peak. */
int decode_sentence(s2s_model *m, const s2s_vocabs *v, const s2s_sentence *s, s2s_decoding *r,
                    s2s_error *err);
/* The same by beam search of width K >= 1 (model_beam; K = 1 is
 * decode_sentence): the chosen hypothesis, its labels and the attention
 * along its path, with the same copy-through rule. */
int decode_sentence_beam(s2s_model *m, const s2s_vocabs *v, const s2s_sentence *s, int K,
                         s2s_decoding *r, s2s_error *err);
void decoding_free(s2s_decoding *r);


/* The copy-through rule on one decoding, as a pure function. ids[0..n_words)
 * are the output ids, attn (steps, n_src) the weights, unknown[n_src] 1 where
 * a source word is outside the vocabulary; columns before `prefix` (the
 * start marker) and the last (<EOS>) are never copied. copy_from[t] gets
 * the column step t copies, or
 * -1: an unknown word is written at the step that attends to it most
 * strongly among the steps whose attention peaks on it (the earliest on a
 * tie), and a step that writes <UNK> writes the word under its peak. */
void decode_copy_rule(const int *ids, int n_words, const float *attn, int steps, int prefix,
                      int n_src, const int *unknown, int *copy_from);

#endif
