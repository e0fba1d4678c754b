/* test_decode.c — decoding in the core: the unknown-word copy rule on
 * hand-made attention, token accuracy on a hand-made decoding, and one
 * sentence decoded alone equal to the same sentence decoded in a batch. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "decode.h"
#include "evaluate.h"

/* A sentence "a ? b" (position 1 unknown) + <EOS>; three word steps and
 * <EOS>. Rows are steps, columns source positions. */
static void test_copy_unknown_once(void **state)
{
    (void)state;
    const int S = 4, steps = 4, n_words = 3;
    const int unknown[4] = {0, 1, 0, 0};
    const int ids[3] = {10, 11, 12};
    /* Steps 0 and 1 both peak on the unknown word; step 1 more strongly. */
    const float attn[16] = {0.1f, 0.6f, 0.2f, 0.1f, /* step 0 */
                            0.0f, 0.9f, 0.1f, 0.0f, /* step 1: writes it */
                            0.8f, 0.1f, 0.1f, 0.0f, /* step 2: on a known word */
                            0.0f, 0.0f, 0.0f, 1.0f};
    int from[4];
    decode_copy_rule(ids, n_words, attn, steps, 0, S, unknown, from);
    assert_int_equal(from[0], -1);
    assert_int_equal(from[1], 1);
    assert_int_equal(from[2], -1);
    assert_int_equal(from[3], -1); /* the <EOS> step never copies */
    /* With a start marker in column 0: the same rows, shifted, copy the
     * shifted column; a peak on the marker copies nothing. */
    const int unknown_p[5] = {0, 0, 1, 0, 0};
    const float attn_p[20] = {0.0f, 0.1f, 0.6f, 0.2f, 0.1f, 0.0f, 0.0f, 0.9f, 0.1f, 0.0f,
                              0.9f, 0.0f, 0.1f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f};
    const int ids_p[3] = {10, 11, S2S_UNK};
    int from_p[4];
    decode_copy_rule(ids_p, n_words, attn_p, steps, 1, S + 1, unknown_p, from_p);
    assert_int_equal(from_p[0], -1);
    assert_int_equal(from_p[1], 2);
    assert_int_equal(from_p[2], -1); /* <UNK> written while looking at the marker */
}

static void test_copy_ties_and_unk(void **state)
{
    (void)state;
    const int S = 3, steps = 3, n_words = 2;
    const int unknown[3] = {1, 0, 0};
    /* Both steps peak on position 0 with equal weight: the earlier one
     * copies; the later one still copies because it wrote <UNK>. */
    const int ids[2] = {7, S2S_UNK};
    const float attn[9] = {0.5f, 0.3f, 0.2f, 0.5f, 0.4f, 0.1f, 0.0f, 0.0f, 1.0f};
    int from[3];
    decode_copy_rule(ids, n_words, attn, steps, 0, S, unknown, from);
    assert_int_equal(from[0], 0);
    assert_int_equal(from[1], 0);
    /* <UNK> written with the peak on <EOS>: nothing to copy. */
    const int ids2[2] = {S2S_UNK, 7};
    const float attn2[9] = {0.1f, 0.1f, 0.8f, 0.1f, 0.8f, 0.1f, 0.0f, 0.0f, 1.0f};
    decode_copy_rule(ids2, n_words, attn2, steps, 0, S, unknown, from);
    assert_int_equal(from[0], -1);
    assert_int_equal(from[1], -1);
}

