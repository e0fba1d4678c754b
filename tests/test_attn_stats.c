/* test_attn_stats.c — attention statistics on hand-made matrices (with and
 * without a start-marker column), where decoding first goes wrong (by ids,
 * and by words with the copy-through rule), exact match by length, and the
 * synthetic sentences of other lengths and with unseen words. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "attn_stats.h"
#include "evaluate.h"
#include "data.h"

#define BIN(off) attn_offset_bin(off)

/* A (n+1, n+1) matrix whose row t (step k = t+1) has all its weight on
 * column col(k); the caller frees it. */
static float *one_hot(int n, int (*col)(int k, int n))
{
    const int S = n + 1;
    float *a = calloc((size_t)S * (size_t)S, sizeof *a);
    assert_non_null(a);
    for (int t = 0; t < S; t++) a[t * S + col(t + 1, n)] = 1.0f;
    return a;
}

static int col_mirror(int k, int n)
{
    return attn_mirror_index(k, n);
}

/* One position to the right of the mirror for word steps (step 1 lands on
 * the source <EOS>); the <EOS> step stays on the source <EOS>, as there is
 * nothing to its right. */
static int col_shift1(int k, int n)
{
    return k <= n ? n - k + 1 : n;
}

/* ------------------------------------------------------------ the helpers */

static void test_bins_and_kinds(void **state)
{
    (void)state;
    assert_int_equal(S2S_OFF_BINS, 9);
    assert_int_equal(attn_offset_bin(-100), S2S_OFF_BIN_LEFT);
    assert_int_equal(attn_offset_bin(-4), S2S_OFF_BIN_LEFT);
    assert_int_equal(attn_offset_bin(-3), 1);
    assert_int_equal(attn_offset_bin(0), 4);
    assert_int_equal(attn_offset_bin(3), 7);
    assert_int_equal(attn_offset_bin(4), S2S_OFF_BIN_RIGHT);
    for (int off = S2S_OFF_MIN; off <= S2S_OFF_MAX; off++)
        assert_int_equal(attn_bin_offset(attn_offset_bin(off)), off);
    assert_int_equal(attn_bin_offset(S2S_OFF_BIN_LEFT), -4);
    assert_int_equal(attn_bin_offset(S2S_OFF_BIN_RIGHT), 4);

    /* n = 5: first, middle x3, last, <EOS> */
    assert_int_equal(attn_step_kind(1, 5), S2S_STEP_FIRST);
    for (int k = 2; k <= 4; k++) assert_int_equal(attn_step_kind(k, 5), S2S_STEP_MIDDLE);
    assert_int_equal(attn_step_kind(5, 5), S2S_STEP_LAST);
    assert_int_equal(attn_step_kind(6, 5), S2S_STEP_EOS);
    /* n = 2 has no middle; n = 1's only word step is a first step */
    assert_int_equal(attn_step_kind(1, 2), S2S_STEP_FIRST);
    assert_int_equal(attn_step_kind(2, 2), S2S_STEP_LAST);
    assert_int_equal(attn_step_kind(1, 1), S2S_STEP_FIRST);
    assert_int_equal(attn_step_kind(2, 1), S2S_STEP_EOS);

    /* "the cat sat" (n = 3): step 1 copies "sat" (index 2), step 3 "the"
     * (0), step 4 <EOS> (3). */
    assert_int_equal(attn_mirror_index(1, 3), 2);
    assert_int_equal(attn_mirror_index(2, 3), 1);
    assert_int_equal(attn_mirror_index(3, 3), 0);
    assert_int_equal(attn_mirror_index(4, 3), 3);
}

static void test_row_measure(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_row r;
    const float half[4] = {0.5f, 0.5f, 0, 0};
    CHECK_OK(attn_row_measure(half, 4, &r, &err), &err);
    assert_int_equal(r.argmax, 0); /* the first on a tie */
    assert_true(fabs(r.peak - 0.5) < 1e-12);
    assert_true(fabs(r.entropy - 1.0) < 1e-12);

    const float quarter[4] = {0.25f, 0.25f, 0.25f, 0.25f};
    CHECK_OK(attn_row_measure(quarter, 4, &r, &err), &err);
    assert_true(fabs(r.entropy - 2.0) < 1e-12);

    /* Unnormalised rows are normalised: (2, 6) is (0.25, 0.75). */
    const float un[2] = {2.0f, 6.0f};
    CHECK_OK(attn_row_measure(un, 2, &r, &err), &err);
    assert_int_equal(r.argmax, 1);
    assert_true(fabs(r.peak - 0.75) < 1e-12);
    assert_true(fabs(r.entropy - (-(0.25 * log2(0.25) + 0.75 * log2(0.75)))) < 1e-12);

    const float one[3] = {0, 0, 1};
    CHECK_OK(attn_row_measure(one, 3, &r, &err), &err);
    assert_int_equal(r.argmax, 2);
    assert_true(r.peak == 1.0);
    assert_true(r.entropy == 0.0 && !signbit(r.entropy));

    const float neg[2] = {-0.1f, 1.1f}, zero[2] = {0, 0}, nan2[2] = {NAN, 1};
    assert_int_equal(attn_row_measure(neg, 2, &r, &err), S2S_ERR_ARG);
    assert_int_equal(attn_row_measure(zero, 2, &r, &err), S2S_ERR_ARG);
    assert_int_equal(attn_row_measure(nan2, 2, &r, &err), S2S_ERR_ARG);
    assert_int_equal(attn_row_measure(one, 0, &r, &err), S2S_ERR_ARG);
    assert_int_equal(attn_row_measure(NULL, 3, &r, &err), S2S_ERR_ARG);
}

/* --------------------------------------------------------- whole matrices */

