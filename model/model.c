/* model.c — the GRU encoder–decoder with attention, written once over the
 * operations of backend.h.
 *
 * Shapes: V vocabulary, E embedding, H hidden, L layers, B sentences,
 * S source positions (words + <EOS>), T target positions (<SOS> … <EOS>),
 * D = T − 1 decoder steps. Every sequence buffer is time-major: (S, B, ·).
 *
 * Encoder, layer l, position t (rows with t ≥ len[b] carry h unchanged, so
 * enc_h[l] row S is each sentence's state at its last real token):
 *     h_l(t+1) = GRU(x_l(t), h_l(t)),  x_0 = dropout(emb(src)),
 *     x_l = dropout(h_{l−1}) for l ≥ 1,  h_l(0) = 0.
 * Decoder, step t (reads token y_t: <SOS>, then the truth or its own argmax):
 *     q   = top layer of the previous state s_L(t)
 *     α   = masked softmax_s score(q, enc_out_s),   c = Σ_s α_s enc_out_s
 *     s_0(t+1) = GRU([dropout(emb(y_t)); c], s_0(t)),  s_l(t+1) = GRU(dropout(s_{l−1}(t+1)), s_l(t))
 *     logits_t = fc(s_L(t+1)),  s_l(0) = encoder final state h_l(S).
 *
 * Work: a batch is split into shards (one per CPU thread; one on a GPU),
 * each with its own workspace and gradient buffer, summed at the end. Within
 * a shard, step t computes rows 0..n[t]−1 only, the sentences still running
 * (the training loop sorts batches by length, so those are exactly the live
 * ones): padding costs no recurrent matrix work.
 *
 * Beam search (model_beam) runs the same decoder_step over K rows of one
 * sentence, each row a hypothesis; between steps the rows are gathered by
 * the hypotheses that survive (be->embed_forward, a row gather, on both
 * backends), and the choice is made on the host from each step's logits.
 *
 * Layers come as forward/backward pairs with mirrored arguments
 * (linear_forward / linear_backward, gru_step_forward / gru_step_backward,
 * and per decoder step its embedding, attention and layer input), so
 * decoder_step_backward is decoder_step read bottom up and encoder_backward
 * is encoder_forward read bottom up.
 *
 * Accumulation rule: parameter gradients are accumulated (+=): a shard's
 * gradient buffer is zeroed once per batch, each weight gradient is one
 * product over all time steps after the recurrent loop (linear_backward
 * with dW, db); the embedding tables (a scatter) and Bahdanau's v add in
 * as they go.
 * Activation gradients are written once (WRITE) where a value has one
 * consumer and added into (ADD, be->add) where it has several:
 *   - decoder state s_l(t+1): the next step's recurrence (the carry d_h[l],
 *     which gru_step_backward turns into dL/d s_l(t) = the gates' direct
 *     path + d_gh W_hh) and layer l+1 (d_h[l] += that layer's input gradient);
 *     the top state also feeds the logits (d_h[L−1] += d_logits fc_W) and
 *     the next step's attention query (d_h[L−1] += d_q W_s, or d_q for Luong);
 *   - encoder output h_l(t+1): step t+1 (the carry) and the layer above or
 *     attention (d_h[l] += row t of d_out); the top layer's outputs are
 *     attention's values (d_enc_out += per decoder step) and, for Bahdanau,
 *     the keys' input (d_enc_out += d_keys W_h, at the start of
 *     encoder_backward).
 */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define MAX_LAYERS 8
#define MAX_SHARDS 8
#define MAX_TENSORS (4 + 8 * MAX_LAYERS)

/* Activations and their gradients for a batch of at most cap_B sentences,
 * cap_S source and cap_T target positions. */
typedef struct {
    int cap_B, cap_S, cap_T;
    int cap_E;        /* decoder steps whose attention energies are kept (T, or 1) */
    int keep_energy;  /* this batch keeps every step's energies (for backward) */
    int vec;          /* one sentence decoded: its one-row products are be->gemv's
                         matrix-vector products (no batch overheads), not be->gemm's */
    float *block; /* the one allocation everything below points into */
    float *grads; /* where this shard accumulates: the model's own buffer for
                     shard 0, a private one (owned) for the others */
    s2s_batch part; /* this shard's sentences when a batch is split (host) */
    s2s_batch marked; /* the shard's sentences with the start marker in front (host;
                         location attention only) */

    int *src, *src_len, *tgt; /* (S,B) (B) (T,B) */
    int *dec_len;             /* (B) decoder steps each sentence needs */
    /* Host side: sentences still running at each step. Row b of step t is
     * computed iff b < n[t] = 1 + max{b : len[b] > t}; when a batch is sorted
     * by length (the training loop sorts it) that is exactly the live rows,
     * so padding costs no matrix work. Finished rows carry their state. */
    int *enc_n, *dec_n, *dec_len_host;
    int *dec_in;              /* (D+1,B): token read at each step; row D = last argmax */

    /* encoder */
    float *enc_emb, *enc_emb_mask;           /* (S,B,E) */
    float *enc_x[MAX_LAYERS], *enc_x_mask[MAX_LAYERS]; /* layer l ≥ 1 input (S,B,H) */
    float *enc_gi[MAX_LAYERS], *enc_gh[MAX_LAYERS];    /* (S,B,3H) */
    float *enc_gates[MAX_LAYERS];                      /* (S,B,4H) */
    float *enc_h[MAX_LAYERS];                          /* (S+1,B,H), row 0 = zeros */
    float *keys;                                       /* (S,B,H) = W_h enc_out */
    float *keys_t, *d_keys_t; /* (S,B,H) location: this step's keys + location term, its gradient */
    float *d_alpha;           /* (B,S) location: gradient of the alignment from the next step */
    float *alpha0;            /* (B,S) location: the alignment before step 0 (on <EOS>) */
    float *alpha0_host;       /* host copy of alpha0 */
    int *oracle_n;            /* host (T): rows that may not stop yet (oracle decoding) */
    int stop_at_eos;          /* greedy: stop once every row has written <EOS> */
    int steps_run;            /* greedy: decoder steps taken (≤ D when stop_at_eos) */
    int *eos_host;            /* host (2B): rows done, then one step's tokens read back */
    int *beam_rows;           /* (B) beam search: each new row's parent row */
    float *beam_tmp;          /* (B,max(H,S)) beam search: rows before they are reordered */

    /* decoder */
    float *dec_emb, *dec_x0, *dec_emb_mask;            /* (D,B,E) */
    float *query, *context;                            /* (D,B,H) */
    float *alpha;                                      /* (D,B,S) */
    float *energy;                                     /* (D,S,B,H) */
    float *dec_x[MAX_LAYERS], *dec_x_mask[MAX_LAYERS]; /* (D,B,H) */
    float *dec_gi[MAX_LAYERS], *dec_gh[MAX_LAYERS];    /* (D,B,3H) */
    float *dec_gates[MAX_LAYERS];                      /* (D,B,4H) */
    float *dec_h[MAX_LAYERS];                          /* (D+1,B,H), row 0 = encoder final */
    float *logits, *d_logits;                          /* (D,B,V) */
    float *scalars;                                    /* [0] loss sum, [1] grad norm */

    /* gradients of activations */
    float *d_h[MAX_LAYERS];       /* (B,H) carry: dL/d state of layer l at the current step */
    float *d_hprev;               /* (B,H) scratch */
    float *d_x;                   /* (B,H) scratch: input gradient of a layer ≥ 1 */
    float *d_dec_x0;              /* (D,B,E) gradient of the decoder's embedding input */
    float *d_context;             /* (B,H) */
    float *d_query;               /* (D,B,H) */
    float *d_keys, *d_enc_out;    /* (S,B,H) */
    float *d_dec_gi[MAX_LAYERS], *d_dec_gh[MAX_LAYERS]; /* (D,B,3H) */
    float *d_enc_gi, *d_enc_gh;   /* (S,B,3H), reused layer by layer */
    float *d_enc_in;              /* (S,B,max(E,H)) gradient of a layer's input */
    /* be->pack_rows: the live rows of an all-steps product's two operands,
     * copied together (live_rows); (max(S,T)·B, max(3H,V)) and (·, max(E,H)) */
    float *pack_dy, *pack_x;
} workspace;

struct s2s_model {
    s2s_config cfg;
    s2s_backend *be;
    int ntensors;
    s2s_tensor_info tensor[MAX_TENSORS];
    size_t nparams;
    float *params, *grads, *adam_m, *adam_v; /* backend memory, nparams floats each */
    int adam_t;

    /* offsets (in floats) of the named tensors */
    size_t enc_emb, dec_emb, att_Wh, att_Ws, att_v, att_U, att_b, fc_w, fc_b;
    float *no_eos;            /* (V) backend: −1e30 at <EOS>, else 0 (oracle decoding) */
    float *word_gi0;          /* (V,3H) backend: emb(v) W_ih[:, :E]ᵀ of decoder layer 0 for
                                 each target word, for one-sentence decoding (emb_table) */
    int word_gi0_fresh;       /* word_gi0 matches the parameters */
    float *params_t;          /* be->few_rows > 0: nparams floats of backend memory; at each
                                 weight's offset its transpose, Wᵀ (in, out), for the products
                                 of few rows (linear_forward); NULL otherwise */
    int params_t_fresh;       /* params_t matches the parameters */
    size_t enc_wih[MAX_LAYERS], enc_whh[MAX_LAYERS], enc_bih[MAX_LAYERS], enc_bhh[MAX_LAYERS];
    size_t dec_wih[MAX_LAYERS], dec_whh[MAX_LAYERS], dec_bih[MAX_LAYERS], dec_bhh[MAX_LAYERS];

    int nshards;              /* batches split into this many parts, one thread each */
    workspace ws[MAX_SHARDS]; /* one per shard */
};

/* ------------------------------------------------------------ configuration */

const char *attention_name(int kind)
{
    switch (kind) {
    case S2S_ATTN_BAHDANAU: return "bahdanau";
    case S2S_ATTN_LUONG: return "luong";
    case S2S_ATTN_NONE: return "none";
    case S2S_ATTN_LOCATION: return "location";
    default: return "?";
    }
}

int attention_parse(const char *s)
{
    for (int k = 0; k <= S2S_ATTN_LOCATION; k++)
        if (strcmp(s, attention_name(k)) == 0) return k;
    return -1;
}

int model_decode_cap(const s2s_model *m, int src_tokens)
{
    return 2 * src_tokens + m->cfg.out_extra;
}

void model_set_out_extra(s2s_model *m, int out_extra)
{
    m->cfg.out_extra = out_extra < 0                        ? 0
                       : out_extra > S2S_MAX_SENTENCE_WORDS ? S2S_MAX_SENTENCE_WORDS
                                                            : out_extra;
}

int config_validate(const s2s_config *c, s2s_error *err)
{
    if (c->src_vocab < S2S_NUM_SPECIAL + 1 || c->src_vocab > 1000000)
        return s2s_fail(err, S2S_ERR_ARG,
                        "source vocabulary size %d is out of range (5..1000000)", c->src_vocab);
    if (c->tgt_vocab < S2S_NUM_SPECIAL + 1 || c->tgt_vocab > 1000000)
        return s2s_fail(err, S2S_ERR_ARG,
                        "target vocabulary size %d is out of range (5..1000000)", c->tgt_vocab);
    if (c->embed < 1 || c->embed > 4096)
        return s2s_fail(err, S2S_ERR_ARG, "embedding size %d is out of range (1..4096)", c->embed);
    if (c->hidden < 1 || c->hidden > 4096)
        return s2s_fail(err, S2S_ERR_ARG, "hidden size %d is out of range (1..4096)", c->hidden);
    if (c->out_extra < 0 || c->out_extra > S2S_MAX_SENTENCE_WORDS)
        return s2s_fail(err, S2S_ERR_ARG, "out_extra %d is out of range (0..%d)", c->out_extra,
                        S2S_MAX_SENTENCE_WORDS);
    if (c->layers < 1 || c->layers > MAX_LAYERS)
        return s2s_fail(err, S2S_ERR_ARG, "layer count %d is out of range (1..%d)", c->layers,
                        MAX_LAYERS);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return s2s_fail(err, S2S_ERR_ARG, "dropout %g is out of range [0, 1)", (double)c->dropout);
    if (c->attention < 0 || c->attention > S2S_ATTN_LOCATION)
        return s2s_fail(err, S2S_ERR_ARG, "unknown attention kind %d", c->attention);
    return 0;
}

