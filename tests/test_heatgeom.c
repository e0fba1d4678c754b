/* test_heatgeom.c — the attention heatmap's geometry (tui/app/heatgeom.c)
 * over pane sizes, sentence lengths up to the prompt's limit, and the
 * selected step: everything inside the border, nothing overlapping, the
 * selected step and the focus column in view, scrolling only when the
 * columns cannot fit; and at every terminal size the layout allows, every
 * sentence the prompt accepts can be drawn. */
#include "testutil.h"

#include <string.h>

#include "data.h"
#include "heatgeom.h"
#include "layout.h"

/* Prompt sentences: up to S2S_MAX_SENTENCE_WORDS words, <EOS>, and the
 * start marker column; up to 2 * words + 2 decoder steps. */
enum { MAX_COLS = S2S_MAX_SENTENCE_WORDS + 2, MAX_STEPS = 2 * S2S_MAX_SENTENCE_WORDS + 2 };

static void check(int H, int W, int n, int steps, int label_w, int step, int focus)
{
    heat_geom g;
    heat_geom_compute(&g, H, W, n, steps, label_w, step, focus);
    if (n < 1) n = 1; /* as heat_geom_compute takes them */
    if (steps < 0) steps = 0;
#define FAIL(...)                                                                            \
    fail_msg("pane %dx%d, %d columns, %d steps, step %d, focus %d: %s", W, H, n, steps, step, \
             focus, __VA_ARGS__)
    if (!g.ok) {
        /* Only when not one cell or one row fits. */
        if (W - 1 - g.gx >= 2 && H - 4 >= 1) FAIL("not ok, though a cell fits");
        return;
    }
    if (g.label_w < HEAT_LABEL_MIN || g.label_w > HEAT_LABEL_MAX) FAIL("label width");
    if (g.mark_x < 1 || g.mark_x + 1 >= g.label_x) FAIL("marker columns");
    if (g.gx < g.label_x + g.label_w + 1) FAIL("grid over the row labels");
    if (g.cw < 1 || g.cw > HEAT_CELL_MAX) FAIL("column width");
    if (g.fill != (g.cw >= 3 ? g.cw - 1 : g.cw)) FAIL("fill");
    /* Columns: inside the border, and the ▶ mark too. */
    if (g.ncols < 1 || g.col0 < 0 || g.col0 + g.ncols > n) FAIL("column range");
    if (heat_col_x(&g, g.col0 + g.ncols) > W - 1) FAIL("columns past the border");
    if (g.ncols == n) {
        if (g.col0 || g.more_left || g.more_right) FAIL("scrolls though all columns fit");
        const int want = (W - 1 - g.gx) / n;
        if (g.cw != (want > HEAT_CELL_MAX ? HEAT_CELL_MAX : want)) FAIL("columns narrower than fit");
    } else {
        if (g.cw != 1) FAIL("scrolled columns wider than one cell");
        if ((W - 1 - g.gx) / n >= 1) FAIL("scrolls though one cell per column fits");
        const int f = focus < 0 ? 0 : focus >= n ? n - 1 : focus;
        if (f < g.col0 || f >= g.col0 + g.ncols) FAIL("focus column not shown");
    }
    if (g.head_end > W - 1 || g.head_end < heat_col_x(&g, g.col0 + g.ncols) ||
        (g.more_right && g.head_end != g.right_x))
        FAIL("head_end");
    if (g.more_left != (g.col0 > 0) || g.more_right != (g.col0 + g.ncols < n)) FAIL("more flags");
    if (g.more_left && (g.left_x < g.label_x + g.label_w || g.left_x >= g.gx)) FAIL("◀ position");
    if (g.more_right && (g.right_x < heat_col_x(&g, g.col0 + g.ncols) || g.right_x > W - 2))
        FAIL("▶ position");
    /* Rows: between the head row and the legend, the selected step shown. */
    if (g.head_y != 1 || g.gy != 2 || g.legend_y != H - 2) FAIL("rows of the parts");
    if (g.nrows < 0 || g.row0 < 0 || g.row0 + g.nrows > steps) FAIL("row range");
    if (steps > 0 && g.nrows < 1) FAIL("no row shown");
    if (g.gy + g.nrows > g.legend_y) FAIL("rows over the legend");
    if (steps > 0) {
        const int s = step < 0 ? 0 : step >= steps ? steps - 1 : step;
        if (s < g.row0 || s >= g.row0 + g.nrows) FAIL("selected step not shown");
    }
    if (g.nrows < steps && g.gy + g.nrows != g.legend_y) FAIL("scrolls rows with room left");
    if (g.more_up != (g.row0 > 0) || g.more_down != (g.row0 + g.nrows < steps)) FAIL("more flags");

    /* Column labels: inside the grid, a space between two, the focus one shown. */
    int width[MAX_COLS + 8], shown[MAX_COLS + 8];
    for (int k = 0; k < g.ncols; k++) width[k] = 1 + (k * 7 + label_w) % 12; /* 1..12 cells */
    heat_col_labels(&g, width, focus, shown);
    int prev_end = -1;
    for (int k = 0; k < g.ncols; k++) {
        if (shown[k] < 0 || shown[k] > width[k] || shown[k] > HEAT_LABEL_MAX) FAIL("label width");
        if (!shown[k]) {
            if (g.cw >= 3) FAIL("a wide column without its label");
            continue;
        }
        const int x = heat_col_x(&g, g.col0 + k);
        if (x <= prev_end) FAIL("labels touch or overlap");
        if (x + shown[k] > g.head_end) FAIL("label past the head row's end");
        if (g.cw >= 3 && shown[k] > g.fill) FAIL("label over the gap");
        prev_end = x + shown[k];
    }
    if (focus >= g.col0 && focus < g.col0 + g.ncols && !shown[focus - g.col0]) FAIL("focus label hidden");
#undef FAIL
}

