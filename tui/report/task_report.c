/* task_report.c — analysis.md for tasks other than reversal; see task_report.h. */
#include "task_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic.h"
#include "evaluate.h"
#include "report.h"
#include "task.h"

/* Wording thresholds (also printed at the end of analysis.md). */
#define FOLLOWS 0.95     /* peak-in-span share for "follows the reference" */
#define MOSTLY 0.80      /* ... for "mostly follows" */
#define PARTLY 0.50      /* ... for "partly follows"; below: "does not follow" */
#define MONOTONIC 0.95   /* share of moves at or right of the previous peak */
#define MOSTLY_MONO 0.80 /* ... for "mostly monotonic" */
#define DIAGONAL 0.80    /* share of moves exactly one position right for "diagonal" */
#define STILL 0.50       /* share of moves in place for "does not follow the output" */
#define SHARP 0.15       /* mean normalised entropy at most this: "sharp" */
#define FOCUSED 0.40     /* ... at most this: "focused"; above: "spread" */
#define CLEAR_GAP 5.0    /* percentage points for "holds" against "drops" */

/* What each task's reference alignment is, in one line. */
static const char *const REFERENCE[S2S_TASKS] = {
    [S2S_TASK_REVERSE] = "target word j comes from source word n-1-j (the anti-diagonal)",
    [S2S_TASK_COPY] = "target word j comes from source word j (the diagonal)",
    [S2S_TASK_SORT] = "the j-th target word comes from the source position of the j-th smallest "
                      "word (equal words in source order): the attention has to jump by content",
    [S2S_TASK_DATES] = "each digit of YYYY-MM-DD comes from the source characters of its field "
                       "(the year's digits one each, an implied century's two digits from the "
                       "two written ones, a month's digits from the whole month field, a day's "
                       "from the day's digits); the dashes come from none",
    [S2S_TASK_PAIRS] = "none: the pairs of a file carry no reference alignment, so only the "
                       "attention's entropy and movement are measured",
};

static const char *const KIND_NAME[S2S_STEP_KINDS] = {"first step", "middle steps",
                                                     "last token's step", "`<EOS>` step"};

static int task_of(const task_report *r)
{
    return r->e->cm.meta.task;
}

static const char *unit(const task_report *r)
{
    return r->e->cm.meta.tokens == S2S_TOKENS_CHARS ? "characters" : "words";
}

/* How the text names set s: "the test set", "11-15 words". */
static txt set_name(const task_report *r, int s)
{
    txt t;
    if (s == EVAL_SET_TEST)
        snprintf(t.s, sizeof t.s, "the test set");
    else
        snprintf(t.s, sizeof t.s, "%s %s", EVAL_SET[s].range, unit(r));
    return t;
}

/* Test set: where it comes from; then exact match and token accuracy. */
static void header_test(FILE *f, const task_report *r)
{
    const evaluated *e = r->e;
    const eval_part *p = &e->set[EVAL_SET_TEST];
    if (e->test)
        fprintf(f, "- Test set: `%s`, %ld sentences", e->test, p->n);
    else
        fprintf(f, "- Test set: the %s task's test split of seed %llu, %ld sentences",
                task_name(task_of(r)), (unsigned long long)e->cm.meta.seed, p->n);
    fprintf(f, " (tokens: %s); decoded greedily on %s\n", unit(r), r->device);
    long ok, total;
    token_accuracy(&p->d, &p->r, &ok, &total);
    fprintf(f, "- **Test exact match: %s**; token accuracy %s", fmt_kn(p->k, p->n).s,
            fmt_kn(ok, total).s);
    int first = 1;
    for (int s = EVAL_SET_TEST + 1; s < EVAL_SETS; s++) {
        if (!evaluated_uses(task_of(r), s)) continue;
        fprintf(f, "%s %ld sentences of %s %s (seed %llu): %s",
                first ? "; at lengths training never shows (the same words):" : ";", e->set[s].n,
                EVAL_SET[s].range, unit(r), (unsigned long long)EVAL_SET[s].seed,
                fmt_kn(e->set[s].k, e->set[s].n).s);
        first = 0;
    }
    fprintf(f, "\n");
}

static void write_header(FILE *f, const task_report *r)
{
    const evaluated *e = r->e;
    fprintf(f, "# Attention analysis: the %s task\n\n"
               "Written by `seq2seq analyze`; every figure below was measured in this run.\n\n",
            task_name(task_of(r)));
    report_model_lines(f, e, 1);
    fprintf(f, "- Reference alignment (%s): %s\n", task_name(task_of(r)),
            REFERENCE[task_of(r)]);
    header_test(f, r);
    const long n = e->set[EVAL_SET_TEST].n, n_exact = r->st[EVAL_SET_TEST].sentences;
    fprintf(f, "- Attention statistics: over the %ld test sentences decoded exactly", n_exact);
    if (n > n_exact)
        fprintf(f, "; the other %ld are left out: once an output goes wrong, its steps no "
                   "longer write the target's tokens",
                n - n_exact);
    fprintf(f, ".\n\n");
}

