/* test_gradcheck.c — finite-difference checks of every backward pass, at tiny
 * sizes: each operation of the CPU backend alone, then the whole model
 * (both attention kinds and none, dropout on, teacher forcing mixed), and
 * the promise that padding never leaks into a sentence's result. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "data.h"
#include "model.h"
#include "rng.h"
#include "testutil.h"

static s2s_backend *g_be; /* made in the group setup; tests are single-threaded */

static int setup(void **state)
{
    (void)state;
    s2s_error err;
    return backend_cpu_create(&g_be, 1, &err);
}

static int teardown(void **state)
{
    (void)state;
    backend_free(g_be);
    return 0;
}

static void fill_uniform(float *x, size_t n, s2s_rng *r, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = (2.0f * rng_uniform(r) - 1.0f) * scale;
}

/* Compares an analytic gradient with central differences of f, element by
 * element; returns the worst error as |fd − g| / (abs_floor + |fd|). */
typedef double (*scalar_fn)(void *ctx);

static double fd_compare(const char *what, scalar_fn f, void *ctx, float *x, size_t n,
                         const float *grad, float eps, double abs_floor)
{
    double worst = 0.0;
    size_t wi = 0;
    double wfd = 0, wg = 0;
    for (size_t i = 0; i < n; i++) {
        float save = x[i];
        x[i] = save + eps;
        double fp = f(ctx);
        x[i] = save - eps;
        double fm = f(ctx);
        x[i] = save;
        double fd = (fp - fm) / (2.0 * (double)eps);
        double e = fabs(fd - (double)grad[i]) / (abs_floor + fabs(fd));
        if (e > worst) {
            worst = e;
            wi = i;
            wfd = fd;
            wg = grad[i];
        }
    }
    printf("  %-28s worst rel err %.2e (element %zu: fd %.6g, analytic %.6g)\n", what, worst, wi,
           wfd, wg);
    return worst;
}

/* ------------------------------------------------------------ GRU cell */

typedef struct {
    int B, H, use_len, t;
    float *gi, *gh, *hp, *w, *h, *gates;
    int *len;
} gru_ctx;

static double gru_f(void *p)
{
    gru_ctx *c = p;
    g_be->gru_forward(g_be, c->h, c->gates, c->gi, c->gh, NULL, NULL, c->hp,
                      c->use_len ? c->len : NULL, c->t, c->B, c->H);
    double s = 0;
    for (int i = 0; i < c->B * c->H; i++) s += (double)c->w[i] * c->h[i];
    return s;
}

static void test_gru_cell(void **state)
{
    (void)state;
    enum { B = 3, H = 5 };
    s2s_rng r;
    rng_seed(&r, 11);
    float gi[B * 3 * H], gh[B * 3 * H], hp[B * H], w[B * H], h[B * H], gates[B * 4 * H];
    float dgi[B * 3 * H], dgh[B * 3 * H], dhp[B * H];
    int len[B] = {3, 1, 2}; /* at t = 1, sentence 1 is finished and must carry h */
    fill_uniform(gi, B * 3 * H, &r, 1.5f);
    fill_uniform(gh, B * 3 * H, &r, 1.5f);
    fill_uniform(hp, B * H, &r, 0.9f);
    fill_uniform(w, B * H, &r, 1.0f);
    gru_ctx c = {B, H, 1, 1, gi, gh, hp, w, h, gates, len};
    gru_f(&c);
    g_be->gru_backward(g_be, dgi, dgh, dhp, w, gates, hp, len, 1, B, H);
    /* The caller adds d_gh W_hh to dh_prev; here h_prev enters only directly
     * (gh is an independent input), so dhp is the whole derivative. */
    double e = 0;
    e = fmax(e, fd_compare("gru d_gi", gru_f, &c, gi, B * 3 * H, dgi, 1e-2f, 1e-2));
    e = fmax(e, fd_compare("gru d_gh", gru_f, &c, gh, B * 3 * H, dgh, 1e-2f, 1e-2));
    e = fmax(e, fd_compare("gru dh_prev", gru_f, &c, hp, B * H, dhp, 1e-2f, 1e-2));
    assert_true(e < 2e-3);
    /* The finished sentence: h = h_prev exactly and no gate gradient. */
    for (int j = 0; j < H; j++) {
        assert_true(h[1 * H + j] == hp[1 * H + j]);
        assert_true(dgi[1 * 3 * H + j] == 0.0f);
        assert_true(dhp[1 * H + j] == w[1 * H + j]);
    }
}

