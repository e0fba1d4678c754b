/* test_verdict.c — the prompt's ✓/✗ (tui/app/verdict.c): the output against
 * the input's words reversed, compared as strings, and the notes on what
 * lies outside the training data. */
#include "testutil.h"

#include <string.h>

#include "verdict.h"

static const char *const IN[] = {"the", "cat", "sat", "on", "the", "mat"};
enum { N_IN = 6 };

static void check(const char *const *out, int n_out, verdict_kind kind, int first_wrong)
{
    verdict v;
    verdict_check(&v, IN, N_IN, out, n_out);
    assert_int_equal(v.kind, kind);
    assert_int_equal(v.first_wrong, first_wrong);
    assert_int_equal(v.n_in, N_IN);
    assert_int_equal(v.n_out, n_out);
}

static void test_all_right(void **state)
{
    (void)state;
    const char *const out[] = {"mat", "the", "on", "sat", "cat", "the"};
    check(out, 6, VERDICT_RIGHT, -1);
    verdict v;
    verdict_check(&v, IN, N_IN, out, 6);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 1);
    assert_string_equal(buf, "\xe2\x9c\x93");
    verdict_short(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "OK");
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "OK right");
    assert_int_equal(verdict_focus(&v), 0);
}

static void test_a_wrong_word(void **state)
{
    (void)state;
    const char *const out[] = {"mat", "the", "in", "sat", "cat", "the"};
    check(out, 6, VERDICT_WRONG, 2);
    /* The first wrong word counts, even when later ones are wrong too. */
    const char *const out2[] = {"mat", "the", "on", "cat", "sat", "the"};
    check(out2, 6, VERDICT_WRONG, 3);
    const char *const out3[] = {"the", "the", "on", "sat", "cat", "the"};
    check(out3, 6, VERDICT_WRONG, 0);
    verdict v;
    verdict_check(&v, IN, N_IN, out, 6);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X word 3 wrong");
    verdict_short(buf, sizeof buf, &v, 1);
    assert_string_equal(buf, "\xe2\x9c\x97 word 3 wrong");
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X word 3 is wrong");
    assert_int_equal(verdict_focus(&v), 2);
    /* Case matters: words are compared as typed. */
    const char *const upper[] = {"Mat", "the", "on", "sat", "cat", "the"};
    check(upper, 6, VERDICT_WRONG, 0);
}

static void test_output_shorter(void **state)
{
    (void)state;
    const char *const out[] = {"mat", "the", "on", "sat"};
    check(out, 4, VERDICT_SHORT, -1);
    verdict v;
    verdict_check(&v, IN, N_IN, out, 4);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X stopped early");
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X stopped early: 4 of 6 words");
    assert_int_equal(verdict_focus(&v), 3); /* where it stopped */
    /* Shorter and wrong: the wrong word is what matters. */
    const char *const wrong[] = {"mat", "in"};
    check(wrong, 2, VERDICT_WRONG, 1);
    verdict_check(&v, IN, N_IN, wrong, 2);
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X word 2 is wrong (2 words for 6)");
}

static void test_output_longer(void **state)
{
    (void)state;
    const char *const out[] = {"mat", "the", "on", "sat", "cat", "the", "the", "cat"};
    check(out, 8, VERDICT_LONG, 6);
    verdict v;
    verdict_check(&v, IN, N_IN, out, 8);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 1);
    assert_string_equal(buf, "\xe2\x9c\x97 too long");
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X too long: 8 words for 6");
    assert_int_equal(verdict_focus(&v), 6); /* the first extra word */
}

static void test_unknown_words_copied(void **state)
{
    (void)state;
    /* "zebra" and "The" are outside the vocabulary; the copy-through rule
     * wrote them as typed, so they compare equal. */
    const char *const in[] = {"The", "zebra", "sat"};
    const char *const out[] = {"sat", "zebra", "The"};
    verdict v;
    verdict_check(&v, in, 3, out, 3);
    assert_int_equal(v.kind, VERDICT_RIGHT);
    /* The model's own <UNK> is not the word. */
    const char *const unk[] = {"sat", "<UNK>", "The"};
    verdict_check(&v, in, 3, unk, 3);
    assert_int_equal(v.kind, VERDICT_WRONG);
    assert_int_equal(v.first_wrong, 1);
}

