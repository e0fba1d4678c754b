/* test_data.c — random numbers, vocabulary, tokenizer, corpora, datasets, batches. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "rng.h"

/* ------------------------------------------------------------------ rng */

static void test_rng_deterministic(void **state)
{
    (void)state;
    s2s_rng a, b, c;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    rng_seed(&c, 43);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        const uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        assert_true(x == y);
        differ += x != z;
    }
    assert_true(differ > 990);
    /* Seed 0 must not give the all-zero state (which would only emit zeros). */
    rng_seed(&a, 0);
    uint64_t acc = 0;
    for (int i = 0; i < 4; i++) acc |= rng_next(&a);
    assert_true(acc != 0);
}

static void test_rng_below(void **state)
{
    (void)state;
    s2s_rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < 1000; i++) assert_int_equal(rng_below(&r, 1), 0);
    for (int i = 0; i < 10000; i++) assert_true(rng_below(&r, 3) < 3);
    for (int i = 0; i < 10000; i++) assert_true(rng_below(&r, 0x80000001u) < 0x80000001u);
    for (int i = 0; i < 10000; i++) assert_true(rng_below(&r, 0xFFFFFFFFu) < 0xFFFFFFFFu);

    /* Chi-square over 10 and over 34 bins: expected ~ dof, the bound is loose
     * (p < 1e-6 for a correct generator) but catches a broken reduction. */
    const int bins[2] = {10, 34};
    for (int k = 0; k < 2; k++) {
        const int n = bins[k], draws = 200000;
        long count[34] = {0};
        for (int i = 0; i < draws; i++) count[rng_below(&r, (uint32_t)n)]++;
        const double expect = (double)draws / n;
        double chi2 = 0;
        for (int i = 0; i < n; i++) chi2 += (count[i] - expect) * (count[i] - expect) / expect;
        assert_true(chi2 < 3.0 * n + 30);
    }
}

static void test_rng_uniform_normal(void **state)
{
    (void)state;
    s2s_rng r;
    rng_seed(&r, 123);
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        const float u = rng_uniform(&r);
        assert_true(u >= 0.0f && u < 1.0f);
        s += u;
    }
    assert_true(fabs(s / n - 0.5) < 0.01);

    s = 0;
    for (int i = 0; i < n; i++) {
        const float x = rng_normal(&r);
        assert_true(isfinite(x));
        s += x;
        s2 += (double)x * x;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    assert_true(fabs(mean) < 0.02);
    assert_true(fabs(var - 1.0) < 0.03);
}

static void test_shuffle(void **state)
{
    (void)state;
    enum { N = 100 };
    int a[N], b[N];
    for (int i = 0; i < N; i++) a[i] = b[i] = i;
    s2s_rng r1, r2;
    rng_seed(&r1, 5);
    rng_seed(&r2, 5);
    shuffle_ints(a, N, &r1);
    shuffle_ints(b, N, &r2);
    assert_memory_equal(a, b, sizeof a);
    int seen[N] = {0}, moved = 0;
    for (int i = 0; i < N; i++) {
        assert_true(a[i] >= 0 && a[i] < N);
        seen[a[i]]++;
        moved += a[i] != i;
    }
    for (int i = 0; i < N; i++) assert_int_equal(seen[i], 1);
    assert_true(moved > N / 2);
    shuffle_ints(a, 0, &r1); /* no-ops, no crash */
    shuffle_ints(a, 1, &r1);
}

/* ------------------------------------------------------------------ vocabulary */