static void write_method(FILE *f, const task_report *r)
{
    fprintf(f, "## How it is measured\n\n"
               "A sentence decoded exactly takes one decoder step per target token, then one "
               "that writes `<EOS>`. At each step the *peak* is the source position (the "
               "source tokens, then the source `<EOS>`) with the largest attention weight.");
    if (task_of(r) != S2S_TASK_PAIRS)
        fprintf(f, " The step's *reference span* is the source positions that carry its token "
                   "(the `<EOS>` step's: the source `<EOS>`); *peak in span* is the share of "
                   "steps whose peak falls inside it, *weight in span* the mean attention "
                   "weight inside it. Steps whose token no source position carries count for "
                   "entropy and movement only.");
    fprintf(f, " *Entropy* is that of the step's weights in bits, *normalised* divided by log2 "
               "of the row's columns (0: all weight on one position, 1: uniform). *Forward* is "
               "the share of steps after the first whose peak is at or to the right of the "
               "previous step's peak, *in place* the share on it, *+1* the share exactly one "
               "position to the right (a diagonal), *mean jump* the mean distance between "
               "consecutive peaks in positions. The first step, the middle ones, the last "
               "token's step and the `<EOS>` step are also kept apart.");
    if (r->prefix)
        fprintf(f, " The model's attention also sees %d start-marker column%s before the first "
                   "token: peaks are taken after %s, weights and entropies over the whole row.",
                r->prefix, r->prefix == 1 ? "" : "s", r->prefix == 1 ? "it" : "them");
    fprintf(f, "\n\n");
}

/* Exact match by source length over every set a model of this task is
 * measured on (the sets' lengths do not overlap), then each set's total. */
static void table_exact(FILE *f, const task_report *r)
{
    enum { W = S2S_MAX_SENTENCE_WORDS };
    long count[EVAL_SETS][W + 1], correct[EVAL_SETS][W + 1];
    memset(count, 0, sizeof count);
    memset(correct, 0, sizeof correct);
    int first = W, last = 1;
    for (int s = 0; s < EVAL_SETS; s++) {
        const eval_part *p = &r->e->set[s];
        if (!evaluated_uses(task_of(r), s) || !p->r.correct) continue;
        exact_by_length(&p->d, p->r.correct, W, count[s], correct[s]);
        for (int w = 1; w <= W; w++)
            if (count[s][w]) {
                first = w < first ? w : first;
                last = w > last ? w : last;
            }
    }
    fprintf(f, "## Exact match by length\n\n| %s | set | sentences | exact match |\n"
               "|---:|---|---:|---:|\n", unit(r));
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int rows = first <= last ? evaluated_rows_between(first, last, lo, hi) : 0;
    for (int i = 0; i < rows; i++) {
        long k = 0, n = 0;
        int set = -1;
        for (int s = 0; s < EVAL_SETS; s++)
            for (int w = lo[i]; w <= hi[i]; w++) {
                if (count[s][w] && set < 0) set = s;
                k += correct[s][w];
                n += count[s][w];
            }
        if (n)
            fprintf(f, "| %s | %s | %ld | %s |\n", fmt_range(lo[i], hi[i]).s,
                    set == EVAL_SET_TEST ? "test" : "never trained", n, fmt_kn(k, n).s);
    }
    for (int s = 0; s < EVAL_SETS; s++)
        if (evaluated_uses(task_of(r), s))
            fprintf(f, "| **all** | %s | %ld | **%s** |\n", set_name(r, s).s, r->e->set[s].n,
                    fmt_kn(r->e->set[s].k, r->e->set[s].n).s);
    fprintf(f, "\n");
}

/* One row of the alignment tables: label, count, then the measures (those
 * against the reference only when there is one). */
static void align_row(FILE *f, const char *label, long count, const s2s_align_acc *a, int ref)
{
    fprintf(f, "| %s | %ld | %ld |", label, count, a->steps);
    if (ref)
        fprintf(f, " %s | %s | %s |", fmt_share(align_acc_share_in_span(a)).s,
                fmt_share(align_acc_share_after_span(a)).s,
                fmt_weight(align_acc_mean_on_span(a)).s);
    fprintf(f, " %s | %s | %s | %s | %s | %s |\n", fmt_weight(align_acc_mean_entropy(a)).s,
            fmt_weight(align_acc_mean_entropy_norm(a)).s, fmt_share(align_acc_share_forward(a)).s,
            fmt_share(align_acc_share_stay(a)).s, fmt_share(align_acc_share_next(a)).s,
            fmt_weight(align_acc_mean_jump(a)).s);
}