/* ------------------------------------------------------------ parameter table */

static size_t add_tensor(s2s_model *m, const char *name, int d0, int d1)
{
    s2s_tensor_info *t = &m->tensor[m->ntensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = d1 > 0 ? 2 : 1;
    t->dims[0] = d0;
    t->dims[1] = d1 > 0 ? d1 : 0;
    t->numel = (size_t)d0 * (size_t)(d1 > 0 ? d1 : 1);
    t->offset = m->nparams;
    m->nparams += t->numel;
    return t->offset;
}

static void add_gru(s2s_model *m, const char *prefix, int in0, size_t *wih, size_t *whh,
                    size_t *bih, size_t *bhh)
{
    const int H = m->cfg.hidden, L = m->cfg.layers;
    char name[64];
    for (int l = 0; l < L; l++) {
        snprintf(name, sizeof name, "%s.weight_ih_l%d", prefix, l);
        wih[l] = add_tensor(m, name, 3 * H, l == 0 ? in0 : H);
        snprintf(name, sizeof name, "%s.weight_hh_l%d", prefix, l);
        whh[l] = add_tensor(m, name, 3 * H, H);
        snprintf(name, sizeof name, "%s.bias_ih_l%d", prefix, l);
        bih[l] = add_tensor(m, name, 3 * H, 0);
        snprintf(name, sizeof name, "%s.bias_hh_l%d", prefix, l);
        bhh[l] = add_tensor(m, name, 3 * H, 0);
    }
}

/* Bahdanau's additive score: bahdanau, and location, which adds its
 * location term inside the same tanh. */
static int additive(const s2s_config *c)
{
    return c->attention == S2S_ATTN_BAHDANAU || c->attention == S2S_ATTN_LOCATION;
}

/* Decoder layer 0 reads [embedding; context], or the embedding alone. */
static int dec_in0(const s2s_config *c)
{
    return c->embed + (c->attention == S2S_ATTN_NONE ? 0 : c->hidden);
}

int model_create(s2s_model **out, const s2s_config *cfg, s2s_backend *be, s2s_error *err)
{
    *out = NULL;
    int rc = config_validate(cfg, err);
    if (rc) return rc;
    s2s_model *m = calloc(1, sizeof *m);
    if (!m)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the model's host state (%s)",
                        S2S_SIZE(sizeof *m));
    m->cfg = *cfg;
    m->be = be;
    m->nshards = be->shards < 1 ? 1 : be->shards > MAX_SHARDS ? MAX_SHARDS : be->shards;
    const int Vs = cfg->src_vocab, V = cfg->tgt_vocab, E = cfg->embed, H = cfg->hidden;

    /* The seed's state_dict order. */
    m->enc_emb = add_tensor(m, "encoder.embedding.weight", Vs, E);
    add_gru(m, "encoder.gru", E, m->enc_wih, m->enc_whh, m->enc_bih, m->enc_bhh);
    m->dec_emb = add_tensor(m, "decoder.embedding.weight", V, E);
    if (additive(cfg)) {
        m->att_Wh = add_tensor(m, "decoder.attention.W_h.weight", H, H);
        m->att_Ws = add_tensor(m, "decoder.attention.W_s.weight", H, H);
        m->att_v = add_tensor(m, "decoder.attention.v.weight", 1, H);
    }
    if (cfg->attention == S2S_ATTN_LOCATION) {
        /* PyTorch's Conv1d(1, H, K, padding=K/2) weight (H, 1, K), stored as (H, K). */
        m->att_U = add_tensor(m, "decoder.attention.loc_conv.weight", H, S2S_LOC_K);
        m->att_b = add_tensor(m, "decoder.attention.loc_conv.bias", H, 0);
    }
    add_gru(m, "decoder.gru", dec_in0(cfg), m->dec_wih, m->dec_whh, m->dec_bih, m->dec_bhh);
    m->fc_w = add_tensor(m, "decoder.fc.weight", V, H);
    m->fc_b = add_tensor(m, "decoder.fc.bias", V, 0);

    size_t bytes = m->nparams * sizeof(float);
    m->params = be->alloc(be, bytes);
    m->grads = be->alloc(be, bytes);
    m->adam_m = be->alloc(be, bytes);
    m->adam_v = be->alloc(be, bytes);
    if (!m->params || !m->grads || !m->adam_m || !m->adam_v) {
        const size_t np = m->nparams;
        model_free(m);
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of %s memory for the parameters, their gradients and Adam's two "
                        "moments (4 x %zu floats: %s)",
                        be->name, np, S2S_SIZE(4 * bytes));
    }
    *out = m;
    return 0;
}

void model_free(s2s_model *m)
{
    if (!m) return;
    s2s_backend *be = m->be;
    for (int k = 0; k < MAX_SHARDS; k++) {
        workspace *w = &m->ws[k];
        be->free(be, w->block);
        free(w->enc_n);
        free(w->dec_n);
        free(w->dec_len_host);
        free(w->alpha0_host);
        free(w->oracle_n);
        free(w->eos_host);
        if (k > 0) be->free(be, w->grads);
        batch_free(&w->part);
        batch_free(&w->marked);
    }
    be->free(be, m->no_eos);
    be->free(be, m->word_gi0);
    be->free(be, m->params_t);
    be->free(be, m->params);
    be->free(be, m->grads);
    be->free(be, m->adam_m);
    be->free(be, m->adam_v);
    free(m);
}

const s2s_config *model_config(const s2s_model *m) { return &m->cfg; }
int model_src_prefix(const s2s_model *m) { return m->cfg.attention == S2S_ATTN_LOCATION; }
s2s_backend *model_backend(const s2s_model *m) { return m->be; }
size_t model_num_params(const s2s_model *m) { return m->nparams; }
int model_num_tensors(const s2s_model *m) { return m->ntensors; }
int model_adam_steps(const s2s_model *m) { return m->adam_t; }

const s2s_tensor_info *model_tensor(const s2s_model *m, int i)
{
    return i >= 0 && i < m->ntensors ? &m->tensor[i] : NULL;
}

int model_find_tensor(const s2s_model *m, const char *name)
{
    for (int i = 0; i < m->ntensors; i++)
        if (strcmp(m->tensor[i].name, name) == 0) return i;
    return -1;
}

/* ------------------------------------------------------------ initialisation */

int model_init_params(s2s_model *m, uint64_t seed, s2s_error *err)
{
    float *host = malloc(m->nparams * sizeof(float));
    if (!host)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for the initial parameters (%zu floats: %s)", m->nparams,
                        S2S_SIZE(m->nparams * sizeof(float)));
    s2s_rng rng;
    rng_seed(&rng, seed);
    const int E = m->cfg.embed;
    const float gru_bound = 1.0f / sqrtf((float)m->cfg.hidden);
    for (int i = 0; i < m->ntensors; i++) {
        const s2s_tensor_info *t = &m->tensor[i];
        float *p = host + t->offset;
        if (strstr(t->name, "embedding")) {
            for (size_t k = 0; k < t->numel; k++) p[k] = rng_normal(&rng);
            memset(p, 0, sizeof(float) * (size_t)E); /* padding_idx = 0 */
        } else {
            /* GRU: U(±1/√H); Linear weight and bias: U(±1/√fan_in), and every
             * Linear here (W_h, W_s, v, fc) has fan_in = H. */
            float bound = gru_bound;
            /* The location convolution: fan_in = its K taps. */
            if (strstr(t->name, "loc_conv")) bound = 1.0f / sqrtf((float)S2S_LOC_K);
            for (size_t k = 0; k < t->numel; k++)
                p[k] = (2.0f * rng_uniform(&rng) - 1.0f) * bound;
        }
    }
    int rc = model_set_params(m, host, err);
    free(host);
    return rc;
}

int model_set_params(s2s_model *m, const float *host, s2s_error *err)
{
    s2s_backend *be = m->be;
    size_t bytes = m->nparams * sizeof(float);
    be->upload(be, m->params, host, bytes);
    m->word_gi0_fresh = 0;
    m->params_t_fresh = 0;
    be->zero(be, m->adam_m, bytes);
    be->zero(be, m->adam_v, bytes);
    m->adam_t = 0;
    return be->sync(be, err);
}

int model_get_params(s2s_model *m, float *host, s2s_error *err)
{
    m->be->download(m->be, host, m->params, m->nparams * sizeof(float));
    return m->be->sync(m->be, err);
}

int model_get_grads(s2s_model *m, float *host, s2s_error *err)
{
    m->be->download(m->be, host, m->grads, m->nparams * sizeof(float));
    return m->be->sync(m->be, err);
}

/* ------------------------------------------------------------ workspace */

/* Carves every workspace buffer out of one block: first pass counts (base ==
 * NULL), second pass assigns. */
static size_t ws_layout(workspace *w, float *base, const s2s_config *c, int B, int S, int T,
                        int E_steps, int pack)
{
    const int E = c->embed, H = c->hidden, V = c->tgt_vocab, L = c->layers;
    const int D = T; /* room for up to T decoder steps (greedy decoding uses D = T) */
    const int EH = E > H ? E : H;
    size_t off = 0;
#define CARVE(ptr, n)                                                                      \
    do {                                                                                   \
        size_t n_ = (size_t)(n);                                                           \
        if (base) (ptr) = (void *)(base + off);                                            \
        off += (n_ + 15) & ~(size_t)15; /* keep every buffer 64-byte aligned */            \
    } while (0)
    CARVE(w->src, S * B);
    CARVE(w->src_len, B);
    CARVE(w->dec_len, B);
    CARVE(w->tgt, T * B);
    CARVE(w->dec_in, (D + 1) * B);
    CARVE(w->enc_emb, S * B * E);
    CARVE(w->enc_emb_mask, S * B * E);
    for (int l = 0; l < L; l++) {
        if (l > 0) {
            CARVE(w->enc_x[l], S * B * H);
            CARVE(w->enc_x_mask[l], S * B * H);
            CARVE(w->dec_x[l], D * B * H);
            CARVE(w->dec_x_mask[l], D * B * H);
        }
        CARVE(w->enc_gi[l], S * B * 3 * H);
        CARVE(w->enc_gh[l], S * B * 3 * H);
        CARVE(w->enc_gates[l], S * B * 4 * H);
        CARVE(w->enc_h[l], (S + 1) * B * H);
        CARVE(w->dec_gi[l], D * B * 3 * H);
        CARVE(w->dec_gh[l], D * B * 3 * H);
        CARVE(w->dec_gates[l], D * B * 4 * H);
        CARVE(w->dec_h[l], (D + 1) * B * H);
        CARVE(w->d_h[l], B * H);
        CARVE(w->d_dec_gi[l], D * B * 3 * H);
        CARVE(w->d_dec_gh[l], D * B * 3 * H);
    }
    CARVE(w->keys, S * B * H);
    if (c->attention == S2S_ATTN_LOCATION) {
        CARVE(w->keys_t, S * B * H);
        CARVE(w->d_keys_t, S * B * H);
        CARVE(w->alpha0, B * S);
        CARVE(w->d_alpha, B * S);
    }
    CARVE(w->dec_emb, D * B * E);
    CARVE(w->dec_x0, D * B * E);
    CARVE(w->dec_emb_mask, D * B * E);
    CARVE(w->query, D * B * H);
    CARVE(w->context, D * B * H);
    CARVE(w->alpha, D * B * S);
    /* Decoding without backward keeps one step's energies, not all of them:
     * memory then grows with S·T only through alpha, not S·T·H. */
    CARVE(w->energy, (size_t)E_steps * S * B * H);
    CARVE(w->logits, D * B * V);
    CARVE(w->d_logits, D * B * V);
    CARVE(w->scalars, 2);
    CARVE(w->d_hprev, B * H);
    CARVE(w->d_x, B * H);
    CARVE(w->d_dec_x0, D * B * E);
    CARVE(w->d_context, B * H);
    CARVE(w->d_query, D * B * H);
    CARVE(w->d_keys, S * B * H);
    CARVE(w->d_enc_out, S * B * H);
    CARVE(w->d_enc_gi, S * B * 3 * H);
    CARVE(w->d_enc_gh, S * B * 3 * H);
    CARVE(w->d_enc_in, S * B * EH);
    /* Last, so the buffers above keep their offsets whatever beam search adds. */
    CARVE(w->beam_rows, B);
    CARVE(w->beam_tmp, B * (H > S ? H : S));
    const int steps = S > T ? S : T, dy_w = 3 * H > V ? 3 * H : V;
    CARVE(w->pack_dy, pack ? (size_t)steps * B * dy_w : 0);
    CARVE(w->pack_x, pack ? (size_t)steps * B * EH : 0);
#undef CARVE
    return off;
}