static void test_anti_diagonal(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s);
    assert_non_null(s);
    attn_stats_init(s);
    for (int n = 3; n <= 10; n++) {
        float *a = one_hot(n, col_mirror);
        CHECK_OK(attn_stats_add(s, a, n + 1, n + 1, &err), &err);
        free(a);
    }
    assert_int_equal(attn_stats_sentences(s, 0), 8);
    assert_int_equal(attn_stats_sentences(s, 7), 1);
    assert_int_equal(attn_stats_sentences(s, 11), 0);
    s2s_attn_acc all;
    attn_stats_sum(s, 0, -1, &all);
    long steps = 0;
    for (int n = 3; n <= 10; n++) steps += n + 1;
    assert_int_equal(all.steps, steps);
    assert_int_equal(all.offset[BIN(0)], steps);
    assert_true(attn_acc_share(&all, BIN(0)) == 1.0);
    assert_true(attn_acc_share(&all, BIN(1)) == 0.0);
    assert_int_equal(attn_acc_mode_bin(&all), BIN(0));
    assert_true(attn_acc_mean_peak(&all) == 1.0);
    assert_true(attn_acc_mean_on_mirror(&all) == 1.0);
    assert_true(attn_acc_mean_entropy(&all) == 0.0);
    assert_true(attn_acc_mean_entropy_norm(&all) == 0.0);

    /* By kind: one first, one last and one <EOS> step per sentence, n - 2
     * middle steps. */
    s2s_attn_acc k;
    attn_stats_sum(s, 0, S2S_STEP_FIRST, &k);
    assert_int_equal(k.steps, 8);
    assert_int_equal(k.peak_on_first, 0);
    attn_stats_sum(s, 0, S2S_STEP_LAST, &k);
    assert_int_equal(k.steps, 8);
    assert_int_equal(k.peak_on_first, 8); /* the last word's step copies word 1 */
    attn_stats_sum(s, 0, S2S_STEP_EOS, &k);
    assert_int_equal(k.steps, 8);
    assert_int_equal(k.peak_on_eos, 8);
    attn_stats_sum(s, 0, S2S_STEP_MIDDLE, &k);
    assert_int_equal(k.steps, steps - 24);
    attn_stats_sum(s, 5, S2S_STEP_MIDDLE, &k);
    assert_int_equal(k.steps, 3);
    attn_stats_sum(s, 5, -1, &k);
    assert_int_equal(k.steps, 6);
    free(s);
}

static void test_uniform(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s);
    assert_non_null(s);
    attn_stats_init(s);
    const int n = 4, S = n + 1;
    float a[25];
    for (int i = 0; i < S * S; i++) a[i] = 1.0f / (float)S;
    CHECK_OK(attn_stats_add(s, a, S, S, &err), &err);
    s2s_attn_acc all;
    attn_stats_sum(s, 0, -1, &all);
    assert_int_equal(all.steps, 5);
    /* The maximal entropy, log2(n + 1); normalised, 1. */
    assert_true(fabs(attn_acc_mean_entropy(&all) - log2(5.0)) < 1e-6);
    assert_true(fabs(attn_acc_mean_entropy_norm(&all) - 1.0) < 1e-6);
    assert_true(fabs(attn_acc_mean_peak(&all) - 0.2) < 1e-6);
    assert_true(fabs(attn_acc_mean_on_mirror(&all) - 0.2) < 1e-6);
    /* A tie peaks at the first position: steps 1..4 are 3, 2, 1, 0 to the
     * left of their mirrors, the <EOS> step 4 to the left of the source
     * <EOS>. */
    assert_int_equal(all.offset[BIN(-3)], 1);
    assert_int_equal(all.offset[BIN(-2)], 1);
    assert_int_equal(all.offset[BIN(-1)], 1);
    assert_int_equal(all.offset[BIN(0)], 1);
    assert_int_equal(all.offset[S2S_OFF_BIN_LEFT], 1);
    assert_int_equal(all.peak_on_first, 5);
    assert_int_equal(all.peak_on_eos, 0);
    free(s);
}

static void test_shifted(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s);
    assert_non_null(s);
    attn_stats_init(s);
    for (int n = 3; n <= 6; n++) {
        float *a = one_hot(n, col_shift1);
        CHECK_OK(attn_stats_add(s, a, n + 1, n + 1, &err), &err);
        free(a);
    }
    /* Every word step peaks one to the right of its mirror. */
    long words = 0;
    for (int kind = S2S_STEP_FIRST; kind <= S2S_STEP_LAST; kind++) {
        s2s_attn_acc k;
        attn_stats_sum(s, 0, kind, &k);
        assert_int_equal(k.offset[BIN(1)], k.steps);
        assert_true(attn_acc_share(&k, BIN(1)) == 1.0);
        assert_int_equal(attn_acc_mode_bin(&k), BIN(1));
        assert_true(attn_acc_mean_on_mirror(&k) == 0.0);
        assert_true(attn_acc_mean_peak(&k) == 1.0);
        words += k.steps;
    }
    assert_int_equal(words, 3 + 4 + 5 + 6);
    s2s_attn_acc k;
    attn_stats_sum(s, 0, S2S_STEPS_WORDS, &k);
    assert_int_equal(k.steps, 18);
    assert_true(attn_acc_share(&k, BIN(1)) == 1.0);
    assert_true(attn_acc_mean_on_mirror_missed(&k) == 0.0);
    attn_stats_sum(s, 0, S2S_STEP_FIRST, &k);
    assert_int_equal(k.peak_on_eos, 4); /* step 1 looks at the source <EOS> */
    attn_stats_sum(s, 0, S2S_STEP_EOS, &k);
    assert_int_equal(k.offset[BIN(0)], 4);
    s2s_attn_acc all;
    attn_stats_sum(s, 0, -1, &all);
    assert_true(fabs(attn_acc_share(&all, BIN(1)) - 18.0 / 22.0) < 1e-12);
    free(s);
}

