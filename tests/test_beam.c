/* test_beam.c — beam search: width 1 is greedy decoding (tokens and
 * attention) for every attention kind; width 5 never scores below greedy;
 * a wide beam finds the best hypothesis that exhaustive enumeration finds
 * under the same scoring (mean log-probability, each sequence scored
 * independently by the teacher-forced training path); the dataset and
 * one-sentence decoders agree; bad arguments are refused. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "decode.h"

/* The synthetic task's test sentences and their shared vocabulary. */
typedef struct {
    synth_data s;
    s2s_backend *be;
} fixture;

static void fixture_open(fixture *f)
{
    s2s_error err;
    s2s_error_clear(&err);
    memset(f, 0, sizeof *f);
    synth_open(&f->s, 100, 10, 12, 11, 1);
    CHECK_OK(backend_cpu_create(&f->be, 1, &err), &err);
}

static void fixture_close(fixture *f)
{
    synth_close(&f->s);
    backend_free(f->be);
}

static s2s_model *random_model(s2s_backend *be, int Vs, int Vt, int E, int H, int L, int attn,
                               uint64_t seed)
{
    s2s_error err;
    s2s_error_clear(&err);
    s2s_config cfg = {.src_vocab = Vs, .tgt_vocab = Vt, .embed = E, .hidden = H, .layers = L,
                      .attention = attn};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    CHECK_OK(model_init_params(m, seed, &err), &err);
    return m;
}

/* A one-sentence batch of the source ids src[0..n) (the last one <EOS>). */
static void one_source(s2s_batch *b, const int *src, int n)
{
    s2s_error err;
    s2s_error_clear(&err);
    CHECK_OK(batch_reserve(b, 1, n, 2, &err), &err);
    b->B = 1;
    b->S = n;
    b->T = 2;
    b->ntok = 1;
    memcpy(b->src, src, sizeof(int) * (size_t)n);
    b->src_len[0] = n;
}

/* Mean log-probability of tok[0..n) after the source src[0..S), by the
 * training path with teacher forcing throughout (no dropout). The tokens
 * must not hold <PAD>, which the loss skips. */
static double teacher_score(s2s_model *m, const int *src, int S, const int *tok, int n)
{
    s2s_error err;
    s2s_error_clear(&err);
    s2s_batch b = {0};
    CHECK_OK(batch_create(&b, 1, S, n + 1, &err), &err);
    b.B = 1;
    b.S = S;
    b.T = n + 1;
    b.ntok = n;
    memcpy(b.src, src, sizeof(int) * (size_t)S);
    b.src_len[0] = S;
    b.tgt[0] = S2S_SOS;
    for (int s = 0; s < n; s++) {
        assert_int_not_equal(tok[s], S2S_PAD);
        b.tgt[s + 1] = tok[s];
    }
    b.tgt_len[0] = n + 1;
    unsigned char feed[64];
    assert_true(n + 1 <= (int)sizeof feed);
    memset(feed, 1, sizeof feed);
    float loss = 0.0f;
    CHECK_OK(model_forward_loss(m, &b, feed, &loss, &err), &err);
    batch_free(&b);
    return -(double)loss;
}

static int has_pad(const int *tok, int n)
{
    for (int s = 0; s < n; s++)
        if (tok[s] == S2S_PAD) return 1;
    return 0;
}

/* Width 1 against model_greedy_until_eos on the test sentences, at the
 * full cap and at a shorter max_steps. */
