/* test_task.c — task names, answers, generated data and reference alignments. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "task.h"

static const char *const MONTHS[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

static s2s_sentence tokens_of(const char *line, int tokens)
{
    s2s_error err = {0};
    s2s_sentence s;
    CHECK_OK(sentence_tokenize_as(line, tokens, S2S_MAX_INPUT_WORDS, &s, &err), &err);
    return s;
}

/* The text of tokens from .. from+n of s. */
static const char *joined(const s2s_sentence *s, int from, int n, int tokens, char *buf,
                          size_t cap)
{
    assert_true(sentence_join(s, from, n, tokens, buf, cap) < cap);
    return buf;
}

/* task_answer of src (written with the task's tokens) as text; NULL when
 * there is none. */
static const char *answer_of(int task, const char *src, char *buf, size_t cap)
{
    const int tokens = task_tokens(task) < 0 ? S2S_TOKENS_WORDS : task_tokens(task);
    s2s_error err = {0};
    s2s_sentence s = tokens_of(src, tokens), out;
    const int got = task_answer(task, &s, &out, &err);
    assert_true(got >= 0);
    const char *text = NULL;
    if (got == 1) text = joined(&out, 0, out.len, tokens, buf, cap);
    else assert_int_equal(out.len, 0);
    if (got == 1 && task == S2S_TASK_DATES) {
        assert_int_equal(out.len, 10);
        for (int j = 0; j < out.len; j++) assert_int_equal(strlen(out.w[j]), 1);
    }
    sentence_free(&s);
    sentence_free(&out);
    return text;
}

static void expect_answer(int task, const char *src, const char *want)
{
    char buf[256];
    const char *got = answer_of(task, src, buf, sizeof buf);
    if (!got) fail_msg("%s: no answer for \"%s\" (want \"%s\")", task_name(task), src, want);
    if (strcmp(got, want) != 0)
        fail_msg("%s: \"%s\" gave \"%s\", want \"%s\"", task_name(task), src, got, want);
}

static void expect_no_date(const char *src)
{
    char buf[64];
    const char *got = answer_of(S2S_TASK_DATES, src, buf, sizeof buf);
    if (got) fail_msg("\"%s\" read as the date %s", src, got);
}

/* ------------------------------------------------------------------ names */

static void test_names(void **state)
{
    (void)state;
    for (int t = 0; t < S2S_TASKS; t++) {
        assert_int_equal(task_parse(task_name(t)), t);
        assert_true(strlen(task_hint(t)) > 10);
    }
    assert_string_equal(task_name(S2S_TASK_DATES), "dates");
    assert_string_equal(task_name(-1), "?");
    assert_string_equal(task_name(S2S_TASKS), "?");
    assert_int_equal(task_parse("Reverse"), -1);
    assert_int_equal(task_parse(""), -1);
    assert_int_equal(task_parse(NULL), -1);

    assert_int_equal(task_tokens(S2S_TASK_REVERSE), S2S_TOKENS_WORDS);
    assert_int_equal(task_tokens(S2S_TASK_COPY), S2S_TOKENS_WORDS);
    assert_int_equal(task_tokens(S2S_TASK_SORT), S2S_TOKENS_WORDS);
    assert_int_equal(task_tokens(S2S_TASK_DATES), S2S_TOKENS_CHARS);
    assert_int_equal(task_tokens(S2S_TASK_PAIRS), -1);
    assert_int_equal(task_tokens(S2S_TASKS), -1);
    for (int t = 0; t < S2S_TASKS; t++)
        assert_int_equal(task_shared_vocab(t), t <= S2S_TASK_SORT);
}

/* ------------------------------------------------------------------ answers */