static void test_sweep(void **state)
{
    (void)state;
    static const int NS[] = {1, 2, 3, 7, 11, 12, 27, 51, 52, 53, MAX_COLS};
    static const int LW[] = {3, 5, 10, 30};
    for (int H = 1; H <= 48; H += 1)
        for (int W = 1; W <= 140; W += 1)
            for (size_t a = 0; a < sizeof NS / sizeof NS[0]; a++) {
                const int n = NS[a];
                const int steps_of[] = {1, n, 2 * n + 2 > MAX_STEPS ? MAX_STEPS : 2 * n + 2};
                for (int b = 0; b < 3; b++) {
                    const int steps = steps_of[b];
                    const int lw = LW[(H + W + b) % 4];
                    check(H, W, n, steps, lw, 0, n - 1);
                    check(H, W, n, steps, lw, steps - 1, 0);
                    check(H, W, n, steps, lw, steps / 2, n / 2);
                }
            }
}

static void test_out_of_range_inputs(void **state)
{
    (void)state;
    check(20, 60, 52, 104, 10, -5, -3);
    check(20, 60, 52, 104, 10, 500, 500);
    check(20, 60, 0, 0, 0, 0, 0);
    check(0, 0, 5, 5, 5, 0, 0);
    check(-3, -3, 5, 5, 5, 0, 0);
}

/* The e2e sizes: a 50-word sentence (+ <EOS> + the start marker) scrolls at
 * 80 columns, fits (narrowly) at 300. */
