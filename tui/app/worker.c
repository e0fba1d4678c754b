/* worker.c — training on its own thread; see worker.h. */
#include "clock.h"
#include "worker.h"

#include "figures.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_worker {
    pthread_t thread;
    pthread_mutex_t mu; /* guards everything below `mu` except the snapshot store */
    pthread_cond_t cv;  /* signalled when pause_req / stop_req change */

    /* set before the thread starts, then read-only */
    s2s_model *m;
    const s2s_vocabs *vocab;
    const s2s_dataset *dtrain, *dval;
    s2s_train_opts opts;
    double publish_s;
    log_ring *log;
    snap_store snap;

    /* the training thread's own (no lock) */
    double last_publish;
    int snap_failed;
    int curve_failed;
    int publish_n;      /* snapshots taken, and the seconds they took */
    double publish_took;

    /* shared, under mu */
    int pause_req, stop_req, done;
    train_phase phase;
    int have_progress;
    s2s_progress prog;
    int steps;
    long batches;
    double t_start, paused_s; /* monotonic seconds; time spent paused */
    float best_val;
    int best_epoch;
    float loss[WORKER_LOSS_CAP];
    int n_loss, stride;
    double pending;           /* sum of the batches not yet making a point */
    int n_pending;
    float *val;
    long *val_x;
    int n_val, cap_val;
    int rc;
    s2s_error err;
};

const char *phase_name(train_phase p)
{
    switch (p) {
    case PHASE_STARTING: return "starting";
    case PHASE_TRAINING: return "training";
    case PHASE_VALIDATING: return "validating";
    case PHASE_PAUSED: return "paused";
    case PHASE_STOPPING: return "stopping";
    case PHASE_FINISHED: return "finished";
    case PHASE_STOPPED: return "stopped";
    case PHASE_FAILED: return "failed";
    }
    return "?";
}

/* Adds one batch's loss to the chart's series (under mu). When the series
 * is full, neighbouring points are averaged and each point then stands for
 * twice as many batches. */
static void series_add(tui_worker *w, float loss)
{
    w->pending += loss;
    if (++w->n_pending < w->stride) return;
    if (w->n_loss == WORKER_LOSS_CAP) {
        for (int i = 0; i < WORKER_LOSS_CAP / 2; i++)
            w->loss[i] = 0.5f * (w->loss[2 * i] + w->loss[2 * i + 1]);
        w->n_loss = WORKER_LOSS_CAP / 2;
        w->stride *= 2;
        if (w->n_pending < w->stride) return; /* keep accumulating to the new stride */
    }
    w->loss[w->n_loss++] = (float)(w->pending / w->n_pending);
    w->pending = 0.0;
    w->n_pending = 0;
}

/* Copies the parameters into the back snapshot buffer and publishes it.
 * Training thread only: it owns the model. */
static void publish(tui_worker *w, int epoch, int step)
{
    s2s_error e;
    s2s_error_clear(&e);
    const double t0 = s2s_now_s();
    if (model_get_params(w->m, snap_back(&w->snap), &e) != 0) {
        if (!w->snap_failed) log_add(w->log, LOG_ERROR, "snapshot failed: %s", e.msg);
        w->snap_failed = 1;
        return;
    }
    snap_publish(&w->snap, epoch, step);
    const double t = s2s_now_s();
    w->publish_took += t - t0;
    w->publish_n++;
    w->last_publish = t;
}