static void test_vocab_basic_and_growth(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_vocab v;
    CHECK_OK(vocab_create(&v, &err), &err);
    assert_int_equal(v.size, 4);
    assert_string_equal(v.word[S2S_PAD], "<PAD>");
    assert_string_equal(v.word[S2S_SOS], "<SOS>");
    assert_string_equal(v.word[S2S_EOS], "<EOS>");
    assert_string_equal(v.word[S2S_UNK], "<UNK>");
    assert_int_equal(vocab_find(&v, "<EOS>"), S2S_EOS);
    assert_int_equal(vocab_find(&v, "cat"), -1);

    char w[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        int id = -1;
        CHECK_OK(vocab_add(&v, w, &id, &err), &err);
        assert_int_equal(id, 4 + i);
    }
    assert_int_equal(v.size, 5004);
    assert_true(v.nslot > 2 * v.size);
    assert_int_equal(v.nslot & (v.nslot - 1), 0);
    for (int i = 0; i < 5000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        assert_int_equal(vocab_find(&v, w), 4 + i);
        int id = -1;
        CHECK_OK(vocab_add(&v, w, &id, &err), &err); /* re-adding returns the same id */
        assert_int_equal(id, 4 + i);
    }
    assert_int_equal(v.size, 5004);
    assert_int_equal(vocab_find(&v, "w5000"), -1);
    assert_int_equal(vocab_add(&v, "", NULL, &err), S2S_ERR_ARG);

    vocab_free(&v);
    vocab_free(&v); /* idempotent */
    s2s_vocab z;
    memset(&z, 0, sizeof z);
    vocab_free(&z);
    assert_int_equal(vocab_find(&z, "x"), -1);
    assert_int_equal(vocab_add(&z, "x", NULL, &err), S2S_ERR_ARG);
}

/* ------------------------------------------------------------------ tokenizer */

static void test_tokenize(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_sentence s;

    CHECK_OK(sentence_tokenize("", &s, &err), &err);
    assert_int_equal(s.len, 0);
    sentence_free(&s);
    CHECK_OK(sentence_tokenize("  \t \r\n", &s, &err), &err);
    assert_int_equal(s.len, 0);
    sentence_free(&s);

    CHECK_OK(sentence_tokenize("  the\t\tcat   sat \r\n", &s, &err), &err);
    assert_int_equal(s.len, 3);
    assert_string_equal(s.w[0], "the");
    assert_string_equal(s.w[1], "cat");
    assert_string_equal(s.w[2], "sat");
    sentence_free(&s);
    sentence_free(&s); /* idempotent */

    CHECK_OK(sentence_tokenize("a\r\nb", &s, &err), &err); /* CR and LF separate words */
    assert_int_equal(s.len, 2);
    assert_string_equal(s.w[1], "b");
    sentence_free(&s);

    /* Longest allowed word, then one byte more. */
    char word[S2S_MAX_WORD_BYTES + 2];
    memset(word, 'x', S2S_MAX_WORD_BYTES);
    word[S2S_MAX_WORD_BYTES] = '\0';
    CHECK_OK(sentence_tokenize(word, &s, &err), &err);
    assert_int_equal(s.len, 1);
    assert_int_equal((int)strlen(s.w[0]), S2S_MAX_WORD_BYTES);
    sentence_free(&s);
    word[S2S_MAX_WORD_BYTES] = 'x';
    word[S2S_MAX_WORD_BYTES + 1] = '\0';
    char line[200];
    snprintf(line, sizeof line, "the %s cat", word);
    s2s_error_clear(&err);
    assert_int_equal(sentence_tokenize(line, &s, &err), S2S_ERR_ARG);
    assert_int_equal(err.code, S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "word 2"));
    assert_non_null(strstr(err.msg, "65 bytes"));
    assert_int_equal(s.len, 0);
    assert_null(s.w);

    /* Exactly 100 words are fine; 101 are not. */
    char big[S2S_MAX_SENTENCE_WORDS * 4 + 16];
    big[0] = '\0';
    for (int i = 0; i < S2S_MAX_SENTENCE_WORDS; i++) strcat(big, "cat ");
    CHECK_OK(sentence_tokenize(big, &s, &err), &err);
    assert_int_equal(s.len, S2S_MAX_SENTENCE_WORDS);
    sentence_free(&s);
    strcat(big, "dog");
    s2s_error_clear(&err);
    assert_int_equal(sentence_tokenize(big, &s, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "more than 100 words"));
    assert_int_equal(s.len, 0);
    assert_null(s.w);
}

/* ------------------------------------------------------------------ synthetic corpus */

static int sentences_equal(const s2s_sentence *a, const s2s_sentence *b)
{
    if (a->len != b->len) return 0;
    for (int k = 0; k < a->len; k++)
        if (strcmp(a->w[k], b->w[k]) != 0) return 0;
    return 1;
}

