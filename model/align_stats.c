/* align_stats.c — attention against a task's reference alignment; see align_stats.h. */
#include "align_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task.h"

void align_stats_init(s2s_align_stats *s)
{
    memset(s, 0, sizeof *s);
}

int align_reference(int task, const s2s_sentence *src, const s2s_sentence *tgt, int *lo,
                    int *hi)
{
    if (!task_alignment(task, src, tgt, lo, hi)) return 0;
    lo[tgt->len] = hi[tgt->len] = src->len;
    return 1;
}

static void acc_add(s2s_align_acc *to, const s2s_align_acc *a)
{
    to->steps += a->steps;
    to->ref_steps += a->ref_steps;
    to->in_span += a->in_span;
    to->after_span += a->after_span;
    to->on_span += a->on_span;
    to->entropy += a->entropy;
    to->entropy_norm += a->entropy_norm;
    to->moves += a->moves;
    to->forward += a->forward;
    to->stay += a->stay;
    to->next += a->next;
    to->jump += a->jump;
}

static int check_span(int t, int lo, int hi, int n_src, s2s_error *err)
{
    if (lo == -1 && hi == -1) return 0;
    if (lo < 0 || lo > hi || hi >= n_src)
        return s2s_fail(err, S2S_ERR_ARG,
                        "the reference span of step %d is %d..%d (must be -1..-1 or within "
                        "0..%d)",
                        t + 1, lo, hi, n_src - 1);
    return 0;
}

int align_stats_add(s2s_align_stats *s, const float *attn, int steps, int prefix, int n_cols,
                    const int *lo, const int *hi, s2s_error *err)
{
    if (!attn) return s2s_fail(err, S2S_ERR_ARG, "no attention matrix");
    if (steps < 1) return s2s_fail(err, S2S_ERR_ARG, "an attention matrix of %d steps", steps);
    if (prefix < 0 || prefix >= n_cols)
        return s2s_fail(err, S2S_ERR_ARG, "%d marker columns in a matrix of %d", prefix, n_cols);
    if ((lo == NULL) != (hi == NULL))
        return s2s_fail(err, S2S_ERR_ARG, "a reference alignment needs both ends of its spans");
    /* Steps are summed apart and added at the end, so a bad row or span
     * leaves s as it was. */
    s2s_align_acc add[S2S_STEP_KINDS];
    memset(add, 0, sizeof add);
    const int n_src = n_cols - prefix;
    const double hmax = log2((double)n_cols);
    int prev = -1;
    for (int t = 0; t < steps; t++) {
        const float *row = attn + (size_t)t * (size_t)n_cols;
        s2s_attn_row r;
        int rc = attn_row_measure_prefixed(row, n_cols, prefix, &r, err);
        if (!rc && lo) rc = check_span(t, lo[t], hi[t], n_src, err);
        if (rc) return rc;
        s2s_align_acc *a = &add[attn_step_kind(t + 1, steps - 1)];
        a->steps++;
        a->entropy += r.entropy;
        a->entropy_norm += hmax > 0 ? r.entropy / hmax : 0;
        if (t > 0) {
            a->moves++;
            a->forward += r.argmax >= prev;
            a->stay += r.argmax == prev;
            a->next += r.argmax == prev + 1;
            a->jump += labs((long)r.argmax - prev);
        }
        prev = r.argmax;
        if (!lo || lo[t] < 0) continue;
        double on = 0;
        for (int j = lo[t]; j <= hi[t]; j++) on += row[prefix + j];
        a->ref_steps++;
        a->in_span += r.argmax >= lo[t] && r.argmax <= hi[t];
        a->after_span += r.argmax == hi[t] + 1;
        a->on_span += on / r.sum;
    }
    for (int k = 0; k < S2S_STEP_KINDS; k++) acc_add(&s->acc[k], &add[k]);
    s->sentences++;
    s->referenced += lo != NULL;
    return 0;
}

void align_stats_sum(const s2s_align_stats *s, int kind, s2s_align_acc *out)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < S2S_STEP_KINDS; k++)
        if (kind == k || kind == S2S_STEPS_ALL || (kind == S2S_STEPS_WORDS && k != S2S_STEP_EOS))
            acc_add(out, &s->acc[k]);
}

static double mean(double sum, long n)
{
    return n > 0 ? sum / (double)n : NAN;
}

double align_acc_share_in_span(const s2s_align_acc *a)
{
    return mean((double)a->in_span, a->ref_steps);
}

double align_acc_share_after_span(const s2s_align_acc *a)
{
    return mean((double)a->after_span, a->ref_steps);
}

double align_acc_mean_on_span(const s2s_align_acc *a)
{
    return mean(a->on_span, a->ref_steps);
}

double align_acc_mean_entropy(const s2s_align_acc *a)
{
    return mean(a->entropy, a->steps);
}

double align_acc_mean_entropy_norm(const s2s_align_acc *a)
{
    return mean(a->entropy_norm, a->steps);
}

double align_acc_share_forward(const s2s_align_acc *a)
{
    return mean((double)a->forward, a->moves);
}

double align_acc_share_stay(const s2s_align_acc *a)
{
    return mean((double)a->stay, a->moves);
}

double align_acc_share_next(const s2s_align_acc *a)
{
    return mean((double)a->next, a->moves);
}

double align_acc_mean_jump(const s2s_align_acc *a)
{
    return mean((double)a->jump, a->moves);
}
