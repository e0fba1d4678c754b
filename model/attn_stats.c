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

int attn_row_measure(const float *row, int n_src, s2s_attn_row *r, s2s_error *err)
{
    if (!row || n_src < 1) return s2s_fail(err, S2S_ERR_ARG, "empty attention row");
    double sum = 0;
    int arg = 0;
    for (int i = 0; i < n_src; i++) {
        const float w = row[i];
        if (!isfinite(w) || w < 0)
            return s2s_fail(err, S2S_ERR_ARG, "attention weight %d is %g (must be finite and >= 0)",
                            i, (double)w);
        sum += w;
        if (w > row[arg]) arg = i;
    }
    if (!(sum > 0)) return s2s_fail(err, S2S_ERR_ARG, "attention row sums to 0");
    double h = 0;
    for (int i = 0; i < n_src; i++) {
        const double p = row[i] / sum;
        if (p > 0) h -= p * log2(p);
    }
    r->argmax = arg;
    r->sum = sum;
    r->peak = row[arg] / sum;
    r->entropy = h > 0 ? h : 0; /* -0 and rounding below zero read as 0 */
    return 0;
}

void attn_stats_init(s2s_attn_stats *s)
{
    memset(s, 0, sizeof *s);
}

int attn_stats_add(s2s_attn_stats *s, const float *attn, int steps, int n_src, s2s_error *err)
{
    const int n = n_src - 1;
    if (!attn) return s2s_fail(err, S2S_ERR_ARG, "no attention matrix");
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
        int rc = attn_row_measure(attn + (size_t)t * (size_t)n_src, n_src, &rows[t], err);
        if (rc) return rc;
    }
    const double hmax = log2((double)n_src);
    for (int t = 0; t < steps; t++) {
        const int k = t + 1;
        const int mirror = attn_mirror_index(k, n);
        const s2s_attn_row *r = &rows[t];
        s2s_attn_acc *a = &s->acc[n][attn_step_kind(k, n)];
        a->steps++;
        a->offset[attn_offset_bin(r->argmax - mirror)]++;
        a->peak_on_first += r->argmax == 0;
        a->peak_on_eos += r->argmax == n;
        a->peak += r->peak;
        const double on = attn[(size_t)t * (size_t)n_src + (size_t)mirror] / r->sum;
        a->on_mirror += on;
        if (r->argmax != mirror) a->on_mirror_missed += on;
        a->entropy += r->entropy;
        a->entropy_norm += r->entropy / hmax;
    }
    s->sentences[n]++;
    return 0;
}

static void acc_add(s2s_attn_acc *to, const s2s_attn_acc *a)
{
    to->steps += a->steps;
    for (int b = 0; b < S2S_OFF_BINS; b++) to->offset[b] += a->offset[b];
    to->peak_on_first += a->peak_on_first;
    to->peak_on_eos += a->peak_on_eos;
    to->peak += a->peak;
    to->on_mirror += a->on_mirror;
    to->on_mirror_missed += a->on_mirror_missed;
    to->entropy += a->entropy;
    to->entropy_norm += a->entropy_norm;
}

void attn_stats_sum(const s2s_attn_stats *s, int words, int kind, s2s_attn_acc *out)
{
    memset(out, 0, sizeof *out);
    for (int n = 1; n <= S2S_MAX_SENTENCE_WORDS; n++) {
        if (words && n != words) continue;
        for (int k = 0; k < S2S_STEP_KINDS; k++)
            if (kind == S2S_STEPS_ALL || k == kind ||
                (kind == S2S_STEPS_WORDS && k != S2S_STEP_EOS))
                acc_add(out, &s->acc[n][k]);
    }
}

long attn_stats_sentences(const s2s_attn_stats *s, int words)
{
    if (words) return words > 0 && words <= S2S_MAX_SENTENCE_WORDS ? s->sentences[words] : 0;
    long total = 0;
    for (int n = 1; n <= S2S_MAX_SENTENCE_WORDS; n++) total += s->sentences[n];
    return total;
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

int attn_acc_mode_bin(const s2s_attn_acc *a)
{
    if (a->steps <= 0) return -1;
    int best = 0;
    for (int b = 1; b < S2S_OFF_BINS; b++)
        if (a->offset[b] > a->offset[best]) best = b;
    return best;
}
