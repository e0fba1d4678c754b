/* test_align_stats.c — attention against a reference alignment on
 * hand-made matrices: a perfect diagonal (copy), a perfect anti-diagonal
 * (reversal), spans wider than one position with steps that have none,
 * uniform rows, no reference at all, a start-marker column, what is
 * refused, and the reference spans of the built-in tasks. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "align_stats.h"
#include "task.h"

#define EPS 1e-9

/* A (steps, cols) matrix whose row t has all its weight on column col[t];
 * the caller frees it. */
static float *one_hot(int steps, int cols, const int *col)
{
    float *a = calloc((size_t)steps * (size_t)cols, sizeof *a);
    assert_non_null(a);
    for (int t = 0; t < steps; t++) a[t * cols + col[t]] = 1.0f;
    return a;
}

static void test_diagonal(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* 4 tokens + <EOS>: step t copies source t, <EOS> reads the source <EOS>. */
    const int col[5] = {0, 1, 2, 3, 4}, lo[5] = {0, 1, 2, 3, 4}, hi[5] = {0, 1, 2, 3, 4};
    float *a = one_hot(5, 5, col);
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, 5, 0, 5, lo, hi, &err), &err);
    assert_int_equal(s.sentences, 1);
    assert_int_equal(s.referenced, 1);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_int_equal(all.steps, 5);
    assert_int_equal(all.ref_steps, 5);
    assert_float_equal(align_acc_share_in_span(&all), 1.0, EPS);
    assert_float_equal(align_acc_share_after_span(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_on_span(&all), 1.0, EPS);
    assert_float_equal(align_acc_mean_entropy(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_entropy_norm(&all), 0.0, EPS);
    assert_int_equal(all.moves, 4);
    assert_float_equal(align_acc_share_forward(&all), 1.0, EPS);
    assert_float_equal(align_acc_share_next(&all), 1.0, EPS);
    assert_float_equal(align_acc_share_stay(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_jump(&all), 1.0, EPS);
    /* by kind: first, middle x2, last, <EOS>; the first step has no move */
    assert_int_equal(s.acc[S2S_STEP_FIRST].steps, 1);
    assert_int_equal(s.acc[S2S_STEP_FIRST].moves, 0);
    assert_int_equal(s.acc[S2S_STEP_MIDDLE].steps, 2);
    assert_int_equal(s.acc[S2S_STEP_LAST].steps, 1);
    assert_int_equal(s.acc[S2S_STEP_EOS].steps, 1);
    assert_true(isnan(align_acc_share_forward(&s.acc[S2S_STEP_FIRST])));
    s2s_align_acc words;
    align_stats_sum(&s, S2S_STEPS_WORDS, &words);
    assert_int_equal(words.steps, 4);
    assert_int_equal(words.moves, 3);
    free(a);
}

/* The diagonal one position late, as a left-to-right encoder reads a
 * field: every peak just after its span, none in it. */
static void test_just_after(void **state)
{
    (void)state;
    s2s_error err = {0};
    const int col[4] = {1, 2, 3, 3}, lo[4] = {0, 1, 2, 3}, hi[4] = {0, 1, 2, 3};
    float *a = one_hot(4, 4, col);
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, 4, 0, 4, lo, hi, &err), &err);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_int_equal(all.in_span, 1);    /* the <EOS> step: on the source <EOS> */
    assert_int_equal(all.after_span, 3); /* the three tokens: one position late */
    assert_float_equal(align_acc_share_after_span(&all), 3.0 / 4.0, EPS);
    free(a);
}