static int corpora_equal(const s2s_corpus *a, const s2s_corpus *b)
{
    if (a->count != b->count) return 0;
    for (int i = 0; i < a->count; i++)
        if (!sentences_equal(&a->s[i], &b->s[i])) return 0;
    return 1;
}

static int seed_word_index(const char *w)
{
    for (int i = 0; i < 34; i++)
        if (strcmp(S2S_SEED_WORDS[i], w) == 0) return i;
    return -1;
}

static void test_seed_words(void **state)
{
    (void)state;
    assert_string_equal(S2S_SEED_WORDS[0], "the");
    assert_string_equal(S2S_SEED_WORDS[1], "cat");
    assert_string_equal(S2S_SEED_WORDS[17], "fish");
    assert_string_equal(S2S_SEED_WORDS[33], "cold");
    for (int i = 0; i < 34; i++)
        for (int j = i + 1; j < 34; j++) assert_string_not_equal(S2S_SEED_WORDS[i], S2S_SEED_WORDS[j]);
}

static void test_synthetic(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus tr, va, te, tr2, va2, te2, tr3, va3, te3;
    CHECK_OK(corpus_synthetic(&tr, &va, &te, 8000, 1000, 1000, 42, &err), &err);
    CHECK_OK(corpus_synthetic(&tr2, &va2, &te2, 8000, 1000, 1000, 42, &err), &err);
    CHECK_OK(corpus_synthetic(&tr3, &va3, &te3, 8000, 1000, 1000, 43, &err), &err);
    assert_int_equal(tr.count, 8000);
    assert_int_equal(va.count, 1000);
    assert_int_equal(te.count, 1000);
    assert_true(corpora_equal(&tr, &tr2));
    assert_true(corpora_equal(&va, &va2));
    assert_true(corpora_equal(&te, &te2));
    assert_false(corpora_equal(&tr, &tr3));
    assert_false(corpora_equal(&te, &te3));
    /* val and test are drawn after train, not copies of it */
    assert_false(sentences_equal(&tr.s[0], &va.s[0]));
    assert_false(sentences_equal(&va.s[0], &te.s[0]));

    int len_seen[11] = {0}, word_seen[34] = {0};
    const s2s_corpus *all[3] = {&tr, &va, &te};
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < all[c]->count; i++) {
            const s2s_sentence *s = &all[c]->s[i];
            assert_true(s->len >= 3 && s->len <= 10);
            len_seen[s->len]++;
            for (int k = 0; k < s->len; k++) {
                const int w = seed_word_index(s->w[k]);
                assert_true(w >= 0);
                if (c == 0) word_seen[w]++;
            }
        }
    for (int l = 3; l <= 10; l++) assert_true(len_seen[l] > 0);
    /* Uniform lengths: each of 8 lengths ~1250 of 10000. */
    for (int l = 3; l <= 10; l++) assert_true(len_seen[l] > 1000 && len_seen[l] < 1500);
    for (int w = 0; w < 34; w++) assert_true(word_seen[w] > 0);

    /* Vocabulary: 4 specials + 34 words, in order of first appearance. */
    s2s_vocab v;
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build(&v, &tr, &err), &err);
    assert_int_equal(v.size, 38);
    assert_string_equal(v.word[0], "<PAD>");
    assert_string_equal(v.word[3], "<UNK>");
    assert_string_equal(v.word[4], tr.s[0].w[0]);
    int next = 4;
    for (int i = 0; i < tr.count; i++)
        for (int k = 0; k < tr.s[i].len; k++) {
            const int id = vocab_find(&v, tr.s[i].w[k]);
            assert_true(id >= 4 && id <= next);
            if (id == next) next++;
        }
    assert_int_equal(next, 38);

    /* Encoded datasets: no unknowns; lengths and reversal. */
    s2s_dataset d;
    CHECK_OK(dataset_create(&d, &va, SHARED(&v), &err), &err);
    assert_int_equal(d.count, 1000);
    assert_int_equal(d.unknown, 0);
    assert_int_equal(d.max_src, 11);
    assert_int_equal(d.max_tgt, 12);
    for (int i = 0; i < d.count; i++) {
        const int n = va.s[i].len;
        const int *src = d.src + d.src_off[i], *tgt = d.tgt + d.tgt_off[i];
        assert_int_equal(d.src_len[i], n + 1);
        assert_int_equal(d.tgt_len[i], n + 2);
        assert_int_equal(src[n], S2S_EOS);
        assert_int_equal(tgt[0], S2S_SOS);
        assert_int_equal(tgt[n + 1], S2S_EOS);
        for (int k = 0; k < n; k++) {
            assert_int_equal(src[k], vocab_find(&v, va.s[i].w[k]));
            assert_int_equal(tgt[1 + k], src[n - 1 - k]);
        }
    }
    dataset_free(&d);
    dataset_free(&d);

    vocab_free(&v);
    corpus_free(&tr); corpus_free(&va); corpus_free(&te);
    corpus_free(&tr2); corpus_free(&va2); corpus_free(&te2);
    corpus_free(&tr3); corpus_free(&va3); corpus_free(&te3);
    corpus_free(&tr); /* idempotent */

    assert_int_equal(corpus_synthetic(&tr, &va, &te, -1, 1, 1, 1, &err), S2S_ERR_ARG);
    assert_int_equal(tr.count, 0);
    assert_null(tr.s);
}