static void test_word_answers(void **state)
{
    (void)state;
    expect_answer(S2S_TASK_REVERSE, "the cat sat", "sat cat the");
    expect_answer(S2S_TASK_REVERSE, "one", "one");
    expect_answer(S2S_TASK_COPY, "the cat sat on the mat", "the cat sat on the mat");
    expect_answer(S2S_TASK_SORT, "the cat sat on the mat", "cat mat on sat the the");
    /* Byte order: capitals before lowercase, a prefix before its extensions. */
    expect_answer(S2S_TASK_SORT, "b B a A ab a", "A B a a ab b");
    expect_answer(S2S_TASK_SORT, "z\xc3\xa9 za zz", "za zz z\xc3\xa9");

    /* An empty sentence has the empty answer. */
    s2s_error err = {0};
    const s2s_sentence empty = {0};
    s2s_sentence out;
    for (int t = S2S_TASK_REVERSE; t <= S2S_TASK_SORT; t++) {
        assert_int_equal(task_answer(t, &empty, &out, &err), 1);
        assert_int_equal(out.len, 0);
    }

    char buf[64];
    assert_null(answer_of(S2S_TASK_PAIRS, "the cat sat", buf, sizeof buf));
    s2s_sentence s = tokens_of("the cat", S2S_TOKENS_WORDS);
    assert_true(task_answer(S2S_TASKS, &s, &out, &err) < 0);
    assert_int_equal(err.code, S2S_ERR_ARG);
    sentence_free(&s);
}

static void test_date_answers(void **state)
{
    (void)state;
    static const char *const every_format[][2] = {
        {"5 march 2021", "2021-03-05"},          {"march 5, 2021", "2021-03-05"},
        {"5 mar 2021", "2021-03-05"},            {"mar 5, 2021", "2021-03-05"},
        {"05.03.2021", "2021-03-05"},            {"2021/03/05", "2021-03-05"},
        {"friday, march 5, 2021", "2021-03-05"}, {"5th of march 2021", "2021-03-05"},
        {"05.03.21", "2021-03-05"},              {"17 september 1987", "1987-09-17"},
        {"sep 17, 1987", "1987-09-17"},          {"wednesday, june 30, 1965", "1965-06-30"},
        {"31.12.50", "1950-12-31"},              {"01.01.49", "2049-01-01"},
        {"1 january 1950", "1950-01-01"},        {"2049/12/31", "2049-12-31"},
        {"29 february 2024", "2024-02-29"},      {"29.02.2000", "2000-02-29"},
        {"1st of may 1999", "1999-05-01"},       {"2nd of may 1999", "1999-05-02"},
        {"3rd of may 1999", "1999-05-03"},       {"4th of may 1999", "1999-05-04"},
        {"11th of may 1999", "1999-05-11"},      {"12th of may 1999", "1999-05-12"},
        {"13th of may 1999", "1999-05-13"},      {"21st of may 1999", "1999-05-21"},
        {"22nd of may 1999", "1999-05-22"},      {"23rd of may 1999", "1999-05-23"},
        {"31st of may 1999", "1999-05-31"},      {"5 MARCH 2021", "2021-03-05"},
        {"Friday, March 5, 2021", "2021-03-05"}, {"FrIdAy, mArCh 5, 2021", "2021-03-05"},
        {"5TH OF March 2021", "2021-03-05"},     {"Dec 25, 2000", "2000-12-25"},
        /* Weekdays at the ends of the range and across leap days. */
        {"sunday, january 1, 1950", "1950-01-01"}, {"friday, december 31, 2049", "2049-12-31"},
        {"saturday, january 1, 2000", "2000-01-01"}, {"sunday, july 20, 1969", "1969-07-20"},
        {"thursday, february 29, 2024", "2024-02-29"},
        {"tuesday, september 11, 2001", "2001-09-11"},
    };
    for (size_t i = 0; i < sizeof every_format / sizeof every_format[0]; i++)
        expect_answer(S2S_TASK_DATES, every_format[i][0], every_format[i][1]);

    static const char *const not_dates[] = {
        "29 february 2023", "29.02.2023", "2023/02/29", "29.02.1900" /* and out of range */,
        "31 april 2021", "0 march 2021", "32 march 2021", "2021/13/05", "2021/00/05",
        "1 january 1949", "31 december 2050", "2050/01/01", "31.12.1949",
        "monday, march 5, 2021" /* 2021-03-05 was a Friday */, "5 march", "march 5 2021",
        "05 march 2021", "5 march 2021 ", " 5 march 2021", "5  march 2021", "5nd of march 2021",
        "5 of march 2021", "5.3.2021", "2021-03-05", "03/05/2021", "5 marc 2021",
        "5 marchh 2021", "5 m\xc3\xa4rz 2021", "hello", "", "2021", "5 march 20211",
        "5 sept 2021", "fri, march 5, 2021", "saturday, january 1, 1950",
        "saturday, december 31, 2049",
    };
    for (size_t i = 0; i < sizeof not_dates / sizeof not_dates[0]; i++)
        expect_no_date(not_dates[i]);
}

