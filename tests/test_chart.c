/* test_chart.c — the loss chart's cells (tui/app/chartraster.c), without curses:
 * every pane size from 1x1 to 200x60 stays in bounds and off the frame with
 * UTF-8 and with ASCII only; a falling loss is drawn falling; validation
 * points land in their epoch's column, the best one marked; the log scale
 * moves them; empty and non-finite data give a message or a broken line,
 * never a crash. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chartraster.h"

enum { NPTS = 240 };

/* A data set and the arrays it points into. */
typedef struct {
    float loss[NPTS];
    float val[8];
    long val_x[8];
    chart_data d;
} fixture;

/* A loss falling from about 3 to 0.1 over n points of `stride` batches, with
 * validation after each of n_val equal epochs. */
static void falling(fixture *f, int n, int stride, int n_val)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < n; i++) f->loss[i] = 3.0f * expf(-(float)i / 40.0f) + 0.1f;
    const long batches = (long)n * stride;
    for (int k = 0; k < n_val; k++) {
        f->val_x[k] = batches * (k + 1) / n_val;
        f->val[k] = 2.5f * expf(-(float)k) + 0.2f;
    }
    f->d = (chart_data){f->loss, n, stride, f->val, f->val_x, n_val, batches, 0};
}

static int is_braille(uint32_t c)
{
    return c >= 0x2800 && c <= 0x28FF;
}

static int in_plot(const chart_view *v, int y, int x)
{
    return y >= v->plot_y && y < v->plot_y + v->plot_h && x >= v->plot_x &&
           x < v->plot_x + v->plot_w;
}

/* What must hold of any view: its size, a blank frame, known characters
 * (ASCII only without UTF-8), every class where it belongs. */
static void check_view(const chart_view *v, int rows, int cols, int utf8, const char *what)
{
    if (!v) fail_msg("%s %dx%d: no view", what, cols, rows);
    assert_int_equal(v->rows, rows);
    assert_int_equal(v->cols, cols);
    if (v->plot_w == 0) {
        if (v->plotted || v->message) fail_msg("%s %dx%d: no plot area, yet drawn", what, cols, rows);
    } else if (rows < 6 || cols < 4 + 3 + CHART_LABEL_W || v->plot_y + v->plot_h > rows - 2 ||
               v->plot_x + v->plot_w > cols - 1 || v->plot_h < 2 || v->plot_w < 4) {
        fail_msg("%s %dx%d: plot %dx%d at (%d,%d) does not fit", what, cols, rows, v->plot_w,
                 v->plot_h, v->plot_x, v->plot_y);
    }
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < cols; x++) {
            const chart_cell c = chart_view_at(v, y, x);
            const int frame = y == 0 || x == 0 || y == rows - 1 || x == cols - 1;
            if (c.cls >= CHART_CLASSES) fail_msg("%s %dx%d: (%d,%d) class %d", what, cols, rows, x, y, c.cls);
            if (c.cls == CHART_NONE) {
                if (c.ch != ' ') fail_msg("%s %dx%d: blank (%d,%d) holds U+%04X", what, cols, rows, x, y, c.ch);
                continue;
            }
            if (frame || v->plot_w == 0) fail_msg("%s %dx%d: (%d,%d) drawn on the frame or without a plot", what, cols, rows, x, y);
            const int ascii = c.ch >= 0x20 && c.ch < 0x7F;
            if (!utf8 && !ascii) fail_msg("%s %dx%d: U+%04X at (%d,%d) without UTF-8", what, cols, rows, c.ch, x, y);
            if (utf8 && !ascii && !is_braille(c.ch) && c.ch != 0x25CF && c.ch != 0x25C6 && c.ch != 0x2502)
                fail_msg("%s %dx%d: unexpected U+%04X at (%d,%d)", what, cols, rows, c.ch, x, y);
            switch (c.cls) {
            case CHART_TRAIN: case CHART_VAL: case CHART_BEST:
                if (y != 1 && !in_plot(v, y, x))
                    fail_msg("%s %dx%d: a point outside the plot at (%d,%d)", what, cols, rows, x, y);
                break;
            case CHART_AXIS:
                if (x != v->plot_x - 1 || y < v->plot_y || y >= v->plot_y + v->plot_h)
                    fail_msg("%s %dx%d: the axis at (%d,%d)", what, cols, rows, x, y);
                break;
            case CHART_TEXT:
                if (y != 1) fail_msg("%s %dx%d: legend text on row %d", what, cols, rows, y);
                break;
            case CHART_LABEL:
                if (in_plot(v, y, x) && !(v->message && y == rows / 2))
                    fail_msg("%s %dx%d: a label inside the plot at (%d,%d)", what, cols, rows, x, y);
                break;
            default: break;
            }
        }
}

