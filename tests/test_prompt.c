/* test_prompt.c — the prompt's line editing and history (tui/app/prompt.c), as
 * pure functions of a state and a key. */
#include "testutil.h"

#include <string.h>

#include "prompt.h"

static void type(prompt_state *p, const char *s)
{
    /* ASCII and UTF-8 input, one code point at a time. */
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        uint32_t c;
        int n = *u < 0x80 ? 1 : *u >= 0xF0 ? 4 : *u >= 0xE0 ? 3 : 2;
        c = n == 1 ? *u : n == 2 ? *u & 0x1Fu : n == 3 ? *u & 0x0Fu : *u & 0x07u;
        for (int i = 1; i < n; i++) c = (c << 6) | (u[i] & 0x3Fu);
        u += n;
        assert_int_equal(prompt_key_apply(p, PK_CHAR, c), PROMPT_EDITED);
    }
}

static void key(prompt_state *p, prompt_key k)
{
    (void)prompt_key_apply(p, k, 0);
}

static void expect(const prompt_state *p, const char *line, int cur)
{
    assert_string_equal(p->line, line);
    assert_int_equal(p->len, (int)strlen(line));
    assert_int_equal(p->cur, cur);
}

static void test_typing_and_cursor(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    expect(&p, "", 0);
    type(&p, "the cat sat");
    expect(&p, "the cat sat", 11);
    key(&p, PK_HOME);
    expect(&p, "the cat sat", 0);
    assert_int_equal(prompt_key_apply(&p, PK_LEFT, 0), PROMPT_NOTHING); /* at the start */
    key(&p, PK_RIGHT);
    key(&p, PK_RIGHT);
    key(&p, PK_RIGHT);
    type(&p, "X");
    expect(&p, "theX cat sat", 4);
    key(&p, PK_END);
    assert_int_equal(prompt_key_apply(&p, PK_RIGHT, 0), PROMPT_NOTHING); /* at the end */
    key(&p, PK_LEFT);
    expect(&p, "theX cat sat", 11);
}

static void test_deleting(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    type(&p, "the cat sat");
    key(&p, PK_BACKSPACE);
    expect(&p, "the cat sa", 10);
    key(&p, PK_HOME);
    key(&p, PK_DELETE);
    expect(&p, "he cat sa", 0);
    assert_int_equal(prompt_key_apply(&p, PK_BACKSPACE, 0), PROMPT_NOTHING);
    key(&p, PK_END);
    assert_int_equal(prompt_key_apply(&p, PK_DELETE, 0), PROMPT_NOTHING);
}

static void test_kill_word_and_line(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    type(&p, "the big  cat ");
    key(&p, PK_KILL_WORD); /* trailing space and "cat" */
    expect(&p, "the big  ", 9);
    key(&p, PK_KILL_WORD);
    expect(&p, "the ", 4);
    type(&p, "dog sat");
    /* ^U deletes up to the cursor only. */
    for (int i = 0; i < 3; i++) key(&p, PK_LEFT);
    key(&p, PK_KILL_LINE);
    expect(&p, "sat", 0);
    assert_int_equal(prompt_key_apply(&p, PK_KILL_LINE, 0), PROMPT_NOTHING);
    assert_int_equal(prompt_key_apply(&p, PK_KILL_WORD, 0), PROMPT_NOTHING);
}

static void test_utf8_editing(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    type(&p, "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac"); /* "café naïve €" */
    assert_int_equal(utf8_count(p.line, p.len), 12);
    key(&p, PK_BACKSPACE); /* the euro sign, three bytes */
    expect(&p, "caf\xc3\xa9 na\xc3\xafve ", (int)strlen("caf\xc3\xa9 na\xc3\xafve "));
    key(&p, PK_HOME);
    for (int i = 0; i < 4; i++) key(&p, PK_RIGHT); /* past "café" */
    assert_int_equal(p.cur, 5);
    key(&p, PK_LEFT);
    assert_int_equal(p.cur, 3); /* on the é, not inside it */
    key(&p, PK_DELETE);
    expect(&p, "caf na\xc3\xafve ", 3);
    /* Control characters are refused. */
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 0x07), PROMPT_NOTHING);
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 0x9B), PROMPT_NOTHING);
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 0xD800), PROMPT_NOTHING);
}

static void test_full_line(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    for (int i = 0; i < PROMPT_MAX - 1; i++) assert_int_equal(prompt_key_apply(&p, PK_CHAR, 'a'), PROMPT_EDITED);
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 'a'), PROMPT_NOTHING);
    assert_int_equal(p.len, PROMPT_MAX - 1);
    key(&p, PK_BACKSPACE);
    /* A two-byte character does not fit in one byte. */
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 0xE9), PROMPT_NOTHING);
    assert_int_equal(prompt_key_apply(&p, PK_CHAR, 'b'), PROMPT_EDITED);
    assert_int_equal((int)strlen(p.line), PROMPT_MAX - 1);
}