/* Soft weights with every count and mean worked out by hand. */
static void test_mixed(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s);
    assert_non_null(s);
    attn_stats_init(s);
    /* n = 3, mirrors 2, 1, 0, 3 */
    const float a3[16] = {
        0.1f, 0.2f, 0.6f, 0.1f,    /* step 1: peak 2, offset 0 */
        0.5f, 0.3f, 0.1f, 0.1f,    /* step 2: peak 0, offset -1 */
        0.7f, 0.1f, 0.1f, 0.1f,    /* step 3: peak 0, offset 0 */
        0.5f, 0.5f, 0.0f, 0.0f,    /* <EOS>:  peak 0 (tie), offset -3, 1 bit */
    };
    /* n = 5, mirrors 4, 3, 2, 1, 0, 5 */
    float a5[36] = {0};
    const int peak5[6] = {5, 3, 2, 5, 0, 5}; /* offsets +1, 0, 0, +4, 0, 0 */
    for (int t = 0; t < 6; t++) a5[t * 6 + peak5[t]] = 1.0f;
    CHECK_OK(attn_stats_add(s, a3, 4, 4, &err), &err);
    CHECK_OK(attn_stats_add(s, a5, 6, 6, &err), &err);

    s2s_attn_acc all;
    attn_stats_sum(s, 0, -1, &all);
    assert_int_equal(all.steps, 10);
    assert_int_equal(all.offset[BIN(0)], 6);
    assert_int_equal(all.offset[BIN(-1)], 1);
    assert_int_equal(all.offset[BIN(-3)], 1);
    assert_int_equal(all.offset[BIN(1)], 1);
    assert_int_equal(all.offset[S2S_OFF_BIN_RIGHT], 1);
    assert_int_equal(all.offset[S2S_OFF_BIN_LEFT], 0);
    assert_true(fabs(attn_acc_share(&all, BIN(0)) - 0.6) < 1e-12);
    assert_int_equal(attn_acc_mode_bin(&all), BIN(0));
    assert_int_equal(all.peak_on_first, 3 + 1);
    assert_int_equal(all.peak_on_eos, 3);
    /* peaks: 0.6 0.5 0.7 0.5 and six 1s */
    assert_true(fabs(attn_acc_mean_peak(&all) - (2.3 + 6.0) / 10.0) < 1e-6);
    /* on the mirror: 0.6 0.3 0.7 0.0, and 1 0 1 1 0 1 0... (n = 5: steps 2,
     * 3, 5, <EOS> hit it) */
    assert_true(fabs(attn_acc_mean_on_mirror(&all) - (1.6 + 4.0) / 10.0) < 1e-6);

    /* Weight on the mirror over the 4 steps whose peak missed it: n = 3 step
     * 2 (0.3) and <EOS> (0.0); n = 5 steps 1 and 4 (0, 0). */
    assert_true(fabs(attn_acc_mean_on_mirror_missed(&all) - 0.3 / 4.0) < 1e-6);
    s2s_attn_acc k;
    attn_stats_sum(s, 0, S2S_STEPS_WORDS, &k);
    assert_int_equal(k.steps, 8); /* 3 + 5 word steps */
    assert_int_equal(k.offset[BIN(0)], 5);
    assert_int_equal(k.offset[BIN(-3)], 0);
    attn_stats_sum(s, 0, S2S_STEPS_ALL, &k);
    assert_int_equal(k.steps, 10);
    attn_stats_sum(s, 3, S2S_STEP_EOS, &k);
    assert_int_equal(k.steps, 1);
    assert_true(fabs(attn_acc_mean_entropy(&k) - 1.0) < 1e-6);
    assert_true(fabs(attn_acc_mean_entropy_norm(&k) - 0.5) < 1e-6); /* 1 bit / log2(4) */
    attn_stats_sum(s, 3, S2S_STEP_MIDDLE, &k);
    assert_int_equal(k.steps, 1);
    assert_int_equal(k.offset[BIN(-1)], 1);
    attn_stats_sum(s, 5, S2S_STEP_MIDDLE, &k);
    assert_int_equal(k.steps, 3);
    assert_int_equal(k.offset[BIN(0)], 2);
    assert_int_equal(k.offset[S2S_OFF_BIN_RIGHT], 1);
    assert_true(attn_acc_mean_entropy(&k) == 0.0);
    attn_stats_sum(s, 5, S2S_STEP_FIRST, &k);
    assert_int_equal(k.offset[BIN(1)], 1);
    assert_int_equal(k.peak_on_eos, 1);
    attn_stats_sum(s, 0, S2S_STEP_LAST, &k);
    assert_int_equal(k.steps, 2);
    assert_int_equal(k.offset[BIN(0)], 2);
    assert_int_equal(k.peak_on_first, 2);

    /* An empty selection gives NaN means and no mode. */
    attn_stats_sum(s, 4, -1, &k);
    assert_int_equal(k.steps, 0);
    assert_true(isnan(attn_acc_mean_peak(&k)));
    assert_true(isnan(attn_acc_share(&k, BIN(0))));
    assert_int_equal(attn_acc_mode_bin(&k), -1);
    assert_true(isnan(attn_acc_share(&all, -1)));
    assert_true(isnan(attn_acc_share(&all, S2S_OFF_BINS)));
    free(s);
}

