/* heatgeom.h — where the attention heatmap's cells and labels go inside its
 * pane, as a pure function of the pane's size and the decoding's shape. No
 * curses: tests/test_heatgeom.c sweeps pane sizes, sentence lengths and the
 * selected step for bounds, overlap and visibility.
 *
 * Inside the border (pane rows 0 and H-1, columns 0 and W-1):
 *
 *   row 1          ◀ column labels (input words, <EOS>) ▶
 *   rows 2..H-3    ▶ ▲ row label  cells cells cells ...    one row per decoder step
 *   row H-2        the legend
 *
 * Columns are up to HEAT_CELL_MAX cells wide, narrower as the sentence
 * grows; when even one cell per column does not fit, the columns scroll so
 * that `focus` (the selected step's attention peak) stays in the middle,
 * with ◀ / ▶ where columns are hidden. Rows scroll the same way around the
 * selected step, with ▲ / ▼. */
#ifndef S2S_HEATGEOM_H
#define S2S_HEATGEOM_H

enum {
    HEAT_CELL_MAX = 7,   /* widest column: 6 shaded cells and a gap */
    HEAT_LABEL_MIN = 5,  /* row labels: at least "<EOS>" */
    HEAT_LABEL_MAX = 10, /* row labels and packed column labels: at most this */
};

typedef struct {
    int ok;              /* 0: too small for one cell; draw a message instead */
    int mark_x;          /* the selected step's ▶; ▲ / ▼ go at mark_x + 1 */
    int label_x, label_w;/* the row labels' cells: [label_x, label_x + label_w) */
    int gx;              /* x of the first shown column */
    int cw;              /* column pitch, 1..HEAT_CELL_MAX */
    int fill;            /* shaded cells per column: cw - 1 (a gap) from 3 up, else cw */
    int col0, ncols;     /* columns [col0, col0 + ncols) of n_src are shown */
    int row0, nrows;     /* steps [row0, row0 + nrows) of steps are shown */
    int head_y, gy, legend_y; /* the column labels' row, step row0's row, the legend's */
    int more_left, more_right, more_up, more_down; /* something hidden that way */
    int left_x, right_x; /* x of ◀ and ▶ on the head row (when more_left / more_right) */
    int head_end;        /* column labels end before this x: ▶, or the right border */
} heat_geom;

/* Fills g for a pane of H x W cells (border included) showing n_src columns
 * and `steps` rows, row labels `label_w` cells wide (clamped to
 * [HEAT_LABEL_MIN, HEAT_LABEL_MAX]), the selected step `step` and the column
 * to keep in view `focus` (both clamped into range). */
void heat_geom_compute(heat_geom *g, int H, int W, int n_src, int steps, int label_w, int step,
                       int focus);

/* x of the first cell of column j (shown or not). */
int heat_col_x(const heat_geom *g, int j);

/* Which column labels to draw on the head row. width[k] is the label width
 * of shown column col0 + k (k < ncols); shown[k] gets how many of its cells
 * to draw from heat_col_x (0: not drawn). Columns of 3 cells or more get
 * each its own label, cut to `fill`. Narrower columns cannot: labels are
 * then packed left to right where they fit whole (up to HEAT_LABEL_MAX
 * cells, a space between two, before head_end), the focus column's first
 * (cut at head_end if it must be). */
void heat_col_labels(const heat_geom *g, const int *width, int focus, int *shown);

#endif
