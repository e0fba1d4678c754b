/* chartraster.c — the loss chart as cells, without curses; see chartraster.h. */
#include "chartraster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chart_raster {
    chart_cell *cells; /* (rows, cols) of the last draw */
    size_t cap;        /* cells allocated */
    chart_view v;
};

/* Glyphs, as UTF-8 and as their ASCII fallbacks. */
static const char TRAIN_SAMPLE[] = "\xe2\xa3\x80\xe2\xa0\xa4"; /* ⣀⠤ */
static const char VAL_GLYPH[] = "\xe2\x97\x8f";                 /* ● */
static const char BEST_GLYPH[] = "\xe2\x97\x86";                /* ◆ */
static const char AXIS_GLYPH[] = "\xe2\x94\x82";                /* │ */

enum { BRAILLE = 0x2800 };
/* Bit of braille dot (column dx in 0..1, row dy in 0..3) in U+2800 + bits. */
static const unsigned char BRAILLE_BIT[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20},
                                                {0x40, 0x80}};

chart_raster *chart_raster_create(void)
{
    return calloc(1, sizeof(chart_raster));
}

void chart_raster_free(chart_raster *cr)
{
    if (!cr) return;
    free(cr->cells);
    free(cr);
}

chart_cell chart_view_at(const chart_view *v, int y, int x)
{
    chart_cell blank = {' ', CHART_NONE};
    if (!v || y < 0 || x < 0 || y >= v->rows || x >= v->cols) return blank;
    return v->cells[(size_t)y * (size_t)v->cols + (size_t)x];
}

/* ------------------------------------------------------------------ cells */

static chart_cell *cell(chart_raster *cr, int y, int x)
{
    return &cr->cells[(size_t)y * (size_t)cr->v.cols + (size_t)x];
}

/* Decodes one UTF-8 character of our own strings; *len gets its bytes. */
static uint32_t decode(const char *s, int *len)
{
    const unsigned char *u = (const unsigned char *)s;
    int n = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    uint32_t c = n == 1 ? u[0] : n == 4 ? u[0] & 0x07u : n == 3 ? u[0] & 0x0Fu : u[0] & 0x1Fu;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *len = 1;
            return '?';
        }
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    *len = n;
    return n == 1 && c >= 0x80 ? '?' : c;
}

/* Writes s at (y, x), one cell per character, at most maxw cells and within
 * the pane, as ui_put does in a window. Returns the cells written. */
static int put_text(chart_raster *cr, int y, int x, int maxw, chart_class cls, const char *s)
{
    const chart_view *v = &cr->v;
    if (y < 0 || y >= v->rows || x < 0 || x >= v->cols) return 0;
    if (maxw > v->cols - x) maxw = v->cols - x;
    int n = 0;
    for (int len; n < maxw && *s; s += len, n++) {
        chart_cell *c = cell(cr, y, x + n);
        c->ch = decode(s, &len);
        c->cls = (unsigned char)cls;
    }
    return n;
}

static const char *glyph(int utf8, const char *utf, const char *ascii)
{
    return utf8 ? utf : ascii;
}

/* A loss for a label: 4 significant digits, e-notation when very small or large. */
static void fmt_val(char *buf, size_t n, double v)
{
    if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e4))
        snprintf(buf, n, "%.2e", v);
    else
        snprintf(buf, n, "%.4g", v);
}

/* ------------------------------------------------------------------ scale */

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

/* The training loss smoothed by an exponential moving average: call with
 * i = 0, 1, ... in order, passing the previous result as sm. */
static float smooth_next(const chart_data *d, int i, float sm)
{
    const float a = d->n_loss > 50 ? 0.1f : 0.3f;
    return i == 0 ? d->loss[0] : (1 - a) * sm + a * d->loss[i];
}

/* How data map to dots: y from hi (top) to lo (bottom), x from 0 to xmax. */
typedef struct {
    int logs;
    double lo, hi, span;
    long xmax;
    int dw, dh; /* dots across and down the plot */
} chart_scale;

static int dot_x(const chart_scale *k, double b)
{
    return (int)lround(b / (double)k->xmax * (k->dw - 1));
}

static int dot_y(const chart_scale *k, double f)
{
    return (int)lround((k->hi - f) / k->span * (k->dh - 1));
}

/* The y range over what is drawn (the smoothed line and the validation
 * points) with 4% to spare, and the x range; *best gets the best validation
 * point. 0 when nothing is finite. */