/* Makes sure the workspace holds a batch of B × S × T; grows (never
 * shrinks) so a steady training loop allocates nothing. */
static int ws_ensure(s2s_model *m, workspace *w, int B, int S, int T, int E_steps,
                     s2s_error *err)
{
    if (w->block && B <= w->cap_B && S <= w->cap_S && T <= w->cap_T && E_steps <= w->cap_E)
        return 0;
    int nE = E_steps > w->cap_E ? E_steps : w->cap_E;
    int nB = B > w->cap_B ? B : w->cap_B;
    int nS = S > w->cap_S ? S : w->cap_S;
    int nT = T > w->cap_T ? T : w->cap_T;
    m->be->free(m->be, w->block);
    free(w->enc_n);
    free(w->dec_n);
    free(w->dec_len_host);
    free(w->alpha0_host);
    free(w->oracle_n);
    free(w->eos_host);
    w->block = NULL;
    w->enc_n = w->dec_n = w->dec_len_host = w->oracle_n = w->eos_host = NULL;
    w->alpha0_host = NULL;
    if (nE > nT) nE = nT;
    size_t n = ws_layout(w, NULL, &m->cfg, nB, nS, nT, nE, m->be->pack_rows);
    float *block = m->be->alloc(m->be, n * sizeof(float));
    if (!block)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of %s memory for the workspace of shard %d (B=%d, S=%d, T=%d: %s)",
                        m->be->name, (int)(w - m->ws), nB, nS, nT, S2S_SIZE(n * sizeof(float)));
    ws_layout(w, block, &m->cfg, nB, nS, nT, nE, m->be->pack_rows);
    w->block = block;
    w->enc_n = malloc(sizeof(int) * (size_t)nS);
    w->dec_n = malloc(sizeof(int) * (size_t)nT);
    w->dec_len_host = malloc(sizeof(int) * (size_t)nB);
    w->oracle_n = malloc(sizeof(int) * (size_t)nT);
    w->alpha0_host = malloc(sizeof(float) * (size_t)nB * nS);
    w->eos_host = malloc(sizeof(int) * 2 * (size_t)nB);
    if (!w->enc_n || !w->dec_n || !w->dec_len_host || !w->oracle_n || !w->alpha0_host ||
        !w->eos_host)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for the live-row counts of shard %d (S + 2T + 3B + BS = %d "
                        "values)",
                        (int)(w - m->ws), nS + 2 * nT + 3 * nB + nB * nS);
    w->cap_B = nB;
    w->cap_S = nS;
    w->cap_T = nT;
    w->cap_E = nE;
    return 0;
}

/* Per-site dropout streams: every mask is a pure function of (seed, site, step). */
static uint64_t drop_seed(uint64_t seed, int site, int step)
{
    return rng_mix64(seed, (uint64_t)site * 100003u + (uint64_t)step);
}

enum { SITE_ENC_EMB = 1, SITE_DEC_EMB = 2, SITE_ENC_LAYER = 10, SITE_DEC_LAYER = 30 };

/* ------------------------------------------------------------ layers: forward/backward pairs */

#define P(off) (m->params + (off))
/* Wᵀ of the weight at off, from its row `from` on (a column block of W),
 * or NULL where the backend keeps none (or it is stale: then the product
 * reads W, as on a GPU). */
static const float *weight_t(const s2s_model *m, size_t off, size_t from)
{
    return m->params_t && m->params_t_fresh ? m->params_t + off + from : NULL;
}
#define PT(off) weight_t(m, off, 0)
#define G(off) (w->grads + (off))

/* How a product meets its output: WRITE overwrites it, ADD adds to it (for
 * an activation gradient with more than one consumer, see the top). */
enum { WRITE = 0, ADD = 1 };
/* Decoding one sentence (w->vec), products of up to this many rows (the
 * encoder's all-steps input projections of a short sentence) run as
 * matrix-vector products: OpenBLAS would pack W for each of them. */
enum { VEC_ROWS = 64 };

/* Linear layer, y(rows, out) = x(rows, in) Wᵀ + b (ADD: y += x Wᵀ).
 * W is (out, in) with its rows ldw floats apart: ldw = in, or wider when W is
 * a column block of a larger matrix (decoder layer 0 reads [emb; ctx]
 * through two blocks of W_ih, so no concatenation). WT, when not NULL, is
 * the same block of Wᵀ: (in, out), rows out floats apart; products of up to
 * be->few_rows rows read it. b (out) may be NULL. */
static void linear_forward(s2s_backend *be, int vec, float *y, const float *x, const float *W,
                           const float *WT, const float *b, int rows, int in, int out, int ldw,
                           int mode)
{
    if (vec && rows <= VEC_ROWS)
        for (int r = 0; r < rows; r++) /* each row's W from cache, no packing */
            be->gemv(be, y + (size_t)r * out, W, ldw, x + (size_t)r * in, out, in, mode == ADD);
    else if (WT && rows <= be->few_rows)
        be->gemm(be, 0, 0, rows, out, in, 1.0f, x, in, WT, out, mode == ADD ? 1.0f : 0.0f, y,
                 out);
    else
        be->gemm(be, 0, 1, rows, out, in, 1.0f, x, in, W, ldw, mode == ADD ? 1.0f : 0.0f, y,
                 out);
    if (b) be->add_bias(be, y, b, rows, out);
}

/* Backward of linear_forward; each gradient is optional (NULL skips it):
 *   dx(rows, in) = dy W          (mode ADD: dx += dy W)
 *   dW(out, in) += dyᵀ x         (rows ldw apart, as W)
 *   db(out)     += Σ_rows dy
 * The model asks for dx once per step and for dW, db once over all steps. */
static void linear_backward(s2s_backend *be, float *dx, float *dW, float *db, const float *dy,
                            const float *x, const float *W, int rows, int in, int out, int ldw,
                            int mode)
{
    if (dx)
        be->gemm(be, 0, 0, rows, in, out, 1.0f, dy, out, W, ldw, mode == ADD ? 1.0f : 0.0f, dx,
                 in);
    if (dW) be->gemm(be, 1, 0, out, in, rows, 1.0f, dy, out, x, in, 1.0f, dW, ldw);
    if (db) be->bias_grad(be, db, dy, rows, out);
}

/* One step of a GRU layer (PyTorch's nn.GRU, gate order r, z, n), given
 * gi = x W_ihᵀ for this step:
 *   gh = h(t) W_hhᵀ                           (first n rows: the live ones)
 *   r  = σ(gi_r + b_ir + gh_r + b_hr),  z = σ(gi_z + b_iz + gh_z + b_hz)
 *   n  = tanh(gi_n + b_in + r ⊙ (gh_n + b_hn))
 *   h(t+1) = (1 − z) ⊙ n + z ⊙ h(t)           (rows with t ≥ len[b] keep h(t))
 * h points at row t of a (·, B, H) state array; row t+1 is written. The
 * biases are added inside be->gru_forward (b_ih NULL: already in gi). */
static void gru_step_forward(s2s_backend *be, int vec, float *h, float *gates, float *gh,
                             const float *gi, const float *W_hh, const float *W_hh_t,
                             const float *b_ih, const float *b_hh, const int *len, int t, int n,
                             int B, int H)
{
    linear_forward(be, vec, gh, h, W_hh, W_hh_t, NULL, n, H, 3 * H, H, WRITE);
    be->gru_forward(be, h + (size_t)B * H, gates, gi, gh, b_ih, b_hh, h, len, t, B, H);
}

/* Backward of gru_step_forward. The carry *dh enters as dL/dh(t+1) and
 * leaves as dL/dh(t) through this layer's recurrence (the gates' direct
 * path plus d_gh W_hh); *spare is scratch, swapped with *dh. Writes d_gi
 * and d_gh for all B rows (finished rows get zeros, which the all-steps
 * weight gradients rely on); dW_hh, db_hh and the input's gradient are the
 * caller's (linear_backward). */
static void gru_step_backward(s2s_backend *be, float *d_gi, float *d_gh, float **dh,
                              float **spare, const float *gates, const float *h,
                              const float *W_hh, const int *len, int t, int n, int B, int H)
{
    be->gru_backward(be, d_gi, d_gh, *spare, *dh, gates, h, len, t, B, H);
    linear_backward(be, *spare, NULL, NULL, d_gh, NULL, W_hh, n, H, 3 * H, H, ADD);
    float *tmp = *dh;
    *dh = *spare;
    *spare = tmp;
}

/* ------------------------------------------------------------ forward */

/* Where layer l of the encoder reads its input (S,B,in): the (dropped-out)
 * embeddings, or the layer below's outputs, dropped out when training. */
static const float *enc_layer_input(const s2s_model *m, const workspace *w, int l, int B,
                                    int train)
{
    if (l == 0) return w->enc_emb; /* dropout, if any, was applied in place */
    if (train && m->cfg.dropout > 0.0f) return w->enc_x[l];
    return w->enc_h[l - 1] + (size_t)B * m->cfg.hidden;
}

/* Encoder over the batch's sources: fills enc_h[l] (rows 1..S are the
 * outputs) and, for Bahdanau, keys = enc_out W_hᵀ. */
static void encoder_forward(s2s_model *m, workspace *w, int B, int S, int train, uint64_t seed)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed, H = m->cfg.hidden, L = m->cfg.layers;
    const float p = m->cfg.dropout;
    const int drop = train && p > 0.0f;
    const size_t BH = (size_t)B * H;

    /* x_0 = dropout(emb(src)) */
    be->embed_forward(be, w->enc_emb, P(m->enc_emb), w->src, S * B, E);
    if (drop)
        be->dropout_forward(be, w->enc_emb, w->enc_emb_mask, w->enc_emb, (size_t)S * B * E, p,
                            drop_seed(seed, SITE_ENC_EMB, 0));
    for (int l = 0; l < L; l++) {
        const int in = l == 0 ? E : H;
        /* x_l = dropout(h_{l−1}) for l ≥ 1 */
        if (l > 0 && drop)
            be->dropout_forward(be, w->enc_x[l], w->enc_x_mask[l], w->enc_h[l - 1] + BH,
                                (size_t)S * BH, p, drop_seed(seed, SITE_ENC_LAYER + l - 1, 0));
        /* All S input projections in one GEMM: they do not depend on h. */
        linear_forward(be, w->vec, w->enc_gi[l], enc_layer_input(m, w, l, B, train),
                       P(m->enc_wih[l]), PT(m->enc_wih[l]), P(m->enc_bih[l]), S * B, in, 3 * H,
                       in, WRITE);
        /* h_l(t+1) = GRU(x_l(t), h_l(t)),  h_l(0) = 0 */
        be->zero(be, w->enc_h[l], sizeof(float) * BH);
        for (int t = 0; t < S; t++)
            gru_step_forward(be, w->vec, w->enc_h[l] + (size_t)t * BH,
                             w->enc_gates[l] + (size_t)t * B * 4 * H,
                             w->enc_gh[l] + (size_t)t * B * 3 * H,
                             w->enc_gi[l] + (size_t)t * B * 3 * H, P(m->enc_whh[l]),
                             PT(m->enc_whh[l]), NULL,
                             P(m->enc_bhh[l]), w->src_len, t, w->enc_n[t], B, H);
    }
    if (additive(&m->cfg)) {
        /* keys = W_h h_i once per sentence, not once per decoder step. */
        const float *enc_out = w->enc_h[L - 1] + BH;
        linear_forward(be, w->vec, w->keys, enc_out, P(m->att_Wh), PT(m->att_Wh), NULL, S * B, H,
                       H, H, WRITE);
    }
}

/* Where layer l ≥ 1 of the decoder reads its input at step t. */
static const float *dec_layer_input(const s2s_model *m, const workspace *w, int l, int t, int B,
                                    int train)
{
    const int H = m->cfg.hidden;
    if (train && m->cfg.dropout > 0.0f) return w->dec_x[l] + (size_t)t * B * H;
    return w->dec_h[l - 1] + (size_t)(t + 1) * B * H;
}

/* Decoder embedding at step t: x0 = dropout(emb(y_t)), first n rows.
 * Returns x0 (dec_emb's row t, or dec_x0's when training with dropout). */
