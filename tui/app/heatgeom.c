/* heatgeom.c — the heatmap's geometry; see heatgeom.h. */
#include "heatgeom.h"

#include <string.h>

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* The first of `vis` consecutive items out of n that keeps item `keep`
 * in the middle, without running past either end. */
static int window_start(int keep, int vis, int n)
{
    if (vis >= n) return 0;
    return clampi(keep - vis / 2, 0, n - vis);
}

void heat_geom_compute(heat_geom *g, int H, int W, int n_src, int steps, int label_w, int step,
                       int focus)
{
    memset(g, 0, sizeof *g);
    g->left_x = g->right_x = -1;
    if (n_src < 1) n_src = 1;
    if (steps < 0) steps = 0;
    g->mark_x = 1;
    g->label_x = 3; /* the marker, the ▲/▼ column, then the labels */
    g->label_w = clampi(label_w, HEAT_LABEL_MIN, HEAT_LABEL_MAX);
    g->gx = g->label_x + g->label_w + 1;
    g->head_y = 1;
    g->gy = 2;
    g->legend_y = H - 2;
    const int gw = W - 1 - g->gx; /* cells from gx to the right border */
    const int vis = H - 4;        /* rows between the head row and the legend */
    if (gw < 2 || vis < 1) return;
    g->ok = 1;

    /* Columns: as wide as fit, up to HEAT_CELL_MAX; else one cell each,
     * scrolled, with a cell kept for ▶ on the right. */
    int cw = gw / n_src;
    if (cw > HEAT_CELL_MAX) cw = HEAT_CELL_MAX;
    if (cw >= 1) {
        g->cw = cw;
        g->col0 = 0;
        g->ncols = n_src;
    } else {
        g->cw = 1;
        g->ncols = gw - 1;
        g->col0 = window_start(clampi(focus, 0, n_src - 1), g->ncols, n_src);
        g->more_left = g->col0 > 0;
        g->more_right = g->col0 + g->ncols < n_src;
        if (g->more_left) g->left_x = g->gx - 1;
        if (g->more_right) g->right_x = g->gx + g->ncols;
    }
    g->fill = g->cw >= 3 ? g->cw - 1 : g->cw;
    g->head_end = g->more_right ? g->right_x : W - 1;

    /* Rows: one per step, scrolled around the selected one. */
    g->nrows = steps < vis ? steps : vis;
    g->row0 = steps > 0 ? window_start(clampi(step, 0, steps - 1), vis, steps) : 0;
    g->more_up = g->row0 > 0;
    g->more_down = g->row0 + g->nrows < steps;
}

int heat_col_x(const heat_geom *g, int j)
{
    return g->gx + (j - g->col0) * g->cw;
}

void heat_col_labels(const heat_geom *g, const int *width, int focus, int *shown)
{
    const int n = g->ncols;
    for (int k = 0; k < n; k++) shown[k] = 0;
    if (!g->ok || n <= 0) return;
    if (g->cw >= 3) {
        for (int k = 0; k < n; k++) shown[k] = width[k] < g->fill ? width[k] : g->fill;
        return;
    }
    const int end = g->head_end;
    /* The focus column's label first: whole if it fits before the end, else
     * cut there. */
    int fs = end, fe = end; /* its cells, [fs, fe) */
    const int f = focus - g->col0;
    if (f >= 0 && f < n && width[f] > 0) {
        const int x = heat_col_x(g, focus);
        int len = width[f] < HEAT_LABEL_MAX ? width[f] : HEAT_LABEL_MAX;
        if (len > end - x) len = end - x;
        shown[f] = len;
        fs = x;
        fe = x + len;
    }
    /* Then the others left to right, each whole (up to HEAT_LABEL_MAX), a
     * space after the one before and before the focus label. */
    int next = g->gx; /* the first free cell */
    for (int k = 0; k < n; k++) {
        if (k == f) {
            next = fe + 1;
            continue;
        }
        const int x = g->gx + k * g->cw;
        const int len = width[k] < HEAT_LABEL_MAX ? width[k] : HEAT_LABEL_MAX;
        if (len <= 0 || x < next) continue;
        const int stop = x < fs ? fs - 1 : end; /* the cell this label must end before */
        if (x + len > stop) continue;
        shown[k] = len;
        next = x + len + 1;
    }
}
