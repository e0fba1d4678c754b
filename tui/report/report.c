/* report.c — analysis.md; see report.h. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "model.h"

/* Wording thresholds (also printed at the end of analysis.md). */
#define ALIGNS 0.95     /* offset-0 share for "aligns" */
#define MOSTLY 0.80     /* ... for "mostly aligns" */
#define DOMINANT 0.50   /* a non-zero offset this common is "the" shift */
#define SHARP 0.90      /* mean peak weight for "sharp" */
#define FOCUSED 0.60    /* ... for "mostly on one position" */
#define FLAT 0.03       /* peak weights closer than this are "about the same" */
#define CLEAR_GAIN 5.0  /* exact-match points for "helps" / "does better" */

/* ------------------------------------------------------------- formatting */

double percent(long k, long n)
{
    return n > 0 ? 100.0 * (double)k / (double)n : NAN;
}
/* A share (0..1) as a percentage, "-" when there is none. */
txt fmt_share(double frac)
{
    txt t;
    if (isnan(frac))
        snprintf(t.s, sizeof t.s, "-");
    else
        snprintf(t.s, sizeof t.s, "%.1f%%", 100.0 * frac);
    return t;
}

/* A percentage already in 0..100. */
txt fmt_percent(double v)
{
    return fmt_share(isnan(v) ? NAN : v / 100.0);
}

/* A weight or an entropy with 3 decimals. */
txt fmt_weight(double x)
{
    txt t;
    if (isnan(x))
        snprintf(t.s, sizeof t.s, "-");
    else
        snprintf(t.s, sizeof t.s, "%.3f", x);
    return t;
}

/* fmt_weight under the short name the tables below use. */
static txt W(double x)
{
    return fmt_weight(x);
}

/* "k/n" with the percentage: "99.2% (124/125)". */
txt fmt_kn(long k, long n)
{
    txt t;
    if (n <= 0)
        snprintf(t.s, sizeof t.s, "-");
    else
        snprintf(t.s, sizeof t.s, "%.1f%% (%ld/%ld)", percent(k, n), k, n);
    return t;
}

static txt bin_label(int bin)
{
    txt t;
    if (bin == S2S_OFF_BIN_LEFT)
        snprintf(t.s, sizeof t.s, "< %d", S2S_OFF_MIN);
    else if (bin == S2S_OFF_BIN_RIGHT)
        snprintf(t.s, sizeof t.s, "> +%d", S2S_OFF_MAX);
    else
        snprintf(t.s, sizeof t.s, attn_bin_offset(bin) > 0 ? "+%d" : "%d", attn_bin_offset(bin));
    return t;
}

static const char *const KIND_NAME[S2S_STEP_KINDS] = {"first step", "middle steps",
                                                     "last word's step", "`<EOS>` step"};