static void test_width1_is_greedy(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    s2s_error err;
    s2s_error_clear(&err);
    s2s_batch b = {0};
    CHECK_OK(batch_create(&b, 1, f.s.d.max_src, f.s.d.max_tgt, &err), &err);
    const int cols = 1 + f.s.d.max_src, maxT = 2 * f.s.d.max_src;
    int *gt = malloc(sizeof(int) * (size_t)maxT), *bt = malloc(sizeof(int) * (size_t)maxT);
    float *ga = malloc(sizeof(float) * (size_t)maxT * cols);
    float *ba = malloc(sizeof(float) * (size_t)maxT * cols);
    assert_non_null(gt);
    assert_non_null(bt);
    assert_non_null(ga);
    assert_non_null(ba);
    int stopped = 0;
    for (int kind = 0; kind <= S2S_ATTN_LOCATION; kind++) {
        s2s_model *m = random_model(f.be, f.s.v.size, f.s.v.size, 8, 12, 2, kind, 40 + kind);
        const int pre = model_src_prefix(m);
        for (int i = 0; i < f.s.d.count; i++) {
            CHECK_OK(batch_fill(&b, &f.s.d, &i, 1, &err), &err);
            const int caps[2] = {2 * b.S, 3};
            for (int c = 0; c < 2; c++) {
                const int steps = caps[c], w = pre + b.S;
                CHECK_OK(model_greedy_until_eos(m, &b, steps, gt, ga, &err), &err);
                s2s_beam_result r;
                CHECK_OK(model_beam(m, &b, 1, steps, bt, ba, &r, &err), &err);
                int len = 0;
                while (len < steps && gt[len] != S2S_EOS) len++;
                const int g_stopped = len < steps, g_steps = g_stopped ? len + 1 : steps;
                assert_int_equal(r.stopped, g_stopped);
                assert_int_equal(r.steps, g_steps);
                assert_int_equal(r.n_words, len);
                assert_memory_equal(bt, gt, sizeof(int) * (size_t)g_steps);
                for (size_t k = 0; k < (size_t)g_steps * w; k++)
                    assert_true(fabsf(ba[k] - ga[k]) <= 1e-6f);
                if (kind == S2S_ATTN_NONE)
                    for (size_t k = 0; k < (size_t)g_steps * w; k++) assert_true(ba[k] == 0.0f);
                stopped += g_stopped;
            }
        }
        model_free(m);
    }
    printf(" width 1: %d of %d greedy decodings stopped at <EOS>\n", stopped,
           2 * 4 * f.s.d.count);
    free(gt);
    free(bt);
    free(ga);
    free(ba);
    batch_free(&b);
    fixture_close(&f);
}

/* Width 5's mean log-probability is at least greedy's (width 1's); what
 * model_beam reports is what the training path scores for its tokens
 * (so every row was carried to the right hypothesis); along the steps
 * where its tokens are greedy decoding's, so is its attention. */
static void test_width5_scores_at_least_greedy(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    s2s_error err;
    s2s_error_clear(&err);
    s2s_batch b = {0};
    CHECK_OK(batch_create(&b, 1, f.s.d.max_src, f.s.d.max_tgt, &err), &err);
    const int maxT = 2 * f.s.d.max_src, cols = 1 + f.s.d.max_src;
    int *tok = malloc(sizeof(int) * (size_t)maxT), *gt = malloc(sizeof(int) * (size_t)maxT);
    float *att = malloc(sizeof(float) * (size_t)maxT * cols);
    float *ga = malloc(sizeof(float) * (size_t)maxT * cols);
    assert_true(tok && gt && att && ga);
    int better = 0, total = 0, scored = 0, shared = 0;
    for (int kind = 0; kind <= S2S_ATTN_LOCATION; kind++) {
        s2s_model *m = random_model(f.be, f.s.v.size, f.s.v.size, 8, 12, 2, kind, 70 + kind);
        const int pre = model_src_prefix(m);
        for (int i = 0; i < f.s.d.count; i++) {
            CHECK_OK(batch_fill(&b, &f.s.d, &i, 1, &err), &err);
            s2s_beam_result g, r;
            CHECK_OK(model_beam(m, &b, 1, 2 * b.S, NULL, NULL, &g, &err), &err);
            CHECK_OK(model_beam(m, &b, 5, 2 * b.S, tok, att, &r, &err), &err);
            /* K rows instead of 1 round a little differently: the same
             * hypothesis may score a few ulps apart. */
            assert_true(r.score >= g.score - 1e-6 * (1.0 + fabs(g.score)));
            assert_true(fabs(r.logprob / r.steps - r.score) < 1e-12);
            if (!has_pad(tok, r.steps)) {
                const double t = teacher_score(m, b.src, b.S, tok, r.steps);
                assert_true(fabs(t - r.score) < 1e-5 * (1.0 + fabs(t)));
                scored++;
            }
            CHECK_OK(model_greedy_until_eos(m, &b, 2 * b.S, gt, ga, &err), &err);
            for (int s = 0; s < r.steps && (s == 0 || tok[s - 1] == gt[s - 1]); s++, shared++)
                for (int k = 0; k < pre + b.S; k++)
                    assert_true(fabsf(att[s * (pre + b.S) + k] - ga[s * (pre + b.S) + k]) <
                                1e-5f);
            better += r.score > g.score + 1e-6 * (1.0 + fabs(g.score));
            total++;
        }
        model_free(m);
    }
    printf(" width 5: a better score than greedy on %d of %d sentences; %d scored by the "
           "training path; %d attention rows on greedy's path\n",
           better, total, scored, shared);
    assert_true(better > 0 && scored > total / 2);
    free(tok);
    free(gt);
    free(att);
    free(ga);
    batch_free(&b);
    fixture_close(&f);
}

