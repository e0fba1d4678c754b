/* decode.c — greedy decoding and beam search of a dataset and of one
 * sentence; see decode.h. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "train.h"

/* ------------------------------------------------------------ a dataset */

void decoded_free(s2s_decoded *r)
{
    if (!r) return;
    if (r->attn)
        for (int i = 0; i < r->count; i++) free(r->attn[i]);
    free(r->attn);
    free(r->out_off);
    free(r->out_len);
    free(r->out);
    free(r->stopped);
    free(r->correct);
    free(r->steps);
    memset(r, 0, sizeof *r);
}

/* Decodes d's sentences in the given order (NULL: as they are), results
 * stored at each sentence's own index; oracle: no <EOS> before n words
 * (order must then run longest first); until_eos: a batch stops once all
 * its sentences have written <EOS> (model_greedy_until_eos; the same
 * results, and no steps after <EOS>); beam > 1: beam search of that width
 * (model_beam), one sentence at a time (batch must be 1). */
static int decode_order(s2s_model *m, const s2s_dataset *d, int batch, int keep_attn, int oracle,
                        int until_eos, int beam, const int *order, s2s_decoded *r,
                        s2s_error *err)
{
    memset(r, 0, sizeof *r);
    if (batch < 1) return s2s_fail(err, S2S_ERR_ARG, "batch size must be positive");
    if (beam > 1 && batch != 1)
        return s2s_fail(err, S2S_ERR_ARG, "beam search decodes one sentence at a time");
    const int N = d->count;
    const size_t n1 = (size_t)(N > 0 ? N : 1);
    size_t cap_total = 0;
    for (int i = 0; i < N; i++) cap_total += (size_t)model_decode_cap(m, d->src_len[i]);
    r->count = N;
    r->out_off = calloc(n1, sizeof(int));
    r->out_len = calloc(n1, sizeof(int));
    r->out = calloc(cap_total + 1, sizeof(int));
    r->stopped = calloc(n1, sizeof(int));
    r->correct = calloc(n1, sizeof(int));
    r->steps = calloc(n1, sizeof(int));
    r->attn = keep_attn ? calloc(n1, sizeof(float *)) : NULL;
    r->prefix = model_src_prefix(m);
    const int pre = r->prefix;
    const int maxT = model_decode_cap(m, d->max_src); /* 2·words + 2 (+ out_extra) */
    s2s_batch b = {0};
    int *idx = malloc(sizeof(int) * (size_t)batch);
    int *tok = malloc(sizeof(int) * (size_t)batch * (size_t)maxT);
    float *att = malloc(sizeof(float) * (size_t)batch * (size_t)maxT * (size_t)(pre + d->max_src));
    int rc = 0;
    if (!r->out_off || !r->out_len || !r->out || !r->stopped || !r->correct || !r->steps ||
        (keep_attn && !r->attn) || !idx || !tok || !att)
        rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory decoding %d sentences", N);
    if (!rc) rc = batch_create(&b, batch, d->max_src, d->max_tgt, err);
    size_t used = 0;
    for (int i0 = 0; !rc && i0 < N; i0 += batch) {
        int n = N - i0 < batch ? N - i0 : batch;
        for (int k = 0; k < n; k++) idx[k] = order ? order[i0 + k] : i0 + k;
        rc = batch_fill(&b, d, idx, n, err);
        const int steps = model_decode_cap(m, b.S);
        if (!rc)
            rc = beam > 1    ? model_beam(m, &b, beam, steps, tok, att, NULL, err)
                 : oracle    ? model_greedy_oracle(m, &b, steps, tok, att, err)
                 : until_eos ? model_greedy_until_eos(m, &b, steps, tok, att, err)
                             : model_greedy(m, &b, steps, tok, att, err);
        for (int k = 0; !rc && k < n; k++) {
            const int i = idx[k], sl = d->src_len[i], cap = model_decode_cap(m, sl);
            const int *row = tok + (size_t)k * steps;
            int len = 0;
            while (len < cap && row[len] != S2S_EOS) len++;
            r->stopped[i] = len < cap;
            r->steps[i] = r->stopped[i] ? len + 1 : cap;
            r->out_off[i] = (int)used;
            r->out_len[i] = len;
            memcpy(r->out + used, row, sizeof(int) * (size_t)len);
            used += (size_t)len;
            /* Reference: target without <SOS> and <EOS>. */
            const int *ref = d->tgt + d->tgt_off[i] + 1;
            int ref_len = d->tgt_len[i] - 2;
            r->correct[i] = r->stopped[i] && len == ref_len &&
                            memcmp(row, ref, sizeof(int) * (size_t)len) == 0;
            r->n_correct += r->correct[i];
            if (keep_attn) {
                const int w = pre + sl, bw = pre + b.S; /* columns kept, columns returned */
                float *a = malloc(sizeof(float) * (size_t)r->steps[i] * (size_t)w);
                if (!a) {
                    rc = s2s_fail(err, S2S_ERR_NOMEM,
                                  "out of memory for the attention of sentence %d (%d x %d)",
                                  i + 1, r->steps[i], w);
                    break;
                }
                for (int t = 0; t < r->steps[i]; t++)
                    memcpy(a + (size_t)t * w, att + ((size_t)k * steps + t) * bw,
                           sizeof(float) * (size_t)w);
                r->attn[i] = a;
            }
        }
    }
    batch_free(&b);
    free(idx);
    free(tok);
    free(att);
    if (rc) decoded_free(r);
    return rc;
}

