/* chart.c — the loss pane: its frame, then the cells chartraster.c draws for
 * the data (the smoothed training loss in braille, the validation points,
 * the axes, the legend), each painted in its role's colour. Linear or log10
 * (F6). */
#include <stdint.h>

#include "chartraster.h"
#include "ui.h"

/* The role each class of cell is painted in. */
static ui_role role_of(chart_class c)
{
    switch (c) {
    case CHART_TRAIN: return ROLE_TRAIN;
    case CHART_VAL: return ROLE_VAL;
    case CHART_BEST: return ROLE_BEST;
    case CHART_AXIS: case CHART_LABEL: return ROLE_DIM;
    default: return ROLE_NORMAL;
    }
}

/* Appends code point c to buf as UTF-8; returns the bytes written (1..4). */
static int utf8_put(char *buf, uint32_t c)
{
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (c >> 18));
    buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Paints row y of the view: each run of cells of one class as one string;
 * blank cells are left as werase left them. */
static void paint_row(WINDOW *w, const ui_style *s, const chart_view *v, int y)
{
    enum { RUN = 128 };
    char buf[RUN * 4 + 1];
    for (int x = 0; x < v->cols;) {
        const chart_cell c0 = chart_view_at(v, y, x);
        if (c0.cls == CHART_NONE) {
            x++;
            continue;
        }
        int n = 0;
        size_t len = 0;
        for (; x + n < v->cols && n < RUN; n++) {
            const chart_cell c = chart_view_at(v, y, x + n);
            if (c.cls != c0.cls) break;
            len += (size_t)utf8_put(buf + len, c.ch);
        }
        buf[len] = '\0';
        ui_put(w, y, x, n, ui_attr(s, role_of((chart_class)c0.cls)), buf);
        x += n;
    }
}

void chart_draw(WINDOW *w, const ui_style *s, chart_raster *cr, const chart_data *d)
{
    werase(w);
    ui_frame(w, s, d->log_scale ? "Loss (log scale)" : "Loss");
    const chart_view *v = chart_raster_draw(cr, d, getmaxy(w), getmaxx(w), s->utf8);
    if (!v) return; /* out of memory: the frame alone */
    for (int y = 0; y < v->rows; y++) paint_row(w, s, v, y);
}
