/* main.c — the seq2seq program: sub-commands over the model API.
 *
 *   seq2seq [tui [OPTIONS]]    the terminal UI (app.c)
 *   seq2seq train   [OPTIONS]  train, saving best.ckpt / last.ckpt / history.csv
 *   seq2seq eval    [OPTIONS]  the seed's qualitative examples + exact-match accuracy
 *   seq2seq reverse [OPTIONS] [WORD...]   one reversed sentence per input sentence
 *   seq2seq analyze [OPTIONS]  attention measured on the test set, written to analysis.md
 *   seq2seq compare [OPTIONS] MODEL...    exact match by length of several models
 *   seq2seq --help | --version | CMD --help
 *
 * Exit status: 0 ok, 1 runtime error, 2 usage error, 130 interrupted.
 * Every message for a person goes to stderr as "seq2seq CMD: ...", except the
 * reports that are the command's output.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>

#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "err.h"
#include "model.h"
#include "infer.h"
#include "analyze.h"
#include "app.h"
#include "options.h"
#include "setup.h"
#include "figures.h"
#include "train.h"

static const char RULE[] =
    "================================================================================";

/* --------------------------------------------------------------- helpers */

static int fail(const char *cmd, const s2s_error *err)
{
    fprintf(stderr, "seq2seq %s: %s\n", cmd, err->msg[0] ? err->msg : "unknown error");
    return CLI_EXIT_ERROR;
}

/* ------------------------------------------------------------------ train */

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
    const char *curve, *hist; /* DIR/loss_curve.png, drawn from DIR/history.csv */
    int curve_failed;         /* 1 once drawing it failed (said once, on stderr) */
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