static const float *dec_embedding_forward(s2s_model *m, workspace *w, int t, int n, int B,
                                          int train, uint64_t seed)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed;
    const float p = m->cfg.dropout;
    float *emb = w->dec_emb + (size_t)t * B * E;
    be->embed_forward(be, emb, P(m->dec_emb), w->dec_in + (size_t)t * B, n, E);
    if (!(train && p > 0.0f)) return emb;
    float *x0 = w->dec_x0 + (size_t)t * B * E;
    be->dropout_forward(be, x0, w->dec_emb_mask + (size_t)t * B * E, emb, (size_t)n * E, p,
                        drop_seed(seed, SITE_DEC_EMB, t));
    return x0;
}

/* The alignment before step t: the previous step's, or before step 0 the
 * one-hot on each sentence's source <EOS> (location attention). */
static const float *prev_alpha(const workspace *w, int t, int B, int S)
{
    return t == 0 ? w->alpha0 : w->alpha + (size_t)(t - 1) * B * S;
}

/* Attention at step t, query = top layer of the previous state s_L(t):
 *   Bahdanau: q = s_L(t) W_sᵀ,  score_i = vᵀ tanh(keys_i + q)
 *   Location: score_i = vᵀ tanh(keys_i + q + f_i + b),  f_i = Σ_k U_k α_{t−1}(i+k−1)
 *             (Bahdanau's score plus a convolution of the previous alignment,
 *             so "one position further" is a term of its own at any length)
 *   Luong:    score_i = s_L(t) · enc_out_i
 *   α = masked softmax(score),  context = Σ_i α_i enc_out_i
 * The query's product covers the first n rows; attention runs over all B
 * rows (its operands are strided by B) on finite, unused values. */
static void dec_attention_forward(s2s_model *m, workspace *w, int t, int n, int B, int S)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers, attn = m->cfg.attention;
    const size_t BH = (size_t)B * H;
    const float *s_prev = w->dec_h[L - 1] + (size_t)t * BH;
    const float *enc_out = w->enc_h[L - 1] + BH;
    float *ctx = w->context + (size_t)t * BH;
    if (additive(&m->cfg)) {
        float *q = w->query + (size_t)t * BH;
        linear_forward(be, w->vec, q, s_prev, P(m->att_Ws), PT(m->att_Ws), NULL, n, H, H, H,
                       WRITE);
        const float *keys = w->keys;
        if (attn == S2S_ATTN_LOCATION) {
            be->loc_forward(be, w->keys_t, w->keys, prev_alpha(w, t, B, S), P(m->att_U),
                            P(m->att_b), S, B, H);
            keys = w->keys_t;
        }
        be->attn_forward(be, S2S_ATTN_BAHDANAU, ctx, w->alpha + (size_t)t * B * S,
                         w->energy + (size_t)(w->keep_energy ? t : 0) * S * BH, keys, q,
                         P(m->att_v), enc_out,
                         w->src_len, S, B, H);
    } else if (attn == S2S_ATTN_LUONG) {
        be->attn_forward(be, attn, ctx, w->alpha + (size_t)t * B * S, NULL, NULL, s_prev, NULL,
                         enc_out, w->src_len, S, B, H);
    }
}

/* The input product gi = x_l W_ihᵀ of decoder layer l at step t:
 *   l = 0:  gi = [x0; c] W_ihᵀ = x0 W_ih[:, :E]ᵀ + c W_ih[:, E:]ᵀ
 *   l ≥ 1:  gi = dropout(s_{l−1}(t+1)) W_ihᵀ */
static void dec_layer_input_forward(s2s_model *m, workspace *w, int l, int t, int n, int B,
                                    const float *x0, int train, uint64_t seed)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed, H = m->cfg.hidden, in0 = dec_in0(&m->cfg);
    const float p = m->cfg.dropout;
    const size_t BH = (size_t)B * H;
    float *gi = w->dec_gi[l] + (size_t)t * B * 3 * H;
    if (l == 0) {
        if (w->vec && m->word_gi0_fresh) /* the same bits as the product, from a table */
            be->embed_forward(be, gi, m->word_gi0, w->dec_in + (size_t)t * B, n, 3 * H);
        else
            linear_forward(be, w->vec, gi, x0, P(m->dec_wih[0]), PT(m->dec_wih[0]), NULL, n, E,
                           3 * H, in0, WRITE);
        if (m->cfg.attention != S2S_ATTN_NONE)
            linear_forward(be, w->vec, gi, w->context + (size_t)t * BH, P(m->dec_wih[0]) + E,
                           weight_t(m, m->dec_wih[0], (size_t)E * 3 * H), NULL, n,
                           H, 3 * H, in0, ADD);
        return;
    }
    if (train && p > 0.0f)
        be->dropout_forward(be, w->dec_x[l] + (size_t)t * BH, w->dec_x_mask[l] + (size_t)t * BH,
                            w->dec_h[l - 1] + (size_t)(t + 1) * BH, (size_t)n * H, p,
                            drop_seed(seed, SITE_DEC_LAYER + l, t));
    linear_forward(be, w->vec, gi, dec_layer_input(m, w, l, t, B, train), P(m->dec_wih[l]),
                   PT(m->dec_wih[l]), NULL, n, H, 3 * H, H, WRITE);
}

/* One decoder step t: reads dec_in row t, writes dec_h[·] row t+1, logits
 * row t, and dec_in row t+1 (the truth if teacher != NULL, else the argmax).
 * Only the first n = dec_n[t] rows are computed; the GRU carries the state of
 * finished rows. */
static void decoder_step(s2s_model *m, workspace *w, int t, int B, int S, const int *teacher,
                         int train, uint64_t seed)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers, V = m->cfg.tgt_vocab;
    const size_t BH = (size_t)B * H;
    const int n = w->dec_n[t];

    const float *x0 = dec_embedding_forward(m, w, t, n, B, train, seed);
    dec_attention_forward(m, w, t, n, B, S);
    for (int l = 0; l < L; l++) {
        /* s_l(t+1) = GRU(x_l, s_l(t)); both biases are added inside the cell. */
        dec_layer_input_forward(m, w, l, t, n, B, x0, train, seed);
        gru_step_forward(be, w->vec, w->dec_h[l] + (size_t)t * BH,
                         w->dec_gates[l] + (size_t)t * B * 4 * H, w->dec_gh[l] + (size_t)t * B * 3 * H,
                         w->dec_gi[l] + (size_t)t * B * 3 * H, P(m->dec_whh[l]),
                         PT(m->dec_whh[l]), P(m->dec_bih[l]), P(m->dec_bhh[l]), w->dec_len, t, n,
                         B, H);
    }
    /* logits_t = s_L(t+1) fc_Wᵀ + fc_b, then the next token read */
    float *logits = w->logits + (size_t)t * B * V;
    linear_forward(be, w->vec, logits, w->dec_h[L - 1] + (size_t)(t + 1) * BH, P(m->fc_w),
                   PT(m->fc_w), P(m->fc_b), n, H, V, H, WRITE);
    /* Oracle decoding: the first oracle_n[t] rows may not stop yet. */
    if (!teacher && w->oracle_n[t] > 0) be->add_bias(be, logits, m->no_eos, w->oracle_n[t], V);
    be->next_token(be, w->dec_in + (size_t)(t + 1) * B, logits, teacher, n, V);
}

/* Uploads a batch's ids and lengths and works out which rows each step
 * computes. greedy: each sentence decodes up to 2 · src_len steps (2 · words
 * + 2), else its target length − 1. */
static int load_batch(s2s_model *m, workspace *w, const s2s_batch *b, int T, int greedy,
                      int oracle, s2s_error *err)
{
    if (b->B < 1 || b->S < 1 || b->T < 2)
        return s2s_fail(err, S2S_ERR_ARG, "empty batch (%d sentences, %d source, %d target)",
                        b->B, b->S, b->T);
    int rc = ws_ensure(m, w, b->B, b->S, T, greedy ? 1 : T, err);
    w->keep_energy = !greedy;
    if (rc) return rc;
    s2s_backend *be = m->be;
    const int B = b->B, D = greedy ? T : T - 1, pre = model_src_prefix(m);
    for (int i = 0; i < B; i++) {
        /* 2 · (words + 1), the start marker not counted */
        int need = greedy ? model_decode_cap(m, b->src_len[i] - pre) : b->tgt_len[i] - 1;
        w->dec_len_host[i] = need < D ? need : D;
    }
    /* Oracle decoding: a sentence of n words may not stop before n words;
     * rows sorted longest first make those the first oracle_n[t] rows. */
    for (int t = 0; t < D; t++) {
        int n = 0;
        for (int i = 0; oracle && i < B; i++)
            if (b->src_len[i] - pre - 1 > t) n = i + 1;
        w->oracle_n[t] = n;
    }
    for (int t = 0; t < b->S; t++) {
        int n = 0;
        for (int i = 0; i < B; i++)
            if (b->src_len[i] > t) n = i + 1;
        w->enc_n[t] = n;
    }
    for (int t = 0; t < D; t++) {
        int n = 0;
        for (int i = 0; i < B; i++)
            if (w->dec_len_host[i] > t) n = i + 1;
        w->dec_n[t] = n;
    }
    be->upload(be, w->src, b->src, sizeof(int) * (size_t)b->S * B);
    be->upload(be, w->src_len, b->src_len, sizeof(int) * (size_t)B);
    be->upload(be, w->dec_len, w->dec_len_host, sizeof(int) * (size_t)B);
    if (b->tgt) be->upload(be, w->tgt, b->tgt, sizeof(int) * (size_t)b->T * B);
    if (m->cfg.attention == S2S_ATTN_LOCATION) {
        /* α before step 0: all weight on each sentence's source <EOS>. */
        memset(w->alpha0_host, 0, sizeof(float) * (size_t)B * b->S);
        for (int i = 0; i < B; i++) w->alpha0_host[(size_t)i * b->S + b->src_len[i] - 1] = 1.0f;
        be->upload(be, w->alpha0, w->alpha0_host, sizeof(float) * (size_t)B * b->S);
    }
    return 0;
}

/* Greedy decoding that stops early: after step t, 1 once every row has
 * written <EOS> or reached its cap. Reads step t's n tokens back (download
 * waits for them: on a GPU one small transfer per step). */
static int all_stopped(s2s_model *m, workspace *w, int t, int B)
{
    int *done = w->eos_host, *tok = w->eos_host + B;
    const int n = w->dec_n[t];
    if (t == 0)
        for (int i = 0; i < B; i++) done[i] = 0;
    m->be->download(m->be, tok, w->dec_in + (size_t)(t + 1) * B, sizeof(int) * (size_t)n);
    int all = 1;
    for (int i = 0; i < B; i++) {
        if (i < n && tok[i] == S2S_EOS) done[i] = 1;
        if (!done[i] && w->dec_len_host[i] > t + 1) all = 0;
    }
    return all;
}

/* The encoder over the loaded batch, then the decoder's initial state:
 * dec_h[l] row 0 = each sentence's state at its last real token. */
static void decoder_start(s2s_model *m, workspace *w, int B, int S, int train, uint64_t seed)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers;
    encoder_forward(m, w, B, S, train, seed);
    for (int l = 0; l < L; l++)
        be->copy(be, w->dec_h[l], w->enc_h[l] + (size_t)S * B * H, sizeof(float) * (size_t)B * H);
}

/* Encoder + D decoder steps. With loss, the cross-entropy of steps 0..D−1
 * against tgt rows 1..D goes to scalars[0] and d_logits. */
static void forward(s2s_model *m, workspace *w, const s2s_batch *b, int D,
                    const unsigned char *feed, int train, uint64_t seed, int with_loss, float scale)
{
    s2s_backend *be = m->be;
    const int B = b->B, S = b->S, V = m->cfg.tgt_vocab;
    decoder_start(m, w, B, S, train, seed);
    if (with_loss) {
        be->copy(be, w->dec_in, w->tgt, sizeof(int) * (size_t)B); /* row 0 is <SOS> */
        be->zero(be, w->scalars, sizeof(float));
    }
    for (int t = 0; t < D; t++) {
        const int *teacher = NULL;
        if (with_loss && t + 1 < D && feed && feed[t + 1]) teacher = w->tgt + (size_t)(t + 1) * B;
        decoder_step(m, w, t, B, S, teacher, train, seed);
        if (w->stop_at_eos && t + 1 < D && all_stopped(m, w, t, B)) {
            w->steps_run = t + 1;
            break;
        }
        if (with_loss)
            be->xent_forward(be, w->scalars, w->d_logits + (size_t)t * B * V,
                             w->logits + (size_t)t * B * V, w->tgt + (size_t)(t + 1) * B, B, V,
                             scale);
    }
}

