/* test_checkpoint.c — the model file: round trips and every rejection. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "model.h"

static char tmpdir[64];
static s2s_backend *be;

static int group_setup(void **state)
{
    (void)state;
    s2s_error err = {0};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/s2s_test_ckpt_XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    if (backend_cpu_create(&be, 1, &err)) {
        fprintf(stderr, "backend_cpu_create: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    backend_free(be);
    be = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

/* A tiny model over the vocabulary <PAD> <SOS> <EOS> <UNK> the cat sat dog. */
static s2s_model *make_model(s2s_vocabs *vs, int attention, int layers)
{
    s2s_error err = {0};
    CHECK_OK(vocabs_create(vs, 1, &err), &err);
    s2s_vocab *v = &vs->src;
    const char *words[] = {"the", "cat", "sat", "dog"};
    for (int i = 0; i < 4; i++) CHECK_OK(vocab_add(v, words[i], NULL, &err), &err);
    const s2s_config cfg = {.src_vocab = v->size, .tgt_vocab = v->size, .embed = 4, .hidden = 5, .layers = layers,
                            .dropout = 0.1f, .attention = attention};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    CHECK_OK(model_init_params(m, 7, &err), &err);
    return m;
}

static float *params_of(s2s_model *m)
{
    s2s_error err = {0};
    float *p = malloc(model_num_params(m) * sizeof *p);
    assert_non_null(p);
    CHECK_OK(model_get_params(m, p, &err), &err);
    return p;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long sz = ftell(f);
    assert_true(sz > 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)sz);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return buf;
}

static void write_all(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n) assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void put_u32(unsigned char *p, uint32_t x)
{
    p[0] = (unsigned char)x;
    p[1] = (unsigned char)(x >> 8);
    p[2] = (unsigned char)(x >> 16);
    p[3] = (unsigned char)(x >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Makes the trailer agree with the (patched) body. */
static void fix_crc(unsigned char *buf, size_t n)
{
    put_u32(buf + n - 4, crc32_update(0, buf, n - 4));
}

static size_t find_bytes(const unsigned char *buf, size_t n, const char *needle)
{
    const size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, needle, k) == 0) return i;
    fail_msg("\"%s\" not found in the checkpoint", needle);
    return 0;
}

/* Offset of the first dimension of the named tensor. */
static size_t dims_offset(const unsigned char *buf, size_t n, const char *name)
{
    /* The name is preceded by its u16 length, so match length + name to
     * avoid hitting a longer name that starts the same way. */
    const size_t k = strlen(name);
    for (size_t i = 2; i + k + 12 <= n; i++)
        if (buf[i - 2] == (unsigned char)k && buf[i - 1] == 0 && memcmp(buf + i, name, k) == 0)
            return i + k + 4;
    fail_msg("tensor %s not found", name);
    return 0;
}

/* Loads path, expecting failure with code and a message containing want. */
static void expect_reject(const char *path, s2s_code code, const char *want)
{
    s2s_error err = {0};
    s2s_model *m = (s2s_model *)1;
    s2s_vocabs v;
    memset(&v, 0xAB, sizeof v);
    const int rc = checkpoint_load(path, be, &m, &v, NULL, &err);
    if (rc != (int)code || !strstr(err.msg, want))
        fail_msg("load of %s: rc %d (want %d), message \"%s\" (want \"%s\")", path, rc,
                 (int)code, err.msg, want);
    assert_int_equal(err.code, code);
    assert_null(m);
    assert_int_equal(v.src.size, 0);
    assert_null(v.src.word);
    assert_null(v.src.slot);
}

/* Writes buf to a fresh file and expects its rejection. */
static void expect_reject_bytes(const void *buf, size_t n, s2s_code code, const char *want)
{
    char path[128];
    tmp_path(path, sizeof path, "patched.ckpt");
    write_all(path, buf, n);
    expect_reject(path, code, want);
}

