/* test_gemv.c — the matrix-vector products of one-sentence decoding
 * (model/gemv_cpu.c): right against a double-precision reference, the
 * same bits with and without the helper thread (also with two callers at
 * once), and a one-sentence decoding on one thread equal, bit for bit, to
 * the same on two, and to the sentence decoded in a batch (gemm) within
 * rounding; new parameters reach it (its word table is made again). */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "decode.h"
#include "gemv_cpu.h"

/* Shapes: tails of rows (not a multiple of 4) and of columns (not of 16),
 * a column block (ldw > in), the model's own, and ones too small to split. */
static const int SHAPES[][3] = {
    {771, 131, 140}, {768, 256, 256}, {768, 128, 384}, {256, 256, 256}, {38, 256, 256},
    {5, 3, 3},       {1, 17, 17},     {1030, 40, 41},
};
enum { NSHAPES = sizeof SHAPES / sizeof SHAPES[0] };

static void test_gemv_against_reference(void **state)
{
    (void)state;
    for (int s = 0; s < NSHAPES; s++) {
        const int out = SHAPES[s][0], in = SHAPES[s][1], ldw = SHAPES[s][2];
        float *W = filled((size_t)out * ldw, 1u + s), *x = filled((size_t)in, 7u + s);
        float *y = filled((size_t)out, 3u), *y0 = malloc(sizeof(float) * (size_t)out);
        assert_non_null(y0);
        memcpy(y0, y, sizeof(float) * (size_t)out);
        for (int acc = 0; acc < 2; acc++) {
            memcpy(y, y0, sizeof(float) * (size_t)out);
            gemv_run(NULL, y, W, ldw, x, out, in, acc);
            for (int i = 0; i < out; i++) {
                double ref = acc ? y0[i] : 0.0, mag = acc ? (double)fabsf(y0[i]) : 0.0;
                for (int k = 0; k < in; k++) {
                    ref += (double)W[(size_t)i * ldw + k] * x[k];
                    mag += fabs((double)W[(size_t)i * ldw + k] * x[k]);
                }
                /* float sums of `in` terms: error within a few ulps of Σ|terms| */
                assert_true(fabs(y[i] - ref) <= 1e-6 * mag + 1e-30);
            }
        }
        free(W), free(x), free(y), free(y0);
    }
}

typedef struct {
    gemv_team *team;
    const float *W, *x;
    float *y;
    int out, in, ldw, reps;
} caller;

static void *call_many(void *arg)
{
    caller *c = arg;
    for (int r = 0; r < c->reps; r++) gemv_run(c->team, c->y, c->W, c->ldw, c->x, c->out, c->in, 0);
    return NULL;
}

static void test_team_same_bits(void **state)
{
    (void)state;
    gemv_team *team = NULL;
    assert_int_equal(gemv_team_create(&team), 0);
    for (int s = 0; s < NSHAPES; s++) {
        const int out = SHAPES[s][0], in = SHAPES[s][1], ldw = SHAPES[s][2];
        float *W = filled((size_t)out * ldw, 11u + s), *x = filled((size_t)in, 5u + s);
        float *alone = filled((size_t)out, 9u), *split = filled((size_t)out, 9u);
        float *twin = filled((size_t)out, 9u);
        for (int acc = 0; acc < 2; acc++) {
            gemv_run(NULL, alone, W, ldw, x, out, in, acc);
            gemv_run(team, split, W, ldw, x, out, in, acc);
            assert_memory_equal(alone, split, sizeof(float) * (size_t)out);
        }
        /* Two callers at once: one has the helper, the other computes alone;
         * both get the same bits. */
        gemv_run(NULL, alone, W, ldw, x, out, in, 0);
        caller a = {team, W, x, split, out, in, ldw, 200};
        caller b = {team, W, x, twin, out, in, ldw, 200};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, call_many, &b), 0);
        call_many(&a);
        pthread_join(th, NULL);
        assert_memory_equal(alone, split, sizeof(float) * (size_t)out);
        assert_memory_equal(alone, twin, sizeof(float) * (size_t)out);
        free(W), free(x), free(alone), free(split), free(twin);
    }
    gemv_team_free(team);
    gemv_team_free(NULL);
}

/* The model's size (E128 H256 L2), untrained: products large enough to be
 * split. Each attention kind; one thread against two; alone against a batch. */