static void align_header(FILE *f, const char *first, const char *count, int ref)
{
    fprintf(f, "| %s | %s | steps |%s entropy (bits) | normalised | forward | in place | +1 | "
               "mean jump |\n|---|---:|---:|%s---:|---:|---:|---:|---:|---:|\n",
            first, count, ref ? " peak in span | peak just after | weight in span |" : "",
            ref ? "---:|---:|---:|" : "");
}

static void tables_alignment(FILE *f, const task_report *r, int ref)
{
    fprintf(f, "## Alignment\n\nBy set, over every step of the sentences decoded exactly:\n\n");
    align_header(f, "set", "sentences", ref);
    for (int s = 0; s < EVAL_SETS; s++) {
        if (!evaluated_uses(task_of(r), s)) continue;
        s2s_align_acc a;
        align_stats_sum(&r->st[s], S2S_STEPS_ALL, &a);
        align_row(f, set_name(r, s).s, r->st[s].sentences, &a, ref);
    }
    fprintf(f, "\nBy output position, test set:\n\n");
    align_header(f, "steps", "sentences", ref);
    const s2s_align_stats *st = &r->st[EVAL_SET_TEST];
    for (int k = 0; k < S2S_STEP_KINDS; k++) {
        s2s_align_acc a;
        align_stats_sum(st, k, &a);
        align_row(f, KIND_NAME[k], st->sentences, &a, ref);
    }
    s2s_align_acc all;
    align_stats_sum(st, S2S_STEPS_ALL, &all);
    align_row(f, "**all steps**", st->sentences, &all, ref);
    fprintf(f, "\n");
}

/* Peak in span: how well the attention follows the reference. */
static void say_alignment(FILE *f, const s2s_align_stats *st)
{
    s2s_align_acc all, eos;
    align_stats_sum(st, S2S_STEPS_ALL, &all);
    align_stats_sum(st, S2S_STEP_EOS, &eos);
    const double in = align_acc_share_in_span(&all);
    const char *how = in >= FOLLOWS  ? "follows the reference alignment"
                      : in >= MOSTLY ? "mostly follows the reference alignment"
                      : in >= PARTLY ? "partly follows the reference alignment"
                                     : "does not follow the reference alignment";
    fprintf(f, "- The peak falls inside the reference span at %s of steps (%ld of %ld steps "
               "with a span): the attention %s. On average %s of the weight lies inside the "
               "span.\n",
            fmt_share(in).s, all.in_span, all.ref_steps, how,
            fmt_share(align_acc_mean_on_span(&all)).s);
    const double after = align_acc_share_after_span(&all);
    if (after >= 0.2)
        fprintf(f, "- At %s of steps (%ld) the peak is on the position just after the span "
                   "instead: the encoder reads left to right, so its state there has read the "
                   "whole span%s.\n",
                fmt_share(after).s, all.after_span,
                in + after >= MOSTLY ? "; in the span or just after it, the attention mostly "
                                       "follows the reference" : "");
    fprintf(f, "- At the `<EOS>` step the peak is on the source `<EOS>` in %s of sentences "
               "(weight there %s).\n",
            fmt_share(align_acc_share_in_span(&eos)).s, fmt_weight(align_acc_mean_on_span(&eos)).s);
}

/* Moves right, in place, left: monotonic, diagonal, still, or jumping. */
static void say_movement(FILE *f, const s2s_align_stats *st)
{
    s2s_align_acc all;
    align_stats_sum(st, S2S_STEPS_ALL, &all);
    const double fw = align_acc_share_forward(&all), stay = align_acc_share_stay(&all),
                 nx = align_acc_share_next(&all);
    const char *how = fw >= MONOTONIC     ? "monotonic"
                      : fw >= MOSTLY_MONO ? "mostly monotonic"
                                          : "not monotonic";
    fprintf(f, "- Of the steps after the first, the attention's peak moves right at %s, stays "
               "where it was at %s and moves left at %s: %s.",
            fmt_percent(percent(all.forward - all.stay, all.moves)).s, fmt_share(stay).s,
            fmt_percent(percent(all.moves - all.forward, all.moves)).s, how);
    if (nx >= DIAGONAL)
        fprintf(f, " It moves exactly one position right at %s: it runs along the diagonal, "
                   "one source position per output token.\n",
                fmt_share(nx).s);
    else if (stay >= STILL)
        fprintf(f, " Staying put at most steps, it does not follow the output token by token "
                   "(mean jump %s positions).\n",
                fmt_weight(align_acc_mean_jump(&all)).s);
    else
        fprintf(f, " It moves exactly one position right at %s, and its peak jumps %s "
                   "positions on average.\n",
                fmt_share(nx).s, fmt_weight(align_acc_mean_jump(&all)).s);
}