static void test_fifty_words(void **state)
{
    (void)state;
    ui_layout l;
    heat_geom g;
    layout_compute(&l, 24, 80);
    ui_rect r = l.pane[PANE_HEATMAP];
    heat_geom_compute(&g, r.h, r.w, 52, 102, 10, 40, 30);
    assert_true(g.ok);
    assert_int_equal(g.cw, 1);
    assert_true(g.ncols < 52 && g.more_left && g.more_right);
    assert_true(g.row0 <= 40 && 40 < g.row0 + g.nrows);
    assert_true(g.more_up && g.more_down);
    /* The start of the sentence: nothing hidden on the left or above. */
    heat_geom_compute(&g, r.h, r.w, 52, 102, 10, 0, 0);
    assert_int_equal(g.col0, 0);
    assert_false(g.more_left);
    assert_int_equal(g.row0, 0);
    assert_false(g.more_up);
    layout_compute(&l, 100, 300);
    r = l.pane[PANE_HEATMAP];
    heat_geom_compute(&g, r.h, r.w, 52, 53, 10, 0, 51);
    assert_int_equal(g.ncols, 52);
    assert_true(g.cw >= 2);
    /* The README's probe (6 words, <EOS>) keeps its roomy columns at
     * 120x40, and a 10-word one gets 5 cells a column. */
    layout_compute(&l, 40, 120);
    r = l.pane[PANE_HEATMAP];
    heat_geom_compute(&g, r.h, r.w, 7, 7, 5, 0, 6);
    assert_int_equal(g.cw, HEAT_CELL_MAX);
    assert_int_equal(g.nrows, 7);
    heat_geom_compute(&g, r.h, r.w, 11, 11, 5, 0, 10);
    assert_int_equal(g.cw, 5);
    assert_int_equal(g.nrows, 11);
}

/* Every terminal size the layout draws panes at: the heatmap pane can show
 * a sentence of every length the prompt accepts. */
static void test_every_layout_size(void **state)
{
    (void)state;
    for (int rows = LAYOUT_MIN_ROWS; rows <= 80; rows++)
        for (int cols = LAYOUT_MIN_COLS; cols <= 240; cols++) {
            ui_layout l;
            layout_compute(&l, rows, cols);
            const ui_rect r = l.pane[PANE_HEATMAP];
            for (int n = 2; n <= MAX_COLS; n += 25) {
                heat_geom g;
                heat_geom_compute(&g, r.h, r.w, n, 2 * n, HEAT_LABEL_MAX, n, n / 3);
                if (!g.ok) fail_msg("%dx%d: the heatmap cannot show %d columns", cols, rows, n);
                check(r.h, r.w, n, 2 * n, HEAT_LABEL_MAX, n, n / 3);
            }
        }
}

static void test_packed_labels(void **state)
{
    (void)state;
    /* 20 columns of 2 cells: labels of 3 cells fit on every other column. */
    heat_geom g;
    heat_geom_compute(&g, 20, 4 + 10 + 1 + 40 + 1, 20, 20, 10, 0, 0);
    assert_int_equal(g.cw, 2);
    assert_int_equal(g.ncols, 20);
    int width[20], shown[20];
    for (int k = 0; k < 20; k++) width[k] = 3;
    heat_col_labels(&g, width, 4, shown);
    for (int k = 0; k < 20; k++) assert_int_equal(shown[k], k % 2 == 0 ? 3 : 0);
    /* An odd focus column takes its place: 4 gives way, and the labels
     * after it shift to the odd columns. */
    heat_col_labels(&g, width, 5, shown);
    const int want[8] = {3, 0, 3, 0, 0, 3, 0, 3};
    for (int k = 0; k < 8; k++) assert_int_equal(shown[k], want[k]);
    /* A label longer than HEAT_LABEL_MAX is cut there; the focus label
     * runs past the grid to the border (the grid ends at 54, the border at
     * 55), and is cut there. */
    assert_int_equal(g.head_end, 55);
    for (int k = 0; k < 20; k++) width[k] = 14;
    heat_col_labels(&g, width, 19, shown);
    assert_int_equal(shown[0], HEAT_LABEL_MAX);
    assert_int_equal(shown[19], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep),          cmocka_unit_test(test_out_of_range_inputs),
        cmocka_unit_test(test_fifty_words),    cmocka_unit_test(test_every_layout_size),
        cmocka_unit_test(test_packed_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