/* ------------------------------------------------------------ attention */

typedef struct {
    int kind, S, B, H;
    float *ctxv, *alpha, *energy, *keys, *query, *v, *values, *w;
    int *len;
    const float *wa; /* (B,S) weights of alpha in the loss, or NULL */
} attn_ctx;

static double attn_f(void *p)
{
    attn_ctx *c = p;
    g_be->attn_forward(g_be, c->kind, c->ctxv, c->alpha, c->energy, c->keys, c->query, c->v,
                       c->values, c->len, c->S, c->B, c->H);
    double s = 0;
    for (int i = 0; i < c->B * c->H; i++) s += (double)c->w[i] * c->ctxv[i];
    for (int i = 0; c->wa && i < c->B * c->S; i++) s += (double)c->wa[i] * c->alpha[i];
    return s;
}

static void check_attention(int kind)
{
    enum { S = 4, B = 3, H = 5 };
    s2s_rng r;
    rng_seed(&r, 12 + (uint64_t)kind);
    float keys[S * B * H], query[B * H], v[H], values[S * B * H], w[B * H];
    float ctxv[B * H], alpha[B * S], energy[S * B * H];
    float dkeys[S * B * H] = {0}, dquery[B * H], dv[H] = {0}, dvalues[S * B * H] = {0};
    int len[B] = {4, 2, 3};
    fill_uniform(keys, S * B * H, &r, 1.0f);
    fill_uniform(query, B * H, &r, 1.0f);
    fill_uniform(v, H, &r, 1.5f);
    fill_uniform(values, S * B * H, &r, 1.0f);
    fill_uniform(w, B * H, &r, 1.0f);
    /* Bahdanau's loss also weighs alpha itself (the gradient location
     * attention's next step sends back through d_alpha). */
    float wa[B * S];
    fill_uniform(wa, B * S, &r, 1.0f);
    const float *dalpha = kind == S2S_ATTN_BAHDANAU ? wa : NULL;
    attn_ctx c = {kind, S, B, H, ctxv, alpha, energy, keys, query, v, values, w, len, dalpha};
    attn_f(&c);
    for (int b = 0; b < B; b++) {
        double sum = 0;
        for (int s = 0; s < S; s++) {
            sum += alpha[b * S + s];
            if (s >= len[b]) assert_true(alpha[b * S + s] == 0.0f); /* masked exactly */
        }
        assert_true(fabs(sum - 1.0) < 1e-6);
    }
    g_be->attn_backward(g_be, kind, dkeys, dquery, dv, dvalues, w, dalpha, alpha, energy, query, v, values,
                        len, S, B, H);
    double e = 0;
    const char *n = kind == S2S_ATTN_BAHDANAU ? "bahdanau" : "luong";
    char what[64];
    snprintf(what, sizeof what, "%s d_query", n);
    e = fmax(e, fd_compare(what, attn_f, &c, query, B * H, dquery, 1e-2f, 1e-2));
    snprintf(what, sizeof what, "%s d_values", n);
    e = fmax(e, fd_compare(what, attn_f, &c, values, S * B * H, dvalues, 1e-2f, 1e-2));
    if (kind == S2S_ATTN_BAHDANAU) {
        e = fmax(e, fd_compare("bahdanau d_keys", attn_f, &c, keys, S * B * H, dkeys, 1e-2f, 1e-2));
        e = fmax(e, fd_compare("bahdanau d_v", attn_f, &c, v, H, dv, 1e-2f, 1e-2));
    }
    assert_true(e < 2e-3);
    /* Padded positions get no gradient. */
    for (int s = 2; s < S; s++)
        for (int j = 0; j < H; j++) assert_true(dvalues[(s * B + 1) * H + j] == 0.0f);
}

static void test_attention_bahdanau(void **state)
{
    (void)state;
    check_attention(S2S_ATTN_BAHDANAU);
}

static void test_attention_luong(void **state)
{
    (void)state;
    check_attention(S2S_ATTN_LUONG);
}

/* ------------------------------------------------------------ cross-entropy */

