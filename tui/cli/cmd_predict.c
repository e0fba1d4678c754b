/* cmd_predict.c — `seq2seq predict` (any task) and `seq2seq reverse` (its
 * name for the reversal task): one output line per input (the tokens on the
 * command line, or each line of stdin), and nothing else on stdout. Unknown
 * tokens are named on stderr and copied through by attention (decode.h;
 * tests/ref/check_both_ways.py decodes the same way). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attnjson.h"
#include "commands.h"
#include "decode.h"
#include "figures.h"
#include "setup.h"
#include "task.h"

typedef struct {
    const char *cmd;     /* "predict" or "reverse" */
    const cli_opts *o;
    cli_model cm;
    attn_jsonl json;     /* --attention-out, when given */
} predictor;

/* Decodes one input and prints its output as one line; with png, also
 * draws its attention there. `where` is "" or "line N: " for notes. */
static int predict_one(predictor *p, const s2s_sentence *s, const char *where, const char *png,
                       s2s_error *err)
{
    s2s_decoding r;
    int rc = decode_sentence_beam(p->cm.m, &p->cm.vocab, s, p->o->beam, &r, err);
    if (rc) return rc;
    int k = 0;
    for (int i = 0; i < r.n_src; i++) {
        if (!r.unknown[i]) continue;
        if (k++ == 0)
            fprintf(stderr, "note: %sunknown %s: %s", where,
                    p->cm.meta.tokens == S2S_TOKENS_CHARS ? "characters" : "words", r.src[i]);
        else
            fprintf(stderr, ", %s", r.src[i]);
    }
    if (k) fprintf(stderr, "\n");
    const s2s_sentence out = {.len = r.n_words, .w = r.out};
    const size_t need = sentence_join(&out, 0, out.len, p->cm.meta.tokens, NULL, 0) + 1;
    char *line = malloc(need);
    if (!line) {
        decoding_free(&r);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for an output of %zu bytes", need);
    }
    sentence_join(&out, 0, out.len, p->cm.meta.tokens, line, need);
    printf("%s\n", line);
    fflush(stdout);
    free(line);
    const int has_attn = model_config(p->cm.m)->attention != S2S_ATTN_NONE;
    if (p->json.f)
        rc = attn_jsonl_write(&p->json, (const char *const *)r.src, r.n_src,
                              (const char *const *)r.out, r.steps, has_attn ? r.attn : NULL,
                              NULL, 0, 0, err);
    if (!rc && png)
        rc = png_write_attention(png, (const char *const *)r.src, r.n_src,
                                 (const char *const *)r.out, r.steps, r.attn, p->cm.meta.tokens,
                                 err);
    decoding_free(&r);
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
    char *q = malloc(len);
    if (q) snprintf(q, len, "%.*s-%ld%s", (int)(dot - path), path, n, dot);
    return q;
}

/* The arguments joined by spaces (the caller frees it), or NULL. */
static char *joined_args(const cli_opts *o)
{
    size_t n = 1;
    for (int i = 0; i < o->nargs; i++) n += strlen(o->args[i]) + 1;
    char *joined = malloc(n);
    if (!joined) return NULL;
    joined[0] = '\0';
    for (int i = 0; i < o->nargs; i++) {
        if (i) strcat(joined, " ");
        strcat(joined, o->args[i]);
    }
    return joined;
}

/* Splits one input the model's way; an empty one is an error. */
static int tokenize_input(const predictor *p, const char *text, s2s_sentence *s, s2s_error *err)
{
    int rc = sentence_tokenize_as(text, p->cm.meta.tokens, S2S_MAX_INPUT_WORDS, s, err);
    if (!rc && s->len == 0) rc = s2s_fail(err, S2S_ERR_ARG, "empty sentence");
    return rc;
}

/* One input per line of stdin; a bad line is said and skipped (exit 1 at
 * the end), a failure to decode or write stops. */
