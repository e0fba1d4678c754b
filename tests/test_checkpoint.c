/* test_checkpoint.c — the model file: round trips and every rejection, in
 * format versions 1 and 2, and a committed version-1 file that must keep
 * loading (tests/ref/v1_tiny.ckpt, or $S2S_CKPT_V1_FIXTURE). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "model.h"
#include "task.h"

#define V1_FIXTURE "tests/ref/v1_tiny.ckpt"

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

/* Words of a tiny model's vocabularies (after the four specials). */
typedef struct {
    int shared;
    const char *const *src; /* NULL-terminated */
    const char *const *tgt; /* NULL-terminated; unused when shared */
} vocab_words;

static const char *const SRC_WORDS[] = {"the", "cat", "sat", "dog", NULL};
static const char *const TGT_WORDS[] = {"le", "chat", "assis", "chien", "noir", "a", NULL};
/* Characters, blanks and a two-byte one included (a chars model's tokens). */
static const char *const SRC_CHARS[] = {"5", " ", "m", "\t", "\xc3\xa9", ",", "2", NULL};
static const char *const TGT_CHARS[] = {"2", "0", "-", NULL};

static const vocab_words SHARED_WORDS = {1, SRC_WORDS, NULL};
static const vocab_words SEPARATE_WORDS = {0, SRC_WORDS, TGT_WORDS};
static const vocab_words SEPARATE_CHARS = {0, SRC_CHARS, TGT_CHARS};

static void add_words(s2s_vocab *v, const char *const *w)
{
    s2s_error err = {0};
    for (; *w; w++) CHECK_OK(vocab_add(v, *w, NULL, &err), &err);
}

/* A tiny model (E 4, H 5) over the given vocabularies. */
static s2s_model *make_model_over(s2s_vocabs *vs, const vocab_words *w, int attention, int layers)
{
    s2s_error err = {0};
    CHECK_OK(vocabs_create(vs, w->shared, &err), &err);
    add_words(&vs->src, w->src);
    if (!w->shared) add_words(&vs->tgt, w->tgt);
    const s2s_config cfg = {.src_vocab = vs->src.size, .tgt_vocab = vocabs_tgt(vs)->size,
                            .embed = 4, .hidden = 5, .layers = layers, .dropout = 0.1f,
                            .attention = attention};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    CHECK_OK(model_init_params(m, 7, &err), &err);
    return m;
}

/* A tiny model over the vocabulary <PAD> <SOS> <EOS> <UNK> the cat sat dog. */
static s2s_model *make_model(s2s_vocabs *vs, int attention, int layers)
{
    return make_model_over(vs, &SHARED_WORDS, attention, layers);
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
    assert_int_equal(v.tgt.size, 0);
    assert_null(v.tgt.word);
    assert_null(v.tgt.slot);
}

/* Writes buf to a fresh file and expects its rejection. */
static void expect_reject_bytes(const void *buf, size_t n, s2s_code code, const char *want)
{
    char path[128];
    tmp_path(path, sizeof path, "patched.ckpt");
    write_all(path, buf, n);
    expect_reject(path, code, want);
}

/* The bytes of a tiny model saved with meta. */
static unsigned char *bytes_of(const vocab_words *w, int layers, const s2s_ckpt_meta *meta,
                               size_t *n)
{
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model_over(&v, w, S2S_ATTN_BAHDANAU, layers);
    char path[128];
    tmp_path(path, sizeof path, "base.ckpt");
    CHECK_OK(checkpoint_save(path, m, &v, meta, &err), &err);
    model_free(m);
    vocabs_free(&v);
    unsigned char *buf = read_all(path, n);
    remove(path);
    return buf;
}

/* A saved tiny reversal model's bytes (format version 1). */
static unsigned char *saved_bytes(size_t *n)
{
    const s2s_ckpt_meta meta = {.epoch = 5, .val_loss = 0.5f, .seed = 42};
    return bytes_of(&SHARED_WORDS, 2, &meta, n);
}

/* A saved tiny model with separate vocabularies of 8 and 10 words, for the
 * user's pairs (format version 2). */
