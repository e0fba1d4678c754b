/* test_pairs.c — a user's source<TAB>target pairs, their split, and
 * vocabularies limited by count and size. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"

static char tmpdir[64];
static char pairs_path[128]; /* tmpdir/pairs.tsv, rewritten by each case */

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/s2s_test_pairs_XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    snprintf(pairs_path, sizeof pairs_path, "%s/pairs.tsv", tmpdir);
    return 0;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes n bytes (NULs allowed) to the pairs file. */
static void write_bytes(const char *bytes, size_t n)
{
    FILE *f = fopen(pairs_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *text)
{
    write_bytes(text, strlen(text));
}

/* The tokens of s joined with single spaces, for comparisons. */
static const char *joined(const s2s_sentence *s, char *buf, size_t cap)
{
    sentence_join(s, 0, s->len, S2S_TOKENS_WORDS, buf, cap);
    return buf;
}

/* ------------------------------------------------------------ reading */

static void test_read_good(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus c;
    long skipped = -1;
    /* CRLF, blank lines of every kind, blanks around the words, and a last
     * line without its newline. */
    write_text("the cat\tdie Katze\r\n"
               "\n"
               "  \t \r\n"
               " a  dog \t ein Hund\n"
               "\r\n"
               "Äpfel\täpples");
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, &skipped, &err), &err);
    assert_int_equal(skipped, 0);
    assert_int_equal(c.count, 3);
    assert_non_null(c.t);
    char buf[128];
    assert_string_equal(joined(&c.s[0], buf, sizeof buf), "the cat");
    assert_string_equal(joined(&c.t[0], buf, sizeof buf), "die Katze");
    assert_string_equal(joined(&c.s[1], buf, sizeof buf), "a dog");
    assert_string_equal(joined(&c.t[1], buf, sizeof buf), "ein Hund");
    assert_string_equal(joined(&c.s[2], buf, sizeof buf), "Äpfel");
    assert_string_equal(joined(&c.t[2], buf, sizeof buf), "äpples");
    corpus_free(&c);
    assert_null(c.s);
    assert_null(c.t);
}

static void test_read_chars(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus c;
    write_text("Äpfel\tapples\r\nja nein\tyes\n");
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_CHARS, 0, &c, NULL, &err), &err);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.s[0].len, 5); /* Ä is two bytes, one token */
    assert_string_equal(c.s[0].w[0], "Ä");
    assert_string_equal(c.s[0].w[4], "l");
    assert_int_equal(c.t[0].len, 6); /* the CR of the CRLF is not a token */
    assert_int_equal(c.s[1].len, 7); /* the blank is a token of its own */
    assert_string_equal(c.s[1].w[2], " ");
    char buf[64];
    sentence_join(&c.s[1], 0, c.s[1].len, S2S_TOKENS_CHARS, buf, sizeof buf);
    assert_string_equal(buf, "ja nein");
    corpus_free(&c);

    /* 100 characters a side are allowed, 101 are not. */
    char line[256];
    memset(line, 'x', 100);
    snprintf(line + 100, sizeof line - 100, "\ty\n");
    write_text(line);
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_CHARS, 0, &c, NULL, &err), &err);
    assert_int_equal(c.s[0].len, 100);
    corpus_free(&c);
    memset(line, 'x', 101);
    snprintf(line + 101, sizeof line - 101, "\ty\n");
    write_text(line);
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_CHARS, 0, &c, NULL, &err),
                     S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "pairs.tsv:1: source: "));
    assert_non_null(strstr(err.msg, "more than 100 characters"));
    assert_null(c.s);
}

/* A bad line, bytes long, and what the message must say about it. */
typedef struct {
    const char *bytes;
    size_t n;
    const char *says;
} bad_line;

#define BAD(lit, says) {lit, sizeof lit - 1, says}