static int find_scale(const chart_data *d, int pw, int ph, chart_scale *k, int *best)
{
    const int logs = d->log_scale;
    double lo = INFINITY, hi = -INFINITY;
    float sm = 0;
    for (int i = 0; i < d->n_loss; i++) {
        sm = smooth_next(d, i, sm);
        if (usable(sm, logs)) {
            lo = fmin(lo, fy(sm, logs));
            hi = fmax(hi, fy(sm, logs));
        }
    }
    *best = -1;
    for (int i = 0; i < d->n_val; i++) {
        if (!usable(d->val[i], logs)) continue;
        lo = fmin(lo, fy(d->val[i], logs));
        hi = fmax(hi, fy(d->val[i], logs));
        if (*best < 0 || d->val[i] < d->val[*best]) *best = i;
    }
    if (!(lo <= hi)) return 0;
    double span = hi - lo;
    if (span < 1e-9) span = logs ? 1.0 : (fabs(hi) > 0 ? fabs(hi) : 1.0);
    hi += 0.04 * span;
    lo -= 0.04 * span;
    if (!logs && lo < 0 && fy(0, 0) <= lo + 0.04 * span) lo = 0;

    long xmax = d->batches;
    for (int i = 0; i < d->n_val; i++)
        if (d->val_x[i] > xmax) xmax = d->val_x[i];
    *k = (chart_scale){logs, lo, hi, hi - lo, xmax < 1 ? 1 : xmax, 2 * pw, 4 * ph};
    return 1;
}

/* ------------------------------------------------------------------- plot */

/* One braille dot at (x, y) of the plot, in dots; outside it, nothing. */
static void dot(chart_raster *cr, const chart_scale *k, int x, int y)
{
    if (x < 0 || y < 0 || x >= k->dw || y >= k->dh) return;
    chart_cell *c = cell(cr, cr->v.plot_y + y / 4, cr->v.plot_x + x / 2);
    if (c->cls != CHART_TRAIN) *c = (chart_cell){BRAILLE, CHART_TRAIN};
    c->ch |= BRAILLE_BIT[y % 4][x % 2];
}