static int cmd_train(const cli_opts *o)
{
    const char *cmd = "train";
    s2s_error err;
    s2s_error_clear(&err);
    s2s_corpus tr = {0}, va = {0}, te = {0};
    s2s_vocab vocab;
    int have_vocab = 0;
    s2s_dataset dtr = {0}, dva = {0};
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    int rc = CLI_EXIT_ERROR;
    char best[4200], last[4200], hist[4200], curve[4200];
    struct sigaction sa, old_sa;
    int handler_set = 0;

    if (setup_join_path(best, sizeof best, o->out, "best.ckpt") ||
        setup_join_path(last, sizeof last, o->out, "last.ckpt") ||
        setup_join_path(hist, sizeof hist, o->out, "history.csv") ||
        setup_join_path(curve, sizeof curve, o->out, "loss_curve.png")) {
        fprintf(stderr, "seq2seq train: --out: path too long\n");
        return CLI_EXIT_USAGE;
    }
    if ((rc = setup_open_backend(o, cmd, &be)) != 0) return rc;
    rc = CLI_EXIT_ERROR;
    if (setup_make_dirs(o->out, &err)) goto fail;

    if (!o->quiet) printf("Creating dataset...\n");
    if (setup_make_corpus(o->data, o->seed, &tr, &va, &te, &err)) goto fail;
    if (vocab_init(&vocab, &err)) goto fail;
    have_vocab = 1;
    if (vocab_build(&vocab, &tr, &err)) goto fail;
    if (dataset_encode(&dtr, &tr, &vocab, &err) || dataset_encode(&dva, &va, &vocab, &err))
        goto fail;
    if (!o->quiet) {
        if (o->data)
            printf("Data: %s (%d train / %d val / %d test sentences)\n", o->data, tr.count,
                   va.count, te.count);
        printf("Vocabulary size: %d\n", vocab.size);
    }

    s2s_config cfg = {
        .vocab = vocab.size,
        .embed = o->embed,
        .hidden = o->hidden,
        .layers = o->layers,
        .dropout = o->dropout,
        .attention = o->attention,
    };
    if (config_validate(&cfg, &err)) goto fail;
    if (!o->quiet) printf("\nInitializing model...\n");
    if (model_create(&m, &cfg, be, &err)) {
        m = NULL;
        goto fail;
    }
    if (model_init_params(m, o->seed, &err)) goto fail;
    if (!o->quiet) {
        printf("Using device: %s\n", be->name);
        printf("Model: %zu parameters (embed %d, hidden %d, %d layer%s, %s attention)\n",
               model_num_params(m), cfg.embed, cfg.hidden, cfg.layers,
               cfg.layers == 1 ? "" : "s", attention_name(cfg.attention));
        printf("\nStarting training...\n%s\n", RULE);
        fflush(stdout);
    }

    s2s_train_opts to;
    train_opts_default(&to);
    to.epochs = o->epochs;
    to.batch = o->batch;
    to.lr = o->lr;
    to.clip = o->clip;
    to.tf_ratio = o->tf;
    to.seed = o->seed;
    to.out_dir = o->out;

    train_ui ui = {.quiet = o->quiet, .best_epoch = 0, .best_val = NAN, .curve = curve,
                   .hist = hist};
    s2s_train_hooks hooks = {
        .user = &ui, .on_step = train_on_step, .on_log = train_on_log,
        .on_epoch = train_on_epoch};

    /* Ctrl-C: the first one stops at a batch boundary (SA_RESETHAND: a
     * second one kills at once, and the checkpoints are renamed into place
     * whole, so even that leaves no torn file). */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    g_interrupted = 0;
    if (sigaction(SIGINT, &sa, &old_sa) == 0) handler_set = 1;

    int r = train_run(m, &vocab, &dtr, &dva, &to, &hooks, &err);

    if (handler_set) sigaction(SIGINT, &old_sa, NULL);
    if (r == S2S_ERR_INTERRUPTED || (r == 0 && g_interrupted)) {
        fflush(stdout);
        if (access(best, F_OK) == 0)
            fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary; "
                            "best model kept in %s\n", best);
        else if (access(last, F_OK) == 0)
            fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary before "
                            "the first epoch ended; no best model yet (the weights so far "
                            "are in %s)\n", last);
        else
            fprintf(stderr, "seq2seq train: interrupted: stopped at a batch boundary before "
                            "the first epoch ended; no model was saved\n");
        if (!ui.curve_failed && ui.best_epoch > 0) /* an epoch of this run ended */
            fprintf(stderr, "seq2seq train: loss curve of the epochs done: %s\n", curve);
        rc = CLI_EXIT_INTERRUPTED;
        goto done;
    }
    if (r) goto fail;

    if (!o->quiet) {
        printf("\n%s\nTraining completed!\n%s\n", RULE, RULE);
        if (ui.best_epoch > 0)
            printf("Best model: %s (epoch %d, val_loss %.4f)\n", best, ui.best_epoch,
                   (double)ui.best_val);
        else
            printf("Best model: %s\n", best);
        printf("Last model: %s\nHistory:    %s\n", last, hist);
        if (!ui.curve_failed) printf("Loss curve: %s\n", curve);
        printf("Evaluate it with: seq2seq eval --model %s%s%s\n", best, o->data ? " --data " : "",
               o->data ? o->data : "");
    }
    /* The models are saved either way; a missing figure (said on stderr
     * when it happened) is still a file this command failed to write. */
    rc = ui.curve_failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    goto done;

fail:
    rc = fail(cmd, &err);
done:
    fflush(stdout);
    if (m) model_free(m);
    backend_destroy(be);
    dataset_free(&dtr);
    dataset_free(&dva);
    if (have_vocab) vocab_free(&vocab);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);
    return rc;
}

/* ------------------------------------------------------------------- eval */

static const char *word_of(const s2s_vocab *v, int id)
{
    return (id >= 0 && id < v->size) ? v->word[id] : "<?>";
}

/* Prints ids[0..n) as words separated by single spaces. */
static void print_words(const s2s_vocab *v, const int *ids, int n)
{
    for (int i = 0; i < n; i++) printf("%s%s", i ? " " : "", word_of(v, ids[i]));
}

/* Token accuracy: output token t (the output's words, then <EOS> if it
 * stopped) equal to reference token t (the reversed words, then <EOS>),
 * counted over every reference token, so a missing, extra or misplaced
 * word costs what it displaces. */
