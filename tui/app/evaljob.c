/* evaljob.c — evaluation on its own thread; see evaljob.h. */
#include "evaljob.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "setup.h"
#include "decode.h"

enum { EVAL_CHUNK = 100, EVAL_EXAMPLES = 10 };

struct eval_job {
    pthread_t thread;
    pthread_mutex_t mu;
    int cancel, finished, decoded; /* under mu */
    s2s_config cfg;
    int on_gpu;        /* decode on the GPU (training runs there) */
    float *params;
    size_t n;
    const s2s_vocabs *vocab;
    int tokens;                /* s2s_tokens: how outputs are joined */
    const s2s_dataset *test;
    char label[128];
    log_ring *log;
};

static int cancelled(eval_job *j)
{
    pthread_mutex_lock(&j->mu);
    int c = j->cancel;
    pthread_mutex_unlock(&j->mu);
    return c;
}


/* The sentences [i, i+n) of d, as a dataset that borrows d's arrays. */
static s2s_dataset slice(const s2s_dataset *d, int i, int n)
{
    s2s_dataset s = *d;
    s.count = n;
    s.src_off = d->src_off + i;
    s.src_len = d->src_len + i;
    s.tgt_off = d->tgt_off + i;
    s.tgt_len = d->tgt_len + i;
    s.max_src = s.max_tgt = 1;
    for (int k = 0; k < n; k++) {
        if (s.src_len[k] > s.max_src) s.max_src = s.src_len[k];
        if (s.tgt_len[k] > s.max_tgt) s.max_tgt = s.tgt_len[k];
    }
    return s;
}

static void run(eval_job *j)
{
    s2s_error err;
    s2s_error_clear(&err);
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    const s2s_dataset *d = j->test;
    if (setup_infer_backend(j->on_gpu, 1, &be, &err) || model_create(&m, &j->cfg, be, &err) ||
        model_set_params(m, j->params, &err)) {
        log_add(j->log, LOG_ERROR, "evaluation failed: %s", err.msg);
        goto done;
    }
    if (d->count == 0) {
        log_add(j->log, LOG_ERROR, "evaluation: the test set is empty");
        goto done;
    }
    int correct = 0, total = 0;
    for (int i = 0; i < d->count; i += EVAL_CHUNK) {
        if (cancelled(j)) {
            log_add(j->log, LOG_INFO, "evaluation cancelled after %d sentences", total);
            goto done;
        }
        int n = d->count - i < EVAL_CHUNK ? d->count - i : EVAL_CHUNK;
        s2s_dataset part = slice(d, i, n);
        s2s_decoded res;
        if (decode_dataset(m, &part, 64, 0, &res, &err)) {
            log_add(j->log, LOG_ERROR, "evaluation failed: %s", err.msg);
            goto done;
        }
        for (int k = 0; k < n && i + k < EVAL_EXAMPLES; k++) {
            char in[LOG_LINE] = "", out[LOG_LINE] = "", ref[LOG_LINE] = "";
            const s2s_vocab *tv = vocabs_tgt(j->vocab);
            ids_join(&j->vocab->src, part.src + part.src_off[k], part.src_len[k] - 1, j->tokens,
                     in, sizeof in);
            ids_join(tv, res.out + res.out_off[k], res.out_len[k], j->tokens, out, sizeof out);
            ids_join(tv, part.tgt + part.tgt_off[k] + 1, part.tgt_len[k] - 2, j->tokens, ref,
                     sizeof ref);
            if (res.correct[k])
                log_add(j->log, LOG_GOOD, "\xe2\x9c\x93 %s \xe2\x86\x92 %s", in, out);
            else
                log_add(j->log, LOG_BAD, "x %s \xe2\x86\x92 %s (reference: %s)", in, out, ref);
        }
        correct += res.n_correct;
        total += n;
        decoded_free(&res);
        pthread_mutex_lock(&j->mu);
        j->decoded = total;
        pthread_mutex_unlock(&j->mu);
    }
    log_add(j->log, correct == total ? LOG_GOOD : LOG_EPOCH,
            "Exact Match Accuracy: %.2f%% (%d/%d) on the test set, weights of %s",
            100.0 * correct / total, correct, total, j->label);
done:
    if (m) model_free(m);
    backend_free(be);
}

static void *thread_main(void *arg)
{
    eval_job *j = arg;
    run(j);
    pthread_mutex_lock(&j->mu);
    j->finished = 1;
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

int eval_start(eval_job **out, const s2s_config *cfg, const float *params, size_t n,
               int on_gpu, const s2s_vocabs *vocab, int tokens, const s2s_dataset *test,
               const char *label,
               log_ring *log, s2s_error *err)
{
    *out = NULL;
    eval_job *j = calloc(1, sizeof *j);
    if (!j) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for an evaluation job");
    j->params = malloc(sizeof(float) * (n ? n : 1));
    if (!j->params) {
        free(j);
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "out of memory for the evaluation's copy of the weights (%zu floats)", n);
    }
    memcpy(j->params, params, sizeof(float) * n);
    j->n = n;
    j->cfg = *cfg;
    j->on_gpu = on_gpu;
    j->vocab = vocab;
    j->tokens = tokens;
    j->test = test;
    j->log = log;
    snprintf(j->label, sizeof j->label, "%s", label);
    pthread_mutex_init(&j->mu, NULL);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&j->thread, NULL, thread_main, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        pthread_mutex_destroy(&j->mu);
        free(j->params);
        free(j);
        return s2s_fail(err, S2S_ERR_NOMEM, "cannot start the evaluation thread");
    }
    *out = j;
    return 0;
}

int eval_done(eval_job *j)
{
    pthread_mutex_lock(&j->mu);
    int f = j->finished;
    pthread_mutex_unlock(&j->mu);
    return f;
}

void eval_progress(eval_job *j, int *done, int *total)
{
    pthread_mutex_lock(&j->mu);
    *done = j->decoded;
    pthread_mutex_unlock(&j->mu);
    *total = j->test->count;
}

void eval_free(eval_job *j)
{
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->cancel = 1;
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    pthread_mutex_destroy(&j->mu);
    free(j->params);
    free(j);
}
