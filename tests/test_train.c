/* test_train.c — the training loop's promises: a tiny model learns, runs are
 * reproducible, continuing keeps history.csv's earlier rows and a better
 * best.ckpt, time spent in the step hook (a paused UI) is not training time,
 * and a stop request ends at a batch boundary with the files intact. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "model.h"
#include "testutil.h"
#include "decode.h"
#include "train.h"

typedef struct {
    s2s_backend *be;
    s2s_vocabs vocab;
    s2s_corpus tr, va, te;
    s2s_dataset dtr, dva, dte;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    s2s_error err;
    if (!f || backend_cpu_create(&f->be, 1, &err) || vocabs_create(&f->vocab, 1, &err) ||
        corpus_synthetic(&f->tr, &f->va, &f->te, 256, 64, 64, 7, &err) ||
        vocabs_build(&f->vocab, &f->tr, &err) || dataset_create(&f->dtr, &f->tr, &f->vocab, &err) ||
        dataset_create(&f->dva, &f->va, &f->vocab, &err) ||
        dataset_create(&f->dte, &f->te, &f->vocab, &err))
        return -1;
    strcpy(f->dir, "/tmp/s2s_train_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    dataset_free(&f->dtr);
    dataset_free(&f->dva);
    dataset_free(&f->dte);
    corpus_free(&f->tr);
    corpus_free(&f->va);
    corpus_free(&f->te);
    vocabs_free(&f->vocab);
    backend_free(f->be);
    free(f);
    return 0;
}

static s2s_model *tiny_model(fixture *f)
{
    s2s_error err;
    s2s_config cfg = {f->vocab.src.size, f->vocab.src.size, 16, 32, 1, 0.0f, S2S_ATTN_BAHDANAU, 0};
    s2s_model *m = NULL;
    CHECK_OK(model_create(&m, &cfg, f->be, &err), &err);
    CHECK_OK(model_init_params(m, 3, &err), &err);
    return m;
}

static int count_lines(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    int n = 0, c;
    while ((c = fgetc(fp)) != EOF) n += c == '\n';
    fclose(fp);
    return n;
}

typedef struct {
    int steps;
    double sleep_s;
    int stop_after;
    double seconds[8];
    int epochs;
} hook_state;

static int on_step(void *user, const s2s_progress *p)
{
    hook_state *h = user;
    (void)p;
    h->steps++;
    if (h->sleep_s > 0) {
        struct timespec ts = {0, (long)(h->sleep_s * 1e9)};
        nanosleep(&ts, NULL);
    }
    return h->stop_after > 0 && h->steps >= h->stop_after;
}

static void on_epoch(void *user, int epoch, float tl, float vl, int best, double s, double tps)
{
    hook_state *h = user;
    (void)epoch, (void)tl, (void)vl, (void)best, (void)tps;
    if (h->epochs < 8) h->seconds[h->epochs++] = s;
}

static float train_epochs_lr(fixture *f, s2s_model *m, int start, int end, float best_val,
                             hook_state *h, int *rc_out, float lr)
{
    s2s_error err;
    s2s_train_opts o;
    train_opts_default(&o);
    o.batch = 64;
    o.lr = lr;
    o.out_dir = f->dir;
    o.start_epoch = start;
    o.epochs = end;
    o.best_val_loss = best_val;
    s2s_train_hooks hooks = {.user = h, .on_step = on_step, .on_epoch = on_epoch};
    int rc = train_run(m, &f->vocab, &f->dtr, &f->dva, &o, &hooks, &err);
    if (rc_out) *rc_out = rc;
    else if (rc) fail_msg("train_run: %s", err.msg);
    float vl = 0;
    CHECK_OK(evaluate_loss(m, &f->dva, 64, &vl, &err), &err);
    return vl;
}

static float train_epochs(fixture *f, s2s_model *m, int start, int end, float best_val,
                          hook_state *h, int *rc_out)
{
    return train_epochs_lr(f, m, start, end, best_val, h, rc_out, 3e-3f);
}

static void test_learns_and_is_reproducible(void **state)
{
    fixture *f = *state;
    s2s_model *a = tiny_model(f), *b = tiny_model(f);
    hook_state ha = {0}, hb = {0};
    float before = 0;
    s2s_error err;
    CHECK_OK(evaluate_loss(a, &f->dva, 64, &before, &err), &err);
    float la = train_epochs_lr(f, a, 0, 10, INFINITY, &ha, NULL, 1e-2f);
    float lb = train_epochs_lr(f, b, 0, 10, INFINITY, &hb, NULL, 1e-2f);
    printf("  validation loss %.4f -> %.4f (again: %.4f)\n", before, la, lb);
    assert_true(la < 0.85f * before);
    assert_true(la == lb); /* bit for bit */
    model_free(a);
    model_free(b);
}