/* "1 sentence" / "2 sentences". */
static const char *pl(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* -------------------------------------------------------------- the report */



/* The most common bin of a other than `skip`, -1 if none has steps. */
static int runner_up(const s2s_attn_acc *a, int skip)
{
    int best = -1;
    for (int b = 0; b < S2S_OFF_BINS; b++)
        if (b != skip && a->offset[b] > 0 && (best < 0 || a->offset[b] > a->offset[best]))
            best = b;
    return best;
}

/* "one", "two", "three", or the number. */
static txt count_word(int d)
{
    static const char *const NAMES[] = {"zero", "one", "two", "three"};
    txt t;
    if (d >= 0 && d <= 3)
        snprintf(t.s, sizeof t.s, "%s", NAMES[d]);
    else
        snprintf(t.s, sizeof t.s, "%d", d);
    return t;
}

/* How offset_words describes +1. */
enum { OW_WORDS = 0,      /* word steps after the first: the word written a step earlier */
       OW_WORDS_FIRST,    /* word steps, some first steps among them at +1 */
       OW_FIRST };        /* first steps: +1 is the source <EOS> */

/* Where an offset bin is, in words, for a word step. */
static void offset_words(FILE *f, int bin, int mode)
{
    const int d = attn_bin_offset(bin);
    const char *s = (d == 1 || d == -1) ? "" : "s";
    if (bin == S2S_OFF_BIN_LEFT)
        fprintf(f, "more than %d positions left of the mirrored position", -S2S_OFF_MIN);
    else if (bin == S2S_OFF_BIN_RIGHT)
        fprintf(f, "more than %d positions right of the mirrored position", S2S_OFF_MAX);
    else if (d == 0)
        fprintf(f, "on the mirrored position");
    else if (d > 0 && mode == OW_FIRST)
        fprintf(f, "%s position%s right of the mirrored position, on the source `<EOS>`",
                count_word(d).s, s);
    else if (d > 0)
        fprintf(f, "%s position%s right of the mirrored position, on the word written %s step%s "
                   "earlier%s",
                count_word(d).s, s, count_word(d).s, s,
                mode == OW_WORDS_FIRST ? "; at the first step, the source `<EOS>`" : "");
    else
        fprintf(f, "%s position%s left of the mirrored position, on the word to be written %s "
                   "step%s later",
                count_word(-d).s, s, count_word(-d).s, s);
}

/* The offset_words mode for the word steps of st at bin. */
static int words_mode(const s2s_attn_stats *st, int bin)
{
    s2s_attn_acc first;
    attn_stats_sum(st, 0, S2S_STEP_FIRST, &first);
    return first.offset[bin] > 0 ? OW_WORDS_FIRST : OW_WORDS;
}

static double share0(const s2s_attn_acc *a)
{
    return attn_acc_share(a, attn_offset_bin(0));
}

static double frac(long k, long n)
{
    return n > 0 ? (double)k / (double)n : NAN;
}

static const s2s_attn_stats *test_st(const report *r)
{
    return r->st[EVAL_SET_TEST];
}

/* "7" or "16-20". */
txt fmt_range(int lo, int hi)
{
    txt t;
    if (lo == hi)
        snprintf(t.s, sizeof t.s, "%d", lo);
    else
        snprintf(t.s, sizeof t.s, "%d-%d", lo, hi);
    return t;
}

/* Exact match of e over lengths lo..hi of the length sets, in percent. */
static double pct_range(const evaluated *e, int lo, int hi)
{
    long k, n;
    evaluated_range(e, lo, hi, &k, &n);
    return percent(k, n);
}

static double pct_set(const evaluated *e, int s)
{
    return percent(e->set[s].k, e->set[s].n);
}

/* How the text names a set: "11-15 words", "3-10 words with one unseen
 * word", "3-10 unseen words". */
static txt set_name(int s)
{
    txt t;
    if (EVAL_SET[s].unseen == S2S_UNSEEN_ALL)
        snprintf(t.s, sizeof t.s, "%s unseen words", EVAL_SET[s].range);
    else if (EVAL_SET[s].unseen)
        snprintf(t.s, sizeof t.s, EVAL_SET[s].unseen == 1 ? "%s words with one unseen word"
                                                          : "%s words with %d unseen words",
                 EVAL_SET[s].range, EVAL_SET[s].unseen);
    else
        snprintf(t.s, sizeof t.s, "%s words", EVAL_SET[s].range);
    return t;
}

static void table_exact(FILE *f, const report *r)
{
    const evaluated *e = r->e, *b = r->base;
    fprintf(f, "| words | set | sentences | exact match |%s\n",
            b ? " baseline's exact match |" : "");
    fprintf(f, "|---:|---|---:|---:|%s\n", b ? "---:|" : "");
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int rows = evaluated_rows(lo, hi);
    long k, n, kb, nb = 0;
    for (int i = 0; i < rows; i++) {
        evaluated_range(e, lo[i], hi[i], &k, &n);
        if (b) evaluated_range(b, lo[i], hi[i], &kb, &nb);
        if (!n && !nb) continue;
        fprintf(f, "| %s | %s | %ld | %s |", fmt_range(lo[i], hi[i]).s,
                EVAL_SET[evaluated_set_of_length(lo[i])].label, n, fmt_kn(k, n).s);
        if (b) fprintf(f, " %s |", fmt_kn(kb, nb).s);
        fprintf(f, "\n");
    }
    for (int s2 = 0; s2 < EVAL_SETS; s2++) {
        const eval_part *p = &e->set[s2];
        fprintf(f, "| **%s** | %s | %ld | **%s** |", EVAL_SET[s2].range, EVAL_SET[s2].label, p->n,
                fmt_kn(p->k, p->n).s);
        if (b) fprintf(f, " **%s** |", fmt_kn(b->set[s2].k, b->set[s2].n).s);
        fprintf(f, "\n");
    }
}

/* Stopping or alignment: each length set decoded freely and with an oracle
 * length (no <EOS> before n words). Where the oracle gains CLEAR_GAIN points
 * or more, stopping explains that much of the failure; where it does not,
 * the words themselves are wrong. */
static void table_oracle(FILE *f, const report *r)
{
    const evaluated *e = r->e;
    if (e->set[EVAL_SET_11_15].k_oracle < 0) return;
    fprintf(f, "\n### Stopping or alignment? (oracle length)\n\n"
               "Each set of known words decoded again with an oracle length: no sentence may "
               "write `<EOS>` before its own number of words. If exact match then rises, "
               "what failed was stopping; if it does not, the words written were wrong.\n\n"
               "| set | exact match | with the oracle length | gain (points) |\n"
               "|---|---:|---:|---:|\n");
    for (int s = 0; s < EVAL_LENGTH_SETS; s++) {
        const eval_part *p = &e->set[s];
        fprintf(f, "| %s words | %s | %s | %+.1f |\n", EVAL_SET[s].range, fmt_kn(p->k, p->n).s,
                fmt_kn(p->k_oracle, p->n).s, percent(p->k_oracle, p->n) - percent(p->k, p->n));
    }
    fprintf(f, "\n");
    for (int s = 1; s < EVAL_LENGTH_SETS; s++) {
        const eval_part *p = &e->set[s];
        const double a = percent(p->k, p->n), ao = percent(p->k_oracle, p->n);
        if (p->k == p->n) continue;
        fprintf(f, "- %s words: ", EVAL_SET[s].range);
        if (ao - a >= CLEAR_GAIN)
            fprintf(f, "stopping accounts for %.1f points of the %.1f lost (exact match %s "
                       "with the oracle length)%s\n",
                    ao - a, 100.0 - a, fmt_percent(ao).s,
                    ao < 100.0 - CLEAR_GAIN ? "; the rest is wrong words" : "");
        else
            fprintf(f, "the stop alone does not explain it: with the oracle length exact "
                       "match is %s against %s, so the words written are wrong too (the "
                       "alignment is lost)\n",
                    fmt_percent(ao).s, fmt_percent(a).s);
    }
}

/* Per set: how many of its sentences were reversed exactly and what their
 * attention does, in one row each. */
static void table_sets(FILE *f, const report *r)
{
    fprintf(f, "### By set\n\n"
               "Each set's sentences reversed exactly (the others are left out, as above). "
               "Word steps: the share whose peak is on the mirrored position (0), one "
               "position right (+1) or left (-1) of it, or elsewhere; means over the word "
               "steps; then where the `<EOS>` step's peak lies.");
    if (r->prefix)
        fprintf(f, " The start marker's columns: the mean weight on them at the word steps and "
                   "at the `<EOS>` step, and the share of `<EOS>` steps whose largest weight is "
                   "there.");
    fprintf(f, "\n\n| words | set | reversed exactly | word steps | 0 | +1 | -1 | elsewhere "
               "| peak weight | weight on mirrored position | entropy / log2(columns) "
               "| `<EOS>` step: peak on source `<EOS>` | ... on word 1 |%s\n"
               "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n",
            r->prefix ? " marker weight, word steps | marker weight, `<EOS>` step | `<EOS>` "
                        "steps peaking on the marker |"
                      : "",
            r->prefix ? "---:|---:|---:|" : "");
    for (int s2 = 0; s2 < EVAL_SETS; s2++) {
        const s2s_attn_stats *st = r->st[s2];
        s2s_attn_acc wd, eos;
        attn_stats_sum(st, 0, S2S_STEPS_WORDS, &wd);
        attn_stats_sum(st, 0, S2S_STEP_EOS, &eos);
        const double s0 = share0(&wd), sp = attn_acc_share(&wd, attn_offset_bin(1)),
                     sm = attn_acc_share(&wd, attn_offset_bin(-1));
        fprintf(f, "| %s | %s | %s | %ld | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                EVAL_SET[s2].range, EVAL_SET[s2].label,
                fmt_kn(attn_stats_sentences(st, 0), r->e->set[s2].n).s, wd.steps,
                fmt_share(s0).s, fmt_share(sp).s, fmt_share(sm).s,
                fmt_share(wd.steps ? 1 - s0 - sp - sm : NAN).s, W(attn_acc_mean_peak(&wd)).s,
                W(attn_acc_mean_on_mirror(&wd)).s, W(attn_acc_mean_entropy_norm(&wd)).s,
                fmt_share(frac(eos.peak_on_eos, eos.steps)).s,
                fmt_share(frac(eos.peak_on_first, eos.steps)).s);
        if (r->prefix)
            fprintf(f, " %s | %s | %s |", W(attn_acc_mean_on_marker(&wd)).s,
                    W(attn_acc_mean_on_marker(&eos)).s,
                    fmt_share(attn_acc_share_peak_on_marker(&eos)).s);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void offset_header(FILE *f, const char *first)
{
    fprintf(f, "| %s | steps |", first);
    for (int b = 0; b < S2S_OFF_BINS; b++) fprintf(f, " %s |", bin_label(b).s);
    fprintf(f, "\n|---|---:|");
    for (int b = 0; b < S2S_OFF_BINS; b++) fprintf(f, "---:|");
    fprintf(f, "\n");
}

static void offset_row(FILE *f, const char *name, const s2s_attn_acc *a)
{
    fprintf(f, "| %s | %ld |", name, a->steps);
    for (int b = 0; b < S2S_OFF_BINS; b++) {
        if (b == attn_offset_bin(0))
            fprintf(f, " **%s** |", fmt_share(attn_acc_share(a, b)).s);
        else
            fprintf(f, " %s |", a->offset[b] ? fmt_share(attn_acc_share(a, b)).s : "0");
    }
    fprintf(f, "\n");
}

/* The stats that hold sentences of w words: those of the length set of w. */
static const s2s_attn_stats *stats_for(const report *r, int w)
{
    const int s2 = evaluated_set_of_length(w);
    return s2 < 0 ? NULL : r->st[s2];
}

static void len_name(char *buf, size_t n, int lo, int hi)
{
    snprintf(buf, n, "%s%s", fmt_range(lo, hi).s,
             evaluated_set_of_length(lo) != EVAL_SET_TEST ? " (never trained)" : "");
}

static void tables_offsets(FILE *f, const report *r)
{
    s2s_attn_acc a;
    fprintf(f, "### Where the peak falls, by step (test set)\n\n"
               "Share of decoder steps whose largest weight lies at each offset from the "
               "mirrored position (0 = the source token the step writes; +1 = one position "
               "to its right, towards the end of the source). The `<EOS>` step's mirrored "
               "position is the source `<EOS>`, the last one, so its offsets are 0 or "
               "negative: -n is the first word.%s\n\n",
            r->prefix ? " The start marker is not a position here: a step whose largest weight "
                        "is on it counts where its largest weight among the words and the source "
                        "`<EOS>` lies (the marker's own share is in the tables below)."
                      : "");
    offset_header(f, "steps");
    attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &a);
    offset_row(f, "**word steps**", &a);
    for (int k = 0; k < S2S_STEP_KINDS; k++) {
        attn_stats_sum(test_st(r), 0, k, &a);
        offset_row(f, KIND_NAME[k], &a);
    }
    fprintf(f, "\n### Where the peak falls, by sentence length (word steps)\n\n");
    offset_header(f, "words");
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int rows = evaluated_rows(lo, hi);
    for (int i = 0; i < rows; i++) {
        const s2s_attn_stats *s = stats_for(r, lo[i]);
        if (!s || !attn_stats_sentences_lengths(s, lo[i], hi[i])) continue;
        char name[80];
        len_name(name, sizeof name, lo[i], hi[i]);
        attn_stats_sum_lengths(s, lo[i], hi[i], S2S_STEPS_WORDS, &a);
        offset_row(f, name, &a);
    }
}

static void tables_weights(FILE *f, const report *r)
{
    s2s_attn_acc a;
    fprintf(f, "\n### Peak weight and entropy, by step (test set)\n\n"
               "Means over steps. Entropy is in bits; divided by log2 of the number of columns "
               "(n+1%s) it is 0 when one position holds all the weight and 1 when the weights "
               "are uniform. \"Missed\": the weight on the mirrored position on the steps whose "
               "peak is elsewhere.%s\n\n"
               "| steps | steps | peak weight | weight on mirrored position | ... when missed "
               "| entropy (bits) | entropy / log2(columns) | peak on word 1 | peak on source "
               "`<EOS>` |%s\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|%s\n",
            r->prefix ? ", with the start marker n+2" : "",
            r->prefix ? " Start marker: the mean weight on it, and the share of steps whose "
                        "largest weight is on it."
                      : "",
            r->prefix ? " weight on start marker | largest weight on start marker |" : "",
            r->prefix ? "---:|---:|" : "");
    for (int k = S2S_STEPS_WORDS; k < S2S_STEP_KINDS; k++) {
        if (k == S2S_STEPS_ALL) continue;
        attn_stats_sum(test_st(r), 0, k, &a);
        fprintf(f, "| %s | %ld | %s | %s | %s | %s | %s | %s | %s |",
                k < 0 ? "**word steps**" : KIND_NAME[k], a.steps, W(attn_acc_mean_peak(&a)).s,
                W(attn_acc_mean_on_mirror(&a)).s, W(attn_acc_mean_on_mirror_missed(&a)).s,
                W(attn_acc_mean_entropy(&a)).s, W(attn_acc_mean_entropy_norm(&a)).s,
                fmt_share(frac(a.peak_on_first, a.steps)).s, fmt_share(frac(a.peak_on_eos, a.steps)).s);
        if (r->prefix)
            fprintf(f, " %s | %s |", W(attn_acc_mean_on_marker(&a)).s,
                    fmt_share(attn_acc_share_peak_on_marker(&a)).s);
        fprintf(f, "\n");
    }
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int rows = evaluated_rows(lo, hi);
    for (int which = 0; which < 2; which++) {
        fprintf(f, "\n### %s, by sentence length and step\n\n"
                   "| words | sentences | first step | middle steps | last word's step "
                   "| `<EOS>` step | word steps |\n|---|---:|---:|---:|---:|---:|---:|\n",
                which == 0 ? "Mean peak weight" : "Mean entropy / log2(columns)");
        for (int i = 0; i < rows; i++) {
            const s2s_attn_stats *s = stats_for(r, lo[i]);
            const long ns = s ? attn_stats_sentences_lengths(s, lo[i], hi[i]) : 0;
            if (!ns) continue;
            char name[80];
            len_name(name, sizeof name, lo[i], hi[i]);
            fprintf(f, "| %s | %ld |", name, ns);
            for (int k = 0; k <= S2S_STEP_KINDS; k++) { /* the kinds, then the word steps */
                attn_stats_sum_lengths(s, lo[i], hi[i],
                                       k == S2S_STEP_KINDS ? S2S_STEPS_WORDS : k, &a);
                double v = which == 0 ? attn_acc_mean_peak(&a) : attn_acc_mean_entropy_norm(&a);
                fprintf(f, " %s |", W(v).s);
            }
            fprintf(f, "\n");
        }
    }
}

/* One row of the table of wrong outputs. */
static void error_row(FILE *f, const char *name, const s2s_error_profile *p)
{
    fprintf(f, "| %s | %ld | %ld | %ld | %ld | %ld | %d | %ld | %ld | %ld |", name, p->wrong,
            p->first_error[0], p->first_error[1], p->first_error[2], p->first_error[3],
            hist_mode(p->first_error_at, S2S_MAX_STEPS), p->shorter, p->same_len, p->longer);
    const int mode = hist_mode(p->out_len, S2S_MAX_STEPS), top = hist_max(p->out_len, S2S_MAX_STEPS);
    if (mode < 0)
        fprintf(f, " - | - |\n");
    else
        fprintf(f, " %d | %d |\n", mode, top);
}

/* The wrong outputs of set s2 over lengths lo..hi, merged. */
static void merged_profile(const report *r, int s2, int lo, int hi, s2s_error_profile *p)
{
    memset(p, 0, sizeof *p);
    for (int w = lo; w <= hi && w <= EVAL_MAXW; w++) error_profile_merge(p, &r->prof[s2][w]);
}

static void table_errors(FILE *f, const report *r)
{
    long wrong = 0;
    for (int s2 = 0; s2 < EVAL_SETS; s2++)
        for (int w = 0; w <= EVAL_MAXW; w++) wrong += r->prof[s2][w].wrong;
    fprintf(f, "\n### Where wrong outputs first go wrong\n\n");
    if (!wrong) {
        fprintf(f, "Every sentence of every set was reversed exactly (0 wrong outputs).\n");
        return;
    }
    fprintf(f, "For each sentence the model did not reverse exactly: the kind of step of its "
               "first wrong token (a wrong word, `<EOS>` too early, or a word where `<EOS>` "
               "belongs), the most common such step, its length against the input's, and the "
               "most common and the longest length of the outputs that stopped.\n\n"
               "| words | wrong | first step | middle step | last word's step | `<EOS>` step "
               "| most common first wrong step | shorter | same length | longer or unstopped "
               "| most common output length | longest output |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int lo[EVAL_ROWS], hi[EVAL_ROWS];
    const int rows = evaluated_rows(lo, hi);
    s2s_error_profile p;
    for (int i = 0; i < rows; i++) {
        const int s2 = evaluated_set_of_length(lo[i]);
        if (s2 < 0) continue;
        merged_profile(r, s2, lo[i], hi[i], &p);
        if (!p.wrong) continue;
        char name[80];
        len_name(name, sizeof name, lo[i], hi[i]);
        error_row(f, name, &p);
    }
    for (int s2 = EVAL_LENGTH_SETS; s2 < EVAL_SETS; s2++) {
        merged_profile(r, s2, 0, EVAL_MAXW, &p);
        if (!p.wrong) continue;
        char name[64];
        snprintf(name, sizeof name, "%s (%s)", EVAL_SET[s2].range, EVAL_SET[s2].label);
        error_row(f, name, &p);
    }
}

/* The lengths (within lo..hi) where f of the word steps is lowest and
 * highest; 0 when none has steps. */
typedef double (*acc_fn)(const s2s_attn_acc *);

static void extremes(const s2s_attn_stats *s, int lo, int hi, acc_fn fn, int *wmin, int *wmax)
{
    *wmin = *wmax = 0;
    double vmin = INFINITY, vmax = -INFINITY;
    for (int w = lo; w <= hi; w++) {
        s2s_attn_acc a;
        attn_stats_sum(s, w, S2S_STEPS_WORDS, &a);
        if (!a.steps) continue;
        double v = fn(&a);
        if (v < vmin) {
            vmin = v;
            *wmin = w;
        }
        if (v > vmax) {
            vmax = v;
            *wmax = w;
        }
    }
}

/* Shortest and longest length with sentences in s (0 if none). */
static void length_span(const s2s_attn_stats *s, int *lo, int *hi)
{
    *lo = *hi = 0;
    for (int w = 1; w <= EVAL_MAXW; w++)
        if (attn_stats_sentences(s, w)) {
            if (!*lo) *lo = w;
            *hi = w;
        }
}

static double at_len(const s2s_attn_stats *s, int w, int kind, acc_fn fn)
{
    s2s_attn_acc a;
    attn_stats_sum(s, w, kind, &a);
    return fn(&a);
}

/* "sharper", "less sharp" or "about as sharp" for peak weights p against q. */
static const char *sharper(double p, double q)
{
    return fabs(p - q) < FLAT ? "about as sharp as" : p > q ? "sharper than" : "less sharp than";
}

/* 1. Patterns. */
static void answer_patterns(FILE *f, const report *r, long n_exact)
{
    s2s_attn_acc wd, eos;
    attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &wd);
    attn_stats_sum(test_st(r), 0, S2S_STEP_EOS, &eos);
    const int b0 = attn_offset_bin(0), mode = attn_acc_mode_bin(&wd);
    const double s0 = share0(&wd), smode = attn_acc_share(&wd, mode);
    fprintf(f, "Over the %ld word steps of the %ld test %s reversed exactly, the attention's "
               "peak lies on the mirrored source position for %s of the steps",
            wd.steps, n_exact, pl(n_exact, "sentence", "sentences"), fmt_share(s0).s);
    if (s0 >= ALIGNS) {
        fprintf(f, ", so the weights trace the anti-diagonal of the attention matrix: step k "
                   "looks at source word n-k+1, the word it writes.");
    } else if (mode == b0 && s0 >= DOMINANT) {
        const int ru = runner_up(&wd, b0);
        fprintf(f, " and %s at offset %s (", fmt_share(attn_acc_share(&wd, ru)).s, bin_label(ru).s);
        offset_words(f, ru, words_mode(test_st(r), ru));
        fprintf(f, "), so the weights trace the anti-diagonal with part of the steps beside it.");
    } else if (mode != b0 && smode >= DOMINANT) {
        fprintf(f, ", while %s of the steps peak at offset %s (", fmt_share(smode).s, bin_label(mode).s);
        offset_words(f, mode, words_mode(test_st(r), mode));
        fprintf(f, "): the weights trace an anti-diagonal shifted by %s.", bin_label(mode).s);
    } else {
        fprintf(f, "; no single offset holds most of the steps (the most common, %s, holds %s), "
                   "so the weights do not trace one clean diagonal.",
                bin_label(mode).s, fmt_share(smode).s);
    }
    const double pk = attn_acc_mean_peak(&wd);
    fprintf(f, " The mean weight at the peak is %s and the mean entropy %s bits (%s of the "
               "maximum, log2(n+%d)), so the attention is %s.",
            W(pk).s, W(attn_acc_mean_entropy(&wd)).s, fmt_share(attn_acc_mean_entropy_norm(&wd)).s, 1 + r->prefix,
            pk >= SHARP ? "sharp: nearly all the weight of a step sits on one position"
            : pk >= FOCUSED ? "focused but not one-hot: most of a step's weight sits on one "
                              "position, the rest on others"
                            : "spread over several positions at once");
    const double on_marker = attn_acc_share_peak_on_marker(&eos);
    if (eos.steps > 0 && r->prefix && on_marker >= DOMINANT) {
        fprintf(f, " The `<EOS>` step continues the anti-diagonal past the first word onto the "
                   "start marker: its largest weight is on the marker in %s of sentences, with "
                   "%s of the weight there on average (question 4).",
                fmt_share(on_marker).s, W(attn_acc_mean_on_marker(&eos)).s);
    } else if (eos.steps > 0) {
        const double on_eos = frac(eos.peak_on_eos, eos.steps),
                     on_first = frac(eos.peak_on_first, eos.steps);
        const char *how;
        if (on_eos >= ALIGNS)
            how = "continues the diagonal onto the source `<EOS>`";
        else if (on_first >= DOMINANT && mode == attn_offset_bin(1) && smode >= DOMINANT)
            how = "continues the shifted diagonal: like the word steps, it peaks on the word "
                  "written one step earlier, here the first word";
        else if (on_first >= DOMINANT)
            how = "does not move on to the source `<EOS>`: it peaks on the first word, the word "
                  "written one step earlier";
        else
            how = "does not continue the diagonal";
        fprintf(f, " The `<EOS>` step %s (peak on the first word in %s of sentences, on the "
                   "source `<EOS>` in %s).",
                how, fmt_share(on_first).s, fmt_share(on_eos).s);
        if (r->prefix)
            fprintf(f, " Those peaks are among the words and the source `<EOS>`; counting the "
                       "start marker too, the `<EOS>` step's largest weight is on the marker in "
                       "%s of sentences (question 4).",
                    fmt_share(on_marker).s);
    }
    int lo, hi;
    length_span(test_st(r), &lo, &hi);
    if (lo && hi > lo) {
        const double plo = at_len(test_st(r), lo, S2S_STEPS_WORDS, attn_acc_mean_peak),
                     phi = at_len(test_st(r), hi, S2S_STEPS_WORDS, attn_acc_mean_peak);
        const double elo = at_len(test_st(r), lo, S2S_STEPS_WORDS, attn_acc_mean_entropy_norm),
                     ehi = at_len(test_st(r), hi, S2S_STEPS_WORDS, attn_acc_mean_entropy_norm);
        if (fabs(phi - plo) < FLAT)
            fprintf(f, " Sharpness hardly changes with length: the mean peak weight of the word "
                       "steps is %s at %d words and %s at %d words (normalised entropy %s and "
                       "%s).",
                    W(plo).s, lo, W(phi).s, hi, W(elo).s, W(ehi).s);
        else
            fprintf(f, " By peak weight, attention is %s: the mean peak weight of the word steps "
                       "goes from %s at %d words to %s at %d words (normalised entropy from %s to "
                       "%s).",
                    phi < plo ? "sharper for short sentences than for long ones"
                              : "sharper for long sentences than for short ones",
                    W(plo).s, lo, W(phi).s, hi, W(elo).s, W(ehi).s);
        int wmin, wmax;
        extremes(test_st(r), lo, hi, share0, &wmin, &wmax);
        const double vmin = at_len(test_st(r), wmin, S2S_STEPS_WORDS, share0),
                     vmax = at_len(test_st(r), wmax, S2S_STEPS_WORDS, share0);
        if (vmax - vmin < 0.0005)
            fprintf(f, " The share of word steps peaking on the mirrored position is %s at every "
                       "length from %d to %d words.",
                    fmt_share(vmin).s, lo, hi);
        else
            fprintf(f, " The share of word steps peaking on the mirrored position ranges from %s "
                       "(%d words) to %s (%d words).",
                    fmt_share(vmin).s, wmin, fmt_share(vmax).s, wmax);
    }
    fprintf(f, "\n");
}

/* The alignment on the other sets: the share of word steps on the mirrored
 * position over the sentences of each that were reversed exactly. */
static void beyond(FILE *f, const report *r)
{
    int none[EVAL_SETS], n_none = 0, said = 0;
    for (int s2 = 1; s2 < EVAL_SETS; s2++) {
        s2s_attn_acc a;
        attn_stats_sum(r->st[s2], 0, S2S_STEPS_WORDS, &a);
        const long ns = attn_stats_sentences(r->st[s2], 0);
        if (!ns) {
            none[n_none++] = s2;
            continue;
        }
        fprintf(f, "%s %s of the %ld word steps of the %ld %s of %s%s that it reversed exactly",
                said ? ";" : " Elsewhere the share on the mirrored position is",
                fmt_share(share0(&a)).s, a.steps, ns, pl(ns, "sentence", "sentences"),
                set_name(s2).s, EVAL_SET[s2].unseen ? "" : " (never trained)");
        said = 1;
    }
    if (said) fprintf(f, ".");
    if (n_none) {
        fprintf(f, " It reversed none of the sentences of ");
        for (int i = 0; i < n_none; i++)
            fprintf(f, "%s%s", i == 0 ? "" : i == n_none - 1 ? " or " : ", ",
                    set_name(none[i]).s);
        fprintf(f, " exactly, so the alignment cannot be measured there.");
    }
}

/* 2. Alignment. */
static void answer_alignment(FILE *f, const report *r)
{
    s2s_attn_acc wd, k[S2S_STEP_KINDS];
    attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &wd);
    for (int i = 0; i < S2S_STEP_KINDS; i++) attn_stats_sum(test_st(r), 0, i, &k[i]);
    const int b0 = attn_offset_bin(0), mode = attn_acc_mode_bin(&wd), ru = runner_up(&wd, b0);
    const double s0 = share0(&wd), smode = attn_acc_share(&wd, mode);
    const txt on = W(attn_acc_mean_on_mirror(&wd)), missed = W(attn_acc_mean_on_mirror_missed(&wd));
    if (s0 >= ALIGNS) {
        fprintf(f, "Yes. %s of the word steps peak on the source word they write, and that word "
                   "receives %s of the weight on average.",
                fmt_share(s0).s, on.s);
    } else if (s0 >= MOSTLY || (mode == b0 && s0 >= DOMINANT)) {
        fprintf(f, "%s. %s of the word steps peak on the source word they write (mean weight "
                   "on it %s); the most common other place is offset %s (%s of the word steps: ",
                s0 >= MOSTLY ? "Mostly" : "Partly", fmt_share(s0).s, on.s, bin_label(ru).s,
                fmt_share(attn_acc_share(&wd, ru)).s);
        offset_words(f, ru, words_mode(test_st(r), ru));
        fprintf(f, "). All these sentences were reversed exactly, so on the steps whose peak "
                   "missed, the right word was written anyway; the mirrored word still got %s "
                   "of the weight on those steps.",
                missed.s);
    } else if (mode != b0 && smode >= DOMINANT) {
        fprintf(f, "Not token for token. Only %s of the word steps peak on the source word they "
                   "write, while %s peak ",
                fmt_share(s0).s, fmt_share(smode).s);
        offset_words(f, mode, words_mode(test_st(r), mode));
        fprintf(f, ". The alignment is consistent but displaced by %s, and these sentences were "
                   "all reversed exactly, so those steps wrote the right word while the mirrored "
                   "word got only %s of the weight on average.",
                bin_label(mode).s, missed.s);
        if (attn_bin_offset(mode) > 0 && mode != S2S_OFF_BIN_RIGHT)
            fprintf(f, " The encoder reads left to right, so the state at the peak (source "
                       "position n-k+%d) has already read the word to write, %s step%s "
                       "before; the word can come from there (this program does not measure "
                       "whether it does).",
                    1 + attn_bin_offset(mode), count_word(attn_bin_offset(mode)).s,
                    attn_bin_offset(mode) == 1 ? "" : "s");
        else
            fprintf(f, " Where the word comes from instead is not measured here.");
    } else {
        fprintf(f, "No. Only %s of the word steps peak on the source word they write and no "
                   "other offset dominates (the most common, %s, holds %s); the mirrored word "
                   "gets %s of the weight on average.",
                fmt_share(s0).s, bin_label(mode).s, fmt_share(smode).s, on.s);
    }
    fprintf(f, " By step, the share on the mirrored position is %s at the first step, %s over "
               "the middle steps and %s at the last word's step.",
            fmt_share(share0(&k[0])).s, fmt_share(share0(&k[1])).s, fmt_share(share0(&k[2])).s);
    int lo, hi;
    length_span(test_st(r), &lo, &hi);
    if (lo && hi > lo) {
        int wmin, wmax;
        extremes(test_st(r), lo, hi, share0, &wmin, &wmax);
        const double vmin = at_len(test_st(r), wmin, S2S_STEPS_WORDS, share0),
                     vmax = at_len(test_st(r), wmax, S2S_STEPS_WORDS, share0);
        if (vmax - vmin < 0.0005)
            fprintf(f, " It is the same, %s, at every length from %d to %d words.", fmt_share(vmin).s, lo,
                    hi);
        else
            fprintf(f, " Across lengths %d-%d it is lowest at %d words (%s) and highest at %d "
                       "words (%s).",
                    lo, hi, wmin, fmt_share(vmin).s, wmax, fmt_share(vmax).s);
    }
    beyond(f, r);
    fprintf(f, "\n");
}

/* "carries over" wording for exact match a (trained lengths) and al (unseen). */
static const char *carry_over(double a, double al)
{
    if (a < CLEAR_GAIN)
        return "it has not learned the trained lengths, so there is nothing to carry over to "
               "longer ones";
    if (al >= a - CLEAR_GAIN) return "what it learned carries over to lengths it never saw";
    if (al >= a / 2) return "what it learned carries over only in part to lengths it never saw";
    return "what it learned does not carry over to lengths it never saw";
}

/* 3. How attention helps. */
/* Question 3 against --baseline: exact match with and without attention,
 * where the gap is widest, and what the attention does instead. */
static void helps_against_baseline(FILE *f, const report *r, double a, const s2s_attn_acc *wdp)
{
    const evaluated *e = r->e, *b = r->base;
    const s2s_attn_acc wd = *wdp;
    const double s0 = share0(&wd);
    const int b_none = model_config(b->cm.m)->attention == S2S_ATTN_NONE;
    const char *bname = b_none ? "the model without attention" : "the baseline";
    const double ba = pct_set(b, EVAL_SET_TEST);
    fprintf(f, "Compared with %s (`%s`, trained with `--attention %s`, epoch %d): on the test "
               "set (3-10 words) exact match is %s with %s attention and %s for %s. ",
            bname, b->cm.path, attention_name(model_config(b->cm.m)->attention), b->cm.meta.epoch,
            fmt_percent(a).s, attention_name(model_config(e->cm.m)->attention), fmt_percent(ba).s, bname);
    if (a - ba >= CLEAR_GAIN)
        fprintf(f, "Attention helps, by %.1f points. ", a - ba);
    else if (ba - a >= CLEAR_GAIN)
        fprintf(f, "Here %s does better, by %.1f points. ", bname, ba - a);
    else
        fprintf(f, "At this training budget the difference is small (%.1f points). ",
                a - ba);
    int wgap = 0;
    double gap = -INFINITY;
    for (int w = EVAL_TEST_MIN; w <= EVAL_TEST_MAX; w++) {
        const double g = fabs(pct_range(e, w, w) - pct_range(b, w, w));
        if (isnan(g)) continue;
        if (g > gap) {
            gap = g;
            wgap = w;
        }
    }
    if (wgap)
        fprintf(f, "The gap is widest at %d words (%s against %s). ", wgap,
                fmt_percent(pct_range(e, wgap, wgap)).s, fmt_percent(pct_range(b, wgap, wgap)).s);
    const double b3 = pct_range(b, EVAL_TEST_MIN, EVAL_TEST_MIN),
                 b10 = pct_range(b, EVAL_TEST_MAX, EVAL_TEST_MAX),
                 a3 = pct_range(e, EVAL_TEST_MIN, EVAL_TEST_MIN),
                 a10 = pct_range(e, EVAL_TEST_MAX, EVAL_TEST_MAX);
    fprintf(f, "From %d to %d words, %s goes from %s to %s, and the model with attention ",
            EVAL_TEST_MIN, EVAL_TEST_MAX, bname, fmt_percent(b3).s, fmt_percent(b10).s);
    if (fabs(a3 - a10) < 0.05)
        fprintf(f, "stays at %s", fmt_percent(a3).s);
    else
        fprintf(f, "from %s to %s", fmt_percent(a3).s, fmt_percent(a10).s);
    if (b_none && b3 - b10 >= 2 * CLEAR_GAIN && (a3 - a10) < (b3 - b10) / 2) {
        fprintf(f, ": without attention the whole sentence has to pass through the "
                   "encoder's final state, and exact match falls as sentences get longer, "
                   "while with attention each step reads the encoder states directly");
        const int mode = attn_acc_mode_bin(&wd);
        if (s0 >= MOSTLY)
            fprintf(f, ", mostly the one of the word it writes (%s of word steps peak on "
                       "it, question 2). ",
                    fmt_share(s0).s);
        else if (mode >= 0 && attn_acc_share(&wd, mode) >= DOMINANT)
            fprintf(f, ", at a fixed offset %s from the word it writes (%s of word steps, "
                       "mean peak weight %s, question 2). ",
                    bin_label(mode).s, fmt_share(attn_acc_share(&wd, mode)).s,
                    W(attn_acc_mean_peak(&wd)).s);
        else
            fprintf(f, ". ");
    } else {
        fprintf(f, ". ");
    }
    fprintf(f, "On the lengths neither model saw in training, exact match with attention "
               "against %s is ", bname);
    for (int s2 = 1; s2 < EVAL_LENGTH_SETS; s2++)
        fprintf(f, "%s%s against %s on %s", s2 == 1 ? "" : s2 == EVAL_LENGTH_SETS - 1 ? " and " : ", ",
                fmt_percent(pct_set(e, s2)).s, fmt_percent(pct_set(b, s2)).s, set_name(s2).s);
    fprintf(f, ". With words the vocabulary lacks: %s against %s with one unseen word, %s "
               "against %s with unseen words only",
            fmt_percent(pct_set(e, EVAL_SET_UNSEEN1)).s, fmt_percent(pct_set(b, EVAL_SET_UNSEEN1)).s,
            fmt_percent(pct_set(e, EVAL_SET_UNSEEN_ALL)).s,
            fmt_percent(pct_set(b, EVAL_SET_UNSEEN_ALL)).s);
    if (b_none)
        fprintf(f, " (a model without attention cannot write a word it does not know: nothing "
                   "is copied without attention, so every such sentence is wrong)");
    fprintf(f, ". ");
}

/* Question 3 with no baseline: what the attention was measured to do. */
static void helps_alone(FILE *f, const s2s_attn_acc *wdp)
{
    const s2s_attn_acc wd = *wdp;
    const double s0 = share0(&wd);
    fprintf(f, "No model without attention was given (`--baseline FILE`), so this report "
               "makes no comparison and claims none. ");
    if (wd.steps > 0) {
        fprintf(f, "What it measured about the mechanism: %s of the word steps peak on the "
                   "source word the step writes, with %s of the weight on it on average",
                fmt_share(s0).s, W(attn_acc_mean_on_mirror(&wd)).s);
        const int mode = attn_acc_mode_bin(&wd);
        if (s0 >= MOSTLY)
            fprintf(f, ", so the context vector hands each step (mostly) the encoder state "
                       "of the word it has to write, and reversing becomes reading the "
                       "source from right to left, one position per step. ");
        else if (mode >= 0 && attn_acc_share(&wd, mode) >= DOMINANT)
            fprintf(f, "; instead %s of them peak at the fixed offset %s, so reversing "
                       "becomes reading the source from right to left, one position per "
                       "step, %s position%s off the word being written. ",
                    fmt_share(attn_acc_share(&wd, mode)).s, bin_label(mode).s,
                    count_word(abs(attn_bin_offset(mode))).s,
                    abs(attn_bin_offset(mode)) == 1 ? "" : "s");
        else
            fprintf(f, ", so the context vector does not always hold the word to write; "
                       "where the word comes from on the other steps is not measured "
                       "here. ");
    }
}

/* How exact match u on unseen words compares with a on known ones: 0 about
 * as good, 1 in part, 2 mostly failing (the carry_over rules). */
static int copy_class(double a, double u)
{
    return u >= a - CLEAR_GAIN ? 0 : u >= a / 2 ? 1 : 2;
}

/* "copies ..." wording for exact match a (known words) and u (unseen words). */
static const char *copies(double a, double u)
{
    if (a < CLEAR_GAIN) return "it has not learned the task, so there is nothing to compare";
    static const char *const SAY[3] = {
        "it copies unknown words through about as well as it reverses known ones",
        "it copies unknown words through only in part",
        "it mostly fails to copy unknown words through"};
    return SAY[copy_class(a, u)];
}

static void answer_helps(FILE *f, const report *r)
{
    const evaluated *e = r->e;
    const double a = pct_set(e, EVAL_SET_TEST);
    s2s_attn_acc wd;
    attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &wd);
    if (r->base)
        helps_against_baseline(f, r, a, &wd);
    else
        helps_alone(f, &wd);
    fprintf(f, "The model's own exact match is %s on 3-10 words", fmt_percent(a).s);
    for (int s2 = 1; s2 < EVAL_LENGTH_SETS; s2++)
        fprintf(f, "%s%s on %s", s2 == EVAL_LENGTH_SETS - 1 ? " and " : ", ",
                fmt_percent(pct_set(e, s2)).s, EVAL_SET[s2].range);
    const double al = pct_set(e, EVAL_SET_11_15);
    if (isnan(al) || isnan(a))
        fprintf(f, ".");
    else
        fprintf(f, ": %s", carry_over(a, al));
    /* How far it carries: the longest range still within the "in part" rule. */
    if (!isnan(a) && a >= CLEAR_GAIN && al >= a / 2) {
        int last = EVAL_SET_11_15;
        for (int s2 = EVAL_SET_11_15 + 1; s2 < EVAL_LENGTH_SETS; s2++)
            if (pct_set(e, s2) >= a / 2) last = s2;
        if (last + 1 < EVAL_LENGTH_SETS)
            fprintf(f, ", up to %s words; from %s words on it gets less than half its test-set "
                       "exact match",
                    EVAL_SET[last].range, EVAL_SET[last + 1].range);
        else
            fprintf(f, ", at every length measured, up to %d words", EVAL_MAXW);
    }
    fprintf(f, ".");
    const double u1 = pct_set(e, EVAL_SET_UNSEEN1), ua = pct_set(e, EVAL_SET_UNSEEN_ALL);
    fprintf(f, " With one word it has never seen (encoded as `<UNK>`, right only when the copy "
               "rule writes it through) exact match is %s, with unseen words only %s",
            fmt_percent(u1).s, fmt_percent(ua).s);
    if (!isnan(a) && !isnan(u1))
        fprintf(f, ": %s", copies(a, u1));
    if (!isnan(a) && !isnan(ua) && !isnan(u1) && a >= CLEAR_GAIN) {
        const int c1 = copy_class(a, u1), ca = copy_class(a, ua);
        if (ca == c1)
            fprintf(f, ", and so with every word unknown");
        else
            fprintf(f, "%s", ca == 0   ? ", even when every word is unknown"
                             : ca == 1 ? "; with every word unknown, only in part"
                                       : "; with every word unknown it mostly fails");
    }
    fprintf(f, ".\n");
}

