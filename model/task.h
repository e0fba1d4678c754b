/* task.h — what a model learns to do.
 *
 * Built-in tasks make their own data, deterministically from a seed, and
 * know the right answer to any source they can read, so evaluation, the
 * UI's ✓/✗ mark and `analyze` work without a reference file:
 *
 *   reverse  the seed's task: words in reverse order (the default)
 *   copy     the words unchanged (attention on the diagonal)
 *   sort     the words sorted by byte order (attention that jumps by content)
 *   dates    a human-readable date, as characters, to ISO YYYY-MM-DD
 *            (attention that is not monotonic: the year is read first)
 *   pairs    the user's own source/target pairs (--pairs FILE): no built-in
 *            answer and no reference alignment
 *
 * reverse, copy and sort use the seed's 34 words and one shared vocabulary;
 * dates and pairs have a source and a target vocabulary.
 */
#ifndef S2S_TASK_H
#define S2S_TASK_H

#include <stdint.h>

#include "data.h"
#include "err.h"

typedef enum {
    S2S_TASK_REVERSE = 0,
    S2S_TASK_COPY = 1,
    S2S_TASK_SORT = 2,
    S2S_TASK_DATES = 3,
    S2S_TASK_PAIRS = 4,
    S2S_TASKS
} s2s_task;

/* "reverse" | "copy" | "sort" | "dates" | "pairs"; "?" otherwise. */
const char *task_name(int task);
/* The task of a name; -1 if unknown. */
int task_parse(const char *s);
/* The tokenisation a built-in task uses (dates: chars, the others words);
 * -1 for pairs (the user chooses with --tokens). */
int task_tokens(int task);
/* 1 if source and target share one vocabulary (reverse, copy, sort). */
int task_shared_vocab(int task);
/* One line that tells a person what to type at the prompt, e.g.
 * "type a sentence of words; the model writes them in reverse order". */
const char *task_hint(int task);

/* The right answer to src: fills out (the caller frees it with
 * sentence_free) and returns 1; returns 0 (out empty) when the task has no
 * answer for src: pairs always, dates when src is not a date in one of the
 * formats the generator writes (see corpus_dates; letters in any case, a
 * real date of 1950..2049, a weekday that is the date's); a negative
 * s2s_code on failure (err filled). */
int task_answer(int task, const s2s_sentence *src, s2s_sentence *out, s2s_error *err);

/* The reference alignment of a right answer: for each target token j
 * (0 .. tgt->len − 1) the span of 0-based source tokens lo[j] .. hi[j]
 * (inclusive) that carries it, or lo[j] = hi[j] = −1 when none does (a
 * dash of an ISO date). Returns 1 if the task defines one, 0 if not
 * (pairs, or a tgt that is not task_answer(src)). reverse: n − 1 − j;
 * copy: j; sort: the source position of the j-th smallest word, equal
 * words in source order; dates: the source characters of the field the
 * digit comes from: the four year digits one each where the source writes
 * four; where it writes two, the last two one each and the implied
 * century's two digits both the two written ones; a month's two digits the
 * whole month field ("march", "mar", "03"); a day's two digits the day's
 * digits ("5", "05"; without an ordinal suffix: "5" of "5th"). */
int task_alignment(int task, const s2s_sentence *src, const s2s_sentence *tgt, int *lo, int *hi);

/* Fills c->t with task_answer of every source (c->t must be NULL). Fails,
 * naming the sentence, when the task has no answer for one of them. Not for
 * pairs (which carry their targets). */
int corpus_answer(int task, s2s_corpus *c, s2s_error *err);

/* The task's train/val/test sources, deterministic from seed, with their
 * targets filled in. reverse: corpus_synthetic, byte for byte (targets left
 * NULL: each source reversed); copy and sort: the same sources; dates:
 * corpus_dates with one generator for the three parts. Not for pairs. */
int task_generate(int task, s2s_corpus *train, s2s_corpus *val, s2s_corpus *test, int n_train,
                  int n_val, int n_test, uint64_t seed, s2s_error *err);

/* n human-readable dates, each day from 1950-01-01 to 2049-12-31 equally
 * likely, one character per token, from a generator seeded with seed;
 * targets left NULL. Each date is written in one of nine formats, each
 * equally likely (here 2021-03-05, a Friday):
 *
 *   5 march 2021             day, month name, year
 *   march 5, 2021            month name, day, year
 *   5 mar 2021               day, the month name's first three letters, year
 *   mar 5, 2021              the same three letters, day, year
 *   05.03.2021               day.month.year, two-digit day and month
 *   2021/03/05               year/month/day, two-digit month and day
 *   friday, march 5, 2021    weekday (the date's), month name, day, year
 *   5th of march 2021        day with its ordinal suffix (1st 2nd 3rd 4th
 *                            ... 11th 12th 13th ... 21st 22nd 23rd ... 31st)
 *   05.03.21                 day.month.year, two-digit year: 50..99 are
 *                            1950..1999, 00..49 are 2000..2049
 *
 * Days written as "5" have no leading zero. Names are lowercase, except in
 * a quarter of the dates (drawn independently of the format) whose month
 * and weekday names start with a capital ("Friday, March 5, 2021"); that
 * draw changes nothing in the numeric formats. Every date is under 40
 * characters (the longest, a weekday format, is 29). */
int corpus_dates(s2s_corpus *c, int n, uint64_t seed, s2s_error *err);

#endif