/* Whether the braille dot (x, y) of the plot is set (y down from the top). */
static int dot_set(const chart_view *v, int x, int y)
{
    static const unsigned char BIT[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    const chart_cell c = chart_view_at(v, v->plot_y + y / 4, v->plot_x + x / 2);
    return c.cls == CHART_TRAIN && is_braille(c.ch) && ((c.ch - 0x2800) & BIT[y % 4][x % 2]);
}

/* The text of row y from column x0, n cells (ASCII cells only). */
static void row_text(const chart_view *v, int y, int x0, int n, char *buf)
{
    for (int i = 0; i < n; i++) {
        chart_cell c = chart_view_at(v, y, x0 + i);
        buf[i] = c.ch < 0x80 ? (char)c.ch : '#';
    }
    buf[n] = '\0';
}

static int row_contains(const chart_view *v, int y, const char *s)
{
    char buf[512];
    row_text(v, y, 0, v->cols < 511 ? v->cols : 511, buf);
    return strstr(buf, s) != NULL;
}

/* The cells of a class in the plot; the first one's position in *y, *x. */
static int count_class(const chart_view *v, chart_class cls, int *y, int *x)
{
    int n = 0;
    for (int r = v->plot_y; r < v->plot_y + v->plot_h; r++)
        for (int c = v->plot_x; c < v->plot_x + v->plot_w; c++)
            if (chart_view_at(v, r, c).cls == cls) {
                if (n++ == 0 && y) *y = r, *x = c;
            }
    return n;
}

/* ------------------------------------------------------------------ tests */

static void test_every_size(void **state)
{
    (void)state;
    fixture f[5];
    falling(&f[0], 0, 1, 0);      /* nothing yet */
    falling(&f[1], NPTS, 3, 4);   /* a run with validation */
    falling(&f[2], NPTS, 1, 2);
    f[2].d.log_scale = 1;
    falling(&f[3], 60, 2, 3);     /* non-finite values */
    f[3].loss[7] = NAN;
    f[3].loss[20] = INFINITY;
    f[3].val[1] = NAN;
    falling(&f[4], 3, 1, 0);
    for (int i = 0; i < 3; i++) f[4].loss[i] = NAN; /* nothing finite */
    chart_raster *cr = chart_raster_create();
    assert_non_null(cr);
    for (int rows = 1; rows <= 60; rows++)
        for (int cols = 1; cols <= 200; cols++)
            for (int k = 0; k < 5; k++) {
                const int utf8 = (rows + cols + k) & 1;
                const chart_view *v = chart_raster_draw(cr, &f[k].d, rows, cols, utf8);
                check_view(v, rows, cols, utf8, "sweep");
                if ((rows < 6 || cols < 15) != (v->plot_w == 0))
                    fail_msg("%dx%d: plot area %dx%d", cols, rows, v->plot_w, v->plot_h);
            }
    chart_raster_free(cr);
}

static void test_degenerate_sizes(void **state)
{
    (void)state;
    fixture f;
    falling(&f, NPTS, 2, 3);
    chart_raster *cr = chart_raster_create();
    const int odd[][2] = {{0, 0}, {-1, 80}, {24, -5}, {0, 120}, {40, 0}, {1, 1000}, {1000, 1}};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const chart_view *v = chart_raster_draw(cr, &f.d, odd[i][0], odd[i][1], 1);
        assert_non_null(v);
        assert_int_equal(v->plot_w, 0);
        assert_int_equal(chart_view_at(v, 0, 0).cls, CHART_NONE);
    }
    chart_raster_free(cr);
    chart_raster_free(NULL);
}

