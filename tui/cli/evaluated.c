/* evaluated.c — a model decoded on the sets analyze and compare use; see evaluated.h. */
#include "evaluated.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "evaluate.h"
#include "task.h"

enum { DECODE_BATCH = 64, EVAL_N = 1000 };

const eval_set_spec EVAL_SET[EVAL_SETS] = {
    [EVAL_SET_TEST] = {"3-10", "test", 3, 10, 0, 0, SETUP_N_TEST},
    [EVAL_SET_11_15] = {"11-15", "never trained", 11, 15, 0, 1115, EVAL_N},
    [EVAL_SET_16_30] = {"16-30", "never trained", 16, 30, 0, 1630, EVAL_N},
    [EVAL_SET_31_50] = {"31-50", "never trained", 31, 50, 0, 3150, EVAL_N},
    [EVAL_SET_UNSEEN1] = {"3-10", "one unseen word", 3, 10, 1, 1310, EVAL_N},
    [EVAL_SET_UNSEEN_ALL] = {"3-10", "unseen words only", 3, 10, S2S_UNSEEN_ALL, 2310, EVAL_N},
};

static void part_free(eval_part *p)
{
    decoded_free(&p->r);
    dataset_free(&p->d);
    corpus_free(&p->c);
    free(p->first_error);
    memset(p, 0, sizeof *p);
}

void evaluated_close(evaluated *e)
{
    for (int s = 0; s < EVAL_SETS; s++) part_free(&e->set[s]);
    cli_model_close(&e->cm);
    memset(e, 0, sizeof *e);
}

/* Orders c's sentences (and their targets, if any) longest first, keeping
 * the order within a length: a batch then holds sentences of about one
 * length, so the decoder runs about as many steps as they need (it runs up
 * to 2 * (longest + 1) for all), and the model's workspace, which grows to
 * the largest batch and never shrinks, is allocated once, by the first
 * batch, not again at every longer one. */
static int sort_by_length(s2s_corpus *c, s2s_error *err)
{
    if (c->count < 2) return 0;
    const size_t bytes = sizeof(s2s_sentence) * (size_t)c->count;
    s2s_sentence *sorted = malloc(bytes), *sorted_t = c->t ? malloc(bytes) : NULL;
    if (!sorted || (c->t && !sorted_t)) {
        free(sorted);
        free(sorted_t);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory sorting %d sentences", c->count);
    }
    int at = 0;
    for (int len = S2S_MAX_SENTENCE_WORDS; len >= 0; len--)
        for (int i = 0; i < c->count; i++)
            if (c->s[i].len == len) {
                if (c->t) sorted_t[at] = c->t[i];
                sorted[at++] = c->s[i];
            }
    free(c->s);
    c->s = sorted;
    if (c->t) {
        free(c->t);
        c->t = sorted_t;
    }
    return 0;
}

int evaluated_uses(int task, int s)
{
    switch (task) {
    case S2S_TASK_REVERSE: return s >= 0 && s < EVAL_SETS;
    case S2S_TASK_COPY:
    case S2S_TASK_SORT: return s == EVAL_SET_TEST || s == EVAL_SET_11_15 || s == EVAL_SET_16_30;
    default: return s == EVAL_SET_TEST;
    }
}

/* Makes set s's sentences: the --test file, the test split from the
 * checkpoint's seed, or the generated ones (with the task's answers: only
 * reversal leaves its targets implicit). */