static void print_token_accuracy(const s2s_dataset *d, const s2s_decoded *res)
{
    long ok = 0, total = 0;
    for (int i = 0; i < d->count; i++) {
        const int *ref = d->tgt + d->tgt_off[i] + 1, nref = d->tgt_len[i] - 1;
        const int *out = res->out + res->out_off[i], nw = res->out_len[i];
        for (int t = 0; t < nref; t++) {
            int tok = t < nw ? out[t] : (t == nw && res->stopped[i]) ? S2S_EOS : -1;
            ok += tok == ref[t];
        }
        total += nref;
    }
    printf("Token Accuracy: %.2f%% (%ld/%ld)\n", total ? 100.0 * (double)ok / (double)total : 0.0,
           ok, total);
}

/* Exact match for each source length (in words) the test set has. */
static void print_by_length(const s2s_dataset *d, const s2s_decoded *res)
{
    int maxw = 0;
    for (int i = 0; i < d->count; i++)
        if (d->src_len[i] - 1 > maxw) maxw = d->src_len[i] - 1;
    int *count = calloc((size_t)maxw + 1, sizeof *count);
    int *correct = calloc((size_t)maxw + 1, sizeof *correct);
    if (!count || !correct) {
        free(count);
        free(correct);
        return;
    }
    for (int i = 0; i < d->count; i++) {
        count[d->src_len[i] - 1]++;
        correct[d->src_len[i] - 1] += res->correct[i];
    }
    printf("\nExact Match by Source Length:\n  Words  Sentences  Exact Match\n");
    for (int w = 0; w <= maxw; w++)
        if (count[w])
            printf("  %5d  %9d  %6.2f%% (%d/%d)\n", w, count[w],
                   100.0 * (double)correct[w] / (double)count[w], correct[w], count[w]);
    free(count);
    free(correct);
}

/* Draws an attention matrix: src labels across (the words, then <EOS>),
 * out labels down (one per decoder step), attn (steps, n_src). The title
 * quotes the sentence. */
static int write_heatmap(const char *path, const char *const *src, int n_src,
                         const char *const *out, int steps, const float *attn, s2s_error *err)
{
    size_t n = 32;
    for (int i = 0; i + 1 < n_src; i++) n += strlen(src[i]) + 1;
    char *title = malloc(n);
    if (!title) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory");
    size_t k = (size_t)snprintf(title, n, "Attention Weights: \"");
    for (int i = 0; i + 1 < n_src; i++)
        k += (size_t)snprintf(title + k, n - k, "%s%s", i ? " " : "", src[i]);
    snprintf(title + k, n - k, "\"");
    s2s_heatmap h = {src, n_src, out, steps, attn, title};
    int rc = png_write_heatmap(path, &h, err);
    free(title);
    return rc;
}

/* The heatmap of test sentence i from its batch decoding, labelled with
 * the sentence's own words (an unknown word keeps its spelling). */
static int write_decoded_heatmap(const char *path, const s2s_vocab *v, const s2s_sentence *s,
                                 const s2s_decoded *res, int i, s2s_error *err)
{
    const int steps = res->steps[i], nw = res->out_len[i];
    const char **src = malloc(sizeof(char *) * ((size_t)s->len + 1));
    const char **out = malloc(sizeof(char *) * ((size_t)steps + 1));
    if (!src || !out) {
        free(src);
        free(out);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory");
    }
    for (int j = 0; j < s->len; j++) src[j] = s->w[j];
    src[s->len] = "<EOS>";
    for (int t = 0; t < steps; t++)
        out[t] = t < nw ? word_of(v, res->out[res->out_off[i] + t]) : "<EOS>";
    int rc = write_heatmap(path, src, s->len + 1, out, steps, res->attn[i], err);
    free(src);
    free(out);
    return rc;
}