/* ------------------------------------------------------------ backward */

/* Backward of dec_attention_forward at step t: d_context (B rows; finished
 * rows hold zeros) into the keys, v and the encoder outputs (d_keys, d_v,
 * d_enc_out: +=) and into the query; the query's gradient goes on to the
 * top state s_L(t), its second consumer: d_h[L−1] += (Bahdanau: d_q W_s). */
static void dec_attention_backward(s2s_model *m, workspace *w, int t, int n, int B, int S)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers, attn = m->cfg.attention;
    const size_t BH = (size_t)B * H;
    const float *s_prev = w->dec_h[L - 1] + (size_t)t * BH;
    const float *enc_out = w->enc_h[L - 1] + BH;
    float *dq = w->d_query + (size_t)t * BH;
    if (attn == S2S_ATTN_BAHDANAU) {
        be->attn_backward(be, attn, w->d_keys, dq, G(m->att_v), w->d_enc_out, w->d_context, NULL,
                          w->alpha + (size_t)t * B * S, w->energy + (size_t)t * S * BH,
                          w->query + (size_t)t * BH, P(m->att_v), enc_out, w->src_len, S, B, H);
        linear_backward(be, w->d_h[L - 1], NULL, NULL, dq, NULL, P(m->att_Ws), n, H, H, H, ADD);
    } else if (attn == S2S_ATTN_LOCATION) {
        /* d(keys + f + b) of this step alone, for U, b and α_{t−1}; then into
         * d_keys. α_t's gradient is the context's plus the one step t+1's
         * location term left in d_alpha (zero after the last step); α_{t−1}'s
         * is left there for step t−1 (α before step 0 is a constant). */
        be->zero(be, w->d_keys_t, sizeof(float) * (size_t)S * BH);
        be->attn_backward(be, S2S_ATTN_BAHDANAU, w->d_keys_t, dq, G(m->att_v), w->d_enc_out,
                          w->d_context, w->d_alpha, w->alpha + (size_t)t * B * S,
                          w->energy + (size_t)t * S * BH, w->query + (size_t)t * BH, P(m->att_v),
                          enc_out, w->src_len, S, B, H);
        be->loc_backward(be, G(m->att_U), G(m->att_b), t > 0 ? w->d_alpha : NULL, w->d_keys_t,
                         prev_alpha(w, t, B, S), P(m->att_U), S, B, H);
        be->add(be, w->d_keys, w->d_keys_t, (size_t)S * BH);
        linear_backward(be, w->d_h[L - 1], NULL, NULL, dq, NULL, P(m->att_Ws), n, H, H, H, ADD);
    } else if (attn == S2S_ATTN_LUONG) {
        be->attn_backward(be, attn, NULL, dq, NULL, w->d_enc_out, w->d_context, NULL,
                          w->alpha + (size_t)t * B * S, NULL, s_prev, NULL, enc_out, w->src_len,
                          S, B, H);
        be->add(be, w->d_h[L - 1], dq, (size_t)n * H);
    }
}

/* Backward of dec_layer_input_forward at step t, from d_gi:
 *   l = 0:  d_x0 = d_gi W_ih[:, :E],  d_context = d_gi W_ih[:, E:]
 *   l ≥ 1:  d_h[l−1] += dropout'(d_gi W_ih)   (s_{l−1}(t+1)'s second consumer) */
static void dec_layer_input_backward(s2s_model *m, workspace *w, int l, int t, int n, int B,
                                     int train)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed, H = m->cfg.hidden, in0 = dec_in0(&m->cfg);
    const size_t BH = (size_t)B * H, nH = (size_t)n * H;
    const float *dgi = w->d_dec_gi[l] + (size_t)t * B * 3 * H;
    if (l == 0) {
        linear_backward(be, w->d_dec_x0 + (size_t)t * B * E, NULL, NULL, dgi, NULL,
                        P(m->dec_wih[0]), n, E, 3 * H, in0, WRITE);
        if (m->cfg.attention != S2S_ATTN_NONE) {
            linear_backward(be, w->d_context, NULL, NULL, dgi, NULL, P(m->dec_wih[0]) + E, n, H,
                            3 * H, in0, WRITE);
            /* Attention runs over all B rows: finished ones contribute nothing. */
            if (n < B) be->zero(be, w->d_context + nH, sizeof(float) * (BH - nH));
        }
        return;
    }
    linear_backward(be, w->d_x, NULL, NULL, dgi, NULL, P(m->dec_wih[l]), n, H, 3 * H, H, WRITE);
    if (train && m->cfg.dropout > 0.0f)
        be->dropout_backward(be, w->d_x, w->d_x, w->dec_x_mask[l] + (size_t)t * BH, nH);
    be->add(be, w->d_h[l - 1], w->d_x, nH);
}

/* Backward of dec_embedding_forward at step t: d_emb = dropout'(d_x0),
 * scattered into the embedding table's gradient. */
static void dec_embedding_backward(s2s_model *m, workspace *w, int t, int n, int B, int train)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed;
    float *dx0 = w->d_dec_x0 + (size_t)t * B * E;
    if (train && m->cfg.dropout > 0.0f)
        be->dropout_backward(be, dx0, dx0, w->dec_emb_mask + (size_t)t * B * E, (size_t)n * E);
    be->embed_backward(be, G(m->dec_emb), dx0, w->dec_in + (size_t)t * B, n, E);
}

/* Backward of decoder_step t: its parts in reverse order. On entry d_h[l]
 * holds dL/d s_l(t+1) from step t+1; on exit dL/d s_l(t). Parameter
 * gradients of the products wait for decoder_weight_grads. */
static void decoder_step_backward(s2s_model *m, workspace *w, int t, int B, int S, int train)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers, V = m->cfg.tgt_vocab;
    const size_t BH = (size_t)B * H;
    const int n = w->dec_n[t]; /* live rows; the others have zero gradient throughout */

    /* logits_t = s_L(t+1) fc_Wᵀ + fc_b:  d s_L(t+1) += d_logits_t fc_W */
    linear_backward(be, w->d_h[L - 1], NULL, NULL, w->d_logits + (size_t)t * B * V, NULL,
                    P(m->fc_w), n, H, V, H, ADD);
    for (int l = L - 1; l >= 0; l--) {
        /* s_l(t+1) = GRU(x_l, s_l(t)): the carry becomes dL/d s_l(t). */
        gru_step_backward(be, w->d_dec_gi[l] + (size_t)t * B * 3 * H,
                          w->d_dec_gh[l] + (size_t)t * B * 3 * H, &w->d_h[l], &w->d_hprev,
                          w->dec_gates[l] + (size_t)t * B * 4 * H, w->dec_h[l] + (size_t)t * BH,
                          P(m->dec_whh[l]), w->dec_len, t, n, B, H);
        dec_layer_input_backward(m, w, l, t, n, B, train);
    }
    dec_attention_backward(m, w, t, n, B, S);
    dec_embedding_backward(m, w, t, n, B, train);
}

/* The rows an all-steps weight-gradient product runs over: of a (steps, B,
 * width) array, every step's B rows (src itself), or where the backend
 * packs (be->pack_rows) only each step's first n[t] rows, copied together
 * into dst. The rows left out belong to finished sentences, whose gradient
 * rows hold zeros, so dW += dyᵀ x and db += Σ dy lose nothing but work (at
 * the seed's lengths about a quarter of these products' rows). *rows gets
 * the count. */
static const float *live_rows(const s2s_model *m, float *dst, const float *src, const int *n,
                              int steps, int B, int width, int *rows)
{
    s2s_backend *be = m->be;
    if (!be->pack_rows) {
        *rows = steps * B;
        return src;
    }
    int k = 0;
    for (int t = 0; t < steps; t++) {
        if (n[t] > 0)
            be->copy(be, dst + (size_t)k * width, src + (size_t)t * B * width,
                     sizeof(float) * (size_t)n[t] * width);
        k += n[t];
    }
    *rows = k;
    return dst;
}

/* dW(out, in) += dyᵀ x and db(out) += Σ dy over the live rows of two
 * (steps, B, ·) arrays (linear_backward's weight part); dy_packed: dy is
 * already w->pack_dy's rows (R of them), reused for a second column block. */
static void weight_grads_live(const s2s_model *m, workspace *w, float *dW, float *db,
                              const float *dy, int dy_packed, const float *x, const int *n,
                              int steps, int B, int in, int out, int ldw)
{
    int R;
    const float *dy_rows = dy_packed ? dy : live_rows(m, w->pack_dy, dy, n, steps, B, out, &R);
    const float *x_rows = live_rows(m, w->pack_x, x, n, steps, B, in, &R);
    linear_backward(m->be, NULL, dW, db, dy_rows, x_rows, NULL, R, in, out, ldw, WRITE);
}

/* The decoder's parameter gradients, one product per tensor over all
 * the live rows of the D steps (live_rows):
 * per layer dW_ih, db_ih (the input product) and dW_hh, db_hh (the
 * recurrence), then fc and W_s. */
static void decoder_weight_grads(s2s_model *m, workspace *w, int B, int D, int train)
{
    const int E = m->cfg.embed, H = m->cfg.hidden, L = m->cfg.layers, V = m->cfg.tgt_vocab;
    const int attn = m->cfg.attention, in0 = dec_in0(&m->cfg);
    const int drop = train && m->cfg.dropout > 0.0f;
    const size_t BH = (size_t)B * H;
    const int *n = w->dec_n;
    for (int l = 0; l < L; l++) {
        if (l == 0) {
            /* d_gi is packed once for both column blocks of W_ih. */
            int R;
            const float *dgi = live_rows(m, w->pack_dy, w->d_dec_gi[0], n, D, B, 3 * H, &R);
            const float *x0 = drop ? w->dec_x0 : w->dec_emb;
            weight_grads_live(m, w, G(m->dec_wih[0]), G(m->dec_bih[0]), dgi, 1, x0, n, D, B, E,
                              3 * H, in0);
            if (attn != S2S_ATTN_NONE)
                weight_grads_live(m, w, G(m->dec_wih[0]) + E, NULL, dgi, 1, w->context, n, D, B,
                                  H, 3 * H, in0);
        } else {
            const float *xl = drop ? w->dec_x[l] : w->dec_h[l - 1] + BH;
            weight_grads_live(m, w, G(m->dec_wih[l]), G(m->dec_bih[l]), w->d_dec_gi[l], 0, xl, n,
                              D, B, H, 3 * H, H);
        }
        weight_grads_live(m, w, G(m->dec_whh[l]), G(m->dec_bhh[l]), w->d_dec_gh[l], 0,
                          w->dec_h[l], n, D, B, H, 3 * H, H);
    }
    weight_grads_live(m, w, G(m->fc_w), G(m->fc_b), w->d_logits, 0, w->dec_h[L - 1] + BH, n, D,
                      B, H, V, H);
    if (additive(&m->cfg))
        weight_grads_live(m, w, G(m->att_Ws), NULL, w->d_query, 0, w->dec_h[L - 1], n, D, B, H,
                          H, H);
}

/* Backward through the decoder steps D−1..0, then its weight gradients.
 * Leaves d_h[l] = dL/d(encoder final state of layer l), and d_enc_out,
 * d_keys = the attention's gradients of the encoder outputs and the keys. */
static void decoder_backward(s2s_model *m, workspace *w, int B, int S, int D, int train)
{
    s2s_backend *be = m->be;
    const int H = m->cfg.hidden, L = m->cfg.layers;
    const size_t BH = (size_t)B * H;
    for (int l = 0; l < L; l++) be->zero(be, w->d_h[l], sizeof(float) * BH);
    be->zero(be, w->d_keys, sizeof(float) * (size_t)S * BH);
    be->zero(be, w->d_enc_out, sizeof(float) * (size_t)S * BH);
    if (m->cfg.attention == S2S_ATTN_LOCATION)
        be->zero(be, w->d_alpha, sizeof(float) * (size_t)B * S);
    for (int t = D - 1; t >= 0; t--) decoder_step_backward(m, w, t, B, S, train);
    decoder_weight_grads(m, w, B, D, train);
}

