/* layout.h — where each pane of the terminal UI goes, as a pure function of
 * the terminal's size. No curses here: tests/test_layout.c sweeps every size
 * from 1x1 to 300x100 for bounds, overlap and the too-small message.
 *
 *   +- Loss ----------------++- Attention ----------------------+
 *   |                       ||                                  |  top
 *   +-----------------------++----------------------------------+
 *   +- Log -----------------------------++- Step ---------------+  bottom
 *   +-----------------------------------++----------------------+  (Step only when wide)
 *   status line (two from LAYOUT_STATUS2_ROWS rows up)
 *   prompt line
 *   key legend
 */
#ifndef S2S_LAYOUT_H
#define S2S_LAYOUT_H

typedef struct {
    int y, x, h, w; /* top-left corner and size in cells; h == 0 or w == 0: absent */
} ui_rect;

typedef enum {
    PANE_CHART,   /* loss chart */
    PANE_HEATMAP, /* attention heatmap */
    PANE_LOG,     /* log lines */
    PANE_STEP,    /* one decoder step: weights, scores, context shares (optional) */
    PANE_STATUS,  /* one or two lines: epoch, progress bar, tokens/s, ... */
    PANE_PROMPT,  /* one line: "> sentence  -> reversal" */
    PANE_KEYS,    /* one line: the key legend */
    PANE_COUNT
} ui_pane;

/* Below this the UI shows only "terminal too small (need W×H)". */
enum { LAYOUT_MIN_COLS = 64, LAYOUT_MIN_ROWS = 18 };
/* The step pane appears from this width up; the status line gets a second
 * line from this height up. */
enum { LAYOUT_STEP_MIN_COLS = 96, LAYOUT_STATUS2_ROWS = 30 };

typedef struct {
    int rows, cols;
    int too_small;            /* 1: no panes; show the message */
    ui_rect pane[PANE_COUNT]; /* all zero when too_small */
} ui_layout;

/* Fills l for a terminal of rows x cols (any values, even 0 or negative). */
void layout_compute(ui_layout *l, int rows, int cols);

/* A centred box of at most want_h x want_w cells (the help overlay) inside a
 * rows x cols screen, leaving a margin of one cell where it can. */
ui_rect layout_centered(int rows, int cols, int want_h, int want_w);

/* 1 if a and b share a cell (absent rectangles share nothing). */
int rect_overlap(ui_rect a, ui_rect b);
/* 1 if r lies inside a rows x cols screen (absent rectangles do). */
int rect_inside(ui_rect r, int rows, int cols);

#endif
