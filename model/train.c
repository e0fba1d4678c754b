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

static int save_ckpt(s2s_model *m, const s2s_vocabs *v, const char *dir, const char *name,
                     int epoch, float val_loss, const s2s_train_opts *o, s2s_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    s2s_ckpt_meta meta = {epoch, val_loss, o->seed, o->task, o->tokens};
    return checkpoint_save(path, m, v, &meta, err);
}

int evaluate_loss(s2s_model *m, const s2s_dataset *d, int batch, float *loss, s2s_error *err)
{
    s2s_batch b = {0};
    int *idx = malloc(sizeof(int) * (size_t)(d->count > 0 ? d->count : 1));
    int rc = idx ? batch_create(&b, batch, d->max_src, d->max_tgt, err)
                 : s2s_fail(err, S2S_ERR_NOMEM,
                           "out of memory for the order of %d validation sentences", d->count);
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

/* What a run carries from batch to batch and epoch to epoch. */
typedef struct {
    s2s_model *m;
    const s2s_vocabs *vocab;
    const s2s_dataset *train, *val;
    const s2s_train_opts *o;
    const s2s_train_hooks *hooks;
    int N, steps;            /* sentences, batches per epoch */
    int *idx;                /* (N) this epoch's order */
    int *slice;              /* (steps) with bucketing: batch s is slice[s] of idx */
    int *count;              /* (max_src + 2) bucketing's counting sort */
    int *sorted;             /* (N) bucketing's scratch */
    unsigned char *feed;     /* (max_tgt + 1) teacher-forcing draws of a batch */
    s2s_batch b;
    /* Independent streams, so changing one use never shifts another. */
    s2s_rng shuf, tf, unk;
    uint64_t drop_base;
    s2s_adam_opts adam;
    float best;              /* best validation loss so far */
    history_row *hist;       /* (epochs + 1) rows of history.csv */
    int nhist;
    double t_start;
} trainer;

/* --unk-rate: each source word of the batch becomes <UNK> with probability
 * rate, and so does the target word that mirrors it (target position
 * 1 + n − 1 − p for source word p of n), so the model learns to write <UNK>
 * where a word it does not know stands; decoding then copies the source
 * word under the attention (decode.c). Draws only when rate > 0, so a run
 * without it is unchanged. */
static void replace_unknown(s2s_batch *b, float rate, s2s_rng *rng)
{
    for (int i = 0; i < b->B; i++) {
        const int n = b->src_len[i] - 1;
        for (int p = 0; p < n; p++) {
            if (!(rng_uniform(rng) < rate)) continue;
            b->src[p * b->B + i] = S2S_UNK;
            b->tgt[(1 + n - 1 - p) * b->B + i] = S2S_UNK;
        }
    }
}

/* Bucketing: the shuffled order cut into chunks of BUCKET_BATCHES batches,
 * each chunk sorted by source length (a stable counting sort, longest
 * first), so a batch holds sentences of about one length and pads little;
 * then the batches themselves are shuffled, so lengths do not come in
 * waves. */
enum { BUCKET_BATCHES = 32 };
static void bucket_epoch(trainer *r)
{
    const s2s_dataset *d = r->train;
    const int chunk = BUCKET_BATCHES * r->o->batch, top = d->max_src + 1;
    for (int from = 0; from < r->N; from += chunk) {
        const int n = r->N - from < chunk ? r->N - from : chunk;
        int *idx = r->idx + from;
        memset(r->count, 0, sizeof(int) * (size_t)(top + 1));
        for (int i = 0; i < n; i++) r->count[top - d->src_len[idx[i]]]++;
        for (int k = 0, sum = 0; k <= top; k++) {
            const int c = r->count[k];
            r->count[k] = sum;
            sum += c;
        }
        for (int i = 0; i < n; i++) r->sorted[r->count[top - d->src_len[idx[i]]]++] = idx[i];
        memcpy(idx, r->sorted, sizeof(int) * (size_t)n);
    }
    for (int s = 0; s < r->steps; s++) r->slice[s] = s;
    shuffle_ints(r->slice, r->steps, &r->shuf);
}

/* One batch: forward, backward, clip, Adam. */
static int train_batch(trainer *r, int epoch, int s, float *loss, float *norm, s2s_error *err)
{
    const s2s_train_opts *o = r->o;
    const int at = r->o->bucket ? r->slice[s] : s; /* which slice of the order */
    const int n = r->N - at * o->batch < o->batch ? r->N - at * o->batch : o->batch;
    int *idx = r->idx + (size_t)at * o->batch;
    batch_sort_by_length(idx, n, r->train);
    int rc = batch_fill(&r->b, r->train, idx, n, err);
    if (rc) return rc;
    if (o->unk_rate > 0.0f) replace_unknown(&r->b, o->unk_rate, &r->unk);
    /* One teacher-forcing draw per decoder step for the whole batch. */
    memset(r->feed, 0, (size_t)r->train->max_tgt + 1);
    for (int t = 1; t < r->b.T - 1; t++) r->feed[t] = rng_uniform(&r->tf) < o->tf_ratio;
    const uint64_t step_id = (uint64_t)(epoch - 1) * (uint64_t)r->steps + (uint64_t)s;
    rc = model_forward_backward(r->m, &r->b, r->feed, 1, rng_mix64(r->drop_base, step_id), loss,
                                err);
    if (!rc) rc = model_clip_adam(r->m, &r->adam, norm, err);
    if (rc) return rc;
    if (!isfinite(*loss))
        return s2s_fail(err, S2S_ERR_ARG,
                        "training diverged: loss is %g at epoch %d, batch %d (try a lower --lr)",
                        (double)*loss, epoch, s + 1);
    return 0;
}

/* Stopped by on_step at a batch boundary: the weights are whole there, so
 * they are kept in last.ckpt. */
static int stopped(const trainer *r, int epoch, int s, s2s_error *err)
{
    const s2s_train_opts *o = r->o;
    int rc = s2s_fail(err, S2S_ERR_INTERRUPTED, "interrupted at epoch %d, batch %d of %d", epoch,
                      s + 1, r->steps);
    if (o->out_dir) {
        s2s_error e2;
        if (save_ckpt(r->m, r->vocab, o->out_dir, "last.ckpt", epoch - 1, NAN, o, &e2))
            logf_(r->hooks, "warning: %s", e2.msg);
    }
    return rc;
}

/* The batches of one epoch; *train_loss is their mean loss, *train_s the
 * seconds they took (time spent in on_step, a paused UI, left out). */
static int train_epoch(trainer *r, int epoch, float *train_loss, double *train_s, double *tokens,
                       s2s_error *err)
{
    const s2s_train_hooks *hooks = r->hooks;
    shuffle_ints(r->idx, r->N, &r->shuf);
    if (r->o->bucket) bucket_epoch(r);
    double t0 = s2s_now_s(); /* moved forward by time spent in on_step */
    double total = 0.0;
    *tokens = 0.0;
    for (int s = 0; s < r->steps; s++) {
        float loss = 0.0f, norm = 0.0f;
        int rc = train_batch(r, epoch, s, &loss, &norm, err);
        if (rc) return rc;
        total += loss;
        *tokens += r->b.ntok;
        if (hooks && hooks->on_step) {
            const double t_hook = s2s_now_s(), el = t_hook - t0;
            s2s_progress p = {epoch, r->o->epochs, s + 1, r->steps, loss, norm,
                              el > 0 ? *tokens / el : 0.0, t_hook - r->t_start};
            const int stop = hooks->on_step(hooks->user, &p);
            t0 += s2s_now_s() - t_hook; /* a paused UI is not training time */
            if (stop) return stopped(r, epoch, s, err);
        }
    }
    *train_s = s2s_now_s() - t0;
    *train_loss = (float)(total / r->steps);
    return 0;
}

/* After an epoch: validation, the seed's lines, best.ckpt on a new best,
 * last.ckpt and history.csv. */
static int end_epoch(trainer *r, int epoch, float train_loss, double train_s, double tokens,
                     s2s_error *err)
{
    const s2s_train_opts *o = r->o;
    float val_loss = 0.0f;
    int rc = evaluate_loss(r->m, r->val, o->batch, &val_loss, err);
    if (rc) return rc;
    logf_(r->hooks, "Epoch %02d/%02d | Train Loss: %.4f | Val Loss: %.4f", epoch, o->epochs,
          (double)train_loss, (double)val_loss);
    const int is_best = val_loss < r->best;
    if (is_best) {
        r->best = val_loss;
        if (o->out_dir) {
            rc = save_ckpt(r->m, r->vocab, o->out_dir, "best.ckpt", epoch, val_loss, o, err);
            if (rc) return rc;
        }
        logf_(r->hooks, " \xe2\x86\x92 Best model saved (val_loss: %.4f)", (double)val_loss);
    }
    r->hist[r->nhist++] = (history_row){epoch, train_loss, val_loss, train_s, tokens / train_s};
    if (o->out_dir) {
        rc = save_ckpt(r->m, r->vocab, o->out_dir, "last.ckpt", epoch, val_loss, o, err);
        if (!rc) rc = write_history(o->out_dir, r->hist, r->nhist, err);
        if (rc) return rc;
    }
    if (r->hooks && r->hooks->on_epoch)
        r->hooks->on_epoch(r->hooks->user, epoch, train_loss, val_loss, is_best, train_s,
                           tokens / train_s);
    return 0;
}

static int trainer_create(trainer *r, s2s_model *m, const s2s_vocabs *vocab,
                          const s2s_dataset *train, const s2s_dataset *val,
                          const s2s_train_opts *o, const s2s_train_hooks *hooks, s2s_error *err)
{
    memset(r, 0, sizeof *r);
    if (o->batch < 1 || o->epochs < 1)
        return s2s_fail(err, S2S_ERR_ARG, "batch size and epochs must be positive");
    if (train->count < 1 || val->count < 1)
        return s2s_fail(err, S2S_ERR_ARG, "training and validation sets must not be empty");
    *r = (trainer){.m = m, .vocab = vocab, .train = train, .val = val, .o = o, .hooks = hooks,
                   .N = train->count, .steps = (train->count + o->batch - 1) / o->batch};
    r->idx = malloc(sizeof(int) * (size_t)r->N);
    r->feed = malloc((size_t)train->max_tgt + 1);
    r->hist = calloc((size_t)o->epochs + 1, sizeof *r->hist);
    if (o->bucket) {
        r->slice = malloc(sizeof(int) * (size_t)r->steps);
        r->count = malloc(sizeof(int) * ((size_t)train->max_src + 2));
        r->sorted = malloc(sizeof(int) * (size_t)r->N);
    }
    if (!r->idx || !r->feed || !r->hist || (o->bucket && (!r->slice || !r->count || !r->sorted)))
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for the training order of %d sentences and %d epochs",
                        r->N, o->epochs);
    int rc = batch_create(&r->b, o->batch, train->max_src, train->max_tgt, err);
    if (rc) return rc;
    for (int i = 0; i < r->N; i++) r->idx[i] = i;
    rng_seed(&r->shuf, rng_mix64(o->seed, 1));
    rng_seed(&r->tf, rng_mix64(o->seed, 2));
    rng_seed(&r->unk, rng_mix64(o->seed, 4));
    r->drop_base = rng_mix64(o->seed, 3);
    r->adam = (s2s_adam_opts){o->lr, o->beta1, o->beta2, o->eps, o->clip};
    r->best = isnan(o->best_val_loss) ? INFINITY : o->best_val_loss;
    r->nhist = o->out_dir && o->start_epoch > 0
                   ? read_history(o->out_dir, o->start_epoch, r->hist, o->epochs)
                   : 0;
    r->t_start = s2s_now_s();
    return 0;
}

static void trainer_free(trainer *r)
{
    batch_free(&r->b);
    free(r->idx);
    free(r->slice);
    free(r->count);
    free(r->sorted);
    free(r->feed);
    free(r->hist);
}

int train_run(s2s_model *m, const s2s_vocabs *vocab, const s2s_dataset *train,
              const s2s_dataset *val, const s2s_train_opts *o, const s2s_train_hooks *hooks,
              s2s_error *err)
{
    trainer r;
    int rc = trainer_create(&r, m, vocab, train, val, o, hooks, err);
    for (int epoch = o->start_epoch + 1; !rc && epoch <= o->epochs; epoch++) {
        float train_loss = 0.0f;
        double train_s = 0.0, tokens = 0.0;
        rc = train_epoch(&r, epoch, &train_loss, &train_s, &tokens, err);
        if (!rc) rc = end_epoch(&r, epoch, train_loss, train_s, tokens, err);
    }
    trainer_free(&r);
    return rc;
}