/* Backward of encoder_forward, top layer first (a layer's outputs depend on
 * the layer below, never the reverse). d_h[l] enters as the gradient of the
 * final state (from the decoder's initial state), d_enc_out and d_keys as
 * attention's gradients of the top layer's outputs and of the keys. */
static void encoder_backward(s2s_model *m, workspace *w, int B, int S, int train)
{
    s2s_backend *be = m->be;
    const int E = m->cfg.embed, H = m->cfg.hidden, L = m->cfg.layers;
    const int drop = train && m->cfg.dropout > 0.0f;
    const size_t BH = (size_t)B * H;
    const int R = S * B;

    if (additive(&m->cfg)) {
        /* keys = enc_out W_hᵀ: the encoder outputs' second consumer. */
        linear_backward(be, w->d_enc_out, NULL, NULL, w->d_keys, NULL, P(m->att_Wh), R, H, H, H,
                        ADD);
        weight_grads_live(m, w, G(m->att_Wh), NULL, w->d_keys, 0, w->enc_h[L - 1] + BH, w->enc_n,
                          S, B, H, H, H);
    }
    float *d_out = w->d_enc_out; /* (S,B,H) gradient of this layer's outputs */
    for (int l = L - 1; l >= 0; l--) {
        for (int t = S - 1; t >= 0; t--) {
            /* h_l(t+1) feeds the layer above (or attention) and step t+1. */
            be->add(be, w->d_h[l], d_out + (size_t)t * BH, BH);
            gru_step_backward(be, w->d_enc_gi + (size_t)t * B * 3 * H,
                              w->d_enc_gh + (size_t)t * B * 3 * H, &w->d_h[l], &w->d_hprev,
                              w->enc_gates[l] + (size_t)t * B * 4 * H,
                              w->enc_h[l] + (size_t)t * BH, P(m->enc_whh[l]), w->src_len, t,
                              w->enc_n[t], B, H);
        }
        /* The layer's parameters over all steps, and the gradient of its input. */
        const int in = l == 0 ? E : H;
        weight_grads_live(m, w, G(m->enc_whh[l]), G(m->enc_bhh[l]), w->d_enc_gh, 0, w->enc_h[l],
                          w->enc_n, S, B, H, 3 * H, H);
        /* The input's gradient over every row: the padded ones must be
         * zeros for the layer below. */
        linear_backward(be, w->d_enc_in, NULL, NULL, w->d_enc_gi, NULL, P(m->enc_wih[l]), R, in,
                        3 * H, in, WRITE);
        weight_grads_live(m, w, G(m->enc_wih[l]), G(m->enc_bih[l]), w->d_enc_gi, 0,
                          enc_layer_input(m, w, l, B, train), w->enc_n, S, B, in, 3 * H, in);
        if (l > 0) {
            /* x_l = dropout(h_{l−1}). The layer below reads d_out only inside
             * its time loop and overwrites d_enc_in only after it: no copy. */
            if (drop)
                be->dropout_backward(be, w->d_enc_in, w->d_enc_in, w->enc_x_mask[l], (size_t)R * H);
            d_out = w->d_enc_in;
        } else {
            /* x_0 = dropout(emb(src)) */
            if (drop)
                be->dropout_backward(be, w->d_enc_in, w->d_enc_in, w->enc_emb_mask, (size_t)R * E);
            be->embed_backward(be, G(m->enc_emb), w->d_enc_in, w->src, R, E);
        }
    }
}

/* ------------------------------------------------------------ checks */

/* Every id of a (steps, B) time-major array lies in 0..V−1; says where not. */
static int check_ids(const int *ids, int steps, int B, int V, const char *side, s2s_error *err)
{
    for (int t = 0; t < steps; t++)
        for (int i = 0; i < B; i++) {
            const int id = ids[(size_t)t * B + i];
            if (id < 0 || id >= V)
                return s2s_fail(err, S2S_ERR_ARG,
                                "sentence %d of the batch, %s position %d: token id %d is outside "
                                "the vocabulary (0..%d)",
                                i, side, t, id, V - 1);
        }
    return 0;
}

static int check_batch(const s2s_model *m, const s2s_batch *b, s2s_error *err)
{
    if (b->ntok < 1) return s2s_fail(err, S2S_ERR_ARG, "batch has no target tokens");
    for (int i = 0; i < b->B; i++)
        if (b->src_len[i] < 1 || b->src_len[i] > b->S)
            return s2s_fail(err, S2S_ERR_ARG, "sentence %d of the batch has source length %d (1..%d)",
                            i, b->src_len[i], b->S);
    int rc = check_ids(b->src, b->S, b->B, m->cfg.src_vocab, "source", err);
    if (!rc && b->tgt) rc = check_ids(b->tgt, b->T, b->B, m->cfg.tgt_vocab, "target", err);
    return rc;
}

/* ------------------------------------------------------------ work count */

double model_train_flops(const s2s_model *m, const s2s_batch *b)
{
    const double E = m->cfg.embed, H = m->cfg.hidden, V = m->cfg.tgt_vocab;
    const int L = m->cfg.layers, attn = m->cfg.attention;
    double fwd = 0.0;
    for (int i = 0; i < b->B; i++) {
        const double S = b->src_len[i] + model_src_prefix(m), D = b->tgt_len[i] - 1;
        /* Encoder: input and recurrent projections of every layer. */
        double enc = 2.0 * E * 3 * H + 2.0 * H * 3 * H;
        for (int l = 1; l < L; l++) enc += 2.0 * (2.0 * H * 3 * H);
        fwd += S * enc;
        /* Decoder, per step. */
        double step = 2.0 * dec_in0(&m->cfg) * 3 * H + 2.0 * H * 3 * H + 2.0 * H * V;
        for (int l = 1; l < L; l++) step += 2.0 * (2.0 * H * 3 * H);
        if (additive(&m->cfg)) {
            fwd += S * 2.0 * H * H;            /* keys, once per sentence */
            step += 2.0 * H * H + 4.0 * S * H; /* query; scores and context */
            if (attn == S2S_ATTN_LOCATION) step += 2.0 * S2S_LOC_K * S * H; /* location term */
        } else if (attn == S2S_ATTN_LUONG) {
            step += 4.0 * S * H;
        }
        fwd += D * step;
    }
    return 3.0 * fwd;
}

/* ------------------------------------------------------------ shards */

/* A batch is split into shards of interleaved sentences (k, k+n, k+2n, …:
 * with a batch sorted by length both get similar lengths), each run on its
 * own thread over its own workspace and gradient buffer; the gradients are
 * then summed. Results are deterministic for a given shard count. */
enum { JOB_TRAIN, JOB_LOSS, JOB_GREEDY };

typedef struct {
    s2s_model *m;
    workspace *w;
    const s2s_batch *b;
    int kind, train, max_steps;
    int oracle;               /* greedy: no <EOS> before a sentence's length */
    int until_eos;            /* greedy: stop once every sentence has written <EOS> */
    const unsigned char *feed;
    uint64_t seed;
    float scale;
    int rc;
    s2s_error err;
} shard_job;

/* Sentences k, k+n, … of b into part (host memory, grown as needed). */
static int split_batch(const s2s_batch *b, int k, int n, s2s_batch *part, s2s_error *err)
{
    int B = 0, S = 0, T = 0;
    for (int i = k; i < b->B; i += n) {
        B++;
        if (b->src_len[i] > S) S = b->src_len[i];
        if (b->tgt && b->tgt_len[i] > T) T = b->tgt_len[i];
    }
    if (T < 2) T = 2;
    int rc = batch_reserve(part, B, S, T, err);
    if (rc) return rc;
    part->B = B;
    part->S = S;
    part->T = b->tgt ? T : b->T;
    part->ntok = 0;
    for (int j = 0, i = k; i < b->B; i += n, j++) {
        for (int t = 0; t < S; t++) part->src[t * B + j] = t < b->S ? b->src[t * b->B + i] : S2S_PAD;
        part->src_len[j] = b->src_len[i];
        if (b->tgt) {
            for (int t = 0; t < T; t++)
                part->tgt[t * B + j] = t < b->T ? b->tgt[t * b->B + i] : S2S_PAD;
            part->tgt_len[j] = b->tgt_len[i];
            part->ntok += b->tgt_len[i] - 1;
        }
    }
    return 0;
}

/* Location attention: b with the start marker <SOS> before every sentence,
 * in out (host memory, grown as needed). */
static int mark_batch(const s2s_batch *b, s2s_batch *out, s2s_error *err)
{
    const int B = b->B, S = b->S + 1, T = b->T;
    int rc = batch_reserve(out, B, S, T, err);
    if (rc) return rc;
    out->B = B;
    out->S = S;
    out->T = T;
    out->ntok = b->ntok;
    for (int i = 0; i < B; i++) {
        out->src[i] = S2S_SOS;
        for (int t = 0; t < b->S; t++) out->src[(t + 1) * B + i] = b->src[t * B + i];
        out->src_len[i] = b->src_len[i] + 1;
        if (b->tgt) out->tgt_len[i] = b->tgt_len[i];
    }
    if (b->tgt) memcpy(out->tgt, b->tgt, sizeof(int) * (size_t)T * B);
    return 0;
}

static void *run_job(void *arg)
{
    shard_job *j = arg;
    s2s_model *m = j->m;
    workspace *w = j->w;
    s2s_backend *be = m->be;
    const s2s_batch *b = j->b;
    s2s_error_clear(&j->err);
    int greedy = j->kind == JOB_GREEDY;
    w->stop_at_eos = greedy && j->until_eos;
    /* Only decoding takes the matrix-vector path, so training's products,
     * and with them its results, do not depend on it. */
    w->vec = greedy && b->B == 1 && be->gemv;
    w->steps_run = greedy ? j->max_steps : 0;
    if (model_src_prefix(m)) {
        j->rc = mark_batch(b, &w->marked, &j->err);
        if (j->rc) return NULL;
        b = &w->marked;
    }
    s2s_batch src_only = *b;
    if (greedy) { /* a split part carries target arrays; greedy must not read them */
        src_only.tgt = NULL;
        b = &src_only;
    }
    j->rc = load_batch(m, w, b, greedy ? j->max_steps : b->T, greedy, j->oracle, &j->err);
    if (j->rc) return NULL;
    if (greedy) {
        /* Row 0 of dec_in: <SOS> for every sentence. */
        int *sos = malloc(sizeof(int) * (size_t)b->B);
        if (!sos) {
            j->rc = s2s_fail(&j->err, S2S_ERR_NOMEM,
                             "out of memory for the <SOS> row of shard %d (B=%d ints)",
                             (int)(w - m->ws), b->B);
            return NULL;
        }
        for (int i = 0; i < b->B; i++) sos[i] = S2S_SOS;
        be->upload(be, w->dec_in, sos, sizeof(int) * (size_t)b->B);
        free(sos);
        forward(m, w, b, j->max_steps, NULL, 0, 0, 0, 0.0f);
    } else {
        const int D = b->T - 1;
        if (j->kind == JOB_TRAIN) be->zero(be, w->grads, m->nparams * sizeof(float));
        forward(m, w, b, D, j->feed, j->train, j->seed, 1, j->scale);
        if (j->kind == JOB_TRAIN) {
            decoder_backward(m, w, b->B, b->S, D, j->train);
            encoder_backward(m, w, b->B, b->S, j->train);
        }
    }
    /* With one shard (always so on a GPU) the caller's download of the loss
     * or the tokens waits and reports any failure next: waiting here too
     * would drain the device twice per batch. */
    if (m->nshards > 1) j->rc = be->sync(be, &j->err);
    return NULL;
}