static void say_entropy(FILE *f, const s2s_align_stats *st)
{
    s2s_align_acc all;
    align_stats_sum(st, S2S_STEPS_ALL, &all);
    const double h = align_acc_mean_entropy_norm(&all);
    const char *how = h <= SHARP     ? "sharp: nearly all weight on one position"
                      : h <= FOCUSED ? "focused on a few positions"
                                     : "spread over many positions";
    fprintf(f, "- Mean entropy %s bits (normalised %s): the attention is %s.\n",
            fmt_weight(align_acc_mean_entropy(&all)).s, fmt_weight(h).s, how);
}

/* The longer sets against the test set: exact match and peak in span. */
static void say_lengths(FILE *f, const task_report *r, int ref)
{
    const evaluated *e = r->e;
    const double base = percent(e->set[EVAL_SET_TEST].k, e->set[EVAL_SET_TEST].n);
    for (int s = EVAL_SET_TEST + 1; s < EVAL_SETS; s++) {
        if (!evaluated_uses(task_of(r), s)) continue;
        const double pct = percent(e->set[s].k, e->set[s].n);
        fprintf(f, "- At %s (never trained) exact match is %s against the test set's %s: it %s",
                set_name(r, s).s, fmt_kn(e->set[s].k, e->set[s].n).s, fmt_percent(base).s,
                pct >= base - CLEAR_GAP ? "holds" : "drops");
        s2s_align_acc a;
        align_stats_sum(&r->st[s], S2S_STEPS_ALL, &a);
        if (r->st[s].sentences == 0)
            fprintf(f, "; no sentence is decoded exactly, so its attention is not measured.\n");
        else if (ref)
            fprintf(f, "; over its %ld sentences decoded exactly the peak falls inside the span "
                       "at %s of steps and stays or moves right at %s.\n",
                    r->st[s].sentences, fmt_share(align_acc_share_in_span(&a)).s,
                    fmt_share(align_acc_share_forward(&a)).s);
        else
            fprintf(f, "; over its %ld sentences decoded exactly attention stays or moves right "
                       "at %s of steps.\n",
                    r->st[s].sentences, fmt_share(align_acc_share_forward(&a)).s);
    }
}

static void write_findings(FILE *f, const task_report *r, int ref)
{
    const s2s_align_stats *st = &r->st[EVAL_SET_TEST];
    fprintf(f, "## What the numbers say\n\n");
    if (st->sentences == 0) {
        fprintf(f, "- No test sentence was decoded exactly (%s), so the attention cannot be "
                   "measured.\n",
                fmt_kn(r->e->set[EVAL_SET_TEST].k, r->e->set[EVAL_SET_TEST].n).s);
    } else {
        if (ref) say_alignment(f, st);
        say_movement(f, st);
        say_entropy(f, st);
    }
    say_lengths(f, r, ref);
    fprintf(f, "\n---\n\nWording rules: ");
    if (ref)
        fprintf(f, "the attention \"follows\" the reference when at least %.0f%% of steps with "
                   "a span have their peak inside it, \"mostly\" from %.0f%%, \"partly\" from "
                   "%.0f%%; ",
                100 * FOLLOWS, 100 * MOSTLY, 100 * PARTLY);
    fprintf(f, "the attention is \"monotonic\" when at least %.0f%% of moves are "
               "at or right of the previous peak, \"mostly monotonic\" from %.0f%%, and runs "
               "\"along the diagonal\" when at least %.0f%% move exactly one position right, and "
               "\"does not follow the output\" when at least %.0f%% stay in place; "
               "it is \"sharp\" when the mean normalised entropy is at most %.2f, \"focused\" "
               "up to %.2f; exact match at an unseen length \"holds\" within %.0f points of the "
               "test set's.\n",
            100 * MONOTONIC, 100 * MOSTLY_MONO,
            100 * DIAGONAL, 100 * STILL, SHARP, FOCUSED, CLEAR_GAP);
}

int task_report_write(const char *path, const task_report *r, s2s_error *err)
{
    s2s_atomic out;
    int rc = atomic_open(&out, path, "w", err);
    if (rc) return rc;
    long referenced = 0;
    for (int s = 0; s < EVAL_SETS; s++) referenced += r->st[s].referenced;
    /* Measures against the reference only where some sentence had one. */
    const int ref = task_of(r) != S2S_TASK_PAIRS && referenced > 0;
    write_header(out.f, r);
    write_method(out.f, r);
    table_exact(out.f, r);
    tables_alignment(out.f, r, ref);
    write_findings(out.f, r, ref);
    return atomic_commit(&out, 0, err);
}
