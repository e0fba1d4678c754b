/* evaluate.h — how right a decoding is: exact match by length, token
 * accuracy, and where a wrong output first goes wrong. Pure computation over
 * a dataset and its decoding (decode.h); the front end only prints these. */
#ifndef S2S_EVALUATE_H
#define S2S_EVALUATE_H

#include "attn_stats.h"
#include "data.h"
#include "decode.h"

/* ---- where decoding goes wrong ---- */

/* The 1-based step of the first wrong token of an output against its
 * reference (both without <SOS>/<EOS>; token ref_len + 1 is <EOS>): 0 when
 * the output is exactly right (it stopped, with ref_len words, all equal).
 * A missing <EOS> after ref_len right words gives ref_len + 1. */
int decoded_first_error(const int *out, int out_len, int stopped, const int *ref, int ref_len);

/* The same check on words, for sources with words the vocabulary lacks
 * (they are encoded as <UNK>; decode.h): the output's words — the target
 * vocabulary's word for each id, or the source word that decode_copy_rule
 * copies there — are compared as strings with ref's (NULL: src's words
 * reversed). out[0..out_len) are the
 * output ids, stopped as in s2s_decoded; attn is its (steps, prefix +
 * src->len + 1) attention, or NULL for a model without attention (nothing
 * is copied, so an unknown word is never right). Returns the 1-based step of
 * the first wrong token as decoded_first_error does, 0 when exactly right,
 * -1 when the arguments are out of range (more than S2S_MAX_SENTENCE_WORDS
 * words or S2S_MAX_STEPS steps, prefix outside 0..S2S_MAX_PREFIX, an id
 * outside v). */
#define S2S_MAX_PREFIX 4
int decoded_first_error_words(const s2s_sentence *src, const s2s_sentence *ref,
                              const s2s_vocabs *v, const int *out,
                              int out_len, int stopped, const float *attn, int steps,
                              int prefix);

/* Wrong outputs of one length, by the kind of step that first went wrong
 * and by output length against the input's. */
#define S2S_MAX_STEPS (3 * S2S_MAX_SENTENCE_WORDS + 2) /* model_decode_cap's largest */
typedef struct {
    long wrong;
    long first_error[S2S_STEP_KINDS];
    long first_error_at[S2S_MAX_STEPS + 1]; /* by the step (1-based) of the first wrong token */
    long shorter, same_len, longer; /* output words < / = / > input words (or no <EOS>) */
    long out_len[S2S_MAX_STEPS + 1];  /* stopped wrong outputs by their length in words */
} s2s_error_profile;

/* Adds one wrong output (first_error_step from decoded_first_error, > 0). */
void error_profile_add(s2s_error_profile *p, int first_error_step, int words, int out_len,
                       int stopped);
/* Adds q's counts to p. */
void error_profile_merge(s2s_error_profile *p, const s2s_error_profile *q);
/* The most common index of a histogram h[0..n] (the lowest on a tie), and
 * the highest index with a count; -1 when h is all zero. */
int hist_mode(const long *h, int n);
int hist_max(const long *h, int n);

/* ---- exact match by length ---- */

/* count[w] and correct[w] for w = 0..max_words (callers zero them first)
 * gain the sentences of d by length in words (src_len - 1), from correct[]
 * (1 = exact match, per sentence of d). Longer sentences are not counted. */
void exact_by_length(const s2s_dataset *d, const int *is_correct, int max_words, long *count,
                     long *correct);

/* ---- token accuracy ---- */

/* Output token t (the output's words, then <EOS> if it stopped) equal to
 * reference token t (the reversed words, then <EOS>), counted over every
 * reference token, so a missing, extra or misplaced word costs what it
 * displaces. *ok and *total get the counts over every sentence of d. */
void token_accuracy(const s2s_dataset *d, const s2s_decoded *res, long *ok, long *total);

#endif
