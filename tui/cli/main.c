/* main.c — the seq2seq program: sub-commands over the model API.
 *
 *   seq2seq [tui [OPTIONS]]    the terminal UI (app.c)
 *   seq2seq train   [OPTIONS]  train, saving best.ckpt / last.ckpt / history.csv
 *   seq2seq eval    [OPTIONS]  the seed's qualitative examples + exact-match accuracy
 *   seq2seq reverse [OPTIONS] [WORD...]   one reversed sentence per input sentence
 *   seq2seq predict [OPTIONS] [TOKEN...]  one output per input, for any task
 *   seq2seq analyze [OPTIONS]  attention measured on the test set, written to analysis.md
 *   seq2seq compare [OPTIONS] MODEL...    exact match by length of several models
 *   seq2seq --help | --version | CMD --help
 *
 * Each sub-command lives in its own file (cmd_*.c, commands.h); this one
 * only dispatches. Exit status: 0 ok, 1 runtime error, 2 usage error,
 * 130 interrupted.
 * Every message for a person goes to stderr as "seq2seq CMD: ...", except the
 * reports that are the command's output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "backend.h"
#include "commands.h"
#include "options.h"
#include "setup.h"

const char CLI_RULE[] =
    "================================================================================";

static void print_version(void)
{
    printf("seq2seq %s\n", CLI_VERSION);
    printf("BLAS: %s; kernels: %s%s\n", backend_cpu_blas_info(), backend_cpu_blas_core(),
           getenv("SEQ2SEQ_NO_BLAS_RESTART") ? " (chosen by seq2seq for this CPU)" : "");
    printf("own kernels (products of up to 128 rows, one-sentence decoding): %s\n",
           backend_cpu_own_isa());
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
    case CLI_PREDICT: return cmd_predict(&o);
    case CLI_ANALYZE: return cmd_analyze(&o);
    case CLI_COMPARE: return cmd_compare(&o);
    }
    return CLI_EXIT_USAGE;
}
