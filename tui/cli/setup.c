/* setup.c — shared set-up of the sub-commands; see setup.h. */
#include "setup.h"

#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int cli_fail(const char *cmd, const s2s_error *err)
{
    fprintf(stderr, "seq2seq %s: %s\n", cmd, err->msg[0] ? err->msg : "unknown error");
    return CLI_EXIT_ERROR;
}

int setup_join_path(char *buf, size_t n, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    int r = snprintf(buf, n, "%s%s%s", dir, (len && dir[len - 1] == '/') ? "" : "/", name);
    return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

int setup_open_backend(const cli_opts *o, const char *cmd, s2s_backend **be)
{
    s2s_error err;
    s2s_error_clear(&err);
    *be = NULL;
    if (o->device != CLI_DEVICE_CPU) {
        if (backend_cuda_create(be, 0, &err) == 0) {
            backend_cuda_set_tf32(*be, o->tf32);
            return 0;
        }
        *be = NULL;
        if (o->device == CLI_DEVICE_CUDA) {
            fprintf(stderr, "seq2seq %s: --device cuda: %s\n", cmd, err.msg);
            return CLI_EXIT_ERROR;
        }
        s2s_error_clear(&err);
    }
    if (backend_cpu_create(be, o->threads, &err) != 0) {
        *be = NULL;
        return cli_fail(cmd, &err);
    }
    return 0;
}

int setup_infer_backend(int on_gpu, int threads, s2s_backend **be, s2s_error *err)
{
    if (on_gpu && backend_cuda_create(be, 0, err) == 0) return 0;
    return backend_cpu_create(be, threads, err);
}

int cli_model_open(cli_model *cm, const cli_opts *o, const char *cmd, const char *path)
{
    memset(cm, 0, sizeof *cm);
    cm->path = path;
    /* The backend first: --device cuda without a GPU says so whatever the file. */
    int rc = setup_open_backend(o, cmd, &cm->be);
    if (rc) return rc;
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
    if (checkpoint_load(path, cm->be, &cm->m, &cm->vocab, &cm->meta, &err) != 0) {
        cm->m = NULL;
        return cli_fail(cmd, &err);
    }
    cm->have_vocab = 1;
    /* A target of one's own pairs may be longer than twice its source. */
    if (cm->meta.task == S2S_TASK_PAIRS) model_set_out_extra(cm->m, S2S_MAX_SENTENCE_WORDS);
    return 0;
}

void cli_model_close(cli_model *cm)
{
    if (cm->m) model_free(cm->m);
    if (cm->have_vocab) vocabs_free(&cm->vocab);
    backend_free(cm->be);
    memset(cm, 0, sizeof *cm);
}

int setup_data_from_cli(const cli_opts *o, const char *cmd, setup_data *sd)
{
    *sd = (setup_data){.task = o->task, .tokens = task_tokens(o->task), .data = o->data,
                       .pairs = o->pairs, .val = o->val, .test = o->test,
                       .skip_bad = o->skip_bad, .seed = o->seed};
    const char *clash = o->pairs && o->data          ? "--pairs and --data"
                        : o->pairs && o->task_given  ? "--pairs and --task"
                        : o->data && o->task != S2S_TASK_REVERSE ? "--data and --task"
                                                                 : NULL;
    if (clash) {
        fprintf(stderr, "seq2seq %s: %s: choose one (--data is reversal of your sentences, "
                        "--pairs any task of your own)\n", cmd, clash);
        return CLI_EXIT_USAGE;
    }
    if ((o->val || o->test || o->tokens_given) && !o->pairs) {
        fprintf(stderr, "seq2seq %s: --val, --test and --tokens go with --pairs (a built-in "
                        "task has its own tokens)\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (o->unk_rate > 0.0f && (o->pairs || o->task != S2S_TASK_REVERSE)) {
        fprintf(stderr, "seq2seq %s: --unk-rate works for reversal only (it replaces a source "
                        "word and the target word that mirrors it)\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (o->pairs) {
        sd->task = S2S_TASK_PAIRS;
        sd->tokens = o->tokens;
    }
    return CLI_EXIT_OK;
}

/* Reads one of --val/--test into c, adding its skipped lines. */
static int read_split(const char *path, const setup_data *sd, s2s_corpus *c, long *skipped,
                      s2s_error *err)
{
    long n = 0;
    corpus_free(c);
    int rc = corpus_read_pairs(path, sd->tokens, sd->skip_bad, c, &n, err);
    *skipped += n;
    return rc;
}

int setup_make_corpus(const setup_data *sd, s2s_corpus *tr, s2s_corpus *va, s2s_corpus *te,
                      long *skipped, s2s_error *err)
{
    *skipped = 0;
    memset(tr, 0, sizeof *tr);
    memset(va, 0, sizeof *va);
    memset(te, 0, sizeof *te);
    if (sd->data) return corpus_from_file(sd->data, tr, va, te, sd->seed, err);
    if (!sd->pairs)
        return task_generate(sd->task, tr, va, te, SETUP_N_TRAIN, SETUP_N_VAL, SETUP_N_TEST,
                             sd->seed, err);
    int rc;
    if (sd->val && sd->test) /* every split given: the whole file trains */
        rc = corpus_read_pairs(sd->pairs, sd->tokens, sd->skip_bad, tr, skipped, err);
    else
        rc = corpus_from_pairs(sd->pairs, sd->tokens, sd->skip_bad, sd->seed, tr, va, te,
                               skipped, err);
    if (!rc && sd->val) rc = read_split(sd->val, sd, va, skipped, err);
    if (!rc && sd->test) rc = read_split(sd->test, sd, te, skipped, err);
    if (rc) {
        corpus_free(tr);
        corpus_free(va);
        corpus_free(te);
    }
    return rc;
}

int setup_read_test(const char *path, int task, int tokens, int skip_bad, s2s_corpus *te,
                    long *skipped, s2s_error *err)
{
    *skipped = 0;
    if (task == S2S_TASK_PAIRS) return corpus_read_pairs(path, tokens, skip_bad, te, skipped, err);
    int rc = corpus_read_as(path, tokens, te, err);
    /* reverse keeps no targets: each source reversed is the seed's reference */
    if (!rc && task != S2S_TASK_REVERSE && (rc = corpus_answer(task, te, err)) != 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        s2s_fail(err, (s2s_code)rc, "%s: %s", path, msg); /* which file */
    }
    if (rc) corpus_free(te);
    return rc;
}

int setup_make_dirs(const char *dir, s2s_error *err)
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

/* What the data are: the seed's lines for the seed's task, more for others. */
static void say_data(FILE *say, const setup_training_t *t)
{
    const setup_data *d = &t->data;
    const char *file = d->data ? d->data : d->pairs;
    if (file)
        fprintf(say, "Data: %s (%d train / %d val / %d test %s)\n", file, t->tr.count,
                t->va.count, t->te.count, d->pairs ? "pairs" : "sentences");
    else if (d->task != S2S_TASK_REVERSE)
        fprintf(say, "Task: %s (%d train / %d val / %d test, %s)\n", task_name(d->task),
                t->tr.count, t->va.count, t->te.count, tokens_name(d->tokens));
    if (t->skipped)
        fprintf(say, "Skipped %ld bad line%s (--skip-bad), e.g. %s\n", t->skipped,
                t->skipped == 1 ? "" : "s", t->first_skipped);
    if (t->vocab.shared)
        fprintf(say, "Vocabulary size: %d\n", t->vocab.src.size);
    else
        fprintf(say, "Vocabulary size: %d source, %d target\n", t->vocab.src.size,
                t->vocab.tgt.size);
}

/* The training options of o (epochs, batch, lr, clip, tf, seed, out). */
static void train_opts_from_cli(const cli_opts *o, s2s_train_opts *to)
{
    train_opts_default(to);
    to->epochs = o->epochs;
    to->batch = o->batch;
    to->lr = o->lr;
    to->clip = o->clip;
    to->tf_ratio = o->tf;
    to->unk_rate = o->unk_rate;
    to->seed = o->seed;
    to->out_dir = o->out;
    to->bucket = o->pairs != NULL;
}

/* --model: the checkpoint's model, vocabulary and meta become t's. */
static int resume_model(setup_training_t *t, const cli_opts *o, const char *cmd, FILE *say)
{
    cli_model cm;
    int rc = cli_model_open(&cm, o, cmd, o->model);
    if (rc) {
        cli_model_close(&cm);
        return rc;
    }
    t->be = cm.be;
    t->m = cm.m;
    t->vocab = cm.vocab;
    t->have_vocab = 1;
    t->meta = cm.meta;
    t->resumed = 1;
    if (say) {
        fprintf(say, "Continuing from %s (epoch %d", o->model, t->meta.epoch);
        if (!isnan(t->meta.val_loss)) fprintf(say, ", val_loss %.4f", (double)t->meta.val_loss);
        fprintf(say, "); its configuration and vocabulary apply\n");
    }
    return 0;
}

/* A fresh model of o's configuration over t's vocabulary, from --seed. */
static int fresh_model(setup_training_t *t, const cli_opts *o, s2s_error *err)
{
    s2s_config cfg = {
        .src_vocab = t->vocab.src.size,
        .tgt_vocab = vocabs_tgt(&t->vocab)->size,
        .embed = o->embed,
        .hidden = o->hidden,
        .layers = o->layers,
        .dropout = o->dropout,
        .attention = o->attention,
        .out_extra = t->data.task == S2S_TASK_PAIRS ? S2S_MAX_SENTENCE_WORDS : 0,
    };
    if (config_validate(&cfg, err)) return -1;
    if (model_create(&t->m, &cfg, t->be, err)) {
        t->m = NULL;
        return -1;
    }
    return model_init_params(t->m, o->seed, err);
}

static void say_model(FILE *say, const setup_training_t *t)
{
    const s2s_config *c = model_config(t->m);
    fprintf(say, "Using device: %s\n", t->be->name);
    fprintf(say, "Model: %zu parameters (embed %d, hidden %d, %d layer%s, %s attention)\n",
            model_num_params(t->m), c->embed, c->hidden, c->layers, c->layers == 1 ? "" : "s",
            attention_name(c->attention));
}

int setup_training_create(setup_training_t *t, const cli_opts *o, const char *cmd, FILE *say)
{
    s2s_error err;
    s2s_error_clear(&err);
    memset(t, 0, sizeof *t);
    int rc = setup_data_from_cli(o, cmd, &t->data);
    if (!rc) rc = o->model ? resume_model(t, o, cmd, say) : setup_open_backend(o, cmd, &t->be);
    if (rc) return rc;
    if (setup_make_dirs(o->out, &err)) return cli_fail(cmd, &err);

    /* Continuing: the data (and the shuffles) of the checkpoint's seed,
     * unless --seed says otherwise, as eval does. */
    const uint64_t seed = t->resumed && !o->seed_given ? t->meta.seed : o->seed;
    if (t->resumed && o->task_given && o->task != t->meta.task) {
        fprintf(stderr, "seq2seq %s: --task %s: %s was trained for the task '%s'\n", cmd,
                task_name(o->task), o->model, task_name(t->meta.task));
        return CLI_EXIT_USAGE;
    }
    if (t->resumed) {
        /* The checkpoint's task and tokens; its data files must be named again. */
        t->data.task = t->meta.task;
        t->data.tokens = t->meta.tokens;
        if (t->meta.task == S2S_TASK_PAIRS && !o->pairs) {
            fprintf(stderr, "seq2seq %s: %s was trained on pairs: give its --pairs FILE "
                            "again\n", cmd, o->model);
            return CLI_EXIT_USAGE;
        }
    }
    t->data.seed = seed;
    if (say) fprintf(say, "Creating dataset...\n");
    if (setup_make_corpus(&t->data, &t->tr, &t->va, &t->te, &t->skipped, &err))
        return cli_fail(cmd, &err);
    if (t->skipped) snprintf(t->first_skipped, sizeof t->first_skipped, "%s", err.msg);
    if (!t->resumed) {
        const int shared = t->data.task != S2S_TASK_PAIRS && task_shared_vocab(t->data.task);
        if (vocabs_create(&t->vocab, shared, &err)) return cli_fail(cmd, &err);
        t->have_vocab = 1;
        if (vocabs_build_limited(&t->vocab, &t->tr, o->min_count, o->max_vocab, &err))
            return cli_fail(cmd, &err);
        const s2s_vocab *tv = vocabs_tgt(&t->vocab);
        if (t->vocab.src.size <= S2S_NUM_SPECIAL || tv->size <= S2S_NUM_SPECIAL) {
            fprintf(stderr, "seq2seq %s: the %s vocabulary has no token%s%s\n", cmd,
                    t->vocab.src.size <= S2S_NUM_SPECIAL ? "source" : "target",
                    o->min_count > 1 ? ": every one is seen fewer times than --min-count " : "",
                    o->min_count > 1 ? "says" : "");
            return CLI_EXIT_USAGE;
        }
    }
    if (dataset_create(&t->dtr, &t->tr, &t->vocab, &err) ||
        dataset_create(&t->dva, &t->va, &t->vocab, &err) ||
        dataset_create(&t->dte, &t->te, &t->vocab, &err))
        return cli_fail(cmd, &err);
    if (say) say_data(say, t);
    if (say) {
        if (!t->resumed) fprintf(say, "\nInitializing model...\n");
    }
    if (!t->resumed && fresh_model(t, o, &err)) return cli_fail(cmd, &err);
    if (say) say_model(say, t);

    train_opts_from_cli(o, &t->opts);
    t->opts.seed = seed;
    t->opts.task = t->data.task;
    t->opts.tokens = t->data.tokens;
    if (t->resumed) {
        /* --epochs more epochs after the checkpoint's. */
        t->opts.start_epoch = t->meta.epoch;
        t->opts.epochs = t->meta.epoch + o->epochs;
        /* best.ckpt is replaced only by a model better than the one loaded. */
        t->opts.best_val_loss = t->meta.val_loss;
    }
    return 0;
}

void setup_training_free(setup_training_t *t)
{
    if (t->m) model_free(t->m);
    backend_free(t->be);
    dataset_free(&t->dtr);
    dataset_free(&t->dva);
    dataset_free(&t->dte);
    if (t->have_vocab) vocabs_free(&t->vocab);
    corpus_free(&t->tr);
    corpus_free(&t->va);
    corpus_free(&t->te);
    memset(t, 0, sizeof *t);
}

/* OpenBLAS chooses its kernels when it loads, and on some virtual CPUs it
 * picks SSE ones on an AVX-512 machine. Then the program names the right
 * family in OPENBLAS_CORETYPE and restarts itself once; a user's own
 * OPENBLAS_CORETYPE is always respected. */
void setup_fast_blas_kernels(char **argv)
{
    const char *core = backend_cpu_blas_better_core();
    if (!core || getenv("OPENBLAS_CORETYPE") || getenv("SEQ2SEQ_NO_BLAS_RESTART")) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    setenv("SEQ2SEQ_NO_BLAS_RESTART", "1", 1); /* never loop */
    execv("/proc/self/exe", argv);
    /* No restart possible: carry on with the slower kernels. */
}
