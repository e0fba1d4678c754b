/* attn_stats.c — statistics of attention matrices; see attn_stats.h. */
#include "attn_stats.h"

#include <math.h>
#include <string.h>

int attn_offset_bin(int offset)
{
    if (offset < S2S_OFF_MIN) return S2S_OFF_BIN_LEFT;
    if (offset > S2S_OFF_MAX) return S2S_OFF_BIN_RIGHT;
    return offset - S2S_OFF_MIN + 1;
}

int attn_bin_offset(int bin)
{
    if (bin <= S2S_OFF_BIN_LEFT) return S2S_OFF_MIN - 1;
    if (bin >= S2S_OFF_BIN_RIGHT) return S2S_OFF_MAX + 1;
    return bin - 1 + S2S_OFF_MIN;
}

s2s_step_kind attn_step_kind(int k, int n)
{
    if (k > n) return S2S_STEP_EOS;
    if (k == 1) return S2S_STEP_FIRST;
    if (k == n) return S2S_STEP_LAST;
    return S2S_STEP_MIDDLE;
}

int attn_mirror_index(int k, int n)
{
    return k > n ? n : n - k;
}

int attn_row_measure_prefixed(const float *row, int n_cols, int prefix, s2s_attn_row *r,
                              s2s_error *err)
{
    if (!row || n_cols < 1) return s2s_fail(err, S2S_ERR_ARG, "empty attention row");
    if (prefix < 0 || prefix >= n_cols)
        return s2s_fail(err, S2S_ERR_ARG, "%d marker columns in a row of %d", prefix, n_cols);
    double sum = 0, marker = 0;
    int arg = prefix, top = 0; /* the largest after the prefix, and over the whole row */
    for (int i = 0; i < n_cols; i++) {
        const float w = row[i];
        if (!isfinite(w) || w < 0)
            return s2s_fail(err, S2S_ERR_ARG, "attention weight %d is %g (must be finite and >= 0)",
                            i, (double)w);
        sum += w;
        if (i < prefix) marker += w;
        if (i >= prefix && w > row[arg]) arg = i;
        if (w > row[top]) top = i;
    }
    if (!(sum > 0)) return s2s_fail(err, S2S_ERR_ARG, "attention row sums to 0");
    double h = 0;
    for (int i = 0; i < n_cols; i++) {
        const double p = row[i] / sum;
        if (p > 0) h -= p * log2(p);
    }
    r->argmax = arg - prefix;
    r->sum = sum;
    r->peak = row[arg] / sum;
    r->entropy = h > 0 ? h : 0; /* -0 and rounding below zero read as 0 */
    r->marker = marker / sum;
    r->marker_peak = top < prefix;
    return 0;
}

int attn_row_measure(const float *row, int n_src, s2s_attn_row *r, s2s_error *err)
{
    return attn_row_measure_prefixed(row, n_src, 0, r, err);
}

void attn_stats_init(s2s_attn_stats *s)
{
    memset(s, 0, sizeof *s);
}

int attn_stats_add_prefixed(s2s_attn_stats *s, const float *attn, int steps, int prefix,
                            int n_cols, s2s_error *err)
{
    if (!attn) return s2s_fail(err, S2S_ERR_ARG, "no attention matrix");
    if (prefix < 0 || prefix >= n_cols)
        return s2s_fail(err, S2S_ERR_ARG, "%d marker columns in a matrix of %d", prefix, n_cols);
    const int n_src = n_cols - prefix, n = n_src - 1;
    if (n < 1 || n > S2S_MAX_SENTENCE_WORDS)
        return s2s_fail(err, S2S_ERR_ARG, "a sentence of %d words (must be 1 to %d)", n,
                        S2S_MAX_SENTENCE_WORDS);
    if (steps != n_src)
        return s2s_fail(err, S2S_ERR_ARG,
                        "a correctly decoded %d-word sentence takes %d steps, not %d", n, n_src,
                        steps);
    /* Measure every row first, so a bad one leaves s untouched. */
    s2s_attn_row rows[S2S_MAX_SENTENCE_WORDS + 1];
    for (int t = 0; t < steps; t++) {
        int rc = attn_row_measure_prefixed(attn + (size_t)t * (size_t)n_cols, n_cols, prefix,
                                           &rows[t], err);
        if (rc) return rc;
    }
    const double hmax = log2((double)n_cols);
    for (int t = 0; t < steps; t++) {
        const int k = t + 1;
        const int mirror = attn_mirror_index(k, n);
        const s2s_attn_row *r = &rows[t];
        s2s_attn_acc *a = &s->acc[n][attn_step_kind(k, n)];
        a->steps++;
        a->offset[attn_offset_bin(r->argmax - mirror)]++;
        a->peak_on_first += r->argmax == 0;
        a->peak_on_eos += r->argmax == n;
        a->peak_on_marker += r->marker_peak;
        a->peak += r->peak;
        const double on = attn[(size_t)t * (size_t)n_cols + (size_t)(prefix + mirror)] / r->sum;
        a->on_mirror += on;
        if (r->argmax != mirror) a->on_mirror_missed += on;
        a->entropy += r->entropy;
        a->entropy_norm += r->entropy / hmax;
        a->on_marker += r->marker;
    }
    s->sentences[n]++;
    return 0;
}