static void test_anti_diagonal(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* Reversal of 4 tokens: peaks 3 2 1 0, then <EOS> on 4. Against the
     * mirrored spans every peak is in its span; against the diagonal's
     * (0 1 2 3) no word step's is, only the <EOS> step's. */
    const int col[5] = {3, 2, 1, 0, 4};
    const int mlo[5] = {3, 2, 1, 0, 4}, dlo[5] = {0, 1, 2, 3, 4};
    float *a = one_hot(5, 5, col);
    s2s_align_stats s, d;
    align_stats_init(&s);
    align_stats_init(&d);
    CHECK_OK(align_stats_add(&s, a, 5, 0, 5, mlo, mlo, &err), &err);
    CHECK_OK(align_stats_add(&d, a, 5, 0, 5, dlo, dlo, &err), &err);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_float_equal(align_acc_share_in_span(&all), 1.0, EPS);
    /* moves: 3->2, 2->1, 1->0 back by one; 0->4 forward by four */
    assert_int_equal(all.moves, 4);
    assert_float_equal(align_acc_share_forward(&all), 0.25, EPS);
    assert_float_equal(align_acc_share_next(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_jump(&all), 7.0 / 4.0, EPS);
    s2s_align_acc words;
    align_stats_sum(&s, S2S_STEPS_WORDS, &words);
    assert_float_equal(align_acc_share_forward(&words), 0.0, EPS);
    align_stats_sum(&d, S2S_STEPS_ALL, &all);
    assert_float_equal(align_acc_share_in_span(&all), 1.0 / 5.0, EPS);
    assert_float_equal(align_acc_mean_on_span(&all), 1.0 / 5.0, EPS);
    free(a);
}

static void test_spans(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* 3 source tokens + <EOS> (4 columns), 3 target tokens + <EOS>: step 1
     * reads span 1..2 with its peak inside, step 2 has no span (a dash),
     * step 3 reads span 0..0 but peaks on 2. */
    const float a[4 * 4] = {
        0.1f, 0.3f, 0.5f, 0.1f, /* peak 2 in 1..2, 0.8 inside */
        0.7f, 0.1f, 0.1f, 0.1f, /* no span: entropy and movement only */
        0.2f, 0.1f, 0.6f, 0.1f, /* peak 2 outside 0..0, 0.2 inside */
        0.0f, 0.0f, 0.0f, 1.0f, /* <EOS> */
    };
    const int lo[4] = {1, -1, 0, 3}, hi[4] = {2, -1, 0, 3};
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, 4, 0, 4, lo, hi, &err), &err);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_int_equal(all.steps, 4);
    assert_int_equal(all.ref_steps, 3);
    assert_int_equal(all.in_span, 2);
    assert_float_equal(align_acc_share_in_span(&all), 2.0 / 3.0, EPS);
    assert_float_equal(align_acc_mean_on_span(&all), (0.8 + 0.2 + 1.0) / 3.0, 1e-6);
    /* peaks 2, 0, 2, 3: back 2, forward 2, forward 1 */
    assert_int_equal(all.moves, 3);
    assert_int_equal(all.forward, 2);
    assert_int_equal(all.stay, 0);
    assert_int_equal(all.next, 1);
    assert_float_equal(align_acc_mean_jump(&all), 5.0 / 3.0, EPS);
    /* the step without a span still has its entropy counted */
    const double h2 = -(0.7 * log2(0.7) + 3 * 0.1 * log2(0.1));
    assert_int_equal(s.acc[S2S_STEP_MIDDLE].steps, 1);
    assert_int_equal(s.acc[S2S_STEP_MIDDLE].ref_steps, 0);
    assert_float_equal(align_acc_mean_entropy(&s.acc[S2S_STEP_MIDDLE]), h2, 1e-6);
    assert_true(isnan(align_acc_share_in_span(&s.acc[S2S_STEP_MIDDLE])));
}

static void test_uniform(void **state)
{
    (void)state;
    s2s_error err = {0};
    enum { S = 6, C = 6 };
    float a[S * C];
    for (int i = 0; i < S * C; i++) a[i] = 1.0f / C;
    const int lo[S] = {0, 1, 2, 3, 4, 5}, hi[S] = {1, 1, 2, 3, 4, 5};
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, S, 0, C, lo, hi, &err), &err);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_float_equal(align_acc_mean_entropy(&all), log2(C), 1e-6);
    assert_float_equal(align_acc_mean_entropy_norm(&all), 1.0, 1e-6);
    /* a tie peaks on the first column: only the span 0..1 holds it; every
     * move stays where it is, which counts as forward */
    assert_int_equal(all.in_span, 1);
    assert_float_equal(align_acc_mean_on_span(&all), (2.0 + 5.0) / C / S, 1e-6);
    assert_float_equal(align_acc_share_forward(&all), 1.0, EPS);
    assert_float_equal(align_acc_share_stay(&all), 1.0, EPS);
    assert_float_equal(align_acc_share_next(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_jump(&all), 0.0, EPS);
}

static void test_no_reference(void **state)
{
    (void)state;
    s2s_error err = {0};
    const int col[4] = {0, 2, 1, 3};
    float *a = one_hot(4, 4, col);
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, 4, 0, 4, NULL, NULL, &err), &err);
    assert_int_equal(s.sentences, 1);
    assert_int_equal(s.referenced, 0);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_int_equal(all.steps, 4);
    assert_int_equal(all.ref_steps, 0);
    assert_true(isnan(align_acc_share_in_span(&all)));
    assert_true(isnan(align_acc_mean_on_span(&all)));
    assert_float_equal(align_acc_mean_entropy(&all), 0.0, EPS);
    /* 0 -> 2 -> 1 -> 3 */
    assert_float_equal(align_acc_share_forward(&all), 2.0 / 3.0, EPS);
    assert_float_equal(align_acc_share_next(&all), 0.0, EPS);
    assert_float_equal(align_acc_mean_jump(&all), 5.0 / 3.0, EPS);
    free(a);
}