static int cmd_eval(const cli_opts *o)
{
    const char *cmd = "eval";
    s2s_error err;
    s2s_error_clear(&err);
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    s2s_vocab vocab;
    int have_vocab = 0;
    s2s_ckpt_meta meta = {0};
    s2s_corpus tr = {0}, va = {0}, te = {0};
    s2s_dataset dte = {0};
    s2s_decoded res;
    int have_res = 0;
    s2s_sentence sent = {0};
    s2s_reversal rv = {0}; /* --sentence's; reversal_free takes it zeroed or filled */
    int rc;

    /* --sentence is checked before anything is loaded. */
    if (o->sentence) {
        if (o->no_heatmap) {
            fprintf(stderr, "seq2seq eval: --sentence draws a heatmap; --no-heatmap says not to\n");
            return CLI_EXIT_USAGE;
        }
        int bad = sentence_tokenize(o->sentence, &sent, &err);
        if (bad || sent.len == 0) {
            fprintf(stderr, "seq2seq eval: --sentence: %s\n", bad ? err.msg : "empty sentence");
            sentence_free(&sent);
            return CLI_EXIT_USAGE;
        }
    }

    if ((rc = setup_open_backend(o, cmd, &be)) != 0) goto done;
    if ((rc = setup_load_model(cmd, o->model, be, &m, &vocab, &meta)) != 0) goto done;
    have_vocab = 1;
    rc = CLI_EXIT_ERROR;

    uint64_t seed = o->seed_given ? o->seed : meta.seed;
    if (setup_make_corpus(o->data, seed, &tr, &va, &te, &err)) goto fail;
    if (dataset_encode(&dte, &te, &vocab, &err)) goto fail;
    if (dte.count == 0) {
        s2s_fail(&err, S2S_ERR_ARG, "the test set is empty");
        goto fail;
    }
    memset(&res, 0, sizeof res);
    if (decode_dataset(m, &dte, 64, 1, &res, &err)) goto fail;
    have_res = 1;

    printf("Model: %s (epoch %d", o->model, meta.epoch);
    if (!isnan(meta.val_loss)) printf(", val_loss %.4f", (double)meta.val_loss);
    printf(", device %s)\n", be->name);
    printf("Test set: %s, seed %llu, %d sentences", o->data ? o->data : "synthetic",
           (unsigned long long)seed, dte.count);
    if (dte.unknown > 0) printf(", %d unknown words", dte.unknown);
    printf("\n");

    printf("\n%s\nQUALITATIVE EXAMPLES\n%s\n\n", RULE, RULE);
    int shown = o->examples < dte.count ? o->examples : dte.count;
    for (int i = 0; i < shown; i++) {
        printf("Example %d:\n", i + 1);
        printf("  Input:     ");
        print_words(&vocab, dte.src + dte.src_off[i], dte.src_len[i] - 1);
        printf("\n  Output:    ");
        print_words(&vocab, res.out + res.out_off[i], res.out_len[i]);
        printf("\n  Reference: ");
        print_words(&vocab, dte.tgt + dte.tgt_off[i] + 1, dte.tgt_len[i] - 2);
        printf("\n  Status:    %s\n\n", res.correct[i] ? "\xe2\x9c\x93 MATCH" : "x NO MATCH");
    }
    printf("%s\nQUANTITATIVE METRIC\n%s\n", RULE, RULE);
    printf("Exact Match Accuracy: %.2f%% (%d/%d)\n",
           100.0 * (double)res.n_correct / (double)res.count, res.n_correct, res.count);
    print_token_accuracy(&dte, &res);
    print_by_length(&dte, &res);
    printf("\n");

    /* The seed's figure: the first test sentence's attention, or the
     * --sentence one's, then the seed's line saying where it went. */
    if (!o->no_heatmap) {
        if (model_config(m)->attention == S2S_ATTN_NONE) {
            fflush(stdout);
            fprintf(stderr, "seq2seq eval: note: the model has no attention (--attention none); "
                            "no heatmap written\n");
        } else {
            int r;
            if (o->sentence) {
                r = infer_reverse(m, &vocab, &sent, &rv, &err);
                if (!r)
                    r = write_heatmap(o->heatmap, (const char *const *)rv.src, rv.n_src,
                                      (const char *const *)rv.out, rv.steps, rv.attn, &err);
            } else {
                r = write_decoded_heatmap(o->heatmap, &vocab, &te.s[0], &res, 0, &err);
            }
            if (r) goto fail;
            printf("Attention heatmap saved to %s\n", o->heatmap);
        }
    }
    rc = CLI_EXIT_OK;
    goto done;

fail:
    rc = fail(cmd, &err);
done:
    fflush(stdout);
    reversal_free(&rv);
    sentence_free(&sent);
    if (have_res) decoded_free(&res);
    dataset_free(&dte);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);
    if (m) model_free(m);
    if (have_vocab) vocab_free(&vocab);
    backend_destroy(be);
    return rc;
}