/* ------------------------------------------------------------------ generators */

static void expect_same_corpus(const s2s_corpus *a, const s2s_corpus *b)
{
    assert_int_equal(a->count, b->count);
    assert_true((a->t == NULL) == (b->t == NULL));
    for (int i = 0; i < a->count; i++) {
        assert_int_equal(a->s[i].len, b->s[i].len);
        for (int k = 0; k < a->s[i].len; k++) assert_string_equal(a->s[i].w[k], b->s[i].w[k]);
        if (!a->t) continue;
        assert_int_equal(a->t[i].len, b->t[i].len);
        for (int k = 0; k < a->t[i].len; k++) assert_string_equal(a->t[i].w[k], b->t[i].w[k]);
    }
}

/* Sentences of a and b (as many as both have) that differ. */
static int sources_differing(const s2s_corpus *a, const s2s_corpus *b, int tokens)
{
    int differ = 0;
    for (int i = 0; i < a->count && i < b->count; i++) {
        char x[512], y[512];
        differ += strcmp(joined(&a->s[i], 0, a->s[i].len, tokens, x, sizeof x),
                         joined(&b->s[i], 0, b->s[i].len, tokens, y, sizeof y)) != 0;
    }
    return differ;
}

static void free3(s2s_corpus c[3])
{
    for (int k = 0; k < 3; k++) corpus_free(&c[k]);
}

static void test_generate_deterministic(void **state)
{
    (void)state;
    s2s_error err = {0};
    for (int t = S2S_TASK_REVERSE; t <= S2S_TASK_DATES; t++) {
        s2s_corpus a[3], b[3], c[3];
        CHECK_OK(task_generate(t, &a[0], &a[1], &a[2], 60, 20, 10, 7, &err), &err);
        CHECK_OK(task_generate(t, &b[0], &b[1], &b[2], 60, 20, 10, 7, &err), &err);
        CHECK_OK(task_generate(t, &c[0], &c[1], &c[2], 60, 20, 10, 8, &err), &err);
        for (int k = 0; k < 3; k++) {
            assert_int_equal(a[k].count, k == 0 ? 60 : k == 1 ? 20 : 10);
            assert_true((a[k].t == NULL) == (t == S2S_TASK_REVERSE));
            expect_same_corpus(&a[k], &b[k]);
            assert_true(sources_differing(&a[k], &c[k], task_tokens(t)) > a[k].count / 2);
        }
        free3(a);
        free3(b);
        free3(c);
    }
    s2s_corpus p[3];
    assert_int_equal(task_generate(S2S_TASK_PAIRS, &p[0], &p[1], &p[2], 10, 1, 1, 7, &err),
                     S2S_ERR_ARG);
    assert_null(p[0].s);
    assert_int_equal(task_generate(S2S_TASK_DATES, &p[0], &p[1], &p[2], 10, -1, 1, 7, &err),
                     S2S_ERR_ARG);
    assert_null(p[0].s);
}