static const bad_line BAD_LINES[] = {
    BAD("the cat sat", "no tab between source and target"),
    BAD("a\tb\tc", "more than one tab (a second at byte 4)"),
    BAD("\tb", "empty source"),
    BAD(" \t \tb", "more than one tab"),
    BAD("  \tb", "empty source"),
    BAD("a\t", "empty target"),
    BAD("a\t  ", "empty target"),
    BAD("a\rb\tc", "stray carriage return (CR) at byte 2"),
    BAD("a\tb\r\r", "stray carriage return (CR) at byte 4"),
    BAD("ab\xff\tc", "invalid UTF-8 at byte 3"),
    BAD("a\t\xc3(", "invalid UTF-8 at byte 3"),   /* a lead byte without its tail */
    BAD("a\t\xc0\xaf", "invalid UTF-8 at byte 3"), /* an overlong '/' */
    BAD("a\t\xed\xa0\x80", "invalid UTF-8 at byte 3"), /* a surrogate */
    BAD("a\0b\tc", "NUL byte at byte 2"),
};

/* A good line, the bad line (line 2 or 3 after a blank), a good line: the
 * reading fails naming the file, the line and the fault; skipping counts it
 * and keeps both good lines. */
static void check_bad_line(const bad_line *b, int tokens, int lineno)
{
    s2s_error err = {0};
    s2s_corpus c;
    long skipped = -1;
    const char *before = lineno == 2 ? "x\ty\n" : "x\ty\n\n";
    const size_t nb = strlen(before);
    char *file = malloc(nb + b->n + 5);
    assert_non_null(file);
    memcpy(file, before, nb);
    memcpy(file + nb, b->bytes, b->n);
    memcpy(file + nb + b->n, "\nz\tw\n", 5);
    write_bytes(file, nb + b->n + 5);
    free(file);

    assert_int_equal(corpus_read_pairs(pairs_path, tokens, 0, &c, &skipped, &err), S2S_ERR_ARG);
    char where[160];
    snprintf(where, sizeof where, "%s:%d: ", pairs_path, lineno);
    if (!strstr(err.msg, where) || !strstr(err.msg, b->says))
        fail_msg("line \"%s\": message \"%s\" lacks \"%s\" or \"%s\"", b->bytes, err.msg, where,
                 b->says);
    assert_null(c.s);
    assert_null(c.t);
    assert_int_equal(c.count, 0);

    s2s_error_clear(&err);
    CHECK_OK(corpus_read_pairs(pairs_path, tokens, 1, &c, &skipped, &err), &err);
    assert_int_equal(skipped, 1);
    assert_int_equal(err.code, S2S_OK);
    assert_non_null(strstr(err.msg, where)); /* the first line skipped, named */
    assert_int_equal(c.count, 2);
    assert_string_equal(c.s[1].w[0], "z");
    assert_string_equal(c.t[1].w[0], "w");
    corpus_free(&c);
}

static void test_bad_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD_LINES / sizeof BAD_LINES[0]; i++) {
        check_bad_line(&BAD_LINES[i], S2S_TOKENS_WORDS, 2);
        check_bad_line(&BAD_LINES[i], S2S_TOKENS_CHARS, 3);
    }
}

/* Too many tokens, too long a word, too long a line. */
static void test_bad_sizes(void **state)
{
    (void)state;
    char *line = malloc(80000);
    assert_non_null(line);
    /* 101 words in the source (100 pass). */
    size_t at = 0;
    for (int k = 0; k < 101; k++) at += (size_t)sprintf(line + at, "w ");
    strcpy(line + at, "\tt");
    const bad_line many = {line, strlen(line), "source: sentence has more than 100 words"};
    check_bad_line(&many, S2S_TOKENS_WORDS, 2);
    strcpy(line + 2 * 100, "\tt");
    write_text(line);
    s2s_error err = {0};
    s2s_corpus c;
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, NULL, &err), &err);
    assert_int_equal(c.s[0].len, 100);
    corpus_free(&c);

    /* A 65-byte word in the target (64 pass). */
    strcpy(line, "s\tok ");
    memset(line + 5, 'q', 65);
    line[70] = '\0';
    const bad_line word = {line, strlen(line), "target: word 2 (\"qqqq"};
    check_bad_line(&word, S2S_TOKENS_WORDS, 3);
    line[69] = '\0';
    write_text(line);
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, NULL, &err), &err);
    assert_int_equal((int)strlen(c.t[0].w[1]), 64);
    corpus_free(&c);

    /* A line of 70000 bytes: too long, whatever it holds. */
    memset(line, 'a', 70000);
    line[10] = '\t';
    line[70000] = '\0';
    const bad_line longline = {line, 70000, "line is 70000 bytes long; the limit is 65536"};
    check_bad_line(&longline, S2S_TOKENS_WORDS, 2);
    free(line);
}