static void test_submit_and_history(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_NOTHING); /* empty */
    type(&p, "   ");
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_NOTHING); /* blank */
    key(&p, PK_ESCAPE);
    expect(&p, "", 0);

    type(&p, "the cat sat");
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_SUBMIT);
    assert_string_equal(p.submitted, "the cat sat");
    expect(&p, "the cat sat", 11); /* the line stays, Esc clears it */
    key(&p, PK_ESCAPE);
    type(&p, "red fish eats");
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_SUBMIT);
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_SUBMIT); /* again */
    assert_int_equal(p.nhist, 2); /* a repeat is not stored twice */
    key(&p, PK_ESCAPE);

    type(&p, "draft");
    key(&p, PK_UP);
    expect(&p, "red fish eats", 13);
    key(&p, PK_UP);
    expect(&p, "the cat sat", 11);
    assert_int_equal(prompt_key_apply(&p, PK_UP, 0), PROMPT_NOTHING); /* oldest */
    key(&p, PK_DOWN);
    expect(&p, "red fish eats", 13);
    key(&p, PK_DOWN);
    expect(&p, "draft", 5); /* back to what was being typed */
    assert_int_equal(prompt_key_apply(&p, PK_DOWN, 0), PROMPT_NOTHING);

    /* Editing a recalled line and submitting it adds it as new. */
    key(&p, PK_UP);
    key(&p, PK_BACKSPACE);
    assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_SUBMIT);
    assert_string_equal(p.submitted, "red fish eat");
    assert_int_equal(p.nhist, 3);
    assert_string_equal(p.hist[2], "red fish eat");
}

static void test_history_is_bounded(void **state)
{
    (void)state;
    prompt_state p;
    prompt_init(&p);
    char line[32];
    for (int i = 0; i < PROMPT_HISTORY + 10; i++) {
        snprintf(line, sizeof line, "line %d", i);
        prompt_set(&p, line);
        assert_int_equal(prompt_key_apply(&p, PK_ENTER, 0), PROMPT_SUBMIT);
    }
    assert_int_equal(p.nhist, PROMPT_HISTORY);
    assert_string_equal(p.hist[0], "line 10"); /* the oldest went */
    snprintf(line, sizeof line, "line %d", PROMPT_HISTORY + 9);
    assert_string_equal(p.hist[PROMPT_HISTORY - 1], line);
}

/* ---- the prompt line's layout (prompt_fit) ---- */

/* Cells the result takes for words [a, b), as prompt_fit counts them. */
static int result_w(const prompt_fit_in *in, int a, int b)
{
    int c = in->arrow_w + in->verdict_w;
    if (in->n_words == 0) return c;
    if (a == b) return c + in->ell_w + 1;
    for (int k = a; k < b; k++) c += in->word_w[k] + (k > a);
    return c + (a > 0 ? in->ell_w + 1 : 0) + (b < in->n_words ? 1 + in->ell_w : 0) + 1;
}

static void check_fit(const prompt_fit_in *in)
{
    prompt_fit_out f;
    prompt_fit(in, &f);
#define FAIL(what)                                                                           \
    fail_msg("width %d, text %d, cursor %d, %d words, focus %d, editing %d, note %d: %s",    \
             in->width, in->text_w, in->cursor, in->n_words, in->focus, in->editing,        \
             in->note_w, what)
    if (f.field_w < 1) FAIL("no text field");
    const int cur = in->cursor - f.skip; /* the cursor's cell in the field */
    if (f.skip < 0 || cur < 0 || (cur >= f.field_w && in->width > 4)) FAIL("cursor out of view");
    if (f.res_x < 0) {
        if (in->has_result && in->width >= 64) FAIL("no result at a usable width");
        return;
    }
    if (!in->has_result) FAIL("a result without one");
    if (f.res_x < 2 + f.field_w + 2) FAIL("the result runs into the text field");
    if (f.end_x != f.res_x + result_w(in, f.w0, f.w1)) FAIL("end_x");
    if (f.end_x + (f.note ? 2 + in->note_w : 0) > in->width - 1) FAIL("past the last column");
    if (f.note && in->note_w == 0) FAIL("a note without one");
    if (f.w0 < 0 || f.w1 < f.w0 || f.w1 > in->n_words) FAIL("word range");
    if (in->n_words > 0 && f.w1 > f.w0) {
        const int fo = in->focus < 0 ? 0 : in->focus >= in->n_words ? in->n_words - 1 : in->focus;
        if (fo < f.w0 || fo >= f.w1) FAIL("the focus word is not shown");
    }
    /* Everything that fits is shown: the whole output when the text field
     * holds the whole line. */
    if (2 + in->text_w + 3 + result_w(in, 0, in->n_words) <= in->width - 1 &&
        (f.w0 != 0 || f.w1 != in->n_words || f.skip != 0))
        FAIL("cut though it all fits");
    /* A run is as long as the room allows: neither neighbour would fit. */
    if (f.w1 > f.w0) {
        const int budget = in->width - 1 - f.res_x;
        if (f.w1 < in->n_words && result_w(in, f.w0, f.w1 + 1) <= budget &&
            f.res_x == 2 + f.field_w + 2)
            FAIL("room for the next word");
        if (f.w0 > 0 && result_w(in, f.w0 - 1, f.w1) <= budget && f.res_x == 2 + f.field_w + 2)
            FAIL("room for the word before");
    }
#undef FAIL
}