/* Failures of set s2, as a bullet; lengths: 1 to say how long the outputs
 * that stop too early are. */
static void failures(FILE *f, const report *r, int s2, int lengths)
{
    s2s_error_profile p;
    merged_profile(r, s2, 0, EVAL_MAXW, &p);
    const long nn = r->e->set[s2].n;
    if (EVAL_SET[s2].unseen)
        fprintf(f, "- **Wrong outputs, %s.** ", set_name(s2).s);
    else
        fprintf(f, "- **Wrong outputs, %s (%s).** ", set_name(s2).s, EVAL_SET[s2].label);
    if (!p.wrong) {
        fprintf(f, "None: all %ld were reversed exactly.\n", nn);
        return;
    }
    fprintf(f, "Of %ld sentences, %ld %s wrong. The first wrong token comes at the first step in "
               "%ld, at a middle step in %ld, at the last word's step in %ld and at the `<EOS>` "
               "step in %ld (most often at step %d); %ld %s shorter than the input, %ld as "
               "long and %ld longer or never stopped",
            nn, p.wrong, pl(p.wrong, "is", "are"), p.first_error[0], p.first_error[1],
            p.first_error[2], p.first_error[3], hist_mode(p.first_error_at, S2S_MAX_STEPS),
            p.shorter, pl(p.shorter, "is", "are"), p.same_len, p.longer);
    const int mode = hist_mode(p.out_len, S2S_MAX_STEPS), top = hist_max(p.out_len, S2S_MAX_STEPS);
    const char *most =
        p.shorter == p.wrong ? "every wrong output stops" : "most wrong outputs stop";
    if (2 * p.shorter > p.wrong && lengths)
        fprintf(f, ": %s too early (the most common length of a wrong output is %d words, the "
                   "longest %d)",
                most, mode, top);
    else if (2 * p.shorter > p.wrong)
        fprintf(f, ": %s too early", most);
    else if (2 * p.longer > p.wrong)
        fprintf(f, ": most wrong outputs run on past the input's length");
    else if (2 * p.same_len > p.wrong)
        fprintf(f, ": most wrong outputs have the right length but a wrong word");
    if (s2 == EVAL_SET_UNSEEN1)
        fprintf(f, ". In %ld of them (%s) the first wrong token is at the step that should "
                   "write the unseen word, so %s",
                r->wrong_at_unseen, fmt_share(frac(r->wrong_at_unseen, p.wrong)).s,
                2 * r->wrong_at_unseen > p.wrong
                    ? "most failures are at the copy itself"
                    : "most failures are at other steps than the copy");
    s2s_attn_acc wd;
    attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &wd);
    const int wmode = attn_acc_mode_bin(&wd), d = wmode >= 0 ? attn_bin_offset(wmode) : 0;
    if (s2 == EVAL_SET_UNSEEN1 && 2 * r->wrong_at_unseen > p.wrong && d != 0 &&
        wmode != S2S_OFF_BIN_LEFT && wmode != S2S_OFF_BIN_RIGHT &&
        attn_acc_share(&wd, wmode) >= DOMINANT)
        fprintf(f, ". The copy rule writes an unknown word at a step whose attention peaks on "
                   "it; %s of this model's word steps peak at offset %s (question 2), so the "
                   "step that peaks on the unknown word comes %s step%s %s the step that should "
                   "write it",
                fmt_share(attn_acc_share(&wd, wmode)).s, bin_label(wmode).s,
                count_word(abs(d)).s, abs(d) == 1 ? "" : "s", d > 0 ? "after" : "before");
    fprintf(f, ".\n");
}