static void test_generate_word_tasks(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus seed[3];
    CHECK_OK(corpus_synthetic(&seed[0], &seed[1], &seed[2], 300, 40, 40, 42, &err), &err);
    for (int t = S2S_TASK_REVERSE; t <= S2S_TASK_SORT; t++) {
        s2s_corpus c[3];
        CHECK_OK(task_generate(t, &c[0], &c[1], &c[2], 300, 40, 40, 42, &err), &err);
        for (int k = 0; k < 3; k++) {
            assert_int_equal(sources_differing(&c[k], &seed[k], S2S_TOKENS_WORDS), 0);
            assert_int_equal(c[k].count, seed[k].count);
            if (t == S2S_TASK_REVERSE) {
                expect_same_corpus(&c[k], &seed[k]); /* word by word, t == NULL */
                assert_null(c[k].t);
                continue;
            }
            for (int i = 0; i < c[k].count; i++) {
                const s2s_sentence *s = &c[k].s[i], *tg = &c[k].t[i];
                assert_int_equal(tg->len, s->len);
                for (int j = 0; j < s->len; j++) {
                    if (t == S2S_TASK_COPY) assert_string_equal(tg->w[j], s->w[j]);
                    if (t == S2S_TASK_SORT && j > 0)
                        assert_true(strcmp(tg->w[j - 1], tg->w[j]) <= 0);
                    /* The same words: each occurs as often in both. */
                    int in_s = 0, in_t = 0;
                    for (int k2 = 0; k2 < s->len; k2++) {
                        in_s += strcmp(s->w[k2], tg->w[j]) == 0;
                        in_t += strcmp(tg->w[k2], tg->w[j]) == 0;
                    }
                    assert_int_equal(in_s, in_t);
                }
            }
        }
        free3(c);
    }
    free3(seed);
}

/* Which of the nine formats a generated date is written in (see task.h). */
static int date_format_of(const char *text)
{
    char lower[64];
    size_t n = strlen(text);
    assert_true(n < sizeof lower);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
    int commas = 0;
    for (size_t i = 0; i < n; i++) commas += lower[i] == ',';
    if (strchr(lower, '/')) return 5;
    if (strchr(lower, '.')) return n == 10 ? 4 : 8;
    if (strstr(lower, " of ")) return 7;
    if (commas == 2) return 6;
    const int digit_first = lower[0] >= '0' && lower[0] <= '9';
    const char *name = digit_first ? strchr(lower, ' ') + 1 : lower;
    const int abbrev = name[3] == ' ' || name[3] == ',';
    if (commas == 1) return abbrev ? 3 : 1;
    return abbrev ? 2 : 0;
}