static void test_add_refuses(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s), *before = malloc(sizeof *before);
    assert_non_null(s);
    assert_non_null(before);
    attn_stats_init(s);
    float *good = one_hot(3, col_mirror);
    CHECK_OK(attn_stats_add(s, good, 4, 4, &err), &err);
    memcpy(before, s, sizeof *s);

    /* a wrong number of steps (the output was wrong) */
    assert_int_equal(attn_stats_add(s, good, 3, 4, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "4 steps"));
    /* no words, too many words, no matrix */
    assert_int_equal(attn_stats_add(s, good, 1, 1, &err), S2S_ERR_ARG);
    assert_int_equal(attn_stats_add(s, good, 102, 102, &err), S2S_ERR_ARG);
    assert_int_equal(attn_stats_add(s, NULL, 4, 4, &err), S2S_ERR_ARG);
    /* a bad weight in the last row: nothing of the sentence is counted */
    good[15] = NAN;
    assert_int_equal(attn_stats_add(s, good, 4, 4, &err), S2S_ERR_ARG);
    good[15] = -1.0f;
    assert_int_equal(attn_stats_add(s, good, 4, 4, &err), S2S_ERR_ARG);
    assert_memory_equal(s, before, sizeof *s);
    free(good);
    free(s);
    free(before);
}

/* ------------------------------------------------- a start-marker column */

static void test_row_measure_prefixed(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_row r;
    /* The marker holds the most, 0.5: the peak is the largest of the rest. */
    const float row[4] = {0.5f, 0.1f, 0.3f, 0.1f};
    CHECK_OK(attn_row_measure_prefixed(row, 4, 1, &r, &err), &err);
    assert_int_equal(r.argmax, 1); /* column 2, counted from the first word */
    assert_true(fabs(r.peak - 0.3) < 1e-6);
    assert_true(fabs(r.marker - 0.5) < 1e-6);
    assert_int_equal(r.marker_peak, 1);
    const double h = -(0.5 * log2(0.5) + 0.3 * log2(0.3) + 2 * 0.1 * log2(0.1));
    assert_true(fabs(r.entropy - h) < 1e-6); /* of the whole row */

    /* Without a prefix it is attn_row_measure. */
    s2s_attn_row r0;
    CHECK_OK(attn_row_measure_prefixed(row, 4, 0, &r, &err), &err);
    CHECK_OK(attn_row_measure(row, 4, &r0, &err), &err);
    assert_int_equal(r.argmax, 0);
    assert_int_equal(r0.argmax, 0);
    assert_true(r.peak == r0.peak && r.entropy == r0.entropy);
    assert_true(r.marker == 0 && r0.marker == 0 && !r.marker_peak && !r0.marker_peak);

    /* All the weight on the marker: the peak is the first word's, weight 0. */
    const float all[3] = {1, 0, 0};
    CHECK_OK(attn_row_measure_prefixed(all, 3, 1, &r, &err), &err);
    assert_int_equal(r.argmax, 0);
    assert_true(r.peak == 0 && r.marker == 1 && r.marker_peak == 1);
    /* On a tie the first column counts as the largest: the marker. */
    const float tie[3] = {0.4f, 0.4f, 0.2f};
    CHECK_OK(attn_row_measure_prefixed(tie, 3, 1, &r, &err), &err);
    assert_int_equal(r.marker_peak, 1);
    const float tie2[3] = {0.3f, 0.4f, 0.3f};
    CHECK_OK(attn_row_measure_prefixed(tie2, 3, 1, &r, &err), &err);
    assert_int_equal(r.marker_peak, 0);

    assert_int_equal(attn_row_measure_prefixed(row, 4, 4, &r, &err), S2S_ERR_ARG);
    assert_int_equal(attn_row_measure_prefixed(row, 4, -1, &r, &err), S2S_ERR_ARG);
    const float neg[3] = {-1, 1, 1};
    assert_int_equal(attn_row_measure_prefixed(neg, 3, 1, &r, &err), S2S_ERR_ARG);
}

/* A (n+1, 1+n+1) matrix: column 0 is the start marker. Word steps put
 * `word_marker` on it and the rest on their mirrored word; the <EOS> step
 * puts `eos_marker` on it and the rest on word 1 (as a model that reads its
 * stop off the marker might). */
static float *with_marker(int n, float word_marker, float eos_marker)
{
    const int C = n + 2;
    float *a = calloc((size_t)(n + 1) * (size_t)C, sizeof *a);
    assert_non_null(a);
    for (int t = 0; t <= n; t++) {
        const int k = t + 1;
        if (k <= n) {
            a[t * C] = word_marker;
            a[t * C + 1 + attn_mirror_index(k, n)] = 1.0f - word_marker;
        } else {
            a[t * C] = eos_marker;
            a[t * C + 1] = 1.0f - eos_marker;
        }
    }
    return a;
}