/* Runs one job per shard of b (or b whole when one shard will do). */
static int run_shards(s2s_model *m, const s2s_batch *b, shard_job *proto, shard_job *jobs,
                      int *nshards, s2s_error *err)
{
    int n = m->nshards < b->B ? m->nshards : b->B;
    for (int k = 0; k < n; k++) {
        jobs[k] = *proto;
        jobs[k].w = &m->ws[k];
        jobs[k].seed = n == 1 ? proto->seed : rng_mix64(proto->seed, (uint64_t)k);
        if (n == 1) {
            jobs[k].b = b;
        } else {
            int rc = split_batch(b, k, n, &m->ws[k].part, err);
            if (rc) return rc;
            jobs[k].b = &m->ws[k].part;
        }
        if (k > 0 && proto->kind == JOB_TRAIN && !m->ws[k].grads) {
            m->ws[k].grads = m->be->alloc(m->be, m->nparams * sizeof(float));
            if (!m->ws[k].grads)
                return s2s_fail(err, S2S_ERR_NOMEM,
                                "out of %s memory for the gradient buffer of shard %d (%zu "
                                "floats: %s)",
                                m->be->name, k, m->nparams,
                                S2S_SIZE(m->nparams * sizeof(float)));
        }
    }
    pthread_t th[MAX_SHARDS];
    int started[MAX_SHARDS] = {0};
    for (int k = 1; k < n; k++) started[k] = pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
    run_job(&jobs[0]);
    for (int k = 1; k < n; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            run_job(&jobs[k]); /* no thread to be had: run it here */
    }
    *nshards = n;
    for (int k = 0; k < n; k++)
        if (jobs[k].rc) {
            if (err) *err = jobs[k].err;
            return jobs[k].rc;
        }
    return 0;
}

/* be->few_rows: the transposes of the weights the forward pass multiplies
 * by (linear_forward), made again after the parameters change: 1.5 M
 * floats at the default sizes, once per batch, against a BLAS packing each
 * of them on every step. */
static int params_t_ensure(s2s_model *m, s2s_error *err)
{
    s2s_backend *be = m->be;
    if (m->params_t_fresh || be->few_rows <= 0 || !be->transpose) return 0;
    if (!m->params_t) {
        m->params_t = be->alloc(be, sizeof(float) * m->nparams);
        if (!m->params_t)
            return s2s_fail(err, S2S_ERR_NOMEM,
                            "out of %s memory for the transposed weights (%zu floats: %s)",
                            be->name, m->nparams, S2S_SIZE(sizeof(float) * m->nparams));
    }
    const int E = m->cfg.embed, H = m->cfg.hidden, V = m->cfg.tgt_vocab;
    s2s_transpose list[4 * MAX_LAYERS + 3];
    int nl = 0;
#define WEIGHT(off, rows, cols) \
    list[nl++] = (s2s_transpose){m->params_t + (off), m->params + (off), (rows), (cols)}
    for (int l = 0; l < m->cfg.layers; l++) {
        WEIGHT(m->enc_wih[l], 3 * H, l == 0 ? E : H);
        WEIGHT(m->enc_whh[l], 3 * H, H);
        WEIGHT(m->dec_wih[l], 3 * H, l == 0 ? dec_in0(&m->cfg) : H);
        WEIGHT(m->dec_whh[l], 3 * H, H);
    }
    if (additive(&m->cfg)) {
        WEIGHT(m->att_Wh, H, H);
        WEIGHT(m->att_Ws, H, H);
    }
    WEIGHT(m->fc_w, V, H);
#undef WEIGHT
    be->transpose(be, list, nl); /* on every thread of the backend */
    m->params_t_fresh = 1;
    return be->sync(be, err);
}

/* Sum of the shards' loss sums. */
static int shard_loss(s2s_model *m, int n, float *loss, s2s_error *err)
{
    double total = 0.0;
    for (int k = 0; k < n; k++) {
        float l = 0.0f;
        m->be->download(m->be, &l, m->ws[k].scalars, sizeof(float));
        total += l;
    }
    *loss = (float)total;
    return m->be->sync(m->be, err);
}

/* ------------------------------------------------------------ public steps */

int model_forward_backward(s2s_model *m, const s2s_batch *b, const unsigned char *feed, int train,
                           uint64_t dropout_seed, float *loss, s2s_error *err)
{
    int rc = check_batch(m, b, err);
    if (!rc) rc = params_t_ensure(m, err);
    if (rc) return rc;
    shard_job proto = {.m = m, .kind = JOB_TRAIN, .train = train, .feed = feed,
                       .seed = dropout_seed, .scale = 1.0f / (float)b->ntok};
    shard_job jobs[MAX_SHARDS];
    int n = 1;
    m->ws[0].grads = m->grads;
    rc = run_shards(m, b, &proto, jobs, &n, err);
    if (rc) return rc;
    for (int k = 1; k < n; k++) m->be->add(m->be, m->grads, m->ws[k].grads, m->nparams);
    return shard_loss(m, n, loss, err);
}

int model_forward_loss(s2s_model *m, const s2s_batch *b, const unsigned char *feed, float *loss,
                       s2s_error *err)
{
    int rc = check_batch(m, b, err);
    if (!rc) rc = params_t_ensure(m, err);
    if (rc) return rc;
    shard_job proto = {.m = m, .kind = JOB_LOSS, .feed = feed, .scale = 1.0f / (float)b->ntok};
    shard_job jobs[MAX_SHARDS];
    int n = 1;
    rc = run_shards(m, b, &proto, jobs, &n, err);
    return rc ? rc : shard_loss(m, n, loss, err);
}

int model_clip_adam(s2s_model *m, const s2s_adam_opts *o, float *grad_norm, s2s_error *err)
{
    s2s_backend *be = m->be;
    workspace *w = &m->ws[0];
    int rc = ws_ensure(m, w, 1, 1, 2, 1, err); /* for the norm's scalar */
    if (rc) return rc;
    be->clip_norm(be, m->grads, m->nparams, o->clip, w->scalars + 1);
    m->adam_t++;
    m->word_gi0_fresh = 0;
    m->params_t_fresh = 0;
    be->adam(be, m->params, m->grads, m->adam_m, m->adam_v, m->nparams, o->lr, o->beta1, o->beta2,
             o->eps, m->adam_t);
    float norm = 0.0f;
    be->download(be, &norm, w->scalars + 1, sizeof(float));
    if (grad_norm) *grad_norm = norm;
    return be->sync(be, err);
}

/* One sentence decoded (workspace.vec) streams every weight at every step,
 * so the first decoder layer's embedding product, emb(y) W_ih[:, :E]ᵀ, is
 * read from a table of its value for every target word instead (made with
 * the same matrix-vector product, so with the same bits): at E128 H256
 * that is 0.4 MB fewer per step, a tenth of the decoder's weights. The
 * table is made again after the parameters change, when a sentence is
 * next decoded, and only for vocabularies of up to WORD_TABLE_MAX words
 * (one product per word: 5 ms at 1024 words). */
enum { WORD_TABLE_MAX = 1024 };

static int word_table_ensure(s2s_model *m, s2s_error *err)
{
    s2s_backend *be = m->be;
    const int V = m->cfg.tgt_vocab, E = m->cfg.embed, H = m->cfg.hidden, in0 = dec_in0(&m->cfg);
    if (m->word_gi0_fresh || !be->gemv || V > WORD_TABLE_MAX) return 0;
    if (!m->word_gi0) {
        m->word_gi0 = be->alloc(be, sizeof(float) * (size_t)V * 3 * H);
        if (!m->word_gi0)
            return s2s_fail(err, S2S_ERR_NOMEM,
                            "out of %s memory for the decoder's word table (%d x %d floats)",
                            be->name, V, 3 * H);
    }
    for (int v = 0; v < V; v++)
        be->gemv(be, m->word_gi0 + (size_t)v * 3 * H, P(m->dec_wih[0]), in0,
                 P(m->dec_emb) + (size_t)v * E, 3 * H, E, 0);
    m->word_gi0_fresh = 1;
    return be->sync(be, err);
}

static int greedy(s2s_model *m, const s2s_batch *b, int max_steps, int oracle, int until_eos,
                  int *tokens, float *attn, s2s_error *err)
{
    if (max_steps < 1) return s2s_fail(err, S2S_ERR_ARG, "max_steps must be at least 1");
    s2s_batch src_only = *b;
    src_only.tgt = NULL;
    src_only.ntok = 1;
    int rc = check_batch(m, &src_only, err);
    if (!rc && b->B == 1) rc = word_table_ensure(m, err);
    if (!rc && !(b->B == 1 && m->be->gemv)) rc = params_t_ensure(m, err); /* vec: not read */
    if (rc) return rc;
    if (oracle && !m->no_eos) {
        /* −1e30 at <EOS>: added to the logits of rows that may not stop. */
        float *host = calloc((size_t)m->cfg.tgt_vocab, sizeof(float));
        m->no_eos = host ? m->be->alloc(m->be, sizeof(float) * (size_t)m->cfg.tgt_vocab) : NULL;
        if (!m->no_eos) {
            free(host);
            return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the <EOS> mask (%d floats)",
                            m->cfg.tgt_vocab);
        }
        host[S2S_EOS] = -1e30f;
        m->be->upload(m->be, m->no_eos, host, sizeof(float) * (size_t)m->cfg.tgt_vocab);
        free(host);
    }
    shard_job proto = {.m = m, .kind = JOB_GREEDY, .max_steps = max_steps, .oracle = oracle,
                       .until_eos = until_eos};
    shard_job jobs[MAX_SHARDS];
    int n = 1;
    rc = run_shards(m, &src_only, &proto, jobs, &n, err);
    if (rc) return rc;

    /* One transfer per shard at the end: tokens are dec_in rows 1..steps run
     * (max_steps, or fewer when stopped at <EOS>). */
    s2s_backend *be = m->be;
    for (int k = 0; !rc && k < n; k++) {
        const workspace *w = &m->ws[k];
        const int pre = model_src_prefix(m), Sb = b->S + pre; /* columns returned */
        const int Bk = jobs[k].b->B, Sk = jobs[k].b->S + pre, D = w->steps_run;
        size_t nt = (size_t)D * Bk, na = (size_t)D * Bk * Sk;
        int *tok_tm = malloc(sizeof(int) * nt);
        float *att_tm = attn ? malloc(sizeof(float) * na) : NULL;
        if (!tok_tm || (attn && !att_tm)) {
            free(tok_tm);
            free(att_tm);
            return s2s_fail(err, S2S_ERR_NOMEM,
                            "out of memory for the decoded tokens and attention of shard %d "
                            "(%zu tokens, %zu weights: %s)",
                            k, nt, attn ? na : 0,
                            S2S_SIZE(sizeof(int) * nt + (attn ? sizeof(float) * na : 0)));
        }
        be->download(be, tok_tm, w->dec_in + Bk, sizeof(int) * nt);
        if (attn) be->download(be, att_tm, w->alpha, sizeof(float) * na);
        rc = be->sync(be, err);
        for (int t = 0; !rc && t < D; t++)
            for (int j = 0; j < Bk; j++) {
                const int i = k + j * n; /* the sentence's index in b */
                if (tokens) tokens[(size_t)i * max_steps + t] = tok_tm[(size_t)t * Bk + j];
                if (attn) {
                    float *dst = attn + ((size_t)i * max_steps + t) * Sb;
                    memset(dst, 0, sizeof(float) * (size_t)Sb);
                    if (m->cfg.attention != S2S_ATTN_NONE)
                        memcpy(dst, att_tm + ((size_t)t * Bk + j) * Sk, sizeof(float) * (size_t)Sk);
                }
            }
        free(tok_tm);
        free(att_tm);
    }
    return rc;
}

int model_greedy(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens, float *attn,
                 s2s_error *err)
{
    return greedy(m, b, max_steps, 0, 0, tokens, attn, err);
}

int model_greedy_until_eos(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens,
                           float *attn, s2s_error *err)
{
    return greedy(m, b, max_steps, 0, 1, tokens, attn, err);
}

int model_greedy_oracle(s2s_model *m, const s2s_batch *b, int max_steps, int *tokens,
                        float *attn, s2s_error *err)
{
    for (int i = 1; i < b->B; i++)
        if (b->src_len[i] > b->src_len[i - 1])
            return s2s_fail(err, S2S_ERR_ARG,
                            "oracle decoding needs the batch sorted longest first (sentence %d "
                            "is longer than sentence %d)",
                            i, i - 1);
    return greedy(m, b, max_steps, 1, 0, tokens, attn, err);
}

/* ------------------------------------------------------------ beam search */

/* Host state of one beam search over K rows, V tokens, S attention columns
 * and at most D steps. Step t's selection, best first, is kept at [t·K ..):
 * the hypotheses that go on (last token not <EOS>) first, so that slot
 * j < n_live[t] is row j of step t+1; those ending in <EOS> after them. */