/* A saved tiny model's bytes. */
static unsigned char *saved_bytes(size_t *n)
{
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model(&v, S2S_ATTN_BAHDANAU, 2);
    char path[128];
    tmp_path(path, sizeof path, "base.ckpt");
    const s2s_ckpt_meta meta = {.epoch = 5, .val_loss = 0.5f, .seed = 42};
    CHECK_OK(checkpoint_save(path, m, &v, &meta, &err), &err);
    model_free(m);
    vocabs_free(&v);
    unsigned char *buf = read_all(path, n);
    remove(path);
    return buf;
}

/* ------------------------------------------------------------------ */

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xCBF43926u);
    assert_int_equal(crc32_update(0, "", 0), 0);
    assert_int_equal(crc32_update(0, "a", 1), 0xE8B7BE43u);
}

static void round_trip(int attention, int layers)
{
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model(&v, attention, layers);
    float *p = params_of(m);
    char path[128], tmp[140];
    tmp_path(path, sizeof path, "model.ckpt");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);

    const s2s_ckpt_meta meta = {.epoch = 12, .val_loss = 0.0123f, .seed = 0x0123456789ABCDEFull};
    CHECK_OK(checkpoint_save(path, m, &v, &meta, &err), &err);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(access(tmp, F_OK), -1); /* no temporary left behind */

    s2s_model *m2 = NULL;
    s2s_vocabs v2;
    s2s_ckpt_meta meta2 = {0};
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, &meta2, &err), &err);
    const s2s_config *a = model_config(m), *b = model_config(m2);
    assert_int_equal(a->src_vocab, b->src_vocab);
    assert_int_equal(a->tgt_vocab, b->tgt_vocab);
    assert_int_equal(a->embed, b->embed);
    assert_int_equal(a->hidden, b->hidden);
    assert_int_equal(a->layers, b->layers);
    assert_int_equal(a->attention, b->attention);
    assert_memory_equal(&a->dropout, &b->dropout, sizeof a->dropout);
    assert_int_equal(meta2.epoch, 12);
    assert_memory_equal(&meta2.val_loss, &meta.val_loss, sizeof meta.val_loss);
    assert_true(meta2.seed == 0x0123456789ABCDEFull);
    assert_int_equal(v2.src.size, v.src.size);
    for (int i = 0; i < v.src.size; i++) {
        assert_string_equal(v2.src.word[i], v.src.word[i]);
        assert_int_equal(vocab_find(&v2.src, v.src.word[i]), i);
    }
    assert_int_equal(model_num_params(m2), model_num_params(m));
    float *p2 = params_of(m2);
    assert_memory_equal(p, p2, model_num_params(m) * sizeof *p); /* bit-identical */
    free(p2);
    model_free(m2);
    vocabs_free(&v2);

    /* Without meta: epoch 0, NaN loss, seed 0; loading with meta NULL works. */
    CHECK_OK(checkpoint_save(path, m, &v, NULL, &err), &err);
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, &meta2, &err), &err);
    assert_int_equal(meta2.epoch, 0);
    assert_true(isnan(meta2.val_loss));
    assert_true(meta2.seed == 0);
    model_free(m2);
    vocabs_free(&v2);
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, NULL, &err), &err);
    model_free(m2);
    vocabs_free(&v2);

    remove(path);
    free(p);
    model_free(m);
    vocabs_free(&v);
}

static void test_round_trip(void **state)
{
    (void)state;
    round_trip(S2S_ATTN_BAHDANAU, 2);
    round_trip(S2S_ATTN_LUONG, 1);
    round_trip(S2S_ATTN_NONE, 3);
}

static void test_save_replaces(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model(&v, S2S_ATTN_BAHDANAU, 2);
    char path[128];
    tmp_path(path, sizeof path, "replace.ckpt");
    write_all(path, "old contents", 12);
    const s2s_ckpt_meta meta = {.epoch = 1, .val_loss = 1.0f, .seed = 1};
    CHECK_OK(checkpoint_save(path, m, &v, &meta, &err), &err);
    CHECK_OK(model_init_params(m, 99, &err), &err);
    float *p = params_of(m);
    const s2s_ckpt_meta meta2 = {.epoch = 2, .val_loss = 0.5f, .seed = 1};
    CHECK_OK(checkpoint_save(path, m, &v, &meta2, &err), &err);
    s2s_model *m2 = NULL;
    s2s_vocabs v2;
    s2s_ckpt_meta got;
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, &got, &err), &err);
    assert_int_equal(got.epoch, 2);
    float *p2 = params_of(m2);
    assert_memory_equal(p, p2, model_num_params(m) * sizeof *p);
    free(p);
    free(p2);
    model_free(m2);
    vocabs_free(&v2);
    model_free(m);
    vocabs_free(&v);
    remove(path);
}

