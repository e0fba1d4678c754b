/* options.c — the option table and everything made from it: defaults,
 * parsing, `--help` and the man page's OPTIONS section. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

typedef enum { T_INT, T_FLOAT, T_U64, T_STR, T_CHOICE, T_FLAG } opt_type;

typedef struct {
    const char *name;   /* without the leading "--" */
    const char *value;  /* the value's name in help ("N", "FILE"); for T_CHOICE the
                           choices, "a|b|c" (index = value); NULL for a flag */
    const char *help;   /* one sentence, no final full stop */
    const char *def;    /* default: parsed into the field and shown; NULL = none
                           (the help text says what happens without it) */
    opt_type type;
    unsigned cmds;      /* CLI_* bits of the commands that accept it */
    double min, max;    /* numeric range (max = INFINITY: no upper bound) */
    int min_open, max_open; /* 1: the bound itself is excluded */
    size_t field;       /* offsetof(cli_opts, ...) */
    size_t given;       /* offsetof the int set to 1 when given, or 0 for none */
} cli_option;

#define ALL (CLI_TRAIN | CLI_EVAL | CLI_REVERSE | CLI_TUI | CLI_ANALYZE | CLI_COMPARE | CLI_PREDICT)
#define DECODES (CLI_EVAL | CLI_REVERSE | CLI_PREDICT)
#define F(x) offsetof(cli_opts, x)

/* The one option table. Its order is the order of --help and the man page.
 * An option name may appear twice when its meaning differs between commands
 * (--data, --seed); the command bits then never overlap. */