/* ------------------------------------------------------------------ encoding */

/* Makes a corpus from lines (each tokenized). */
static void make_corpus(s2s_corpus *c, const char *const *lines, int n)
{
    s2s_error err = {0};
    c->count = n;
    c->t = NULL;
    c->s = calloc((size_t)n, sizeof *c->s);
    assert_non_null(c->s);
    for (int i = 0; i < n; i++) CHECK_OK(sentence_tokenize(lines[i], &c->s[i], &err), &err);
}

static void test_encode_known_and_unknown(void **state)
{
    (void)state;
    s2s_error err = {0};
    const char *const train_lines[] = {"the cat sat", "the dog ran on the mat"};
    s2s_corpus c;
    make_corpus(&c, train_lines, 2);
    s2s_vocab v;
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build(&v, &c, &err), &err);
    /* the=4 cat=5 sat=6 dog=7 ran=8 on=9 mat=10 */
    assert_int_equal(v.size, 11);
    assert_int_equal(vocab_find(&v, "the"), 4);
    assert_int_equal(vocab_find(&v, "mat"), 10);

    s2s_dataset d;
    CHECK_OK(dataset_create(&d, &c, SHARED(&v), &err), &err);
    const int src0[] = {4, 5, 6, S2S_EOS};
    const int tgt0[] = {S2S_SOS, 6, 5, 4, S2S_EOS};
    assert_int_equal(d.src_len[0], 4);
    assert_int_equal(d.tgt_len[0], 5);
    assert_memory_equal(d.src + d.src_off[0], src0, sizeof src0);
    assert_memory_equal(d.tgt + d.tgt_off[0], tgt0, sizeof tgt0);
    const int tgt1[] = {S2S_SOS, 10, 4, 9, 8, 7, 4, S2S_EOS};
    assert_memory_equal(d.tgt + d.tgt_off[1], tgt1, sizeof tgt1);
    assert_int_equal(d.unknown, 0);
    dataset_free(&d);

    /* Unknown words become <UNK> and are counted. */
    const char *const other_lines[] = {"the zebra sat", "a b the", "<EOS> cat"};
    s2s_corpus o;
    make_corpus(&o, other_lines, 3);
    CHECK_OK(dataset_create(&d, &o, SHARED(&v), &err), &err);
    assert_int_equal(d.unknown, 1 + 2 + 1);
    const int srcu[] = {4, S2S_UNK, 6, S2S_EOS};
    const int tgtu[] = {S2S_SOS, 6, S2S_UNK, 4, S2S_EOS};
    assert_memory_equal(d.src + d.src_off[0], srcu, sizeof srcu);
    assert_memory_equal(d.tgt + d.tgt_off[0], tgtu, sizeof tgtu);
    dataset_free(&d);

    int ids[4];
    assert_int_equal(sentence_encode_src(&o.s[0], &v, ids), 1);
    assert_memory_equal(ids, srcu, sizeof srcu);
    assert_int_equal(sentence_encode_src(&c.s[0], &v, ids), 0);
    assert_memory_equal(ids, src0, sizeof src0);

    vocab_free(&v);
    corpus_free(&c);
    corpus_free(&o);
}

/* ------------------------------------------------------------------ batches */

