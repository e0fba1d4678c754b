/* task.c — the built-in tasks: names, answers, reference alignments and
 * data (see task.h). */
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* ------------------------------------------------------------------ */
/* names                                                                */
/* ------------------------------------------------------------------ */

static const char *const TASK_NAMES[S2S_TASKS] = {"reverse", "copy", "sort", "dates", "pairs"};

static int task_valid(int task)
{
    return task >= 0 && task < S2S_TASKS;
}

const char *task_name(int task)
{
    return task_valid(task) ? TASK_NAMES[task] : "?";
}

int task_parse(const char *s)
{
    if (!s) return -1;
    for (int t = 0; t < S2S_TASKS; t++)
        if (strcmp(s, TASK_NAMES[t]) == 0) return t;
    return -1;
}

int task_tokens(int task)
{
    if (task == S2S_TASK_DATES) return S2S_TOKENS_CHARS;
    return task_valid(task) && task != S2S_TASK_PAIRS ? S2S_TOKENS_WORDS : -1;
}

int task_shared_vocab(int task)
{
    return task == S2S_TASK_REVERSE || task == S2S_TASK_COPY || task == S2S_TASK_SORT;
}

const char *task_hint(int task)
{
    switch (task) {
    case S2S_TASK_REVERSE: return "type a sentence and press Enter to reverse it, e.g. the cat sat";
    case S2S_TASK_COPY: return "type a sentence and press Enter to copy it, e.g. the cat sat";
    case S2S_TASK_SORT: return "type a sentence and press Enter to sort its words, e.g. the cat sat";
    case S2S_TASK_DATES:
        return "type a date and press Enter for YYYY-MM-DD, e.g. march 5, 2021 or 05.03.2021";
    case S2S_TASK_PAIRS: return "type a source and press Enter to see the target the model writes";
    default: return "";
    }
}

/* ------------------------------------------------------------------ */
/* word tasks: the answer is the source's words in some order           */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *word;
    int pos;
} ranked_word;

/* Byte order, then source position: qsort is not stable, the position
 * makes it so. */