/* The buffer is made once and kept while the pane does not grow. */
static void test_buffer_kept(void **state)
{
    (void)state;
    fixture f;
    falling(&f, NPTS, 2, 3);
    chart_raster *cr = chart_raster_create();
    const chart_cell *big = chart_raster_draw(cr, &f.d, 60, 200, 1)->cells;
    const int sizes[][2] = {{40, 120}, {24, 80}, {1, 1}, {60, 200}, {30, 400}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const chart_view *v = chart_raster_draw(cr, &f.d, sizes[i][0], sizes[i][1], 1);
        assert_ptr_equal(v->cells, big);
        check_view(v, sizes[i][0], sizes[i][1], 1, "kept");
    }
    check_view(chart_raster_draw(cr, &f.d, 61, 200, 1), 61, 200, 1, "grown");
    chart_raster_free(cr);
}

/* A falling loss: from the top left to the bottom right, never rising. */
static void test_falling_line(void **state)
{
    (void)state;
    fixture f;
    falling(&f, NPTS, 1, 0);
    chart_raster *cr = chart_raster_create();
    const chart_view *v = chart_raster_draw(cr, &f.d, 30, 80, 1);
    check_view(v, 30, 80, 1, "falling");
    assert_true(v->plotted);
    const int dw = 2 * v->plot_w, dh = 4 * v->plot_h;
    int first = -1, last = -1, prev_top = -1, prev_bottom = -1;
    for (int x = 0; x < dw; x++) {
        int top = -1, bottom = -1;
        for (int y = 0; y < dh; y++)
            if (dot_set(v, x, y)) {
                if (top < 0) top = y;
                bottom = y;
            }
        if (top < 0) continue;
        if (first < 0) first = x;
        last = x;
        if (top < prev_top || bottom < prev_bottom)
            fail_msg("the line rises at dot column %d (%d..%d after %d..%d)", x, top, bottom,
                     prev_top, prev_bottom);
        if (x == first && top > dh / 10) fail_msg("the line starts at dot row %d of %d", top, dh);
        prev_top = top;
        prev_bottom = bottom;
    }
    assert_true(first >= 0 && first <= 2);
    assert_int_equal(last, dw - 1); /* the last point is the last batch */
    if (prev_bottom < dh * 9 / 10) fail_msg("the line ends at dot row %d of %d", prev_bottom, dh);
    /* The line is continuous: every dot column between its ends has a dot. */
    for (int x = first; x <= last; x++) {
        int any = 0;
        for (int y = 0; y < dh && !any; y++) any = dot_set(v, x, y);
        if (!any) fail_msg("a gap in the line at dot column %d", x);
    }
    /* The same without UTF-8: ' . and : where the braille cells were. */
    const chart_view *a = chart_raster_draw(cr, &f.d, 30, 80, 0);
    check_view(a, 30, 80, 0, "falling, ASCII");
    const int cells = count_class(a, CHART_TRAIN, NULL, NULL);
    assert_true(cells > 0);
    for (int r = a->plot_y; r < a->plot_y + a->plot_h; r++)
        for (int c = a->plot_x; c < a->plot_x + a->plot_w; c++) {
            chart_cell k = chart_view_at(a, r, c);
            if (k.cls == CHART_TRAIN && !strchr("'.:", (int)k.ch))
                fail_msg("ASCII line cell '%c' at (%d,%d)", (char)k.ch, c, r);
        }
    chart_raster_free(cr);
}

/* The column and row a value at batch b lands in (as the chart maps them). */
static int col_of(const chart_view *v, long b)
{
    return v->plot_x + (int)lround((double)b / (double)v->xmax * (2 * v->plot_w - 1)) / 2;
}

static int row_of(const chart_view *v, double loss)
{
    double f = v->log_scale ? log10(loss) : loss;
    return v->plot_y + (int)lround((v->hi - f) / (v->hi - v->lo) * (4 * v->plot_h - 1)) / 4;
}