static void test_fit_all_fits(void **state)
{
    (void)state;
    /* "the cat sat on the mat" -> "mat the on sat cat the ✓" at 80 columns. */
    const int ww[] = {3, 3, 2, 3, 3, 3};
    prompt_fit_in in = {.width = 80, .text_w = 22, .cursor = 22, .has_result = 1, .arrow_w = 2,
                        .ell_w = 1, .verdict_w = 1, .word_w = ww, .n_words = 6};
    prompt_fit_out f;
    prompt_fit(&in, &f);
    assert_int_equal(f.res_x, 40); /* the middle */
    assert_int_equal(f.w0, 0);
    assert_int_equal(f.w1, 6);
    assert_int_equal(f.end_x, 40 + 2 + 22 + 1 + 1);
    assert_int_equal(f.skip, 0);
    assert_false(f.note);
    /* A note that fits after it; one that fits only if the result moves left. */
    in.note_w = 10;
    prompt_fit(&in, &f);
    assert_true(f.note);
    assert_int_equal(f.res_x, 40);
    in.note_w = 20;
    prompt_fit(&in, &f);
    assert_true(f.note);
    assert_int_equal(f.end_x + 2 + 20, 79);
    in.note_w = 60; /* never */
    prompt_fit(&in, &f);
    assert_false(f.note);
    assert_int_equal(f.res_x, 40);
    /* No result: the field takes the line. */
    in.has_result = 0;
    prompt_fit(&in, &f);
    assert_int_equal(f.res_x, -1);
    assert_int_equal(f.field_w, 77);
}

static void test_fit_long_sentence(void **state)
{
    (void)state;
    /* 50 words of 3 cells typed (199 characters), 50 back, the 30th wrong,
     * at 80 columns. */
    int ww[50];
    for (int k = 0; k < 50; k++) ww[k] = 3;
    prompt_fit_in in = {.width = 80, .text_w = 199, .cursor = 199, .has_result = 1, .arrow_w = 2,
                        .ell_w = 1, .verdict_w = 15, .word_w = ww, .n_words = 50, .focus = 29};
    prompt_fit_out f;
    prompt_fit(&in, &f);
    assert_int_equal(f.field_w, 77 / 3); /* a third while not editing */
    assert_int_equal(f.skip, 199 - f.field_w + 1); /* the cursor at the field's end */
    assert_true(f.w0 <= 29 && 29 < f.w1);
    assert_true(f.w0 > 0 && f.w1 < 50);
    check_fit(&in);
    /* Editing: the field gets half. */
    in.editing = 1;
    prompt_fit(&in, &f);
    assert_int_equal(f.field_w, 77 / 2);
    check_fit(&in);
    /* The cursor moved to the start: no scroll. */
    in.cursor = 0;
    prompt_fit(&in, &f);
    assert_int_equal(f.skip, 0);
    /* A short text keeps its small field and leaves the rest to the result. */
    in.text_w = in.cursor = 10;
    prompt_fit(&in, &f);
    assert_int_equal(f.field_w, 11);
    assert_int_equal(f.res_x, 15);
}

static void test_fit_sweep(void **state)
{
    (void)state;
    int ww[60];
    for (int k = 0; k < 60; k++) ww[k] = 1 + (k * 5) % 9;
    ww[7] = 64; /* a long word */
    for (int width = 1; width <= 160; width++)
        for (int tw = 0; tw <= 300; tw += 23)
            for (int n = 0; n <= 60; n += 6)
                for (int e = 0; e < 4; e++) {
                    prompt_fit_in in = {.width = width, .text_w = tw, .cursor = e % 2 ? tw / 2 : tw,
                                        .editing = e / 2, .has_result = 1, .arrow_w = 2 + e % 2,
                                        .ell_w = e % 2 ? 3 : 1, .verdict_w = e ? 15 : 1,
                                        .note_w = e == 3 ? 20 : 0, .word_w = ww, .n_words = n,
                                        .focus = n ? (width * 7) % n : 0};
                    check_fit(&in);
                    in.has_result = 0;
                    check_fit(&in);
                }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_and_cursor), cmocka_unit_test(test_deleting),
        cmocka_unit_test(test_kill_word_and_line), cmocka_unit_test(test_utf8_editing),
        cmocka_unit_test(test_full_line),        cmocka_unit_test(test_submit_and_history),
        cmocka_unit_test(test_history_is_bounded), cmocka_unit_test(test_fit_all_fits),
        cmocka_unit_test(test_fit_long_sentence),  cmocka_unit_test(test_fit_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