static void test_batch(void **state)
{
    (void)state;
    s2s_error err = {0};
    const char *const lines[] = {"the cat sat", "a b", "one two three four five"};
    s2s_corpus c;
    make_corpus(&c, lines, 3);
    s2s_vocab v;
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build(&v, &c, &err), &err);
    s2s_dataset d;
    CHECK_OK(dataset_create(&d, &c, SHARED(&v), &err), &err);

    s2s_batch b;
    CHECK_OK(batch_create(&b, 4, d.max_src, d.max_tgt, &err), &err);
    const int idx[2] = {1, 0}; /* "a b" then "the cat sat" */
    CHECK_OK(batch_fill(&b, &d, idx, 2, &err), &err);
    assert_int_equal(b.B, 2);
    assert_int_equal(b.S, 4);
    assert_int_equal(b.T, 5);
    assert_int_equal(b.ntok, (4 - 1) + (5 - 1));
    assert_int_equal(b.src_len[0], 3);
    assert_int_equal(b.src_len[1], 4);
    assert_int_equal(b.tgt_len[0], 4);
    assert_int_equal(b.tgt_len[1], 5);
    /* a=7 b=8 the=4 cat=5 sat=6; (S,B) time-major: [t*B + b] */
    const int src[4 * 2] = {7, 4, 8, 5, S2S_EOS, 6, S2S_PAD, S2S_EOS};
    const int tgt[5 * 2] = {S2S_SOS, S2S_SOS, 8, 6, 7, 5, S2S_EOS, 4, S2S_PAD, S2S_EOS};
    assert_memory_equal(b.src, src, sizeof src);
    assert_memory_equal(b.tgt, tgt, sizeof tgt);

    /* Refill with a longer sentence, then a shorter one: old tokens must not linger. */
    const int idx2[3] = {2, 1, 0};
    CHECK_OK(batch_fill(&b, &d, idx2, 3, &err), &err);
    assert_int_equal(b.S, 6);
    assert_int_equal(b.T, 7);
    assert_int_equal(b.ntok, 6 + 3 + 4);
    const int idx3[1] = {1};
    CHECK_OK(batch_fill(&b, &d, idx3, 1, &err), &err);
    assert_int_equal(b.S, 3);
    assert_int_equal(b.T, 4);
    const int src3[3] = {7, 8, S2S_EOS};
    assert_memory_equal(b.src, src3, sizeof src3);

    /* Too many sentences, bad index, too long. */
    const int idx5[5] = {0, 1, 2, 0, 1};
    assert_int_equal(batch_fill(&b, &d, idx5, 5, &err), S2S_ERR_ARG);
    const int bad_idx[1] = {3};
    assert_int_equal(batch_fill(&b, &d, bad_idx, 1, &err), S2S_ERR_ARG);
    batch_free(&b);
    CHECK_OK(batch_create(&b, 4, 4, 5, &err), &err);
    assert_int_equal(batch_fill(&b, &d, idx2, 3, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "too long"));
    batch_free(&b);
    batch_free(&b);
    assert_int_equal(batch_create(&b, 0, 4, 5, &err), S2S_ERR_ARG);
    batch_free(&b);

    dataset_free(&d);
    vocab_free(&v);
    corpus_free(&c);
}

static void test_free_zeroed(void **state)
{
    (void)state;
    s2s_vocab v;
    s2s_sentence s;
    s2s_corpus c;
    s2s_dataset d;
    s2s_batch b;
    memset(&v, 0, sizeof v);
    memset(&s, 0, sizeof s);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    memset(&b, 0, sizeof b);
    vocab_free(&v);
    sentence_free(&s);
    corpus_free(&c);
    dataset_free(&d);
    batch_free(&b);
    vocab_free(NULL);
    sentence_free(NULL);
    corpus_free(NULL);
    dataset_free(NULL);
    batch_free(NULL);
}

/* ------------------------------------------------------------------ corpus_from_file */