static unsigned char *saved_v2_bytes(size_t *n)
{
    const s2s_ckpt_meta meta = {.epoch = 5, .val_loss = 0.5f, .seed = 42,
                                .task = S2S_TASK_PAIRS, .tokens = S2S_TOKENS_WORDS};
    return bytes_of(&SEPARATE_WORDS, 2, &meta, n);
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

static void expect_same_vocab(const s2s_vocab *got, const s2s_vocab *want)
{
    assert_int_equal(got->size, want->size);
    for (int i = 0; i < want->size; i++) {
        assert_string_equal(got->word[i], want->word[i]);
        assert_int_equal(vocab_find(got, want->word[i]), i);
    }
}

/* Loads path and expects m's configuration and parameters (bit for bit),
 * v's vocabularies and meta. */
static void expect_loads_as(const char *path, s2s_model *m, const s2s_vocabs *v,
                            const s2s_ckpt_meta *meta)
{
    s2s_error err = {0};
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
    assert_int_equal(meta2.epoch, meta->epoch);
    assert_memory_equal(&meta2.val_loss, &meta->val_loss, sizeof meta->val_loss);
    assert_true(meta2.seed == meta->seed);
    assert_int_equal(meta2.task, meta->task);
    assert_int_equal(meta2.tokens, meta->tokens);
    assert_int_equal(v2.shared, v->shared);
    expect_same_vocab(&v2.src, &v->src);
    expect_same_vocab(vocabs_tgt(&v2), vocabs_tgt(v));
    if (v2.shared) assert_null(v2.tgt.word);
    assert_int_equal(model_num_params(m2), model_num_params(m));
    float *p = params_of(m), *p2 = params_of(m2);
    assert_memory_equal(p, p2, model_num_params(m) * sizeof *p); /* bit-identical */
    free(p);
    free(p2);
    model_free(m2);
    vocabs_free(&v2);
}

/* Saves a tiny model with meta, expects the format version and that it
 * loads back as it was. */
static void round_trip_as(const vocab_words *w, int attention, int layers,
                          const s2s_ckpt_meta *meta, uint32_t version)
{
    s2s_error err = {0};
    s2s_vocabs v;
    s2s_model *m = make_model_over(&v, w, attention, layers);
    char path[128], tmp[140];
    tmp_path(path, sizeof path, "model.ckpt");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);

    CHECK_OK(checkpoint_save(path, m, &v, meta, &err), &err);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(access(tmp, F_OK), -1); /* no temporary left behind */
    size_t n;
    unsigned char *buf = read_all(path, &n);
    assert_int_equal(get_u32(buf + 8), version);
    free(buf);
    expect_loads_as(path, m, &v, meta);
    remove(path);
    model_free(m);
    vocabs_free(&v);
}

static void round_trip(int attention, int layers)
{
    const s2s_ckpt_meta meta = {.epoch = 12, .val_loss = 0.0123f, .seed = 0x0123456789ABCDEFull};
    round_trip_as(&SHARED_WORDS, attention, layers, &meta, 1);

    /* Without meta: epoch 0, NaN loss, seed 0; loading with meta NULL works. */
    s2s_error err = {0};
    s2s_vocabs v, v2;
    s2s_model *m = make_model(&v, attention, layers), *m2 = NULL;
    char path[128];
    tmp_path(path, sizeof path, "model.ckpt");
    s2s_ckpt_meta meta2 = {0};
    CHECK_OK(checkpoint_save(path, m, &v, NULL, &err), &err);
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, &meta2, &err), &err);
    assert_int_equal(meta2.epoch, 0);
    assert_true(isnan(meta2.val_loss));
    assert_true(meta2.seed == 0);
    assert_int_equal(meta2.task, S2S_TASK_REVERSE);
    assert_int_equal(meta2.tokens, S2S_TOKENS_WORDS);
    model_free(m2);
    vocabs_free(&v2);
    CHECK_OK(checkpoint_load(path, be, &m2, &v2, NULL, &err), &err);
    model_free(m2);
    vocabs_free(&v2);

    remove(path);
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

/* Version 2: separate vocabularies of different sizes, character tokens,
 * tasks; and a shared vocabulary that version 1 cannot say (copy). */
