/* cmd_compare.c — `seq2seq compare`: exact match by sentence length, and on
 * sentences with words the vocabulary lacks, of several models side by
 * side, as a Markdown table (and a plot). Models of another task than
 * reversal (all of one task) are compared on that task's sets
 * (evaluated.h): by length for copy and sort, the test split for dates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "figures.h"
#include "report.h"
#include "task.h"

enum { NLEN = EVAL_MAXW - EVAL_TEST_MIN + 1 };

/* What compare keeps of one model: its counts, not its decodings. */
typedef struct {
    const char *path;
    const char *kind;   /* its attention's name */
    s2s_ckpt_meta meta; /* its task among the rest */
    double seconds;     /* spent decoding the sets */
    long count[EVAL_MAXW + 1], correct[EVAL_MAXW + 1]; /* the length sets, by length */
    long set_n[EVAL_SETS], set_k[EVAL_SETS];
} compared;

/* Model i's task against the first model's (*task, set by model 0): they
 * must share one that compare can make the test sets of, and --png needs
 * lengths to plot. */
static int check_task(const cli_opts *o, const char *cmd, int i, int t, int *task)
{
    if (i > 0 && t != *task) {
        fprintf(stderr, "seq2seq %s: %s is a model of the %s task and %s of the %s task; "
                        "compare models of one task\n",
                cmd, o->args[0], task_name(*task), o->args[i], task_name(t));
        return CLI_EXIT_USAGE;
    }
    *task = t;
    if (t == S2S_TASK_PAIRS) {
        fprintf(stderr, "seq2seq %s: %s was trained on pairs of its own (--pairs), whose test "
                        "split the checkpoint cannot make again; measure it with "
                        "'seq2seq analyze --test FILE' or 'seq2seq eval --test FILE'\n",
                cmd, o->args[i]);
        return CLI_EXIT_USAGE;
    }
    if (o->png && !evaluated_uses(t, EVAL_SET_11_15)) {
        fprintf(stderr, "seq2seq %s: --png plots exact match by sentence length, which compare "
                        "measures for reverse, copy and sort, not for the %s task\n",
                cmd, task_name(t));
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Decodes one model at a time, each loaded once and checked against the
 * first before its sets are decoded; only the counts are kept. */
static int measure(const cli_opts *o, compared *cmp, char *device, size_t device_n)
{
    int task = -1;
    for (int i = 0; i < o->nargs; i++) {
        evaluated e;
        int rc = evaluated_load(&e, o, "compare", o->args[i]);
        if (!rc) rc = check_task(o, "compare", i, e.cm.meta.task, &task);
        if (!rc) rc = evaluated_decode(&e, "compare", 0);
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

/* One line per model: its attention, file, epoch, loss, seed and time. */
static void print_model_list(const compared *cmp, int M, int unique)
{
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
}

static void print_models(const compared *cmp, int M, int unique, const char *device)
{
    printf("# Exact match by sentence length\n\n");
    print_model_list(cmp, M, unique);
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

/* The same for models of another task: what each set holds. */
static void print_models_task(const compared *cmp, int M, int unique, const char *device)
{
    const int task = cmp[0].meta.task;
    printf("# Exact match on the %s task\n\n", task_name(task));
    print_model_list(cmp, M, unique);
    printf("\nTest: each model's test split of the %s task, made again from its seed (%d "
           "sentences).",
           task_name(task), EVAL_SET[EVAL_SET_TEST].n);
    int first = 1;
    for (int s = EVAL_SET_TEST + 1; s < EVAL_SETS; s++) {
        if (!evaluated_uses(task, s)) continue;
        printf("%s%s (%d sentences, seed %llu)", first ? " Lengths " : " and ", EVAL_SET[s].range,
               EVAL_SET[s].n, (unsigned long long)EVAL_SET[s].seed);
        first = 0;
    }
    if (!first)
        printf(": the same words at lengths training never shows, with the task's answers.");
    printf(" Greedy decoding on %s.\n\n", device);
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

/* Sums the counts of lengths lo..hi into k[i], n[i] for every model; 1 if
 * any model has sentences there. */
static int length_counts(const compared *cmp, int M, int lo, int hi, long *k, long *n)
{
    int any = 0;
    for (int i = 0; i < M; i++) {
        k[i] = n[i] = 0;
        for (int w = lo; w <= hi; w++) {
            k[i] += cmp[i].correct[w];
            n[i] += cmp[i].count[w];
        }
        any |= n[i] > 0;
    }
    return any;
}

/* A row per length to EVAL_ROW_SINGLE, then per group of lengths (where
 * the task has sets of several lengths), then the totals of each set the
 * task is measured on; percentages when every model was measured on the
 * same sentences, else "k/n". */
static int print_table(const compared *cmp, int M, const char *const *cols)
{
    const int task = cmp[0].meta.task, by_length = evaluated_uses(task, EVAL_SET_11_15);
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
    printf("| %s |%s", by_length ? "words" : "set", same_counts ? " sentences |" : "");
    for (int i = 0; i < M; i++) printf(" %s |", cols[i]);
    printf("\n|---|%s", same_counts ? "---:|" : "");
    for (int i = 0; i < M; i++) printf("---:|");
    printf("\n");
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int nrows = by_length ? evaluated_rows(lo, hi) : 0;
    for (int r = 0; r < nrows; r++)
        if (length_counts(cmp, M, lo[r], hi[r], k, n))
            row(fmt_range(lo[r], hi[r]).s, 0, k, n, M, same_counts);
    char label[64];
    for (int s = 0; s < EVAL_SETS; s++) {
        if (!evaluated_uses(task, s)) continue;
        for (int i = 0; i < M; i++) {
            k[i] = cmp[i].set_k[s];
            n[i] = cmp[i].set_n[s];
        }
        if (EVAL_SET[s].unseen)
            snprintf(label, sizeof label, "%s, %s", EVAL_SET[s].range, EVAL_SET[s].label);
        else
            snprintf(label, sizeof label, "%s", by_length ? EVAL_SET[s].range : "test");
        row(label, 1, k, n, M, same_counts);
    }
    free(k);
    free(n);
    return 0;
}

/* The longest length a model of task is measured on. */
static int max_length(int task)
{
    int maxw = EVAL_TEST_MIN;
    for (int s = 0; s < EVAL_LENGTH_SETS; s++)
        if (evaluated_uses(task, s) && EVAL_SET[s].max > maxw) maxw = EVAL_SET[s].max;
    return maxw;
}

static int plot(const char *png, const compared *cmp, int M, const char *const *cols,
                s2s_error *err)
{
    const int maxw = max_length(cmp[0].meta.task), nlen = maxw - EVAL_TEST_MIN + 1;
    int lengths[NLEN];
    float *accbuf = malloc(sizeof(float) * (size_t)M * NLEN);
    const float **acc = calloc((size_t)M, sizeof *acc);
    if (!accbuf || !acc) {
        free(accbuf);
        free(acc);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the plot of %d models", M);
    }
    for (int w = EVAL_TEST_MIN; w <= maxw; w++) lengths[w - EVAL_TEST_MIN] = w;
    for (int i = 0; i < M; i++) {
        float *a = accbuf + (size_t)i * NLEN;
        for (int w = EVAL_TEST_MIN; w <= maxw; w++)
            a[w - EVAL_TEST_MIN] = (float)percent(cmp[i].correct[w], cmp[i].count[w]);
        acc[i] = a;
    }
    char title[96];
    snprintf(title, sizeof title, "Exact Match by Sentence Length (%d-%d: test set, %d-%d: never "
                                  "trained)",
             EVAL_TEST_MIN, EVAL_TEST_MAX, EVAL_TEST_MAX + 1, maxw);
    int rc = png_write_accuracy_by_length(png, lengths, nlen, cols, acc, M, title, err);
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
    if (cmp[0].meta.task == S2S_TASK_REVERSE)
        print_models(cmp, M, unique, device);
    else
        print_models_task(cmp, M, unique, device);
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
