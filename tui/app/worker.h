/* worker.h — training on its own thread, for the terminal UI.
 *
 * The worker runs train_run with hooks. After every batch (on_step) it
 * publishes its progress and the batch's loss into a small shared state
 * under a mutex, and at most every `publish_s` seconds (when the UI has
 * taken the previous one), and at each epoch's end, copies the parameters
 * into a double-buffered snapshot (snapshot.h).
 * Pausing makes on_step wait on a condition variable, so training stops at
 * a batch boundary; stopping makes on_step return non-zero, so train_run
 * stops at a batch boundary and keeps best.ckpt. The UI copies what it draws
 * with worker_view once per frame and never touches the training model.
 */
#ifndef S2S_WORKER_H
#define S2S_WORKER_H

#include <stdint.h>

#include "data.h"
#include "err.h"
#include "logring.h"
#include "model.h"
#include "snapshot.h"
#include "train.h"

typedef enum {
    PHASE_STARTING = 0, /* before the first batch ends */
    PHASE_TRAINING,
    PHASE_VALIDATING,   /* after an epoch's last batch, until its validation ends */
    PHASE_PAUSED,
    PHASE_STOPPING,     /* asked to stop; waiting for the batch boundary */
    PHASE_FINISHED,     /* every epoch done */
    PHASE_STOPPED,      /* stopped on request */
    PHASE_FAILED        /* train_run failed: see error */
} train_phase;

const char *phase_name(train_phase p);

/* Points kept for the loss chart; beyond this, neighbours are averaged. */
enum { WORKER_LOSS_CAP = 4096 };

/* What the UI draws of training, copied out under the lock. */
typedef struct {
    train_phase phase;
    int have_progress;
    s2s_progress prog;      /* the last batch's */
    int first_epoch;        /* the first epoch of this run (start_epoch + 1) */
    int epochs;             /* the last epoch */
    int steps;              /* batches per epoch (0 until the first batch) */
    long batches;           /* batches done in this run */
    double eta_s;           /* time left (NAN: unknown), pauses excluded */
    float best_val;         /* NAN: none yet */
    int best_epoch;
    /* the chart: loss[i] averages batches [i*stride, (i+1)*stride) of this run */
    float loss[WORKER_LOSS_CAP];
    int n_loss, stride;
    /* validation loss after each epoch of this run, at x = val_x batches */
    float *val;             /* epochs - first_epoch + 1 entries, owned by the view */
    long *val_x;
    int n_val;
    uint64_t snap_seq;      /* newest snapshot's sequence number */
    char error[512];        /* PHASE_FAILED: what went wrong */
} train_view;

typedef struct tui_worker tui_worker;

/* Starts training m (which the worker then owns until worker_join) on its
 * own thread. train, val and vocab must stay alive and unchanged until
 * worker_join; log lines go to log. */
int worker_start(tui_worker **out, s2s_model *m, const s2s_vocabs *vocab,
                 const s2s_dataset *train, const s2s_dataset *val, const s2s_train_opts *opts,
                 double publish_s, log_ring *log, s2s_error *err);

/* Pause (1) or resume (0) at the next batch boundary. */
void worker_pause(tui_worker *w, int on);
/* Asks training to stop at the next batch boundary (also ends a pause). */
void worker_stop(tui_worker *w);
/* 1 once the thread has returned from train_run. */
int worker_done(tui_worker *w);
/* Waits for the thread, frees the worker; returns train_run's status (0,
 * S2S_ERR_INTERRUPTED, or an error described in *err). */
int worker_join(tui_worker *w, s2s_error *err);

/* The parameter snapshots (read with snap_take / snap_latest). */
snap_store *worker_snapshots(tui_worker *w);

/* view->val / val_x must hold opts->epochs - opts->start_epoch entries
 * (worker_view_create makes them). */
int worker_view_create(train_view *v, const s2s_train_opts *opts, s2s_error *err);
void worker_view_free(train_view *v);
void worker_view(tui_worker *w, train_view *v);

#endif