static int make_corpus(evaluated *e, int s, s2s_error *err)
{
    const eval_set_spec *sp = &EVAL_SET[s];
    eval_part *p = &e->set[s];
    const int task = e->cm.meta.task;
    long skipped;
    if (s == EVAL_SET_TEST && e->test)
        return setup_read_test(e->test, task, e->cm.meta.tokens, 0, &p->c, &skipped, err);
    if (s == EVAL_SET_TEST && task == S2S_TASK_PAIRS)
        return s2s_fail(err, S2S_ERR_ARG,
                        "%s was trained on pairs of its own (--pairs), whose test split cannot "
                        "be made again from the checkpoint: give its test pairs with --test FILE",
                        e->cm.path);
    if (s == EVAL_SET_TEST) {
        s2s_corpus tr, va;
        const setup_data sd = {.task = task, .tokens = e->cm.meta.tokens,
                               .seed = e->cm.meta.seed};
        int rc = setup_make_corpus(&sd, &tr, &va, &p->c, &skipped, err);
        corpus_free(&tr);
        corpus_free(&va);
        return rc;
    }
    int rc = sp->unseen ? corpus_synthetic_unseen(&p->c, sp->n, sp->min, sp->max, sp->unseen,
                                                  sp->seed, err)
                        : corpus_synthetic_lengths(&p->c, sp->n, sp->min, sp->max, sp->seed, err);
    if (!rc && task != S2S_TASK_REVERSE) rc = corpus_answer(task, &p->c, err);
    return rc ? rc : sort_by_length(&p->c, err);
}

/* The <UNK>s set s must have: none for known words, one per sentence, or
 * every word. */
static long expected_unknown(const eval_part *p, int s)
{
    if (EVAL_SET[s].unseen == 0) return 0;
    if (EVAL_SET[s].unseen > 0) return (long)EVAL_SET[s].unseen * p->c.count;
    long words = 0;
    for (int i = 0; i < p->c.count; i++) words += p->c.s[i].len;
    return words;
}

static int measure_set(evaluated *e, int s, int keep_attn, const char *cmd, s2s_error *err)
{
    eval_part *p = &e->set[s];
    const int has_attn = model_config(e->cm.m)->attention != S2S_ATTN_NONE;
    int rc = make_corpus(e, s, err);
    if (!rc) rc = dataset_create(&p->d, &p->c, &e->cm.vocab, err);
    if (rc) return rc;
    /* Reversal's sets are made to hold known words only, or a set number of
     * unseen ones; other tasks' test sets may hold any. */
    if (e->cm.meta.task == S2S_TASK_REVERSE && p->d.unknown != expected_unknown(p, s)) {
        if (s == EVAL_SET_TEST)
            return s2s_fail(err, S2S_ERR_ARG,
                            "%s: %d words of the synthetic test set are not in the model's "
                            "vocabulary; %s works on the seed's synthetic task only (was the "
                            "model trained with --data?)",
                            e->cm.path, p->d.unknown, cmd);
        return s2s_fail(err, S2S_ERR_ARG,
                        "%s: the set with %s has %d words the vocabulary lacks, not %ld: the "
                        "model knows some of the unseen words (%s ... %s); %s works on the "
                        "seed's synthetic task only",
                        e->cm.path, EVAL_SET[s].label, p->d.unknown, expected_unknown(p, s),
                        S2S_UNSEEN_WORDS[0], S2S_UNSEEN_WORDS[S2S_UNSEEN_COUNT - 1], cmd);
    }
    const int unseen = EVAL_SET[s].unseen != 0;
    rc = decode_dataset(e->cm.m, &p->d, DECODE_BATCH, keep_attn || (unseen && has_attn), &p->r,
                        err);
    if (rc) return rc;
    p->first_error = calloc((size_t)(p->d.count > 0 ? p->d.count : 1), sizeof *p->first_error);
    if (!p->first_error)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the scores of %d sentences",
                        p->d.count);
    for (int i = 0; i < p->d.count; i++) {
        const int *out = p->r.out + p->r.out_off[i];
        int step;
        if (unseen) {
            step = decoded_first_error_words(&p->c.s[i], p->c.t ? &p->c.t[i] : NULL, &e->cm.vocab, out, p->r.out_len[i],
                                             p->r.stopped[i], has_attn ? p->r.attn[i] : NULL,
                                             p->r.steps[i], p->r.prefix);
            if (step < 0)
                return s2s_fail(err, S2S_ERR_ARG,
                                "sentence %d of the set with %s: its decoding is out of range "
                                "for the word check",
                                i + 1, EVAL_SET[s].label);
        } else {
            step = decoded_first_error(out, p->r.out_len[i], p->r.stopped[i],
                                       p->d.tgt + p->d.tgt_off[i] + 1, p->d.tgt_len[i] - 2);
        }
        p->first_error[i] = step;
    }
    /* exact_by_length wants 1 for an exact match. */
    int *is_exact = malloc(sizeof(int) * (size_t)(p->d.count > 0 ? p->d.count : 1));
    if (!is_exact) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d scores", p->d.count);
    for (int i = 0; i < p->d.count; i++) is_exact[i] = p->first_error[i] == 0;
    exact_by_length(&p->d, is_exact, EVAL_MAXW, p->count, p->correct);
    free(is_exact);
    /* Counted over every sentence, not by length: other tasks' test sets
     * may hold longer ones than the tables by length show. */
    p->n = p->d.count;
    p->k = 0;
    p->k_oracle = -1;
    for (int i = 0; i < p->d.count; i++) p->k += p->first_error[i] == 0;
    return 0;
}

