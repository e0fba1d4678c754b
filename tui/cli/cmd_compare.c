/* cmd_compare.c — `seq2seq compare`: exact match by sentence length of
 * several models side by side, as a Markdown table (and a plot). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "figures.h"
#include "report.h"

enum { NLEN = EVAL_MAXW - EVAL_TEST_MIN + 1 };

/* What compare keeps of one model: its counts, not its decodings. */
typedef struct {
    const char *path;
    const char *kind;   /* its attention's name */
    s2s_ckpt_meta meta;
    long count[EVAL_MAXW + 1], correct[EVAL_MAXW + 1];
} compared;

/* Decodes one model at a time; only the counts are kept. */
static int measure(const cli_opts *o, compared *cmp, char *device, size_t device_n)
{
    for (int i = 0; i < o->nargs; i++) {
        evaluated e;
        int rc = evaluated_open(&e, o, "compare", o->args[i], 0);
        if (!rc) {
            cmp[i] = (compared){.path = o->args[i], .meta = e.cm.meta,
                                .kind = attention_name(model_config(e.cm.m)->attention)};
            memcpy(cmp[i].count, e.count, sizeof e.count);
            memcpy(cmp[i].correct, e.correct, sizeof e.correct);
            snprintf(device, device_n, "%s", e.cm.be->name);
        }
        evaluated_close(&e);
        if (rc) return rc;
    }
    return 0;
}

static void print_models(const compared *cmp, int M, int unique, const char *device)
{
    printf("# Exact match by sentence length\n\n");
    for (int i = 0; i < M; i++) {
        if (unique)
            printf("- %s: `%s`, epoch %d", cmp[i].kind, cmp[i].path, cmp[i].meta.epoch);
        else
            printf("- `%s`: %s attention, epoch %d", cmp[i].path, cmp[i].kind, cmp[i].meta.epoch);
        if (!isnan(cmp[i].meta.val_loss))
            printf(", validation loss %.4f", (double)cmp[i].meta.val_loss);
        printf(", seed %llu\n", (unsigned long long)cmp[i].meta.seed);
    }
    printf("\nLengths 3-10: each model's synthetic test set (%d sentences). Lengths %d-%d: "
           "%d sentences (seed %u) that training never shows. Greedy decoding on %s.\n\n",
           SETUP_N_TEST, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, ANALYZE_LONG_N, ANALYZE_LONG_SEED,
           device);
}

/* One row per length, then one per range; percentages when every model
 * was measured on the same sentences, else "k/n". */
static void print_table(const compared *cmp, int M, const char *const *cols)
{
    int same_counts = 1;
    for (int i = 1; i < M; i++)
        same_counts &= memcmp(cmp[i].count, cmp[0].count, sizeof cmp[0].count) == 0;
    printf("| words |%s", same_counts ? " sentences |" : "");
    for (int i = 0; i < M; i++) printf(" %s |", cols[i]);
    printf("\n|---:|%s", same_counts ? "---:|" : "");
    for (int i = 0; i < M; i++) printf("---:|");
    printf("\n");
    for (int w = EVAL_TEST_MIN; w <= EVAL_MAXW; w++) {
        printf("| %d |", w);
        if (same_counts) printf(" %ld |", cmp[0].count[w]);
        for (int i = 0; i < M; i++)
            printf(" %s |", same_counts ? fmt_percent(percent(cmp[i].correct[w], cmp[i].count[w])).s
                                        : fmt_kn(cmp[i].correct[w], cmp[i].count[w]).s);
        printf("\n");
    }
    for (int part = 0; part < 2; part++) {
        const int lo = part ? ANALYZE_LONG_MIN : EVAL_TEST_MIN;
        const int hi = part ? ANALYZE_LONG_MAX : EVAL_TEST_MAX;
        printf("| **%d-%d** |", lo, hi);
        for (int i = 0; i < M; i++) {
            long k = 0, n = 0;
            for (int w = lo; w <= hi; w++) {
                k += cmp[i].correct[w];
                n += cmp[i].count[w];
            }
            if (i == 0 && same_counts) printf(" %ld |", n);
            printf(" **%s** |", same_counts ? fmt_percent(percent(k, n)).s : fmt_kn(k, n).s);
        }
        printf("\n");
    }
}

static int plot(const char *png, const compared *cmp, int M, const char *const *cols,
                s2s_error *err)
{
    int lengths[NLEN];
    float *accbuf = malloc(sizeof(float) * (size_t)M * NLEN);
    const float **acc = calloc((size_t)M, sizeof *acc);
    if (!accbuf || !acc) {
        free(accbuf);
        free(acc);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the plot of %d models", M);
    }
    for (int w = EVAL_TEST_MIN; w <= EVAL_MAXW; w++) lengths[w - EVAL_TEST_MIN] = w;
    for (int i = 0; i < M; i++) {
        float *a = accbuf + (size_t)i * NLEN;
        for (int w = EVAL_TEST_MIN; w <= EVAL_MAXW; w++)
            a[w - EVAL_TEST_MIN] = (float)percent(cmp[i].correct[w], cmp[i].count[w]);
        acc[i] = a;
    }
    int rc = png_write_accuracy_by_length(png, lengths, NLEN, cols, acc, M,
                                          "Exact Match by Sentence Length (11-15: never trained)",
                                          err);
    free(accbuf);
    free(acc);
    return rc;
}

int cmd_compare(const cli_opts *o)
{
    const char *cmd = "compare";
    if (o->nargs < 1) {
        fprintf(stderr, "seq2seq %s: no models given (usage: seq2seq compare MODEL... "
                        "[--png FILE])\n",
                cmd);
        return CLI_EXIT_USAGE;
    }
    const int M = o->nargs;
    compared *cmp = calloc((size_t)M, sizeof *cmp);
    const char **cols = calloc((size_t)M, sizeof *cols);
    char device[32] = "";
    int rc;
    if (!cmp || !cols) {
        fprintf(stderr, "seq2seq %s: out of memory for %d models\n", cmd, M);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    if ((rc = measure(o, cmp, device, sizeof device)) != 0) goto done;
    /* Columns are named by attention when that tells them apart, else by file. */
    int unique = 1;
    for (int i = 0; i < M; i++)
        for (int j = i + 1; j < M; j++) unique &= strcmp(cmp[i].kind, cmp[j].kind) != 0;
    for (int i = 0; i < M; i++) cols[i] = unique ? cmp[i].kind : cmp[i].path;
    print_models(cmp, M, unique, device);
    print_table(cmp, M, cols);
    if (o->png) {
        s2s_error err;
        s2s_error_clear(&err);
        if (plot(o->png, cmp, M, cols, &err)) {
            fflush(stdout);
            rc = cli_fail(cmd, &err);
            goto done;
        }
        printf("\nAccuracy by length plotted to %s\n", o->png);
    }
    rc = CLI_EXIT_OK;
done:
    fflush(stdout);
    free(cmp);
    free(cols);
    return rc;
}