static int ranked_cmp(const void *a, const void *b)
{
    const ranked_word *x = a, *y = b;
    const int c = strcmp(x->word, y->word);
    if (c) return c;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* order[j]: the source position of target word j (reverse, copy, sort).
 * Returns a malloc'ed array of src->len entries, or NULL when out of memory. */
static int *word_order(int task, const s2s_sentence *src)
{
    const int n = src->len;
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    if (!order) return NULL;
    if (task != S2S_TASK_SORT) {
        for (int j = 0; j < n; j++) order[j] = task == S2S_TASK_REVERSE ? n - 1 - j : j;
        return order;
    }
    ranked_word *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    if (!rank) {
        free(order);
        return NULL;
    }
    for (int j = 0; j < n; j++) rank[j] = (ranked_word){src->w[j], j};
    qsort(rank, (size_t)n, sizeof *rank, ranked_cmp);
    for (int j = 0; j < n; j++) order[j] = rank[j].pos;
    free(rank);
    return order;
}

/* out = copies of src's words in the given order. */
static int sentence_pick(const s2s_sentence *src, const int *order, s2s_sentence *out,
                         s2s_error *err)
{
    const int n = src->len;
    if (n == 0) return 0;
    char **w = calloc((size_t)n, sizeof *w);
    if (!w)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for an answer of %d words", n);
    for (int j = 0; j < n; j++) {
        w[j] = strdup(src->w[order[j]]);
        if (!w[j]) {
            for (int k = 0; k < j; k++) free(w[k]);
            free(w);
            return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for word %d of an answer", j + 1);
        }
    }
    out->w = w;
    out->len = n;
    return 0;
}

static int word_answer(int task, const s2s_sentence *src, s2s_sentence *out, s2s_error *err)
{
    int *order = word_order(task, src);
    if (!order)
        return -s2s_fail(err, S2S_ERR_NOMEM, "out of memory ordering a sentence of %d words",
                         src->len);
    const int rc = sentence_pick(src, order, out, err);
    free(order);
    return rc ? -rc : 1;
}

static int word_alignment(int task, const s2s_sentence *src, const s2s_sentence *tgt, int *lo,
                          int *hi)
{
    if (tgt->len != src->len) return 0;
    int *order = word_order(task, src);
    if (!order) return 0;
    int same = 1;
    for (int j = 0; j < tgt->len && same; j++) same = strcmp(tgt->w[j], src->w[order[j]]) == 0;
    for (int j = 0; j < tgt->len && same; j++) lo[j] = hi[j] = order[j];
    free(order);
    return same;
}

/* ------------------------------------------------------------------ */
/* dates: the calendar                                                  */
/* ------------------------------------------------------------------ */

enum { DATE_YEAR_MIN = 1950, DATE_YEAR_MAX = 2049 };

static const char *const MONTH_NAMES[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};
static const char *const WEEKDAY_NAMES[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static int is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), and back: uniform dates are uniform day numbers. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const long doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of(int y, int m, int d)
{
    return (int)(((days_from_civil(y, m, d) + 4) % 7 + 7) % 7);
}

static const char *ordinal_suffix(int d)
{
    if (d >= 11 && d <= 13) return "th";
    return d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th";
}

/* ------------------------------------------------------------------ */
/* dates: the formats, written and read from one table                  */
/* ------------------------------------------------------------------ */

/* One pattern per format (the list in task.h): literal characters, and
 * fields %d day, %D two-digit day, %o day with its ordinal suffix, %B month
 * name, %b its first three letters, %m two-digit month, %Y four-digit year,
 * %y two-digit year, %A weekday name. The generator writes these and the
 * reader accepts exactly these, so the two cannot drift apart. */
static const char *const DATE_FORMATS[] = {
    "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%D.%m.%Y",
    "%Y/%m/%D", "%A, %B %d, %Y", "%o of %B %Y", "%D.%m.%y",
};
#define DATE_FORMAT_COUNT ((int)(sizeof DATE_FORMATS / sizeof DATE_FORMATS[0]))

/* A source date longer than this is no date of ours (the longest is 29). */
#define DATE_TEXT_CAP 64

/* Writes y-m-d in format fmt into buf (DATE_TEXT_CAP bytes); capital: names
 * with a capital first letter. */
static void date_write(const char *fmt, int y, int m, int d, int capital, char *buf)
{
    size_t at = 0;
    for (const char *f = fmt; *f && at + 1 < DATE_TEXT_CAP; f++) {
        char *p = buf + at;
        const size_t room = DATE_TEXT_CAP - at;
        if (*f != '%') {
            p[0] = *f;
            p[1] = '\0';
            at++;
            continue;
        }
        int n = 0;
        switch (*++f) {
        case 'd': n = snprintf(p, room, "%d", d); break;
        case 'D': n = snprintf(p, room, "%02d", d); break;
        case 'o': n = snprintf(p, room, "%d%s", d, ordinal_suffix(d)); break;
        case 'B': n = snprintf(p, room, "%s", MONTH_NAMES[m - 1]); break;
        case 'b': n = snprintf(p, room, "%.3s", MONTH_NAMES[m - 1]); break;
        case 'm': n = snprintf(p, room, "%02d", m); break;
        case 'Y': n = snprintf(p, room, "%04d", y); break;
        case 'y': n = snprintf(p, room, "%02d", y % 100); break;
        case 'A': n = snprintf(p, room, "%s", WEEKDAY_NAMES[weekday_of(y, m, d)]); break;
        default: break;
        }
        if (capital && (*f == 'B' || *f == 'b' || *f == 'A')) p[0] = (char)(p[0] - 'a' + 'A');
        at += n > 0 ? (size_t)n : 0;
    }
    buf[at < DATE_TEXT_CAP ? at : DATE_TEXT_CAP - 1] = '\0';
}

/* Where a field lies in the source text, in bytes. */
typedef struct {
    int at, len;
} text_span;

/* A date as read, with the text of its year, month and day fields (a day's
 * span is its digits, without an ordinal suffix). */
typedef struct {
    int y, m, d;
    int weekday;     /* as written, or -1 */
    int year_digits; /* 4, or 2 (the century is implied) */
    text_span year, month, day;
} date_read;

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Length of the first len bytes of word if text starts with them, in any
 * case; 0 otherwise. */
static int starts_nocase(const char *text, const char *word, int len)
{
    for (int i = 0; i < len; i++)
        if (!text[i] || ascii_lower(text[i]) != word[i]) return 0;
    return len;
}

/* The index of the name (or its first prefix bytes, if prefix > 0) that
 * text starts with, its length in *len; -1 if none. */
static int read_name(const char *text, const char *const *names, int count, int prefix, int *len)
{
    for (int k = 0; k < count; k++) {
        const int n = prefix > 0 ? prefix : (int)strlen(names[k]);
        if (starts_nocase(text, names[k], n)) {
            *len = n;
            return k;
        }
    }
    return -1;
}

/* A number of min..max digits at text (no leading zero if unpadded); its
 * length, or 0 if there is none. */
static int read_number(const char *text, int min, int max, int unpadded, int *value)
{
    int n = 0, v = 0;
    while (n < max && text[n] >= '0' && text[n] <= '9') v = v * 10 + (text[n++] - '0');
    if (n < min || (unpadded && text[0] == '0')) return 0;
    *value = v;
    return n;
}

/* Reads field f of a pattern at text + at into r; the bytes it took, or 0. */
static int read_field(char f, const char *text, int at, date_read *r)
{
    const char *p = text + at;
    int n = 0;
    switch (f) {
    case 'd': case 'D': case 'o':
        n = read_number(p, f == 'D' ? 2 : 1, 2, f != 'D', &r->d);
        r->day = (text_span){at, n};
        if (n && f == 'o') {
            const int k = starts_nocase(p + n, ordinal_suffix(r->d), 2);
            n = k ? n + k : 0;
        }
        return n;
    case 'B': case 'b':
        r->m = 1 + read_name(p, MONTH_NAMES, 12, f == 'b' ? 3 : 0, &n);
        r->month = (text_span){at, n};
        return r->m > 0 ? n : 0;
    case 'm':
        n = read_number(p, 2, 2, 0, &r->m);
        r->month = (text_span){at, n};
        return n;
    case 'Y': case 'y':
        r->year_digits = f == 'Y' ? 4 : 2;
        n = read_number(p, r->year_digits, r->year_digits, 0, &r->y);
        /* Two digits: 50..99 are the 1900s, 00..49 the 2000s. */
        if (n == 2) r->y += r->y >= 50 ? 1900 : 2000;
        r->year = (text_span){at, n};
        return n;
    case 'A':
        r->weekday = read_name(p, WEEKDAY_NAMES, 7, 0, &n);
        return r->weekday >= 0 ? n : 0;
    default: return 0;
    }
}

/* 1 if all of text is a valid date in format fmt (r filled), else 0. */
static int date_match(const char *fmt, const char *text, date_read *r)
{
    *r = (date_read){.weekday = -1};
    int at = 0;
    for (const char *f = fmt; *f; f++) {
        int n;
        if (*f == '%')
            n = read_field(*++f, text, at, r);
        else
            n = ascii_lower(text[at]) == *f;
        if (!n) return 0;
        at += n;
    }
    if (text[at] || r->m < 1 || r->m > 12 || r->y < DATE_YEAR_MIN || r->y > DATE_YEAR_MAX)
        return 0;
    if (r->d < 1 || r->d > month_days(r->y, r->m)) return 0;
    return r->weekday < 0 || r->weekday == weekday_of(r->y, r->m, r->d);
}

/* Reads src (character tokens) as a date in any of the formats; its text
 * into text (DATE_TEXT_CAP bytes). 1 if it is one, else 0. */
static int date_parse(const s2s_sentence *src, char *text, date_read *r)
{
    if (sentence_join(src, 0, src->len, S2S_TOKENS_CHARS, text, DATE_TEXT_CAP) >= DATE_TEXT_CAP)
        return 0;
    for (int k = 0; k < DATE_FORMAT_COUNT; k++)
        if (date_match(DATE_FORMATS[k], text, r)) return 1;
    return 0;
}

static int date_answer(const s2s_sentence *src, s2s_sentence *out, s2s_error *err)
{
    char text[DATE_TEXT_CAP], iso[16];
    date_read r;
    if (!date_parse(src, text, &r)) return 0;
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", r.y, r.m, r.d);
    const int rc = sentence_tokenize_as(iso, S2S_TOKENS_CHARS, (int)sizeof iso, out, err);
    return rc ? -rc : 1;
}

/* ISO target positions: YYYY-MM-DD. */
enum { ISO_LEN = 10, ISO_MONTH = 5, ISO_DAY = 8 };

static int date_alignment(const s2s_sentence *src, const s2s_sentence *tgt, int *lo, int *hi)
{
    char text[DATE_TEXT_CAP], iso[16];
    date_read r;
    if (!date_parse(src, text, &r) || tgt->len != ISO_LEN) return 0;
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", r.y, r.m, r.d);
    for (int j = 0; j < ISO_LEN; j++)
        if (tgt->w[j][0] != iso[j] || tgt->w[j][1] != '\0') return 0;

    /* token_of[b]: the source token that holds byte b of text. */
    int token_of[DATE_TEXT_CAP];
    for (int i = 0, b = 0; i < src->len; i++)
        for (size_t k = strlen(src->w[i]); k > 0; k--) token_of[b++] = i;

    for (int j = 0; j < ISO_LEN; j++) lo[j] = hi[j] = -1;
    for (int j = 0; j < 4; j++) {
        /* A written century digit is itself; an implied one comes from the
         * two digits that imply it. */
        if (r.year_digits == 4)
            lo[j] = hi[j] = token_of[r.year.at + j];
        else if (j >= 2)
            lo[j] = hi[j] = token_of[r.year.at + j - 2];
        else
            lo[j] = token_of[r.year.at], hi[j] = token_of[r.year.at + 1];
    }
    for (int j = 0; j < 2; j++) {
        lo[ISO_MONTH + j] = token_of[r.month.at];
        hi[ISO_MONTH + j] = token_of[r.month.at + r.month.len - 1];
        lo[ISO_DAY + j] = token_of[r.day.at];
        hi[ISO_DAY + j] = token_of[r.day.at + r.day.len - 1];
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* answers and alignments                                               */
/* ------------------------------------------------------------------ */

int task_answer(int task, const s2s_sentence *src, s2s_sentence *out, s2s_error *err)
{
    *out = (s2s_sentence){0};
    switch (task) {
    case S2S_TASK_REVERSE:
    case S2S_TASK_COPY:
    case S2S_TASK_SORT: return word_answer(task, src, out, err);
    case S2S_TASK_DATES: return date_answer(src, out, err);
    case S2S_TASK_PAIRS: return 0;
    default: return -s2s_fail(err, S2S_ERR_ARG, "unknown task %d", task);
    }
}

int task_alignment(int task, const s2s_sentence *src, const s2s_sentence *tgt, int *lo, int *hi)
{
    switch (task) {
    case S2S_TASK_REVERSE:
    case S2S_TASK_COPY:
    case S2S_TASK_SORT: return word_alignment(task, src, tgt, lo, hi);
    case S2S_TASK_DATES: return date_alignment(src, tgt, lo, hi);
    default: return 0;
    }
}

int corpus_answer(int task, s2s_corpus *c, s2s_error *err)
{
    if (c->t) return s2s_fail(err, S2S_ERR_ARG, "the corpus already has its targets");
    if (!task_valid(task) || task == S2S_TASK_PAIRS)
        return s2s_fail(err, S2S_ERR_ARG, "task %s has no built-in answers", task_name(task));
    s2s_sentence *t = calloc(c->count > 0 ? (size_t)c->count : 1, sizeof *t);
    if (!t)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the targets of %d sentences (%s)",
                        c->count, S2S_SIZE((size_t)c->count * sizeof *t));
    int rc = 0;
    for (int i = 0; i < c->count && !rc; i++) {
        const int got = task_answer(task, &c->s[i], &t[i], err);
        if (got < 0) rc = -got;
        if (got == 0) {
            char text[48];
            sentence_join(&c->s[i], 0, c->s[i].len, task_tokens(task), text, sizeof text);
            rc = s2s_fail(err, S2S_ERR_ARG, "sentence %d (\"%s\") has no %s answer", i + 1, text,
                          task_name(task));
        }
    }
    if (rc) {
        for (int i = 0; i < c->count; i++) sentence_free(&t[i]);
        free(t);
        return rc;
    }
    c->t = t;
    return 0;
}

/* ------------------------------------------------------------------ */
/* data                                                                 */
/* ------------------------------------------------------------------ */

/* n dates from rng into c (c->count = n; on failure the caller frees c). */
static int dates_fill(s2s_corpus *c, int n, s2s_rng *rng, s2s_error *err)
{
    c->s = calloc(n > 0 ? (size_t)n : 1, sizeof *c->s);
    if (!c->s)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d dates (%s)", n,
                        S2S_SIZE((size_t)n * sizeof *c->s));
    c->count = n;
    const long first = days_from_civil(DATE_YEAR_MIN, 1, 1);
    const uint32_t span = (uint32_t)(days_from_civil(DATE_YEAR_MAX, 12, 31) - first + 1);
    for (int i = 0; i < n; i++) {
        int y, m, d;
        civil_from_days(first + (long)rng_below(rng, span), &y, &m, &d);
        const int fmt = (int)rng_below(rng, DATE_FORMAT_COUNT);
        const int capital = rng_below(rng, 4) == 0;
        char text[DATE_TEXT_CAP];
        date_write(DATE_FORMATS[fmt], y, m, d, capital, text);
        int rc = sentence_tokenize_as(text, S2S_TOKENS_CHARS, DATE_TEXT_CAP, &c->s[i], err);
        if (rc) return rc;
    }
    return 0;
}

int corpus_dates(s2s_corpus *c, int n, uint64_t seed, s2s_error *err)
{
    memset(c, 0, sizeof *c);
    if (n < 0) return s2s_fail(err, S2S_ERR_ARG, "negative number of dates (%d)", n);
    s2s_rng rng;
    rng_seed(&rng, seed);
    const int rc = dates_fill(c, n, &rng, err);
    if (rc) corpus_free(c);
    return rc;
}

/* The dates task's sources: one generator, train first, then val, test
 * (the parts are zeroed; on failure the caller frees them). */
static int dates_generate(s2s_corpus *part[3], const int n[3], uint64_t seed, s2s_error *err)
{
    for (int k = 0; k < 3; k++)
        if (n[k] < 0)
            return s2s_fail(err, S2S_ERR_ARG, "negative dataset size (%d/%d/%d)", n[0], n[1],
                            n[2]);
    s2s_rng rng;
    rng_seed(&rng, seed);
    int rc = 0;
    for (int k = 0; k < 3 && !rc; k++) rc = dates_fill(part[k], n[k], &rng, err);
    return rc;
}

int task_generate(int task, s2s_corpus *train, s2s_corpus *val, s2s_corpus *test, int n_train,
                  int n_val, int n_test, uint64_t seed, s2s_error *err)
{
    s2s_corpus *part[3] = {train, val, test};
    const int n[3] = {n_train, n_val, n_test};
    for (int k = 0; k < 3; k++) memset(part[k], 0, sizeof *part[k]);
    if (!task_valid(task) || task == S2S_TASK_PAIRS)
        return s2s_fail(err, S2S_ERR_ARG, "task %s does not make its own data (give --pairs)",
                        task_name(task));
    int rc;
    if (task == S2S_TASK_DATES)
        rc = dates_generate(part, n, seed, err);
    else
        rc = corpus_synthetic(train, val, test, n_train, n_val, n_test, seed, err);
    /* reverse keeps t == NULL: the seed's data, byte for byte. */
    for (int k = 0; k < 3 && !rc && task != S2S_TASK_REVERSE; k++)
        rc = corpus_answer(task, part[k], err);
    if (rc)
        for (int k = 0; k < 3; k++) corpus_free(part[k]);
    return rc;
}