static int predict_lines(predictor *p)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "seq2seq %s: reading inputs from standard input, one per line "
                        "(Ctrl-D ends)\n", p->cmd);
    int rc = CLI_EXIT_OK;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    s2s_error err;
    while (getline(&line, &cap, stdin) >= 0) {
        lineno++;
        char where[48];
        snprintf(where, sizeof where, "line %ld: ", lineno);
        s2s_sentence s = {0};
        s2s_error_clear(&err);
        if (tokenize_input(p, line, &s, &err)) {
            fprintf(stderr, "seq2seq %s: %s%s\n", p->cmd, where, err.msg);
            sentence_free(&s);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        char *png = p->o->png ? numbered_path(p->o->png, lineno) : NULL;
        int r = p->o->png && !png ? s2s_fail(&err, S2S_ERR_NOMEM,
                                             "out of memory for the file name of line %ld", lineno)
                                  : predict_one(p, &s, where, png, &err);
        free(png);
        sentence_free(&s);
        if (r) {
            rc = cli_fail(p->cmd, &err);
            break;
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "seq2seq %s: reading standard input: %s\n", p->cmd, strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    free(line);
    return rc;
}

/* The command-line input, or every line of stdin. */
static int predict_all(predictor *p)
{
    if (p->o->nargs == 0) return predict_lines(p);
    s2s_error err;
    s2s_error_clear(&err);
    char *text = joined_args(p->o);
    s2s_sentence s = {0};
    int rc = !text ? s2s_fail(&err, S2S_ERR_NOMEM, "out of memory for the input")
                   : tokenize_input(p, text, &s, &err);
    free(text);
    if (rc) {
        fprintf(stderr, "seq2seq %s: %s\n", p->cmd, err.msg);
        return err.code == S2S_ERR_NOMEM ? CLI_EXIT_ERROR : CLI_EXIT_USAGE;
    }
    rc = predict_one(p, &s, "", p->o->png, &err) ? cli_fail(p->cmd, &err) : CLI_EXIT_OK;
    sentence_free(&s);
    return rc;
}

/* What the model cannot do, said before any input is read. */
static int check_model(const predictor *p)
{
    const int task = p->cm.meta.task;
    if (strcmp(p->cmd, "reverse") == 0 && task != S2S_TASK_REVERSE) {
        fprintf(stderr, "seq2seq reverse: %s was trained for the task '%s', not reversal; "
                        "use 'seq2seq predict'\n", p->cm.path, task_name(task));
        return CLI_EXIT_USAGE;
    }
    if (p->o->png && model_config(p->cm.m)->attention == S2S_ATTN_NONE) {
        fprintf(stderr, "seq2seq %s: --png: the model has no attention (trained with "
                        "--attention none), so there is no heatmap to draw\n", p->cmd);
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

static int run(const cli_opts *o, const char *cmd)
{
    predictor p;
    memset(&p, 0, sizeof p);
    p.cmd = cmd;
    p.o = o;
    s2s_error err;
    s2s_error_clear(&err);
    int rc = CLI_EXIT_OK;
    /* A blank input on the command line is a usage error, said before
     * anything is loaded. */
    if (o->nargs > 0) {
        int blank = 1;
        for (int i = 0; i < o->nargs && blank; i++) blank = strspn(o->args[i], " \t\r\n") ==
                                                            strlen(o->args[i]);
        if (blank) {
            fprintf(stderr, "seq2seq %s: empty sentence\n", cmd);
            return CLI_EXIT_USAGE;
        }
    }
    rc = cli_model_open(&p.cm, o, cmd, o->model);
    if (!rc) rc = check_model(&p);
    if (!rc && o->attention_out && attn_jsonl_open(&p.json, o->attention_out, &err))
        rc = cli_fail(cmd, &err);
    if (!rc) rc = predict_all(&p);
    if (attn_jsonl_close(&p.json, &err) && !rc) rc = cli_fail(cmd, &err);
    fflush(stdout);
    cli_model_close(&p.cm);
    return rc;
}

int cmd_predict(const cli_opts *o)
{
    return run(o, "predict");
}

int cmd_reverse(const cli_opts *o)
{
    return run(o, "reverse");
}
