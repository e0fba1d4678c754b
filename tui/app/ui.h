/* ui.h — the terminal UI's drawing: a style (colour, 256 colours, UTF-8),
 * helpers that clip and transliterate text, and one draw function per pane.
 *
 * Every draw function is a pure function of (window, data): it erases the
 * window, draws what the data says and touches nothing else — no model, no
 * locks, no global state. app.c gathers the data once per frame and calls
 * them, then wnoutrefresh()es each window and doupdate()s once.
 */
#ifndef S2S_UI_H
#define S2S_UI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "chartraster.h"
#include "decode.h"
#include "logring.h"
#include "prompt.h"
#include "verdict.h"
#include "worker.h"

typedef struct {
    int color;    /* colours in use (not --no-color, not NO_COLOR, terminal has them) */
    int color256; /* 256 colours: the heatmap gets a gradient */
    int utf8;     /* UTF-8 locale: braille, shades, box and arrow characters */
} ui_style;

typedef enum {
    ROLE_NORMAL = 0,
    ROLE_TITLE,
    ROLE_DIM,
    ROLE_TRAIN,   /* the training-loss line */
    ROLE_VAL,     /* validation points */
    ROLE_BEST,    /* the best validation point */
    ROLE_KEY,     /* a key in the legend */
    ROLE_BAR,     /* the progress bar */
    ROLE_GOOD,
    ROLE_WARN,
    ROLE_ERROR,
    ROLE_UNKNOWN, /* an unknown word */
    ROLE_SELECT,  /* the selected decoder step */
    ROLE_HEAT,    /* shade characters without a gradient */
    ROLE_COUNT
} ui_role;

enum { UI_HEAT_LEVELS = 12 };

/* Sets the style from the terminal (has_colors, COLORS), the locale and the
 * user's wish (no_color: --no-color or NO_COLOR); makes the colour pairs. */
void ui_style_init(ui_style *s, int no_color);
/* The attributes of a role (colour pair, bold, reverse). */
attr_t ui_attr(const ui_style *s, ui_role r);
/* The heatmap cell for weight w in [0, 1]: *attr to use and the glyph to
 * repeat (a space on a coloured background with 256 colours; a shade
 * character otherwise). */
void ui_heat_cell(const ui_style *s, float w, attr_t *attr, const char **glyph);

/* Writes s at (y, x), at most maxw cells, with attributes a. Non-ASCII text
 * is shown as is with UTF-8 and transliterated (→ "->", ✓ "v", others "?")
 * without. Returns the cells written. */
int ui_put(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s);
/* Writes glyph n times from (y, x) in one call; returns the cells written. */
int ui_repeat(WINDOW *w, int y, int x, int n, attr_t a, const char *glyph);
/* Cells s takes (one per character). */
int ui_width(const char *s);
/* Word wrap of s into rows of at most `width` cells (one per character):
 * row k starts at byte start[k] and is len[k] cells long; rows break at the
 * last space that fits (the space is dropped), or inside a word longer than
 * a row. Fills at most max rows and returns how many rows s needs (at
 * least 1). Pure: no curses. */
int ui_wrap(const char *s, int width, int *start, int *len, int max);
/* The pane's border and its title at the top left. */
void ui_frame(WINDOW *w, const ui_style *s, const char *title);
/* A glyph by name, for the style: "hline", "arrow", "check", "block",
 * "light", "select", "left", "right", "up", "down", "ellipsis", ... */
const char *ui_glyph(const ui_style *s, const char *name);
/* A token as the panes show it: a blank (a character model's space) as ␣
 * (or _), so its column or row does not look unlabelled. */
const char *ui_label(const ui_style *s, const char *token);

/* ---- the panes' data (the chart's, chart_data, is in chartraster.h) ---- */

typedef struct {
    const s2s_decoding *r; /* NULL: nothing yet */
    const char *label;     /* "probe" or "you" */
    int step;              /* the selected decoder step (row) */
    int attention;         /* S2S_ATTN_* of the model */
    int wrong;             /* the first wrong (or extra) output row; -1: none */
    int chars;             /* 1: tokens are characters (the title joins them unspaced) */
} heat_data;

/* What the prompt line shows after the typed text: the result of the last
 * sentence sent, if any. */
typedef struct {
    const char *const *words; /* the output words; NULL: no result */
    int n;
    const verdict *v;         /* against the reversal of what was sent */
    const char *note;         /* a short note on the input ("12 words > 10 trained"), or NULL */
    int editing;              /* the line is no longer the one sent: the result dims */
    const char *hint;         /* shown in an empty prompt: what to type (the task's) */
} prompt_view;

typedef struct {
    const train_view *tv;
    const char *device;
    float lr, tf;
    int evaluating, eval_done, eval_total; /* an evaluation is running */
    const char *note;      /* a short message (e.g. "saved attention_heatmap.png"), or NULL */
} status_data;

typedef struct {
    const log_line *lines;
    int n;
} log_data;

/* The loss chart: the cells chart_raster_draw makes of d, painted; cr keeps
 * the cells from frame to frame. */
void chart_draw(WINDOW *w, const ui_style *s, chart_raster *cr, const chart_data *d);
void heatmap_draw(WINDOW *w, const ui_style *s, const heat_data *d);
void step_draw(WINDOW *w, const ui_style *s, const heat_data *d);
void log_draw(WINDOW *w, const ui_style *s, const log_data *d);
void status_draw(WINDOW *w, const ui_style *s, const status_data *d);
/* Draws the prompt line (where its parts go is prompt_fit's) and leaves the
 * window's cursor at the edit point. */
void prompt_draw(WINDOW *w, const ui_style *s, const prompt_state *p, const prompt_view *v);
void keys_draw(WINDOW *w, const ui_style *s, int paused, int log_scale);
void help_draw(WINDOW *w, const ui_style *s);
void too_small_draw(WINDOW *w, const ui_style *s, int need_cols, int need_rows);

/* "1.2k", "45.6k", "1.23M" */
void ui_si(char *buf, size_t n, double x);
/* "42s", "3m12s", "1h05m" */
void ui_duration(char *buf, size_t n, double s);

#endif