int decode_dataset(s2s_model *m, const s2s_dataset *d, int batch, int keep_attn,
                   s2s_decoded *r, s2s_error *err)
{
    /* On the CPU a batch stops once every sentence has written <EOS> (about
     * half the steps of the 2·words+2 cap); on a GPU that would wait for the
     * device at every step, so every step runs there. */
    const int until_eos = strcmp(model_backend(m)->name, "cuda") != 0;
    return decode_order(m, d, batch, keep_attn, 0, until_eos, 0, NULL, r, err);
}

int decode_dataset_beam(s2s_model *m, const s2s_dataset *d, int K, int keep_attn,
                        s2s_decoded *r, s2s_error *err)
{
    memset(r, 0, sizeof *r);
    if (K < 1) return s2s_fail(err, S2S_ERR_ARG, "beam width %d must be at least 1", K);
    /* K = 1 is greedy decoding: its own path, one sentence at a time as
     * decode_sentence (stopping at <EOS>). */
    return decode_order(m, d, 1, keep_attn, 0, K == 1, K, NULL, r, err);
}

int decode_dataset_oracle(s2s_model *m, const s2s_dataset *d, int batch, int keep_attn,
                          s2s_decoded *r, s2s_error *err)
{
    memset(r, 0, sizeof *r);
    int *order = malloc(sizeof(int) * (size_t)(d->count > 0 ? d->count : 1));
    if (!order)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the order of %d sentences",
                        d->count);
    for (int i = 0; i < d->count; i++) order[i] = i;
    batch_sort_by_length(order, d->count, d); /* longest first, as the oracle needs */
    int rc = decode_order(m, d, batch, keep_attn, 1, 0, 0, order, r, err);
    free(order);
    return rc;
}

/* ------------------------------------------------------------ one sentence */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void decoding_free(s2s_decoding *r)
{
    if (!r) return;
    for (int i = 0; r->src && i < r->n_src; i++) free(r->src[i]);
    for (int i = 0; r->out && i < r->steps; i++) free(r->out[i]);
    free(r->src);
    free(r->unknown);
    free(r->out);
    free(r->copied);
    free(r->attn);
    memset(r, 0, sizeof *r);
}

/* The 0-based position of row t's largest weight (the first on a tie). */
static int row_peak(const float *attn, int t, int n_src)
{
    const float *a = attn + (size_t)t * n_src;
    int best = 0;
    for (int j = 1; j < n_src; j++)
        if (a[j] > a[best]) best = j;
    return best;
}

/* Copy-through by attention. The training data never holds <UNK>, so the
 * model rarely writes it: an unknown source word is instead written at the
 * step that attends to it most strongly among the steps whose attention
 * peaks on it (each unknown word once), and a step that does write <UNK>
 * writes the word under its peak. */
void decode_copy_rule(const int *ids, int n_words, const float *attn, int steps, int prefix,
                      int n_src, const int *unknown, int *copy_from)
{
    for (int t = 0; t < steps; t++) {
        copy_from[t] = -1;
        if (t >= n_words) continue;
        const int j = row_peak(attn, t, n_src);
        if (j < prefix || j >= n_src - 1) continue; /* on the start marker or <EOS> */
        const float a_t = attn[(size_t)t * n_src + j];
        int take = ids[t] == S2S_UNK;
        if (unknown[j]) {
            take = 1; /* unless another step holds this word more strongly */
            for (int u = 0; u < n_words; u++) {
                if (u == t || row_peak(attn, u, n_src) != j) continue;
                const float a_u = attn[(size_t)u * n_src + j];
                if (a_u > a_t || (a_u == a_t && u < t)) take = ids[t] == S2S_UNK;
            }
        }
        if (take) copy_from[t] = j;
    }
}

