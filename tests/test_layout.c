/* test_layout.c — the terminal UI's layout at every size from 1x1 to 300x100:
 * panes inside the screen, no two overlapping, the screen tiled exactly,
 * each pane big enough for what it draws, and the too-small message below
 * the minimum. */
#include "testutil.h"

#include <string.h>

#include "layout.h"
#include "ui.h"

static const char *const NAMES[PANE_COUNT] = {"chart", "heatmap", "log", "step",
                                              "status", "prompt", "keys"};

static void check_size(int rows, int cols)
{
    ui_layout l;
    layout_compute(&l, rows, cols);
    assert_int_equal(l.rows, rows);
    assert_int_equal(l.cols, cols);
    const int small = rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS;
    if (l.too_small != small)
        fail_msg("%dx%d: too_small = %d, expected %d", cols, rows, l.too_small, small);
    if (small) {
        for (int i = 0; i < PANE_COUNT; i++)
            if (l.pane[i].h != 0 || l.pane[i].w != 0)
                fail_msg("%dx%d: too small, yet pane %s has a size", cols, rows, NAMES[i]);
        return;
    }
    long area = 0;
    for (int i = 0; i < PANE_COUNT; i++) {
        ui_rect r = l.pane[i];
        if (!rect_inside(r, rows, cols))
            fail_msg("%dx%d: pane %s (%d,%d %dx%d) outside the screen", cols, rows, NAMES[i], r.x,
                     r.y, r.w, r.h);
        area += (long)r.h * r.w;
        for (int j = i + 1; j < PANE_COUNT; j++)
            if (rect_overlap(r, l.pane[j]))
                fail_msg("%dx%d: panes %s and %s overlap", cols, rows, NAMES[i], NAMES[j]);
    }
    /* No overlap and the areas add up: the panes tile the screen. */
    if (area != (long)rows * cols)
        fail_msg("%dx%d: panes cover %ld cells of %ld", cols, rows, area, (long)rows * cols);

    /* Every pane but the step pane is there, big enough for its content. */
    const ui_rect *p = l.pane;
    if (p[PANE_CHART].h < 9 || p[PANE_CHART].w < 28)
        fail_msg("%dx%d: chart %dx%d too small", cols, rows, p[PANE_CHART].w, p[PANE_CHART].h);
    if (p[PANE_HEATMAP].h < 9 || p[PANE_HEATMAP].w < 30)
        fail_msg("%dx%d: heatmap %dx%d too small", cols, rows, p[PANE_HEATMAP].w, p[PANE_HEATMAP].h);
    if (p[PANE_LOG].h < 5 || p[PANE_LOG].w < 24)
        fail_msg("%dx%d: log %dx%d too small", cols, rows, p[PANE_LOG].w, p[PANE_LOG].h);
    const int sh = rows >= LAYOUT_STATUS2_ROWS ? 2 : 1;
    for (int i = PANE_STATUS; i <= PANE_KEYS; i++)
        if (p[i].h != (i == PANE_STATUS ? sh : 1) || p[i].w != cols || p[i].x != 0)
            fail_msg("%dx%d: %s is not a full-width bar of the right height", cols, rows, NAMES[i]);
    assert_int_equal(p[PANE_KEYS].y, rows - 1);
    assert_int_equal(p[PANE_PROMPT].y, rows - 2);
    assert_int_equal(p[PANE_STATUS].y, rows - 2 - sh);
    if (cols >= LAYOUT_STEP_MIN_COLS) {
        if (p[PANE_STEP].h < 5 || p[PANE_STEP].w < 40)
            fail_msg("%dx%d: step pane %dx%d too small", cols, rows, p[PANE_STEP].w, p[PANE_STEP].h);
    } else if (p[PANE_STEP].h != 0 || p[PANE_STEP].w != 0) {
        fail_msg("%dx%d: step pane present below %d columns", cols, rows, LAYOUT_STEP_MIN_COLS);
    }
}

static void test_every_size(void **state)
{
    (void)state;
    for (int rows = 1; rows <= 100; rows++)
        for (int cols = 1; cols <= 300; cols++) check_size(rows, cols);
}

static void test_degenerate_sizes(void **state)
{
    (void)state;
    const int odd[][2] = {{0, 0}, {-1, 80}, {24, -5}, {0, 120}, {40, 0}, {10000, 10000}};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) check_size(odd[i][0], odd[i][1]);
}

