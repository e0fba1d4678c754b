/* chart.c — the loss pane: the smoothed per-batch training loss as a line
 * of braille dots (2x4 per cell; ASCII ' . : without UTF-8), the
 * validation loss after each epoch as points, the best one marked, both
 * axes auto-scaled, linear or log10 (F6). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

enum { LABEL_W = 8 };

/* Bit of braille dot (column dx in 0..1, row dy in 0..3) in U+2800 + bits. */
static const unsigned char BRAILLE_BIT[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20},
                                                {0x40, 0x80}};

typedef struct {
    unsigned char *m; /* (rows, cols) cell masks */
    int rows, cols;
} dots;

static void dot(dots *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= 2 * g->cols || y >= 4 * g->rows) return;
    g->m[(y / 4) * g->cols + x / 2] |= BRAILLE_BIT[y % 4][x % 2];
}

static void line(dots *g, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        dot(g, x0, y0);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

static double fy(double v, int logs)
{
    return logs ? log10(v) : v;
}

static double unfy(double f, int logs)
{
    return logs ? pow(10.0, f) : f;
}

static int usable(double v, int logs)
{
    return isfinite(v) && (!logs || v > 0);
}

static void fmt_val(char *buf, size_t n, double v)
{
    if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e4))
        snprintf(buf, n, "%.2e", v);
    else
        snprintf(buf, n, "%.4g", v);
}

void chart_draw(WINDOW *w, const ui_style *s, const chart_data *d)
{
    werase(w);
    ui_frame(w, s, d->log_scale ? "Loss (log scale)" : "Loss");
    const int H = getmaxy(w), W = getmaxx(w);
    const int ph = H - 4, pw = W - 3 - LABEL_W; /* plot rows 2..H-3; labels, axis, plot */
    const int logs = d->log_scale;
    if (ph < 2 || pw < 4) return;

    /* Legend. */
    int x = 2;
    x += ui_put(w, 1, x, W - 1 - x, ui_attr(s, ROLE_TRAIN), s->utf8 ? "\xe2\xa3\x80\xe2\xa0\xa4" : "..");
    x += ui_put(w, 1, x, W - 1 - x, A_NORMAL, " train (smoothed)  ");
    x += ui_put(w, 1, x, W - 1 - x, ui_attr(s, ROLE_VAL), ui_glyph(s, "val"));
    x += ui_put(w, 1, x, W - 1 - x, A_NORMAL, " val  ");

    if (d->n_loss == 0) {
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM), "waiting for the first batch...");
        return;
    }

    /* Smoothed training loss: an exponential moving average over the points. */
    float *sm = malloc(sizeof(float) * (size_t)d->n_loss);
    dots g = {calloc((size_t)ph * (size_t)pw, 1), ph, pw};
    if (!sm || !g.m) {
        free(sm);
        free(g.m);
        return;
    }
    const float a = d->n_loss > 50 ? 0.1f : 0.3f;
    for (int i = 0; i < d->n_loss; i++)
        sm[i] = i == 0 ? d->loss[0] : (1 - a) * sm[i - 1] + a * d->loss[i];

    /* Auto-scale over what is drawn. */
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < d->n_loss; i++)
        if (usable(sm[i], logs)) {
            lo = fmin(lo, fy(sm[i], logs));
            hi = fmax(hi, fy(sm[i], logs));
        }
    int best = -1;
    for (int i = 0; i < d->n_val; i++) {
        if (!usable(d->val[i], logs)) continue;
        lo = fmin(lo, fy(d->val[i], logs));
        hi = fmax(hi, fy(d->val[i], logs));
        if (best < 0 || d->val[i] < d->val[best]) best = i;
    }
    if (!(lo <= hi)) {
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM), "no finite losses to draw");
        free(sm);
        free(g.m);
        return;
    }
    double span = hi - lo;
    if (span < 1e-9) span = logs ? 1.0 : (fabs(hi) > 0 ? fabs(hi) : 1.0);
    hi += 0.04 * span;
    lo -= 0.04 * span;
    if (!logs && lo < 0 && fy(0, 0) <= lo + 0.04 * span) lo = 0;
    span = hi - lo;

    long xmax = d->batches;
    for (int i = 0; i < d->n_val; i++)
        if (d->val_x[i] > xmax) xmax = d->val_x[i];
    if (xmax < 1) xmax = 1;
    const int DW = 2 * pw, DH = 4 * ph;
