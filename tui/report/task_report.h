/* task_report.h — analysis.md for a model of a task other than reversal
 * (copy, sort, dates, pairs): shorter than report.h's, which measures
 * reversal against the mirrored position. It says what the model is, how
 * often it is exactly right, and how its attention follows the task's
 * reference alignment (align_stats.h). As in report.h every figure is
 * measured in the run and the wording of a sentence is picked by its
 * number (the thresholds are listed at the end of the file). */
#ifndef S2S_TASK_REPORT_H
#define S2S_TASK_REPORT_H

#include "align_stats.h"
#include "evaluated.h"

typedef struct {
    const char *device;
    const evaluated *e;               /* the model analysed (its used sets decoded) */
    int prefix;                       /* start-marker columns in its attention (decode.h) */
    s2s_align_stats st[EVAL_SETS];    /* each set's sentences decoded exactly */
} task_report;

/* Writes the report to path through path.tmp and a rename. */
int task_report_write(const char *path, const task_report *r, s2s_error *err);

#endif