static void test_file_layout(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);
    assert_memory_equal(buf, "S2SCKPT\0", 8);
    assert_int_equal(get_u32(buf + 8), 1);
    assert_int_equal(get_u32(buf + 12), 40);
    assert_int_equal(get_u32(buf + 16), 8); /* V */
    assert_int_equal(get_u32(buf + 20), 4); /* E */
    assert_int_equal(get_u32(buf + 24), 5); /* H */
    assert_int_equal(get_u32(buf + 28), 2); /* L */
    assert_int_equal(get_u32(buf + 36), S2S_ATTN_BAHDANAU);
    assert_int_equal(get_u32(buf + 40), 5); /* epoch */
    assert_int_equal(get_u32(buf + 48), 42); /* seed, low word */
    assert_int_equal(get_u32(buf + 52), 0);
    assert_int_equal(buf[56], 5);
    assert_int_equal(buf[57], 0);
    assert_memory_equal(buf + 58, "<PAD>", 5);
    /* First tensor right after the 8 words: count, then the embedding. */
    const size_t voc = 8 * 2 + 4 * 5 + 3 + 3 + 3 + 3;
    assert_int_equal(get_u32(buf + 56 + voc), 23);
    assert_int_equal(buf[56 + voc + 4], 24);
    assert_memory_equal(buf + 56 + voc + 6, "encoder.embedding.weight", 24);
    assert_int_equal(get_u32(buf + n - 4), crc32_update(0, buf, n - 4));
    free(buf);
}

static void test_reject_magic_and_version(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);

    buf[0] = 'X';
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "not a seq2seq checkpoint");
    buf[0] = 'S';
    expect_reject_bytes("hello, world\nthis is text\n", 26, S2S_ERR_FORMAT,
                        "not a seq2seq checkpoint");
    expect_reject_bytes("PK\3\4", 4, S2S_ERR_FORMAT, "not a seq2seq checkpoint");

    put_u32(buf + 8, 2);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 2, this program reads 1");
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 2, this program reads 1");
    put_u32(buf + 8, 0);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 0, this program reads 1");
    free(buf);
}

static void test_reject_truncated(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);
    const size_t voc = 56 + 8 * 2 + 4 * 5 + 12;
    const size_t emb_data = dims_offset(buf, n, "encoder.embedding.weight") + 8;
    const size_t fc_name = find_bytes(buf, n, "decoder.fc.weight");
    const size_t fc_data = dims_offset(buf, n, "decoder.fc.weight") + 8;
    const size_t cuts[] = {1, 5, 8, 10, 12, 14, 16, 19, 20, 30, 55, 56, 57, 60,
                           voc - 1, voc, voc + 2, emb_data - 3, emb_data + 10, fc_name + 3,
                           fc_data + 1, fc_data + 77, n / 2, n - 5, n - 4, n - 3, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "truncated at byte %zu while reading", cuts[i]);
        expect_reject_bytes(buf, cuts[i], S2S_ERR_FORMAT, want);
    }
    /* Specific parts named. */
    expect_reject_bytes(buf, 5, S2S_ERR_FORMAT, "magic");
    expect_reject_bytes(buf, 10, S2S_ERR_FORMAT, "format version");
    expect_reject_bytes(buf, 30, S2S_ERR_FORMAT, "configuration");
    expect_reject_bytes(buf, 60, S2S_ERR_FORMAT, "vocabulary word 0");
    expect_reject_bytes(buf, fc_data + 77, S2S_ERR_FORMAT, "decoder.fc.weight");
    expect_reject_bytes(buf, n - 2, S2S_ERR_FORMAT, "checksum");
    free(buf);
}