static void test_dates_generated(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus c;
    CHECK_OK(corpus_dates(&c, 2000, 11, &err), &err);
    assert_int_equal(c.count, 2000);
    assert_null(c.t);
    int format_seen[9] = {0}, capital = 0, lower_named = 0, years[2] = {0};
    for (int i = 0; i < c.count; i++) {
        char text[64], iso[64];
        const char *src = joined(&c.s[i], 0, c.s[i].len, S2S_TOKENS_CHARS, text, sizeof text);
        assert_true(strlen(src) < 40);
        assert_int_equal(c.s[i].len, (int)strlen(src)); /* ASCII, one character a token */
        const char *got = answer_of(S2S_TASK_DATES, src, iso, sizeof iso);
        if (!got) fail_msg("generated date %d, \"%s\", does not read back", i + 1, src);
        const int year = atoi(got);
        assert_true(year >= 1950 && year <= 2049);
        years[year >= 2000]++;
        const int f = date_format_of(src);
        format_seen[f]++;
        const int has_capital = strpbrk(src, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
        capital += has_capital;
        lower_named += !has_capital && f != 4 && f != 5 && f != 8;
    }
    for (int f = 0; f < 9; f++)
        if (format_seen[f] < 100) fail_msg("format %d occurs %d times in 2000", f, format_seen[f]);
    assert_true(capital > 200 && lower_named > 800);
    assert_true(years[0] > 800 && years[1] > 800);

    /* task_generate draws train, val and test from one generator: its train
     * is the start of corpus_dates with the same seed, and its targets are
     * the answers. */
    s2s_corpus g[3];
    CHECK_OK(task_generate(S2S_TASK_DATES, &g[0], &g[1], &g[2], 50, 20, 20, 11, &err), &err);
    s2s_corpus head = {.count = 50, .s = c.s};
    assert_int_equal(sources_differing(&g[0], &head, S2S_TOKENS_CHARS), 0);
    s2s_corpus next = {.count = 20, .s = c.s + 50};
    assert_int_equal(sources_differing(&g[1], &next, S2S_TOKENS_CHARS), 0);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < g[k].count; i++) {
            char text[64], want[64], have[64];
            answer_of(S2S_TASK_DATES, joined(&g[k].s[i], 0, g[k].s[i].len, S2S_TOKENS_CHARS, text,
                                             sizeof text),
                      want, sizeof want);
            assert_string_equal(joined(&g[k].t[i], 0, g[k].t[i].len, S2S_TOKENS_CHARS, have,
                                       sizeof have),
                                want);
        }
    free3(g);
    corpus_free(&c);
}

/* ------------------------------------------------------------------ corpus_answer */

static void test_corpus_answer(void **state)
{
    (void)state;
    s2s_error err = {0};
    static const char *const lines[] = {"5 march 2021", "2021/02/29", "mar 7, 1999"};
    s2s_corpus c = {.count = 3, .s = calloc(3, sizeof(s2s_sentence))};
    assert_non_null(c.s);
    for (int i = 0; i < 3; i++) c.s[i] = tokens_of(lines[i], S2S_TOKENS_CHARS);

    assert_int_equal(corpus_answer(S2S_TASK_PAIRS, &c, &err), S2S_ERR_ARG);
    assert_null(c.t);
    /* The second is not a date (2021 is no leap year): named, nothing kept. */
    assert_int_equal(corpus_answer(S2S_TASK_DATES, &c, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "sentence 2"));
    assert_non_null(strstr(err.msg, "2021/02/29"));
    assert_null(c.t);

    sentence_free(&c.s[1]);
    c.s[1] = tokens_of("2024/02/29", S2S_TOKENS_CHARS);
    CHECK_OK(corpus_answer(S2S_TASK_DATES, &c, &err), &err);
    char buf[32];
    assert_string_equal(joined(&c.t[1], 0, c.t[1].len, S2S_TOKENS_CHARS, buf, sizeof buf),
                        "2024-02-29");
    assert_string_equal(joined(&c.t[2], 0, c.t[2].len, S2S_TOKENS_CHARS, buf, sizeof buf),
                        "1999-03-07");
    /* Targets already there. */
    assert_int_equal(corpus_answer(S2S_TASK_DATES, &c, &err), S2S_ERR_ARG);
    corpus_free(&c);

    /* Every word corpus has answers. */
    s2s_corpus w = {.count = 1, .s = calloc(1, sizeof(s2s_sentence))};
    assert_non_null(w.s);
    w.s[0] = tokens_of("b a c", S2S_TOKENS_WORDS);
    CHECK_OK(corpus_answer(S2S_TASK_SORT, &w, &err), &err);
    assert_string_equal(joined(&w.t[0], 0, w.t[0].len, S2S_TOKENS_WORDS, buf, sizeof buf),
                        "a b c");
    corpus_free(&w);
}

/* ------------------------------------------------------------------ alignment */