static int on_step(void *user, const s2s_progress *p)
{
    tui_worker *w = user;
    pthread_mutex_lock(&w->mu);
    w->prog = *p;
    w->have_progress = 1;
    w->steps = p->steps;
    w->batches++;
    series_add(w, p->loss);
    if (!w->stop_req) w->phase = p->step == p->steps ? PHASE_VALIDATING : PHASE_TRAINING;
    int stop = w->stop_req;
    pthread_mutex_unlock(&w->mu);

    if (!stop && s2s_now_s() - w->last_publish >= w->publish_s && snap_wanted(&w->snap))
        publish(w, p->epoch, p->step);

    pthread_mutex_lock(&w->mu);
    if (w->pause_req && !w->stop_req) {
        const train_phase was = w->phase;
        const double t0 = s2s_now_s();
        w->phase = PHASE_PAUSED;
        while (w->pause_req && !w->stop_req) pthread_cond_wait(&w->cv, &w->mu);
        w->paused_s += s2s_now_s() - t0;
        if (!w->stop_req) w->phase = was;
    }
    stop = w->stop_req;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void on_log(void *user, const char *line)
{
    tui_worker *w = user;
    const int best = strstr(line, "Best model saved") != NULL;
    log_add(w->log, best ? LOG_GOOD : LOG_EPOCH, "%s", line);
}

static void on_epoch(void *user, int epoch, float train_loss, float val_loss, int is_best,
                     double seconds, double tokens_per_s)
{
    tui_worker *w = user;
    (void)train_loss;
    (void)seconds;
    (void)tokens_per_s;
    pthread_mutex_lock(&w->mu);
    if (w->n_val < w->cap_val) {
        w->val[w->n_val] = val_loss;
        w->val_x[w->n_val] = w->batches;
        w->n_val++;
    }
    if (is_best) {
        w->best_val = val_loss;
        w->best_epoch = epoch;
    }
    if (w->phase == PHASE_VALIDATING) w->phase = PHASE_TRAINING;
    pthread_mutex_unlock(&w->mu);
    publish(w, epoch, 0);
    /* As `seq2seq train`: DIR/loss_curve.png redrawn from DIR/history.csv,
     * which train_run has just written. */
    if (w->opts.out_dir && !w->curve_failed) {
        char curve[4200], hist[4200];
        s2s_error e;
        s2s_error_clear(&e);
        snprintf(curve, sizeof curve, "%s/loss_curve.png", w->opts.out_dir);
        snprintf(hist, sizeof hist, "%s/history.csv", w->opts.out_dir);
        if (png_write_loss_curve_from_csv(curve, hist, &e) != 0) {
            w->curve_failed = 1;
            log_add(w->log, LOG_ERROR, "loss curve: %s", e.msg);
        }
    }
}

static void *thread_main(void *arg)
{
    tui_worker *w = arg;
    s2s_train_hooks hooks = {.user = w, .on_step = on_step, .on_log = on_log, .on_epoch = on_epoch};
    s2s_error err;
    s2s_error_clear(&err);
    publish(w, w->opts.start_epoch, 0); /* the starting weights, for the first probe */
    const double t0 = s2s_now_s();
    int rc = train_run(w->m, w->vocab, w->dtrain, w->dval, &w->opts, &hooks, &err);
    const double took = s2s_now_s() - t0;
    if (rc == 0 || rc == S2S_ERR_INTERRUPTED) {
        /* The weights where it stopped (the UI's prompt keeps working). */
        pthread_mutex_lock(&w->mu);
        int e = w->prog.epoch, s = w->prog.step;
        pthread_mutex_unlock(&w->mu);
        publish(w, e, s);
    }
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    w->err = err;
    w->done = 1;
    w->phase = rc == 0 ? PHASE_FINISHED : rc == S2S_ERR_INTERRUPTED ? PHASE_STOPPED : PHASE_FAILED;
    pthread_mutex_unlock(&w->mu);
    /* What the UI cost the trainer: copying and checksumming the weights. */
    log_add(w->log, LOG_INFO, "%d weight snapshots for the UI took %.0f ms of %.1f s training (%.2f%%)",
            w->publish_n, 1e3 * w->publish_took, took, took > 0 ? 100.0 * w->publish_took / took : 0.0);
    if (rc == 0)
        log_add(w->log, LOG_GOOD, "Training completed!");
    else if (rc == S2S_ERR_INTERRUPTED)
        log_add(w->log, LOG_INFO, "training stopped at a batch boundary (%s)", err.msg);
    else
        log_add(w->log, LOG_ERROR, "training failed: %s", err.msg);
    return NULL;
}

/* What worker_start set up, released (the thread is not running). */
static void worker_release(tui_worker *w)
{
    snap_free(&w->snap);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->val);
    free(w->val_x);
    free(w);
}

