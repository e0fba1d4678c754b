/* logview.c — the log pane: the newest lines that fit, newest at the bottom,
 * coloured by kind (epoch lines, good news, mismatches, errors, the user's). */
#include "ui.h"

static ui_role role_of(log_kind k)
{
    switch (k) {
    case LOG_EPOCH: return ROLE_NORMAL;
    case LOG_GOOD: return ROLE_GOOD;
    case LOG_BAD: return ROLE_WARN;
    case LOG_ERROR: return ROLE_ERROR;
    case LOG_USER: return ROLE_TITLE;
    default: return ROLE_DIM;
    }
}

enum { INDENT = 2, MAX_ROWS = 64 }; /* continuation rows start 2 cells further in */

/* The newest lines that fit, newest at the bottom; a line longer than the
 * pane wraps at spaces onto rows indented by INDENT. */
void log_draw(WINDOW *w, const ui_style *s, const log_data *d)
{
    werase(w);
    ui_frame(w, s, "Log");
    const int H = getmaxy(w), W = getmaxx(w);
    const int width = W - 3;
    int y = H - 2; /* the next row to fill, from the bottom up */
    for (int i = d->n - 1; i >= 0 && y >= 1 && width > INDENT; i--) {
        const char *text = d->lines[i].text;
        int start[MAX_ROWS], len[MAX_ROWS];
        /* Every row fits the indented width, so the rows line up. */
        int rows = ui_wrap(text, width - INDENT, start, len, MAX_ROWS);
        if (rows > MAX_ROWS) rows = MAX_ROWS;
        const attr_t a = ui_attr(s, role_of(d->lines[i].kind));
        for (int r = rows - 1; r >= 0 && y >= 1; r--, y--)
            ui_put(w, y, 2 + (r ? INDENT : 0), len[r], a, text + start[r]);
    }
}
