/* evaljob.h — F5: evaluate a snapshot of the weights on the test split on
 * its own thread (its own backend and model instance), so the UI keeps
 * drawing. Ten examples and the exact-match accuracy go to the log. */
#ifndef S2S_EVALJOB_H
#define S2S_EVALJOB_H

#include <stddef.h>

#include "data.h"
#include "err.h"
#include "logring.h"
#include "model.h"

typedef struct eval_job eval_job;

/* Copies params (n floats, the model's order) and starts decoding test with
 * a model of configuration cfg. vocab and test must outlive the job.
 * `label` (e.g. "epoch 3, batch 40") says which weights were evaluated.
 * on_gpu: decode on the GPU (see setup_infer_backend). */
int eval_start(eval_job **out, const s2s_config *cfg, const float *params, size_t n,
               int on_gpu, const s2s_vocabs *vocab, int tokens, const s2s_dataset *test,
               const char *label,
               log_ring *log, s2s_error *err);
/* 1 once the job has finished (then eval_free returns at once). */
int eval_done(eval_job *j);
/* Sentences decoded so far, and in all. */
void eval_progress(eval_job *j, int *done, int *total);
/* Asks the job to stop after the current chunk, waits for it, frees it. */
void eval_free(eval_job *j);

#endif