static void test_token_accuracy(void **state)
{
    (void)state;
    /* One sentence "a b c" (ids 4 5 6): the reference is 6 5 4 <EOS>. */
    int src[4] = {4, 5, 6, S2S_EOS}, src_off[1] = {0}, src_len[1] = {4};
    int tgt[5] = {S2S_SOS, 6, 5, 4, S2S_EOS}, tgt_off[1] = {0}, tgt_len[1] = {5};
    s2s_dataset d = {.count = 1, .src = src, .src_off = src_off, .src_len = src_len,
                     .tgt = tgt, .tgt_off = tgt_off, .tgt_len = tgt_len, .max_src = 4,
                     .max_tgt = 5};
    int out[3] = {6, 4, 5}, out_off[1] = {0}, out_len[1] = {3}, stopped[1] = {1};
    int correct[1] = {0}, steps[1] = {4};
    s2s_decoded r = {.count = 1, .out_off = out_off, .out_len = out_len, .out = out,
                     .stopped = stopped, .correct = correct, .steps = steps};
    long ok, total;
    token_accuracy(&d, &r, &ok, &total);
    assert_int_equal(total, 4);
    assert_int_equal(ok, 2); /* 6 and <EOS> */
    out_len[0] = 2;          /* "6 4" then <EOS>: <EOS> lands where 4 belongs */
    token_accuracy(&d, &r, &ok, &total);
    assert_int_equal(ok, 1);
    stopped[0] = 0; /* never stopped: no <EOS> at all */
    out_len[0] = 3;
    token_accuracy(&d, &r, &ok, &total);
    assert_int_equal(ok, 1);
}

/* decode_sentence equals decode_dataset for the same sentence, labels
 * included, on an untrained model (its outputs are arbitrary but fixed). */
static void test_sentence_equals_batch(void **state)
{
    (void)state;
    s2s_error err;
    s2s_error_clear(&err);
    s2s_corpus tr = {0}, va = {0}, te = {0};
    s2s_vocab v;
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    CHECK_OK(corpus_synthetic(&tr, &va, &te, 200, 20, 20, 7, &err), &err);
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build(&v, &tr, &err), &err);
    CHECK_OK(backend_cpu_create(&be, 1, &err), &err);
    s2s_config cfg = {.src_vocab = v.size, .tgt_vocab = v.size, .embed = 8, .hidden = 12, .layers = 1,
                      .attention = S2S_ATTN_BAHDANAU};
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    CHECK_OK(model_init_params(m, 3, &err), &err);
    s2s_dataset d = {0};
    CHECK_OK(dataset_create(&d, &te, SHARED(&v), &err), &err);
    s2s_decoded res;
    CHECK_OK(decode_dataset(m, &d, 8, 1, &res, &err), &err);
    for (int i = 0; i < te.count; i++) {
        s2s_decoding one;
        CHECK_OK(decode_sentence(m, SHARED(&v), &te.s[i], &one, &err), &err);
        assert_int_equal(one.n_src, d.src_len[i]);
        assert_int_equal(one.steps, res.steps[i]);
        assert_int_equal(one.n_words, res.out_len[i]);
        assert_int_equal(one.stopped, res.stopped[i]);
        for (int t = 0; t < one.n_words; t++)
            assert_string_equal(one.out[t], v.word[res.out[res.out_off[i] + t]]);
        size_t worst;
        assert_true(max_rel_err(one.attn, res.attn[i], (size_t)one.steps * one.n_src, 1e-6,
                                &worst) < 1e-5);
        decoding_free(&one);
    }
    /* Oracle length: never <EOS> before n words; until the step where the
     * free decoding stopped, the same tokens. Shards split the batch too. */
    s2s_decoded orc;
    CHECK_OK(decode_dataset_oracle(m, &d, 8, 0, &orc, &err), &err);
    int differs = 0;
    for (int i = 0; i < te.count; i++) {
        const int words = d.src_len[i] - 1;
        assert_true(orc.out_len[i] >= words || !orc.stopped[i]);
        const int same = res.out_len[i] < orc.out_len[i] ? res.out_len[i] : orc.out_len[i];
        assert_memory_equal(res.out + res.out_off[i], orc.out + orc.out_off[i],
                            sizeof(int) * (size_t)same);
        differs += res.stopped[i] && res.out_len[i] < words;
    }
    printf(" oracle: %d of %d free decodings stopped early\n", differs, te.count);
    decoded_free(&orc);
    decoded_free(&res);
    dataset_free(&d);
    model_free(m);
    backend_free(be);
    vocab_free(&v);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_unknown_once),
        cmocka_unit_test(test_copy_ties_and_unk),
        cmocka_unit_test(test_token_accuracy),
        cmocka_unit_test(test_sentence_equals_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