/* 4. The beginning and the end. */
static void answer_ends(FILE *f, const report *r)
{
    s2s_attn_acc k[S2S_STEP_KINDS];
    for (int i = 0; i < S2S_STEP_KINDS; i++) attn_stats_sum(test_st(r), 0, i, &k[i]);
    const double pmid = attn_acc_mean_peak(&k[S2S_STEP_MIDDLE]);
    if (k[0].steps > 0) {
        const s2s_attn_acc *a = &k[S2S_STEP_FIRST];
        const double p = attn_acc_mean_peak(a);
        fprintf(f, "- **Beginning of the output.** The first step writes the last source word: "
                   "%s of first steps peak on it",
                fmt_share(share0(a)).s);
        int ru = runner_up(a, attn_offset_bin(0));
        if (ru >= 0) {
            fprintf(f, ", %s at offset %s (", fmt_share(attn_acc_share(a, ru)).s, bin_label(ru).s);
            offset_words(f, ru, OW_FIRST);
            fprintf(f, ")");
        }
        fprintf(f, "; mean peak weight %s, normalised entropy %s", W(p).s,
                W(attn_acc_mean_entropy_norm(a)).s);
        if (!isnan(pmid)) fprintf(f, " (%s the middle steps' %s)", sharper(p, pmid), W(pmid).s);
        fprintf(f, ".\n");
        a = &k[S2S_STEP_LAST];
        const double pl_ = attn_acc_mean_peak(a);
        fprintf(f, "- **Last word.** The last word's step writes the first source word: %s of "
                   "these steps peak on it",
                fmt_share(share0(a)).s);
        ru = runner_up(a, attn_offset_bin(0));
        if (ru >= 0) {
            fprintf(f, ", %s at offset %s (", fmt_share(attn_acc_share(a, ru)).s, bin_label(ru).s);
            offset_words(f, ru, OW_WORDS);
            fprintf(f, ")");
        }
        fprintf(f, "; mean peak weight %s, normalised entropy %s", W(pl_).s,
                W(attn_acc_mean_entropy_norm(a)).s);
        if (!isnan(pmid)) fprintf(f, " (%s the middle steps)", sharper(pl_, pmid));
        fprintf(f, ".\n");
        a = &k[S2S_STEP_EOS];
        const double on_eos = frac(a->peak_on_eos, a->steps),
                     on_first = frac(a->peak_on_first, a->steps);
        s2s_attn_acc wd;
        attn_stats_sum(test_st(r), 0, S2S_STEPS_WORDS, &wd);
        const double m_eos = attn_acc_mean_on_marker(a), m_words = attn_acc_mean_on_marker(&wd),
                     m_peak = attn_acc_share_peak_on_marker(a);
        fprintf(f, "- **Stopping.** ");
        if (r->prefix)
            fprintf(f, "At the `<EOS>` step the start marker gets %s of the weight on average "
                       "(the largest weight of the step in %s of sentences), against %s at the "
                       "word steps. Among the words and the source `<EOS>`, ",
                    W(m_eos).s, fmt_share(m_peak).s, W(m_words).s);
        else
            fprintf(f, "At the `<EOS>` step ");
        fprintf(f, "%s of the peaks are on the source `<EOS>` and %s on the first word; mean "
                   "peak weight %s, entropy %s bits",
                fmt_share(on_eos).s, fmt_share(on_first).s, W(attn_acc_mean_peak(a)).s,
                W(attn_acc_mean_entropy(a)).s);
        if (r->prefix && m_peak >= DOMINANT && m_eos >= 2 * m_words)
            fprintf(f, ": when it stops, the model looks at the start marker, with %s the weight "
                       "it gives the marker while writing words; the marker is where its "
                       "stopping shows in the attention.\n",
                    isnan(m_words) || m_words <= 0 ? "far more than"
                                                   : (m_eos >= 10 * m_words ? "more than ten times"
                                                                            : "at least twice"));
        else if (on_eos >= ALIGNS)
            fprintf(f, ": when it stops, the model looks at the source's end-of-sentence "
                       "token.\n");
        else if (on_first >= DOMINANT)
            fprintf(f, ": when it stops, attention is on the first word, the one the step before "
                       "wrote; the source `<EOS>` gets %s of the weight on average, so stopping "
                       "is not read off that position.\n",
                    W(attn_acc_mean_on_mirror(a)).s);
        else
            fprintf(f, ": there is no single place the model looks at when it stops.\n");
    } else {
        fprintf(f, "- With no sentence reversed exactly, the attention at the beginning and end "
                   "cannot be measured.\n");
    }
    for (int s2 = 0; s2 < EVAL_SETS; s2++)
        failures(f, r, s2, s2 > EVAL_SET_TEST && s2 < EVAL_LENGTH_SETS);
}

