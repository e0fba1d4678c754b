/* chartraster.h — the loss chart as a grid of cells, without curses.
 *
 * chart_raster_draw turns the chart's data and the pane's size into one
 * character and one style class per cell: the smoothed training loss as a
 * line of braille dots (2x4 per cell; ASCII ' . : without UTF-8), the
 * validation loss after each epoch as points with the best one marked, the
 * y axis with three labels, the x axis' labels, and the legend. chart.c
 * paints the cells into a curses window inside the pane's frame; tests
 * (tests/test_chart.c) read them directly.
 *
 *   row 0        the frame (never written here)
 *   row 1        legend:  ⣀⠤ train (smoothed)  ● val  ◆ best 0.52
 *   rows 2..H-3  y labels (cols 1..8), axis (col 9), plot (cols 10..W-2)
 *   row H-2      x labels: "0" under the plot's left end, "N batches" at its right
 *   row H-1      the frame
 *
 * Values a scale cannot show (not finite; not positive on the log scale) are
 * left out: a validation point is skipped, the training line breaks. The
 * smoothed line carries a non-finite loss forward, so the line ends there
 * (training stops on such a loss anyway).
 *
 * The buffers belong to a chart_raster: allocated on the first draw, grown
 * only when the pane grows, freed by chart_raster_free.
 */
#ifndef S2S_CHARTRASTER_H
#define S2S_CHARTRASTER_H

#include <stdint.h>

typedef struct {
    const float *loss; int n_loss; int stride; /* per-batch training loss, averaged by stride */
    const float *val; const long *val_x; int n_val; /* validation loss at batch val_x[i] */
    long batches;   /* batches done */
    int log_scale;
} chart_data;

typedef enum {
    CHART_NONE = 0, /* nothing drawn: a blank */
    CHART_TEXT,     /* the legend's words */
    CHART_TRAIN,    /* the training line (and its sample in the legend) */
    CHART_VAL,      /* a validation point (and its sample in the legend) */
    CHART_BEST,     /* the best validation point (and its sample in the legend) */
    CHART_AXIS,     /* the y axis */
    CHART_LABEL,    /* axis labels and the chart's messages */
    CHART_CLASSES
} chart_class;

typedef struct {
    uint32_t ch;     /* a Unicode code point, one cell wide; ' ' when blank */
    unsigned char cls; /* chart_class */
} chart_cell;

enum { CHART_LABEL_W = 8 }; /* the y labels' column width */

/* The result of a draw: the cells and where things went. */
typedef struct {
    int rows, cols;          /* the pane's size, frame included */
    const chart_cell *cells; /* (rows, cols), row-major */
    /* The plot area in cells: rows plot_y.., columns plot_x..; 0 x 0 when the
     * pane is too small for a plot (then every cell is blank). */
    int plot_y, plot_x, plot_h, plot_w;
    int plotted;             /* 1: the data was plotted (axes and labels drawn) */
    const char *message;     /* what is shown instead of a plot, or NULL */
    int log_scale;
    double lo, hi;           /* the y range, bottom to top (log10 of the loss when log_scale) */
    long xmax;               /* the x range is 0..xmax batches */
    int best;                /* index of the best validation point; -1: none */
    char ylabel[3][16];      /* y labels, top, middle, bottom ... */
    int ylabel_row[3];       /* ... on these rows */
    char xlabel[32];         /* "N batches" (shown when it fits) */
} chart_view;

typedef struct chart_raster chart_raster;

/* NULL when out of memory. */
chart_raster *chart_raster_create(void);
void chart_raster_free(chart_raster *cr);

/* Draws d into a rows x cols pane: braille, box and shape characters when
 * utf8, else ASCII only. The view lives in cr until its next draw. NULL when
 * the cells could not be allocated. */
const chart_view *chart_raster_draw(chart_raster *cr, const chart_data *d, int rows, int cols,
                                    int utf8);

/* The cell at (y, x) of a view; a blank outside it. */
chart_cell chart_view_at(const chart_view *v, int y, int x);

#endif
