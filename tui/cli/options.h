/* options.h — the command line of seq2seq.
 *
 * One table (options.c: OPTIONS[]) describes every option: its name, the
 * name of its value, its help text, the default as shown, its type and range,
 * and the sub-commands that accept it. The same table sets the defaults,
 * parses argv, prints `seq2seq CMD --help` and prints the man page's OPTIONS
 * section (`seq2seq --man-options`), so the three never disagree.
 *
 * Parsing accepts `--opt value` and `--opt=value`; `--` ends the options.
 * Usage errors are printed to stderr as "seq2seq CMD: ..." and give exit
 * status 2 (CLI_EXIT_USAGE).
 */
#ifndef S2S_OPTIONS_H
#define S2S_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

/* Sub-commands, as bits so an option can belong to several. */
enum {
    CLI_TRAIN = 1u << 0,
    CLI_EVAL = 1u << 1,
    CLI_REVERSE = 1u << 2,
    CLI_TUI = 1u << 3,
    CLI_ANALYZE = 1u << 4,
    CLI_COMPARE = 1u << 5,
    CLI_PREDICT = 1u << 6,
};

/* --device values, in the order of the option's choice list. */
enum { CLI_DEVICE_AUTO = 0, CLI_DEVICE_CPU = 1, CLI_DEVICE_CUDA = 2 };

/* Exit statuses (see the man page's EXIT STATUS). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTERRUPTED = 130 };

#define CLI_VERSION "0.1.0"

/* Everything the options set. Strings point into argv or at the table's
 * defaults (never freed). */
typedef struct {
    /* model and training (train) */
    int epochs, batch, embed, hidden, layers;
    float dropout, lr, tf, clip;
    float unk_rate;       /* share of training source words replaced by <UNK> */
    int attention;        /* S2S_ATTN_BAHDANAU / _LUONG / _NONE */
    const char *out;      /* output directory */
    int quiet;
    /* shared */
    uint64_t seed;
    int seed_given;       /* 1 if --seed was on the command line */
    int device;           /* CLI_DEVICE_* */
    int threads;          /* CPU threads, 0 = the BLAS default */
    const char *data;     /* NULL = the seed's synthetic task */
    int task;             /* s2s_task: --task (reverse, copy, sort, dates) */
    int task_given;       /* 1 if --task was on the command line */
    const char *pairs;    /* --pairs FILE: source<TAB>target lines (task pairs) */
    const char *val;      /* train: the validation pairs (else split from --pairs) */
    int tokens;           /* s2s_tokens for --pairs */
    int tokens_given;     /* 1 if --tokens was on the command line */
    int min_count;        /* rarer tokens become <UNK> */
    int max_vocab;        /* at most this many tokens a side (0: no limit) */
    int skip_bad;         /* skip and count bad lines of a pairs file */
    int beam;             /* beam width (1: greedy) */
    const char *attention_out; /* JSON Lines of every decoding's attention */
    const char *model;    /* checkpoint to read (eval, reverse) */
    int examples;         /* eval: examples printed */
    const char *test;     /* eval, train: a test set of one's own (NULL = the data's test split) */
    int oracle_length;    /* eval: no <EOS> before a sentence's length */
    int no_color;         /* tui: --no-color */
    int tf32;             /* --tf32: CUDA GEMMs through TF32 tensor cores */
    const char *heatmap;  /* eval: the attention heatmap's file */
    int no_heatmap;       /* eval: 1 = write no heatmap */
    const char *sentence; /* eval: draw this sentence's heatmap (NULL = the first example) */
    const char *png;      /* reverse: heatmap file; compare: accuracy plot (NULL = none) */
    const char *baseline; /* analyze: a model without attention to compare with (NULL = none) */
    /* positional arguments (reverse: the words of one sentence; compare: models) */
    int nargs;
    char **args;
} cli_opts;

/* "train" / "eval" / "reverse" for a CLI_* bit; "?" otherwise. */
const char *cli_command_name(unsigned cmd);
/* The CLI_* bit of a command name, 0 if it is not one. */
unsigned cli_command_parse(const char *name);

/* Fills o with cmd's defaults, then parses argv[0..argc) (the arguments after
 * the command name). Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing
 * the reason on err. *help is set to 1 (and nothing else parsed) when -h or
 * --help appears among the options. */
int cli_parse(unsigned cmd, int argc, char **argv, cli_opts *o, int *help, FILE *err);

/* `seq2seq --help`: the commands. */
void cli_print_usage(FILE *f);
/* `seq2seq CMD --help`: the command's synopsis and every option it takes. */
void cli_print_help(FILE *f, unsigned cmd);
/* The man page's OPTIONS section body (roff), one .SS per command. */
void cli_print_man_options(FILE *f);

#endif