typedef struct {
    int B, V;
    float *logits, *dl;
    int *target;
} xent_ctx;

static double xent_f(void *p)
{
    xent_ctx *c = p;
    float loss = 0;
    g_be->xent_forward(g_be, &loss, c->dl, c->logits, c->target, c->B, c->V, 0.25f);
    return loss;
}

static void test_cross_entropy(void **state)
{
    (void)state;
    enum { B = 4, V = 7 };
    s2s_rng r;
    rng_seed(&r, 13);
    float logits[B * V], dl[B * V], dl_scratch[B * V];
    int target[B] = {3, 0, 6, 1}; /* row 1 is <PAD>: no loss, no gradient */
    fill_uniform(logits, B * V, &r, 2.0f);
    xent_ctx c = {B, V, logits, dl_scratch, target};
    float loss = 0;
    g_be->xent_forward(g_be, &loss, dl, logits, target, B, V, 0.25f);
    /* Direct check of the value on row 0. */
    double mx = -1e30, se = 0;
    for (int k = 0; k < V; k++) mx = fmax(mx, logits[k]);
    for (int k = 0; k < V; k++) se += exp(logits[k] - mx);
    double l0 = (log(se) + mx - logits[3]) * 0.25;
    assert_true(l0 > 0 && l0 < loss);
    double e = fd_compare("xent d_logits", xent_f, &c, logits, B * V, dl, 1e-2f, 1e-2);
    assert_true(e < 2e-3);
    for (int k = 0; k < V; k++) assert_true(dl[V + k] == 0.0f);
}

/* ------------------------------------------------------------ embedding */

static void test_embedding(void **state)
{
    (void)state;
    enum { V = 5, E = 3, N = 6 };
    float table[V * E], out[N * E], dout[N * E], dtable[V * E] = {0};
    int ids[N] = {2, 0, 4, 2, 1, 0};
    for (int i = 0; i < V * E; i++) table[i] = (float)i;
    for (int i = 0; i < N * E; i++) dout[i] = 1.0f + (float)i;
    g_be->embed_forward(g_be, out, table, ids, N, E);
    for (int i = 0; i < N; i++)
        for (int e = 0; e < E; e++) assert_true(out[i * E + e] == table[ids[i] * E + e]);
    g_be->embed_backward(g_be, dtable, dout, ids, N, E);
    /* The embedding is linear: its gradient is the sum of the rows that read it. */
    for (int e = 0; e < E; e++) {
        assert_true(dtable[0 * E + e] == 0.0f); /* <PAD> never learns */
        assert_true(dtable[2 * E + e] == dout[0 * E + e] + dout[3 * E + e]);
        assert_true(dtable[4 * E + e] == dout[2 * E + e]);
        assert_true(dtable[3 * E + e] == 0.0f);
    }
}

/* ------------------------------------------------------------ location term */

typedef struct {
    int S, B, H;
    float *keys_t, *keys, *alpha_prev, *U, *bias, *w;
} loc_ctx;

static double loc_f(void *p)
{
    loc_ctx *c = p;
    g_be->loc_forward(g_be, c->keys_t, c->keys, c->alpha_prev, c->U, c->bias, c->S, c->B, c->H);
    double s = 0;
    for (int i = 0; i < c->S * c->B * c->H; i++) s += (double)c->w[i] * c->keys_t[i];
    return s;
}

/* The location term's gradients of U, its bias and the previous alignment,
 * the last at both edges of the sequence (the convolution's zero padding). */
