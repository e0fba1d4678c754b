/* align_stats.h — how attention follows a task's reference alignment
 * (`seq2seq analyze` for any task). attn_stats.h measures reversal against
 * the mirrored position; this measures any task against the spans that
 * task_alignment gives, and, where there is no reference (pairs), the shape
 * of the attention alone.
 *
 * Pure computation: no I/O, no allocation.
 *
 * Input: the attention of one correctly decoded sentence, rows = decoder
 * steps (the target's m tokens, then <EOS>: steps = m + 1), columns =
 * `prefix` start-marker columns (decode.h; 0 or 1), then the source tokens
 * and the source <EOS>. For every step:
 *
 *   peak       the argmax over the columns after the prefix (the first on a
 *              tie), counted from the first source token;
 *   in span    whether the peak falls inside the step's reference span
 *              lo..hi (inclusive, 0-based source positions), or just after
 *              it (hi + 1, where the encoder's state has read it all);
 *   on span    the weight inside the span, as a share of the whole row;
 *   entropy    of the whole row in bits, and divided by log2(columns);
 *   movement   for every step after the first: whether its peak is at or
 *              to the right of the previous step's (forward), on it
 *              (stay), exactly one to the right (next: a diagonal), and
 *              |peak − previous peak|.
 *
 * A step whose span is −1..−1 (a target token no source token carries: the
 * dashes of a date) counts for entropy and movement only, as does every
 * step of a sentence given without a reference. Steps are kept apart by
 * kind as in attn_stats.h (attn_step_kind with n = m): the first step, the
 * middle ones, the last token's step, and the <EOS> step.
 */
#ifndef S2S_ALIGN_STATS_H
#define S2S_ALIGN_STATS_H

#include "attn_stats.h"
#include "data.h"
#include "err.h"

/* Sums over a set of decoder steps; the align_acc_* functions give means. */
typedef struct {
    long steps;          /* steps measured */
    long ref_steps;      /* steps with a reference span */
    long in_span;        /* of those, steps whose peak falls inside it */
    long after_span;     /* of those, steps whose peak is the position just after it
                            (hi + 1): where a left-to-right encoder's state has
                            read the whole span */
    double on_span;      /* sum over ref_steps of the weight inside the span */
    double entropy;      /* sum of the entropies, bits */
    double entropy_norm; /* sum of entropy / log2(columns) */
    long moves;          /* steps that have a previous step */
    long forward;        /* moves whose peak is at or right of the previous peak */
    long stay;           /* moves whose peak is on the previous peak */
    long next;           /* moves whose peak is exactly one column right of it */
    long jump;           /* sum over moves of |peak - previous peak| */
} s2s_align_acc;

typedef struct {
    long sentences;  /* sentences added */
    long referenced; /* of those, added with a reference alignment */
    s2s_align_acc acc[S2S_STEP_KINDS];
} s2s_align_stats;

void align_stats_init(s2s_align_stats *s);

/* The reference span of every step of a correct decoding of src as tgt:
 * task_alignment's for the m = tgt->len tokens, then the source <EOS>
 * (position src->len) for the <EOS> step; lo and hi need room for m + 1.
 * Returns 1, or 0 when the task defines none for this pair (pairs, or a tgt
 * that is not task_answer(src)); lo and hi are then untouched past what
 * task_alignment wrote. */
int align_reference(int task, const s2s_sentence *src, const s2s_sentence *tgt, int *lo,
                    int *hi);

/* Adds one correctly decoded sentence: attn is (steps, n_cols) row-major
 * with `prefix` marker columns (0 <= prefix < n_cols), steps >= 1; lo and hi
 * the steps' spans (align_reference), or both NULL for no reference. The
 * weights must be finite, non-negative and not all zero in a row; a span
 * must be −1..−1 or lie within 0 .. n_cols − prefix − 1 with lo <= hi.
 * Fails with S2S_ERR_ARG otherwise, leaving s as it was. */
int align_stats_add(s2s_align_stats *s, const float *attn, int steps, int prefix, int n_cols,
                    const int *lo, const int *hi, s2s_error *err);

/* Sums the steps of one kind (an s2s_step_kind, or S2S_STEPS_ALL, or
 * S2S_STEPS_WORDS: every step but <EOS>) into *out. */
void align_stats_sum(const s2s_align_stats *s, int kind, s2s_align_acc *out);

/* Means of an accumulator, NaN when it holds no such steps: the share of
 * the steps with a span whose peak falls in it, their mean weight inside
 * it, the mean entropy (bits, normalised), the share of moves forward, in
 * place and one column right, and the mean |jump| in columns. */
double align_acc_share_in_span(const s2s_align_acc *a);
/* The share of steps with a span whose peak is just after it (hi + 1). */
double align_acc_share_after_span(const s2s_align_acc *a);
double align_acc_mean_on_span(const s2s_align_acc *a);
double align_acc_mean_entropy(const s2s_align_acc *a);
double align_acc_mean_entropy_norm(const s2s_align_acc *a);
double align_acc_share_forward(const s2s_align_acc *a);
double align_acc_share_stay(const s2s_align_acc *a);
double align_acc_share_next(const s2s_align_acc *a);
double align_acc_mean_jump(const s2s_align_acc *a);

#endif