#define DX(b) ((int)lround((double)(b) / (double)xmax * (DW - 1)))
#define DY(f) ((int)lround((hi - (f)) / span * (DH - 1)))

    int px = -1, py = -1;
    for (int i = 0; i < d->n_loss; i++) {
        if (!usable(sm[i], logs)) {
            px = -1;
            continue;
        }
        double bx = ((double)i + 1.0) * d->stride; /* the batch that completed point i */
        int cx = DX(bx), cy = DY(fy(sm[i], logs));
        if (px < 0)
            dot(&g, cx, cy);
        else
            line(&g, px, py, cx, cy);
        px = cx;
        py = cy;
    }

    /* Axis labels (top, middle, bottom) and the axis. */
    char lab[32];
    const int yl[3] = {2, 2 + (ph - 1) / 2, 2 + ph - 1};
    for (int k = 0; k < 3; k++) {
        /* From the bottom up, so the bottom label is lo exactly (not 1e-16). */
        double f = lo + span * (double)(ph - 1 - (yl[k] - 2)) / (ph > 1 ? ph - 1 : 1);
        fmt_val(lab, sizeof lab, unfy(f, logs));
        int lw = ui_width(lab);
        ui_put(w, yl[k], 1 + (LABEL_W - lw > 0 ? LABEL_W - lw : 0), LABEL_W, ui_attr(s, ROLE_DIM), lab);
    }
    for (int r = 0; r < ph; r++)
        ui_put(w, 2 + r, 1 + LABEL_W, 1, ui_attr(s, ROLE_DIM), s->utf8 ? "\xe2\x94\x82" : "|");

    /* The line. */
    const int x0 = 2 + LABEL_W;
    const attr_t at = ui_attr(s, ROLE_TRAIN);
    char *row = malloc((size_t)pw * 3 + 1);
    for (int r = 0; row && r < ph; r++) {
        /* One string per row, from its first dot to its last. */
        int c0 = 0, c1 = pw - 1;
        while (c0 < pw && !g.m[r * pw + c0]) c0++;
        while (c1 >= c0 && !g.m[r * pw + c1]) c1--;
        size_t len = 0;
        for (int c = c0; c <= c1; c++) {
            unsigned m = g.m[r * pw + c];
            if (!m) {
                row[len++] = ' ';
            } else if (s->utf8) {
                row[len++] = (char)0xE2;
                row[len++] = (char)(0xA0 | (m >> 6));
                row[len++] = (char)(0x80 | (m & 0x3F));
            } else {
                int top = (m & 0x1B) != 0, bot = (m & 0xE4) != 0;
                row[len++] = top && bot ? ':' : top ? '\'' : '.';
            }
        }
        row[len] = '\0';
        if (len) ui_put(w, 2 + r, x0 + c0, c1 - c0 + 1, at, row);
    }
    free(row);

    /* Validation points, the best one marked. */
    for (int i = 0; i < d->n_val; i++) {
        if (!usable(d->val[i], logs)) continue;
        int c = DX(d->val_x[i]) / 2, r = DY(fy(d->val[i], logs)) / 4;
        int isb = i == best;
        ui_put(w, 2 + r, x0 + c, 1, ui_attr(s, isb ? ROLE_BEST : ROLE_VAL),
               ui_glyph(s, isb ? "best" : "val"));
    }
#undef DX
#undef DY

    /* Legend, continued: the best validation loss. */
    if (best >= 0) {
        x += ui_put(w, 1, x, W - 1 - x, ui_attr(s, ROLE_BEST), ui_glyph(s, "best"));
        fmt_val(lab, sizeof lab, d->val[best]);
        char t[64];
        snprintf(t, sizeof t, " best %s", lab);
        ui_put(w, 1, x, W - 1 - x, A_NORMAL, t);
    }
    /* The x axis: batches. */
    snprintf(lab, sizeof lab, "%ld batches", xmax);
    ui_put(w, H - 2, x0, pw, ui_attr(s, ROLE_DIM), "0");
    int lw = ui_width(lab);
    if (lw + 2 < pw) ui_put(w, H - 2, x0 + pw - lw, lw, ui_attr(s, ROLE_DIM), lab);
    free(sm);
    free(g.m);
}