static void test_round_trip_v2(void **state)
{
    (void)state;
    const s2s_ckpt_meta pairs = {.epoch = 3, .val_loss = 0.25f, .seed = 9,
                                 .task = S2S_TASK_PAIRS, .tokens = S2S_TOKENS_WORDS};
    round_trip_as(&SEPARATE_WORDS, S2S_ATTN_BAHDANAU, 2, &pairs, 2);
    round_trip_as(&SEPARATE_WORDS, S2S_ATTN_NONE, 1, &pairs, 2);
    const s2s_ckpt_meta dates = {.epoch = 7, .val_loss = 1.5f, .seed = 0xFEDCBA9876543210ull,
                                 .task = S2S_TASK_DATES, .tokens = S2S_TOKENS_CHARS};
    round_trip_as(&SEPARATE_CHARS, S2S_ATTN_LOCATION, 2, &dates, 2);
    round_trip_as(&SEPARATE_CHARS, S2S_ATTN_LUONG, 1, &dates, 2);
    const s2s_ckpt_meta copy = {.epoch = 1, .val_loss = NAN, .seed = 1,
                                .task = S2S_TASK_COPY, .tokens = S2S_TOKENS_WORDS};
    round_trip_as(&SHARED_WORDS, S2S_ATTN_BAHDANAU, 1, &copy, 2);
    /* A reversal model of characters, or with two vocabularies, is not
     * what version 1 holds either. */
    const s2s_ckpt_meta rev_chars = {.epoch = 2, .val_loss = 0.5f, .seed = 3,
                                     .task = S2S_TASK_REVERSE, .tokens = S2S_TOKENS_CHARS};
    round_trip_as(&SEPARATE_CHARS, S2S_ATTN_BAHDANAU, 1, &rev_chars, 2);
    const s2s_ckpt_meta rev = {.epoch = 2, .val_loss = 0.5f, .seed = 3};
    round_trip_as(&SEPARATE_WORDS, S2S_ATTN_BAHDANAU, 1, &rev, 2);

    /* The tensors follow their vocabulary: the encoder's embedding the
     * source's 8 words, the decoder's embedding and output layer the
     * target's 10. */
    s2s_vocabs v;
    s2s_model *m = make_model_over(&v, &SEPARATE_WORDS, S2S_ATTN_BAHDANAU, 1);
    assert_int_equal(model_tensor(m, model_find_tensor(m, "encoder.embedding.weight"))->dims[0], 8);
    assert_int_equal(model_tensor(m, model_find_tensor(m, "decoder.embedding.weight"))->dims[0], 10);
    assert_int_equal(model_tensor(m, model_find_tensor(m, "decoder.fc.weight"))->dims[0], 10);
    assert_int_equal(model_tensor(m, model_find_tensor(m, "decoder.fc.bias"))->dims[0], 10);
    model_free(m);
    vocabs_free(&v);
}

/* The committed version-1 file (written before version 2 existed): a
 * Bahdanau model, E 4, H 5, one layer, nine words, initialised from seed
 * 2024 and saved at "epoch 3" with validation loss 1.25 and seed 2024. It
 * loads as it was, and saving it again gives the same bytes. */