int attn_stats_add(s2s_attn_stats *s, const float *attn, int steps, int n_src, s2s_error *err)
{
    return attn_stats_add_prefixed(s, attn, steps, 0, n_src, err);
}

static void acc_add(s2s_attn_acc *to, const s2s_attn_acc *a)
{
    to->steps += a->steps;
    for (int b = 0; b < S2S_OFF_BINS; b++) to->offset[b] += a->offset[b];
    to->peak_on_first += a->peak_on_first;
    to->peak_on_eos += a->peak_on_eos;
    to->peak_on_marker += a->peak_on_marker;
    to->peak += a->peak;
    to->on_mirror += a->on_mirror;
    to->on_mirror_missed += a->on_mirror_missed;
    to->entropy += a->entropy;
    to->entropy_norm += a->entropy_norm;
    to->on_marker += a->on_marker;
}

void attn_stats_sum_lengths(const s2s_attn_stats *s, int lo, int hi, int kind,
                            s2s_attn_acc *out)
{
    memset(out, 0, sizeof *out);
    if (lo < 1) lo = 1;
    if (hi > S2S_MAX_SENTENCE_WORDS) hi = S2S_MAX_SENTENCE_WORDS;
    for (int n = lo; n <= hi; n++)
        for (int k = 0; k < S2S_STEP_KINDS; k++)
            if (kind == S2S_STEPS_ALL || k == kind ||
                (kind == S2S_STEPS_WORDS && k != S2S_STEP_EOS))
                acc_add(out, &s->acc[n][k]);
}

void attn_stats_sum(const s2s_attn_stats *s, int words, int kind, s2s_attn_acc *out)
{
    if (words)
        attn_stats_sum_lengths(s, words, words, kind, out);
    else
        attn_stats_sum_lengths(s, 1, S2S_MAX_SENTENCE_WORDS, kind, out);
}

long attn_stats_sentences_lengths(const s2s_attn_stats *s, int lo, int hi)
{
    if (lo < 1) lo = 1;
    if (hi > S2S_MAX_SENTENCE_WORDS) hi = S2S_MAX_SENTENCE_WORDS;
    long total = 0;
    for (int n = lo; n <= hi; n++) total += s->sentences[n];
    return total;
}

long attn_stats_sentences(const s2s_attn_stats *s, int words)
{
    if (words) return words > 0 && words <= S2S_MAX_SENTENCE_WORDS ? s->sentences[words] : 0;
    return attn_stats_sentences_lengths(s, 1, S2S_MAX_SENTENCE_WORDS);
}

static double mean(double sum, long n)
{
    return n > 0 ? sum / (double)n : NAN;
}

double attn_acc_share(const s2s_attn_acc *a, int bin)
{
    if (bin < 0 || bin >= S2S_OFF_BINS) return NAN;
    return mean((double)a->offset[bin], a->steps);
}

double attn_acc_mean_peak(const s2s_attn_acc *a)
{
    return mean(a->peak, a->steps);
}

double attn_acc_mean_on_mirror(const s2s_attn_acc *a)
{
    return mean(a->on_mirror, a->steps);
}

double attn_acc_mean_on_mirror_missed(const s2s_attn_acc *a)
{
    return mean(a->on_mirror_missed, a->steps - a->offset[attn_offset_bin(0)]);
}

double attn_acc_mean_entropy(const s2s_attn_acc *a)
{
    return mean(a->entropy, a->steps);
}

double attn_acc_mean_entropy_norm(const s2s_attn_acc *a)
{
    return mean(a->entropy_norm, a->steps);
}

double attn_acc_mean_on_marker(const s2s_attn_acc *a)
{
    return mean(a->on_marker, a->steps);
}

double attn_acc_share_peak_on_marker(const s2s_attn_acc *a)
{
    return mean((double)a->peak_on_marker, a->steps);
}

int attn_acc_mode_bin(const s2s_attn_acc *a)
{
    if (a->steps <= 0) return -1;
    int best = 0;
    for (int b = 1; b < S2S_OFF_BINS; b++)
        if (a->offset[b] > a->offset[best]) best = b;
    return best;
}