static void test_validation_points(void **state)
{
    (void)state;
    fixture f;
    falling(&f, NPTS, 1, 4);
    const float val[4] = {2.0f, 0.5f, NAN, 1.0f}; /* the best is epoch 2; epoch 3 is lost */
    memcpy(f.val, val, sizeof val);
    chart_raster *cr = chart_raster_create();
    for (int utf8 = 0; utf8 <= 1; utf8++) {
        const chart_view *v = chart_raster_draw(cr, &f.d, 24, 70, utf8);
        check_view(v, 24, 70, utf8, "validation");
        assert_int_equal(v->best, 1);
        int y = -1, x = -1;
        assert_int_equal(count_class(v, CHART_BEST, &y, &x), 1);
        assert_int_equal(x, col_of(v, f.val_x[1]));
        assert_int_equal(y, row_of(v, 0.5));
        assert_int_equal(chart_view_at(v, y, x).ch, utf8 ? 0x25C6 : '*');
        assert_int_equal(count_class(v, CHART_VAL, NULL, NULL), 2);
        for (int k = 0; k < 4; k += 3) {
            chart_cell c = chart_view_at(v, row_of(v, f.val[k]), col_of(v, f.val_x[k]));
            assert_int_equal(c.cls, CHART_VAL);
            assert_int_equal(c.ch, utf8 ? 0x25CF : 'o');
        }
        assert_true(row_contains(v, 1, "best 0.5"));
        assert_true(row_contains(v, 1, "train (smoothed)"));
    }
    chart_raster_free(cr);
}

/* Validation losses of 100, 1 and 0.01 over a training loss between them:
 * on a linear scale 1 lies near the bottom; on a log scale, half way. */
static void test_log_scale(void **state)
{
    (void)state;
    fixture f;
    falling(&f, NPTS, 1, 3);
    for (int i = 0; i < NPTS; i++) f.loss[i] = 20.0f * powf(0.0025f, (float)i / (NPTS - 1));
    const float val[3] = {100.0f, 1.0f, 0.01f};
    memcpy(f.val, val, sizeof val);
    chart_raster *cr = chart_raster_create();
    int y[2];
    for (int logs = 0; logs <= 1; logs++) {
        f.d.log_scale = logs;
        const chart_view *v = chart_raster_draw(cr, &f.d, 40, 100, 1);
        check_view(v, 40, 100, 1, logs ? "log" : "linear");
        assert_int_equal(v->best, 2);
        const int x = col_of(v, f.val_x[1]);
        y[logs] = -1;
        for (int r = v->plot_y; r < v->plot_y + v->plot_h; r++)
            if (chart_view_at(v, r, x).cls == CHART_VAL) y[logs] = r;
        assert_int_equal(y[logs], row_of(v, 1.0));
        const double top = strtod(v->ylabel[0], NULL);
        if (!logs) {
            assert_true(y[0] >= v->plot_y + v->plot_h * 9 / 10);
            assert_string_equal(v->ylabel[2], "0"); /* a linear scale of losses starts at 0 */
            assert_true(top > 100.0 && top < 110.0);
        } else {
            const int mid = v->plot_y + (v->plot_h - 1) / 2;
            if (abs(y[1] - mid) > 1) fail_msg("log scale: 1.0 on row %d, the middle is %d", y[1], mid);
            assert_true(v->lo < -2.0 && v->hi > 2.0); /* log10 of the range, with a margin */
            const double bottom = strtod(v->ylabel[2], NULL);
            assert_true(top > 100.0 && top < 200.0);
            assert_true(bottom > 0.001 && bottom < 0.01);
        }
    }
    assert_true(y[1] < y[0]);

    /* Zero and negative values cannot be drawn on it: left out. */
    f.loss[100] = 0.0f;
    f.loss[101] = -1.0f;
    f.val[0] = f.val[1] = f.val[2] = 0.0f;
    const chart_view *v = chart_raster_draw(cr, &f.d, 40, 100, 1);
    check_view(v, 40, 100, 1, "log, with zeros");
    assert_int_equal(v->best, -1);
    assert_int_equal(count_class(v, CHART_BEST, NULL, NULL) + count_class(v, CHART_VAL, NULL, NULL), 0);
    assert_true(count_class(v, CHART_TRAIN, NULL, NULL) > 0);
    chart_raster_free(cr);
}

static void test_empty(void **state)
{
    (void)state;
    fixture f;
    falling(&f, 0, 1, 2); /* validation without training points: still waiting */
    chart_raster *cr = chart_raster_create();
    for (int utf8 = 0; utf8 <= 1; utf8++) {
        const chart_view *v = chart_raster_draw(cr, &f.d, 20, 60, utf8);
        check_view(v, 20, 60, utf8, "empty");
        assert_false(v->plotted);
        assert_string_equal(v->message, "waiting for the first batch...");
        assert_true(row_contains(v, 10, "waiting for the first batch..."));
        assert_int_equal(count_class(v, CHART_TRAIN, NULL, NULL), 0);
        assert_true(row_contains(v, 1, "train (smoothed)")); /* the legend is there */
    }
    chart_raster_free(cr);
}

