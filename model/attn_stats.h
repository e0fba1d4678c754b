/* attn_stats.h — statistics of attention matrices (`seq2seq analyze`).
 *
 * Pure computation: no I/O, no allocation.
 *
 * A sentence of n words has a source of n + 1 tokens (the words, then
 * <EOS>) and, decoded correctly, n + 1 decoder steps: step k = 1..n writes
 * source word n − k + 1, step n + 1 writes <EOS>. The *mirrored position* of
 * step k is the source position it should copy: n − k + 1 for a word step,
 * n + 1 (the source <EOS>) for the <EOS> step. Positions here are 1-based in
 * the comments, 0-based in arrays (mirror index n − k, or n for <EOS>).
 *
 * For every step the statistics record where the attention's peak (argmax;
 * the first one on a tie) falls relative to the mirrored position — offset
 * = peak − mirrored, so +1 is one position to the right, towards the end of
 * the source — the weight at the peak, the weight on the mirrored position,
 * and the entropy of the weights in bits (0 when one position has all the
 * weight, log2(n + 1) when they are uniform), also divided by log2(n + 1).
 *
 * A model whose attention also sees a start marker (<SOS>) before the first
 * word (decode.h's `prefix`, 1 then) gives rows of prefix + n + 1 weights.
 * The position logic skips those first columns: the peak is the largest
 * weight among the words and <EOS>, and positions and offsets count from
 * the first word as above. Weights stay fractions of the whole row and the
 * entropy is that of the whole row (normalised by log2 of its columns); the
 * weight on the marker, and whether it holds the row's largest weight, are
 * recorded apart: on the <EOS> step that is where the model may read its
 * signal to stop.
 *
 * Steps are kept apart by kind: the first step (k = 1, which writes the
 * last word), the middle steps (1 < k < n), the last word's step (k = n,
 * which writes the first word), and the <EOS> step (k = n + 1). A
 * one-word sentence's only word step counts as a first step. All of it is
 * kept per sentence length.
 */
#ifndef S2S_ATTN_STATS_H
#define S2S_ATTN_STATS_H

#include "data.h"
#include "err.h"

/* Offsets -3..+3 have a bin each; bin 0 holds everything left of -3, the
 * last bin everything right of +3. */
enum { S2S_OFF_MIN = -3, S2S_OFF_MAX = 3 };
#define S2S_OFF_BINS (S2S_OFF_MAX - S2S_OFF_MIN + 3)
#define S2S_OFF_BIN_LEFT 0                   /* offset < S2S_OFF_MIN */
#define S2S_OFF_BIN_RIGHT (S2S_OFF_BINS - 1) /* offset > S2S_OFF_MAX */

typedef enum {
    S2S_STEP_FIRST = 0, /* k = 1: writes the last source word */
    S2S_STEP_MIDDLE,    /* 1 < k < n */
    S2S_STEP_LAST,      /* k = n: writes the first source word */
    S2S_STEP_EOS,       /* k = n + 1: writes <EOS> */
    S2S_STEP_KINDS
} s2s_step_kind;

/* Sums over a set of decoder steps; divide by `steps` for means. */
typedef struct {
    long steps;
    long offset[S2S_OFF_BINS];  /* steps whose peak fell in each offset bin */
    long peak_on_first;         /* steps whose peak is on source word 1 */
    long peak_on_eos;           /* steps whose peak is on the source <EOS> */
    long peak_on_marker;        /* steps whose largest weight is on the start marker */
    double peak;                /* sum of the peak weights */
    double on_mirror;           /* sum of the weights on the mirrored position */
    double on_mirror_missed;    /* the same, over the steps whose peak is elsewhere */
    double entropy;             /* sum of the entropies, bits */
    double entropy_norm;        /* sum of entropy / log2(columns) (n + 1 without a marker) */
    double on_marker;           /* sum of the weights on the start marker (0 without one) */
} s2s_attn_acc;

typedef struct {
    long sentences[S2S_MAX_SENTENCE_WORDS + 1]; /* by length in words */
    s2s_attn_acc acc[S2S_MAX_SENTENCE_WORDS + 1][S2S_STEP_KINDS];
} s2s_attn_stats;