static const cli_option OPTIONS[] = {
    {"epochs", "N", "passes over the training set", "30",
     T_INT, CLI_TRAIN | CLI_TUI, 1, 100000, 0, 0, F(epochs), 0},
    {"batch", "N", "sentences per batch", "64",
     T_INT, CLI_TRAIN | CLI_TUI, 1, 65536, 0, 0, F(batch), 0},
    {"embed", "N", "word embedding size", "128",
     T_INT, CLI_TRAIN | CLI_TUI, 1, 4096, 0, 0, F(embed), 0},
    {"hidden", "N", "GRU hidden state size", "256",
     T_INT, CLI_TRAIN | CLI_TUI, 1, 4096, 0, 0, F(hidden), 0},
    {"layers", "N", "GRU layers in the encoder and in the decoder", "2",
     T_INT, CLI_TRAIN | CLI_TUI, 1, 8, 0, 0, F(layers), 0},
    {"dropout", "P", "dropout on the embeddings and between GRU layers", "0.1",
     T_FLOAT, CLI_TRAIN | CLI_TUI, 0, 1, 0, 1, F(dropout), 0},
    {"lr", "RATE", "Adam learning rate", "1e-3",
     T_FLOAT, CLI_TRAIN | CLI_TUI, 0, INFINITY, 1, 0, F(lr), 0},
    {"tf", "RATIO", "teacher forcing: the chance that a decoder step reads the true word", "0.5",
     T_FLOAT, CLI_TRAIN | CLI_TUI, 0, 1, 0, 0, F(tf), 0},
    {"clip", "NORM", "clip the global gradient norm to NORM (0: no clipping)", "1.0",
     T_FLOAT, CLI_TRAIN | CLI_TUI, 0, INFINITY, 0, 0, F(clip), 0},
    {"attention", "bahdanau|luong|none|location",
     "attention: additive (the seed's), dot-product, none (the bottleneck baseline), or "
     "location: additive plus a term from the previous step's alignment and a start marker "
     "the alignment reaches last, so it reverses sentences of any length",
     "bahdanau", T_CHOICE, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(attention), 0},
    {"unk-rate", "P",
     "replace this share of the training source words by <UNK> (fresh draws every epoch; the "
     "target's mirrored word too), so the model learns to write <UNK> where a word it never "
     "saw stands and copies the word through",
     "0", T_FLOAT, CLI_TRAIN | CLI_TUI, 0, 1, 0, 1, F(unk_rate), 0},
    {"seed", "N", "seed of the data, the initial weights, the shuffles, teacher forcing and dropout",
     "42", T_U64, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(seed), F(seed_given)},
    {"data", "FILE",
     "train on FILE's sentences, one per line, split 80/10/10 "
     "(default: the seed's synthetic task, 8000/1000/1000 sentences)",
     NULL, T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(data), 0},
    {"task", "reverse|copy|sort|dates",
     "the built-in task: reverse the words (the seed's), copy them, sort them, or read a "
     "date written by hand and write it as YYYY-MM-DD (characters)",
     "reverse", T_CHOICE, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(task), F(task_given)},
    {"pairs", "FILE",
     "train on your own task: FILE holds one 'source<TAB>target' pair per line (UTF-8), "
     "split 80/10/10 unless --val and --test give the other splits",
     NULL, T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(pairs), 0},
    {"val", "FILE", "with --pairs: the validation pairs (FILE's format)",
     NULL, T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(val), 0},
    {"test", "FILE", "with --pairs: the test pairs (FILE's format)",
     NULL, T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(test), 0},
    {"tokens", "words|chars",
     "with --pairs: split each side into words (at blanks) or into characters (UTF-8 code "
     "points, blanks included)",
     "words", T_CHOICE, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(tokens), F(tokens_given)},
    {"min-count", "N", "with --pairs: tokens seen fewer than N times in training become <UNK>",
     "1", T_INT, CLI_TRAIN | CLI_TUI, 1, 1000000000, 0, 0, F(min_count), 0},
    {"max-vocab", "N",
     "with --pairs: keep at most the N most frequent tokens of each side (0: all)",
     "0", T_INT, CLI_TRAIN | CLI_TUI, 0, 1000000, 0, 0, F(max_vocab), 0},
    {"skip-bad", NULL,
     "skip the bad lines of a pairs file (no tab, an empty side, a stray CR, invalid "
     "UTF-8, too long) and say how many, instead of stopping at the first",
     NULL, T_FLAG, CLI_TRAIN | CLI_TUI | CLI_EVAL, 0, 0, 0, 0, F(skip_bad), 0},
    {"out", "DIR",
     "write best.ckpt, last.ckpt, history.csv and loss_curve.png into DIR (created if missing)",
     "runs", T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(out), 0},
    {"quiet", NULL, "print nothing but errors", NULL,
     T_FLAG, CLI_TRAIN, 0, 0, 0, 0, F(quiet), 0},
    {"model", "FILE",
     "continue training the checkpoint FILE for --epochs more epochs: its configuration, "
     "vocabulary and seed apply (default: a new model from --seed)",
     NULL, T_STR, CLI_TRAIN | CLI_TUI, 0, 0, 0, 0, F(model), 0},
    {"no-color", NULL, "no colours (also when the NO_COLOR environment variable is set)", NULL,
     T_FLAG, CLI_TUI, 0, 0, 0, 0, F(no_color), 0},
    {"model", "FILE", "the model to load", "runs/best.ckpt",
     T_STR, CLI_EVAL | CLI_REVERSE | CLI_ANALYZE | CLI_PREDICT, 0, 0, 0, 0, F(model), 0},
    {"test", "FILE",
     "evaluate every line of FILE instead of the test split of the training data: a "
     "'source<TAB>target' pair for a model trained with --pairs, else one source per line "
     "(the task gives the answer)",
     NULL, T_STR, CLI_EVAL, 0, 0, 0, 0, F(test), 0},
    {"oracle-length", NULL,
     "decode with an oracle length: no sentence may write <EOS> before its own number of "
     "words (a diagnosis: how much of what fails is stopping, how much the words)",
     NULL, T_FLAG, CLI_EVAL, 0, 0, 0, 0, F(oracle_length), 0},
    {"beam", "K",
     "beam search with K hypotheses (1: greedy, the fastest)",
     "1", T_INT, DECODES, 1, 64, 0, 0, F(beam), 0},
    {"attention-out", "FILE",
     "write each sentence's source tokens, output tokens and attention matrix to FILE as "
     "JSON Lines (one object per sentence; schema in the man page)",
     NULL, T_STR, DECODES, 0, 0, 0, 0, F(attention_out), 0},
    {"examples", "N", "examples printed before the accuracy", "10",
     T_INT, CLI_EVAL, 0, 1000000, 0, 0, F(examples), 0},
    {"heatmap", "FILE",
     "write the attention heatmap of the first test sentence (or of --sentence) to FILE as a PNG",
     "attention_heatmap.png", T_STR, CLI_EVAL, 0, 0, 0, 0, F(heatmap), 0},
    {"no-heatmap", NULL, "write no heatmap", NULL,
     T_FLAG, CLI_EVAL, 0, 0, 0, 0, F(no_heatmap), 0},
    {"sentence", "TEXT",
     "draw the heatmap of the sentence TEXT (quoted, words separated by spaces) instead of "
     "the first test sentence",
     NULL, T_STR, CLI_EVAL, 0, 0, 0, 0, F(sentence), 0},
    {"data", "FILE",
     "evaluate on the test split of FILE, made as 'train --data FILE' made it "
     "(default: the seed's synthetic test set)",
     NULL, T_STR, CLI_EVAL, 0, 0, 0, 0, F(data), 0},
    {"seed", "N", "seed that made the test split (default: the seed the model was trained with)",
     NULL, T_U64, CLI_EVAL, 0, 0, 0, 0, F(seed), F(seed_given)},
    {"png", "FILE",
     "also write the attention heatmap of the sentence to FILE as a PNG; with sentences on "
     "standard input, the one on line N goes to FILE with -N before the extension "
     "(attn.png: attn-1.png, attn-2.png, ...)",
     NULL, T_STR, CLI_REVERSE | CLI_PREDICT, 0, 0, 0, 0, F(png), 0},
    {"out", "FILE", "write the analysis to FILE (Markdown)", "analysis.md",
     T_STR, CLI_ANALYZE, 0, 0, 0, 0, F(out), 0},
    {"baseline", "FILE",
     "also measure the exact match by length of FILE, a model trained without attention, "
     "and compare the two (default: no comparison)",
     NULL, T_STR, CLI_ANALYZE, 0, 0, 0, 0, F(baseline), 0},
    {"test", "FILE",
     "measure a model of a task other than reverse on FILE instead of its test split: "
     "'source<TAB>target' pairs for a model trained with --pairs (which needs it), else one "
     "source per line (the task gives the answer)",
     NULL, T_STR, CLI_ANALYZE, 0, 0, 0, 0, F(test), 0},
    {"png", "FILE", "also draw the exact match by length of every model to FILE as a PNG",
     NULL, T_STR, CLI_COMPARE, 0, 0, 0, 0, F(png), 0},
    {"device", "auto|cpu|cuda", "where to compute; auto: CUDA when a GPU is usable, else the CPU",
     "auto", T_CHOICE, ALL, 0, 0, 0, 0, F(device), 0},
    {"threads", "N",
     "CPU threads: each batch is split across N threads, each with a single-threaded BLAS "
     "(0: one per CPU, at most 8); results are reproducible for a given N. A sentence decoded "
     "alone (reverse, predict, the prompt) splits its matrix-vector products between two "
     "cores when N is 2 or more, with the same results as on one",
     "0", T_INT, ALL, 0, 1024, 0, 0, F(threads), 0},
    {"tf32", NULL,
     "on the CUDA backend, let cuBLAS use TF32 tensor cores for matrix products (faster, "
     "about 1e-3 relative error per product; off by default so results match the CPU)",
     NULL, T_FLAG, ALL, 0, 0, 0, 0, F(tf32), 0},
};
#define NOPTIONS ((int)(sizeof OPTIONS / sizeof OPTIONS[0]))

