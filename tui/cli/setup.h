/* setup.h — what the sub-commands share before they run: opening the
 * backend --device asks for, opening a trained model (backend + checkpoint +
 * vocabulary), making the corpus and the output directory, and the whole
 * training set-up that `train` and `tui` both go through.
 * Functions that take `cmd` print their failure to stderr as
 * "seq2seq CMD: ..." and return a CLI_EXIT_* status; the others fill err. */
#ifndef S2S_SETUP_H
#define S2S_SETUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "checkpoint.h"
#include "data.h"
#include "err.h"
#include "model.h"
#include "options.h"
#include "train.h"

/* The seed's split sizes for the synthetic task. */
enum { SETUP_N_TRAIN = 8000, SETUP_N_VAL = 1000, SETUP_N_TEST = 1000 };

/* Prints err as "seq2seq CMD: MESSAGE" on stderr; returns CLI_EXIT_ERROR. */
int cli_fail(const char *cmd, const s2s_error *err);

/* Restarts the program once with OPENBLAS_CORETYPE set when OpenBLAS chose
 * slower kernels than the CPU runs (see backend_cpu_blas_better_core);
 * returns if there is nothing to do or no restart is possible. */
void setup_fast_blas_kernels(char **argv);

/* DIR/NAME into buf; 0 on success, -1 if it does not fit. */
int setup_join_path(char *buf, size_t n, const char *dir, const char *name);

/* Opens the backend --device asks for. auto: CUDA if it starts, else CPU. */
int setup_open_backend(const cli_opts *o, const char *cmd, s2s_backend **be);

/* A backend for decoding beside training: the GPU when training runs there
 * (measured on an H100 machine: 1.2–1.6 ms per sentence, against 3.1–3.6 ms
 * on one CPU thread plus 0.6–0.9 ms to copy the weights to the host), else
 * the CPU on `threads` threads (0: one per core). The evaluation job takes
 * one, leaving the other cores to the trainer; the prompt takes them all,
 * for the moment a sentence takes (one sentence's products are split
 * between two cores, model/gemv_cpu.c). Falls back to the CPU if a second
 * CUDA backend cannot start. */
int setup_infer_backend(int on_gpu, int threads, s2s_backend **be, s2s_error *err);

/* A trained model, opened: the backend --device asks for, the checkpoint's
 * model on it, its vocabulary and what it says of its training. */
typedef struct {
    const char *path;
    s2s_backend *be;
    s2s_model *m;
    s2s_vocabs vocab;
    int have_vocab;
    s2s_ckpt_meta meta;
} cli_model;

/* Opens path on a backend of its own (a missing file gets a hint instead of
 * the loader's words). Close it with cli_model_close either way. */
int cli_model_open(cli_model *cm, const cli_opts *o, const char *cmd, const char *path);
void cli_model_close(cli_model *cm);

/* Where a model's data come from: a built-in task's generator (from seed),
 * --data's sentences (reversed), or --pairs (with --val and --test). */
typedef struct {
    int task;            /* s2s_task */
    int tokens;          /* s2s_tokens */
    const char *data;    /* --data FILE, or NULL */
    const char *pairs;   /* --pairs FILE, or NULL (then task is S2S_TASK_PAIRS) */
    const char *val;     /* --val FILE, or NULL: split from pairs */
    const char *test;    /* --test FILE, or NULL: split from pairs */
    int skip_bad;        /* --skip-bad */
    uint64_t seed;
} setup_data;

/* The data options of o for training (the task, the tokens and the files
 * it names), or the usage error that they contradict each other. */
int setup_data_from_cli(const cli_opts *o, const char *cmd, setup_data *sd);

/* The train/val/test splits exactly as `train` makes them. *skipped gets
 * the bad lines --skip-bad left out (0 otherwise). */
int setup_make_corpus(const setup_data *sd, s2s_corpus *tr, s2s_corpus *va, s2s_corpus *te,
                      long *skipped, s2s_error *err);
/* A test set of one's own for a model of task/tokens: pairs (for a pairs
 * model) or one source per line whose targets the task gives. */
int setup_read_test(const char *path, int task, int tokens, int skip_bad, s2s_corpus *te,
                    long *skipped, s2s_error *err);

/* mkdir -p, then a check that files can be written there. */
int setup_make_dirs(const char *dir, s2s_error *err);

/* Everything training needs, made from the options: a fresh model (from
 * --seed) or, with --model, the checkpoint's model and vocabulary, and its
 * seed for the data unless --seed is given. */
typedef struct {
    s2s_backend *be;
    s2s_model *m;
    s2s_vocabs vocab;
    int have_vocab;
    s2s_corpus tr, va, te;
    s2s_dataset dtr, dva, dte;
    setup_data data;    /* where tr, va and te came from */
    long skipped;       /* bad lines --skip-bad left out */
    char first_skipped[sizeof(((s2s_error *)0)->msg)]; /* what was wrong with one of them ("FILE:LINE: ...") */
    s2s_ckpt_meta meta; /* the checkpoint's, when resumed */
    int resumed;        /* 1: continuing from --model */
    s2s_train_opts opts;/* epochs counted from the checkpoint's epoch when resumed */
} setup_training_t;

/* Prints its failure as "seq2seq CMD: ..." and returns CLI_EXIT_ERROR (or
 * CLI_EXIT_USAGE); 0 on success. Free with setup_training_free either way.
 * say (stdout for `train`, NULL for the UI, which logs its own) gets the
 * seed's progress lines: the data, the vocabulary, the model. */
int setup_training_create(setup_training_t *t, const cli_opts *o, const char *cmd, FILE *say);
void setup_training_free(setup_training_t *t);

#endif