/* Vocabularies of 6 (the 4 specials and 2 words): the best of every
 * sequence of at most 3 tokens, by exhaustive enumeration. <PAD> is made
 * improbable (its output bias lowered by 40), so sequences holding it,
 * which the training path cannot score, are never the best. */
enum { TINY_V = 6 };

/* Adds delta to the output bias of token id. */
static void shift_bias(s2s_model *m, int id, float delta)
{
    s2s_error err;
    s2s_error_clear(&err);
    float *p = malloc(sizeof(float) * model_num_params(m));
    assert_non_null(p);
    CHECK_OK(model_get_params(m, p, &err), &err);
    const int k = model_find_tensor(m, "decoder.fc.bias");
    assert_true(k >= 0);
    p[model_tensor(m, k)->offset + (size_t)id] += delta;
    CHECK_OK(model_set_params(m, p, &err), &err);
    free(p);
}

/* Every sequence of exactly n tokens from those other than <PAD> and
 * <EOS>, the last one <EOS> when finished: the best so far (over the
 * calls) in best[0..*best_n), its score in *score, the runner-up's in
 * *second. */
static void best_of_length(s2s_model *m, const int *src, int S, int n, int finished,
                           int *best, int *best_n, double *score, double *second)
{
    static const int words[4] = {S2S_SOS, S2S_UNK, 4, 5};
    int tok[8];
    int count = 1;
    for (int s = 0; s < n - finished; s++) count *= 4;
    for (int c = 0; c < count; c++) {
        int x = c;
        for (int s = 0; s < n - finished; s++, x /= 4) tok[s] = words[x % 4];
        if (finished) tok[n - 1] = S2S_EOS;
        const double sc = teacher_score(m, src, S, tok, n);
        if (sc > *score) {
            *second = *score;
            *score = sc;
            memcpy(best, tok, sizeof(int) * (size_t)n);
            *best_n = n;
        } else if (sc > *second) {
            *second = sc;
        }
    }
}

/* Width K against enumeration; returns the best one's length when it wins
 * clearly (then the tokens were compared too), else 0. */
static int check_exhaustive(s2s_model *m, const int *src, int S, int K, int max_steps,
                            int finished)
{
    s2s_error err;
    s2s_error_clear(&err);
    int best[8] = {0}, best_n = 0, tok[8];
    double score = -INFINITY, second = -INFINITY;
    if (finished)
        for (int n = 1; n <= max_steps; n++)
            best_of_length(m, src, S, n, 1, best, &best_n, &score, &second);
    else
        best_of_length(m, src, S, max_steps, 0, best, &best_n, &score, &second);
    s2s_batch b = {0};
    one_source(&b, src, S);
    s2s_beam_result r;
    CHECK_OK(model_beam(m, &b, K, max_steps, tok, NULL, &r, &err), &err);
    assert_int_equal(r.stopped, finished);
    assert_true(fabs(r.score - score) < 1e-5 * (1.0 + fabs(score)));
    const int clear = score - second > 1e-4;
    if (clear) { /* the same tokens */
        assert_int_equal(r.steps, best_n);
        assert_memory_equal(tok, best, sizeof(int) * (size_t)r.steps);
    }
    batch_free(&b);
    return clear ? best_n : 0;
}

