/* cmd_analyze.c — `seq2seq analyze`: the attention of a model measured on
 * its test set, on longer sentences and on sentences with unseen words
 * (evaluated.h), written to analysis.md (report.h for reversal,
 * task_report.h for the other tasks), with a summary on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "task.h"
#include "task_report.h"

/* Adds set s's sentences reversed exactly to r's statistics of that set,
 * the others to its error profiles. */
static int gather(const evaluated *e, int s, report *r, s2s_attn_stats *st, s2s_error *err)
{
    const eval_part *p = &e->set[s];
    const s2s_dataset *d = &p->d;
    const s2s_decoded *res = &p->r;
    for (int i = 0; i < d->count; i++) {
        const int words = d->src_len[i] - 1, step = p->first_error[i];
        if (step == 0) {
            int rc = attn_stats_add_prefixed(st, res->attn[i], res->steps[i], res->prefix,
                                             res->prefix + d->src_len[i], err);
            if (rc) return rc;
            continue;
        }
        if (words < 1 || words > EVAL_MAXW || step < 0) continue;
        error_profile_add(&r->prof[s][words], step, words, res->out_len[i], res->stopped[i]);
        if (s == EVAL_SET_UNSEEN1) /* step n - j writes source word j (0-based) */
            for (int j = 0; j < words; j++)
                if (d->src[d->src_off[i] + j] == S2S_UNK && step == words - j) r->wrong_at_unseen++;
    }
    return 0;
}

static void print_model_line(const cli_opts *o, const evaluated *e)
{
    printf("Model: %s (%s attention, epoch %d, device %s; sets decoded in %.1f s)\n", o->model,
           attention_name(model_config(e->cm.m)->attention), e->cm.meta.epoch, e->cm.be->name,
           e->seconds);
}

/* The summary on stdout. */
static void print_summary(const cli_opts *o, const evaluated *e, const evaluated *b,
                          const s2s_attn_stats *st)
{
    s2s_attn_acc all;
    attn_stats_sum(st, 0, S2S_STEPS_WORDS, &all);
    print_model_line(o, e);
    printf("Exact match:");
    for (int s = 0; s < EVAL_SETS; s++)
        printf("%s %s on %s words (%s)", s ? "," : "", fmt_kn(e->set[s].k, e->set[s].n).s,
               EVAL_SET[s].range, EVAL_SET[s].label);
    printf("\n");
    if (all.steps)
        printf("Attention over %ld exact sentences (%ld word steps): peak on the mirrored position "
               "%s, mean peak weight %.3f, mean entropy %.3f bits\n",
               attn_stats_sentences(st, 0), all.steps,
               fmt_share(attn_acc_share(&all, attn_offset_bin(0))).s, attn_acc_mean_peak(&all),
               attn_acc_mean_entropy(&all));
    if (o->baseline)
        printf("Baseline %s (%s attention): %s on 3-10 words\n", o->baseline,
               attention_name(model_config(b->cm.m)->attention),
               fmt_kn(b->set[EVAL_SET_TEST].k, b->set[EVAL_SET_TEST].n).s);
    printf("Analysis written to %s\n", o->out);
}

/* The reversal analysis (report.h): every set, the oracle lengths, and a
 * --baseline model. */
