/* cmd_reverse.c — `seq2seq reverse`: one reversed sentence per input
 * sentence (the words on the command line, or each line of stdin), and
 * nothing else on stdout. Unknown words are named on stderr and copied
 * through by attention (decode.h; tests/ref/check_both_ways.py decodes the
 * same way). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "decode.h"
#include "figures.h"
#include "setup.h"

/* Reverses one sentence and prints it as one line; with png, also draws
 * its attention there. `where` is "" or "line N: " for notes. */
static int reverse_one(const cli_model *cm, const s2s_sentence *s, const char *where,
                       const char *png, s2s_error *err)
{
    s2s_decoding r;
    int rc = decode_sentence(cm->m, &cm->vocab, s, &r, err);
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
        rc = png_write_attention(png, (const char *const *)r.src, r.n_src,
                                 (const char *const *)r.out, r.steps, r.attn, err);
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
    char *p = malloc(len);
    if (p) snprintf(p, len, "%.*s-%ld%s", (int)(dot - path), path, n, dot);
    return p;
}

/* The words on the command line as one sentence, checked before anything
 * is loaded. */
static int sentence_from_args(const cli_opts *o, s2s_sentence *sent)
{
    size_t n = 1;
    for (int i = 0; i < o->nargs; i++) n += strlen(o->args[i]) + 1;
    char *joined = malloc(n);
    if (!joined) {
        fprintf(stderr, "seq2seq reverse: out of memory for a %zu-byte sentence\n", n);
        return CLI_EXIT_ERROR;
    }
    joined[0] = '\0';
    for (int i = 0; i < o->nargs; i++) {
        if (i) strcat(joined, " ");
        strcat(joined, o->args[i]);
    }
    s2s_error err;
    s2s_error_clear(&err);
    int rc = CLI_EXIT_OK;
    if (sentence_tokenize_max(joined, S2S_MAX_INPUT_WORDS, sent, &err)) {
        fprintf(stderr, "seq2seq reverse: %s\n", err.msg);
        rc = CLI_EXIT_USAGE;
    } else if (sent->len == 0) {
        fprintf(stderr, "seq2seq reverse: empty sentence\n");
        rc = CLI_EXIT_USAGE;
    }
    free(joined);
    return rc;
}

/* One sentence per line of stdin; a bad line is said and skipped (exit 1
 * at the end), a failure to decode or draw stops. */
static int reverse_lines(const cli_model *cm, const char *png_path)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "seq2seq reverse: reading sentences from standard input, one per line "
                        "(Ctrl-D ends)\n");
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
        const int bad = sentence_tokenize_max(line, S2S_MAX_INPUT_WORDS, &s, &err);
        if (bad || s.len == 0) {
            fprintf(stderr, "seq2seq reverse: %s%s\n", where, bad ? err.msg : "empty sentence");
            sentence_free(&s);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        char *png = png_path ? numbered_path(png_path, lineno) : NULL;
        int r = png_path && !png ? s2s_fail(&err, S2S_ERR_NOMEM,
                                            "out of memory for the file name of line %ld", lineno)
                                 : reverse_one(cm, &s, where, png, &err);
        free(png);
        sentence_free(&s);
        if (r) {
            rc = cli_fail("reverse", &err);
            break;
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "seq2seq reverse: reading standard input: %s\n", strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    free(line);
    return rc;
}

int cmd_reverse(const cli_opts *o)
{
    s2s_sentence sent = {0};
    cli_model cm;
    memset(&cm, 0, sizeof cm);
    int rc = o->nargs > 0 ? sentence_from_args(o, &sent) : CLI_EXIT_OK;
    if (rc) goto done;
    if ((rc = cli_model_open(&cm, o, "reverse", o->model)) != 0) goto done;
    if (o->png && model_config(cm.m)->attention == S2S_ATTN_NONE) {
        fprintf(stderr, "seq2seq reverse: --png: the model has no attention (trained with "
                        "--attention none), so there is no heatmap to draw\n");
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    if (o->nargs > 0) {
        s2s_error err;
        s2s_error_clear(&err);
        rc = reverse_one(&cm, &sent, "", o->png, &err) ? cli_fail("reverse", &err) : CLI_EXIT_OK;
    } else {
        rc = reverse_lines(&cm, o->png);
    }
done:
    fflush(stdout);
    sentence_free(&sent);
    cli_model_close(&cm);
    return rc;
}
