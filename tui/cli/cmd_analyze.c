/* cmd_analyze.c — `seq2seq analyze`: the attention of a model measured on
 * its test set and on longer sentences, written to analysis.md (report.h),
 * with a summary on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"

/* Adds the exactly reversed sentences of d to st, the others to prof. */
static int gather(const s2s_dataset *d, const s2s_decoded *res, s2s_attn_stats *st,
                  s2s_error_profile *prof, s2s_error *err)
{
    for (int i = 0; i < d->count; i++) {
        const int words = d->src_len[i] - 1;
        if (res->correct[i]) {
            int rc = attn_stats_add(st, res->attn[i], res->steps[i], d->src_len[i], err);
            if (rc) return rc;
            continue;
        }
        if (words < 1 || words > EVAL_MAXW) continue;
        int step = decoded_first_error(res->out + res->out_off[i], res->out_len[i],
                                       res->stopped[i], d->tgt + d->tgt_off[i] + 1, words);
        if (step > 0)
            error_profile_add(&prof[words], step, words, res->out_len[i], res->stopped[i]);
    }
    return 0;
}

/* The summary on stdout. */
static void print_summary(const cli_opts *o, const evaluated *e, const evaluated *b,
                          const s2s_attn_stats *st)
{
    long k, n, kl, nl;
    evaluated_range(e, EVAL_TEST_MIN, EVAL_TEST_MAX, &k, &n);
    evaluated_range(e, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, &kl, &nl);
    s2s_attn_acc all;
    attn_stats_sum(st, 0, S2S_STEPS_WORDS, &all);
    printf("Model: %s (%s attention, epoch %d, device %s)\n", o->model,
           attention_name(model_config(e->cm.m)->attention), e->cm.meta.epoch, e->cm.be->name);
    printf("Exact match: %s on 3-10 words (test set), %s on %d-%d words (never trained)\n",
           fmt_kn(k, n).s, fmt_kn(kl, nl).s, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX);
    if (all.steps)
        printf("Attention over %ld exact sentences (%ld word steps): peak on the mirrored position "
               "%s, mean peak weight %.3f, mean entropy %.3f bits\n",
               attn_stats_sentences(st, 0), all.steps,
               fmt_share(attn_acc_share(&all, attn_offset_bin(0))).s, attn_acc_mean_peak(&all),
               attn_acc_mean_entropy(&all));
    if (o->baseline) {
        long kb, nb;
        evaluated_range(b, EVAL_TEST_MIN, EVAL_TEST_MAX, &kb, &nb);
        printf("Baseline %s (%s attention): %s on 3-10 words\n", o->baseline,
               attention_name(model_config(b->cm.m)->attention), fmt_kn(kb, nb).s);
    }
    printf("Analysis written to %s\n", o->out);
}

int cmd_analyze(const cli_opts *o)
{
    const char *cmd = "analyze";
    evaluated e, b;
    memset(&e, 0, sizeof e);
    memset(&b, 0, sizeof b);
    s2s_attn_stats *st = malloc(sizeof *st), *stl = malloc(sizeof *stl);
    report *r = calloc(1, sizeof *r);
    s2s_error err;
    s2s_error_clear(&err);
    int rc;
    if (!st || !stl || !r) {
        fprintf(stderr, "seq2seq %s: out of memory for the attention statistics (%zu bytes)\n",
                cmd, 2 * sizeof *st + sizeof *r);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    if ((rc = evaluated_open(&e, o, cmd, o->model, 1)) != 0) goto done;
    if (model_config(e.cm.m)->attention == S2S_ATTN_NONE) {
        fprintf(stderr, "seq2seq %s: %s has no attention (trained with --attention none), so "
                        "there is nothing to measure; give it as --baseline of a model with "
                        "attention\n",
                cmd, o->model);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    if (o->baseline && (rc = evaluated_open(&b, o, cmd, o->baseline, 0)) != 0) goto done;

    attn_stats_init(st);
    attn_stats_init(stl);
    r->o = o;
    r->device = e.cm.be->name;
    r->e = &e;
    r->base = o->baseline ? &b : NULL;
    r->st = st;
    r->stl = stl;
    if (gather(&e.dte, &e.rte, st, r->prof, &err) || gather(&e.dlg, &e.rlg, stl, r->prof, &err) ||
        report_write(o->out, r, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    print_summary(o, &e, &b, st);
    rc = CLI_EXIT_OK;
done:
    fflush(stdout);
    evaluated_close(&e);
    evaluated_close(&b);
    free(st);
    free(stl);
    free(r);
    return rc;
}