#undef F
#undef ALL
#undef DECODES

/* The choice lists above are in the order of these enums. */
_Static_assert(S2S_ATTN_BAHDANAU == 0 && S2S_ATTN_LUONG == 1 && S2S_ATTN_NONE == 2 &&
                   S2S_ATTN_LOCATION == 3,
               "--attention choices follow the S2S_ATTN_* order");
_Static_assert(CLI_DEVICE_AUTO == 0 && CLI_DEVICE_CPU == 1 && CLI_DEVICE_CUDA == 2,
               "--device choices follow the CLI_DEVICE_* order");

typedef struct {
    unsigned cmd;
    const char *name;
    const char *args;     /* after the command name */
    const char *summary;  /* for `seq2seq --help` */
    const char *about;    /* for `seq2seq CMD --help` and the man page */
} cli_command_info;

static const cli_command_info COMMANDS[] = {
    {CLI_TRAIN, "train", "[OPTIONS]", "train a model, saving the best one",
     "Trains the model on the seed's synthetic task (sentences of 3 to 10 words drawn from "
     "34 words), on another built-in task (--task copy, sort or dates), on --data FILE's "
     "sentences or on your own pairs (--pairs FILE), printing the training and validation loss of every "
     "epoch. The model with the best validation loss is saved as DIR/best.ckpt, the latest "
     "as DIR/last.ckpt, one row per epoch in DIR/history.csv, and the loss so far in "
     "DIR/loss_curve.png. Ctrl-C stops at the next "
     "batch and keeps the best model."},
    {CLI_EVAL, "eval", "[OPTIONS]", "examples and exact-match accuracy on the test set",
     "Loads a model, decodes every sentence of the test set greedily and prints the first "
     "examples (input, output, reference, match), the exact-match accuracy, the token "
     "accuracy and the exact match by sentence length, and writes the attention heatmap of "
     "the first test sentence to attention_heatmap.png."},
    {CLI_REVERSE, "reverse", "[OPTIONS] [WORD...]", "reverse sentences with a trained model",
     "Reverses the sentence made of the arguments or, without arguments, each line of "
     "standard input, printing exactly one line per sentence on standard output and "
     "nothing else. Words the model has never seen are copied through by attention; a "
     "note on standard error names them. --png FILE draws the attention heatmap."},
    {CLI_PREDICT, "predict", "[OPTIONS] [TOKEN...]", "run a trained model on your own inputs",
     "Runs the model on the input made of the arguments or, without arguments, on each "
     "line of standard input, printing exactly one output line per input and nothing "
     "else, whatever the model's task (reverse, copy, sort, dates or your own pairs). "
     "Tokens the model has never seen are copied through by attention where it writes "
     "<UNK>. --beam K searches K hypotheses; --attention-out FILE writes every attention "
     "matrix as JSON Lines; --png FILE draws the heatmap."},
    {CLI_TUI, "tui", "[OPTIONS]", "the terminal UI: watch it learn, type sentences (the default)",
     "Trains as 'seq2seq train' does (the same options and files in --out), or continues "
     "from --model FILE, on a worker thread, while the terminal shows the loss chart, the "
     "attention heatmap of a validation sentence or of a sentence typed at the prompt, a "
     "status line and a log. F1 lists the keys; F10 stops training at a batch boundary, "
     "keeps the best model and exits. Plain 'seq2seq' is 'seq2seq tui'."},
    {CLI_ANALYZE, "analyze", "[OPTIONS]", "measure the attention and write analysis.md",
     "Loads a model, decodes the synthetic test set it was trained with and, over the "
     "sentences it reverses exactly, measures where each decoder step's attention peaks "
     "relative to the mirrored source position, the weight at the peak and the entropy, "
     "by step (first, middle, last word, <EOS>) and by sentence length. It also decodes "
     "1000 sentences each of 11-15, 16-30 and 31-50 words, which training never shows, and "
     "of 3-10 words with one or only words the vocabulary lacks. It writes the tables "
     "and answers to the assignment's four questions, each sentence citing what was "
     "measured, to --out. For a model of another task it measures the attention against "
     "that task's reference alignment (the source positions that carry each output token) "
     "and how it moves from step to step, on the task's test split (--test FILE for a model "
     "trained on pairs), and writes a shorter report."},
    {CLI_COMPARE, "compare", "[OPTIONS] MODEL...",
     "exact match by sentence length (3 to 50 words) and on unseen words, of several models",
     "Loads each MODEL (a checkpoint, e.g. trained with --attention bahdanau, luong, none "
     "and location on the same budget), decodes its synthetic test set (3 to 10 words), "
     "1000 sentences each of 11-15, 16-30 and 31-50 words that training never shows, and "
     "1000 of 3-10 words with one or only unseen words (right when the copy rule writes "
     "them in place), and prints the exact match for each length and set as a Markdown "
     "table, one column per model; --png draws it by length. Models of another task "
     "(all of the same one) are compared on that task's test split, and copy and sort also "
     "by length from 3 to 30 words."},
};
#define NCOMMANDS ((int)(sizeof COMMANDS / sizeof COMMANDS[0]))

