/* main.c — the seq2seq program: sub-commands over the model API.
 *
 *   seq2seq                    the terminal UI (not built yet: usage + a note)
 *   seq2seq train   [OPTIONS]  train, saving best.ckpt / last.ckpt / history.csv
 *   seq2seq eval    [OPTIONS]  the seed's qualitative examples + exact-match accuracy
 *   seq2seq reverse [OPTIONS] [WORD...]   one reversed sentence per input sentence
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
#include "options.h"
#include "train.h"

/* The seed's split sizes for the synthetic task. */
enum { N_TRAIN = 8000, N_VAL = 1000, N_TEST = 1000 };

static const char RULE[] =
    "================================================================================";

/* --------------------------------------------------------------- helpers */

static int fail(const char *cmd, const s2s_error *err)
{
    fprintf(stderr, "seq2seq %s: %s\n", cmd, err->msg[0] ? err->msg : "unknown error");
    return CLI_EXIT_ERROR;
}

/* DIR/NAME into buf; 0 on success, -1 if it does not fit. */
static int join_path(char *buf, size_t n, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int r = snprintf(buf, n, "%s%s%s", dir, (len && dir[len - 1] == '/') ? "" : "/", name);
    return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

/* Opens the backend --device asks for. auto: CUDA if it starts, else CPU. */
static int open_backend(const cli_opts *o, const char *cmd, s2s_backend **be)
{
    s2s_error err;
    s2s_error_clear(&err);
    *be = NULL;
    if (o->device != CLI_DEVICE_CPU) {
        if (backend_cuda_create(be, 0, &err) == 0) return 0;
        *be = NULL;
        if (o->device == CLI_DEVICE_CUDA) {
            fprintf(stderr, "seq2seq %s: --device cuda: %s\n", cmd, err.msg);
            return CLI_EXIT_ERROR;
        }
        s2s_error_clear(&err);
    }
    if (backend_cpu_create(be, o->threads, &err) != 0) {
        *be = NULL;
        return fail(cmd, &err);
    }
    return 0;
}

/* Loads a checkpoint; a missing file gets a hint instead of the loader's words. */
static int load_model(const char *cmd, const char *path, s2s_backend *be, s2s_model **m,
                      s2s_vocab *v, s2s_ckpt_meta *meta)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        fprintf(stderr, "seq2seq %s: cannot open %s: %s%s\n", cmd, path, strerror(e),
                e == ENOENT ? " (train a model first: seq2seq train)" : "");
        return CLI_EXIT_ERROR;
    }
    fclose(f);
    s2s_error err;
    s2s_error_clear(&err);
    *m = NULL;
    if (checkpoint_load(path, be, m, v, meta, &err) != 0) {
        *m = NULL;
        return fail(cmd, &err);
    }
    return 0;
}

/* The test (and other) splits exactly as `train` made them. */
static int make_corpus(const char *data, uint64_t seed, s2s_corpus *tr, s2s_corpus *va,
                       s2s_corpus *te, s2s_error *err)
{
    if (data) return corpus_from_file(data, tr, va, te, seed, err);
    return corpus_synthetic(tr, va, te, N_TRAIN, N_VAL, N_TEST, seed, err);
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
}