void report_model_lines(FILE *f, const evaluated *e, int both_vocabs)
{
    const s2s_config *c = model_config(e->cm.m);
    char vocab[64];
    if (both_vocabs && !e->cm.vocab.shared)
        snprintf(vocab, sizeof vocab, "vocabularies %d (source) and %d (target)", c->src_vocab,
                 c->tgt_vocab);
    else
        snprintf(vocab, sizeof vocab, "vocabulary %d", c->src_vocab);
    fprintf(f, "- Model: `%s` (epoch %d", e->cm.path, e->cm.meta.epoch);
    if (!isnan(e->cm.meta.val_loss)) fprintf(f, ", validation loss %.4f", (double)e->cm.meta.val_loss);
    fprintf(f, ")\n- Configuration: %s attention, embedding %d, hidden %d, %d layer%s, dropout "
               "%g, %s, %zu parameters, trained with seed %llu\n",
            attention_name(c->attention), c->embed, c->hidden, c->layers,
            c->layers == 1 ? "" : "s", (double)c->dropout, vocab, model_num_params(e->cm.m),
            (unsigned long long)e->cm.meta.seed);
}

/* The report's opening: the model, the sets, what is left out. */
static void write_header(FILE *f, const report *r, long k, long n, long n_exact)
{
    const evaluated *e = r->e;
    const long n_out = n - n_exact;
    fprintf(f, "# Attention analysis\n\n"
               "Written by `seq2seq analyze`; every figure below was measured in this run.\n\n");
    report_model_lines(f, e, 0);
    fprintf(f, "- Test set: the synthetic test split of seed %llu, %ld sentences of 3-10 words; "
               "decoded greedily on %s\n",
            (unsigned long long)e->cm.meta.seed, e->set[EVAL_SET_TEST].n, r->device);
    fprintf(f, "- **Test exact match: %s**; at lengths training never shows (the same %d words):",
            fmt_kn(k, n).s, (int)(sizeof S2S_SEED_WORDS / sizeof S2S_SEED_WORDS[0]));
    for (int s2 = 1; s2 < EVAL_LENGTH_SETS; s2++)
        fprintf(f, "%s %ld sentences of %s words (seed %llu): %s", s2 == 1 ? "" : ";",
                e->set[s2].n, EVAL_SET[s2].range, (unsigned long long)EVAL_SET[s2].seed,
                fmt_kn(e->set[s2].k, e->set[s2].n).s);
    fprintf(f, "\n- With words the vocabulary lacks (drawn from %d: %s, %s, ..., %s; encoded as "
               "`<UNK>`, right only when the copy rule writes them through):",
            S2S_UNSEEN_COUNT, S2S_UNSEEN_WORDS[0], S2S_UNSEEN_WORDS[1],
            S2S_UNSEEN_WORDS[S2S_UNSEEN_COUNT - 1]);
    for (int s2 = EVAL_LENGTH_SETS; s2 < EVAL_SETS; s2++)
        fprintf(f, "%s %ld sentences of %s words, %s (seed %llu): %s",
                s2 == EVAL_LENGTH_SETS ? "" : ";", e->set[s2].n, EVAL_SET[s2].range,
                EVAL_SET[s2].label, (unsigned long long)EVAL_SET[s2].seed,
                fmt_kn(e->set[s2].k, e->set[s2].n).s);
    fprintf(f, "\n");
    if (r->base)
        fprintf(f, "- Baseline: `%s` (trained with `--attention %s`, epoch %d)\n", r->base->cm.path,
                attention_name(model_config(r->base->cm.m)->attention), r->base->cm.meta.epoch);
    fprintf(f, "- Attention statistics: over the %ld test %s reversed exactly. ", n_exact,
            pl(n_exact, "sentence", "sentences"));
    if (n_out == 0)
        fprintf(f, "None is left out (a wrong output would be: once it goes wrong, its step k "
                   "no longer writes source word n-k+1)");
    else
        fprintf(f, "The other %ld %s left out: once an output goes wrong, its step k no longer "
                   "writes source word n-k+1, so an offset would compare the attention with the "
                   "wrong word",
                n_out, pl(n_out, "is", "are"));
    fprintf(f, ". Rows marked *never trained* and the table by set come likewise from the "
               "sentences of each other set reversed exactly");
    if (r->prefix)
        fprintf(f, ". The model's attention also sees a start marker (`<SOS>`) before the first "
                   "word; the statistics of positions skip it and report its weight apart");
    fprintf(f, ".\n\n");
}

