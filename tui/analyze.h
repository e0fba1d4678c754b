/* analyze.h — `seq2seq analyze` (attention measured, analysis.md) and
 * `seq2seq compare` (exact match by length of several models).
 *
 * Both decode the synthetic test set a model was trained with (3..10 words,
 * rebuilt from the checkpoint's seed as `eval` does) and 1000 sentences of
 * 11..15 words from a fixed seed of their own (ANALYZE_LONG_SEED), which
 * training never shows. They return a CLI_EXIT_* status and print their
 * failures to stderr as "seq2seq CMD: ...". */
#ifndef S2S_ANALYZE_H
#define S2S_ANALYZE_H

#include "options.h"

/* The extra sentences: ANALYZE_LONG_N of ANALYZE_LONG_MIN..MAX words. */
enum { ANALYZE_LONG_N = 1000, ANALYZE_LONG_MIN = 11, ANALYZE_LONG_MAX = 15 };
#define ANALYZE_LONG_SEED 1115u

int cmd_analyze(const cli_opts *o);
int cmd_compare(const cli_opts *o);

#endif