/* A 10 MB line without a final newline, after a good one. */
static void test_huge_line(void **state)
{
    (void)state;
    const size_t n = 10u << 20;
    char *file = malloc(n);
    assert_non_null(file);
    memset(file, 'b', n);
    memcpy(file, "x\ty\nbig\t", 8);
    write_bytes(file, n);
    free(file);
    s2s_error err = {0};
    s2s_corpus c;
    long skipped = 0;
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, &skipped, &err),
                     S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "pairs.tsv:2: line is 10485756 bytes long"));
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 1, &c, &skipped, &err), &err);
    assert_int_equal(skipped, 1);
    assert_int_equal(c.count, 1);
    corpus_free(&c);
}

static void test_skip_counts(void **state)
{
    (void)state;
    write_text("a\tb\n"
               "no tab here\n"
               "\n"
               "c\td\te\n"
               "f\tg\r\n"
               "\t\n"  /* blank: skipped silently, not counted */
               "h\t \n"
               "i\tj");
    s2s_error err = {0};
    s2s_corpus c;
    long skipped = 0;
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, &skipped, &err),
                     S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "pairs.tsv:2: no tab between source and target"));
    CHECK_OK(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 1, &c, &skipped, &err), &err);
    assert_int_equal(skipped, 3);
    assert_non_null(strstr(err.msg, "pairs.tsv:2: no tab"));
    assert_int_equal(c.count, 3);
    assert_string_equal(c.s[0].w[0], "a");
    assert_string_equal(c.s[1].w[0], "f");
    assert_string_equal(c.t[1].w[0], "g");
    assert_string_equal(c.t[2].w[0], "j");
    corpus_free(&c);

    /* Nothing but bad lines: no pair even when skipping. */
    write_text("one\ntwo\n");
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 1, &c, &skipped, &err),
                     S2S_ERR_ARG);
    assert_int_equal(skipped, 2);
    assert_non_null(strstr(err.msg, "no usable pair"));
    assert_non_null(strstr(err.msg, "pairs.tsv:1: no tab"));
    assert_null(c.s);
}