static void test_nonfinite(void **state)
{
    (void)state;
    fixture f;
    falling(&f, 50, 1, 2);
    for (int i = 0; i < 50; i++) f.loss[i] = i % 2 ? NAN : INFINITY;
    f.val[0] = f.val[1] = NAN;
    chart_raster *cr = chart_raster_create();
    const chart_view *v = chart_raster_draw(cr, &f.d, 20, 60, 1);
    check_view(v, 20, 60, 1, "non-finite");
    assert_false(v->plotted);
    assert_string_equal(v->message, "no finite losses to draw");

    /* Non-finite validation losses are skipped; the finite ones drawn. */
    falling(&f, 50, 1, 2);
    f.val[0] = INFINITY;
    v = chart_raster_draw(cr, &f.d, 20, 60, 1);
    check_view(v, 20, 60, 1, "infinite validation");
    assert_true(v->plotted && isfinite(v->lo) && isfinite(v->hi));
    assert_int_equal(v->best, 1);
    assert_int_equal(count_class(v, CHART_BEST, NULL, NULL), 1);

    /* A non-finite training loss: the line up to it is drawn, nothing else
     * goes wrong. */
    falling(&f, 50, 1, 0);
    f.loss[25] = NAN;
    v = chart_raster_draw(cr, &f.d, 20, 60, 1);
    check_view(v, 20, 60, 1, "a NaN loss");
    assert_true(v->plotted && isfinite(v->lo) && isfinite(v->hi));
    const int nan_x = (int)lround(26.0 / 50.0 * (2 * v->plot_w - 1));
    int before = 0;
    for (int x = 0; x < nan_x - 1; x++)
        for (int y = 0; y < 4 * v->plot_h; y++) before += dot_set(v, x, y);
    assert_true(before > 0);
    chart_raster_free(cr);
}

/* The labels: three on the y axis, right-aligned against it, the bottom one
 * the range's low end; "0" and "N batches" under the plot. */
static void test_labels(void **state)
{
    (void)state;
    fixture f;
    falling(&f, 100, 3, 0);
    chart_raster *cr = chart_raster_create();
    const chart_view *v = chart_raster_draw(cr, &f.d, 22, 64, 1);
    check_view(v, 22, 64, 1, "labels");
    const int rows[3] = {v->plot_y, v->plot_y + (v->plot_h - 1) / 2, v->plot_y + v->plot_h - 1};
    char buf[64];
    for (int k = 0; k < 3; k++) {
        assert_int_equal(v->ylabel_row[k], rows[k]);
        const int lw = (int)strlen(v->ylabel[k]);
        assert_true(lw > 0 && lw <= CHART_LABEL_W);
        row_text(v, rows[k], 1 + CHART_LABEL_W - lw, lw, buf);
        assert_string_equal(buf, v->ylabel[k]);
        assert_int_equal(chart_view_at(v, rows[k], v->plot_x - 1).cls, CHART_AXIS);
    }
    assert_true(strtod(v->ylabel[0], NULL) > strtod(v->ylabel[1], NULL));
    assert_true(strtod(v->ylabel[1], NULL) > strtod(v->ylabel[2], NULL));
    assert_int_equal(v->xmax, 300);
    assert_string_equal(v->xlabel, "300 batches");
    const int y = v->plot_y + v->plot_h;
    assert_int_equal(chart_view_at(v, y, v->plot_x).ch, '0');
    row_text(v, y, v->cols - 1 - 11, 11, buf);
    assert_string_equal(buf, "300 batches");
    /* No room for it: only "0". */
    v = chart_raster_draw(cr, &f.d, 22, 24, 1);
    check_view(v, 22, 24, 1, "narrow labels");
    assert_false(row_contains(v, v->plot_y + v->plot_h, "batches"));
    chart_raster_free(cr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_size),   cmocka_unit_test(test_degenerate_sizes),
        cmocka_unit_test(test_buffer_kept),  cmocka_unit_test(test_falling_line),
        cmocka_unit_test(test_validation_points), cmocka_unit_test(test_log_scale),
        cmocka_unit_test(test_empty),        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
