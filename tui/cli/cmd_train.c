/* cmd_train.c — `seq2seq train`: the seed's training run, headless. It sets
 * up exactly as the UI does (setup_training_create: a fresh model, or --model to
 * continue one), then prints the seed's lines while train_run works. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "figures.h"
#include "setup.h"
#include "train.h"

/* Set by SIGINT; the training loop stops at the next batch boundary. The one
 * global of the program: a signal handler can reach nothing else. */
static volatile sig_atomic_t g_interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

typedef struct {
    int quiet;
    int best_epoch;
    float best_val;
    char best[4200], last[4200], hist[4200], curve[4200]; /* the files in --out */
    int curve_failed; /* 1 once drawing loss_curve.png failed (said once, on stderr) */
    s2s_error curve_err;
} train_ui;

static int train_on_step(void *user, const s2s_progress *p)
{
    (void)user;
    (void)p;
    return g_interrupted ? 1 : 0;
}

static void train_on_log(void *user, const char *line)
{
    const train_ui *ui = user;
    if (ui->quiet) return;
    printf("%s\n", line);
    fflush(stdout);
}

static void train_on_epoch(void *user, int epoch, float train_loss, float val_loss, int is_best,
                           double seconds, double tokens_per_s)
{
    train_ui *ui = user;
    (void)train_loss;
    (void)seconds;
    (void)tokens_per_s;
    if (is_best) {
        ui->best_epoch = epoch;
        ui->best_val = val_loss;
    }
    /* history.csv has just been written; redrawing the curve after every
     * epoch (a few ms) keeps it current during a long run and complete
     * up to the last epoch when training is interrupted. */
    if (png_write_loss_curve_from_csv(ui->curve, ui->hist, &ui->curve_err) != 0 &&
        !ui->curve_failed) {
        ui->curve_failed = 1;
        fflush(stdout);
        fprintf(stderr, "seq2seq train: %s\n", ui->curve_err.msg);
    }
}

/* Runs training with Ctrl-C stopping it at a batch boundary (SA_RESETHAND:
 * a second one kills at once, and the checkpoints are renamed into place
 * whole, so even that leaves no torn file). */
static int run_interruptible(setup_training_t *t, train_ui *ui, s2s_error *err)
{
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    g_interrupted = 0;
    const int handler_set = sigaction(SIGINT, &sa, &old_sa) == 0;
    s2s_train_hooks hooks = {
        .user = ui, .on_step = train_on_step, .on_log = train_on_log, .on_epoch = train_on_epoch};
    int r = train_run(t->m, &t->vocab, &t->dtr, &t->dva, &t->opts, &hooks, err);
    if (handler_set) sigaction(SIGINT, &old_sa, NULL);
    return r == 0 && g_interrupted ? S2S_ERR_INTERRUPTED : r;
}

/* Ctrl-C: says what was kept. */
static void say_interrupted(const train_ui *ui)
{
    fflush(stdout);
    if (access(ui->best, F_OK) == 0)
        fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary; "
                        "best model kept in %s\n", ui->best);
    else if (access(ui->last, F_OK) == 0)
        fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary before "
                        "the first epoch ended; no best model yet (the weights so far "
                        "are in %s)\n", ui->last);
    else
        fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary before "
                        "the first epoch ended; no model was saved\n");
    if (!ui->curve_failed && ui->best_epoch > 0) /* an epoch of this run ended */
        fprintf(stderr, "seq2seq train: loss curve of the epochs done: %s\n", ui->curve);
}

static void say_done(const train_ui *ui, const cli_opts *o)
{
    printf("\n%s\nTraining completed!\n%s\n", CLI_RULE, CLI_RULE);
    if (ui->best_epoch > 0)
        printf("Best model: %s (epoch %d, val_loss %.4f)\n", ui->best, ui->best_epoch,
               (double)ui->best_val);
    else
        printf("Best model: %s\n", ui->best);
    printf("Last model: %s\nHistory:    %s\n", ui->last, ui->hist);
    if (!ui->curve_failed) printf("Loss curve: %s\n", ui->curve);
    printf("Evaluate it with: seq2seq eval --model %s%s%s\n", ui->best, o->data ? " --data " : "",
           o->data ? o->data : "");
}

int cmd_train(const cli_opts *o)
{
    train_ui ui = {.quiet = o->quiet, .best_epoch = 0, .best_val = NAN};
    if (setup_join_path(ui.best, sizeof ui.best, o->out, "best.ckpt") ||
        setup_join_path(ui.last, sizeof ui.last, o->out, "last.ckpt") ||
        setup_join_path(ui.hist, sizeof ui.hist, o->out, "history.csv") ||
        setup_join_path(ui.curve, sizeof ui.curve, o->out, "loss_curve.png")) {
        fprintf(stderr, "seq2seq train: --out: path too long\n");
        return CLI_EXIT_USAGE;
    }
    setup_training_t t;
    int rc = setup_training_create(&t, o, "train", o->quiet ? NULL : stdout);
    if (rc) {
        setup_training_free(&t);
        return rc;
    }
    if (!o->quiet) {
        printf("\nStarting training...\n%s\n", CLI_RULE);
        fflush(stdout);
    }
    s2s_error err;
    s2s_error_clear(&err);
    int r = run_interruptible(&t, &ui, &err);
    if (r == S2S_ERR_INTERRUPTED) {
        say_interrupted(&ui);
        rc = CLI_EXIT_INTERRUPTED;
    } else if (r) {
        rc = cli_fail("train", &err);
    } else {
        if (!o->quiet) say_done(&ui, o);
        /* The models are saved either way; a missing figure (said on stderr
         * when it happened) is still a file this command failed to write. */
        rc = ui.curve_failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    }
    fflush(stdout);
    setup_training_free(&t);
    return rc;
}