static void write_method(FILE *f, const report *r)
{
    fprintf(f, "## How it is measured\n\n"
               "For a sentence of n words the decoder takes n+1 steps: step k = 1..n (a *word "
               "step*) writes source word n-k+1, step n+1 writes `<EOS>`. That source position "
               "is the step's *mirrored position* (for the `<EOS>` step, the source `<EOS>` at "
               "n+1). For each step, the position of the largest attention weight (the *peak*) "
               "is compared with it: offset = peak - mirrored, so +1 is one position to the "
               "right (towards the end of the source: for a word step after the first, the word "
               "the previous step wrote; for the first, the source `<EOS>`) and -1 one to the "
               "left (the word the next step will write). The "
               "query of step k is the decoder's state before it reads the word written at "
               "step k-1, so a shift is possible; it is measured, not assumed. The first step "
               "(k=1), the last word's step (k=n) and the `<EOS>` step are kept apart from the "
               "middle steps.");
    if (r->prefix)
        fprintf(f, " This model's attention has %d more column%s before the first word, the "
                   "start marker: positions and peaks are taken over the words and the source "
                   "`<EOS>` only, while weights and entropies stay those of the whole row, and "
                   "the weight on the marker is reported on its own.",
                r->prefix, r->prefix == 1 ? "" : "s");
    fprintf(f, " Sentences with words the vocabulary lacks are scored by the words written "
               "after the copy rule (an unknown word, encoded as `<UNK>`, is written by the step "
               "whose attention peaks on it most strongly, and a step that writes `<UNK>` "
               "writes the word under its peak); the others by token ids, as `seq2seq eval` "
               "does.\n\n");
}