static void test_prefixed_stats(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s), *plain = malloc(sizeof *plain);
    assert_non_null(s);
    assert_non_null(plain);
    attn_stats_init(s);
    for (int n = 3; n <= 5; n++) {
        float *a = with_marker(n, 0.1f, 0.8f);
        CHECK_OK(attn_stats_add_prefixed(s, a, n + 1, 1, n + 2, &err), &err);
        free(a);
    }
    s2s_attn_acc wd, eos;
    attn_stats_sum(s, 0, S2S_STEPS_WORDS, &wd);
    attn_stats_sum(s, 0, S2S_STEP_EOS, &eos);
    assert_int_equal(wd.steps, 3 + 4 + 5);
    /* The marker column is skipped: every word step is on its mirrored word. */
    assert_int_equal(wd.offset[BIN(0)], wd.steps);
    assert_true(fabs(attn_acc_mean_on_mirror(&wd) - 0.9) < 1e-6);
    assert_true(fabs(attn_acc_mean_peak(&wd) - 0.9) < 1e-6);
    assert_true(fabs(attn_acc_mean_on_marker(&wd) - 0.1) < 1e-6);
    assert_int_equal(wd.peak_on_marker, 0);
    assert_true(attn_acc_share_peak_on_marker(&wd) == 0);
    /* The <EOS> step: the marker holds 0.8, the largest weight; among the
     * words the peak is word 1 (offset -n: -3, -4, -5). */
    assert_int_equal(eos.steps, 3);
    assert_int_equal(eos.peak_on_marker, 3);
    assert_true(attn_acc_share_peak_on_marker(&eos) == 1.0);
    assert_true(fabs(attn_acc_mean_on_marker(&eos) - 0.8) < 1e-6);
    assert_int_equal(eos.peak_on_first, 3);
    assert_int_equal(eos.offset[BIN(-3)], 1);
    assert_int_equal(eos.offset[S2S_OFF_BIN_LEFT], 2);
    assert_true(fabs(attn_acc_mean_peak(&eos) - 0.2) < 1e-6);
    assert_true(fabs(attn_acc_mean_on_mirror(&eos)) < 1e-6);
    /* Entropy of the whole row over log2(n + 2) columns. */
    const double h = -(0.8 * log2(0.8) + 0.2 * log2(0.2));
    assert_true(fabs(eos.entropy - 3 * h) < 1e-5);
    assert_true(fabs(eos.entropy_norm - (h / log2(5) + h / log2(6) + h / log2(7))) < 1e-5);

    /* With nothing on the marker, the counts are those of the matrix
     * without its first column. */
    attn_stats_init(s);
    attn_stats_init(plain);
    const int n = 4, C = n + 2;
    float *a = with_marker(n, 0.0f, 0.0f), *b = calloc((size_t)(n + 1) * (n + 1), sizeof *b);
    assert_non_null(b);
    a[2 * C + 2] = 0.25f; /* step 3 spreads a little */
    for (int t = 0; t <= n; t++)
        for (int j = 0; j <= n; j++) b[t * (n + 1) + j] = a[t * C + 1 + j];
    CHECK_OK(attn_stats_add_prefixed(s, a, n + 1, 1, C, &err), &err);
    CHECK_OK(attn_stats_add(plain, b, n + 1, n + 1, &err), &err);
    for (int k = 0; k < S2S_STEP_KINDS; k++) {
        const s2s_attn_acc *x = &s->acc[n][k], *y = &plain->acc[n][k];
        assert_int_equal(x->steps, y->steps);
        assert_memory_equal(x->offset, y->offset, sizeof x->offset);
        assert_int_equal(x->peak_on_first, y->peak_on_first);
        assert_int_equal(x->peak_on_eos, y->peak_on_eos);
        assert_true(fabs(x->peak - y->peak) < 1e-9);
        assert_true(fabs(x->on_mirror - y->on_mirror) < 1e-9);
        assert_true(fabs(x->on_mirror_missed - y->on_mirror_missed) < 1e-9);
        assert_true(fabs(x->entropy - y->entropy) < 1e-9);
        assert_true(x->on_marker == 0 && x->peak_on_marker == 0);
    }
    /* ... and prefix 0 is attn_stats_add itself. */
    attn_stats_init(s);
    CHECK_OK(attn_stats_add_prefixed(s, b, n + 1, 0, n + 1, &err), &err);
    assert_memory_equal(s, plain, sizeof *s);

    /* Refused: steps that do not fit the words, a prefix filling the row. */
    assert_int_equal(attn_stats_add_prefixed(s, a, n + 2, 1, C, &err), S2S_ERR_ARG);
    assert_int_equal(attn_stats_add_prefixed(s, a, n + 1, C, C, &err), S2S_ERR_ARG);
    assert_int_equal(attn_stats_add_prefixed(s, a, 1, 1, 2, &err), S2S_ERR_ARG); /* 0 words */
    assert_memory_equal(s, plain, sizeof *s);
    free(a);
    free(b);
    free(s);
    free(plain);
}

static void test_sum_lengths(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_attn_stats *s = malloc(sizeof *s);
    assert_non_null(s);
    attn_stats_init(s);
    for (int n = 2; n <= 6; n++) {
        float *a = one_hot(n, col_mirror);
        CHECK_OK(attn_stats_add(s, a, n + 1, n + 1, &err), &err);
        if (n == 4) CHECK_OK(attn_stats_add(s, a, n + 1, n + 1, &err), &err);
        free(a);
    }
    s2s_attn_acc a, b;
    attn_stats_sum_lengths(s, 3, 5, S2S_STEPS_WORDS, &a);
    assert_int_equal(a.steps, 3 + 2 * 4 + 5);
    assert_int_equal(attn_stats_sentences_lengths(s, 3, 5), 4);
    assert_int_equal(attn_stats_sentences_lengths(s, -5, 500), 6);
    attn_stats_sum_lengths(s, -5, 500, S2S_STEPS_ALL, &a);
    attn_stats_sum(s, 0, S2S_STEPS_ALL, &b);
    assert_memory_equal(&a, &b, sizeof a);
    attn_stats_sum_lengths(s, 7, 50, S2S_STEPS_ALL, &a);
    assert_int_equal(a.steps, 0);
    attn_stats_sum_lengths(s, 5, 3, S2S_STEPS_ALL, &a);
    assert_int_equal(a.steps, 0);
    free(s);
}

/* ------------------------------------------------- where decoding goes wrong */