static void test_prefix(void **state)
{
    (void)state;
    s2s_error err = {0};
    /* A start marker before 2 tokens + <EOS>: the marker holds the largest
     * weight of step 1, yet the peak is the largest after it. */
    const float a[3 * 4] = {
        0.6f, 0.3f, 0.1f, 0.0f,
        0.0f, 0.0f, 1.0f, 0.0f,
        0.5f, 0.0f, 0.0f, 0.5f,
    };
    const int lo[3] = {0, 1, 2}, hi[3] = {0, 1, 2};
    s2s_align_stats s;
    align_stats_init(&s);
    CHECK_OK(align_stats_add(&s, a, 3, 1, 4, lo, hi, &err), &err);
    s2s_align_acc all;
    align_stats_sum(&s, S2S_STEPS_ALL, &all);
    assert_float_equal(align_acc_share_in_span(&all), 1.0, EPS);
    assert_float_equal(align_acc_mean_on_span(&all), (0.3 + 1.0 + 0.5) / 3.0, 1e-6);
    assert_float_equal(align_acc_share_next(&all), 1.0, EPS);
    /* entropy of the whole row, normalised by log2 of all 4 columns */
    const double h1 = -(0.6 * log2(0.6) + 0.3 * log2(0.3) + 0.1 * log2(0.1));
    assert_float_equal(align_acc_mean_entropy(&all), (h1 + 0 + 1) / 3.0, 1e-6);
    assert_float_equal(align_acc_mean_entropy_norm(&all), (h1 + 1) / 2.0 / 3.0, 1e-6);
}

static void test_refuses(void **state)
{
    (void)state;
    s2s_error err = {0};
    const int col[3] = {0, 1, 2};
    float *a = one_hot(3, 3, col);
    s2s_align_stats s;
    align_stats_init(&s);
    const int lo[3] = {0, 1, 2}, hi[3] = {0, 1, 2};
    CHECK_OK(align_stats_add(&s, a, 3, 0, 3, lo, hi, &err), &err);
    s2s_align_stats before = s;
    const int bad_hi[3] = {0, 1, 3}, rev[3] = {1, 0, 2}, half[3] = {-1, 1, 2};
    assert_int_equal(align_stats_add(&s, a, 3, 0, 3, lo, bad_hi, &err), S2S_ERR_ARG);
    assert_non_null(strstr(err.msg, "step 3"));
    assert_int_equal(align_stats_add(&s, a, 3, 0, 3, lo, rev, &err), S2S_ERR_ARG);
    assert_int_equal(align_stats_add(&s, a, 3, 0, 3, half, hi, &err), S2S_ERR_ARG);
    assert_int_equal(align_stats_add(&s, a, 3, 0, 3, lo, NULL, &err), S2S_ERR_ARG);
    assert_int_equal(align_stats_add(&s, NULL, 3, 0, 3, lo, hi, &err), S2S_ERR_ARG);
    assert_int_equal(align_stats_add(&s, a, 0, 0, 3, lo, hi, &err), S2S_ERR_ARG);
    assert_int_equal(align_stats_add(&s, a, 3, 3, 3, lo, hi, &err), S2S_ERR_ARG);
    a[2 * 3 + 2] = NAN; /* the last row: the first two were measured already */
    assert_int_equal(align_stats_add(&s, a, 3, 0, 3, lo, hi, &err), S2S_ERR_ARG);
    assert_memory_equal(&s, &before, sizeof s);
    free(a);
}

static s2s_sentence words(int n, const char *const *w)
{
    return (s2s_sentence){.len = n, .w = (char **)w};
}

static void test_reference(void **state)
{
    (void)state;
    const char *const src_w[3] = {"the", "cat", "a"};
    const char *const sorted_w[3] = {"a", "cat", "the"};
    const char *const wrong_w[3] = {"a", "the", "cat"};
    const s2s_sentence src = words(3, src_w), sorted = words(3, sorted_w),
                       wrong = words(3, wrong_w);
    int lo[4] = {9, 9, 9, 9}, hi[4] = {9, 9, 9, 9};
    assert_int_equal(align_reference(S2S_TASK_COPY, &src, &src, lo, hi), 1);
    for (int j = 0; j < 4; j++) {
        assert_int_equal(lo[j], j);
        assert_int_equal(hi[j], j);
    }
    assert_int_equal(align_reference(S2S_TASK_SORT, &src, &sorted, lo, hi), 1);
    const int want[4] = {2, 1, 0, 3};
    for (int j = 0; j < 4; j++) {
        assert_int_equal(lo[j], want[j]);
        assert_int_equal(hi[j], want[j]);
    }
    assert_int_equal(align_reference(S2S_TASK_SORT, &src, &wrong, lo, hi), 0);
    assert_int_equal(align_reference(S2S_TASK_PAIRS, &src, &src, lo, hi), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagonal), cmocka_unit_test(test_just_after),
        cmocka_unit_test(test_anti_diagonal),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_no_reference),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