static void test_reject_flipped_bytes(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);
    /* Every byte after magic and version, two different bits each: always
     * "checksum mismatch", never a misleading "truncated". */
    const unsigned char masks[2] = {0x01, 0x80};
    for (size_t pos = 12; pos < n; pos++)
        for (int k = 0; k < 2; k++) {
            buf[pos] ^= masks[k];
            expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "checksum mismatch: file is damaged");
            buf[pos] ^= masks[k];
        }
    free(buf);
}

static void test_reject_consistent_but_wrong(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = saved_bytes(&n);
    unsigned char *buf = malloc(n + 16);
    assert_non_null(buf);

    /* Wrong tensor shape, with a valid checksum. */
    memcpy(buf, orig, n);
    size_t d = dims_offset(buf, n, "encoder.embedding.weight");
    put_u32(buf + d, 9);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "tensor 'encoder.embedding.weight' has shape (9, 4); this configuration "
                        "needs (8, 4)");
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.attention.W_s.weight");
    put_u32(buf + d + 4, 4);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "has shape (5, 4); this configuration needs (5, 5)");
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.fc.bias");
    put_u32(buf + d - 4, 2); /* ndim */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "tensor 'decoder.fc.bias' has shape");

    /* Header size. */
    memcpy(buf, orig, n);
    put_u32(buf + 12, 44);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "header size is 44 bytes");

    /* Configuration out of range. */
    memcpy(buf, orig, n);
    put_u32(buf + 28, 0);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "bad configuration: layer");
    memcpy(buf, orig, n);
    put_u32(buf + 36, 7);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "bad configuration");

    /* Configuration that does not match the tensors (more layers). */
    memcpy(buf, orig, n);
    put_u32(buf + 28, 3);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "tensors");

    /* Vocabulary: a wrong special, a duplicate, an empty word, a space. */
    memcpy(buf, orig, n);
    memcpy(buf + 58 + 7, "<EOT>", 5); /* entry 1 */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "vocabulary entry 1 is \"<EOT>\"; it must be <SOS>");
    memcpy(buf, orig, n);
    size_t w = find_bytes(buf, n, "dog");
    memcpy(buf + w, "cat", 3);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "vocabulary word 7 \"cat\" duplicates word 5");
    memcpy(buf, orig, n);
    buf[w + 1] = ' '; /* "d g" */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "vocabulary word 7 contains a space");

    /* Tensor count and names. */
    memcpy(buf, orig, n);
    const size_t cnt = 56 + 8 * 2 + 4 * 5 + 12;
    put_u32(buf + cnt, 22);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "the file has 22 tensors; a bahdanau model");
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "decoder.fc.bias");
    memcpy(buf + w, "decoder.fc.bia_", 15);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "unknown tensor 'decoder.fc.bia_'");
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "decoder.gru.bias_hh_l1");
    memcpy(buf + w, "decoder.gru.bias_ih_l1", 22);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "tensor 'decoder.gru.bias_ih_l1' appears twice");

    /* A non-finite value. */
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.fc.bias");
    put_u32(buf + d + 4 + 4 * 3, 0x7FC00000u); /* NaN */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "tensor 'decoder.fc.bias' element 3 is not finite");
    memcpy(buf, orig, n);
    put_u32(buf + d + 4, 0x7F800000u); /* +inf */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "element 0 is not finite");

    /* Extra bytes: inside the checksummed body, and after a good trailer. */
    memcpy(buf, orig, n - 4);
    memcpy(buf + n - 4, "xyz", 3);
    fix_crc(buf, n + 3);
    expect_reject_bytes(buf, n + 3, S2S_ERR_FORMAT, "3 unexpected bytes after the last tensor");
    memcpy(buf, orig, n);
    memcpy(buf + n, "junk!", 5);
    expect_reject_bytes(buf, n + 5, S2S_ERR_FORMAT, "5 unexpected bytes after the checksum");

    /* Unchanged, it still loads (the patches above were what was wrong). */
    memcpy(buf, orig, n);
    char path[128];
    tmp_path(path, sizeof path, "patched.ckpt");
    write_all(path, buf, n);
    s2s_error err = {0};
    s2s_model *m = NULL;
    s2s_vocabs v;
    CHECK_OK(checkpoint_load(path, be, &m, &v, NULL, &err), &err);
    model_free(m);
    vocabs_free(&v);

    free(buf);
    free(orig);
}