static void test_first_error(void **state)
{
    (void)state;
    const int ref[4] = {10, 11, 12, 13};
    const int ok[4] = {10, 11, 12, 13}, w1[4] = {9, 11, 12, 13}, w3[4] = {10, 11, 9, 13};
    const int longer[6] = {10, 11, 12, 13, 13, 13};
    assert_int_equal(decoded_first_error(ok, 4, 1, ref, 4), 0);
    assert_int_equal(decoded_first_error(w1, 4, 1, ref, 4), 1);
    assert_int_equal(decoded_first_error(w3, 4, 1, ref, 4), 3);
    assert_int_equal(decoded_first_error(ok, 2, 1, ref, 4), 3);      /* stopped early */
    assert_int_equal(decoded_first_error(longer, 6, 1, ref, 4), 5);  /* a word for <EOS> */
    assert_int_equal(decoded_first_error(longer, 6, 0, ref, 4), 5);
    assert_int_equal(decoded_first_error(ok, 4, 0, ref, 4), 5);      /* never stopped */
    assert_int_equal(decoded_first_error(ok, 0, 1, ref, 4), 1);      /* <EOS> at once */

    s2s_error_profile p;
    memset(&p, 0, sizeof p);
    error_profile_add(&p, 1, 4, 4, 1);  /* wrong first word */
    error_profile_add(&p, 3, 4, 2, 1);  /* stopped after 2 words: a middle step */
    error_profile_add(&p, 4, 4, 4, 1);  /* wrong last word */
    error_profile_add(&p, 5, 4, 6, 1);  /* went on past the last word */
    error_profile_add(&p, 5, 4, 10, 0); /* never stopped */
    assert_int_equal(p.wrong, 5);
    assert_int_equal(p.first_error[S2S_STEP_FIRST], 1);
    assert_int_equal(p.first_error[S2S_STEP_MIDDLE], 1);
    assert_int_equal(p.first_error[S2S_STEP_LAST], 1);
    assert_int_equal(p.first_error[S2S_STEP_EOS], 2);
    assert_int_equal(p.shorter, 1);
    assert_int_equal(p.same_len, 2);
    assert_int_equal(p.longer, 2);
    assert_int_equal(p.first_error_at[5], 2);
    assert_int_equal(p.first_error_at[1], 1);
    assert_int_equal(hist_mode(p.first_error_at, S2S_MAX_STEPS), 5);
    assert_int_equal(hist_max(p.first_error_at, S2S_MAX_STEPS), 5);
    /* stopped outputs by length: 4, 2, 4, 6 (the unstopped one is not counted) */
    assert_int_equal(p.out_len[4], 2);
    assert_int_equal(p.out_len[10], 0);
    assert_int_equal(hist_mode(p.out_len, S2S_MAX_STEPS), 4);
    assert_int_equal(hist_max(p.out_len, S2S_MAX_STEPS), 6);

    s2s_error_profile q;
    memset(&q, 0, sizeof q);
    error_profile_add(&q, 2, 3, 1, 1);
    error_profile_merge(&q, &p);
    assert_int_equal(q.wrong, 6);
    assert_int_equal(q.first_error[S2S_STEP_MIDDLE], 2);
    assert_int_equal(q.shorter, 2);
    assert_int_equal(q.out_len[1], 1);
    assert_int_equal(q.out_len[4], 2);

    const long empty[4] = {0}, tie[4] = {0, 3, 3, 1};
    assert_int_equal(hist_mode(empty, 3), -1);
    assert_int_equal(hist_max(empty, 3), -1);
    assert_int_equal(hist_mode(tie, 3), 1);
    assert_int_equal(hist_max(tie, 3), 3);
}

/* ------------------------------------------ right by words, with copying */

/* A vocabulary of the seed's words. */
static void seed_vocab(s2s_vocab *v)
{
    s2s_error err = {0};
    CHECK_OK(vocab_create(v, &err), &err);
    for (int i = 0; i < 34; i++) {
        int id;
        CHECK_OK(vocab_add(v, S2S_SEED_WORDS[i], &id, &err), &err);
    }
}

/* Sets row t of a (steps, C) matrix to 0.9 on column col, the rest spread. */
static void peak_row(float *a, int C, int t, int col)
{
    for (int j = 0; j < C; j++) a[t * C + j] = 0.1f / (float)(C - 1);
    a[t * C + col] = 0.9f;
}