static void test_wide_beam_is_exhaustive(void **state)
{
    (void)state;
    s2s_backend *be = NULL;
    s2s_error err;
    s2s_error_clear(&err);
    CHECK_OK(backend_cpu_create(&be, 1, &err), &err);
    static const int srcs[3][4] = {{4, 5, S2S_EOS}, {5, S2S_EOS}, {4, 4, 5, S2S_EOS}};
    static const int lens[3] = {3, 2, 4};
    int by_len[4] = {0}, cases = 0;
    for (int kind = 0; kind <= S2S_ATTN_LOCATION; kind++)
        for (int seed = 0; seed < 2; seed++) {
            s2s_model *m = random_model(be, TINY_V, TINY_V, 4, 5, 1 + seed, kind, 100 + seed);
            shift_bias(m, S2S_PAD, -40.0f);
            /* Width 200 keeps every candidate of 3 steps (6 + 30 + 150). */
            for (int i = 0; i < 3; i++, cases++)
                by_len[check_exhaustive(m, srcs[i], lens[i], 200, 3, 1)]++;
            /* <EOS> made impossible: nothing finishes and the best unfinished
             * one is returned; width 5 keeps every 1-token prefix, so its best
             * of 2 steps is the best of all. */
            shift_bias(m, S2S_EOS, -1e30f);
            for (int i = 0; i < 3; i++, cases++)
                by_len[check_exhaustive(m, srcs[i], lens[i], 5, 2, 0)]++;
            model_free(m);
        }
    printf(" exhaustive: %d cases; the best (by tokens) of length 1: %d, 2: %d, 3: %d; "
           "scores only: %d\n",
           cases, by_len[1], by_len[2], by_len[3], by_len[0]);
    backend_free(be);
}

/* decode_dataset_beam and decode_sentence_beam agree (words, labels,
 * attention); width 1 is decode_dataset's greedy decoding. */
static void test_dataset_and_sentence(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    s2s_error err;
    s2s_error_clear(&err);
    s2s_model *m = random_model(f.be, f.s.v.size, f.s.v.size, 8, 12, 1, S2S_ATTN_LOCATION, 9);
    s2s_decoded g, b1, b3;
    CHECK_OK(decode_dataset(m, &f.s.d, 4, 1, &g, &err), &err);
    CHECK_OK(decode_dataset_beam(m, &f.s.d, 1, 1, &b1, &err), &err);
    CHECK_OK(decode_dataset_beam(m, &f.s.d, 3, 1, &b3, &err), &err);
    assert_int_equal(b3.prefix, 1);
    for (int i = 0; i < f.s.d.count; i++) {
        assert_int_equal(b1.out_len[i], g.out_len[i]);
        assert_int_equal(b1.steps[i], g.steps[i]);
        assert_int_equal(b1.stopped[i], g.stopped[i]);
        assert_memory_equal(b1.out + b1.out_off[i], g.out + g.out_off[i],
                            sizeof(int) * (size_t)g.out_len[i]);
        s2s_decoding one;
        CHECK_OK(decode_sentence_beam(m, SHARED(&f.s.v), &f.s.te.s[i], 3, &one, &err), &err);
        assert_int_equal(one.n_src, 1 + f.s.d.src_len[i]);
        assert_int_equal(one.steps, b3.steps[i]);
        assert_int_equal(one.n_words, b3.out_len[i]);
        assert_int_equal(one.stopped, b3.stopped[i]);
        for (int t = 0; t < one.n_words; t++)
            assert_string_equal(one.out[t], f.s.v.word[b3.out[b3.out_off[i] + t]]);
        if (one.stopped) assert_string_equal(one.out[one.n_words], "<EOS>");
        assert_memory_equal(one.attn, b3.attn[i], sizeof(float) * (size_t)one.steps * one.n_src);
        decoding_free(&one);
    }
    assert_true(b3.n_correct >= 0 && b3.n_correct <= f.s.d.count);
    decoded_free(&g);
    decoded_free(&b1);
    decoded_free(&b3);
    model_free(m);
    fixture_close(&f);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    s2s_error err;
    s2s_error_clear(&err);
    s2s_model *m = random_model(f.be, f.s.v.size, f.s.v.size, 4, 6, 1, S2S_ATTN_BAHDANAU, 1);
    s2s_batch b = {0};
    static const int src[3] = {4, 5, S2S_EOS};
    one_source(&b, src, 3);
    assert_int_equal(model_beam(m, &b, 0, 6, NULL, NULL, NULL, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "beam width 0"));
    assert_int_equal(model_beam(m, &b, S2S_BEAM_MAX + 1, 6, NULL, NULL, NULL, &err), S2S_ERR_ARG);
    assert_int_equal(model_beam(m, &b, 2, 0, NULL, NULL, NULL, &err), S2S_ERR_ARG);
    batch_free(&b);
    CHECK_OK(batch_create(&b, 2, f.s.d.max_src, f.s.d.max_tgt, &err), &err);
    int two[2] = {0, 1};
    CHECK_OK(batch_fill(&b, &f.s.d, two, 2, &err), &err);
    assert_int_equal(model_beam(m, &b, 2, 6, NULL, NULL, NULL, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "one sentence"));
    batch_free(&b);
    s2s_decoding r;
    s2s_sentence empty = {0};
    assert_int_equal(decode_sentence_beam(m, SHARED(&f.s.v), &f.s.te.s[0], 0, &r, &err), S2S_ERR_ARG);
    assert_int_equal(decode_sentence_beam(m, SHARED(&f.s.v), &empty, 3, &r, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "empty sentence"));
    s2s_decoded res;
    assert_int_equal(decode_dataset_beam(m, &f.s.d, 0, 0, &res, &err), S2S_ERR_ARG);
    model_free(m);
    fixture_close(&f);
}