int worker_start(tui_worker **out, s2s_model *m, const s2s_vocabs *vocab,
                 const s2s_dataset *train, const s2s_dataset *val, const s2s_train_opts *opts,
                 double publish_s, log_ring *log, s2s_error *err)
{
    *out = NULL;
    tui_worker *w = calloc(1, sizeof *w);
    if (!w) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the training worker");
    w->m = m;
    w->vocab = vocab;
    w->dtrain = train;
    w->dval = val;
    w->opts = *opts;
    w->publish_s = publish_s;
    w->log = log;
    w->stride = 1;
    w->best_val = NAN;
    w->cap_val = opts->epochs - opts->start_epoch;
    if (w->cap_val < 1) w->cap_val = 1;
    w->val = calloc((size_t)w->cap_val, sizeof *w->val);
    w->val_x = calloc((size_t)w->cap_val, sizeof *w->val_x);
    int rc = (!w->val || !w->val_x) ? s2s_fail(err, S2S_ERR_NOMEM,
                                               "out of memory for %d validation points",
                                               w->cap_val)
                                    : snap_create(&w->snap, model_num_params(m), err);
    if (rc) {
        free(w->val);
        free(w->val_x);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->t_start = s2s_now_s();
    w->last_publish = -1e9;

    /* Signals (SIGTERM, SIGHUP, SIGWINCH, ...) go to the UI thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&w->thread, NULL, thread_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        worker_release(w);
        return s2s_fail(err, S2S_ERR_NOMEM, "cannot start the training thread");
    }
    *out = w;
    return 0;
}

void worker_pause(tui_worker *w, int on)
{
    pthread_mutex_lock(&w->mu);
    w->pause_req = on;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(tui_worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop_req = 1;
    if (!w->done) w->phase = PHASE_STOPPING;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int worker_done(tui_worker *w)
{
    pthread_mutex_lock(&w->mu);
    int d = w->done;
    pthread_mutex_unlock(&w->mu);
    return d;
}

int worker_join(tui_worker *w, s2s_error *err)
{
    if (!w) return 0;
    worker_stop(w);
    pthread_join(w->thread, NULL);
    int rc = w->rc;
    if (rc && err) *err = w->err;
    worker_release(w);
    return rc;
}

snap_store *worker_snapshots(tui_worker *w)
{
    return &w->snap;
}

int worker_view_create(train_view *v, const s2s_train_opts *opts, s2s_error *err)
{
    memset(v, 0, sizeof *v);
    int n = opts->epochs - opts->start_epoch;
    if (n < 1) n = 1;
    v->val = calloc((size_t)n, sizeof *v->val);
    v->val_x = calloc((size_t)n, sizeof *v->val_x);
    if (!v->val || !v->val_x) {
        worker_view_free(v);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the UI's %d validation points", n);
    }
    v->first_epoch = opts->start_epoch + 1;
    v->epochs = opts->epochs;
    v->best_val = NAN;
    v->eta_s = NAN;
    v->stride = 1;
    return 0;
}

void worker_view_free(train_view *v)
{
    free(v->val);
    free(v->val_x);
    v->val = NULL;
    v->val_x = NULL;
}

void worker_view(tui_worker *w, train_view *v)
{
    const double now = s2s_now_s();
    pthread_mutex_lock(&w->mu);
    v->phase = w->phase;
    v->have_progress = w->have_progress;
    v->prog = w->prog;
    v->first_epoch = w->opts.start_epoch + 1;
    v->epochs = w->opts.epochs;
    v->steps = w->steps;
    v->batches = w->batches;
    v->best_val = w->best_val;
    v->best_epoch = w->best_epoch;
    memcpy(v->loss, w->loss, sizeof(float) * (size_t)w->n_loss);
    v->n_loss = w->n_loss;
    v->stride = w->stride;
    memcpy(v->val, w->val, sizeof(float) * (size_t)w->n_val);
    memcpy(v->val_x, w->val_x, sizeof(long) * (size_t)w->n_val);
    v->n_val = w->n_val;
    double active = now - w->t_start - w->paused_s;
    if (w->phase == PHASE_PAUSED) active = w->prog.elapsed_s - w->paused_s;
    const long total = (long)w->steps * (w->opts.epochs - w->opts.start_epoch);
    v->eta_s = (w->batches > 0 && !w->done && active > 0)
                   ? active / (double)w->batches * (double)(total - w->batches)
                   : NAN;
    snprintf(v->error, sizeof v->error, "%s", w->phase == PHASE_FAILED ? w->err.msg : "");
    pthread_mutex_unlock(&w->mu);
    v->snap_seq = snap_latest(&w->snap);
}