static void test_sentence_threads_and_batch(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    s2s_corpus tr = {0}, va = {0}, te = {0};
    s2s_vocab v;
    CHECK_OK(corpus_synthetic(&tr, &va, &te, 100, 10, 10, 5, &err), &err);
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build(&v, &tr, &err), &err);
    const int kinds[] = {S2S_ATTN_BAHDANAU, S2S_ATTN_LUONG, S2S_ATTN_LOCATION, S2S_ATTN_NONE};
    for (int a = 0; a < 4; a++) {
        s2s_backend *be1 = NULL, *be2 = NULL;
        s2s_model *m1 = NULL, *m2 = NULL;
        CHECK_OK(backend_cpu_create(&be1, 1, &err), &err);
        CHECK_OK(backend_cpu_create(&be2, 2, &err), &err);
        s2s_config cfg = {.src_vocab = v.size, .tgt_vocab = v.size, .embed = 128, .hidden = 256,
                          .layers = 2, .attention = kinds[a]};
        CHECK_OK(model_create(&m1, &cfg, be1, &err), &err);
        CHECK_OK(model_create(&m2, &cfg, be2, &err), &err);
        CHECK_OK(model_init_params(m1, 5, &err), &err);
        CHECK_OK(model_init_params(m2, 5, &err), &err);
        s2s_dataset d = {0};
        CHECK_OK(dataset_create(&d, &te, SHARED(&v), &err), &err);
        s2s_decoded res;
        int compared = 0;
        CHECK_OK(decode_dataset(m1, &d, 4, 1, &res, &err), &err);
        for (int i = 0; i < te.count; i++) {
            s2s_decoding one, two;
            CHECK_OK(decode_sentence(m1, SHARED(&v), &te.s[i], &one, &err), &err);
            CHECK_OK(decode_sentence(m2, SHARED(&v), &te.s[i], &two, &err), &err);
            assert_int_equal(one.steps, two.steps);
            assert_memory_equal(one.attn, two.attn, sizeof(float) * (size_t)one.steps * one.n_src);
            for (int t = 0; t < one.n_words; t++) assert_string_equal(one.out[t], two.out[t]);
            /* Against the batch: an untrained model's outputs are near-ties,
             * so only the steps before the first differing token are compared. */
            int same = 0;
            while (same < one.n_words && same < res.out_len[i] &&
                   !strcmp(one.out[same], v.word[res.out[res.out_off[i] + same]]))
                same++;
            int rows = same + 1 < one.steps ? same + 1 : one.steps;
            if (rows > res.steps[i]) rows = res.steps[i];
            size_t worst;
            assert_true(max_rel_err(one.attn, res.attn[i], (size_t)rows * one.n_src, 1e-6,
                                    &worst) < 1e-4);
            compared += rows;
            decoding_free(&one);
            decoding_free(&two);
        }
        printf(" %s: %d steps' attention alone against in a batch\n", attention_name(kinds[a]),
               compared);
        /* New parameters (as from a checkpoint or a training step) reach
         * one-sentence decoding: m1, decoded before, against a fresh model. */
        s2s_model *m3 = NULL;
        CHECK_OK(model_create(&m3, &cfg, be1, &err), &err);
        CHECK_OK(model_init_params(m3, 6, &err), &err);
        CHECK_OK(model_init_params(m1, 6, &err), &err);
        for (int i = 0; i < te.count; i++) {
            s2s_decoding one, fresh;
            CHECK_OK(decode_sentence(m1, SHARED(&v), &te.s[i], &one, &err), &err);
            CHECK_OK(decode_sentence(m3, SHARED(&v), &te.s[i], &fresh, &err), &err);
            assert_int_equal(one.steps, fresh.steps);
            assert_memory_equal(one.attn, fresh.attn,
                                sizeof(float) * (size_t)one.steps * one.n_src);
            decoding_free(&one);
            decoding_free(&fresh);
        }
        model_free(m3);
        assert_true(compared >= te.count);
        decoded_free(&res);
        dataset_free(&d);
        model_free(m1);
        model_free(m2);
        backend_free(be1);
        backend_free(be2);
    }
    vocab_free(&v);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemv_against_reference),
        cmocka_unit_test(test_team_same_bits),
        cmocka_unit_test(test_sentence_threads_and_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