static void test_location_term(void **state)
{
    (void)state;
    enum { S = 5, B = 2, H = 4, K = S2S_LOC_K };
    s2s_rng r;
    rng_seed(&r, 77);
    float keys[S * B * H], keys_t[S * B * H], alpha_prev[B * S], U[H * K], bias[H], w[S * B * H];
    float dU[H * K] = {0}, dbias[H] = {0}, dalpha[B * S];
    fill_uniform(keys, S * B * H, &r, 1.0f);
    fill_uniform(alpha_prev, B * S, &r, 1.0f);
    fill_uniform(U, H * K, &r, 1.0f);
    fill_uniform(bias, H, &r, 1.0f);
    fill_uniform(w, S * B * H, &r, 1.0f);
    loc_ctx c = {S, B, H, keys_t, keys, alpha_prev, U, bias, w};
    loc_f(&c);
    /* keys_t − keys at (s=0, b=0, h=0): the left tap sees the padding. */
    assert_true(fabsf(keys_t[0] - keys[0] -
                      (bias[0] + U[1] * alpha_prev[0] + U[2] * alpha_prev[1])) < 1e-6f);
    g_be->loc_backward(g_be, dU, dbias, dalpha, w, alpha_prev, U, S, B, H);
    double e = 0;
    e = fmax(e, fd_compare("loc dU", loc_f, &c, U, H * K, dU, 1e-2f, 1e-2));
    e = fmax(e, fd_compare("loc dbias", loc_f, &c, bias, H, dbias, 1e-2f, 1e-2));
    e = fmax(e, fd_compare("loc d_alpha_prev", loc_f, &c, alpha_prev, B * S, dalpha, 1e-2f, 1e-2));
    assert_true(e < 1e-3);
}

/* ------------------------------------------------------------ whole model */

/* Three sentences of 1, 3 and 2 words: sources (with <EOS>) of 2, 4, 3
 * tokens and targets of 3, 5, 4, so both sides are padded. */
static void make_batch_ordered(s2s_batch *b, int V, const int order[3]);
static void make_batch(s2s_batch *b, int V)
{
    static const int as_written[3] = {0, 1, 2};
    make_batch_ordered(b, V, as_written);
}

/* The same sentences, sentence k of the batch being sentence order[k]. */
static void make_batch_ordered(s2s_batch *b, int V, const int order[3])
{
    static const int words[3][3] = {{5, 0, 0}, {6, 7, 8}, {9 % 10, 4, 0}};
    static const int nw[3] = {1, 3, 2};
    s2s_error err;
    CHECK_OK(batch_create(b, 3, 4, 5, &err), &err);
    b->B = 3;
    b->S = 4;
    b->T = 5;
    b->ntok = 0;
    for (int i = 0; i < 3 * 4; i++) b->src[i] = S2S_PAD;
    for (int i = 0; i < 3 * 5; i++) b->tgt[i] = S2S_PAD;
    for (int s = 0; s < 3; s++) {
        const int *wd = words[order[s]];
        int n = nw[order[s]];
        for (int k = 0; k < n; k++) b->src[k * 3 + s] = wd[k] % V;
        b->src[n * 3 + s] = S2S_EOS;
        b->src_len[s] = n + 1;
        b->tgt[s] = S2S_SOS;
        for (int k = 0; k < n; k++) b->tgt[(k + 1) * 3 + s] = wd[n - 1 - k] % V;
        b->tgt[(n + 1) * 3 + s] = S2S_EOS;
        b->tgt_len[s] = n + 2;
        b->ntok += n + 1;
    }
}

typedef struct {
    s2s_model *m;
    s2s_batch *b;
    float *params;
    const unsigned char *feed;
    int train;
} model_ctx;

static double model_f(void *p)
{
    model_ctx *c = p;
    s2s_error err;
    float loss = 0;
    CHECK_OK(model_set_params(c->m, c->params, &err), &err);
    CHECK_OK(model_forward_backward(c->m, c->b, c->feed, c->train, 99, &loss, &err), &err);
    return loss;
}

