/* evaluated.h — a trained model decoded on the synthetic sets `analyze`
 * and `compare` measure it on (EVAL_SET): its own test split (3..10 words,
 * rebuilt from the checkpoint's seed as `eval` does), 1000 sentences each of
 * 11..15, 16..30 and 31..50 words (lengths training never shows), and 1000
 * sentences of 3..10 words with one word, or every word, that the
 * vocabulary lacks. The generated sets come from fixed seeds of their own
 * (1115, 1630, 3150, 1310, 2310); training draws its data from --seed
 * (default 42) and never from these lengths or words.
 *
 * Exact match: the sets of known words are scored by token ids, as `eval`
 * does (decoded_first_error); the sets with unseen words by the words
 * written after the copy-through rule (decoded_first_error_words), since an
 * unknown word is encoded as <UNK> and is right when copied through.
 *
 * A model of another task is measured on the sets that mean something for
 * it (evaluated_uses), each scored by token ids against the task's answers:
 * copy and sort on their test split and on 11..15 and 16..30 words (the
 * same generated sources, with the task's answers); dates on its test
 * split; pairs only on a test file of its own (--test FILE, which also
 * replaces the test split of the built-in tasks but reversal). The other
 * sets stay empty (n = 0). */
#ifndef S2S_EVALUATED_H
#define S2S_EVALUATED_H

#include "decode.h"
#include "options.h"
#include "setup.h"

enum { EVAL_MAXW = 50, EVAL_TEST_MIN = 3, EVAL_TEST_MAX = 10 };

typedef enum {
    EVAL_SET_TEST = 0,   /* the model's own test split, 3..10 words */
    EVAL_SET_11_15,      /* never trained lengths */
    EVAL_SET_16_30,
    EVAL_SET_31_50,
    EVAL_SET_UNSEEN1,    /* 3..10 words, exactly one of them unseen */
    EVAL_SET_UNSEEN_ALL, /* 3..10 words, all of them unseen */
    EVAL_SETS
} eval_set_id;
/* The sets EVAL_SET_TEST .. EVAL_SET_31_50: words the model knows, lengths
 * that do not overlap, together 3..EVAL_MAXW. */
#define EVAL_LENGTH_SETS 4

typedef struct {
    const char *range; /* "3-10", "11-15", ... */
    const char *label; /* "test", "never trained", "one unseen word", "unseen words only" */
    int min, max;      /* lengths in words */
    int unseen;        /* words per sentence from S2S_UNSEEN_WORDS: 0, 1 or S2S_UNSEEN_ALL */
    uint64_t seed;     /* 0: the checkpoint's own seed (the test split) */
    int n;             /* sentences */
} eval_set_spec;
extern const eval_set_spec EVAL_SET[EVAL_SETS];

/* One set, decoded. */
typedef struct {
    s2s_corpus c;      /* the sentences; the generated ones sorted by length */
    s2s_dataset d;
    s2s_decoded r;     /* greedy decodings (attention kept as asked, and always for
                          the unseen-word sets of a model with attention) */
    int *first_error;  /* per sentence: 0 = exactly right, else the step of the
                          first wrong token (decoded_first_error[_words]) */
    long count[EVAL_MAXW + 1], correct[EVAL_MAXW + 1]; /* by length */
    long n, k;         /* sentences, exact matches */
    long k_oracle;     /* exact matches decoded with the oracle length; -1 = not measured */
} eval_part;

typedef struct {
    cli_model cm;      /* the checkpoint: path, backend, model, vocabulary, meta */
    const char *test;  /* --test FILE: the test set instead of the test split, or NULL */
    eval_part set[EVAL_SETS];
    double seconds;    /* wall time spent building and decoding the sets */
} evaluated;

/* 1 if a model of task (s2s_task) is measured on set s (eval_set_id). */
int evaluated_uses(int task, int s);

/* Opens path, decodes every set (keep_attn: with its attention) and counts
 * exact matches. Prints its failure as "seq2seq CMD: ..."; returns a
 * CLI_EXIT_* status. Close with evaluated_close either way. */
int evaluated_open(evaluated *e, const cli_opts *o, const char *cmd, const char *path,
                   int keep_attn);
void evaluated_close(evaluated *e);
/* evaluated_open in two halves: open the model (and note o->test), then
 * decode the sets. */
int evaluated_load(evaluated *e, const cli_opts *o, const char *cmd, const char *path);
int evaluated_decode(evaluated *e, const char *cmd, int keep_attn);

/* The length sets decoded again with an oracle length (no <EOS> before a
 * sentence's own number of words), into each set's k_oracle: how much of
 * what fails is stopping. */
int evaluated_oracle(evaluated *e, const char *cmd);

/* Exact matches *k of sentences *n over lengths lo..hi of the length sets. */
void evaluated_range(const evaluated *e, int lo, int hi, long *k, long *n);

/* The length sets' rows of the tables: every length up to EVAL_ROW_SINGLE,
 * then groups of EVAL_ROW_GROUP lengths up to EVAL_MAXW. Fills lo[i], hi[i]
 * (room for EVAL_ROWS) and returns how many rows there are. */
enum { EVAL_ROW_SINGLE = 15, EVAL_ROW_GROUP = 5, EVAL_ROWS = 32 };
int evaluated_rows(int *lo, int *hi);
/* The same rows over lengths first..last (1 <= first; room for EVAL_ROWS
 * rows holds 1..S2S_MAX_SENTENCE_WORDS). */
int evaluated_rows_between(int first, int last, int *lo, int *hi);

/* The length set holding sentences of w words, or -1. */
int evaluated_set_of_length(int w);

#endif