const char *cli_command_name(unsigned cmd)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (COMMANDS[i].cmd == cmd) return COMMANDS[i].name;
    return "?";
}

unsigned cli_command_parse(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return COMMANDS[i].cmd;
    return 0;
}

static const cli_command_info *command_info(unsigned cmd)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (COMMANDS[i].cmd == cmd) return &COMMANDS[i];
    return NULL;
}

/* ---------------------------------------------------------------- parsing */

/* The range of a numeric option in words, e.g. "from 1 to 100000". */
static void range_text(const cli_option *op, char *buf, size_t n)
{
    if (op->type == T_U64) {
        snprintf(buf, n, "a whole number from 0 to 18446744073709551615");
    } else if (isinf(op->max)) {
        snprintf(buf, n, "%s %.10g", op->min_open ? "more than" : "at least", op->min);
    } else if (!op->min_open && !op->max_open) {
        snprintf(buf, n, "from %.10g to %.10g", op->min, op->max);
    } else {
        snprintf(buf, n, "%s %.10g and %s %.10g", op->min_open ? "more than" : "at least",
                 op->min, op->max_open ? "less than" : "at most", op->max);
    }
}

static int in_range(const cli_option *op, double x)
{
    if (op->min_open ? !(x > op->min) : !(x >= op->min)) return 0;
    if (!isinf(op->max) && (op->max_open ? !(x < op->max) : !(x <= op->max))) return 0;
    return 1;
}

