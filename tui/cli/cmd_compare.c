/* cmd_compare.c — `seq2seq compare`: exact match by sentence length, and on
 * sentences with words the vocabulary lacks, of several models side by
 * side, as a Markdown table (and a plot). */
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
    double seconds;     /* spent decoding the sets */
    long count[EVAL_MAXW + 1], correct[EVAL_MAXW + 1]; /* the length sets, by length */
    long set_n[EVAL_SETS], set_k[EVAL_SETS];
} compared;

/* Decodes one model at a time; only the counts are kept. */
static int measure(const cli_opts *o, compared *cmp, char *device, size_t device_n)
{
    for (int i = 0; i < o->nargs; i++) {
        evaluated e;
        int rc = evaluated_open(&e, o, "compare", o->args[i], 0);
        if (!rc) {
            cmp[i] = (compared){.path = o->args[i], .meta = e.cm.meta, .seconds = e.seconds,
                                .kind = attention_name(model_config(e.cm.m)->attention)};
            for (int s = 0; s < EVAL_SETS; s++) {
                cmp[i].set_n[s] = e.set[s].n;
                cmp[i].set_k[s] = e.set[s].k;
                if (s >= EVAL_LENGTH_SETS) continue;
                for (int w = 0; w <= EVAL_MAXW; w++) {
                    cmp[i].count[w] += e.set[s].count[w];
                    cmp[i].correct[w] += e.set[s].correct[w];
                }
            }
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
        printf(", seed %llu; decoded in %.1f s\n", (unsigned long long)cmp[i].meta.seed,
               cmp[i].seconds);
    }
    const eval_set_spec *t = &EVAL_SET[EVAL_SET_TEST];
    printf("\nLengths %s: each model's synthetic test set (%d sentences). Lengths ", t->range,
           t->n);
    for (int s = 1; s < EVAL_LENGTH_SETS; s++)
        printf("%s%s (%d sentences, seed %llu)",
               s == 1 ? "" : s == EVAL_LENGTH_SETS - 1 ? " and " : ", ", EVAL_SET[s].range,
               EVAL_SET[s].n, (unsigned long long)EVAL_SET[s].seed);
    printf(": the same %d words at lengths training never shows. Unseen words: %d sentences of "
           "%d-%d words with one word the vocabulary lacks (seed %llu) and %d made only of such "
           "words (seed %llu), drawn from %d (%s, %s, ..., %s); an unknown word is encoded as "
           "`<UNK>` and counts as right when the copy rule writes it through. Greedy decoding "
           "on %s.\n\n",
           (int)(sizeof S2S_SEED_WORDS / sizeof S2S_SEED_WORDS[0]), EVAL_SET[EVAL_SET_UNSEEN1].n,
           EVAL_SET[EVAL_SET_UNSEEN1].min, EVAL_SET[EVAL_SET_UNSEEN1].max,
           (unsigned long long)EVAL_SET[EVAL_SET_UNSEEN1].seed, EVAL_SET[EVAL_SET_UNSEEN_ALL].n,
           (unsigned long long)EVAL_SET[EVAL_SET_UNSEEN_ALL].seed, S2S_UNSEEN_COUNT,
           S2S_UNSEEN_WORDS[0], S2S_UNSEEN_WORDS[1], S2S_UNSEEN_WORDS[S2S_UNSEEN_COUNT - 1],
           device);
}

/* One table row: the label, then k/n of every model (bold when `bold`). */
static void row(const char *label, int bold, const long *k, const long *n, int M,
                int same_counts)
{
    const char *b = bold ? "**" : "";
    printf("| %s%s%s |", b, label, b);
    if (same_counts) printf(" %ld |", n[0]);
    for (int i = 0; i < M; i++)
        printf(" %s%s%s |", b,
               same_counts ? fmt_percent(percent(k[i], n[i])).s : fmt_kn(k[i], n[i]).s, b);
    printf("\n");
}

/* A row per length to EVAL_ROW_SINGLE, then per group of lengths, then the
 * totals of each set; percentages when every model was measured on the same
 * sentences, else "k/n". */
static int print_table(const compared *cmp, int M, const char *const *cols)
{
    int same_counts = 1;
    for (int i = 1; i < M; i++)
        same_counts &= memcmp(cmp[i].count, cmp[0].count, sizeof cmp[0].count) == 0 &&
                       memcmp(cmp[i].set_n, cmp[0].set_n, sizeof cmp[0].set_n) == 0;
    long *k = calloc((size_t)M, sizeof *k), *n = calloc((size_t)M, sizeof *n);
    if (!k || !n) {
        free(k);
        free(n);
        return -1;
    }
    printf("| words |%s", same_counts ? " sentences |" : "");
    for (int i = 0; i < M; i++) printf(" %s |", cols[i]);
    printf("\n|---|%s", same_counts ? "---:|" : "");
    for (int i = 0; i < M; i++) printf("---:|");
    printf("\n");
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int nrows = evaluated_rows(lo, hi);
    char label[64];
    for (int r = 0; r < nrows; r++) {
        for (int i = 0; i < M; i++) {
            k[i] = n[i] = 0;
            for (int w = lo[r]; w <= hi[r]; w++) {
                k[i] += cmp[i].correct[w];
                n[i] += cmp[i].count[w];
            }
        }
        if (lo[r] == hi[r])
            snprintf(label, sizeof label, "%d", lo[r]);
        else
            snprintf(label, sizeof label, "%d-%d", lo[r], hi[r]);
        row(label, 0, k, n, M, same_counts);
    }
    for (int s = 0; s < EVAL_SETS; s++) {
        for (int i = 0; i < M; i++) {
            k[i] = cmp[i].set_k[s];
            n[i] = cmp[i].set_n[s];
        }
        if (EVAL_SET[s].unseen)
            snprintf(label, sizeof label, "%s, %s", EVAL_SET[s].range, EVAL_SET[s].label);
        else
            snprintf(label, sizeof label, "%s", EVAL_SET[s].range);
        row(label, 1, k, n, M, same_counts);
    }
    free(k);
    free(n);
    return 0;
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
    char title[96];
    snprintf(title, sizeof title, "Exact Match by Sentence Length (%d-%d: test set, %d-%d: never "
                                  "trained)",
             EVAL_TEST_MIN, EVAL_TEST_MAX, EVAL_TEST_MAX + 1, EVAL_MAXW);
    int rc = png_write_accuracy_by_length(png, lengths, NLEN, cols, acc, M, title, err);
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
    if (print_table(cmp, M, cols)) {
        fflush(stdout);
        fprintf(stderr, "seq2seq %s: out of memory for the table of %d models\n", cmd, M);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
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