/* Both kinds of length-prefixed string (vocabulary words, tensor names) go
 * through one reader: its length and byte checks name the string. */
static void test_reject_bad_strings(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = saved_bytes(&n);
    unsigned char *buf = malloc(n);
    assert_non_null(buf);

    /* An empty vocabulary word: its u16 length is 0. */
    memcpy(buf, orig, n);
    size_t w = find_bytes(buf, n, "dog");
    buf[w - 2] = 0;
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "vocabulary word 7 is 0 bytes long (must be 1..");

    /* Tensor names: empty, and with a byte a name may not hold. The bias of
     * fc is the last of the 23 tensors of this model. */
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "decoder.fc.bias");
    buf[w - 2] = 0;
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "the name of tensor 23 is 0 bytes long (must be 1..63)");
    memcpy(buf, orig, n);
    buf[w + 10] = '-'; /* "decoder.fc-bias" */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "the name of tensor 23 contains a byte other than a-z, A-Z, 0-9");

    /* Cut inside a name: the message says which name of how many. */
    const size_t fc_name = find_bytes(orig, n, "decoder.fc.weight");
    expect_reject_bytes(orig, fc_name + 3, S2S_ERR_FORMAT,
                        "while reading the name of tensor 22 of 23");

    free(buf);
    free(orig);
}

static void test_reject_files(void **state)
{
    (void)state;
    char path[128];
    tmp_path(path, sizeof path, "empty.ckpt");
    write_all(path, "", 0);
    expect_reject(path, S2S_ERR_FORMAT, "is empty (0 bytes)");
    remove(path);
    expect_reject(tmpdir, S2S_ERR_IO, "is a directory");
    tmp_path(path, sizeof path, "missing.ckpt");
    expect_reject(path, S2S_ERR_IO, "missing.ckpt: No such file or directory");
}

static void test_save_errors(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model(&v, S2S_ATTN_BAHDANAU, 2);
    char path[160], tmp[170];

    /* A directory that does not exist. */
    tmp_path(path, sizeof path, "no/such/dir/model.ckpt");
    assert_int_equal(checkpoint_save(path, m, &v, NULL, &err), S2S_ERR_IO);
    assert_int_equal(err.code, S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "no/such/dir/model.ckpt"));
    assert_non_null(strstr(err.msg, "No such file or directory"));

    /* A parent that is a file. */
    char file[128];
    tmp_path(file, sizeof file, "plain");
    write_all(file, "x", 1);
    snprintf(path, sizeof path, "%s/model.ckpt", file);
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m, &v, NULL, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "Not a directory"));
    remove(file);

    /* PATH is a directory: the rename fails and the temporary is removed. */
    tmp_path(path, sizeof path, "adir");
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m, &v, NULL, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_int_equal(access(tmp, F_OK), -1);
    rmdir(path);

    /* Vocabulary that does not belong to the model. */
    s2s_vocabs small;
    CHECK_OK(vocabs_create(&small, 1, &err), &err);
    tmp_path(path, sizeof path, "never.ckpt");
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m, &small, NULL, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "vocabulary has 4 words but the model 8"));
    assert_int_equal(access(path, F_OK), -1);
    vocabs_free(&small);

    model_free(m);
    vocabs_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_save_replaces),
        cmocka_unit_test(test_file_layout),
        cmocka_unit_test(test_reject_magic_and_version),
        cmocka_unit_test(test_reject_truncated),
        cmocka_unit_test(test_reject_flipped_bytes),
        cmocka_unit_test(test_reject_consistent_but_wrong),
        cmocka_unit_test(test_reject_bad_strings),
        cmocka_unit_test(test_reject_files),
        cmocka_unit_test(test_save_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