/* "--OPT: VALUE is out of range (must be ...)": a usage error. */
static int out_of_range(FILE *err, const char *prefix, const cli_option *op, const char *s)
{
    char range[96];
    range_text(op, range, sizeof range);
    fprintf(err, "%s: --%s: %s is out of range (must be %s)\n", prefix, op->name, s, range);
    return CLI_EXIT_USAGE;
}

/* Index of s among the '|'-separated choices, or -1. */
static int choice_index(const char *choices, const char *s)
{
    size_t n = strlen(s);
    int i = 0;
    for (const char *p = choices;; i++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && n > 0 && strncmp(p, s, n) == 0) return i;
        if (!bar) return -1;
        p = bar + 1;
    }
}

/* Stores the text s as op's value in o. Returns 0, or prints why not and
 * returns CLI_EXIT_USAGE. `prefix` is "seq2seq CMD". */
static int set_value(const cli_option *op, const char *s, cli_opts *o, const char *prefix,
                     FILE *err)
{
    char *base = (char *)o;
    char *end = NULL;
    switch (op->type) {
    case T_INT: {
        errno = 0;
        long x = (*s && !isspace((unsigned char)*s)) ? strtol(s, &end, 10) : 0;
        if (!end || end == s || *end != '\0') {
            fprintf(err, "%s: --%s: '%s' is not a whole number\n", prefix, op->name, s);
            return CLI_EXIT_USAGE;
        }
        if (errno == ERANGE || !in_range(op, (double)x)) return out_of_range(err, prefix, op, s);
        *(int *)(base + op->field) = (int)x;
        return 0;
    }
    case T_FLOAT: {
        errno = 0;
        float x = (*s && !isspace((unsigned char)*s)) ? strtof(s, &end) : 0.0f;
        if (!end || end == s || *end != '\0' || isnan(x) || (isinf(x) && errno != ERANGE)) {
            fprintf(err, "%s: --%s: '%s' is not a finite number\n", prefix, op->name, s);
            return CLI_EXIT_USAGE;
        }
        if (errno == ERANGE && isinf(x)) {
            fprintf(err, "%s: --%s: %s is too large\n", prefix, op->name, s);
            return CLI_EXIT_USAGE;
        }
        if (errno == ERANGE || !in_range(op, (double)x)) return out_of_range(err, prefix, op, s);
        *(float *)(base + op->field) = x;
        return 0;
    }
    case T_U64: {
        errno = 0;
        unsigned long long x = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
        if (!end || *end != '\0') {
            fprintf(err, "%s: --%s: '%s' is not a whole number from 0 up\n", prefix, op->name, s);
            return CLI_EXIT_USAGE;
        }
        if (errno == ERANGE) {
            return out_of_range(err, prefix, op, s);
        }
        *(uint64_t *)(base + op->field) = (uint64_t)x;
        return 0;
    }
    case T_STR:
        if (*s == '\0') {
            fprintf(err, "%s: --%s needs a non-empty %s\n", prefix, op->name, op->value);
            return CLI_EXIT_USAGE;
        }
        *(const char **)(base + op->field) = s;
        return 0;
    case T_CHOICE: {
        int i = choice_index(op->value, s);
        if (i < 0) {
            fprintf(err, "%s: --%s: '%s' is not one of %s\n", prefix, op->name, s, op->value);
            return CLI_EXIT_USAGE;
        }
        *(int *)(base + op->field) = i;
        return 0;
    }
    case T_FLAG:
        *(int *)(base + op->field) = 1;
        return 0;
    }
    return CLI_EXIT_USAGE;
}