typedef struct {
    int K, V, S, D;
    float *logits;       /* (K,V) one step's logits */
    float *alpha;        /* (D,K,S) each step's attention rows, by that step's row; NULL
                            when no attention is returned */
    int *tok, *par;      /* (D,K) selected token; the row of its step it extends */
    double *sum;         /* (D,K) selected hypotheses' sums of log-probabilities */
    double *c_sum;       /* (K) the step's candidates, best first, before they are split */
    int *c_row, *c_tok;  /* (K) */
    int *n_sel, *n_live; /* (D) selected at step t; of them, going on */
} beam_state;

static void beam_free(beam_state *bs)
{
    free(bs->logits);
    free(bs->alpha);
    free(bs->tok);
    free(bs->par);
    free(bs->sum);
    free(bs->c_sum);
    free(bs->c_row);
    free(bs->c_tok);
    free(bs->n_sel);
    free(bs->n_live);
}

static int beam_alloc(beam_state *bs, int K, int V, int S, int D, int with_attn, s2s_error *err)
{
    memset(bs, 0, sizeof *bs);
    bs->K = K;
    bs->V = V;
    bs->S = S;
    bs->D = D;
    const size_t DK = (size_t)D * K;
    bs->logits = malloc(sizeof(float) * (size_t)K * V);
    bs->alpha = with_attn ? calloc(DK * S, sizeof(float)) : NULL;
    bs->tok = malloc(sizeof(int) * DK);
    bs->par = malloc(sizeof(int) * DK);
    bs->sum = malloc(sizeof(double) * DK);
    bs->c_sum = malloc(sizeof(double) * (size_t)K);
    bs->c_row = malloc(sizeof(int) * (size_t)K);
    bs->c_tok = malloc(sizeof(int) * (size_t)K);
    bs->n_sel = malloc(sizeof(int) * (size_t)D);
    bs->n_live = malloc(sizeof(int) * (size_t)D);
    if (!bs->logits || (with_attn && !bs->alpha) || !bs->tok || !bs->par || !bs->sum ||
        !bs->c_sum || !bs->c_row || !bs->c_tok || !bs->n_sel || !bs->n_live) {
        beam_free(bs);
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for a beam search of width %d (%d steps, %d tokens, %d "
                        "attention columns)",
                        K, D, V, S);
    }
    return 0;
}

/* Loads K copies of b's one sentence into w (with the start marker for
 * location attention) for D decoder steps, encodes them and puts <SOS> in
 * row 0 of dec_in (from sos_host, K ints that must stay as they are until
 * the next download). */
static int beam_start(s2s_model *m, workspace *w, const s2s_batch *b, int K, int D,
                      int *sos_host, s2s_error *err)
{
    int rc = batch_reserve(&w->part, K, b->S, 2, err);
    if (rc) return rc;
    s2s_batch copies = w->part;
    copies.B = K;
    copies.S = b->S;
    copies.T = 2;
    copies.ntok = 1;
    copies.tgt = NULL;
    for (int t = 0; t < b->S; t++)
        for (int i = 0; i < K; i++) copies.src[t * K + i] = b->src[t * b->B];
    for (int i = 0; i < K; i++) copies.src_len[i] = b->src_len[0];
    if (model_src_prefix(m)) {
        rc = mark_batch(&copies, &w->marked, err);
        if (rc) return rc;
        copies = w->marked;
        copies.tgt = NULL;
    }
    rc = load_batch(m, w, &copies, D, 1, 0, err);
    if (rc) return rc;
    for (int i = 0; i < K; i++) sos_host[i] = S2S_SOS;
    m->be->upload(m->be, w->dec_in, sos_host, sizeof(int) * (size_t)K);
    decoder_start(m, w, K, copies.S, 0, 0);
    return 0;
}

/* Step t's K best extensions of the n rows, by the sum of log-probabilities
 *     sum(y_0..y_t) = sum(y_0..y_t−1) + log p(y_t | y_0..y_t−1, x),
 *     log p(v) = logit_v − log Σ_u exp(logit_u)          (in double),
 * ties going to the earlier row, then the lower token (so that K = 1 takes
 * greedy decoding's argmax); then split into those going on and those
 * ending in <EOS> (see beam_state). */
static void beam_select(beam_state *bs, int t, int n)
{
    const int K = bs->K, V = bs->V;
    int c = 0;
    for (int r = 0; r < n; r++) {
        const float *x = bs->logits + (size_t)r * V;
        float mx = x[0];
        for (int v = 1; v < V; v++)
            if (x[v] > mx) mx = x[v];
        double z = 0.0;
        for (int v = 0; v < V; v++) z += exp((double)x[v] - (double)mx);
        const double base = (t > 0 ? bs->sum[(size_t)(t - 1) * K + r] : 0.0) - mx - log(z);
        for (int v = 0; v < V; v++) {
            const double key = base + (double)x[v];
            if (isnan(key) || (c == K && !(key > bs->c_sum[K - 1]))) continue;
            int i = c < K ? c++ : K - 1;
            for (; i > 0 && key > bs->c_sum[i - 1]; i--) {
                bs->c_sum[i] = bs->c_sum[i - 1];
                bs->c_row[i] = bs->c_row[i - 1];
                bs->c_tok[i] = bs->c_tok[i - 1];
            }
            bs->c_sum[i] = key;
            bs->c_row[i] = r;
            bs->c_tok[i] = v;
        }
    }
    const size_t at = (size_t)t * K;
    int j = 0;
    for (int ends = 0; ends < 2; ends++) {
        for (int i = 0; i < c; i++) {
            if ((bs->c_tok[i] == S2S_EOS) != ends) continue;
            bs->sum[at + j] = bs->c_sum[i];
            bs->par[at + j] = bs->c_row[i];
            bs->tok[at + j] = bs->c_tok[i];
            j++;
        }
        if (!ends) bs->n_live[t] = j;
    }
    bs->n_sel[t] = c;
}

/* Before step t+1: dec_in row t+1 gets the tokens of the hypotheses going
 * on, and the state each step reads back (every layer's dec_h row t+1; for
 * location attention the alignment, alpha row t) is gathered from the
 * rows they extend: new row j = old row par[j]. */
static void beam_reorder(s2s_model *m, workspace *w, const beam_state *bs, int t, int n_old)
{
    s2s_backend *be = m->be;
    const int K = bs->K, n = bs->n_live[t], H = m->cfg.hidden, L = m->cfg.layers, S = bs->S;
    const int *par = bs->par + (size_t)t * K;
    be->upload(be, w->dec_in + (size_t)(t + 1) * K, bs->tok + (size_t)t * K,
               sizeof(int) * (size_t)n);
    int same = 1;
    for (int j = 0; j < n; j++) same &= par[j] == j;
    if (same) return; /* (always so for K = 1) */
    be->upload(be, w->beam_rows, par, sizeof(int) * (size_t)n);
    for (int l = 0; l < L; l++) {
        float *h = w->dec_h[l] + (size_t)(t + 1) * K * H;
        be->copy(be, w->beam_tmp, h, sizeof(float) * (size_t)n_old * H);
        be->embed_forward(be, h, w->beam_tmp, w->beam_rows, n, H);
    }
    if (m->cfg.attention == S2S_ATTN_LOCATION) {
        float *a = w->alpha + (size_t)t * K * S;
        be->copy(be, w->beam_tmp, a, sizeof(float) * (size_t)n_old * S);
        be->embed_forward(be, a, w->beam_tmp, w->beam_rows, n, S);
    }
}

/* The hypothesis selected at step t in slot j, traced back to step 0: its
 * token at each step and the attention row of the row it extended there. */
static void beam_path(const beam_state *bs, int t, int j, int *tokens, float *attn)
{
    const int K = bs->K, S = bs->S;
    for (int s = t; s >= 0; s--) {
        const size_t at = (size_t)s * K + j;
        const int r = bs->par[at];
        if (tokens) tokens[s] = bs->tok[at];
        if (attn)
            memcpy(attn + (size_t)s * S, bs->alpha + ((size_t)s * K + r) * S,
                   sizeof(float) * (size_t)S);
        j = r;
    }
}

/* The search itself: steps t = 0 .. D−1 over the rows still going on (one
 * at step 0), each followed by beam_select and beam_reorder. A hypothesis
 * ending in <EOS> at step t has length t + 1 and is compared with the other
 * finished ones by score = sum / (t + 1); the best is kept. Log-probabilities
 * are <= 0, so one going on with sum s can at best end with s / D (its sum
 * only falls, and the longest length divides the most): once the best
 * finished score reaches that for every one going on, the search stops.
 * Sets *best_t, *best_j to the chosen selection (see beam_state); with
 * none finished, the best going on after the last step. */
static int beam_search(s2s_model *m, workspace *w, beam_state *bs, int D, int with_attn,
                       int *best_t, int *best_j, s2s_error *err)
{
    s2s_backend *be = m->be;
    const int K = bs->K, V = bs->V, S = bs->S;
    double best = -INFINITY;
    int n = 1, t = 0, rc = 0;
    *best_t = *best_j = -1;
    for (; n > 0 && t < D; t++) {
        const int rows = n;
        w->dec_n[t] = rows;
        decoder_step(m, w, t, K, S, NULL, 0, 0);
        be->download(be, bs->logits, w->logits + (size_t)t * K * V,
                     sizeof(float) * (size_t)rows * V);
        if (with_attn)
            be->download(be, bs->alpha + (size_t)t * K * S, w->alpha + (size_t)t * K * S,
                         sizeof(float) * (size_t)rows * S);
        rc = be->sync(be, err);
        if (rc) return rc;
        beam_select(bs, t, rows);
        const size_t at = (size_t)t * K;
        for (int j = bs->n_live[t]; j < bs->n_sel[t]; j++)
            if (bs->sum[at + j] / (t + 1) > best) {
                best = bs->sum[at + j] / (t + 1);
                *best_t = t;
                *best_j = j;
            }
        n = bs->n_live[t];
        if (n > 0 && *best_t >= 0 && bs->sum[at] / D <= best) n = 0;
        if (n > 0 && t + 1 < D) beam_reorder(m, w, bs, t, rows);
    }
    if (*best_t >= 0) return 0;
    if (t < 1 || bs->n_live[t - 1] < 1)
        return s2s_fail(err, S2S_ERR_DEVICE,
                        "beam search: every score at decoder step %d is not a number", t - 1);
    *best_t = t - 1; /* none finished: the best sum, all of length D */
    *best_j = 0;
    return 0;
}

int model_beam(s2s_model *m, const s2s_batch *b, int K, int max_steps, int *tokens, float *attn,
               s2s_beam_result *res, s2s_error *err)
{
    if (K < 1 || K > S2S_BEAM_MAX)
        return s2s_fail(err, S2S_ERR_ARG, "beam width %d is out of range (1..%d)", K,
                        S2S_BEAM_MAX);
    if (max_steps < 1) return s2s_fail(err, S2S_ERR_ARG, "max_steps must be at least 1");
    if (b->B != 1)
        return s2s_fail(err, S2S_ERR_ARG,
                        "beam search decodes one sentence at a time (the batch holds %d)", b->B);
    s2s_batch src_only = *b;
    src_only.tgt = NULL;
    src_only.ntok = 1;
    int rc = check_batch(m, &src_only, err);
    if (rc) return rc;
    const int S = b->S + model_src_prefix(m), cap = model_decode_cap(m, b->src_len[0]);
    const int D = max_steps < cap ? max_steps : cap;
    workspace *w = &m->ws[0];
    beam_state bs;
    rc = beam_alloc(&bs, K, m->cfg.tgt_vocab, S, D, attn != NULL, err);
    if (rc) return rc;
    int best_t = -1, best_j = -1;
    rc = beam_start(m, w, &src_only, K, D, bs.tok, err);
    if (!rc)
        rc = beam_search(m, w, &bs, D, attn && m->cfg.attention != S2S_ATTN_NONE, &best_t,
                         &best_j, err);
    if (!rc) {
        beam_path(&bs, best_t, best_j, tokens, attn);
        if (res) {
            const double sum = bs.sum[(size_t)best_t * K + best_j];
            res->steps = best_t + 1;
            res->stopped = bs.tok[(size_t)best_t * K + best_j] == S2S_EOS;
            res->n_words = res->steps - res->stopped;
            res->logprob = sum;
            res->score = sum / res->steps;
        }
    }
    /* Uploads read host memory the backend may not have copied yet. */
    s2s_error sync_err;
    int src = m->be->sync(m->be, &sync_err);
    if (src && !rc) {
        rc = src;
        if (err) *err = sync_err;
    }
    beam_free(&bs);
    return rc;
}