/* The CUDA backend chooses what the CPU backend chooses (the rows are
 * gathered through its own embedding gather); skipped without a GPU. */
static void test_cuda_matches_cpu(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    s2s_backend *gpu = NULL;
    int rc = backend_cuda_create(&gpu, 0, &err);
    if (rc == S2S_ERR_UNSUPPORTED) {
        printf(" SKIP: %s\n", err.msg);
        skip();
    }
    CHECK_OK(rc, &err);
    fixture f;
    fixture_open(&f);
    s2s_batch b = {0};
    CHECK_OK(batch_create(&b, 1, f.s.d.max_src, f.s.d.max_tgt, &err), &err);
    const int maxT = 2 * f.s.d.max_src, cols = 1 + f.s.d.max_src;
    int *ct = malloc(sizeof(int) * (size_t)maxT), *gt = malloc(sizeof(int) * (size_t)maxT);
    float *ca = malloc(sizeof(float) * (size_t)maxT * cols);
    float *ga = malloc(sizeof(float) * (size_t)maxT * cols);
    assert_true(ct && gt && ca && ga);
    for (int kind = 0; kind <= S2S_ATTN_LOCATION; kind++) {
        s2s_model *mc = random_model(f.be, f.s.v.size, f.s.v.size, 8, 12, 2, kind, 20 + kind);
        s2s_model *mg = random_model(gpu, f.s.v.size, f.s.v.size, 8, 12, 2, kind, 20 + kind);
        const int pre = model_src_prefix(mc);
        for (int i = 0; i < f.s.d.count; i++) {
            CHECK_OK(batch_fill(&b, &f.s.d, &i, 1, &err), &err);
            s2s_beam_result rcpu, rg;
            CHECK_OK(model_beam(mc, &b, 4, 2 * b.S, ct, ca, &rcpu, &err), &err);
            CHECK_OK(model_beam(mg, &b, 4, 2 * b.S, gt, ga, &rg, &err), &err);
            assert_int_equal(rg.steps, rcpu.steps);
            assert_int_equal(rg.stopped, rcpu.stopped);
            assert_memory_equal(gt, ct, sizeof(int) * (size_t)rcpu.steps);
            assert_true(fabs(rg.score - rcpu.score) < 1e-4);
            for (int k = 0; k < rcpu.steps * (pre + b.S); k++)
                assert_true(fabsf(ga[k] - ca[k]) < 1e-4f);
        }
        model_free(mc);
        model_free(mg);
    }
    free(ct);
    free(gt);
    free(ca);
    free(ga);
    batch_free(&b);
    fixture_close(&f);
    backend_free(gpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width1_is_greedy),
        cmocka_unit_test(test_width5_scores_at_least_greedy),
        cmocka_unit_test(test_wide_beam_is_exhaustive),
        cmocka_unit_test(test_dataset_and_sentence),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_cuda_matches_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