static void test_v1_fixture(void **state)
{
    (void)state;
    const char *env = getenv("S2S_CKPT_V1_FIXTURE");
    const char *path = env && *env ? env : V1_FIXTURE;
    s2s_error err = {0};
    s2s_model *m = NULL;
    s2s_vocabs v;
    s2s_ckpt_meta meta;
    CHECK_OK(checkpoint_load(path, be, &m, &v, &meta, &err), &err);
    const s2s_config *c = model_config(m);
    assert_int_equal(c->src_vocab, 9);
    assert_int_equal(c->tgt_vocab, 9);
    assert_int_equal(c->embed, 4);
    assert_int_equal(c->hidden, 5);
    assert_int_equal(c->layers, 1);
    assert_true(c->dropout == 0.1f);
    assert_int_equal(c->attention, S2S_ATTN_BAHDANAU);
    assert_int_equal(meta.epoch, 3);
    assert_true(meta.val_loss == 1.25f);
    assert_true(meta.seed == 2024);
    assert_int_equal(meta.task, S2S_TASK_REVERSE);
    assert_int_equal(meta.tokens, S2S_TOKENS_WORDS);
    assert_int_equal(v.shared, 1);
    const char *words[] = {"<PAD>", "<SOS>", "<EOS>", "<UNK>", "the", "cat", "sat", "on", "mat"};
    assert_int_equal(v.src.size, 9);
    for (int i = 0; i < 9; i++) assert_string_equal(v.src.word[i], words[i]);
    assert_int_equal(vocab_find(&v.src, "mat"), 8);

    /* A few parameters, by their bits. */
    float *p = params_of(m);
    const struct {
        const char *name;
        size_t index;
        uint32_t bits;
    } want[] = {
        {"encoder.embedding.weight", 0, 0},           /* the <PAD> row */
        {"encoder.embedding.weight", 8 * 4 + 3, 0x3f81615bu},
        {"encoder.gru.weight_hh_l0", 0, 0x3eccfc54u},
        {"decoder.attention.v.weight", 4, 0x3dda6ec7u},
        {"decoder.fc.bias", 0, 0x3eab3cfeu},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const int t = model_find_tensor(m, want[i].name);
        assert_true(t >= 0);
        uint32_t bits;
        memcpy(&bits, p + model_tensor(m, t)->offset + want[i].index, 4);
        if (bits != want[i].bits)
            fail_msg("%s[%zu] has bits %08x, want %08x", want[i].name, want[i].index, bits,
                     want[i].bits);
    }
    free(p);

    char again[128];
    tmp_path(again, sizeof again, "v1_again.ckpt");
    CHECK_OK(checkpoint_save(again, m, &v, &meta, &err), &err);
    size_t n1, n2;
    unsigned char *a = read_all(path, &n1), *b = read_all(again, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
    remove(again);
    model_free(m);
    vocabs_free(&v);
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

/* Version 2: the 56-byte config block, then the source's 8 words and the
 * target's 10, then the tensors. */
static void test_file_layout_v2(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_v2_bytes(&n);
    assert_memory_equal(buf, "S2SCKPT\0", 8);
    assert_int_equal(get_u32(buf + 8), 2);
    assert_int_equal(get_u32(buf + 12), 56);
    assert_int_equal(get_u32(buf + 16), 8); /* source V */
    assert_int_equal(get_u32(buf + 20), 4); /* E */
    assert_int_equal(get_u32(buf + 24), 5); /* H */
    assert_int_equal(get_u32(buf + 28), 2); /* L */
    assert_int_equal(get_u32(buf + 36), S2S_ATTN_BAHDANAU);
    assert_int_equal(get_u32(buf + 40), 5); /* epoch */
    assert_int_equal(get_u32(buf + 48), 42); /* seed, low word */
    assert_int_equal(get_u32(buf + 56), S2S_TASK_PAIRS);
    assert_int_equal(get_u32(buf + 60), S2S_TOKENS_WORDS);
    assert_int_equal(get_u32(buf + 64), 0); /* two vocabularies */
    assert_int_equal(get_u32(buf + 68), 10); /* target V */
    assert_int_equal(buf[72], 5);
    assert_memory_equal(buf + 74, "<PAD>", 5);
    const size_t src = 72 + 8 * 2 + 4 * 5 + 3 + 3 + 3 + 3;
    assert_int_equal(buf[src], 5);
    assert_memory_equal(buf + src + 2, "<PAD>", 5);
    const size_t tgt = 10 * 2 + 4 * 5 + 2 + 4 + 5 + 5 + 4 + 1;
    assert_memory_equal(buf + src + tgt - 1, "a", 1);
    assert_int_equal(get_u32(buf + src + tgt), 23);
    assert_memory_equal(buf + src + tgt + 6, "encoder.embedding.weight", 24);
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

    put_u32(buf + 8, 3);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 3, this program reads 1 and 2");
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 3, this program reads 1 and 2");
    put_u32(buf + 8, 0);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 0, this program reads 1 and 2");
    put_u32(buf + 8, 0xFFFFFFFFu);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 4294967295, this program reads");
    /* A version-1 body called version 2 (or the reverse): the header size
     * says the config block is not that version's. */
    put_u32(buf + 8, 2);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "header size is 40 bytes; format version 2 has 56");
    free(buf);
    buf = saved_v2_bytes(&n);
    put_u32(buf + 8, 1);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "header size is 56 bytes; format version 1 has 40");
    put_u32(buf + 8, 3);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "format version 3, this program reads 1 and 2");
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