static int analyze_reversal(const cli_opts *o, evaluated *e)
{
    const char *cmd = "analyze";
    evaluated b;
    memset(&b, 0, sizeof b);
    s2s_attn_stats *st[EVAL_SETS] = {0};
    int have_st = 1;
    for (int k = 0; k < EVAL_SETS; k++) have_st &= (st[k] = malloc(sizeof *st[k])) != NULL;
    report *r = calloc(1, sizeof *r);
    s2s_error err;
    s2s_error_clear(&err);
    int rc;
    if (!have_st || !r) {
        fprintf(stderr, "seq2seq %s: out of memory for the attention statistics (%zu bytes)\n",
                cmd, EVAL_SETS * sizeof *st[0] + sizeof *r);
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    if ((rc = evaluated_decode(e, cmd, 1)) != 0) goto done;
    if ((rc = evaluated_oracle(e, cmd)) != 0) goto done;
    if (o->baseline && (rc = evaluated_open(&b, o, cmd, o->baseline, 0)) != 0) goto done;

    r->o = o;
    r->device = e->cm.be->name;
    r->e = e;
    r->base = o->baseline ? &b : NULL;
    r->prefix = e->set[EVAL_SET_TEST].r.prefix;
    for (int k = 0; k < EVAL_SETS; k++) {
        attn_stats_init(st[k]);
        r->st[k] = st[k];
        if (gather(e, k, r, st[k], &err)) {
            rc = cli_fail(cmd, &err);
            goto done;
        }
    }
    if (report_write(o->out, r, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    print_summary(o, e, &b, st[EVAL_SET_TEST]);
    rc = CLI_EXIT_OK;
done:
    evaluated_close(&b);
    for (int k = 0; k < EVAL_SETS; k++) free(st[k]);
    free(r);
    return rc;
}

/* Adds the sentences of each set decoded exactly to its alignment
 * statistics, against the task's reference alignment where it has one. */
static int gather_alignment(const evaluated *e, task_report *tr, s2s_error *err)
{
    const int task = e->cm.meta.task;
    int lo[S2S_MAX_STEPS + 1], hi[S2S_MAX_STEPS + 1];
    for (int s = 0; s < EVAL_SETS; s++) {
        align_stats_init(&tr->st[s]);
        if (!evaluated_uses(task, s)) continue;
        const eval_part *p = &e->set[s];
        for (int i = 0; i < p->d.count; i++) {
            if (!p->r.correct[i]) continue;
            const s2s_sentence *t = &p->c.t[i];
            /* A correct decoding has a step per target token, then <EOS>. */
            const int ref = p->r.steps[i] == t->len + 1 && t->len < S2S_MAX_STEPS &&
                            align_reference(task, &p->c.s[i], t, lo, hi);
            int rc = align_stats_add(&tr->st[s], p->r.attn[i], p->r.steps[i], p->r.prefix,
                                     p->r.prefix + p->d.src_len[i], ref ? lo : NULL,
                                     ref ? hi : NULL, err);
            if (rc) return rc;
        }
    }
    return 0;
}

static void print_task_summary(const cli_opts *o, const evaluated *e, const task_report *tr)
{
    const int task = e->cm.meta.task;
    print_model_line(o, e);
    printf("Task: %s. Exact match:", task_name(task));
    for (int s = 0; s < EVAL_SETS; s++)
        if (evaluated_uses(task, s))
            printf("%s %s on %s", s ? "," : "", fmt_kn(e->set[s].k, e->set[s].n).s,
                   s == EVAL_SET_TEST ? "the test set" : EVAL_SET[s].range);
    printf("\n");
    s2s_align_acc all;
    align_stats_sum(&tr->st[EVAL_SET_TEST], S2S_STEPS_ALL, &all);
    if (all.steps) {
        printf("Attention over %ld exact test sentences (%ld steps):",
               tr->st[EVAL_SET_TEST].sentences, all.steps);
        if (all.ref_steps)
            printf(" peak inside the reference span %s,",
                   fmt_share(align_acc_share_in_span(&all)).s);
        printf(" peak moves right %s, stays %s, mean entropy %.3f bits\n",
               fmt_share(align_acc_share_forward(&all) - align_acc_share_stay(&all)).s,
               fmt_share(align_acc_share_stay(&all)).s, align_acc_mean_entropy(&all));
    }
    printf("Analysis written to %s\n", o->out);
}

/* Any other task (task_report.h): its own sets, against its reference
 * alignment. */
static int analyze_task(const cli_opts *o, evaluated *e)
{
    const char *cmd = "analyze";
    int rc = evaluated_decode(e, cmd, 1);
    if (rc) return rc;
    task_report *tr = calloc(1, sizeof *tr);
    if (!tr) {
        fprintf(stderr, "seq2seq %s: out of memory for the alignment statistics\n", cmd);
        return CLI_EXIT_ERROR;
    }
    tr->device = e->cm.be->name;
    tr->e = e;
    tr->prefix = e->set[EVAL_SET_TEST].r.prefix;
    s2s_error err;
    s2s_error_clear(&err);
    if (gather_alignment(e, tr, &err) || task_report_write(o->out, tr, &err))
        rc = cli_fail(cmd, &err);
    else
        print_task_summary(o, e, tr);
    free(tr);
    return rc;
}

/* What makes a model unfit for analyze, before anything is decoded. */
static int check_model(const cli_opts *o, const evaluated *e, const char *cmd)
{
    const int task = e->cm.meta.task;
    if (model_config(e->cm.m)->attention == S2S_ATTN_NONE) {
        fprintf(stderr, "seq2seq %s: %s has no attention (trained with --attention none), so "
                        "there is nothing to measure; give it as --baseline of a model with "
                        "attention\n",
                cmd, o->model);
        return CLI_EXIT_ERROR;
    }
    if (task == S2S_TASK_REVERSE && o->test) {
        fprintf(stderr, "seq2seq %s: --test is for models of other tasks than reverse; %s is "
                        "measured on the reversal sets it was made for\n",
                cmd, o->model);
        return CLI_EXIT_USAGE;
    }
    if (task != S2S_TASK_REVERSE && o->baseline) {
        fprintf(stderr, "seq2seq %s: --baseline goes with reversal models; %s is a model of the "
                        "%s task\n",
                cmd, o->model, task_name(task));
        return CLI_EXIT_USAGE;
    }
    if (task == S2S_TASK_PAIRS && !o->test) {
        fprintf(stderr, "seq2seq %s: %s was trained on pairs of its own (--pairs), whose test "
                        "split the checkpoint cannot make again: give its test pairs with "
                        "--test FILE\n",
                cmd, o->model);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cmd_analyze(const cli_opts *o)
{
    const char *cmd = "analyze";
    evaluated e;
    int rc = evaluated_load(&e, o, cmd, o->model);
    if (!rc) rc = check_model(o, &e, cmd);
    if (!rc)
        rc = e.cm.meta.task == S2S_TASK_REVERSE ? analyze_reversal(o, &e) : analyze_task(o, &e);
    fflush(stdout);
    evaluated_close(&e);
    return rc;
}
