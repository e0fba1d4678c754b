/* test_analysis.c — attention statistics on hand-made matrices, where
 * decoding first goes wrong, exact match by length, and the synthetic
 * sentences of other lengths. */
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
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_exact_by_length),
        cmocka_unit_test(test_synthetic_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