static char tmpdir[64];

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/s2s_test_data_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_corpus_from_file(void **state)
{
    (void)state;
    s2s_error err = {0};
    char path[128];
    snprintf(path, sizeof path, "%s/sentences.txt", tmpdir);

    /* 100 distinct sentences with blank and whitespace-only lines between. */
    char *text = malloc(100 * 40);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i < 100; i++) {
        char line[40];
        snprintf(line, sizeof line, "word%d the  cat\t%s", i, i % 7 == 0 ? "\r\n\n  \n" : "\n");
        strcat(text, line);
    }
    write_text(path, text);
    free(text);

    s2s_corpus tr, va, te, tr2, va2, te2, tr3, va3, te3;
    CHECK_OK(corpus_from_file(path, &tr, &va, &te, 42, &err), &err);
    assert_int_equal(tr.count, 80);
    assert_int_equal(va.count, 10);
    assert_int_equal(te.count, 10);
    CHECK_OK(corpus_from_file(path, &tr2, &va2, &te2, 42, &err), &err);
    assert_true(corpora_equal(&tr, &tr2));
    assert_true(corpora_equal(&va, &va2));
    assert_true(corpora_equal(&te, &te2));
    CHECK_OK(corpus_from_file(path, &tr3, &va3, &te3, 7, &err), &err);
    assert_false(corpora_equal(&tr, &tr3));

    /* Every sentence exactly once, three words each (blank lines gone). */
    int seen[100] = {0};
    const s2s_corpus *all[3] = {&tr, &va, &te};
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < all[c]->count; i++) {
            const s2s_sentence *s = &all[c]->s[i];
            assert_int_equal(s->len, 3);
            assert_string_equal(s->w[1], "the");
            assert_string_equal(s->w[2], "cat");
            const int k = atoi(s->w[0] + 4);
            assert_true(k >= 0 && k < 100);
            seen[k]++;
        }
    for (int i = 0; i < 100; i++) assert_int_equal(seen[i], 1);
    /* A shuffle, not the file order. */
    int in_order = 0;
    for (int i = 0; i < tr.count; i++) in_order += atoi(tr.s[i].w[0] + 4) == i;
    assert_true(in_order < 40);

    corpus_free(&tr); corpus_free(&va); corpus_free(&te);
    corpus_free(&tr2); corpus_free(&va2); corpus_free(&te2);
    corpus_free(&tr3); corpus_free(&va3); corpus_free(&te3);

    /* Exactly 10 sentences: 8/1/1. */
    write_text(path, "a\nb\nc\n\nd\ne\nf\ng\nh\ni\nj");
    CHECK_OK(corpus_from_file(path, &tr, &va, &te, 1, &err), &err);
    assert_int_equal(tr.count, 8);
    assert_int_equal(va.count, 1);
    assert_int_equal(te.count, 1);
    corpus_free(&tr); corpus_free(&va); corpus_free(&te);

    /* Too few. */
    write_text(path, "a\nb\n\n\nc\nd\ne\nf\ng\nh\ni\n");
    s2s_error_clear(&err);
    assert_int_equal(corpus_from_file(path, &tr, &va, &te, 1, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "9 sentences"));
    assert_non_null(strstr(err.msg, "at least 10"));
    assert_int_equal(tr.count, 0);
    assert_null(tr.s);

    /* A bad line names the file and line number. */
    char bad[256];
    snprintf(bad, sizeof bad, "a\nb\nc\nd %0*d\ne\nf\ng\nh\ni\nj\nk\n", 70, 0);
    write_text(path, bad);
    s2s_error_clear(&err);
    assert_int_equal(corpus_from_file(path, &tr, &va, &te, 1, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "sentences.txt:4:"));
    assert_non_null(strstr(err.msg, "70 bytes"));
    assert_null(tr.s);

    /* Missing file and a directory. */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/nope.txt", tmpdir);
    s2s_error_clear(&err);
    assert_int_equal(corpus_from_file(missing, &tr, &va, &te, 1, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "nope.txt"));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    s2s_error_clear(&err);
    assert_int_equal(corpus_from_file(tmpdir, &tr, &va, &te, 1, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_null(va.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_deterministic),
        cmocka_unit_test(test_rng_below),
        cmocka_unit_test(test_rng_uniform_normal),
        cmocka_unit_test(test_shuffle),
        cmocka_unit_test(test_vocab_basic_and_growth),
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_seed_words),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_encode_known_and_unknown),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_free_zeroed),
        cmocka_unit_test_setup_teardown(test_corpus_from_file, setup_tmpdir, teardown_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