/* The option called name (length n) for cmd; NULL if cmd has none. */
static const cli_option *find_option(unsigned cmd, const char *name, size_t n)
{
    for (int i = 0; i < NOPTIONS; i++)
        if ((OPTIONS[i].cmds & cmd) && strlen(OPTIONS[i].name) == n &&
            strncmp(OPTIONS[i].name, name, n) == 0)
            return &OPTIONS[i];
    return NULL;
}

int cli_parse(unsigned cmd, int argc, char **argv, cli_opts *o, int *help, FILE *err)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "seq2seq %s", cli_command_name(cmd));
    memset(o, 0, sizeof *o);
    *help = 0;

    /* Defaults come from the table, through the same parser. */
    for (int i = 0; i < NOPTIONS; i++)
        if ((OPTIONS[i].cmds & cmd) && OPTIONS[i].def)
            if (set_value(&OPTIONS[i], OPTIONS[i].def, o, prefix, err)) return CLI_EXIT_USAGE;

    /* -h / --help anywhere among the options wins over everything else. */
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            *help = 1;
            return CLI_EXIT_OK;
        }
    }

    /* Positional arguments are gathered, in order, at the front of argv
     * (overwriting options already parsed: the write index never passes i). */
    o->args = argv;
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (only_args || a[0] != '-' || a[1] == '\0') {
            if (!(cmd & (CLI_REVERSE | CLI_COMPARE | CLI_PREDICT))) {
                fprintf(err, "%s: unexpected argument '%s' (see '%s --help')\n", prefix, a,
                        prefix);
                return CLI_EXIT_USAGE;
            }
            argv[o->nargs++] = a;
            continue;
        }
        if (a[1] != '-') {
            fprintf(err, "%s: unknown option '%s' (see '%s --help')\n", prefix, a, prefix);
            return CLI_EXIT_USAGE;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const cli_option *op = find_option(cmd, name, n);
        if (!op) {
            unsigned other = 0;
            for (int k = 0; k < NOPTIONS; k++)
                if (strlen(OPTIONS[k].name) == n && strncmp(OPTIONS[k].name, name, n) == 0)
                    other = OPTIONS[k].cmds;
            if (other) {
                unsigned first = other & -other;
                fprintf(err, "%s: option '--%.*s' is for 'seq2seq %s', not %s (see '%s --help')\n",
                        prefix, (int)n, name, cli_command_name(first), cli_command_name(cmd),
                        prefix);
            } else {
                fprintf(err, "%s: unknown option '--%.*s' (see '%s --help')\n", prefix, (int)n,
                        name, prefix);
            }
            return CLI_EXIT_USAGE;
        }
        const char *val;
        if (op->type == T_FLAG) {
            if (eq) {
                fprintf(err, "%s: option '--%s' takes no value\n", prefix, op->name);
                return CLI_EXIT_USAGE;
            }
            val = "1";
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
            val = argv[++i];
        } else {
            fprintf(err, "%s: option '--%s' needs a value %s (see '%s --help')\n", prefix,
                    op->name, op->value, prefix);
            return CLI_EXIT_USAGE;
        }
        if (set_value(op, val, o, prefix, err)) return CLI_EXIT_USAGE;
        if (op->given) *(int *)((char *)o + op->given) = 1;
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------- help */

/* Prints text word-wrapped at `width` columns, continuation lines indented by
 * `indent`; `col` is the column the first line starts at. */
static void wrap(FILE *f, const char *text, int col, int indent, int width)
{
    const char *p = text;
    int first = 1;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        int n = (int)strcspn(p, " ");
        if (!first && col + 1 + n > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", n, p);
        col += n;
        p += n;
        first = 0;
    }
    fputc('\n', f);
}

void cli_print_usage(FILE *f)
{
    fprintf(f, "Usage: seq2seq [COMMAND] [OPTIONS]\n\n"
               "A GRU encoder-decoder with attention that learns to reverse the word order of\n"
               "sentences (\"the cat sat\" -> \"sat cat the\"), or another task: --task copy,\n"
               "sort or dates, or your own pairs (--pairs FILE).\n\nCommands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "  %-9s %s\n", "(none)", "the same as tui");
    fprintf(f, "\nOptions:\n"
               "  -h, --help  this help; 'seq2seq COMMAND --help' lists a command's options\n"
               "  --version   the version, the BLAS and our own CPU kernels in use, and whether CUDA\n"
               "              is built in\n"
               "\nExamples:\n"
               "  seq2seq train                      # 30 epochs, saves runs/best.ckpt\n"
               "  seq2seq eval                       # examples and accuracy of runs/best.ckpt\n"
               "  seq2seq reverse \"the cat sat\"      # prints: sat cat the\n"
               "  seq2seq train --task dates --out runs/dates   # dates to YYYY-MM-DD\n"
               "  seq2seq predict --model runs/dates/best.ckpt \"march 5, 2021\"\n"
               "\nSee man seq2seq for more.\n");
}

void cli_print_help(FILE *f, unsigned cmd)
{
    const cli_command_info *ci = command_info(cmd);
    if (!ci) return;
    fprintf(f, "Usage: seq2seq %s %s\n\n", ci->name, ci->args);
    wrap(f, ci->about, 0, 0, 79);
    fprintf(f, "\nOptions:\n");
    int w = 0;
    for (int i = 0; i < NOPTIONS; i++) {
        if (!(OPTIONS[i].cmds & cmd)) continue;
        int len = 4 + (int)strlen(OPTIONS[i].name) +
                  (OPTIONS[i].value ? 1 + (int)strlen(OPTIONS[i].value) : 0);
        if (len > w && len <= 26) w = len; /* longer ones put their help below */
    }
    for (int i = 0; i < NOPTIONS; i++) {
        const cli_option *op = &OPTIONS[i];
        if (!(op->cmds & cmd)) continue;
        char left[128], text[512];
        snprintf(left, sizeof left, "  --%s%s%s", op->name, op->value ? " " : "",
                 op->value ? op->value : "");
        if (op->def)
            snprintf(text, sizeof text, "%s (default %s)", op->help, op->def);
        else
            snprintf(text, sizeof text, "%s", op->help);
        int col = fprintf(f, "%-*s", w, left);
        if (col > w) {
            fprintf(f, "\n%*s", w + 2, "");
        } else {
            fprintf(f, "  ");
        }
        wrap(f, text, w + 2, w + 2, 79);
    }
    fprintf(f, "%-*s  %s\n", w, "  -h, --help", "this help");
}

/* --------------------------------------------------------------- man page */

/* Writes s with roff's special characters escaped. */
static void roff_text(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'') fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

void cli_print_man_options(FILE *f)
{
    for (int c = 0; c < NCOMMANDS; c++) {
        const cli_command_info *ci = &COMMANDS[c];
        fprintf(f, ".SS \"seq2seq %s\"\n", ci->name);
        for (int i = 0; i < NOPTIONS; i++) {
            const cli_option *op = &OPTIONS[i];
            if (!(op->cmds & ci->cmd)) continue;
            fputs(".TP\n\\fB", f);
            roff_text(f, "--");
            roff_text(f, op->name);
            fputs("\\fR", f);
            if (op->value) {
                fputs(" \\fI", f);
                roff_text(f, op->value);
                fputs("\\fR", f);
            }
            fputc('\n', f);
            char upper[512];
            snprintf(upper, sizeof upper, "%s", op->help);
            upper[0] = (char)toupper((unsigned char)upper[0]);
            roff_text(f, upper);
            fputs(".", f);
            if (op->type == T_INT || op->type == T_FLOAT) {
                char range[96];
                range_text(op, range, sizeof range);
                fputs(" ", f);
                char sentence[128];
                snprintf(sentence, sizeof sentence, "%c%s.", toupper((unsigned char)range[0]),
                         range + 1);
                roff_text(f, sentence);
            }
            if (op->def) {
                fputs(" Default: ", f);
                roff_text(f, op->def);
                fputs(".", f);
            }
            fputc('\n', f);
        }
    }
}