static void expect_alignment(int task, const char *src_text, const int *want_lo,
                             const int *want_hi)
{
    const int tokens = task_tokens(task);
    s2s_error err = {0};
    s2s_sentence src = tokens_of(src_text, tokens), tgt;
    if (task_answer(task, &src, &tgt, &err) != 1)
        fail_msg("%s: no answer for \"%s\"", task_name(task), src_text);
    int lo[64], hi[64];
    assert_int_equal(task_alignment(task, &src, &tgt, lo, hi), 1);
    for (int j = 0; j < tgt.len; j++) {
        if (lo[j] != want_lo[j] || hi[j] != want_hi[j])
            fail_msg("%s \"%s\": target %d spans %d..%d, want %d..%d", task_name(task), src_text,
                     j, lo[j], hi[j], want_lo[j], want_hi[j]);
    }
    sentence_free(&src);
    sentence_free(&tgt);
}

static void test_alignment_words(void **state)
{
    (void)state;
    expect_alignment(S2S_TASK_REVERSE, "a b c d", (int[]){3, 2, 1, 0}, (int[]){3, 2, 1, 0});
    expect_alignment(S2S_TASK_COPY, "a b c d", (int[]){0, 1, 2, 3}, (int[]){0, 1, 2, 3});
    /* Equal words in source order. */
    expect_alignment(S2S_TASK_SORT, "b a b a c", (int[]){1, 3, 0, 2, 4}, (int[]){1, 3, 0, 2, 4});

    /* Not the answer: no alignment. */
    s2s_sentence src = tokens_of("b a c", S2S_TOKENS_WORDS);
    s2s_sentence wrong = tokens_of("a c b", S2S_TOKENS_WORDS);
    s2s_sentence shorter = tokens_of("a b", S2S_TOKENS_WORDS);
    int lo[8], hi[8];
    assert_int_equal(task_alignment(S2S_TASK_SORT, &src, &wrong, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_REVERSE, &src, &wrong, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_COPY, &src, &shorter, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_PAIRS, &src, &src, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_COPY, &src, &src, lo, hi), 1);
    sentence_free(&src);
    sentence_free(&wrong);
    sentence_free(&shorter);
}

