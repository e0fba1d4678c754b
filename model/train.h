/* train.h — the training loop, the validation loss, and the callbacks a UI uses. */
#ifndef S2S_TRAIN_H
#define S2S_TRAIN_H

#include <stdint.h>

#include "data.h"
#include "err.h"
#include "model.h"

typedef struct {
    int epochs;
    int batch;
    float lr, beta1, beta2, eps;
    float clip;
    float tf_ratio;       /* probability that a decoder step reads the true token */
    float unk_rate;       /* share of source words replaced by <UNK> in each batch (and
                             the target's mirrored word: the reversal task's), fresh
                             draws every epoch; 0 = none */
    uint64_t seed;        /* shuffles, teacher forcing draws, dropout */
    int task, tokens;     /* s2s_task and s2s_tokens, written into the checkpoints */
    int bucket;           /* 1: batches of similar lengths (pairs), 0: the seed's
                             plain shuffle */
    const char *out_dir;  /* best.ckpt, last.ckpt, history.csv; NULL = write nothing */
    int start_epoch;      /* epochs already done (continuing from a checkpoint) */
    float best_val_loss;  /* the best validation loss so far (continuing: the
                             checkpoint's), so best.ckpt is only replaced by a
                             better model; INFINITY when starting afresh */
} s2s_train_opts;

void train_opts_default(s2s_train_opts *o);

typedef struct {
    int epoch, epochs;    /* 1-based current epoch */
    int step, steps;      /* 1-based batch within the epoch */
    float loss;           /* this batch's training loss */
    float grad_norm;      /* before clipping */
    double tokens_per_s;  /* target tokens per second over this epoch so far */
    double elapsed_s;     /* since train_run started */
} s2s_progress;

typedef struct {
    void *user;
    /* After every batch; a non-zero return stops training at this boundary. */
    int (*on_step)(void *user, const s2s_progress *p);
    /* Each line of the log (the seed's "Epoch 01/30 | ..." lines), no newline. */
    void (*on_log)(void *user, const char *line);
    /* After each epoch's validation. */
    void (*on_epoch)(void *user, int epoch, float train_loss, float val_loss, int is_best,
                     double seconds, double tokens_per_s);
} s2s_train_hooks;

/* Trains m on train, validating on val after each epoch (teacher forcing
 * off), saving best.ckpt on a new best validation loss, last.ckpt and
 * history.csv after each epoch (continuing, history.csv keeps its rows of
 * the epochs before start_epoch). Time spent inside on_step (a paused UI)
 * is not counted in an epoch's seconds or tokens/s. Returns S2S_ERR_INTERRUPTED if on_step asked
 * to stop (last.ckpt is still written, best.ckpt is intact). */
int train_run(s2s_model *m, const s2s_vocabs *vocab, const s2s_dataset *train,
              const s2s_dataset *val, const s2s_train_opts *o, const s2s_train_hooks *hooks,
              s2s_error *err);

/* Mean over batches of the batch-mean loss with teacher forcing off, as the
 * seed's evaluate(). */
int evaluate_loss(s2s_model *m, const s2s_dataset *d, int batch, float *loss, s2s_error *err);

/* Orders a batch's sentence indices by source length, longest first (ties
 * by index), as train_run orders every batch: each time step then runs over
 * a prefix of live rows. */
void batch_sort_by_length(int *idx, int n, const s2s_dataset *d);

#endif
