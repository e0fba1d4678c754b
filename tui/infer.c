#include "infer.h"

#include <stdlib.h>
#include <string.h>

#include "train.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void reversal_free(s2s_reversal *r)
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

int infer_reverse(s2s_model *m, const s2s_vocab *v, const s2s_sentence *s, s2s_reversal *r,
                  s2s_error *err)
{
    memset(r, 0, sizeof *r);
    if (s->len < 1) return s2s_fail(err, S2S_ERR_ARG, "empty sentence");
    s2s_corpus one = {.count = 1, .s = (s2s_sentence *)s};
    s2s_dataset d = {0};
    s2s_decoded res;
    memset(&res, 0, sizeof res);
    int rc = dataset_encode(&d, &one, v, err);
    if (!rc) rc = decode_dataset(m, &d, 1, 1, &res, err);
    if (rc) goto done;

    const int S = d.src_len[0];
    r->n_src = S;
    r->n_words = res.out_len[0];
    r->steps = res.steps[0];
    r->stopped = res.stopped[0];
    r->src = calloc((size_t)S, sizeof *r->src);
    r->unknown = calloc((size_t)S, sizeof *r->unknown);
    r->out = calloc((size_t)r->steps, sizeof *r->out);
    r->copied = calloc((size_t)r->steps, sizeof *r->copied);
    r->attn = malloc(sizeof(float) * (size_t)r->steps * (size_t)S);
    if (!r->src || !r->unknown || !r->out || !r->copied || !r->attn) goto nomem;
    memcpy(r->attn, res.attn[0], sizeof(float) * (size_t)r->steps * (size_t)S);
    for (int i = 0; i < S; i++) {
        r->src[i] = dup_str(i < s->len ? s->w[i] : "<EOS>");
        if (!r->src[i]) goto nomem;
        r->unknown[i] = i < s->len && d.src[d.src_off[0] + i] == S2S_UNK;
    }
    /* Copy-through by attention. The training data never holds <UNK>, so
     * the model rarely writes it: an unknown source word is instead written
     * at the step that attends to it most strongly among the steps whose
     * attention peaks on it (each unknown word once), and a step that does
     * write <UNK> writes the word under its peak. */
    const int copy = model_config(m)->attention != S2S_ATTN_NONE;
    const int *ids = res.out + res.out_off[0];
    int *peak = malloc(sizeof(int) * (size_t)(r->steps > 0 ? r->steps : 1));
    if (!peak) goto nomem;
    for (int t = 0; t < r->steps; t++) {
        const float *a = r->attn + (size_t)t * S;
        int best = 0;
        for (int j = 1; j < S; j++)
            if (a[j] > a[best]) best = j;
        peak[t] = best;
    }
    for (int t = 0; t < r->steps; t++) {
        const char *w = t < r->n_words ? v->word[ids[t]] : "<EOS>";
        const int j = peak[t];
        int take = copy && t < r->n_words && j < s->len && ids[t] == S2S_UNK;
        if (copy && t < r->n_words && j < s->len && r->unknown[j]) {
            take = 1; /* unless another step holds this word more strongly */
            for (int u = 0; u < r->n_words; u++)
                if (u != t && peak[u] == j &&
                    (r->attn[(size_t)u * S + j] > r->attn[(size_t)t * S + j] ||
                     (r->attn[(size_t)u * S + j] == r->attn[(size_t)t * S + j] && u < t)))
                    take = ids[t] == S2S_UNK;
        }
        if (take) {
            w = s->w[j];
            r->copied[t] = 1;
        }
        r->out[t] = dup_str(w);
        if (!r->out[t]) {
            free(peak);
            goto nomem;
        }
    }
    free(peak);
    goto done;
nomem:
    rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory");
    reversal_free(r);
done:
    decoded_free(&res);
    dataset_free(&d);
    return rc;
}
