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
static txt W(double x)
{
    txt t;
    if (isnan(x))
        snprintf(t.s, sizeof t.s, "-");
    else
        snprintf(t.s, sizeof t.s, "%.3f", x);
    return t;
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

static void table_exact(FILE *f, const report *r)
{
    const evaluated *e = r->e, *b = r->base;
    fprintf(f, "| words | set | sentences | exact match |%s\n",
            b ? " baseline's exact match |" : "");
    fprintf(f, "|---:|---|---:|---:|%s\n", b ? "---:|" : "");
    for (int w = EVAL_TEST_MIN; w <= EVAL_MAXW; w++) {
        if (!e->count[w] && !(b && b->count[w])) continue;
        fprintf(f, "| %d | %s | %ld | %s |", w, w <= EVAL_TEST_MAX ? "test" : "never trained",
                e->count[w], fmt_kn(e->correct[w], e->count[w]).s);
        if (b) fprintf(f, " %s |", fmt_kn(b->correct[w], b->count[w]).s);
        fprintf(f, "\n");
    }
    for (int part = 0; part < 2; part++) {
        const int lo = part ? ANALYZE_LONG_MIN : EVAL_TEST_MIN, hi = part ? ANALYZE_LONG_MAX : EVAL_TEST_MAX;
        long k, n;
        evaluated_range(e, lo, hi, &k, &n);
        fprintf(f, "| **%d-%d** | %s | %ld | **%s** |", lo, hi, part ? "never trained" : "test",
                n, fmt_kn(k, n).s);
        if (b) {
            evaluated_range(b, lo, hi, &k, &n);
            fprintf(f, " **%s** |", fmt_kn(k, n).s);
        }
        fprintf(f, "\n");
    }
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

/* The stats that hold sentences of w words: the test set's or the long set's. */
static const s2s_attn_stats *stats_for(const report *r, int w)
{
    return w <= EVAL_TEST_MAX ? r->st : r->stl;
}

static void len_name(char *buf, size_t n, int w)
{
    snprintf(buf, n, "%d%s", w, w > EVAL_TEST_MAX ? " (never trained)" : "");
}

static void tables_offsets(FILE *f, const report *r)
{
    s2s_attn_acc a;
    fprintf(f, "### Where the peak falls, by step\n\n"
               "Share of decoder steps whose largest weight lies at each offset from the "
               "mirrored position (0 = the source token the step writes; +1 = one position "
               "to its right, towards the end of the source). The `<EOS>` step's mirrored "
               "position is the source `<EOS>`, the last one, so its offsets are 0 or "
               "negative: -n is the first word.\n\n");
    offset_header(f, "steps");
    attn_stats_sum(r->st, 0, S2S_STEPS_WORDS, &a);
    offset_row(f, "**word steps**", &a);
    for (int k = 0; k < S2S_STEP_KINDS; k++) {
        attn_stats_sum(r->st, 0, k, &a);
        offset_row(f, KIND_NAME[k], &a);
    }
    fprintf(f, "\n### Where the peak falls, by sentence length (word steps)\n\n");
    offset_header(f, "words");
    for (int w = 1; w <= EVAL_MAXW; w++) {
        const s2s_attn_stats *s = stats_for(r, w);
        if (!attn_stats_sentences(s, w)) continue;
        char name[32];
        len_name(name, sizeof name, w);
        attn_stats_sum(s, w, S2S_STEPS_WORDS, &a);
        offset_row(f, name, &a);
    }
}

static void tables_weights(FILE *f, const report *r)
{
    s2s_attn_acc a;
    fprintf(f, "\n### Peak weight and entropy, by step\n\n"
               "Means over steps. Entropy is in bits; divided by log2(n+1) it is 0 when one "
               "position holds all the weight and 1 when the weights are uniform. \"Missed\": "
               "the weight on the mirrored position on the steps whose peak is elsewhere.\n\n"
               "| steps | steps | peak weight | weight on mirrored position | ... when missed "
               "| entropy (bits) | entropy / log2(n+1) | peak on word 1 | peak on source "
               "`<EOS>` |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = S2S_STEPS_WORDS; k < S2S_STEP_KINDS; k++) {
        if (k == S2S_STEPS_ALL) continue;
        attn_stats_sum(r->st, 0, k, &a);
        fprintf(f, "| %s | %ld | %s | %s | %s | %s | %s | %s | %s |\n",
                k < 0 ? "**word steps**" : KIND_NAME[k], a.steps, W(attn_acc_mean_peak(&a)).s,
                W(attn_acc_mean_on_mirror(&a)).s, W(attn_acc_mean_on_mirror_missed(&a)).s,
                W(attn_acc_mean_entropy(&a)).s, W(attn_acc_mean_entropy_norm(&a)).s,
                fmt_share(frac(a.peak_on_first, a.steps)).s, fmt_share(frac(a.peak_on_eos, a.steps)).s);
    }
    for (int which = 0; which < 2; which++) {
        fprintf(f, "\n### %s, by sentence length and step\n\n"
                   "| words | sentences | first step | middle steps | last word's step "
                   "| `<EOS>` step | word steps |\n|---|---:|---:|---:|---:|---:|---:|\n",
                which == 0 ? "Mean peak weight" : "Mean entropy / log2(n+1)");
        for (int w = 1; w <= EVAL_MAXW; w++) {
            const s2s_attn_stats *s = stats_for(r, w);
            if (!attn_stats_sentences(s, w)) continue;
            char name[32];
            len_name(name, sizeof name, w);
            fprintf(f, "| %s | %ld |", name, attn_stats_sentences(s, w));
            for (int k = 0; k <= S2S_STEP_KINDS; k++) { /* the kinds, then the word steps */
                attn_stats_sum(s, w, k == S2S_STEP_KINDS ? S2S_STEPS_WORDS : k, &a);
                double v = which == 0 ? attn_acc_mean_peak(&a) : attn_acc_mean_entropy_norm(&a);
                fprintf(f, " %s |", W(v).s);
            }
            fprintf(f, "\n");
        }
    }
}

static void table_errors(FILE *f, const report *r)
{
    long wrong = 0;
    for (int w = 0; w <= EVAL_MAXW; w++) wrong += r->prof[w].wrong;
    fprintf(f, "\n### Where wrong outputs first go wrong\n\n");
    if (!wrong) {
        fprintf(f, "Every sentence of both sets was reversed exactly (0 wrong outputs).\n");
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
    for (int w = 1; w <= EVAL_MAXW; w++) {
        const s2s_error_profile *p = &r->prof[w];
        if (!p->wrong) continue;
        char name[32];
        len_name(name, sizeof name, w);
        fprintf(f, "| %s | %ld | %ld | %ld | %ld | %ld | %d | %ld | %ld | %ld |", name, p->wrong,
                p->first_error[0], p->first_error[1], p->first_error[2], p->first_error[3],
                hist_mode(p->first_error_at, S2S_MAX_STEPS), p->shorter, p->same_len, p->longer);
        const int mode = hist_mode(p->out_len, S2S_MAX_STEPS),
                  top = hist_max(p->out_len, S2S_MAX_STEPS);
        if (mode < 0)
            fprintf(f, " - | - |\n");
        else
            fprintf(f, " %d | %d |\n", mode, top);
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
    attn_stats_sum(r->st, 0, S2S_STEPS_WORDS, &wd);
    attn_stats_sum(r->st, 0, S2S_STEP_EOS, &eos);
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
        offset_words(f, ru, words_mode(r->st, ru));
        fprintf(f, "), so the weights trace the anti-diagonal with part of the steps beside it.");
    } else if (mode != b0 && smode >= DOMINANT) {
        fprintf(f, ", while %s of the steps peak at offset %s (", fmt_share(smode).s, bin_label(mode).s);
        offset_words(f, mode, words_mode(r->st, mode));
        fprintf(f, "): the weights trace an anti-diagonal shifted by %s.", bin_label(mode).s);
    } else {
        fprintf(f, "; no single offset holds most of the steps (the most common, %s, holds %s), "
                   "so the weights do not trace one clean diagonal.",
                bin_label(mode).s, fmt_share(smode).s);
    }
    const double pk = attn_acc_mean_peak(&wd);
    fprintf(f, " The mean weight at the peak is %s and the mean entropy %s bits (%s of the "
               "maximum, log2(n+1)), so the attention is %s.",
            W(pk).s, W(attn_acc_mean_entropy(&wd)).s, fmt_share(attn_acc_mean_entropy_norm(&wd)).s,
            pk >= SHARP ? "sharp: nearly all the weight of a step sits on one position"
            : pk >= FOCUSED ? "focused but not one-hot: most of a step's weight sits on one "
                              "position, the rest on others"
                            : "spread over several positions at once");
    if (eos.steps > 0) {
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
    }
    int lo, hi;
    length_span(r->st, &lo, &hi);
    if (lo && hi > lo) {
        const double plo = at_len(r->st, lo, S2S_STEPS_WORDS, attn_acc_mean_peak),
                     phi = at_len(r->st, hi, S2S_STEPS_WORDS, attn_acc_mean_peak);
        const double elo = at_len(r->st, lo, S2S_STEPS_WORDS, attn_acc_mean_entropy_norm),
                     ehi = at_len(r->st, hi, S2S_STEPS_WORDS, attn_acc_mean_entropy_norm);
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
        extremes(r->st, lo, hi, share0, &wmin, &wmax);
        const double vmin = at_len(r->st, wmin, S2S_STEPS_WORDS, share0),
                     vmax = at_len(r->st, wmax, S2S_STEPS_WORDS, share0);
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

/* 2. Alignment. */
static void answer_alignment(FILE *f, const report *r)
{
    s2s_attn_acc wd, k[S2S_STEP_KINDS];
    attn_stats_sum(r->st, 0, S2S_STEPS_WORDS, &wd);
    for (int i = 0; i < S2S_STEP_KINDS; i++) attn_stats_sum(r->st, 0, i, &k[i]);
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
        offset_words(f, ru, words_mode(r->st, ru));
        fprintf(f, "). All these sentences were reversed exactly, so on the steps whose peak "
                   "missed, the right word was written anyway; the mirrored word still got %s "
                   "of the weight on those steps.",
                missed.s);
    } else if (mode != b0 && smode >= DOMINANT) {
        fprintf(f, "Not token for token. Only %s of the word steps peak on the source word they "
                   "write, while %s peak ",
                fmt_share(s0).s, fmt_share(smode).s);
        offset_words(f, mode, words_mode(r->st, mode));
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
    length_span(r->st, &lo, &hi);
    if (lo && hi > lo) {
        int wmin, wmax;
        extremes(r->st, lo, hi, share0, &wmin, &wmax);
        const double vmin = at_len(r->st, wmin, S2S_STEPS_WORDS, share0),
                     vmax = at_len(r->st, wmax, S2S_STEPS_WORDS, share0);
        if (vmax - vmin < 0.0005)
            fprintf(f, " It is the same, %s, at every length from %d to %d words.", fmt_share(vmin).s, lo,
                    hi);
        else
            fprintf(f, " Across lengths %d-%d it is lowest at %d words (%s) and highest at %d "
                       "words (%s).",
                    lo, hi, wmin, fmt_share(vmin).s, wmax, fmt_share(vmax).s);
    }
    s2s_attn_acc lg;
    attn_stats_sum(r->stl, 0, S2S_STEPS_WORDS, &lg);
    const long nl = attn_stats_sentences(r->stl, 0);
    if (nl > 0)
        fprintf(f, " On the %ld %s of %d-%d words (never trained) that it reversed exactly, %s "
                   "of the %ld word steps peak on the mirrored position.",
                nl, pl(nl, "sentence", "sentences"), ANALYZE_LONG_MIN, ANALYZE_LONG_MAX,
                fmt_share(share0(&lg)).s, lg.steps);
    else
        fprintf(f, " It reversed none of the %d sentences of %d-%d words exactly, so the "
                   "alignment cannot be measured beyond the trained lengths.",
                ANALYZE_LONG_N, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX);
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
static void helps_against_baseline(FILE *f, const report *r, double a, double al,
                                   const s2s_attn_acc *wdp)
{
    const evaluated *e = r->e, *b = r->base;
    const s2s_attn_acc wd = *wdp;
    const double s0 = share0(&wd);
    const int b_none = model_config(b->cm.m)->attention == S2S_ATTN_NONE;
    const char *bname = b_none ? "the model without attention" : "the baseline";
    long kb, nbn, kbl, nbl;
    evaluated_range(b, EVAL_TEST_MIN, EVAL_TEST_MAX, &kb, &nbn);
    evaluated_range(b, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, &kbl, &nbl);
    const double ba = percent(kb, nbn), bl = percent(kbl, nbl);
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
        if (!e->count[w] || !b->count[w]) continue;
        double g = fabs(percent(e->correct[w], e->count[w]) - percent(b->correct[w], b->count[w]));
        if (g > gap) {
            gap = g;
            wgap = w;
        }
    }
    if (wgap)
        fprintf(f, "The gap is widest at %d words (%s against %s). ", wgap,
                fmt_percent(percent(e->correct[wgap], e->count[wgap])).s,
                fmt_percent(percent(b->correct[wgap], b->count[wgap])).s);
    const double b3 = percent(b->correct[EVAL_TEST_MIN], b->count[EVAL_TEST_MIN]),
                 b10 = percent(b->correct[EVAL_TEST_MAX], b->count[EVAL_TEST_MAX]),
                 a3 = percent(e->correct[EVAL_TEST_MIN], e->count[EVAL_TEST_MIN]),
                 a10 = percent(e->correct[EVAL_TEST_MAX], e->count[EVAL_TEST_MAX]);
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
    fprintf(f, "On %d-%d words, which neither model saw in training, exact match is %s "
               "with attention and %s for %s. ",
            ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, fmt_percent(al).s, fmt_percent(bl).s, bname);
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

static void answer_helps(FILE *f, const report *r)
{
    const evaluated *e = r->e;
    long k, n, kl, nl;
    evaluated_range(e, EVAL_TEST_MIN, EVAL_TEST_MAX, &k, &n);
    evaluated_range(e, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, &kl, &nl);
    const double a = percent(k, n), al = percent(kl, nl);
    s2s_attn_acc wd;
    attn_stats_sum(r->st, 0, S2S_STEPS_WORDS, &wd);
    if (r->base)
        helps_against_baseline(f, r, a, al, &wd);
    else
        helps_alone(f, &wd);
    fprintf(f, "The model's own exact match is %s on 3-10 words and %s on %d-%d words",
            fmt_percent(a).s, fmt_percent(al).s, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX);
    if (isnan(al) || isnan(a))
        fprintf(f, ".\n");
    else
        fprintf(f, ": %s.\n", carry_over(a, al));
}

/* Failures of lengths lo..hi, as a bullet; lengths: 1 to say how long the
 * outputs that stop too early are. */
static void failures(FILE *f, const report *r, int lo, int hi, const char *what, int lengths)
{
    s2s_error_profile p;
    memset(&p, 0, sizeof p);
    for (int w = lo; w <= hi; w++) error_profile_merge(&p, &r->prof[w]);
    long kk, nn;
    evaluated_range(r->e, lo, hi, &kk, &nn);
    fprintf(f, "- **Wrong outputs, %d-%d words (%s).** ", lo, hi, what);
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
                   "longest %d).\n",
                most, mode, top);
    else if (2 * p.shorter > p.wrong)
        fprintf(f, ": %s too early.\n", most);
    else if (2 * p.longer > p.wrong)
        fprintf(f, ": most wrong outputs run on past the input's length.\n");
    else if (2 * p.same_len > p.wrong)
        fprintf(f, ": most wrong outputs have the right length but a wrong word.\n");
    else
        fprintf(f, ".\n");
}

/* 4. The beginning and the end. */
static void answer_ends(FILE *f, const report *r)
{
    s2s_attn_acc k[S2S_STEP_KINDS];
    for (int i = 0; i < S2S_STEP_KINDS; i++) attn_stats_sum(r->st, 0, i, &k[i]);
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
        fprintf(f, "- **Stopping.** At the `<EOS>` step %s of the peaks are on the source "
                   "`<EOS>` and %s on the first word; mean peak weight %s, entropy %s bits",
                fmt_share(on_eos).s, fmt_share(on_first).s, W(attn_acc_mean_peak(a)).s,
                W(attn_acc_mean_entropy(a)).s);
        if (on_eos >= ALIGNS)
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
    failures(f, r, EVAL_TEST_MIN, EVAL_TEST_MAX, "test set", 0);
    failures(f, r, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, "never trained", 1);
}

/* The report's opening: the model, the test sets, what is left out. */
static void write_header(FILE *f, const report *r, long k, long n, long kl, long nl, long n_exact)
{
    const evaluated *e = r->e;
    const s2s_config *c = model_config(e->cm.m);
    const long n_out = n - n_exact;
    fprintf(f, "# Attention analysis\n\n"
               "Written by `seq2seq analyze`; every figure below was measured in this run.\n\n");
    fprintf(f, "- Model: `%s` (epoch %d", e->cm.path, e->cm.meta.epoch);
    if (!isnan(e->cm.meta.val_loss)) fprintf(f, ", validation loss %.4f", (double)e->cm.meta.val_loss);
    fprintf(f, ")\n- Configuration: %s attention, embedding %d, hidden %d, %d layer%s, dropout "
               "%g, vocabulary %d, %zu parameters, trained with seed %llu\n",
            attention_name(c->attention), c->embed, c->hidden, c->layers,
            c->layers == 1 ? "" : "s", (double)c->dropout, c->vocab, model_num_params(e->cm.m),
            (unsigned long long)e->cm.meta.seed);
    fprintf(f, "- Test set: the synthetic test split of seed %llu, %d sentences of 3-10 words; "
               "decoded greedily on %s\n",
            (unsigned long long)e->cm.meta.seed, e->dte.count, r->device);
    fprintf(f, "- **Test exact match: %s**; on %d sentences of %d-%d words (seed %u, lengths "
               "training never shows): %s\n",
            fmt_kn(k, n).s, ANALYZE_LONG_N, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, ANALYZE_LONG_SEED,
            fmt_kn(kl, nl).s);
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
    if (attn_stats_sentences(r->stl, 0))
        fprintf(f, ". Rows marked *never trained* come from the %ld %s of %d-%d words reversed "
                   "exactly",
                attn_stats_sentences(r->stl, 0),
                pl(attn_stats_sentences(r->stl, 0), "sentence", "sentences"), ANALYZE_LONG_MIN,
                ANALYZE_LONG_MAX);
    fprintf(f, ".\n\n");
}

static void write_method(FILE *f)
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
               "middle steps.\n\n");
}

static void write_report(FILE *f, const report *r)
{
    const evaluated *e = r->e;
    long k, n, kl, nl;
    evaluated_range(e, EVAL_TEST_MIN, EVAL_TEST_MAX, &k, &n);
    evaluated_range(e, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX, &kl, &nl);
    const long n_exact = attn_stats_sentences(r->st, 0);

    write_header(f, r, k, n, kl, nl, n_exact);
    write_method(f);
    fprintf(f, "## Exact match by length\n\n");
    table_exact(f, r);
    fprintf(f, "\n## Attention tables\n\n");
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
               "of the test set's, \"in part\" when it is at least half of it.\n",
            100 * ALIGNS, 100 * MOSTLY, 100 * DOMINANT, SHARP, FOCUSED, FLAT, CLEAR_GAIN,
            CLEAR_GAIN);
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

