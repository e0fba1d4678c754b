/* test_err.c — messages name their subject: sizes as people read them, the
 * batch entry that is wrong, the file and line of bad input. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "data.h"
#include "err.h"
#include "model.h"

static void test_size_str(void **state)
{
    (void)state;
    char buf[24];
    assert_string_equal(s2s_size_str(buf, sizeof buf, 0), "0 bytes");
    assert_string_equal(s2s_size_str(buf, sizeof buf, 1), "1 byte");
    assert_string_equal(s2s_size_str(buf, sizeof buf, 1023), "1023 bytes");
    assert_string_equal(s2s_size_str(buf, sizeof buf, 1024), "1.0 KiB");
    assert_string_equal(s2s_size_str(buf, sizeof buf, 3482), "3.4 KiB");
    assert_string_equal(s2s_size_str(buf, sizeof buf, (size_t)37 << 20), "37 MiB");
    assert_string_equal(s2s_size_str(buf, sizeof buf, ((size_t)5 << 30) / 4), "1.2 GiB");
    assert_string_equal(s2s_size_str(buf, sizeof buf, (size_t)3 << 40), "3.0 TiB");
    assert_string_equal(s2s_size_str(buf, sizeof buf, (size_t)4096 << 40), "4096 TiB");
    /* S2S_SIZE's temporary, as the messages use it. */
    s2s_error err = {0};
    s2s_fail(&err, S2S_ERR_NOMEM, "out of memory for X (%s, %s)", S2S_SIZE(10), S2S_SIZE(2048));
    assert_string_equal(err.msg, "out of memory for X (10 bytes, 2.0 KiB)");
}

/* A token id outside the vocabulary: the message says which sentence,
 * which side and which position. */
static void test_batch_token_named(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_backend *be = NULL;
    CHECK_OK(backend_cpu_create(&be, 1, &err), &err);
    const s2s_config cfg = {.src_vocab = 8, .tgt_vocab = 8, .embed = 4, .hidden = 5, .layers = 1, .dropout = 0.0f,
                            .attention = S2S_ATTN_LUONG};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    CHECK_OK(model_init_params(m, 1, &err), &err);
    s2s_batch b;
    CHECK_OK(batch_create(&b, 2, 3, 4, &err), &err);
    b.B = 2;
    b.S = 3;
    b.T = 4;
    const int src[6] = {4, 5, 6, 7, S2S_EOS, S2S_EOS}; /* (S,B) */
    const int tgt[8] = {S2S_SOS, S2S_SOS, 6, 7, 5, 4, S2S_EOS, S2S_EOS};
    memcpy(b.src, src, sizeof src);
    memcpy(b.tgt, tgt, sizeof tgt);
    b.src_len[0] = b.src_len[1] = 3;
    b.tgt_len[0] = b.tgt_len[1] = 4;
    b.ntok = 6;
    float loss = 0.0f;
    CHECK_OK(model_forward_loss(m, &b, NULL, &loss, &err), &err);

    b.src[1 * 2 + 1] = 8; /* sentence 1, source position 1 */
    assert_int_equal(model_forward_loss(m, &b, NULL, &loss, &err), S2S_ERR_ARG);
    assert_string_equal(err.msg, "sentence 1 of the batch, source position 1: token id 8 is "
                                 "outside the vocabulary (0..7)");
    b.src[1 * 2 + 1] = 5;
    b.tgt[2 * 2 + 0] = -1; /* sentence 0, target position 2 */
    assert_int_equal(model_forward_loss(m, &b, NULL, &loss, &err), S2S_ERR_ARG);
    assert_string_equal(err.msg, "sentence 0 of the batch, target position 2: token id -1 is "
                                 "outside the vocabulary (0..7)");
    batch_free(&b);
    model_free(m);
    backend_free(be);
}

/* Bad input in a data file: the message names the file and the line. */
static void test_data_file_line(void **state)
{
    (void)state;
    char path[] = "/tmp/s2s_test_err_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("the cat sat\n\nthe dog ran\n", f);
    for (int i = 0; i < S2S_MAX_WORD_BYTES + 1; i++) fputc('x', f);
    fputs("\n", f);
    assert_int_equal(fclose(f), 0);
    s2s_corpus tr, va, te;
    s2s_error err = {0};
    assert_int_equal(corpus_from_file(path, &tr, &va, &te, 1, &err), S2S_ERR_ARG);
    char want[256];
    snprintf(want, sizeof want, "%s:4: word 1", path);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err.msg, want);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_str),
        cmocka_unit_test(test_batch_token_named),
        cmocka_unit_test(test_data_file_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