static void write_report(FILE *f, const report *r)
{
    const evaluated *e = r->e;
    const long k = e->set[EVAL_SET_TEST].k, n = e->set[EVAL_SET_TEST].n;
    const long n_exact = attn_stats_sentences(test_st(r), 0);

    write_header(f, r, k, n, n_exact);
    write_method(f, r);
    fprintf(f, "## Exact match by length\n\n");
    table_exact(f, r);
    table_oracle(f, r);
    fprintf(f, "\n## Attention tables\n\n");
    table_sets(f, r);
    if (n_exact > 0) {
        tables_offsets(f, r);
        tables_weights(f, r);
    } else {
        fprintf(f, "No test sentence was reversed exactly (%s), so there are no attention "
                   "statistics.\n",
                fmt_kn(k, n).s);
    }
    table_errors(f, r);

    fprintf(f, "\n## The four questions\n\n");
    fprintf(f, "### 1. What patterns do you observe in the attention weights?\n\n");
    if (n_exact > 0)
        answer_patterns(f, r, n_exact);
    else
        fprintf(f, "None can be measured: the model reversed %s of the test sentences "
                   "exactly.\n",
                fmt_kn(k, n).s);
    fprintf(f, "\n### 2. Does the attention align input and output tokens correctly?\n\n");
    if (n_exact > 0)
        answer_alignment(f, r);
    else
        fprintf(f, "This cannot be measured: the model reversed %s of the test sentences "
                   "exactly, so no output step can be paired with the source word it should "
                   "copy.\n",
                fmt_kn(k, n).s);
    fprintf(f, "\n### 3. How does attention help the model learn to reverse sequences?\n\n");
    answer_helps(f, r);
    fprintf(f, "\n### 4. What happens at the beginning and end of sequences?\n\n");
    answer_ends(f, r);

    fprintf(f, "\n---\n\nWording rules: \"aligns\" when at least %.0f%% of word steps peak on "
               "the mirrored position, \"mostly\" from %.0f%%, \"partly\" below that when offset "
               "0 is still the most common; another offset is called a shift when it holds at "
               "least %.0f%% of word steps; attention is \"sharp\" when the mean peak weight is "
               "at least %.2f, \"focused\" from %.2f; peak weights within %.2f are \"about the "
               "same\"; a difference in exact match is \"clear\" from %.0f points; learning "
               "\"carries over\" to unseen lengths when their exact match is within %.0f points "
               "of the test set's, \"in part\" when it is at least half of it; the same two rules "
               "say how well unknown words are copied through, against the test set's exact "
               "match.\n",
            100 * ALIGNS, 100 * MOSTLY, 100 * DOMINANT, SHARP, FOCUSED, FLAT, CLEAR_GAIN,
            CLEAR_GAIN);
    if (r->prefix)
        fprintf(f, "The model \"looks at the start marker when it stops\" when the marker holds "
                   "the largest weight of at least %.0f%% of `<EOS>` steps and at least twice its "
                   "mean weight at the word steps.\n",
                100 * DOMINANT);
}

/* Writes the report to path through path.tmp and a rename. */
int report_write(const char *path, const report *r, s2s_error *err)
{
    s2s_atomic out;
    int rc = atomic_open(&out, path, "w", err);
    if (rc) return rc;
    write_report(out.f, r);
    return atomic_commit(&out, 0, err);
}