/* Bresenham's line from (x0, y0) to (x1, y1), in dots. */
static void line(chart_raster *cr, const chart_scale *k, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        dot(cr, k, x0, y0);
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

/* The smoothed training loss, joined point to point, broken where a value
 * cannot be drawn. Without UTF-8 each cell becomes ' . or : after its dots
 * in the top half, the bottom half, or both. */
static void plot_train(chart_raster *cr, const chart_data *d, const chart_scale *k, int utf8)
{
    int px = -1, py = -1;
    float sm = 0;
    for (int i = 0; i < d->n_loss; i++) {
        sm = smooth_next(d, i, sm);
        if (!usable(sm, k->logs)) {
            px = -1;
            continue;
        }
        double bx = ((double)i + 1.0) * d->stride; /* the batch that completed point i */
        int cx = dot_x(k, bx), cy = dot_y(k, fy(sm, k->logs));
        if (px < 0)
            dot(cr, k, cx, cy);
        else
            line(cr, k, px, py, cx, cy);
        px = cx;
        py = cy;
    }
    if (utf8) return;
    const chart_view *v = &cr->v;
    for (int r = v->plot_y; r < v->plot_y + v->plot_h; r++)
        for (int c = v->plot_x; c < v->plot_x + v->plot_w; c++) {
            chart_cell *p = cell(cr, r, c);
            if (p->cls != CHART_TRAIN) continue;
            unsigned m = p->ch - BRAILLE;
            int top = (m & 0x1B) != 0, bot = (m & 0xE4) != 0;
            p->ch = top && bot ? ':' : top ? '\'' : '.';
        }
}

/* The validation points over the line, the best one marked. */
static void plot_val(chart_raster *cr, const chart_data *d, const chart_scale *k, int best,
                     int utf8)
{
    const chart_view *v = &cr->v;
    for (int i = 0; i < d->n_val; i++) {
        if (!usable(d->val[i], k->logs)) continue;
        int c = dot_x(k, (double)d->val_x[i]) / 2, r = dot_y(k, fy(d->val[i], k->logs)) / 4;
        if (c < 0 || r < 0 || c >= v->plot_w || r >= v->plot_h) continue;
        int isb = i == best;
        put_text(cr, v->plot_y + r, v->plot_x + c, 1, isb ? CHART_BEST : CHART_VAL,
                 isb ? glyph(utf8, BEST_GLYPH, "*") : glyph(utf8, VAL_GLYPH, "o"));
    }
}

/* Three y labels (top, middle, bottom) right-aligned left of the axis, the
 * axis, and the x labels under the plot. */
static void draw_axes(chart_raster *cr, const chart_scale *k, int utf8)
{
    chart_view *v = &cr->v;
    const int ph = v->plot_h, pw = v->plot_w;
    const int yl[3] = {v->plot_y, v->plot_y + (ph - 1) / 2, v->plot_y + ph - 1};
    for (int i = 0; i < 3; i++) {
        /* From the bottom up, so the bottom label is lo exactly (not 1e-16). */
        double f = k->lo + k->span * (double)(ph - 1 - (yl[i] - v->plot_y)) / (ph > 1 ? ph - 1 : 1);
        fmt_val(v->ylabel[i], sizeof v->ylabel[i], unfy(f, k->logs));
        int lw = (int)strlen(v->ylabel[i]);
        v->ylabel_row[i] = yl[i];
        put_text(cr, yl[i], 1 + (CHART_LABEL_W - lw > 0 ? CHART_LABEL_W - lw : 0), CHART_LABEL_W,
                 CHART_LABEL, v->ylabel[i]);
    }
    for (int r = 0; r < ph; r++)
        put_text(cr, v->plot_y + r, 1 + CHART_LABEL_W, 1, CHART_AXIS, glyph(utf8, AXIS_GLYPH, "|"));

    const int y = v->plot_y + ph; /* the row under the plot */
    snprintf(v->xlabel, sizeof v->xlabel, "%ld batches", k->xmax);
    put_text(cr, y, v->plot_x, pw, CHART_LABEL, "0");
    int lw = (int)strlen(v->xlabel);
    if (lw + 2 < pw) put_text(cr, y, v->plot_x + pw - lw, lw, CHART_LABEL, v->xlabel);
}

/* The legend on the first row inside the frame: the line's and the points'
 * samples and names. Returns the column after it. */
static int draw_legend(chart_raster *cr, int utf8)
{
    const int W = cr->v.cols;
    int x = 2;
    x += put_text(cr, 1, x, W - 1 - x, CHART_TRAIN, glyph(utf8, TRAIN_SAMPLE, ".."));
    x += put_text(cr, 1, x, W - 1 - x, CHART_TEXT, " train (smoothed)  ");
    x += put_text(cr, 1, x, W - 1 - x, CHART_VAL, glyph(utf8, VAL_GLYPH, "o"));
    x += put_text(cr, 1, x, W - 1 - x, CHART_TEXT, " val  ");
    return x;
}

/* The legend, continued from column x: the best validation loss. */
static void draw_best(chart_raster *cr, const chart_data *d, int best, int x, int utf8)
{
    const int W = cr->v.cols;
    char lab[32], t[64];
    x += put_text(cr, 1, x, W - 1 - x, CHART_BEST, glyph(utf8, BEST_GLYPH, "*"));
    fmt_val(lab, sizeof lab, d->val[best]);
    snprintf(t, sizeof t, " best %s", lab);
    put_text(cr, 1, x, W - 1 - x, CHART_TEXT, t);
}

static void show_message(chart_raster *cr, const char *msg)
{
    cr->v.message = msg;
    put_text(cr, cr->v.rows / 2, 2, cr->v.cols - 3, CHART_LABEL, msg);
}

/* Blank cells for a rows x cols pane, the buffer grown if it must be. */
static int reset(chart_raster *cr, int rows, int cols)
{
    if (rows < 0) rows = 0;
    if (cols < 0) cols = 0;
    const size_t n = (size_t)rows * (size_t)cols;
    if (n > cr->cap) {
        chart_cell *c = realloc(cr->cells, n * sizeof *c);
        if (!c) return -1;
        cr->cells = c;
        cr->cap = n;
    }
    for (size_t i = 0; i < n; i++) cr->cells[i] = (chart_cell){' ', CHART_NONE};
    memset(&cr->v, 0, sizeof cr->v);
    cr->v.rows = rows;
    cr->v.cols = cols;
    cr->v.cells = cr->cells;
    cr->v.best = -1;
    return 0;
}

const chart_view *chart_raster_draw(chart_raster *cr, const chart_data *d, int rows, int cols,
                                    int utf8)
{
    if (reset(cr, rows, cols)) return NULL;
    chart_view *v = &cr->v;
    v->log_scale = d->log_scale;
    /* Plot rows 2..rows-3; columns: labels, the axis, the plot up to the frame. */
    const int ph = rows - 4, pw = cols - 3 - CHART_LABEL_W;
    if (ph < 2 || pw < 4) return v;
    v->plot_y = 2;
    v->plot_x = 2 + CHART_LABEL_W;
    v->plot_h = ph;
    v->plot_w = pw;

    const int x = draw_legend(cr, utf8);
    if (d->n_loss == 0) {
        show_message(cr, "waiting for the first batch...");
        return v;
    }
    chart_scale k;
    if (!find_scale(d, pw, ph, &k, &v->best)) {
        show_message(cr, "no finite losses to draw");
        return v;
    }
    v->plotted = 1;
    v->lo = k.lo;
    v->hi = k.hi;
    v->xmax = k.xmax;
    plot_train(cr, d, &k, utf8);
    draw_axes(cr, &k, utf8);
    plot_val(cr, d, &k, v->best, utf8);
    if (v->best >= 0) draw_best(cr, d, v->best, x, utf8);
    return v;
}