/* The month (1..12) a month field's text names, or its number; 0 if neither. */
static int month_of_field(const char *text)
{
    if (text[0] >= '0' && text[0] <= '9') return atoi(text);
    char lower[16] = {0};
    for (size_t i = 0; text[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
    for (int m = 0; m < 12; m++)
        if (strcmp(lower, MONTHS[m]) == 0 ||
            (strlen(lower) == 3 && strncmp(lower, MONTHS[m], 3) == 0))
            return m + 1;
    return 0;
}

/* Checks that every digit of an ISO target comes from its span: a written
 * year digit is that digit; an implied century follows from the two written
 * digits; month and day digits are the field's digits, a one-digit field
 * padded with '0'; a month name names the month. Returns 1 when the year
 * was written with four digits. */
static int check_date_spans(const s2s_sentence *src, const s2s_sentence *tgt, const int *lo,
                            const int *hi)
{
    char iso[16], field[64];
    joined(tgt, 0, tgt->len, S2S_TOKENS_CHARS, iso, sizeof iso);
    int four_digit_year = 1;
    for (int j = 0; j < 10; j++) {
        if (j == 4 || j == 7) {
            assert_true(lo[j] == -1 && hi[j] == -1);
            continue;
        }
        assert_true(lo[j] >= 0 && lo[j] <= hi[j] && hi[j] < src->len);
        const char *text =
            joined(src, lo[j], hi[j] - lo[j] + 1, S2S_TOKENS_CHARS, field, sizeof field);
        const size_t n = strlen(text);
        if (j < 4 && n == 1) {
            assert_int_equal(text[0], iso[j]);
        } else if (j < 4) { /* the century implied by two written digits */
            assert_int_equal(n, 2);
            four_digit_year = 0;
            assert_memory_equal(iso, atoi(text) >= 50 ? "19" : "20", 2);
            assert_true(j < 2);
        } else if (j < 7) {
            assert_int_equal(month_of_field(text), atoi(iso + 5));
            if (text[0] >= '0' && text[0] <= '9') assert_memory_equal(text, iso + 5, 2);
        } else if (n == 1) {
            const char padded[2] = {'0', text[0]};
            assert_memory_equal(iso + 8, padded, 2);
        } else {
            assert_int_equal(n, 2);
            assert_memory_equal(text, iso + 8, 2);
        }
    }
    return four_digit_year;
}

static void test_alignment_dates(void **state)
{
    (void)state;
    /* YYYY-MM-DD */
    expect_alignment(S2S_TASK_DATES, "march 5, 2021",
                     (int[]){9, 10, 11, 12, -1, 0, 0, -1, 6, 6},
                     (int[]){9, 10, 11, 12, -1, 4, 4, -1, 6, 6});
    expect_alignment(S2S_TASK_DATES, "Monday, March 15, 2021",
                     (int[]){18, 19, 20, 21, -1, 8, 8, -1, 14, 14},
                     (int[]){18, 19, 20, 21, -1, 12, 12, -1, 15, 15});
    expect_alignment(S2S_TASK_DATES, "2nd of may 1999",
                     (int[]){11, 12, 13, 14, -1, 7, 7, -1, 0, 0},
                     (int[]){11, 12, 13, 14, -1, 9, 9, -1, 0, 0});
    expect_alignment(S2S_TASK_DATES, "05.03.21", (int[]){6, 6, 6, 7, -1, 3, 3, -1, 0, 0},
                     (int[]){7, 7, 6, 7, -1, 4, 4, -1, 1, 1});
    expect_alignment(S2S_TASK_DATES, "2021/03/05", (int[]){0, 1, 2, 3, -1, 5, 5, -1, 8, 8},
                     (int[]){0, 1, 2, 3, -1, 6, 6, -1, 9, 9});

    /* Not the answer: none. */
    s2s_sentence src = tokens_of("march 5, 2021", S2S_TOKENS_CHARS);
    s2s_sentence wrong = tokens_of("2021-03-06", S2S_TOKENS_CHARS);
    s2s_sentence cut = tokens_of("2021-03-0", S2S_TOKENS_CHARS);
    s2s_sentence bad = tokens_of("march 5 2021", S2S_TOKENS_CHARS);
    s2s_sentence right = tokens_of("2021-03-05", S2S_TOKENS_CHARS);
    int lo[16], hi[16];
    assert_int_equal(task_alignment(S2S_TASK_DATES, &src, &wrong, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_DATES, &src, &cut, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_DATES, &bad, &right, lo, hi), 0);
    assert_int_equal(task_alignment(S2S_TASK_DATES, &src, &right, lo, hi), 1);
    sentence_free(&src);
    sentence_free(&wrong);
    sentence_free(&cut);
    sentence_free(&bad);
    sentence_free(&right);

    /* Every generated date. */
    s2s_error err = {0};
    s2s_corpus c;
    CHECK_OK(corpus_dates(&c, 2000, 5, &err), &err);
    CHECK_OK(corpus_answer(S2S_TASK_DATES, &c, &err), &err);
    int four = 0;
    for (int i = 0; i < c.count; i++) {
        assert_int_equal(c.t[i].len, 10);
        assert_int_equal(task_alignment(S2S_TASK_DATES, &c.s[i], &c.t[i], lo, hi), 1);
        four += check_date_spans(&c.s[i], &c.t[i], lo, hi);
    }
    assert_true(four > 1000 && four < c.count);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_word_answers),
        cmocka_unit_test(test_date_answers),
        cmocka_unit_test(test_generate_deterministic),
        cmocka_unit_test(test_generate_word_tasks),
        cmocka_unit_test(test_dates_generated),
        cmocka_unit_test(test_corpus_answer),
        cmocka_unit_test(test_alignment_words),
        cmocka_unit_test(test_alignment_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