int evaluated_oracle(evaluated *e, const char *cmd)
{
    s2s_error err;
    s2s_error_clear(&err);
    for (int s = 0; s < EVAL_SETS; s++) {
        eval_part *p = &e->set[s];
        p->k_oracle = -1;
        /* known words only: scored by ids */
        if (s >= EVAL_LENGTH_SETS || !evaluated_uses(e->cm.meta.task, s)) continue;
        s2s_decoded r;
        if (decode_dataset_oracle(e->cm.m, &p->d, DECODE_BATCH, 0, &r, &err))
            return cli_fail(cmd, &err);
        p->k_oracle = 0;
        for (int i = 0; i < p->d.count; i++)
            p->k_oracle += decoded_first_error(r.out + r.out_off[i], r.out_len[i], r.stopped[i],
                                               p->d.tgt + p->d.tgt_off[i] + 1,
                                               p->d.tgt_len[i] - 2) == 0;
        decoded_free(&r);
    }
    return CLI_EXIT_OK;
}

int evaluated_load(evaluated *e, const cli_opts *o, const char *cmd, const char *path)
{
    memset(e, 0, sizeof *e);
    e->test = o->test;
    return cli_model_open(&e->cm, o, cmd, path);
}

int evaluated_decode(evaluated *e, const char *cmd, int keep_attn)
{
    const double t0 = s2s_now_s();
    s2s_error err;
    s2s_error_clear(&err);
    for (int s = 0; s < EVAL_SETS; s++)
        if (evaluated_uses(e->cm.meta.task, s) && measure_set(e, s, keep_attn, cmd, &err))
            return cli_fail(cmd, &err);
    e->seconds = s2s_now_s() - t0;
    return CLI_EXIT_OK;
}

int evaluated_open(evaluated *e, const cli_opts *o, const char *cmd, const char *path,
                   int keep_attn)
{
    int rc = evaluated_load(e, o, cmd, path);
    return rc ? rc : evaluated_decode(e, cmd, keep_attn);
}

void evaluated_range(const evaluated *e, int lo, int hi, long *k, long *n)
{
    *k = *n = 0;
    if (lo < 0) lo = 0;
    if (hi > EVAL_MAXW) hi = EVAL_MAXW;
    for (int s = 0; s < EVAL_LENGTH_SETS; s++)
        for (int w = lo; w <= hi; w++) {
            *k += e->set[s].correct[w];
            *n += e->set[s].count[w];
        }
}

int evaluated_rows_between(int first, int last, int *lo, int *hi)
{
    int n = 0;
    for (int w = first; w <= last && n < EVAL_ROWS; n++) {
        const int end = w <= EVAL_ROW_SINGLE ? w : w + EVAL_ROW_GROUP - 1;
        lo[n] = w;
        hi[n] = end < last ? end : last;
        w = hi[n] + 1;
    }
    return n;
}

int evaluated_rows(int *lo, int *hi)
{
    return evaluated_rows_between(EVAL_TEST_MIN, EVAL_MAXW, lo, hi);
}

int evaluated_set_of_length(int w)
{
    for (int s = 0; s < EVAL_LENGTH_SETS; s++)
        if (w >= EVAL_SET[s].min && w <= EVAL_SET[s].max) return s;
    return -1;
}