static void test_empty_output(void **state)
{
    (void)state;
    check(NULL, 0, VERDICT_SHORT, -1);
    verdict v;
    verdict_check(&v, IN, N_IN, NULL, 0);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X stopped early");
    verdict_long(buf, sizeof buf, &v, 0);
    assert_string_equal(buf, "X no words");
    assert_int_equal(verdict_focus(&v), 0);
    /* Nothing in, nothing out: nothing is wrong. */
    verdict_check(&v, NULL, 0, NULL, 0);
    assert_int_equal(v.kind, VERDICT_RIGHT);
    /* Truncation is snprintf's. */
    verdict_check(&v, IN, N_IN, NULL, 0);
    assert_int_equal(verdict_long(buf, 4, &v, 0), (int)strlen("X no words"));
    assert_string_equal(buf, "X n");
}

static void test_scope_notes(void **state)
{
    (void)state;
    char notes[SCOPE_NOTES][SCOPE_NOTE_LEN], buf[96];
    input_scope in = {.words = 6, .shortest = 3, .longest = 10, .unseen = 0};
    assert_int_equal(scope_notes(&in, notes), 0);
    assert_int_equal(scope_short(buf, sizeof buf, &in, 1), 0);
    assert_string_equal(buf, "");

    input_scope longer = {.words = 12, .shortest = 3, .longest = 10, .unseen = 2};
    assert_int_equal(scope_notes(&longer, notes), 2);
    assert_string_equal(notes[0], "12 words \xe2\x80\x94 longest training sentence: 10");
    assert_string_equal(notes[1], "2 words never seen: marked ?");
    /* A character model counts characters. */
    input_scope chars = {.words = 30, .shortest = 8, .longest = 28, .unseen = 1, .chars = 1};
    assert_int_equal(scope_notes(&chars, notes), 2);
    assert_string_equal(notes[0], "30 characters \xe2\x80\x94 longest training sentence: 28");
    assert_string_equal(notes[1], "1 character never seen: marked ?");
    scope_short(buf, sizeof buf, &longer, 0);
    assert_string_equal(buf, "12 words > 10 trained; 2 unseen ?");
    scope_short(buf, sizeof buf, &longer, 1);
    assert_string_equal(buf, "12 words > 10 trained \xc2\xb7 2 unseen ?");

    input_scope one = {.words = 1, .shortest = 3, .longest = 10, .unseen = 1};
    assert_int_equal(scope_notes(&one, notes), 2);
    assert_string_equal(notes[0], "1 word \xe2\x80\x94 shortest training sentence: 3");
    assert_string_equal(notes[1], "1 word never seen: marked ?");
    scope_short(buf, sizeof buf, &one, 0);
    assert_string_equal(buf, "1 word < 3 trained; 1 unseen ?");

    /* The bounds themselves are inside; unknown bounds say nothing. */
    input_scope edge = {.words = 10, .shortest = 3, .longest = 10};
    assert_int_equal(scope_notes(&edge, notes), 0);
    edge.words = 3;
    assert_int_equal(scope_notes(&edge, notes), 0);
    input_scope unknown = {.words = 50};
    assert_int_equal(scope_notes(&unknown, notes), 0);

    /* A short buffer is cut, not overrun. */
    char tiny[8];
    assert_int_equal(scope_short(tiny, sizeof tiny, &longer, 0), 7);
    assert_string_equal(tiny, "12 word");
}

/* Against a task's answer (here sort's and a date's), and no answer at all. */
static void test_against_reference(void **state)
{
    (void)state;
    const char *const ref[] = {"cat", "mat", "on", "sat", "the", "the"};
    const char *const right[] = {"cat", "mat", "on", "sat", "the", "the"};
    const char *const wrong[] = {"cat", "mat", "sat", "on", "the", "the"};
    verdict v;
    verdict_check_ref(&v, ref, 6, right, 6);
    assert_int_equal(v.kind, VERDICT_RIGHT);
    verdict_check_ref(&v, ref, 6, wrong, 6);
    assert_int_equal(v.kind, VERDICT_WRONG);
    assert_int_equal(v.first_wrong, 2);
    verdict_check_ref(&v, ref, 6, right, 4);
    assert_int_equal(v.kind, VERDICT_SHORT);
    /* No answer: nothing marked, nothing in the prompt's few cells. */
    verdict_check_ref(&v, NULL, 0, right, 6);
    assert_int_equal(v.kind, VERDICT_NONE);
    assert_int_equal(v.first_wrong, -1);
    char buf[64];
    verdict_short(buf, sizeof buf, &v, 1);
    assert_string_equal(buf, "");
    verdict_long(buf, sizeof buf, &v, 1);
    assert_non_null(strstr(buf, "no known answer"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_right),       cmocka_unit_test(test_a_wrong_word),
        cmocka_unit_test(test_output_shorter),  cmocka_unit_test(test_output_longer),
        cmocka_unit_test(test_unknown_words_copied), cmocka_unit_test(test_empty_output),
        cmocka_unit_test(test_scope_notes),     cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