/* Fills r's labels from a decoding of s: the source words, the output words
 * (copied ones from the source), <EOS>. */
static int label_decoding(s2s_decoding *r, const s2s_vocab *v, const s2s_sentence *s,
                          const int *ids, int copy, s2s_error *err)
{
    const int S = r->n_src, pre = r->prefix;
    for (int i = 0; i < S; i++) {
        r->src[i] = dup_str(i < pre ? "<SOS>" : i - pre < s->len ? s->w[i - pre] : "<EOS>");
        if (!r->src[i])
            return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the label of source word %d",
                            i + 1);
    }
    int *copy_from = malloc(sizeof(int) * (size_t)(r->steps > 0 ? r->steps : 1));
    if (!copy_from)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d decoder steps", r->steps);
    if (copy)
        decode_copy_rule(ids, r->n_words, r->attn, r->steps, pre, S, r->unknown, copy_from);
    else
        for (int t = 0; t < r->steps; t++) copy_from[t] = -1;
    int rc = 0;
    for (int t = 0; t < r->steps && !rc; t++) {
        const char *w = t < r->n_words ? v->word[ids[t]] : "<EOS>";
        if (copy_from[t] >= 0) {
            w = s->w[copy_from[t] - pre];
            r->copied[t] = 1;
        }
        r->out[t] = dup_str(w);
        if (!r->out[t])
            rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the label of output word %d",
                          t + 1);
    }
    free(copy_from);
    return rc;
}

/* decode_sentence (K = 1) and decode_sentence_beam. */
static int decode_one(s2s_model *m, const s2s_vocabs *v, const s2s_sentence *s, int K,
                      s2s_decoding *r, s2s_error *err)
{
    memset(r, 0, sizeof *r);
    if (K < 1) return s2s_fail(err, S2S_ERR_ARG, "beam width %d must be at least 1", K);
    if (s->len < 1) return s2s_fail(err, S2S_ERR_ARG, "empty sentence");
    s2s_corpus one = {.count = 1, .s = (s2s_sentence *)s};
    s2s_dataset d = {0};
    s2s_decoded res;
    memset(&res, 0, sizeof res);
    int rc = dataset_create(&d, &one, v, err);
    /* One sentence: no decoder steps after its <EOS>. */
    if (!rc) rc = decode_order(m, &d, 1, 1, 0, 1, K, NULL, &res, err);
    if (rc) goto done;

    r->prefix = res.prefix;
    const int S = res.prefix + d.src_len[0];
    r->n_src = S;
    r->n_words = res.out_len[0];
    r->steps = res.steps[0];
    r->stopped = res.stopped[0];
    r->src = calloc((size_t)S, sizeof *r->src);
    r->unknown = calloc((size_t)S, sizeof *r->unknown);
    r->out = calloc((size_t)r->steps, sizeof *r->out);
    r->copied = calloc((size_t)r->steps, sizeof *r->copied);
    r->attn = malloc(sizeof(float) * (size_t)r->steps * (size_t)S);
    if (!r->src || !r->unknown || !r->out || !r->copied || !r->attn) {
        rc = s2s_fail(err, S2S_ERR_NOMEM,
                      "out of memory for the decoding of a %d-word sentence (%d steps)", s->len,
                      r->steps);
        goto done;
    }
    memcpy(r->attn, res.attn[0], sizeof(float) * (size_t)r->steps * (size_t)S);
    for (int i = 0; i < s->len; i++)
        r->unknown[r->prefix + i] = d.src[d.src_off[0] + i] == S2S_UNK;
    rc = label_decoding(r, vocabs_tgt(v), s, res.out + res.out_off[0],
                        model_config(m)->attention != S2S_ATTN_NONE, err);
done:
    if (rc) decoding_free(r);
    decoded_free(&res);
    dataset_free(&d);
    return rc;
}

int decode_sentence(s2s_model *m, const s2s_vocabs *v, const s2s_sentence *s, s2s_decoding *r,
                    s2s_error *err)
{
    return decode_one(m, v, s, 1, r, err);
}

int decode_sentence_beam(s2s_model *m, const s2s_vocabs *v, const s2s_sentence *s, int K,
                         s2s_decoding *r, s2s_error *err)
{
    return decode_one(m, v, s, K, r, err);
}