/* Every proper prefix of a file of either version is "truncated", never
 * "damaged" or a misleading complaint about a field. */
static void expect_every_prefix_truncated(const unsigned char *buf, size_t n)
{
    for (size_t cut = 1; cut < n; cut++) {
        char want[64];
        snprintf(want, sizeof want, "truncated at byte %zu while reading", cut);
        expect_reject_bytes(buf, cut, S2S_ERR_FORMAT, want);
    }
}

static void test_reject_truncated_every_prefix(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);
    expect_every_prefix_truncated(buf, n);
    free(buf);
    buf = saved_v2_bytes(&n);
    expect_every_prefix_truncated(buf, n);
    /* Parts only version 2 has, named. */
    expect_reject_bytes(buf, 66, S2S_ERR_FORMAT, "while reading the configuration");
    const size_t tgt_words = 72 + 8 * 2 + 4 * 5 + 12;
    expect_reject_bytes(buf, tgt_words + 3, S2S_ERR_FORMAT,
                        "while reading target vocabulary word 0 of 10");
    expect_reject_bytes(buf, 80, S2S_ERR_FORMAT, "while reading source vocabulary word 1 of 8");
    free(buf);
}

/* Every byte after magic and version, two different bits each: always
 * "checksum mismatch", never a misleading "truncated". */
static void expect_every_flip_damaged(unsigned char *buf, size_t n)
{
    const unsigned char masks[2] = {0x01, 0x80};
    for (size_t pos = 12; pos < n; pos++)
        for (int k = 0; k < 2; k++) {
            buf[pos] ^= masks[k];
            expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "checksum mismatch: file is damaged");
            buf[pos] ^= masks[k];
        }
}

static void test_reject_flipped_bytes(void **state)
{
    (void)state;
    size_t n;
    unsigned char *buf = saved_bytes(&n);
    expect_every_flip_damaged(buf, n);
    free(buf);
    buf = saved_v2_bytes(&n);
    expect_every_flip_damaged(buf, n);
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

/* Version 2's own fields, each wrong with a valid checksum: the message names
 * the field and its value. */
static void test_reject_v2_fields(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = saved_v2_bytes(&n);
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    const struct {
        size_t offset;
        uint32_t value;
        const char *want;
    } cases[] = {
        {12, 40, "header size is 40 bytes; format version 2 has 56"},
        {12, 60, "header size is 60 bytes; format version 2 has 56"},
        {56, 5, "bad configuration: task 5 (this program knows 0..4)"},
        {56, 0x80000000u, "bad configuration: task 2147483648"},
        {60, 2, "bad configuration: tokens 2 (must be 0 words or 1 chars)"},
        {64, 2, "bad configuration: shared 2 (must be 0 or 1)"},
        {64, 1, "one shared vocabulary, but the target vocabulary size 10 differs from the "
                "source's 8"},
        {68, 3, "bad configuration: target vocabulary size 3 is out of range"},
        {68, 0x80000000u, "bad configuration: a size is out of range (V=8 target V=2147483648"},
        {16, 3, "bad configuration: source vocabulary size 3 is out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, orig, n);
        put_u32(buf + cases[i].offset, cases[i].value);
        fix_crc(buf, n);
        expect_reject_bytes(buf, n, S2S_ERR_FORMAT, cases[i].want);
    }

    /* Shapes follow the right vocabulary: 8 source rows, 10 target rows. */
    memcpy(buf, orig, n);
    size_t d = dims_offset(buf, n, "encoder.embedding.weight");
    put_u32(buf + d, 10);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "tensor 'encoder.embedding.weight' has shape (10, 4); this configuration "
                        "needs (8, 4)");
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.embedding.weight");
    put_u32(buf + d, 8);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "tensor 'decoder.embedding.weight' has shape (8, 4); this configuration "
                        "needs (10, 4)");
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.fc.weight");
    put_u32(buf + d, 8);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "tensor 'decoder.fc.weight' has shape (8, 5); this configuration needs "
                        "(10, 5)");
    memcpy(buf, orig, n);
    d = dims_offset(buf, n, "decoder.fc.bias");
    put_u32(buf + d, 8);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "tensor 'decoder.fc.bias' has shape (8); this configuration needs (10)");
    free(buf);
    free(orig);
}

