/* report.h — analysis.md, the measured account of what a model's attention
 * does (`seq2seq analyze`), and the number formats it shares with
 * `seq2seq compare`. Every factual sentence quotes a number of this run,
 * and its wording is picked by that number (the thresholds are listed at
 * the end of the file it writes), so the text says what this model does,
 * not what such models are said to do. */
#ifndef S2S_REPORT_H
#define S2S_REPORT_H

#include <stdio.h>

#include "attn_stats.h"
#include "evaluate.h"
#include "evaluated.h"

/* What analyze measured, for the report. */
typedef struct {
    const cli_opts *o;
    const char *device;
    const evaluated *e;                   /* the model analysed */
    const evaluated *base;                /* --baseline, or NULL */
    int prefix;                           /* columns before the first word in its attention
                                             (1: a start marker; decode.h) */
    const s2s_attn_stats *st[EVAL_SETS];  /* each set's sentences reversed exactly */
    s2s_error_profile prof[EVAL_SETS][EVAL_MAXW + 1]; /* wrong outputs by set and length */
    long wrong_at_unseen; /* wrong outputs of the one-unseen-word set whose first wrong
                             token is at the step that writes the unseen word */
} report;

/* Writes the report to path through path.tmp and a rename. */
int report_write(const char *path, const report *r, s2s_error *err);

/* The report's lines on the model: "- Model: `PATH` (epoch N, validation
 * loss L)" and "- Configuration: ...", with its vocabulary's size, or with
 * both_vocabs the source's and the target's where they are two. */
void report_model_lines(FILE *f, const evaluated *e, int both_vocabs);

/* Formatted numbers: a share (0..1) as "12.3%", a percentage (0..100)
 * likewise, "k/n" with its percentage, a weight or entropy with three
 * decimals; "-" when there is none. A range of lengths as "7" or "16-20". */
typedef struct {
    char s[48];
} txt;
txt fmt_share(double frac);
txt fmt_percent(double v);
txt fmt_kn(long k, long n);
txt fmt_weight(double x);
txt fmt_range(int lo, int hi);
/* 100 k / n, NaN when n is 0. */
double percent(long k, long n);

#endif
