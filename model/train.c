/* train.c — the training loop (the seed's train_epoch/evaluate). */
#include "clock.h"
#include "train.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "checkpoint.h"
#include "rng.h"

void train_opts_default(s2s_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 30;
    o->batch = 64;
    o->lr = 1e-3f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->clip = 1.0f;
    o->tf_ratio = 0.5f;
    o->seed = 42;
    o->out_dir = NULL;
    o->start_epoch = 0;
    o->best_val_loss = INFINITY;
}

static void logf_(const s2s_train_hooks *h, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void logf_(const s2s_train_hooks *h, const char *fmt, ...)
{
    if (!h || !h->on_log) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    h->on_log(h->user, line);
}

/* Insertion sort: batches are small, and ties stay in index order. */
void batch_sort_by_length(int *idx, int n, const s2s_dataset *d)
{
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i;
        while (j > 0 && (d->src_len[idx[j - 1]] < d->src_len[v] ||
                         (d->src_len[idx[j - 1]] == d->src_len[v] && idx[j - 1] > v))) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

typedef struct {
    int epoch;
    float train_loss, val_loss;
    double seconds, tokens_per_s;
} history_row;

/* Rewrites history.csv whole, through a temporary file and a rename. */
static int write_history(const char *dir, const history_row *rows, int n, s2s_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    s2s_atomic out;
    int rc = atomic_open(&out, path, "w", err);
    if (rc) return rc;
    fprintf(out.f, "epoch,train_loss,val_loss,seconds,tokens_per_s\n");
    for (int i = 0; i < n; i++)
        fprintf(out.f, "%d,%.6f,%.6f,%.3f,%.1f\n", rows[i].epoch, (double)rows[i].train_loss,
                (double)rows[i].val_loss, rows[i].seconds, rows[i].tokens_per_s);
    return atomic_commit(&out, 0, err);
}

/* Continuing: the rows of history.csv for epochs up to start_epoch. A missing
 * or unreadable file just means no earlier rows. */
static int read_history(const char *dir, int start_epoch, history_row *rows, int cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    int n = 0;
    while (n < cap && fgets(line, sizeof line, f)) {
        history_row r;
        float tl, vl;
        if (sscanf(line, "%d,%f,%f,%lf,%lf", &r.epoch, &tl, &vl, &r.seconds, &r.tokens_per_s) != 5)
            continue; /* the header */
        if (r.epoch < 1 || r.epoch > start_epoch) continue;
        r.train_loss = tl;
        r.val_loss = vl;
        rows[n++] = r;
    }
    fclose(f);
    return n;
}

static int save_ckpt(s2s_model *m, const s2s_vocab *v, const char *dir, const char *name,
                     int epoch, float val_loss, uint64_t seed, s2s_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    s2s_ckpt_meta meta = {epoch, val_loss, seed};
    return checkpoint_save(path, m, v, &meta, err);
}

int evaluate_loss(s2s_model *m, const s2s_dataset *d, int batch, float *loss, s2s_error *err)
{
    s2s_batch b = {0};
    int *idx = malloc(sizeof(int) * (size_t)(d->count > 0 ? d->count : 1));
    int rc = idx ? batch_alloc(&b, batch, d->max_src, d->max_tgt, err)
                 : s2s_fail(err, S2S_ERR_NOMEM, "out of memory");
    double total = 0.0;
    int nb = 0;
    for (int i = 0; !rc && i < d->count; i += batch) {
        int n = d->count - i < batch ? d->count - i : batch;
        for (int k = 0; k < n; k++) idx[k] = i + k;
        batch_sort_by_length(idx, n, d);
        float l = 0.0f;
        rc = batch_fill(&b, d, idx, n, err);
        if (!rc) rc = model_forward_loss(m, &b, NULL, &l, err);
        total += l;
        nb++;
    }
    if (!rc) *loss = nb ? (float)(total / nb) : NAN;
    batch_free(&b);
    free(idx);
    return rc;
}

int train_run(s2s_model *m, const s2s_vocab *vocab, const s2s_dataset *train,
              const s2s_dataset *val, const s2s_train_opts *o, const s2s_train_hooks *hooks,
              s2s_error *err)
{
    if (o->batch < 1 || o->epochs < 1)
        return s2s_fail(err, S2S_ERR_ARG, "batch size and epochs must be positive");
    if (train->count < 1 || val->count < 1)
        return s2s_fail(err, S2S_ERR_ARG, "training and validation sets must not be empty");
    const int N = train->count, steps = (N + o->batch - 1) / o->batch;
    int *idx = malloc(sizeof(int) * (size_t)N);
    unsigned char *feed = malloc((size_t)train->max_tgt + 1);
    history_row *hist = calloc((size_t)o->epochs + 1, sizeof *hist);
    s2s_batch b = {0};
    int rc = (!idx || !feed || !hist) ? s2s_fail(err, S2S_ERR_NOMEM, "out of memory")
                                      : batch_alloc(&b, o->batch, train->max_src, train->max_tgt, err);
    if (rc) goto done;
    for (int i = 0; i < N; i++) idx[i] = i;

    /* Independent streams, so changing one use never shifts another. */
    s2s_rng shuf, tf;
    rng_seed(&shuf, rng_mix64(o->seed, 1));
    rng_seed(&tf, rng_mix64(o->seed, 2));
    const uint64_t drop_base = rng_mix64(o->seed, 3);
    const s2s_adam_opts adam = {o->lr, o->beta1, o->beta2, o->eps, o->clip};
    float best = isnan(o->best_val_loss) ? INFINITY : o->best_val_loss;
    int nhist = o->out_dir && o->start_epoch > 0
                    ? read_history(o->out_dir, o->start_epoch, hist, o->epochs)
                    : 0;
    const double t_start = s2s_now_s();

    for (int epoch = o->start_epoch + 1; epoch <= o->epochs; epoch++) {
        shuffle_ints(idx, N, &shuf);
        double t0 = s2s_now_s(); /* moved forward by time spent in on_step */
        double total = 0.0, tokens = 0.0;
        for (int s = 0; s < steps; s++) {
            int n = N - s * o->batch < o->batch ? N - s * o->batch : o->batch;
            batch_sort_by_length(idx + (size_t)s * o->batch, n, train);
            rc = batch_fill(&b, train, idx + (size_t)s * o->batch, n, err);
            if (rc) goto done;
            /* One teacher-forcing draw per decoder step for the whole batch. */
            memset(feed, 0, (size_t)train->max_tgt + 1);
            for (int t = 1; t < b.T - 1; t++) feed[t] = rng_uniform(&tf) < o->tf_ratio;
            float loss = 0.0f, norm = 0.0f;
            uint64_t step_id = (uint64_t)(epoch - 1) * (uint64_t)steps + (uint64_t)s;
            rc = model_forward_backward(m, &b, feed, 1, rng_mix64(drop_base, step_id), &loss, err);
            if (!rc) rc = model_clip_adam(m, &adam, &norm, err);
            if (rc) goto done;
            if (!isfinite(loss)) {
                rc = s2s_fail(err, S2S_ERR_ARG,
                              "training diverged: loss is %g at epoch %d, batch %d (try a lower --lr)",
                              (double)loss, epoch, s + 1);
                goto done;
            }
            total += loss;
            tokens += b.ntok;
            if (hooks && hooks->on_step) {
                const double t_hook = s2s_now_s(), el = t_hook - t0;
                s2s_progress p = {epoch, o->epochs, s + 1, steps, loss, norm,
                                  el > 0 ? tokens / el : 0.0, t_hook - t_start};
                const int stop = hooks->on_step(hooks->user, &p);
                t0 += s2s_now_s() - t_hook; /* a paused UI is not training time */
                if (stop) {
                    rc = s2s_fail(err, S2S_ERR_INTERRUPTED,
                                  "interrupted at epoch %d, batch %d of %d", epoch, s + 1, steps);
                    /* The weights are whole at a batch boundary: keep them. */
                    if (o->out_dir) {
                        s2s_error e2;
                        if (save_ckpt(m, vocab, o->out_dir, "last.ckpt", epoch - 1, NAN, o->seed,
                                      &e2))
                            logf_(hooks, "warning: %s", e2.msg);
                    }
                    goto done;
                }
            }
        }
        const double train_s = s2s_now_s() - t0;
        const float train_loss = (float)(total / steps);
        float val_loss = 0.0f;
        rc = evaluate_loss(m, val, o->batch, &val_loss, err);
        if (rc) goto done;
        logf_(hooks, "Epoch %02d/%02d | Train Loss: %.4f | Val Loss: %.4f", epoch, o->epochs,
              (double)train_loss, (double)val_loss);
        int is_best = val_loss < best;
        if (is_best) {
            best = val_loss;
            if (o->out_dir) {
                rc = save_ckpt(m, vocab, o->out_dir, "best.ckpt", epoch, val_loss, o->seed, err);
                if (rc) goto done;
            }
            logf_(hooks, " \xe2\x86\x92 Best model saved (val_loss: %.4f)", (double)val_loss);
        }
        hist[nhist++] = (history_row){epoch, train_loss, val_loss, train_s, tokens / train_s};
        if (o->out_dir) {
            rc = save_ckpt(m, vocab, o->out_dir, "last.ckpt", epoch, val_loss, o->seed, err);
            if (!rc) rc = write_history(o->out_dir, hist, nhist, err);
            if (rc) goto done;
        }
        if (hooks && hooks->on_epoch)
            hooks->on_epoch(hooks->user, epoch, train_loss, val_loss, is_best, train_s,
                            tokens / train_s);
    }
done:
    batch_free(&b);
    free(idx);
    free(feed);
    free(hist);
    return rc;
}