static void test_minimum_exactly(void **state)
{
    (void)state;
    ui_layout l;
    layout_compute(&l, LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS);
    assert_false(l.too_small);
    layout_compute(&l, LAYOUT_MIN_ROWS - 1, LAYOUT_MIN_COLS);
    assert_true(l.too_small);
    layout_compute(&l, LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS - 1);
    assert_true(l.too_small);
}

/* The e2e test's 120x40: all seven panes. */
static void test_e2e_size(void **state)
{
    (void)state;
    ui_layout l;
    layout_compute(&l, 40, 120);
    assert_false(l.too_small);
    for (int i = 0; i < PANE_COUNT; i++) assert_true(l.pane[i].h > 0 && l.pane[i].w > 0);
    assert_true(l.pane[PANE_HEATMAP].h >= 17); /* 11 words + <EOS>, labels, legend, border */
}

static void test_centered(void **state)
{
    (void)state;
    for (int rows = 0; rows <= 60; rows++)
        for (int cols = 0; cols <= 120; cols++) {
            ui_rect r = layout_centered(rows, cols, 19, 70);
            if (!rect_inside(r, rows, cols))
                fail_msg("overlay outside a %dx%d screen", cols, rows);
            if (rows >= 21 && cols >= 72) {
                assert_int_equal(r.h, 19);
                assert_int_equal(r.w, 70);
                /* centred: margins differ by at most one */
                int top = r.y, bottom = rows - r.y - r.h, left = r.x, right = cols - r.x - r.w;
                assert_true(top - bottom <= 1 && bottom - top <= 1);
                assert_true(left - right <= 1 && right - left <= 1);
            }
        }
}

static void test_rect_helpers(void **state)
{
    (void)state;
    ui_rect a = {0, 0, 2, 2}, b = {1, 1, 2, 2}, c = {2, 0, 1, 5}, z = {0, 0, 0, 0};
    assert_true(rect_overlap(a, b));
    assert_false(rect_overlap(a, c));
    assert_false(rect_overlap(a, z));
    assert_true(rect_inside(a, 2, 2));
    assert_false(rect_inside(b, 2, 2));
    assert_true(rect_inside(z, 0, 0));
}

/* Word wrap of log lines: breaks at spaces, rows within the width, every
 * character kept once, a long word cut. */
static void test_wrap(void **state)
{
    (void)state;
    int start[16], len[16];
    const char *t = "Epoch 01/30 | Train Loss: 2.0447 | Val Loss: 1.0391";
    int rows = ui_wrap(t, 20, start, len, 16);
    assert_int_equal(rows, 3);
    assert_int_equal(start[0], 0);
    assert_int_equal(len[0], 19); /* "Epoch 01/30 | Train" */
    assert_memory_equal(t + start[1], "Loss: 2.0447 | Val", 18);
    assert_int_equal(len[1], 18);
    assert_string_equal(t + start[2], "Loss: 1.0391");
    /* Every width: rows fit, follow each other, and between two rows lies
     * nothing or the one space the break dropped (all ASCII here). */
    for (int w = 1; w <= 60; w++) {
        rows = ui_wrap(t, w, start, len, 16);
        if (rows > 16) continue;
        for (int r = 0; r < rows; r++) {
            assert_true(len[r] <= w && len[r] >= 1);
            const int end = start[r] + len[r];
            const int next = r + 1 < rows ? start[r + 1] : (int)strlen(t);
            assert_true(next == end || (next == end + 1 && t[end] == ' '));
        }
    }
    assert_int_equal(ui_wrap("short", 40, start, len, 16), 1);
    assert_int_equal(len[0], 5);
    assert_int_equal(ui_wrap("abcdefghij", 4, start, len, 16), 3); /* one long word, cut */
    assert_int_equal(start[1], 4);
    assert_int_equal(len[2], 2);
    assert_int_equal(ui_wrap("", 10, start, len, 16), 1);
    assert_int_equal(len[0], 0);
    /* UTF-8: one cell per character, not per byte. */
    assert_int_equal(ui_wrap("\xe2\x86\x92 \xe2\x86\x92 \xe2\x86\x92", 3, start, len, 16), 2);
    assert_int_equal(start[1], 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_size),     cmocka_unit_test(test_degenerate_sizes),
        cmocka_unit_test(test_minimum_exactly), cmocka_unit_test(test_e2e_size),
        cmocka_unit_test(test_centered),       cmocka_unit_test(test_rect_helpers),
        cmocka_unit_test(test_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
