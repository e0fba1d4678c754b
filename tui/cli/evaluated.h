/* evaluated.h — a trained model decoded on the synthetic sets `analyze`
 * and `compare` measure it on: its own test split (3..10 words, rebuilt
 * from the checkpoint's seed as `eval` does) and ANALYZE_LONG_N sentences of
 * ANALYZE_LONG_MIN..MAX words from a fixed seed of their own
 * (ANALYZE_LONG_SEED), which training never shows. */
#ifndef S2S_EVALUATED_H
#define S2S_EVALUATED_H

#include "decode.h"
#include "options.h"
#include "setup.h"

/* The extra sentences: ANALYZE_LONG_N of ANALYZE_LONG_MIN..MAX words. */
enum { ANALYZE_LONG_N = 1000, ANALYZE_LONG_MIN = 11, ANALYZE_LONG_MAX = 15 };
#define ANALYZE_LONG_SEED 1115u
enum { EVAL_MAXW = ANALYZE_LONG_MAX, EVAL_TEST_MIN = 3, EVAL_TEST_MAX = 10 };

typedef struct {
    cli_model cm;            /* the checkpoint: path, backend, model, vocabulary, meta */
    s2s_corpus tr, va, te, lg;
    s2s_dataset dte, dlg;    /* the test split; the longer sentences */
    s2s_decoded rte, rlg;    /* their greedy decodings */
    long count[EVAL_MAXW + 1], correct[EVAL_MAXW + 1]; /* by length: test, then the longer */
} evaluated;

/* Opens path, decodes both sets (keep_attn: with their attention) and
 * counts exact matches by length. Prints its failure as "seq2seq CMD: ...";
 * returns a CLI_EXIT_* status. Close with evaluated_close either way. */
int evaluated_open(evaluated *e, const cli_opts *o, const char *cmd, const char *path,
                   int keep_attn);
void evaluated_close(evaluated *e);

/* Exact matches *k of sentences *n over lengths lo..hi. */
void evaluated_range(const evaluated *e, int lo, int hi, long *k, long *n);

#endif
