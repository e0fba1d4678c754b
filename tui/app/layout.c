/* layout.c — pane geometry from (rows, cols); see layout.h. */
#include "layout.h"

#include <string.h>

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static ui_rect rect(int y, int x, int h, int w)
{
    ui_rect r = {y, x, h, w};
    return r;
}

void layout_compute(ui_layout *l, int rows, int cols)
{
    memset(l, 0, sizeof *l);
    l->rows = rows;
    l->cols = cols;
    if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
        l->too_small = 1;
        return;
    }
    /* The bars at the bottom: keys, prompt, and the status, which gets a
     * second line from LAYOUT_STATUS2_ROWS rows up. */
    const int sh = rows >= LAYOUT_STATUS2_ROWS ? 2 : 1;
    l->pane[PANE_KEYS] = rect(rows - 1, 0, 1, cols);
    l->pane[PANE_PROMPT] = rect(rows - 2, 0, 1, cols);
    l->pane[PANE_STATUS] = rect(rows - 2 - sh, 0, sh, cols);

    /* The body above them: charts on top, log (and step) below. The heatmap
     * wants about 17 rows (11 words + <EOS>, labels, legend, border); the
     * log gets two fifths of the rest, within [5, 18]. */
    const int body = rows - 2 - sh; /* >= 15 */
    const int bottom = clampi(body * 2 / 5, 5, 18);
    const int top = body - bottom; /* >= 9 */

    const int chart_w = cols * 9 / 20; /* >= 28 */
    l->pane[PANE_CHART] = rect(0, 0, top, chart_w);
    l->pane[PANE_HEATMAP] = rect(0, chart_w, top, cols - chart_w);

    if (cols >= LAYOUT_STEP_MIN_COLS) {
        const int step_w = clampi(cols * 2 / 5, 40, 64);
        l->pane[PANE_LOG] = rect(top, 0, bottom, cols - step_w);
        l->pane[PANE_STEP] = rect(top, cols - step_w, bottom, step_w);
    } else {
        l->pane[PANE_LOG] = rect(top, 0, bottom, cols);
    }
}

ui_rect layout_centered(int rows, int cols, int want_h, int want_w)
{
    if (rows <= 0 || cols <= 0 || want_h <= 0 || want_w <= 0) return rect(0, 0, 0, 0);
    int h = want_h, w = want_w;
    if (h > rows - 2) h = rows > 2 ? rows - 2 : rows;
    if (w > cols - 2) w = cols > 2 ? cols - 2 : cols;
    return rect((rows - h) / 2, (cols - w) / 2, h, w);
}

int rect_overlap(ui_rect a, ui_rect b)
{
    if (a.h <= 0 || a.w <= 0 || b.h <= 0 || b.w <= 0) return 0;
    return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

int rect_inside(ui_rect r, int rows, int cols)
{
    if (r.h == 0 || r.w == 0) return 1;
    return r.h > 0 && r.w > 0 && r.y >= 0 && r.x >= 0 && r.y + r.h <= rows && r.x + r.w <= cols;
}