static void test_empty_and_missing(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus c;
    write_text("");
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 0, &c, NULL, &err),
                     S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "pairs.tsv has no source<TAB>target pair"));
    write_text("\n \n\t\n\r\n");
    assert_int_equal(corpus_read_pairs(pairs_path, S2S_TOKENS_WORDS, 1, &c, NULL, &err),
                     S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "no source<TAB>target pair"));

    char missing[160];
    snprintf(missing, sizeof missing, "%s/nope.tsv", tmpdir);
    assert_int_equal(corpus_read_pairs(missing, S2S_TOKENS_WORDS, 0, &c, NULL, &err),
                     S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "nope.tsv"));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_int_equal(corpus_read_pairs(tmpdir, S2S_TOKENS_WORDS, 0, &c, NULL, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_int_equal(corpus_read_pairs(pairs_path, 7, 0, &c, NULL, &err), S2S_ERR_ARG);

    s2s_corpus tr, va, te;
    long skipped;
    assert_int_equal(corpus_from_pairs(missing, S2S_TOKENS_WORDS, 0, 1, &tr, &va, &te, &skipped,
                                       &err),
                     S2S_ERR_IO);
    assert_null(tr.s);
    assert_null(te.t);
}

/* -------------------------------------------------------------- split */

/* n pairs "s<i> a\tt<i> b" into the pairs file, and their sources alone
 * (one a line) into a --data file. */
static void write_numbered(int n, const char *sentences_path)
{
    FILE *p = fopen(pairs_path, "w"), *s = fopen(sentences_path, "w");
    assert_non_null(p);
    assert_non_null(s);
    for (int i = 0; i < n; i++) {
        fprintf(p, "s%d a\tt%d b c\n", i, i);
        fprintf(s, "s%d a\n", i);
    }
    assert_int_equal(fclose(p), 0);
    assert_int_equal(fclose(s), 0);
}

/* Every target still belongs to its source: t<i> with s<i>. */
static void check_pairs_kept(const s2s_corpus *c, unsigned char *seen, int n)
{
    assert_non_null(c->t);
    for (int i = 0; i < c->count; i++) {
        const int k = atoi(c->s[i].w[0] + 1);
        assert_true(k >= 0 && k < n);
        assert_int_equal(atoi(c->t[i].w[0] + 1), k);
        assert_int_equal(c->t[i].len, 3);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
    }
}

static void test_split(void **state)
{
    (void)state;
    char sentences[160];
    snprintf(sentences, sizeof sentences, "%s/sentences.txt", tmpdir);
    write_numbered(105, sentences);
    s2s_error err = {0};
    s2s_corpus tr, va, te, tr2, va2, te2, ftr, fva, fte;
    long skipped = -1;
    CHECK_OK(corpus_from_pairs(pairs_path, S2S_TOKENS_WORDS, 0, 42, &tr, &va, &te, &skipped, &err),
             &err);
    assert_int_equal(skipped, 0);
    assert_int_equal(tr.count, 84);
    assert_int_equal(va.count, 10);
    assert_int_equal(te.count, 11);
    unsigned char seen[105] = {0};
    check_pairs_kept(&tr, seen, 105);
    check_pairs_kept(&va, seen, 105);
    check_pairs_kept(&te, seen, 105);
    for (int k = 0; k < 105; k++) assert_int_equal(seen[k], 1);

    /* The same seed, the same split; exactly --data's split of the sources. */
    CHECK_OK(corpus_from_pairs(pairs_path, S2S_TOKENS_WORDS, 0, 42, &tr2, &va2, &te2, NULL, &err),
             &err);
    CHECK_OK(corpus_from_file(sentences, &ftr, &fva, &fte, 42, &err), &err);
    const s2s_corpus *parts[3][3] = {{&tr, &tr2, &ftr}, {&va, &va2, &fva}, {&te, &te2, &fte}};
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < parts[p][0]->count; i++) {
            assert_string_equal(parts[p][0]->s[i].w[0], parts[p][1]->s[i].w[0]);
            assert_string_equal(parts[p][0]->t[i].w[0], parts[p][1]->t[i].w[0]);
            assert_string_equal(parts[p][0]->s[i].w[0], parts[p][2]->s[i].w[0]);
        }
    assert_null(ftr.t); /* sentences keep their default task */
    s2s_corpus *all[] = {&tr, &va, &te, &tr2, &va2, &te2, &ftr, &fva, &fte};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) corpus_free(all[i]);

    /* Another seed, another order. */
    CHECK_OK(corpus_from_pairs(pairs_path, S2S_TOKENS_WORDS, 0, 43, &tr2, &va2, &te2, NULL, &err),
             &err);
    CHECK_OK(corpus_from_pairs(pairs_path, S2S_TOKENS_WORDS, 0, 42, &tr, &va, &te, NULL, &err),
             &err);
    int differ = 0;
    for (int i = 0; i < tr.count; i++) differ += strcmp(tr.s[i].w[0], tr2.s[i].w[0]) != 0;
    assert_true(differ > 0);
    for (size_t i = 0; i < 6; i++) corpus_free(all[i]);

    /* Nine pairs (and bad lines skipped) are too few. */
    write_numbered(9, sentences);
    FILE *f = fopen(pairs_path, "a");
    assert_non_null(f);
    fputs("bad line\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(corpus_from_pairs(pairs_path, S2S_TOKENS_WORDS, 1, 42, &tr, &va, &te,
                                       &skipped, &err),
                     S2S_ERR_ARG);
    assert_int_equal(skipped, 1);
    assert_non_null(strstr(err.msg, "pairs.tsv has 9 pairs; at least 10 are needed"));
    assert_null(tr.s);
    assert_null(va.t);
}