static void check_model_ordered(int attention, int train, const unsigned char *feed, double tol,
                                const int *order)
{
    s2s_error err;
    /* Source and target vocabularies of different sizes, as pairs have. */
    s2s_config cfg = {12, 10, 3, 4, 2, train ? 0.25f : 0.0f, attention, 0};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, g_be, &err), &err);
    CHECK_OK(model_init_params(m, 5, &err), &err);
    s2s_batch b = {0};
    if (order)
        make_batch_ordered(&b, cfg.tgt_vocab, order);
    else
        make_batch(&b, cfg.tgt_vocab);
    size_t n = model_num_params(m);
    float *params = malloc(n * sizeof(float)), *grads = malloc(n * sizeof(float));
    assert_non_null(params);
    assert_non_null(grads);
    CHECK_OK(model_get_params(m, params, &err), &err);
    model_ctx c = {m, &b, params, feed, train};
    double loss = model_f(&c);
    assert_true(isfinite(loss) && loss > 0);
    CHECK_OK(model_get_grads(m, grads, &err), &err);
    printf(" model attention=%s train=%d feed=%s loss=%.6f\n", attention_name(attention), train,
           !feed ? "none" : feed[2] ? "all" : "mixed", loss);
    double worst = 0;
    for (int i = 0; i < model_num_tensors(m); i++) {
        const s2s_tensor_info *t = model_tensor(m, i);
        /* Every tensor gets a gradient somewhere (the <PAD> rows excepted). */
        double gmax = 0;
        for (size_t k = 0; k < t->numel; k++) gmax = fmax(gmax, fabs(grads[t->offset + k]));
        if (gmax == 0.0) fail_msg("tensor %s has an all-zero gradient", t->name);
        size_t skip = 0;
        if (strstr(t->name, "embedding")) {
            /* The <PAD> row follows padding_idx: its gradient is zero by
             * definition (as in PyTorch), though a PAD fed back by argmax
             * does touch the loss; check that, and differentiate the rest. */
            skip = (size_t)t->dims[1];
            for (size_t k = 0; k < skip; k++) assert_true(grads[t->offset + k] == 0.0f);
        }
        worst = fmax(worst, fd_compare(t->name, model_f, &c, params + t->offset + skip,
                                       t->numel - skip, grads + t->offset + skip, 1e-2f, 3e-2));
    }
    printf(" worst over the model: %.2e (bound %.0e)\n", worst, tol);
    assert_true(worst < tol);
    free(params);
    free(grads);
    batch_free(&b);
    model_free(m);
}

static void check_model(int attention, int train, const unsigned char *feed, double tol)
{
    check_model_ordered(attention, train, feed, tol, NULL);
}

/* Teacher forcing at steps 1 and 3, the model's own argmax at step 2. */
static const unsigned char FEED_MIXED[5] = {0, 1, 0, 1, 0};
static const unsigned char FEED_ALL[5] = {0, 1, 1, 1, 1};

static void test_model_bahdanau(void **state)
{
    (void)state;
    check_model(S2S_ATTN_BAHDANAU, 0, FEED_ALL, 5e-3);
}

static void test_model_bahdanau_dropout_mixed_feed(void **state)
{
    (void)state;
    check_model(S2S_ATTN_BAHDANAU, 1, FEED_MIXED, 5e-3);
}

/* Longest first, as the training loop orders a batch: steps then compute a
 * shrinking prefix of rows and skip the finished ones entirely. */
static void test_model_sorted_batch(void **state)
{
    (void)state;
    static const int longest_first[3] = {1, 2, 0};
    check_model_ordered(S2S_ATTN_BAHDANAU, 1, FEED_MIXED, 5e-3, longest_first);
    check_model_ordered(S2S_ATTN_LUONG, 0, FEED_ALL, 5e-3, longest_first);
}

static void test_model_luong(void **state)
{
    (void)state;
    check_model(S2S_ATTN_LUONG, 1, FEED_ALL, 5e-3);
}

/* Location attention: the location term, the start marker and the gradient
 * through the previous alignment (α_{t−1} feeds step t's scores). */
static void test_model_location(void **state)
{
    (void)state;
    check_model(S2S_ATTN_LOCATION, 0, FEED_ALL, 5e-3);
    check_model(S2S_ATTN_LOCATION, 1, FEED_MIXED, 5e-3);
    static const int longest_first[3] = {1, 2, 0};
    /* Fed by the truth: with its own argmax, a ±1e-2 nudge of fc.bias here
     * flips a fed-back token and the difference quotient jumps. */
    check_model_ordered(S2S_ATTN_LOCATION, 1, FEED_ALL, 5e-3, longest_first);
}

static void test_model_no_attention(void **state)
{
    (void)state;
    check_model(S2S_ATTN_NONE, 1, FEED_MIXED, 5e-3);
}

/* A sentence's loss and its greedy output are the same alone or padded in a
 * batch beside longer ones: padding never leaks. */
