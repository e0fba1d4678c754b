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

void log_draw(WINDOW *w, const ui_style *s, const log_data *d)
{
    werase(w);
    ui_frame(w, s, "Log");
    const int H = getmaxy(w), W = getmaxx(w);
    const int rows = H - 2;
    const int first = d->n > rows ? d->n - rows : 0;
    for (int i = first; i < d->n; i++)
        ui_put(w, 1 + i - first, 2, W - 3, ui_attr(s, role_of(d->lines[i].kind)), d->lines[i].text);
}
