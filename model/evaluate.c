/* evaluate.c — exact match, token accuracy, where outputs go wrong; see evaluate.h. */
#include "evaluate.h"

#include <string.h>

int decoded_first_error(const int *out, int out_len, int stopped, const int *ref, int ref_len)
{
    const int n = out_len < ref_len ? out_len : ref_len;
    for (int t = 0; t < n; t++)
        if (out[t] != ref[t]) return t + 1;
    if (out_len != ref_len) return n + 1; /* <EOS> where a word belongs, or a word for <EOS> */
    return stopped ? 0 : ref_len + 1;
}

int decoded_first_error_words(const s2s_sentence *src, const s2s_sentence *ref,
                              const s2s_vocabs *vs, const int *out, int out_len, int stopped,
                              const float *attn, int steps, int prefix)
{
    const s2s_vocab *v = vocabs_tgt(vs);
    const int n = ref ? ref->len : src->len, n_src = prefix + src->len + 1;
    if (n < 0 || src->len > S2S_MAX_SENTENCE_WORDS || n > S2S_MAX_SENTENCE_WORDS || out_len < 0 || out_len > S2S_MAX_STEPS ||
        steps < 0 || steps > S2S_MAX_STEPS || prefix < 0 || prefix > S2S_MAX_PREFIX ||
        (attn && steps < out_len))
        return -1;
    for (int t = 0; t < out_len; t++)
        if (out[t] < 0 || out[t] >= v->size) return -1;
    int copy_from[S2S_MAX_STEPS];
    for (int t = 0; t < out_len; t++) copy_from[t] = -1;
    if (attn) {
        int unknown[S2S_MAX_PREFIX + S2S_MAX_SENTENCE_WORDS + 1] = {0};
        for (int i = 0; i < src->len; i++) unknown[prefix + i] = vocab_find(&vs->src, src->w[i]) < 0;
        decode_copy_rule(out, out_len, attn, steps, prefix, n_src, unknown, copy_from);
    }
    const int m = out_len < n ? out_len : n;
    for (int t = 0; t < m; t++) {
        const char *w = copy_from[t] >= 0 ? src->w[copy_from[t] - prefix] : v->word[out[t]];
        if (strcmp(w, ref ? ref->w[t] : src->w[n - 1 - t]) != 0) return t + 1;
    }
    if (out_len != n) return m + 1;
    return stopped ? 0 : n + 1;
}

void error_profile_add(s2s_error_profile *p, int first_error_step, int words, int out_len,
                       int stopped)
{
    p->wrong++;
    p->first_error[attn_step_kind(first_error_step, words)]++;
    if (first_error_step >= 1 && first_error_step <= S2S_MAX_STEPS)
        p->first_error_at[first_error_step]++;
    if (stopped && out_len >= 0 && out_len <= S2S_MAX_STEPS) p->out_len[out_len]++;
    if (!stopped || out_len > words)
        p->longer++;
    else if (out_len < words)
        p->shorter++;
    else
        p->same_len++;
}

void error_profile_merge(s2s_error_profile *p, const s2s_error_profile *q)
{
    p->wrong += q->wrong;
    for (int k = 0; k < S2S_STEP_KINDS; k++) p->first_error[k] += q->first_error[k];
    for (int i = 0; i <= S2S_MAX_STEPS; i++) {
        p->first_error_at[i] += q->first_error_at[i];
        p->out_len[i] += q->out_len[i];
    }
    p->shorter += q->shorter;
    p->same_len += q->same_len;
    p->longer += q->longer;
}

int hist_mode(const long *h, int n)
{
    int best = -1;
    for (int i = 0; i <= n; i++)
        if (h[i] > 0 && (best < 0 || h[i] > h[best])) best = i;
    return best;
}

int hist_max(const long *h, int n)
{
    for (int i = n; i >= 0; i--)
        if (h[i] > 0) return i;
    return -1;
}

void exact_by_length(const s2s_dataset *d, const int *is_correct, int max_words, long *count,
                     long *correct)
{
    for (int i = 0; i < d->count; i++) {
        const int w = d->src_len[i] - 1;
        if (w < 0 || w > max_words) continue;
        count[w]++;
        correct[w] += is_correct[i] != 0;
    }
}

void token_accuracy(const s2s_dataset *d, const s2s_decoded *res, long *ok, long *total)
{
    *ok = *total = 0;
    for (int i = 0; i < d->count; i++) {
        const int *ref = d->tgt + d->tgt_off[i] + 1, nref = d->tgt_len[i] - 1;
        const int *out = res->out + res->out_off[i], nw = res->out_len[i];
        for (int t = 0; t < nref; t++) {
            int tok = t < nw ? out[t] : (t == nw && res->stopped[i]) ? S2S_EOS : -1;
            *ok += tok == ref[t];
        }
        *total += nref;
    }
}