static void test_padding_does_not_leak(void **state)
{
    (void)state;
    s2s_error err;
    s2s_config cfg = {10, 10, 3, 4, 2, 0.0f, S2S_ATTN_BAHDANAU, 0};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, g_be, &err), &err);
    CHECK_OK(model_init_params(m, 8, &err), &err);
    s2s_batch all = {0}, one = {0};
    make_batch(&all, cfg.tgt_vocab);
    CHECK_OK(batch_create(&one, 1, 4, 5, &err), &err);
    double sum = 0;
    float loss_all = 0;
    CHECK_OK(model_forward_loss(m, &all, FEED_ALL, &loss_all, &err), &err);
    enum { STEPS = 6 };
    int tok_all[3 * STEPS], tok_one[STEPS];
    float att_all[3 * STEPS * 4], att_one[STEPS * 4];
    CHECK_OK(model_greedy(m, &all, STEPS, tok_all, att_all, &err), &err);
    for (int s = 0; s < 3; s++) {
        /* Sentence s alone, unpadded. */
        one.B = 1;
        one.S = all.src_len[s];
        one.T = all.tgt_len[s];
        for (int t = 0; t < one.S; t++) one.src[t] = all.src[t * 3 + s];
        for (int t = 0; t < one.T; t++) one.tgt[t] = all.tgt[t * 3 + s];
        one.src_len[0] = one.S;
        one.tgt_len[0] = one.T;
        one.ntok = one.T - 1;
        float l = 0;
        CHECK_OK(model_forward_loss(m, &one, FEED_ALL, &l, &err), &err);
        sum += (double)l * one.ntok;
        CHECK_OK(model_greedy(m, &one, STEPS, tok_one, att_one, &err), &err);
        const int cap = 2 * one.S < STEPS ? 2 * one.S : STEPS; /* decoded steps */
        for (int t = 0; t < cap; t++) {
            assert_int_equal(tok_one[t], tok_all[s * STEPS + t]);
            for (int k = 0; k < one.S; k++)
                assert_true(fabsf(att_one[t * one.S + k] - att_all[(s * STEPS + t) * 4 + k]) < 1e-6f);
            for (int k = one.S; k < 4; k++) assert_true(att_all[(s * STEPS + t) * 4 + k] == 0.0f);
        }
    }
    double batched = (double)loss_all * all.ntok;
    printf("  token-summed loss: batched %.7f, one by one %.7f\n", batched, sum);
    assert_true(fabs(batched - sum) < 1e-5 * fabs(sum));
    batch_free(&all);
    batch_free(&one);
    model_free(m);
}

/* Splitting a batch across two threads changes only the order of float
 * sums: loss, every gradient and the greedy output agree with one thread. */
static void test_shards_match_single(void **state)
{
    (void)state;
    s2s_error err;
    s2s_backend *be2 = NULL;
    CHECK_OK(backend_cpu_create(&be2, 2, &err), &err);
    assert_int_equal(be2->shards, 2);
    s2s_config cfg = {10, 10, 3, 4, 2, 0.0f, S2S_ATTN_BAHDANAU, 0};
    s2s_model *m1 = NULL, *m2 = NULL;
    CHECK_OK(model_create(&m1, &cfg, g_be, &err), &err);
    CHECK_OK(model_create(&m2, &cfg, be2, &err), &err);
    CHECK_OK(model_init_params(m1, 21, &err), &err);
    CHECK_OK(model_init_params(m2, 21, &err), &err);
    s2s_batch b = {0};
    static const int longest_first[3] = {1, 2, 0};
    make_batch_ordered(&b, cfg.tgt_vocab, longest_first);
    float l1 = 0, l2 = 0;
    CHECK_OK(model_forward_backward(m1, &b, FEED_MIXED, 0, 3, &l1, &err), &err);
    CHECK_OK(model_forward_backward(m2, &b, FEED_MIXED, 0, 3, &l2, &err), &err);
    size_t n = model_num_params(m1);
    float *g1 = malloc(n * sizeof(float)), *g2 = malloc(n * sizeof(float));
    assert_non_null(g1);
    assert_non_null(g2);
    CHECK_OK(model_get_grads(m1, g1, &err), &err);
    CHECK_OK(model_get_grads(m2, g2, &err), &err);
    size_t wi = 0;
    double e = worst_excess(g2, g1, n, 1e-4, &wi);
    printf("  loss %.7f vs %.7f; worst gradient excess %.2e at %zu\n", l1, l2, e, wi);
    assert_true(fabs(l1 - l2) <= 1e-6 * fabs(l1));
    assert_true(e <= 1e-7);
    enum { STEPS = 8 };
    int t1[3 * STEPS], t2[3 * STEPS];
    float a1[3 * STEPS * 4], a2[3 * STEPS * 4];
    CHECK_OK(model_greedy(m1, &b, STEPS, t1, a1, &err), &err);
    CHECK_OK(model_greedy(m2, &b, STEPS, t2, a2, &err), &err);
    for (int i = 0; i < 3; i++)
        for (int t = 0; t < 2 * b.src_len[i] && t < STEPS; t++) {
            assert_int_equal(t1[i * STEPS + t], t2[i * STEPS + t]);
            for (int k = 0; k < 4; k++)
                assert_true(fabsf(a1[(i * STEPS + t) * 4 + k] - a2[(i * STEPS + t) * 4 + k]) < 1e-6f);
        }
    free(g1);
    free(g2);
    batch_free(&b);
    model_free(m1);
    model_free(m2);
    backend_free(be2);
}