/* ---------------------------------------------------------------- reverse */

/* Reverses one sentence and prints it as one line; with png, also draws
 * its attention there. `where` is "" or "line N: " for notes. Unknown
 * words are copied through by attention (infer.c;
 * tests/ref/check_both_ways.py decodes the same way). */
static int reverse_one(s2s_model *m, const s2s_vocab *v, const s2s_sentence *s,
                       const char *where, const char *png, s2s_error *err)
{
    s2s_reversal r;
    int rc = infer_reverse(m, v, s, &r, err);
    if (rc) return rc;
    int k = 0;
    for (int i = 0; i < r.n_src; i++) {
        if (!r.unknown[i]) continue;
        if (k++ == 0)
            fprintf(stderr, "note: %sunknown words: %s", where, r.src[i]);
        else
            fprintf(stderr, ", %s", r.src[i]);
    }
    if (k) fprintf(stderr, "\n");
    for (int t = 0; t < r.n_words; t++) printf("%s%s", t ? " " : "", r.out[t]);
    printf("\n");
    fflush(stdout);
    if (png)
        rc = write_heatmap(png, (const char *const *)r.src, r.n_src, (const char *const *)r.out,
                           r.steps, r.attn, err);
    reversal_free(&r);
    return rc;
}

/* path with "-n" before its extension (attn.png -> attn-3.png), or after
 * it when it has none; NULL when out of memory. The caller frees it. */
static char *numbered_path(const char *path, long n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = path + strlen(path);
    size_t len = strlen(path) + 24;
    char *p = malloc(len);
    if (p) snprintf(p, len, "%.*s-%ld%s", (int)(dot - path), path, n, dot);
    return p;
}