/* One attention row. */
typedef struct {
    int argmax;      /* 0-based position of the largest weight (the first on a tie),
                        among the columns after the prefix and counted from the first */
    double sum;      /* the row's sum (1 up to rounding for softmax weights) */
    double peak;     /* the weight at argmax / sum */
    double entropy;  /* bits, of the whole row */
    double marker;   /* the weight on the prefix columns / sum (0 without a prefix) */
    int marker_peak; /* 1 when a prefix column holds more weight than any other column */
} s2s_attn_row;

/* The bin of an offset (0 .. S2S_OFF_BINS-1), and the offset a bin stands
 * for (S2S_OFF_MIN - 1 and S2S_OFF_MAX + 1 for the two outer bins). */
int attn_offset_bin(int offset);
int attn_bin_offset(int bin);

/* The kind of step k (1-based) in a sentence of n words; k in 1..n+1. */
s2s_step_kind attn_step_kind(int k, int n);
/* The 0-based mirrored source position of step k in a sentence of n words. */
int attn_mirror_index(int k, int n);

/* Measures one row of n_src weights (n_src >= 1). The weights must be
 * finite, non-negative and not all zero; they are divided by their sum
 * first. Fails with S2S_ERR_ARG otherwise. */
int attn_row_measure(const float *row, int n_src, s2s_attn_row *r, s2s_error *err);
/* The same for a row of n_cols weights whose first `prefix` columns are a
 * start marker (0 <= prefix < n_cols): argmax and peak among the others. */
int attn_row_measure_prefixed(const float *row, int n_cols, int prefix, s2s_attn_row *r,
                              s2s_error *err);

void attn_stats_init(s2s_attn_stats *s);

/* Adds one correctly decoded sentence: attn is (steps, n_src) row-major,
 * row t = decoder step t + 1, with n_src = words + 1 and steps = n_src (the
 * words, then <EOS>). 1 <= words <= S2S_MAX_SENTENCE_WORDS. On failure s is
 * left as it was. */
int attn_stats_add(s2s_attn_stats *s, const float *attn, int steps, int n_src, s2s_error *err);
/* The same for a matrix of n_cols = prefix + words + 1 columns whose first
 * `prefix` columns are a start marker (prefix 0 is attn_stats_add); steps
 * must be words + 1. */
int attn_stats_add_prefixed(s2s_attn_stats *s, const float *attn, int steps, int prefix,
                            int n_cols, s2s_error *err);

/* kind values of attn_stats_sum beyond the s2s_step_kind ones. */
#define S2S_STEPS_ALL (-1)   /* every step */
#define S2S_STEPS_WORDS (-2) /* the word steps: first, middle and last, not <EOS> */

/* Sums cells into *out: words = 0 for every length (else that length),
 * kind = an s2s_step_kind, S2S_STEPS_ALL or S2S_STEPS_WORDS. */
void attn_stats_sum(const s2s_attn_stats *s, int words, int kind, s2s_attn_acc *out);
/* The same over the lengths lo..hi (clipped to 1..S2S_MAX_SENTENCE_WORDS). */
void attn_stats_sum_lengths(const s2s_attn_stats *s, int lo, int hi, int kind,
                            s2s_attn_acc *out);
/* Sentences counted (words = 0: all lengths); over lengths lo..hi. */
long attn_stats_sentences(const s2s_attn_stats *s, int words);
long attn_stats_sentences_lengths(const s2s_attn_stats *s, int lo, int hi);

/* Means of an accumulator: the share of steps in an offset bin (0..1), the
 * mean peak weight, mean weight on the mirrored position (over all steps,
 * and over the steps whose peak is elsewhere), mean entropy in bits and
 * normalised. NaN when it holds no such steps. */
double attn_acc_share(const s2s_attn_acc *a, int bin);
double attn_acc_mean_peak(const s2s_attn_acc *a);
double attn_acc_mean_on_mirror(const s2s_attn_acc *a);
double attn_acc_mean_on_mirror_missed(const s2s_attn_acc *a);
double attn_acc_mean_entropy(const s2s_attn_acc *a);
double attn_acc_mean_entropy_norm(const s2s_attn_acc *a);
/* Mean weight on the start marker, and the share of steps whose largest
 * weight is on it (0 for matrices without one). */
double attn_acc_mean_on_marker(const s2s_attn_acc *a);
double attn_acc_share_peak_on_marker(const s2s_attn_acc *a);
/* The bin holding the most steps (the lowest such bin on a tie); -1 when
 * it holds no steps. */
int attn_acc_mode_bin(const s2s_attn_acc *a);

#endif