/* The CPU backend runs the all-steps weight-gradient products over the
 * live rows only (be->pack_rows); the rows it leaves out hold zeros, so
 * loss and every gradient are the same bits as over every row, with the
 * batch in any order, for each attention kind, with dropout and mixed
 * teacher forcing. */
static void test_live_rows_match_all_rows(void **state)
{
    (void)state;
    s2s_error err;
    s2s_backend *all_rows = NULL;
    CHECK_OK(backend_cpu_create(&all_rows, 1, &err), &err);
    all_rows->pack_rows = 0;
    assert_int_equal(g_be->pack_rows, 1);
    static const int orders[2][3] = {{0, 1, 2}, {1, 2, 0}};
    const int kinds[] = {S2S_ATTN_BAHDANAU, S2S_ATTN_LUONG, S2S_ATTN_LOCATION, S2S_ATTN_NONE};
    for (int a = 0; a < 4; a++)
        for (int o = 0; o < 2; o++) {
            s2s_config cfg = {10, 10, 3, 4, 2, 0.25f, kinds[a], 0};
            s2s_model *packed = NULL, *plain = NULL;
            CHECK_OK(model_create(&packed, &cfg, g_be, &err), &err);
            CHECK_OK(model_create(&plain, &cfg, all_rows, &err), &err);
            CHECK_OK(model_init_params(packed, 31, &err), &err);
            CHECK_OK(model_init_params(plain, 31, &err), &err);
            s2s_batch b = {0};
            make_batch_ordered(&b, cfg.tgt_vocab, orders[o]);
            float l1 = 0, l2 = 0;
            CHECK_OK(model_forward_backward(packed, &b, FEED_MIXED, 1, 5, &l1, &err), &err);
            CHECK_OK(model_forward_backward(plain, &b, FEED_MIXED, 1, 5, &l2, &err), &err);
            const size_t n = model_num_params(packed);
            float *g1 = malloc(n * sizeof(float)), *g2 = malloc(n * sizeof(float));
            assert_non_null(g1);
            assert_non_null(g2);
            CHECK_OK(model_get_grads(packed, g1, &err), &err);
            CHECK_OK(model_get_grads(plain, g2, &err), &err);
            assert_memory_equal(&l1, &l2, sizeof l1);
            assert_memory_equal(g1, g2, n * sizeof(float));
            free(g1);
            free(g2);
            batch_free(&b);
            model_free(packed);
            model_free(plain);
        }
    backend_free(all_rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gru_cell),
        cmocka_unit_test(test_attention_bahdanau),
        cmocka_unit_test(test_attention_luong),
        cmocka_unit_test(test_location_term),
        cmocka_unit_test(test_cross_entropy),
        cmocka_unit_test(test_embedding),
        cmocka_unit_test(test_model_bahdanau),
        cmocka_unit_test(test_model_bahdanau_dropout_mixed_feed),
        cmocka_unit_test(test_model_sorted_batch),
        cmocka_unit_test(test_model_luong),
        cmocka_unit_test(test_model_location),
        cmocka_unit_test(test_model_no_attention),
        cmocka_unit_test(test_padding_does_not_leak),
        cmocka_unit_test(test_shards_match_single),
        cmocka_unit_test(test_live_rows_match_all_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