static void test_continuing_keeps_history_and_best(void **state)
{
    fixture *f = *state;
    char best[128], hist[128];
    snprintf(best, sizeof best, "%s/best.ckpt", f->dir);
    snprintf(hist, sizeof hist, "%s/history.csv", f->dir);
    s2s_model *m = tiny_model(f);
    hook_state h = {0};
    train_epochs(f, m, 0, 2, INFINITY, &h, NULL);
    assert_int_equal(count_lines(hist), 1 + 2);
    struct stat st0;
    assert_int_equal(stat(best, &st0), 0);
    s2s_ckpt_meta meta0;
    s2s_vocabs v;
    s2s_model *loaded = NULL;
    s2s_error err;
    CHECK_OK(checkpoint_load(best, f->be, &loaded, &v, &meta0, &err), &err);
    model_free(loaded);
    vocabs_free(&v);
    /* Continue for one epoch, claiming an unbeatable best so far. */
    train_epochs(f, m, 2, 3, 1e-12f, &h, NULL);
    assert_int_equal(count_lines(hist), 1 + 3);
    s2s_ckpt_meta meta1;
    CHECK_OK(checkpoint_load(best, f->be, &loaded, &v, &meta1, &err), &err);
    model_free(loaded);
    vocabs_free(&v);
    assert_int_equal(meta1.epoch, meta0.epoch); /* best.ckpt untouched */
    model_free(m);
}

static void test_hook_time_is_not_training_time(void **state)
{
    fixture *f = *state;
    s2s_model *m = tiny_model(f);
    hook_state quick = {0}, slow = {.sleep_s = 0.25};
    train_epochs(f, m, 0, 1, INFINITY, &quick, NULL);
    train_epochs(f, m, 1, 2, INFINITY, &slow, NULL);
    /* 4 steps x 250 ms asleep in the hook must not show in the epoch's time:
     * counted, they would add 1 s; half of that is left for a loaded machine
     * (an epoch here varies by more than 0.1 s under the sanitizers). */
    printf("  epoch seconds: %.3f without, %.3f with 4 x 250 ms in the hook\n", quick.seconds[0],
           slow.seconds[0]);
    assert_true(slow.seconds[0] < quick.seconds[0] + 0.5);
    model_free(m);
}

static void test_stop_request_ends_at_a_batch(void **state)
{
    fixture *f = *state;
    s2s_model *m = tiny_model(f);
    hook_state h = {.stop_after = 2};
    int rc = 0;
    train_epochs(f, m, 0, 5, INFINITY, &h, &rc);
    assert_int_equal(rc, S2S_ERR_INTERRUPTED);
    assert_int_equal(h.steps, 2);
    char last[128];
    snprintf(last, sizeof last, "%s/last.ckpt", f->dir);
    s2s_vocabs v;
    s2s_model *loaded = NULL;
    s2s_error err;
    CHECK_OK(checkpoint_load(last, f->be, &loaded, &v, NULL, &err), &err);
    model_free(loaded);
    vocabs_free(&v);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learns_and_is_reproducible),
        cmocka_unit_test(test_continuing_keeps_history_and_best),
        cmocka_unit_test(test_hook_time_is_not_training_time),
        cmocka_unit_test(test_stop_request_ends_at_a_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