static void test_first_error_words(void **state)
{
    (void)state;
    s2s_vocabs vs = {.shared = 1};
    s2s_vocab *vp = &vs.src;
    seed_vocab(vp);
    char *w[4] = {"the", "zebra", "sat", "cloud"}; /* zebra and cloud are unseen */
    s2s_sentence src = {.len = 3, .w = w};
    const int the = vocab_find(vp, "the"), sat = vocab_find(vp, "sat"),
              cat = vocab_find(vp, "cat");
    assert_true(the >= 0 && sat >= 0 && cat >= 0);
    assert_true(vocab_find(vp, "zebra") < 0);

    /* Columns: the zebra sat <EOS>; steps: sat ? the <EOS>. */
    enum { C = 4, STEPS = 4 };
    float a[STEPS * C];
    for (int t = 0; t < STEPS; t++) peak_row(a, C, t, t < 3 ? 2 - t : 3);
    /* The model writes <UNK> where zebra belongs: copied, right by words;
     * by ids <UNK> = <UNK> is right too. */
    const int unk_out[3] = {sat, S2S_UNK, the};
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, unk_out, 3, 1, a, STEPS, 0), 0);
    /* It writes a known word there, under a peak on zebra: the copy rule
     * writes zebra, so it is right; by ids it is wrong at step 2. */
    const int cat_out[3] = {sat, cat, the};
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, a, STEPS, 0), 0);
    const int ref_ids[3] = {sat, S2S_UNK, the};
    assert_int_equal(decoded_first_error(cat_out, 3, 1, ref_ids, 3), 2);
    /* Without attention nothing is copied. */
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, NULL, STEPS, 0), 2);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, unk_out, 3, 1, NULL, STEPS, 0), 2);
    /* Step 2 looks at "the" instead: nothing is copied there. */
    peak_row(a, C, 1, 0);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, a, STEPS, 0), 2);
    /* ... and <UNK> written there copies the word under the peak, "the". */
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, unk_out, 3, 1, a, STEPS, 0), 2);
    peak_row(a, C, 1, 1);
    /* Lengths and stopping, as decoded_first_error counts them. */
    const int longer[4] = {sat, cat, the, the};
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 2, 1, a, STEPS, 0), 3);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, longer, 4, 1, a, STEPS, 0), 4);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 0, a, 3, 0), 4);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 0, 1, a, 1, 0), 1);
    /* A wrong known word. */
    const int wrong[3] = {the, cat, the};
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, wrong, 3, 1, a, STEPS, 0), 1);

    /* With a start marker in column 0, the same decisions one column over;
     * a peak on the marker copies nothing. */
    enum { CP = 5 };
    float b[STEPS * CP];
    for (int t = 0; t < STEPS; t++) peak_row(b, CP, t, 1 + (t < 3 ? 2 - t : 3));
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, b, STEPS, 1), 0);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, unk_out, 3, 1, b, STEPS, 1), 0);
    peak_row(b, CP, 1, 0);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, b, STEPS, 1), 2);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, unk_out, 3, 1, b, STEPS, 1), 2);

    /* Only unseen words: cloud zebra -> zebra cloud, written as <UNK>s. */
    char *u[2] = {"cloud", "zebra"};
    s2s_sentence src2 = {.len = 2, .w = u};
    enum { C2 = 3, S2 = 3 };
    float c[S2 * C2];
    for (int t = 0; t < S2; t++) peak_row(c, C2, t, t < 2 ? 1 - t : 2);
    const int unks[2] = {S2S_UNK, S2S_UNK};
    assert_int_equal(decoded_first_error_words(&src2, NULL, &vs, unks, 2, 1, c, S2, 0), 0);
    /* Both word steps peak on cloud, equally: the earlier copies it, and the
     * later, having written <UNK>, writes the word under its peak, cloud
     * again: wrong at step 1. */
    peak_row(c, C2, 0, 0);
    assert_int_equal(decoded_first_error_words(&src2, NULL, &vs, unks, 2, 1, c, S2, 0), 1);

    /* Out of range. */
    const int bad[3] = {sat, 99, the};
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, bad, 3, 1, a, STEPS, 0), -1);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, a, 2, 0), -1);
    assert_int_equal(decoded_first_error_words(&src, NULL, &vs, cat_out, 3, 1, a, STEPS, -1), -1);
    vocab_free(vp);
}

static void test_exact_by_length(void **state)
{
    (void)state;
    int src_len[6] = {4, 4, 6, 12, 4, 30}; /* 3, 3, 5, 11, 3 and 29 words */
    int correct[6] = {1, 0, 1, 1, 1, 1};
    s2s_dataset d;
    memset(&d, 0, sizeof d);
    d.count = 6;
    d.src_len = src_len;
    long count[16] = {0}, ok[16] = {0};
    exact_by_length(&d, correct, 15, count, ok);
    assert_int_equal(count[3], 3);
    assert_int_equal(ok[3], 2);
    assert_int_equal(count[5], 1);
    assert_int_equal(ok[5], 1);
    assert_int_equal(count[11], 1);
    assert_int_equal(count[4], 0);
    long total = 0;
    for (int w = 0; w <= 15; w++) total += count[w];
    assert_int_equal(total, 5); /* the 29-word one is beyond max_words */
}

/* ------------------------------------------------- synthetic, other lengths */