/* ---------------------------------------------------------- vocabularies */

/* A corpus of the given sources and targets (words split on blanks). */
static void make_corpus(s2s_corpus *c, const char *const *src, const char *const *tgt, int n)
{
    s2s_error err = {0};
    c->count = n;
    c->s = calloc((size_t)n, sizeof *c->s);
    c->t = tgt ? calloc((size_t)n, sizeof *c->t) : NULL;
    assert_non_null(c->s);
    for (int i = 0; i < n; i++) {
        CHECK_OK(sentence_tokenize(src[i], &c->s[i], &err), &err);
        if (tgt) CHECK_OK(sentence_tokenize(tgt[i], &c->t[i], &err), &err);
    }
}

/* The words of v beyond the specials, one space between them. */
static const char *vocab_words(const s2s_vocab *v, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int id = S2S_NUM_SPECIAL; id < v->size; id++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? " " : "", v->word[id]);
    return buf;
}

static void assert_same_vocab(const s2s_vocab *a, const s2s_vocab *b)
{
    assert_int_equal(a->size, b->size);
    for (int id = 0; id < a->size; id++) assert_string_equal(a->word[id], b->word[id]);
}

static void test_vocab_limits(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* counts: c 2, a 3, b 2, d 1, <UNK> (a special) 1; first seen c a b d */
    static const char *const src[] = {"c a b", "a b <UNK>", "a c d"};
    s2s_corpus c;
    make_corpus(&c, src, NULL, 3);
    s2s_vocab v;
    char buf[256];
    static const struct {
        int min_count, max_vocab;
        const char *words;
    } cases[] = {
        {1, 0, "c a b d"}, {2, 0, "c a b"}, {3, 0, "a"}, {4, 0, ""},
        {1, 2, "c a"},     /* a 3, then c and b tie at 2: c, seen first */
        {1, 1, "a"},       {1, 3, "c a b"}, {1, 4, "c a b d"}, {1, 99, "c a b d"},
        {2, 1, "a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_OK(vocab_create(&v, &err), &err);
        CHECK_OK(vocab_build_limited(&v, c.s, c.count, cases[i].min_count, cases[i].max_vocab,
                                     &err),
                 &err);
        assert_string_equal(vocab_words(&v, buf, sizeof buf), cases[i].words);
        vocab_free(&v);
    }

    /* Limits out of range. */
    CHECK_OK(vocab_create(&v, &err), &err);
    assert_int_equal(vocab_build_limited(&v, c.s, c.count, 0, 0, &err), S2S_ERR_ARG);
    assert_int_equal(vocab_build_limited(&v, c.s, c.count, 1, -1, &err), S2S_ERR_ARG);
    assert_int_equal(v.size, S2S_NUM_SPECIAL);
    vocab_free(&v);
    s2s_vocab none = {0};
    assert_int_equal(vocab_build_limited(&none, c.s, c.count, 2, 0, &err), S2S_ERR_ARG);

    /* Words left out encode as <UNK>. */
    CHECK_OK(vocab_create(&v, &err), &err);
    CHECK_OK(vocab_build_limited(&v, c.s, c.count, 3, 0, &err), &err);
    s2s_dataset d;
    CHECK_OK(dataset_create(&d, &c, SHARED(&v), &err), &err);
    assert_int_equal(d.unknown, 6); /* c b, b <UNK>, c d */
    assert_int_equal(d.src[d.src_off[2]], vocab_find(&v, "a"));
    assert_int_equal(d.src[d.src_off[2] + 1], S2S_UNK);
    dataset_free(&d);
    vocab_free(&v);
    corpus_free(&c);
}

/* With no limits, the vocabularies of vocabs_build, whatever the corpus. */
static void test_vocab_unlimited_is_build(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus tr, va, te;
    CHECK_OK(corpus_synthetic(&tr, &va, &te, 500, 10, 10, 42, &err), &err);
    s2s_vocab a, b;
    CHECK_OK(vocab_create(&a, &err), &err);
    CHECK_OK(vocab_create(&b, &err), &err);
    CHECK_OK(vocab_build(&a, &tr, &err), &err);
    CHECK_OK(vocab_build_limited(&b, tr.s, tr.count, 1, 0, &err), &err);
    assert_same_vocab(&a, &b);
    assert_int_equal(a.size, S2S_NUM_SPECIAL + 34);
    vocab_free(&a);
    vocab_free(&b);
    /* The seed's words by count: all 34 kept under a limit of 34, 10 under 10. */
    CHECK_OK(vocab_create(&b, &err), &err);
    CHECK_OK(vocab_build_limited(&b, tr.s, tr.count, 1, 10, &err), &err);
    assert_int_equal(b.size, S2S_NUM_SPECIAL + 10);
    vocab_free(&b);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);

    static const char *const src[] = {"x y", "y z", "q"};
    static const char *const tgt[] = {"X x", "Y y W", "x"};
    s2s_corpus c;
    make_corpus(&c, src, tgt, 3);
    for (int shared = 0; shared < 2; shared++) {
        s2s_vocabs va_, vb;
        CHECK_OK(vocabs_create(&va_, shared, &err), &err);
        CHECK_OK(vocabs_create(&vb, shared, &err), &err);
        CHECK_OK(vocabs_build(&va_, &c, &err), &err);
        CHECK_OK(vocabs_build_limited(&vb, &c, 1, 0, &err), &err);
        assert_same_vocab(&va_.src, &vb.src);
        assert_same_vocab(vocabs_tgt(&va_), vocabs_tgt(&vb));
        vocabs_free(&va_);
        vocabs_free(&vb);
    }

    /* Counted together when shared: x and y are seen three times in all,
     * on one side only twice (x in the targets, y in the sources). */
    char buf[256];
    s2s_vocabs v;
    CHECK_OK(vocabs_create(&v, 1, &err), &err);
    CHECK_OK(vocabs_build_limited(&v, &c, 2, 0, &err), &err);
    assert_string_equal(vocab_words(&v.src, buf, sizeof buf), "x y");
    vocabs_free(&v);
    CHECK_OK(vocabs_create(&v, 0, &err), &err);
    CHECK_OK(vocabs_build_limited(&v, &c, 2, 0, &err), &err);
    assert_string_equal(vocab_words(&v.src, buf, sizeof buf), "y");
    assert_string_equal(vocab_words(&v.tgt, buf, sizeof buf), "x");
    vocabs_free(&v);
    CHECK_OK(vocabs_create(&v, 0, &err), &err);
    CHECK_OK(vocabs_build_limited(&v, &c, 1, 2, &err), &err);
    assert_string_equal(vocab_words(&v.src, buf, sizeof buf), "x y"); /* y 2, then x before z */
    assert_string_equal(vocab_words(&v.tgt, buf, sizeof buf), "X x"); /* x 2, then X first */
    vocabs_free(&v);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_good),
        cmocka_unit_test(test_read_chars),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_skip_counts),
        cmocka_unit_test(test_empty_and_missing),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_vocab_limits),
        cmocka_unit_test(test_vocab_unlimited_is_build),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