/* Each of version 2's vocabularies is checked on its own and named. */
static void test_reject_v2_vocabularies(void **state)
{
    (void)state;
    size_t n;
    unsigned char *orig = saved_v2_bytes(&n);
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    memcpy(buf, orig, n);
    size_t w = find_bytes(buf, n, "chien");
    memcpy(buf + w, "assis", 5);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "target vocabulary word 7 \"assis\" duplicates word 6");
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "dog");
    memcpy(buf + w, "sat", 3);
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "source vocabulary word 7 \"sat\" duplicates word 6");
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "le");
    memcpy(buf + w - 14, "<EOT>", 5); /* the target's entry 2, <EOS> */
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT,
                        "target vocabulary entry 2 is \"<EOT>\"; it must be <EOS>");
    memcpy(buf, orig, n);
    w = find_bytes(buf, n, "noir");
    buf[w + 1] = ' ';
    fix_crc(buf, n);
    expect_reject_bytes(buf, n, S2S_ERR_FORMAT, "target vocabulary word 8 contains a space");

    /* A words vocabulary holds no blank; a characters one does, but no NUL. */
    const s2s_ckpt_meta meta = {.epoch = 1, .val_loss = 1.0f, .seed = 1,
                                .task = S2S_TASK_DATES, .tokens = S2S_TOKENS_CHARS};
    size_t nc;
    unsigned char *chars = bytes_of(&SEPARATE_CHARS, 1, &meta, &nc);
    w = find_bytes(chars, nc, "m");
    chars[w] = 0;
    fix_crc(chars, nc);
    expect_reject_bytes(chars, nc, S2S_ERR_FORMAT, "source vocabulary word 6 contains a NUL byte");
    chars[w] = 'm';
    put_u32(chars + 60, S2S_TOKENS_WORDS); /* " " (word 5) is no word */
    fix_crc(chars, nc);
    expect_reject_bytes(chars, nc, S2S_ERR_FORMAT, "source vocabulary word 5 contains a space");
    free(chars);

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

    /* Two vocabularies for a model of one, or a target that does not fit. */
    s2s_vocabs two;
    CHECK_OK(vocabs_create(&two, 0, &err), &err);
    add_words(&two.src, SRC_WORDS);
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m, &two, NULL, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "the target vocabulary has 4 words but the model 8"));
    vocabs_free(&two);
    s2s_vocabs sep;
    s2s_model *m2 = make_model_over(&sep, &SEPARATE_WORDS, S2S_ATTN_BAHDANAU, 1);
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m2, &v, NULL, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "one shared vocabulary, but the model's source and target "
                                    "vocabulary sizes differ (8, 10)"));

    /* A task or tokenisation this program does not know. */
    s2s_ckpt_meta meta = {.epoch = 1, .val_loss = 1.0f, .seed = 1, .task = S2S_TASKS};
    s2s_error_clear(&err);
    assert_int_equal(checkpoint_save(path, m2, &sep, &meta, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "task 5 (must be 0..4)"));
    meta.task = -1;
    assert_int_equal(checkpoint_save(path, m2, &sep, &meta, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "task -1"));
    meta.task = S2S_TASK_PAIRS;
    meta.tokens = 2;
    assert_int_equal(checkpoint_save(path, m2, &sep, &meta, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "tokens 2 (must be 0 or 1)"));
    assert_int_equal(access(path, F_OK), -1);
    model_free(m2);
    vocabs_free(&sep);
    vocabs_free(&small);

    model_free(m);
    vocabs_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_v2),
        cmocka_unit_test(test_v1_fixture),
        cmocka_unit_test(test_save_replaces),
        cmocka_unit_test(test_file_layout),
        cmocka_unit_test(test_file_layout_v2),
        cmocka_unit_test(test_reject_magic_and_version),
        cmocka_unit_test(test_reject_truncated),
        cmocka_unit_test(test_reject_truncated_every_prefix),
        cmocka_unit_test(test_reject_flipped_bytes),
        cmocka_unit_test(test_reject_consistent_but_wrong),
        cmocka_unit_test(test_reject_v2_fields),
        cmocka_unit_test(test_reject_v2_vocabularies),
        cmocka_unit_test(test_reject_bad_strings),
        cmocka_unit_test(test_reject_files),
        cmocka_unit_test(test_save_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