static void test_synthetic_lengths(void **state)
{
    (void)state;
    s2s_error err = {0};
    s2s_corpus c, c2, c3, tr, va, te;
    CHECK_OK(corpus_synthetic_lengths(&c, 1000, 11, 15, 1115, &err), &err);
    CHECK_OK(corpus_synthetic_lengths(&c2, 1000, 11, 15, 1115, &err), &err);
    CHECK_OK(corpus_synthetic_lengths(&c3, 1000, 11, 15, 1116, &err), &err);
    assert_int_equal(c.count, 1000);
    int seen[16] = {0}, differ = 0;
    for (int i = 0; i < c.count; i++) {
        assert_true(c.s[i].len >= 11 && c.s[i].len <= 15);
        seen[c.s[i].len]++;
        assert_int_equal(c.s[i].len, c2.s[i].len);
        for (int k = 0; k < c.s[i].len; k++) {
            assert_string_equal(c.s[i].w[k], c2.s[i].w[k]);
            int found = 0;
            for (int w = 0; w < 34; w++) found |= strcmp(S2S_SEED_WORDS[w], c.s[i].w[k]) == 0;
            assert_true(found);
        }
        differ += c.s[i].len != c3.s[i].len || strcmp(c.s[i].w[0], c3.s[i].w[0]) != 0;
    }
    for (int l = 11; l <= 15; l++) assert_true(seen[l] > 150 && seen[l] < 250);
    assert_true(differ > 500);

    /* With 3..10 it draws exactly what corpus_synthetic draws for training. */
    CHECK_OK(corpus_synthetic(&tr, &va, &te, 300, 10, 10, 42, &err), &err);
    s2s_corpus same;
    CHECK_OK(corpus_synthetic_lengths(&same, 300, 3, 10, 42, &err), &err);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(same.s[i].len, tr.s[i].len);
        for (int k = 0; k < tr.s[i].len; k++) assert_string_equal(same.s[i].w[k], tr.s[i].w[k]);
    }
    corpus_free(&same);
    corpus_free(&tr);
    corpus_free(&va);
    corpus_free(&te);
    corpus_free(&c);
    corpus_free(&c2);
    corpus_free(&c3);

    assert_int_equal(corpus_synthetic_lengths(&c, -1, 3, 5, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_lengths(&c, 5, 0, 5, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_lengths(&c, 5, 6, 5, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_lengths(&c, 5, 3, 101, 1, &err), S2S_ERR_ARG);
    assert_int_equal(c.count, 0);
    assert_null(c.s);
    CHECK_OK(corpus_synthetic_lengths(&c, 0, 3, 3, 1, &err), &err);
    assert_int_equal(c.count, 0);
    corpus_free(&c);
}

static int in_list(const char *w, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0) return 1;
    return 0;
}

static void test_synthetic_unseen(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* The unseen words are not the seed's, and not repeated. */
    for (int i = 0; i < S2S_UNSEEN_COUNT; i++) {
        assert_false(in_list(S2S_UNSEEN_WORDS[i], S2S_SEED_WORDS, 34));
        assert_false(in_list(S2S_UNSEEN_WORDS[i], S2S_UNSEEN_WORDS, i));
    }
    s2s_corpus one, one2, all, none, lens;
    CHECK_OK(corpus_synthetic_unseen(&one, 1000, 3, 10, 1, 1310, &err), &err);
    CHECK_OK(corpus_synthetic_unseen(&one2, 1000, 3, 10, 1, 1310, &err), &err);
    CHECK_OK(corpus_synthetic_unseen(&all, 1000, 3, 10, S2S_UNSEEN_ALL, 2310, &err), &err);
    assert_int_equal(one.count, 1000);
    int at[10] = {0}, used[S2S_UNSEEN_COUNT] = {0}, seen[11] = {0};
    for (int i = 0; i < one.count; i++) {
        const s2s_sentence *s = &one.s[i];
        assert_true(s->len >= 3 && s->len <= 10);
        seen[s->len]++;
        int n_unseen = 0;
        for (int k = 0; k < s->len; k++) {
            assert_string_equal(s->w[k], one2.s[i].w[k]);
            if (in_list(s->w[k], S2S_UNSEEN_WORDS, S2S_UNSEEN_COUNT)) {
                n_unseen++;
                at[k]++;
                for (int j = 0; j < S2S_UNSEEN_COUNT; j++)
                    used[j] += strcmp(s->w[k], S2S_UNSEEN_WORDS[j]) == 0;
            } else {
                assert_true(in_list(s->w[k], S2S_SEED_WORDS, 34));
            }
        }
        assert_int_equal(n_unseen, 1);
    }
    for (int l = 3; l <= 10; l++) assert_true(seen[l] > 80 && seen[l] < 170);
    for (int j = 0; j < S2S_UNSEEN_COUNT; j++) assert_true(used[j] > 20); /* about 50 each */
    assert_true(at[0] > 100 && at[2] > 100 && at[9] > 0); /* at every position */
    for (int i = 0; i < all.count; i++) {
        assert_true(all.s[i].len >= 3 && all.s[i].len <= 10);
        for (int k = 0; k < all.s[i].len; k++)
            assert_true(in_list(all.s[i].w[k], S2S_UNSEEN_WORDS, S2S_UNSEEN_COUNT));
    }
    /* With no unseen word it draws what corpus_synthetic_lengths draws. */
    CHECK_OK(corpus_synthetic_unseen(&none, 200, 11, 15, 0, 1115, &err), &err);
    CHECK_OK(corpus_synthetic_lengths(&lens, 200, 11, 15, 1115, &err), &err);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(none.s[i].len, lens.s[i].len);
        for (int k = 0; k < lens.s[i].len; k++)
            assert_string_equal(none.s[i].w[k], lens.s[i].w[k]);
    }
    /* As many unseen words as the shortest sentence has. */
    corpus_free(&one2);
    CHECK_OK(corpus_synthetic_unseen(&one2, 50, 3, 4, 3, 7, &err), &err);
    for (int i = 0; i < one2.count; i++) {
        int n_unseen = 0;
        for (int k = 0; k < one2.s[i].len; k++)
            n_unseen += in_list(one2.s[i].w[k], S2S_UNSEEN_WORDS, S2S_UNSEEN_COUNT);
        assert_int_equal(n_unseen, 3);
    }
    corpus_free(&one);
    corpus_free(&one2);
    corpus_free(&all);
    corpus_free(&none);
    corpus_free(&lens);

    s2s_corpus c;
    assert_int_equal(corpus_synthetic_unseen(&c, 5, 3, 10, 4, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_unseen(&c, 5, 3, 10, -2, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_unseen(&c, -1, 3, 10, 1, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_unseen(&c, 5, 0, 10, 0, 1, &err), S2S_ERR_ARG);
    assert_int_equal(corpus_synthetic_unseen(&c, 5, 3, 101, 1, 1, &err), S2S_ERR_ARG);
    assert_int_equal(c.count, 0);
    assert_null(c.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bins_and_kinds),
        cmocka_unit_test(test_row_measure),
        cmocka_unit_test(test_anti_diagonal),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_shifted),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_add_refuses),
        cmocka_unit_test(test_row_measure_prefixed),
        cmocka_unit_test(test_prefixed_stats),
        cmocka_unit_test(test_sum_lengths),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_first_error_words),
        cmocka_unit_test(test_exact_by_length),
        cmocka_unit_test(test_synthetic_lengths),
        cmocka_unit_test(test_synthetic_unseen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