/* mkdir -p: creates dir and its missing parents. */
static int make_dirs(const char *dir, s2s_error *err)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) return s2s_fail(err, S2S_ERR_ARG, "bad directory '%s'", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return s2s_fail(err, S2S_ERR_IO, "cannot create directory '%s': %s", path,
                            strerror(errno));
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return s2s_fail(err, S2S_ERR_IO, "cannot use directory '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return s2s_fail(err, S2S_ERR_IO, "cannot use '%s' as the output directory: %s", dir,
                        strerror(ENOTDIR));
    /* Find out now, not after the first epoch, whether files can be written. */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.seq2seq-write-test.%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return s2s_fail(err, S2S_ERR_IO, "cannot write into '%s': %s", dir, strerror(errno));
    close(fd);
    unlink(probe);
    return 0;
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
    char best[4200], last[4200], hist[4200];
    struct sigaction sa, old_sa;
    int handler_set = 0;

    if (join_path(best, sizeof best, o->out, "best.ckpt") ||
        join_path(last, sizeof last, o->out, "last.ckpt") ||
        join_path(hist, sizeof hist, o->out, "history.csv")) {
        fprintf(stderr, "seq2seq train: --out: path too long\n");
        return CLI_EXIT_USAGE;
    }
    if ((rc = open_backend(o, cmd, &be)) != 0) return rc;
    rc = CLI_EXIT_ERROR;
    if (make_dirs(o->out, &err)) goto fail;

    if (!o->quiet) printf("Creating dataset...\n");
    if (make_corpus(o->data, o->seed, &tr, &va, &te, &err)) goto fail;
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

    train_ui ui = {.quiet = o->quiet, .best_epoch = 0, .best_val = NAN};
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
        printf("Evaluate it with: seq2seq eval --model %s%s%s\n", best, o->data ? " --data " : "",
               o->data ? o->data : "");
    }
    rc = CLI_EXIT_OK;
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
    int rc;

    if ((rc = open_backend(o, cmd, &be)) != 0) goto done;
    if ((rc = load_model(cmd, o->model, be, &m, &vocab, &meta)) != 0) goto done;
    have_vocab = 1;
    rc = CLI_EXIT_ERROR;

    uint64_t seed = o->seed_given ? o->seed : meta.seed;
    if (make_corpus(o->data, seed, &tr, &va, &te, &err)) goto fail;
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
    printf("Exact Match Accuracy: %.2f%% (%d/%d)\n\n",
           100.0 * (double)res.n_correct / (double)res.count, res.n_correct, res.count);
    rc = CLI_EXIT_OK;
    goto done;

fail:
    rc = fail(cmd, &err);
done:
    fflush(stdout);
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

/* Reverses one sentence and prints it as one line. `where` is "" or
 * "line N: " for notes. Unknown words are copied through by attention
 * (infer.c; tests/ref/check_both_ways.py decodes the same way). */
static int reverse_one(s2s_model *m, const s2s_vocab *v, const s2s_sentence *s,
                       const char *where, s2s_error *err)
{
    s2s_reversal r;
    int rc = infer_reverse(m, v, s, &r, err);
    if (rc) return rc;
    int k = 0;
    for (int i = 0; i < r.n_src; i++) {
        if (!r.unknown[i]) continue;
        fprintf(stderr, "%s%s", k ? ", " : "note: ", k ? "" : where);
        fprintf(stderr, "unknown word '%s'", r.src[i]);
        k++;
    }
    if (k) fprintf(stderr, "\n");
    for (int t = 0; t < r.n_words; t++) printf("%s%s", t ? " " : "", r.out[t]);
    printf("\n");
    fflush(stdout);
    reversal_free(&r);
    return 0;
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

    if ((rc = open_backend(o, cmd, &be)) != 0) goto done;
    if ((rc = load_model(cmd, o->model, be, &m, &vocab, NULL)) != 0) goto done;
    have_vocab = 1;

    if (o->nargs > 0) {
        rc = reverse_one(m, &vocab, &sent, "", &err) ? fail(cmd, &err) : CLI_EXIT_OK;
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
        int r = reverse_one(m, &vocab, &s, where, &err);
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

/* The terminal UI is another task; until it exists, `seq2seq` and
 * `seq2seq tui` print the usage and say so. Replace this function. */
static int run_tui(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_print_usage(stdout);
    printf("\nNote: the terminal UI (plain 'seq2seq') is not built yet; use the commands "
           "above.\n");
    return CLI_EXIT_OK;
}

/* OpenBLAS chooses its kernels when it loads, and on some virtual CPUs it
 * picks SSE ones on an AVX-512 machine. Then the program names the right
 * family in OPENBLAS_CORETYPE and restarts itself once; a user's own
 * OPENBLAS_CORETYPE is always respected. */
static void use_fast_blas_kernels(char **argv)
{
    const char *core = backend_cpu_blas_better_core();
    if (!core || getenv("OPENBLAS_CORETYPE") || getenv("SEQ2SEQ_NO_BLAS_RESTART")) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    setenv("SEQ2SEQ_NO_BLAS_RESTART", "1", 1); /* never loop */
    execv("/proc/self/exe", argv);
    /* No restart possible: carry on with the slower kernels. */
}

int main(int argc, char **argv)
{
    use_fast_blas_kernels(argv);
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
    }
    return CLI_EXIT_USAGE;
}
