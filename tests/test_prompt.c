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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typing_and_cursor), cmocka_unit_test(test_deleting),
        cmocka_unit_test(test_kill_word_and_line), cmocka_unit_test(test_utf8_editing),
        cmocka_unit_test(test_full_line),        cmocka_unit_test(test_submit_and_history),
        cmocka_unit_test(test_history_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