static int cmd_reverse(const cli_opts *o)
{
    const char *cmd = "reverse";
    s2s_error err;
    s2s_error_clear(&err);
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    s2s_vocab vocab;
    int have_vocab = 0;
    s2s_sentence sent = {0};
    char *joined = NULL;
    char *line = NULL;
    size_t cap = 0;
    int rc;

    /* A sentence on the command line is checked before anything is loaded. */
    if (o->nargs > 0) {
        size_t n = 1;
        for (int i = 0; i < o->nargs; i++) n += strlen(o->args[i]) + 1;
        joined = malloc(n);
        if (!joined) {
            fprintf(stderr, "seq2seq reverse: out of memory\n");
            return CLI_EXIT_ERROR;
        }
        joined[0] = '\0';
        for (int i = 0; i < o->nargs; i++) {
            if (i) strcat(joined, " ");
            strcat(joined, o->args[i]);
        }
        if (sentence_tokenize(joined, &sent, &err)) {
            free(joined);
            fprintf(stderr, "seq2seq reverse: %s\n", err.msg);
            return CLI_EXIT_USAGE;
        }
        if (sent.len == 0) {
            sentence_free(&sent);
            free(joined);
            fprintf(stderr, "seq2seq reverse: empty sentence\n");
            return CLI_EXIT_USAGE;
        }
    }

    if ((rc = setup_open_backend(o, cmd, &be)) != 0) goto done;
    if ((rc = setup_load_model(cmd, o->model, be, &m, &vocab, NULL)) != 0) goto done;
    have_vocab = 1;
    if (o->png && model_config(m)->attention == S2S_ATTN_NONE) {
        fprintf(stderr, "seq2seq reverse: --png: the model has no attention (trained with "
                        "--attention none), so there is no heatmap to draw\n");
        rc = CLI_EXIT_ERROR;
        goto done;
    }

    if (o->nargs > 0) {
        rc = reverse_one(m, &vocab, &sent, "", o->png, &err) ? fail(cmd, &err) : CLI_EXIT_OK;
        goto done;
    }

    if (isatty(STDIN_FILENO))
        fprintf(stderr, "seq2seq reverse: reading sentences from standard input, one per line "
                        "(Ctrl-D ends)\n");
    rc = CLI_EXIT_OK;
    long lineno = 0;
    while (getline(&line, &cap, stdin) >= 0) {
        lineno++;
        char where[48];
        snprintf(where, sizeof where, "line %ld: ", lineno);
        s2s_sentence s = {0};
        s2s_error_clear(&err);
        if (sentence_tokenize(line, &s, &err)) {
            fprintf(stderr, "seq2seq reverse: %s%s\n", where, err.msg);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        if (s.len == 0) {
            fprintf(stderr, "seq2seq reverse: %sempty sentence\n", where);
            sentence_free(&s);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        char *png = o->png ? numbered_path(o->png, lineno) : NULL;
        int r = o->png && !png ? s2s_fail(&err, S2S_ERR_NOMEM, "out of memory")
                               : reverse_one(m, &vocab, &s, where, png, &err);
        free(png);
        sentence_free(&s);
        if (r) {
            rc = fail(cmd, &err);
            break;
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "seq2seq reverse: reading standard input: %s\n", strerror(errno));
        rc = CLI_EXIT_ERROR;
    }

done:
    fflush(stdout);
    free(line);
    free(joined);
    sentence_free(&sent);
    if (m) model_free(m);
    if (have_vocab) vocab_free(&vocab);
    backend_destroy(be);
    return rc;
}

/* ------------------------------------------------------------ the others */

static void print_version(void)
{
    printf("seq2seq %s\n", CLI_VERSION);
    printf("BLAS: %s; kernels: %s%s\n", backend_cpu_blas_info(), backend_cpu_blas_core(),
           getenv("SEQ2SEQ_NO_BLAS_RESTART") ? " (chosen by seq2seq for this CPU)" : "");
    printf("CUDA: %s\n", backend_cuda_compiled() ? "compiled in"
                                                 : "not compiled in (built without nvcc)");
}

/* `seq2seq` and `seq2seq tui [OPTIONS]`: the terminal UI (app.c). Plain
 * `seq2seq` off a terminal (a pipe, a script) prints the usage instead. */
static int run_tui(int argc, char **argv)
{
    if (argc < 2 && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
        cli_print_usage(stdout);
        return CLI_EXIT_OK;
    }
    cli_opts o;
    int help = 0;
    int rc = argc < 2 ? cli_parse(CLI_TUI, 0, argv + argc, &o, &help, stderr)
                      : cli_parse(CLI_TUI, argc - 2, argv + 2, &o, &help, stderr);
    if (rc) return rc;
    if (help) {
        cli_print_help(stdout, CLI_TUI);
        return CLI_EXIT_OK;
    }
    return tui_run(&o);
}

int main(int argc, char **argv)
{
    setup_fast_blas_kernels(argv);
    if (argc < 2 || strcmp(argv[1], "tui") == 0) return run_tui(argc, argv);
    const char *a = argv[1];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        cli_print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(a, "--version") == 0) {
        print_version();
        return CLI_EXIT_OK;
    }
    if (strcmp(a, "--man-options") == 0) { /* regenerates man/seq2seq.1's OPTIONS */
        cli_print_man_options(stdout);
        return CLI_EXIT_OK;
    }
    unsigned cmd = cli_command_parse(a);
    if (!cmd) {
        fprintf(stderr, "seq2seq: unknown %s '%s' (see 'seq2seq --help')\n",
                a[0] == '-' ? "option" : "command", a);
        return CLI_EXIT_USAGE;
    }

    cli_opts o;
    int help = 0;
    int rc = cli_parse(cmd, argc - 2, argv + 2, &o, &help, stderr);
    if (rc) return rc;
    if (help) {
        cli_print_help(stdout, cmd);
        return CLI_EXIT_OK;
    }
    switch (cmd) {
    case CLI_TRAIN: return cmd_train(&o);
    case CLI_EVAL: return cmd_eval(&o);
    case CLI_REVERSE: return cmd_reverse(&o);
    case CLI_ANALYZE: return cmd_analyze(&o);
    case CLI_COMPARE: return cmd_compare(&o);
    }
    return CLI_EXIT_USAGE;
}
