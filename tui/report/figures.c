/* figures.c — the figures of figures.h: drawn into a raster (raster.c) with the
 * bitmap fonts and the YlOrRd table of assets/, written with libpng through
 * PATH.tmp and a rename, so a reader never sees half an image. */
#include "figures.h"

#include <png.h> /* libpng */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assets/colormap.h"
#include "atomic.h"
#include "data.h"
#include "raster.h"

/* ------------------------------------------------------------ the style */

static const s2s_rgb WHITE = {255, 255, 255};
static const s2s_rgb INK = {38, 38, 38};       /* text */
static const s2s_rgb AXIS = {90, 90, 90};      /* frames, ticks */
static const s2s_rgb GRID = {225, 225, 225};   /* major grid lines */
static const s2s_rgb GRID2 = {242, 242, 242};  /* minor grid lines */
static const s2s_rgb NAN_CELL = {200, 200, 200};
/* matplotlib's tab10: the colours a reader of such plots expects. */
static const s2s_rgb PALETTE[] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
};
#define NPALETTE ((int)(sizeof PALETTE / sizeof PALETTE[0]))

enum {
    MARGIN = 20, /* around the figure */
    TICK = 5,    /* tick mark length */
    PAD = 6,     /* tick mark to its label */
    GAP = 12,    /* labels to axis titles */
};

/* Text metrics are the raster's; these just shorten the layout code. */
static int tw(const char *s) { return raster_text_width(RASTER_FONT_REGULAR, s); }
static int tbw(const char *s) { return raster_text_width(RASTER_FONT_BOLD, s); }
#define FH raster_text_height(RASTER_FONT_REGULAR)
#define BH raster_text_height(RASTER_FONT_BOLD)

static void text(s2s_raster *r, int x, int y, const char *s, s2s_rgb c)
{
    raster_text(r, x, y, s, RASTER_FONT_REGULAR, c, 0);
}

/* Copies s into buf, cut to at most max_chars characters (a UTF-8 sequence
 * counts as one) with ".." marking the cut. */
static void fit_text(char *buf, size_t n, const char *s, int max_chars)
{
    int chars = 0;
    size_t cut = 0, len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i++];
        if (c >= 0xc0)
            while (i < len && (unsigned char)s[i] >= 0x80 && (unsigned char)s[i] < 0xc0) i++;
        chars++;
        if (chars == max_chars - 2) cut = i;
    }
    if (chars <= max_chars || max_chars < 3) {
        snprintf(buf, n, "%s", s);
        return;
    }
    snprintf(buf, n, "%.*s..", (int)cut, s);
}

static s2s_rgb colormap(float v)
{
    if (!(v >= 0.0f)) v = 0.0f;
    if (v > 1.0f) v = 1.0f;
    int i = (int)lrintf(v * 255.0f);
    return (s2s_rgb){COLORMAP_YLORRD[i][0], COLORMAP_YLORRD[i][1], COLORMAP_YLORRD[i][2]};
}

/* ------------------------------------------------------------ PNG output */

typedef struct {
    char msg[256];
} png_errctx;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_errctx *ctx = png_get_error_ptr(png);
    snprintf(ctx->msg, sizeof ctx->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings do not stop a figure */
}

/* Writes r to path through path.tmp and a rename. title goes into a tEXt
 * chunk. Every failure is S2S_ERR_IO naming path, and leaves no .tmp. */
static int write_png(const s2s_raster *r, const char *path, const char *title, s2s_error *err)
{
    s2s_atomic out;
    int rc = atomic_open(&out, path, "wb", err);
    if (rc) return rc;
    png_errctx ctx = {{0}};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_png_error,
                                              on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        atomic_abort(&out);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory writing %s", path);
    }
    /* png, info and out are not modified after setjmp, so they are valid
     * after a longjmp back here. */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        atomic_abort(&out);
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s: libpng: %s", path, ctx.msg);
    }
    png_init_io(png, out.f);
    png_set_IHDR(png, info, (png_uint_32)r->w, (png_uint_32)r->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text txt[2];
    memset(txt, 0, sizeof txt);
    txt[0].compression = PNG_TEXT_COMPRESSION_NONE;
    txt[0].key = (png_charp) "Software";
    txt[0].text = (png_charp) "seq2seq";
    txt[1].compression = PNG_TEXT_COMPRESSION_NONE;
    txt[1].key = (png_charp) "Title";
    txt[1].text = (png_charp)(title ? title : "");
    png_set_text(png, info, txt, title ? 2 : 1);
    png_write_info(png, info);
    for (int y = 0; y < r->h; y++) png_write_row(png, r->px + (size_t)y * (size_t)r->w * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return atomic_commit(&out, 0, err);
}

/* --------------------------------------------------------------- heatmap */

enum { LABEL_CHARS = 16, TITLE_MAX_W = 1100 };

static int heatmap_check(const s2s_heatmap *h, s2s_error *err)
{
    if (!h) return s2s_fail(err, S2S_ERR_ARG, "no attention matrix to draw");
    if (h->n_src < 1 || h->n_out < 1)
        return s2s_fail(err, S2S_ERR_ARG, "empty attention matrix (%d x %d)", h->n_out, h->n_src);
    if (h->n_src > 1000 || h->n_out > 1000)
        return s2s_fail(err, S2S_ERR_ARG, "attention matrix too large to draw (%d x %d)",
                        h->n_out, h->n_src);
    if (!h->src || !h->out || !h->weights)
        return s2s_fail(err, S2S_ERR_ARG, "attention matrix without labels or weights");
    for (int i = 0; i < h->n_src; i++)
        if (!h->src[i]) return s2s_fail(err, S2S_ERR_ARG, "encoder token %d has no label", i);
    for (int i = 0; i < h->n_out; i++)
        if (!h->out[i]) return s2s_fail(err, S2S_ERR_ARG, "decoder step %d has no label", i);
    return 0;
}

static const char *heatmap_title(const s2s_heatmap *h)
{
    return h->title && *h->title ? h->title : "Attention Weights Visualization";
}

static const char X_TITLE[] = "Encoder Tokens (Input)";
static const char Y_TITLE[] = "Decoder Steps (Output)";
static const char CB_TITLE[] = "Attention Weight";

/* Moves everything but the title dx pixels to the right. */
static void shift_right(png_heatmap_geom *g, int dx)
{
    png_rect *all[] = {&g->y_title, &g->y_labels, &g->grid, &g->x_labels, &g->x_title,
                       &g->colorbar, &g->colorbar_labels, &g->colorbar_title};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) all[i]->x += dx;
}

/* A label as drawn: a blank (a character model's space) as ' ', so the
 * cell it names does not look unlabelled. */
static const char *shown(const char *label)
{
    return strcmp(label, " ") == 0 ? "' '" : label;
}

static void heatmap_layout(const s2s_heatmap *h, png_heatmap_geom *g)
{
    char buf[128];
    memset(g, 0, sizeof *g);
    int nmax = h->n_src > h->n_out ? h->n_src : h->n_out;
    /* 52 px cells read well at 100% and fit a five-letter label (and
     * "<EOS>") across; long sentences get smaller ones so the figure stays
     * under ~1500 px, but never below a line of text. */
    int cell = 1440 / nmax;
    if (cell > 52) cell = 52;
    if (cell < FH + 4) cell = FH + 4;
    g->cell = cell;

    int xlab = 0, ylab = 0;
    for (int i = 0; i < h->n_src; i++) {
        fit_text(buf, sizeof buf, shown(h->src[i]), LABEL_CHARS);
        if (tw(buf) > xlab) xlab = tw(buf);
    }
    for (int i = 0; i < h->n_out; i++) {
        fit_text(buf, sizeof buf, shown(h->out[i]), LABEL_CHARS);
        if (tw(buf) > ylab) ylab = tw(buf);
    }
    g->x_labels_rotated = xlab > cell - 6;
    int xlab_h = g->x_labels_rotated ? xlab : FH;

    const int grid_w = h->n_src * cell, grid_h = h->n_out * cell;
    const int cb_h = grid_h > 200 ? grid_h : 200;
    const int cb_lab_w = tw("0.0");
    const int title_top = MARGIN, grid_top_min = title_top + BH + 18;
    /* The rotated y title is centred on the grid; a short grid moves down
     * so the title above it is not overlapped. */
    int grid_y = grid_top_min;
    int ytitle_len = tw(Y_TITLE);
    if (ytitle_len > grid_h && grid_y + grid_h / 2 - ytitle_len / 2 < grid_top_min)
        grid_y = grid_top_min + ytitle_len / 2 - grid_h / 2;

    g->y_title = (png_rect){MARGIN, grid_y + grid_h / 2 - ytitle_len / 2, FH, ytitle_len};
    g->y_labels = (png_rect){MARGIN + FH + GAP, grid_y, ylab, grid_h};
    g->grid = (png_rect){g->y_labels.x + ylab + PAD + TICK, grid_y, grid_w, grid_h};
    g->x_labels = (png_rect){g->grid.x, grid_y + grid_h + TICK + PAD, grid_w, xlab_h};
    g->x_title = (png_rect){g->grid.x + grid_w / 2 - tw(X_TITLE) / 2,
                            g->x_labels.y + xlab_h + GAP, tw(X_TITLE), FH};
    g->colorbar = (png_rect){g->grid.x + grid_w + 24, grid_y, 22, cb_h};
    g->colorbar_labels = (png_rect){g->colorbar.x + 22 + TICK + PAD, grid_y - FH / 2, cb_lab_w,
                                    cb_h + FH};
    g->colorbar_title = (png_rect){g->colorbar_labels.x + cb_lab_w + GAP,
                                   grid_y + cb_h / 2 - tw(CB_TITLE) / 2, FH, tw(CB_TITLE)};

    int width = g->colorbar_title.x + FH + MARGIN;
    /* The x title may stick out left of a narrow grid. */
    if (g->x_title.x < MARGIN) {
        int dx = MARGIN - g->x_title.x;
        shift_right(g, dx);
        width += dx;
    }
    int bottom = g->x_title.y + FH;
    if (g->colorbar_labels.y + g->colorbar_labels.h > bottom)
        bottom = g->colorbar_labels.y + g->colorbar_labels.h;
    if (g->colorbar_title.y + g->colorbar_title.h > bottom)
        bottom = g->colorbar_title.y + g->colorbar_title.h;
    if (g->y_title.y + g->y_title.h > bottom) bottom = g->y_title.y + g->y_title.h;
    int height = bottom + MARGIN;

    /* The title: centred over the grid, as matplotlib does, or over the
     * image when it is wider than the grid; a long title widens the image
     * up to TITLE_MAX_W, then is cut. */
    int title_w = tbw(heatmap_title(h));
    int avail = (width > TITLE_MAX_W ? width : TITLE_MAX_W) - 2 * MARGIN;
    if (title_w > avail) title_w = avail / raster_text_width(RASTER_FONT_BOLD, "M") *
                                   raster_text_width(RASTER_FONT_BOLD, "M");
    if (title_w + 2 * MARGIN > width) {
        shift_right(g, (title_w + 2 * MARGIN - width) / 2);
        width = title_w + 2 * MARGIN;
    }
    int tx = title_w <= grid_w ? g->grid.x + grid_w / 2 - title_w / 2 : width / 2 - title_w / 2;
    if (tx + title_w > width - MARGIN) tx = width - MARGIN - title_w;
    if (tx < MARGIN) tx = MARGIN;
    g->title = (png_rect){tx, title_top, title_w, BH};
    g->width = width;
    g->height = height;
}

int png_heatmap_geometry(const s2s_heatmap *h, png_heatmap_geom *g, s2s_error *err)
{
    int rc = heatmap_check(h, err);
    if (rc) return rc;
    heatmap_layout(h, g);
    return 0;
}

int png_write_heatmap(const char *path, const s2s_heatmap *h, s2s_error *err)
{
    int rc = heatmap_check(h, err);
    if (rc) return rc;
    png_heatmap_geom g;
    heatmap_layout(h, &g);
    s2s_raster r;
    if ((rc = raster_create(&r, g.width, g.height, WHITE, err)) != 0) return rc;
    char buf[256];
    const int cell = g.cell;

    /* Cells, with a one-pixel white gap between them (seaborn's
     * linewidths/linecolor look), and the weight in each cell that has one
     * worth reading, in black or white, whichever contrasts. */
    const int show_values = tw("0.00") <= cell - 4;
    for (int t = 0; t < h->n_out; t++)
        for (int s = 0; s < h->n_src; s++) {
            float v = h->weights[(size_t)t * (size_t)h->n_src + (size_t)s];
            int x = g.grid.x + s * cell, y = g.grid.y + t * cell;
            s2s_rgb c = isfinite(v) ? colormap(v) : NAN_CELL;
            raster_fill_rect(&r, x, y, cell - 1, cell - 1, c);
            if (show_values && isfinite(v) && v >= 0.1f) {
                snprintf(buf, sizeof buf, "%.2f", (double)(v > 1.0f ? 1.0f : v));
                s2s_rgb ink = rgb_luminance(c) < 0.5f ? WHITE : INK;
                text(&r, x + (cell - 1 - tw(buf)) / 2, y + (cell - 1 - FH) / 2, buf, ink);
            }
        }

    /* Row labels (output tokens), right-aligned, with tick marks. */
    for (int t = 0; t < h->n_out; t++) {
        int cy = g.grid.y + t * cell + (cell - 1) / 2;
        fit_text(buf, sizeof buf, shown(h->out[t]), LABEL_CHARS);
        text(&r, g.y_labels.x + g.y_labels.w - tw(buf), cy - FH / 2, buf, INK);
        raster_fill_rect(&r, g.grid.x - TICK - 1, cy, TICK, 1, AXIS);
    }
    /* Column labels (input tokens): horizontal when they fit the cell,
     * else turned to read upwards with their ends at the axis. */
    for (int s = 0; s < h->n_src; s++) {
        int cx = g.grid.x + s * cell + (cell - 1) / 2;
        fit_text(buf, sizeof buf, shown(h->src[s]), LABEL_CHARS);
        if (g.x_labels_rotated)
            raster_text(&r, cx - FH / 2, g.x_labels.y, buf, RASTER_FONT_REGULAR, INK, 1);
        else
            text(&r, cx - tw(buf) / 2, g.x_labels.y, buf, INK);
        raster_fill_rect(&r, cx, g.grid.y + g.grid.h, 1, TICK, AXIS);
    }
    raster_text(&r, g.x_title.x, g.x_title.y, X_TITLE, RASTER_FONT_REGULAR, INK, 0);
    raster_text(&r, g.y_title.x, g.y_title.y, Y_TITLE, RASTER_FONT_REGULAR, INK, 1);

    /* Colour bar: 1 at the top, ticks every 0.2. */
    const png_rect cb = g.colorbar;
    for (int y = 0; y < cb.h; y++)
        raster_fill_rect(&r, cb.x, cb.y + y, cb.w, 1,
                         colormap(1.0f - (float)y / (float)(cb.h - 1)));
    raster_stroke_rect(&r, cb.x - 1, cb.y - 1, cb.w + 2, cb.h + 2, AXIS);
    for (int k = 0; k <= 5; k++) {
        int y = cb.y + (int)lrint((double)(cb.h - 1) * (1.0 - k / 5.0));
        raster_fill_rect(&r, cb.x + cb.w + 1, y, TICK, 1, AXIS);
        snprintf(buf, sizeof buf, "%.1f", k / 5.0);
        text(&r, g.colorbar_labels.x, y - FH / 2, buf, INK);
    }
    raster_text(&r, g.colorbar_title.x, g.colorbar_title.y, CB_TITLE, RASTER_FONT_REGULAR, INK,
                1);

    /* The title, cut to its box. */
    int max_chars = g.title.w / raster_text_width(RASTER_FONT_BOLD, "M");
    fit_text(buf, sizeof buf, heatmap_title(h), max_chars);
    raster_text(&r, g.title.x + (g.title.w - tbw(buf)) / 2, g.title.y, buf, RASTER_FONT_BOLD,
                INK, 0);

    rc = write_png(&r, path, heatmap_title(h), err);
    raster_free(&r);
    return rc;
}

/* ------------------------------------------------------------ line plots */

/* A plot area and the data range it shows. Values map into the area less
 * `pad` pixels on each side, so points at the ends are not cut in half. */
typedef struct {
    int x, y, w, h, pad;
    double x0, x1, y0, y1; /* y0, y1 as log10 when logy */
    int logy;
} axes;

static float ax_x(const axes *a, double v)
{
    double t = a->x1 > a->x0 ? (v - a->x0) / (a->x1 - a->x0) : 0.5;
    return (float)(a->x + a->pad + t * (a->w - 2 * a->pad));
}

static float ax_y(const axes *a, double v)
{
    if (a->logy) v = log10(v);
    double t = a->y1 > a->y0 ? (v - a->y0) / (a->y1 - a->y0) : 0.5;
    return (float)(a->y + a->h - a->pad - t * (a->h - 2 * a->pad));
}

/* A nice step (1, 2, 2.5 or 5 times a power of ten, at least 1) that gives
 * at most max_ticks ticks over span. */
static double nice_step(double span, int max_ticks)
{
    double steps[] = {1, 2, 5, 10, 20, 25, 50};
    for (double base = 1;; base *= 100)
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            if (span / (steps[i] * base) <= max_ticks) return steps[i] * base;
}

typedef enum { MK_NONE, MK_CIRCLE, MK_SQUARE, MK_TRIANGLE, MK_DIAMOND, MK_TRIANGLE_DOWN } marker;

static void draw_marker(s2s_raster *r, marker m, float x, float y, float size, s2s_rgb c)
{
    float xs[4], ys[4];
    switch (m) {
    case MK_NONE: return;
    case MK_CIRCLE: raster_fill_disc(r, x, y, size, c); return;
    case MK_SQUARE:
        size *= 0.9f;
        xs[0] = x - size, ys[0] = y - size, xs[1] = x + size, ys[1] = y - size;
        xs[2] = x + size, ys[2] = y + size, xs[3] = x - size, ys[3] = y + size;
        raster_fill_polygon(r, xs, ys, 4, c);
        return;
    case MK_DIAMOND:
        size *= 1.25f;
        xs[0] = x, ys[0] = y - size, xs[1] = x + size, ys[1] = y;
        xs[2] = x, ys[2] = y + size, xs[3] = x - size, ys[3] = y;
        raster_fill_polygon(r, xs, ys, 4, c);
        return;
    case MK_TRIANGLE:
    case MK_TRIANGLE_DOWN: {
        float s = m == MK_TRIANGLE ? 1.0f : -1.0f;
        size *= 1.3f;
        xs[0] = x, ys[0] = y - s * size;
        xs[1] = x + size * 0.866f, ys[1] = y + s * size * 0.5f;
        xs[2] = x - size * 0.866f, ys[2] = y + s * size * 0.5f;
        raster_fill_polygon(r, xs, ys, 3, c);
        return;
    }
    }
}

/* One line of a plot: its points in pixels (NaN = a gap), its look. */
typedef struct {
    const float *px, *py;
    int n;
    s2s_rgb colour;
    marker mk;
    float width, mk_size;
    const char *label;
} series;

/* Draws the line through the finite points, broken at gaps, and markers. */
static void draw_series(s2s_raster *r, const series *s)
{
    for (int i = 0; i < s->n;) {
        while (i < s->n && !(isfinite(s->px[i]) && isfinite(s->py[i]))) i++;
        int j = i;
        while (j < s->n && isfinite(s->px[j]) && isfinite(s->py[j])) j++;
        if (j - i >= 2) raster_polyline(r, s->px + i, s->py + i, j - i, s->width, s->colour);
        i = j;
    }
    for (int i = 0; i < s->n; i++)
        if (isfinite(s->px[i]) && isfinite(s->py[i]))
            draw_marker(r, s->mk, s->px[i], s->py[i], s->mk_size, s->colour);
}

/* How much of the data a rectangle would hide: points along every line,
 * sampled every few pixels, that fall inside it (plus obstacles). */
static int covered(const series *ss, int ns, const png_rect *box, const png_rect *avoid,
                   int navoid)
{
    int hits = 0;
    const float m = 4.0f;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < ss[k].n; i++) {
            float x0 = ss[k].px[i], y0 = ss[k].py[i];
            if (!isfinite(x0) || !isfinite(y0)) continue;
            float x1 = x0, y1 = y0;
            if (i + 1 < ss[k].n && isfinite(ss[k].px[i + 1]) && isfinite(ss[k].py[i + 1]))
                x1 = ss[k].px[i + 1], y1 = ss[k].py[i + 1];
            int steps = 1 + (int)(hypotf(x1 - x0, y1 - y0) / 3.0f);
            for (int j = 0; j < steps; j++) {
                float x = x0 + (x1 - x0) * (float)j / (float)steps;
                float y = y0 + (y1 - y0) * (float)j / (float)steps;
                if (x >= box->x - m && x <= box->x + box->w + m && y >= box->y - m &&
                    y <= box->y + box->h + m)
                    hits++;
            }
        }
    for (int i = 0; i < navoid; i++) {
        const png_rect *a = &avoid[i];
        if (a->x < box->x + box->w && box->x < a->x + a->w && a->y < box->y + box->h &&
            box->y < a->y + a->h)
            hits += 1000;
    }
    return hits;
}

/* The legend, in whichever inside corner of the plot hides least data
 * (matplotlib's loc="best"). */
static void draw_legend(s2s_raster *r, const axes *a, const series *ss, int ns,
                        const png_rect *avoid, int navoid)
{
    const int row = FH + 6, sample = 30;
    int lw = 0;
    for (int k = 0; k < ns; k++)
        if (tw(ss[k].label) > lw) lw = tw(ss[k].label);
    png_rect box = {0, 0, 10 + sample + 8 + lw + 12, 8 + ns * row + 2};
    const int inset = 10;
    png_rect cand[4] = {
        {a->x + a->w - box.w - inset, a->y + inset, box.w, box.h},         /* upper right */
        {a->x + inset, a->y + inset, box.w, box.h},                        /* upper left */
        {a->x + a->w - box.w - inset, a->y + a->h - box.h - inset, box.w, box.h},
        {a->x + inset, a->y + a->h - box.h - inset, box.w, box.h},
    };
    int best = 0, best_hits = -1;
    for (int i = 0; i < 4; i++) {
        int hits = covered(ss, ns, &cand[i], avoid, navoid);
        if (best_hits < 0 || hits < best_hits) best = i, best_hits = hits;
    }
    box = cand[best];
    /* A slightly translucent white box, as matplotlib's framealpha=0.8. */
    for (int y = box.y; y < box.y + box.h; y++)
        for (int x = box.x; x < box.x + box.w; x++) raster_blend(r, x, y, WHITE, 0.85f);
    raster_stroke_rect(r, box.x, box.y, box.w, box.h, (s2s_rgb){204, 204, 204});
    for (int k = 0; k < ns; k++) {
        float cy = (float)(box.y + 8 + k * row) + (float)FH / 2.0f;
        float x0 = (float)box.x + 10, x1 = x0 + sample;
        raster_line(r, x0, cy, x1, cy, ss[k].width, ss[k].colour);
        draw_marker(r, ss[k].mk, (x0 + x1) / 2, cy, ss[k].mk_size, ss[k].colour);
        text(r, (int)x1 + 8, (int)(cy - (float)FH / 2.0f), ss[k].label, INK);
    }
}

/* The frame, title and axis titles common to both line plots. */
static void draw_frame_titles(s2s_raster *r, const axes *a, const char *title, const char *xt,
                              const char *yt)
{
    raster_stroke_rect(r, a->x - 1, a->y - 1, a->w + 2, a->h + 2, AXIS);
    char buf[256];
    fit_text(buf, sizeof buf, title, (r->w - 2 * MARGIN) / raster_text_width(RASTER_FONT_BOLD, "M"));
    int tx = a->x + a->w / 2 - tbw(buf) / 2;
    if (tx + tbw(buf) > r->w - MARGIN) tx = r->w - MARGIN - tbw(buf);
    if (tx < MARGIN) tx = MARGIN;
    raster_text(r, tx, MARGIN, buf, RASTER_FONT_BOLD, INK, 0);
    text(r, a->x + a->w / 2 - tw(xt) / 2, r->h - MARGIN - FH, xt, INK);
    raster_text(r, MARGIN, a->y + a->h / 2 - tw(yt) / 2, yt, RASTER_FONT_REGULAR, INK, 1);
}

/* A y tick: a grid line across the plot, a tick mark `len` long, the
 * label (NULL: none). */
static void y_tick(s2s_raster *r, const axes *a, float y, const char *label, s2s_rgb grid,
                   int len)
{
    int iy = (int)lrintf(y - 0.5f);
    if (iy < a->y || iy >= a->y + a->h) return;
    raster_fill_rect(r, a->x, iy, a->w, 1, grid);
    raster_fill_rect(r, a->x - 1 - len, iy, len, 1, AXIS);
    if (label) text(r, a->x - 1 - TICK - PAD - tw(label), iy - FH / 2, label, INK);
}

static void x_tick(s2s_raster *r, const axes *a, float x, const char *label, s2s_rgb grid)
{
    int ix = (int)lrintf(x - 0.5f);
    if (ix < a->x || ix >= a->x + a->w) return;
    raster_fill_rect(r, ix, a->y, 1, a->h, grid);
    raster_fill_rect(r, ix, a->y + a->h + 1, 1, TICK, AXIS);
    if (label) text(r, ix - tw(label) / 2, a->y + a->h + 1 + TICK + PAD, label, INK);
}

/* The plot area of a w x h figure whose y tick labels are ylab_w wide. */
static axes plot_area(int w, int h, int ylab_w)
{
    axes a;
    memset(&a, 0, sizeof a);
    a.x = MARGIN + FH + GAP + ylab_w + PAD + TICK + 1;
    a.y = MARGIN + BH + 16;
    a.w = w - MARGIN - 10 - a.x;
    a.h = h - MARGIN - FH - GAP - FH - PAD - TICK - 1 - a.y;
    return a;
}

/* ------------------------------------------------------------ loss curve */

/* A loss for a label: as the training log prints it, or in e-notation when
 * that would show only zeros. */
static void loss_text(char *buf, size_t n, double v)
{
    if (v >= 0.001)
        snprintf(buf, n, "%.4f", v);
    else
        snprintf(buf, n, "%.2e", v);
}

static void decade_text(char *buf, size_t n, int e, int mant)
{
    if (e >= -4 && e <= 4)
        snprintf(buf, n, "%.*f", e < 0 ? -e : 0, mant * pow(10.0, e));
    else
        snprintf(buf, n, "%de%d", mant, e);
}

/* The log-scale y axis of the loss curve: the range in decades and which of
 * the ticks at m x 10^e (m = 1..9) carry labels. */
typedef struct {
    double l0, l1; /* log10 of the bottom and the top */
    int d0, d1;    /* the decades they lie in: floor(l0), ceil(l1) */
    int level;     /* labelled: 0 the decades, 1 also 2 and 5, 2 every tick */
    int every;     /* with level 0: every k-th decade */
} loss_scale;

/* Whether the tick m x 10^e carries a label; k = e - d0. */
static int loss_tick_labelled(int level, int every, int k, int m)
{
    if (m == 1) return k % every == 0;
    return level == 2 || (level == 1 && (m == 2 || m == 5));
}

/* The range of the finite positive losses in *lo, *hi, the best validation
 * point in *best (-1: none); 0 when there is no such loss. */
static int loss_range(const float *tr, const float *va, int n, double *lo, double *hi, int *best)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    *best = -1;
    for (int i = 0; i < n; i++) {
        const float v2[2] = {tr ? tr[i] : NAN, va ? va[i] : NAN};
        for (int k = 0; k < 2; k++)
            if (isfinite(v2[k]) && v2[k] > 0) {
                *lo = fmin(*lo, v2[k]);
                *hi = fmax(*hi, v2[k]);
            }
        if (va && isfinite(va[i]) && va[i] > 0 && (*best < 0 || va[i] < va[*best])) *best = i;
    }
    return *lo <= *hi;
}

/* The data's range in decades with matplotlib's 5% margin (at least a tenth
 * of a decade each side, so a flat curve still has a scale), and which ticks
 * get labels: the decades when two or more are in range, else 1-2-5, else all
 * of them, so there are always a few. */
static loss_scale loss_scale_of(double lo, double hi)
{
    loss_scale t;
    double l0 = log10(lo), l1 = log10(hi);
    if (l1 - l0 > 30) l0 = l1 - 30; /* the rest falls below the plot */
    const double margin = fmax(0.05 * (l1 - l0), 0.1);
    t.l0 = l0 - margin;
    t.l1 = l1 + margin;
    t.d0 = (int)floor(t.l0);
    t.d1 = (int)ceil(t.l1);
    int ndec = 0, n125 = 0;
    for (int e = t.d0; e <= t.d1; e++)
        for (int m = 1; m <= 9; m++) {
            double v = log10(m) + e;
            if (v < t.l0 || v > t.l1) continue;
            ndec += m == 1;
            n125 += m == 1 || m == 2 || m == 5;
        }
    t.level = ndec >= 2 ? 0 : n125 >= 2 ? 1 : 2;
    t.every = t.level == 0 ? (ndec + 7) / 8 : 1; /* every k-th decade when many */
    return t;
}

/* The widest y tick label, in pixels. */
static int loss_label_width(const loss_scale *t)
{
    char buf[64];
    int w = 0;
    for (int e = t->d0; e <= t->d1; e++)
        for (int m = 1; m <= 9; m++)
            if (loss_tick_labelled(t->level, t->every, e - t->d0, m)) {
                decade_text(buf, sizeof buf, e, m);
                if (tw(buf) > w) w = tw(buf);
            }
    return w;
}

/* The plot area of the loss curve: log y over t, the epochs ep[0..n-1] on x
 * with a margin of their own (matplotlib's 5%). */
static axes loss_axes(const s2s_raster *r, const loss_scale *t, const float *ep, int n)
{
    axes a = plot_area(r->w, r->h, loss_label_width(t));
    a.pad = 0;
    a.logy = 1;
    a.y0 = t->l0;
    a.y1 = t->l1;
    double e0 = ep[0], e1 = ep[n - 1];
    if (e1 <= e0) e0 -= 1, e1 += 1;
    a.x0 = e0;
    a.x1 = e1;
    double span = e1 - e0;
    a.x0 -= span * 0.04;
    a.x1 += span * 0.04;
    return a;
}

/* Grid and ticks: unlabelled ones first so labelled lines draw over; then
 * the epochs at a nice step. */
static void draw_loss_grid(s2s_raster *r, const axes *a, const loss_scale *t, const float *ep,
                           int n)
{
    char buf[64];
    for (int pass = 0; pass < 2; pass++)
        for (int e = t->d0; e <= t->d1; e++)
            for (int m = 1; m <= 9; m++) {
                double v = log10(m) + e;
                int lab = loss_tick_labelled(t->level, t->every, e - t->d0, m);
                if (v < t->l0 || v > t->l1 || lab != pass) continue;
                if (lab) decade_text(buf, sizeof buf, e, m);
                y_tick(r, a, ax_y(a, m * pow(10.0, e)), lab ? buf : NULL,
                       lab || m == 1 ? GRID : GRID2, lab ? TICK : 3);
            }
    double step = nice_step(ep[n - 1] - ep[0], 10);
    for (double x = ceil(ep[0] / step) * step; x <= ep[n - 1] + 1e-9; x += step) {
        snprintf(buf, sizeof buf, "%.0f", x);
        x_tick(r, a, ax_x(a, x), buf, GRID);
    }
}

/* A loss's y in pixels; NaN (a gap) when it is not drawn: none, not finite,
 * not positive, or below the plot. */
static float loss_y(const axes *a, const loss_scale *t, const float *v, int i)
{
    return v && isfinite(v[i]) && v[i] > 0 && log10(v[i]) >= t->l0 ? ax_y(a, v[i]) : NAN;
}

/* Where the note about the best point (w pixels of text, at (bx, by)) goes:
 * near the dot where it hides the least of the lines; a search over
 * positions around it, fewest covered points first, then the nearest. The
 * text's top left goes to *nx, *ny. */
static void place_best_note(const axes *a, const series *ss, int ns, float bx, float by, int w,
                            int *nx, int *ny)
{
    long best_score = -1;
    *nx = a->x + 4, *ny = a->y + 4; /* a plot too small for the search */
    for (int dy = -160; dy <= 160; dy += 8)
        for (int dx = -w - 160; dx <= 160; dx += 8) {
            png_rect box = {(int)bx + dx - 3, (int)by + dy - 1, w + 6, FH + 2};
            if (box.x < a->x + 2 || box.y < a->y + 2 || box.x + box.w > a->x + a->w - 2 ||
                box.y + box.h > a->y + a->h - 2)
                continue;
            /* Keep clear of the dot itself. */
            if (box.x < bx + 10 && bx - 10 < box.x + box.w && box.y < by + 10 &&
                by - 10 < box.y + box.h)
                continue;
            float ex = fmaxf(fmaxf((float)box.x - bx, bx - (float)(box.x + box.w)), 0.0f);
            float ey = fmaxf(fmaxf((float)box.y - by, by - (float)(box.y + box.h)), 0.0f);
            long score = 100000L * covered(ss, ns, &box, NULL, 0) + lrintf(hypotf(ex, ey));
            if (best_score < 0 || score < best_score)
                best_score = score, *nx = box.x + 3, *ny = box.y + 1;
        }
}

/* The best validation epoch: a ringed dot at (bx, by) and the note beside
 * it, on a white ground so grid lines do not cross the text, with a leader
 * line to the dot when they are apart. Returns the note's box. */
static png_rect draw_best_note(s2s_raster *r, const axes *a, const series *ss, int ns, float bx,
                               float by, float loss, float epoch)
{
    char val[32], buf[64];
    loss_text(val, sizeof val, loss);
    snprintf(buf, sizeof buf, "best val %s (epoch %.0f)", val, (double)epoch);
    const int w = tw(buf);
    int nx, ny;
    place_best_note(a, ss, ns, bx, by, w, &nx, &ny);
    float qx = fminf(fmaxf(bx, (float)nx - 3), (float)(nx + w + 3));
    float qy = fminf(fmaxf(by, (float)ny - 1), (float)(ny + FH + 1));
    if (hypotf(qx - bx, qy - by) > 16.0f) raster_line(r, bx, by, qx, qy, 1.0f, AXIS);
    raster_fill_disc(r, bx, by, 7.5f, INK);
    raster_fill_disc(r, bx, by, 5.5f, PALETTE[1]);
    png_rect note = {nx - 3, ny - 1, w + 6, FH + 2};
    for (int y = note.y; y < note.y + note.h; y++)
        for (int x = note.x; x < note.x + note.w; x++) raster_blend(r, x, y, WHITE, 0.85f);
    text(r, nx, ny, buf, INK);
    return note;
}

/* The lines, the best point's note and the legend, over the grid. pts has
 * room for 3n floats. */
static void draw_loss_lines(s2s_raster *r, const axes *a, const loss_scale *t, const float *ep,
                            const float *tr, const float *va, int n, int best, float *pts)
{
    float *px = pts, *pyt = pts + n, *pyv = pts + 2 * n;
    for (int i = 0; i < n; i++) {
        px[i] = ax_x(a, ep[i]);
        pyt[i] = loss_y(a, t, tr, i);
        pyv[i] = loss_y(a, t, va, i);
    }
    const marker mk = n <= 60 ? MK_CIRCLE : MK_NONE;
    series ss[2];
    int ns = 0;
    if (tr) ss[ns++] = (series){px, pyt, n, PALETTE[0], mk, 2.2f, 3.0f, "train"};
    if (va) ss[ns++] = (series){px, pyv, n, PALETTE[1], mk, 2.2f, 3.0f, "validation"};
    for (int k = 0; k < ns; k++) draw_series(r, &ss[k]);

    png_rect note = {0, 0, 0, 0};
    int nnote = 0;
    if (best >= 0 && isfinite(pyv[best])) {
        note = draw_best_note(r, a, ss, ns, px[best], pyv[best], va[best], ep[best]);
        nnote = 1;
    }
    draw_legend(r, a, ss, ns, &note, nnote);
}

/* ep[i] is the epoch of point i. train or val may be NULL. */
static int draw_loss(const char *path, const float *ep, const float *tr, const float *va, int n,
                     s2s_error *err)
{
    if (n < 1) return s2s_fail(err, S2S_ERR_ARG, "no epochs to plot");
    if (!tr && !va) return s2s_fail(err, S2S_ERR_ARG, "no losses to plot");
    double lo, hi;
    int best;
    if (!loss_range(tr, va, n, &lo, &hi, &best))
        return s2s_fail(err, S2S_ERR_ARG, "no finite positive loss to plot (a log scale needs one)");
    const loss_scale t = loss_scale_of(lo, hi);

    float *pts = malloc(sizeof(float) * (size_t)n * 3);
    if (!pts) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d epochs of %s", n, path);
    s2s_raster r;
    int rc = raster_create(&r, 880, 540, WHITE, err);
    if (rc) {
        free(pts);
        return rc;
    }
    const axes a = loss_axes(&r, &t, ep, n);
    draw_loss_grid(&r, &a, &t, ep, n);
    draw_loss_lines(&r, &a, &t, ep, tr, va, n, best, pts);
    draw_frame_titles(&r, &a, "Training and Validation Loss", "Epoch", "Loss (log scale)");
    free(pts);
    rc = write_png(&r, path, "Training and Validation Loss", err);
    raster_free(&r);
    return rc;
}

int png_write_loss_curve(const char *path, const float *train_loss, const float *val_loss, int n,
                         s2s_error *err)
{
    if (n < 1) return s2s_fail(err, S2S_ERR_ARG, "no epochs to plot");
    if (n > 1000000) return s2s_fail(err, S2S_ERR_ARG, "too many epochs to plot (%d)", n);
    float *ep = malloc(sizeof(float) * (size_t)n);
    if (!ep) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d epochs of %s", n, path);
    for (int i = 0; i < n; i++) ep[i] = (float)(i + 1);
    int rc = draw_loss(path, ep, train_loss, val_loss, n, err);
    free(ep);
    return rc;
}

/* Index of name among the comma-separated fields of header, or -1. */
static int csv_column(const char *header, const char *name)
{
    int col = 0;
    size_t n = strlen(name);
    for (const char *p = header;; col++) {
        size_t len = strcspn(p, ",\r\n");
        if (len == n && strncmp(p, name, n) == 0) return col;
        if (p[len] != ',') return -1;
        p += len + 1;
    }
}

/* Field col of a CSV line as a number; 0 on success. */
static int csv_number(const char *line, int col, double *v)
{
    const char *p = line;
    for (int i = 0; i < col; i++) {
        p = strchr(p, ',');
        if (!p) return -1;
        p++;
    }
    char *end;
    errno = 0;
    *v = strtod(p, &end);
    if (end == p || (*end != ',' && *end != '\n' && *end != '\r' && *end != '\0')) return -1;
    return 0;
}

int png_write_loss_curve_from_csv(const char *path, const char *history_csv, s2s_error *err)
{
    FILE *f = fopen(history_csv, "r");
    if (!f) return s2s_fail(err, S2S_ERR_IO, "cannot read %s: %s", history_csv, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    float *ep = NULL, *tr = NULL, *va = NULL;
    int n = 0, room = 0, rc = 0, lineno = 1;
    int c_ep = -1, c_tr = -1, c_va = -1;
    if (getline(&line, &cap, f) < 0) {
        rc = s2s_fail(err, S2S_ERR_FORMAT, "%s is empty", history_csv);
        goto done;
    }
    c_ep = csv_column(line, "epoch");
    c_tr = csv_column(line, "train_loss");
    c_va = csv_column(line, "val_loss");
    if (c_ep < 0 || c_tr < 0 || c_va < 0) {
        rc = s2s_fail(err, S2S_ERR_FORMAT,
                      "%s: the header lacks epoch, train_loss or val_loss", history_csv);
        goto done;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == '\0') continue;
        double e, t, v;
        if (csv_number(line, c_ep, &e) || csv_number(line, c_tr, &t) ||
            csv_number(line, c_va, &v)) {
            rc = s2s_fail(err, S2S_ERR_FORMAT, "%s line %d: not a row of numbers", history_csv,
                          lineno);
            goto done;
        }
        if (n > 0 && !(e > ep[n - 1])) {
            rc = s2s_fail(err, S2S_ERR_FORMAT, "%s line %d: epochs must increase", history_csv,
                          lineno);
            goto done;
        }
        if (n == room) {
            room = room ? 2 * room : 64;
            float *a = realloc(ep, sizeof(float) * (size_t)room);
            if (a) ep = a;
            float *b = a ? realloc(tr, sizeof(float) * (size_t)room) : NULL;
            if (b) tr = b;
            float *c = b ? realloc(va, sizeof(float) * (size_t)room) : NULL;
            if (c) va = c;
            if (!c) {
                rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory for %d rows of %s", room,
                              history_csv);
                goto done;
            }
        }
        ep[n] = (float)e;
        tr[n] = (float)t;
        va[n] = (float)v;
        n++;
    }
    if (ferror(f)) {
        rc = s2s_fail(err, S2S_ERR_IO, "cannot read %s: %s", history_csv, strerror(errno));
        goto done;
    }
    if (n == 0) {
        rc = s2s_fail(err, S2S_ERR_FORMAT, "%s has no epochs yet", history_csv);
        goto done;
    }
    rc = draw_loss(path, ep, tr, va, n, err);
done:
    free(line);
    free(ep);
    free(tr);
    free(va);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------ accuracy by length */

int png_write_accuracy_by_length(const char *path, const int *lengths, int n_lengths,
                                 const char *const *names, const float *const *acc, int n_series,
                                 const char *title, s2s_error *err)
{
    if (!lengths || n_lengths < 1) return s2s_fail(err, S2S_ERR_ARG, "no lengths to plot");
    if (!acc || n_series < 1) return s2s_fail(err, S2S_ERR_ARG, "no series to plot");
    if (n_lengths > 10000 || n_series > 64)
        return s2s_fail(err, S2S_ERR_ARG, "too much to plot (%d lengths, %d series)", n_lengths,
                        n_series);
    for (int k = 0; k < n_series; k++)
        if (!acc[k]) return s2s_fail(err, S2S_ERR_ARG, "series %d has no values", k);
    int lmin = lengths[0], lmax = lengths[0];
    for (int i = 1; i < n_lengths; i++) {
        if (lengths[i] < lmin) lmin = lengths[i];
        if (lengths[i] > lmax) lmax = lengths[i];
    }
    if (!title || !*title) title = "Exact Match by Sentence Length";

    const int width = 60 * (lmax - lmin + 1) + 200 > 760 ? (60 * (lmax - lmin + 1) + 200 > 1600
                                                                ? 1600
                                                                : 60 * (lmax - lmin + 1) + 200)
                                                         : 760;
    s2s_raster r;
    int rc = raster_create(&r, width, 500, WHITE, err);
    if (rc) return rc;
    axes a = plot_area(r.w, r.h, tw("100%"));
    a.pad = 0;
    a.x0 = lmin - 0.6;
    a.x1 = lmax + 0.6;
    a.y0 = -4;
    a.y1 = 104;

    char buf[64];
    for (int v = 10; v <= 90; v += 20) y_tick(&r, &a, ax_y(&a, v), NULL, GRID2, 3);
    for (int v = 0; v <= 100; v += 20) {
        snprintf(buf, sizeof buf, "%d%%", v);
        y_tick(&r, &a, ax_y(&a, v), buf, GRID, TICK);
    }
    double step = nice_step(lmax - lmin, 20);
    for (double x = ceil(lmin / step) * step; x <= lmax + 1e-9; x += step) {
        snprintf(buf, sizeof buf, "%.0f", x);
        x_tick(&r, &a, ax_x(&a, x), buf, GRID);
    }

    float *pts = malloc(sizeof(float) * (size_t)n_lengths * (size_t)(n_series + 1));
    series *ss = calloc((size_t)n_series, sizeof *ss);
    char(*labels)[40] = calloc((size_t)n_series, sizeof *labels);
    if (!pts || !ss || !labels) {
        free(pts);
        free(ss);
        free(labels);
        raster_free(&r);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the points of %s (%d series)",
                        path, n_series);
    }
    float *px = pts;
    for (int i = 0; i < n_lengths; i++) px[i] = ax_x(&a, lengths[i]);
    static const marker MARKERS[] = {MK_CIRCLE, MK_SQUARE, MK_TRIANGLE, MK_DIAMOND,
                                     MK_TRIANGLE_DOWN};
    for (int k = 0; k < n_series; k++) {
        float *py = pts + (size_t)(k + 1) * (size_t)n_lengths;
        for (int i = 0; i < n_lengths; i++) {
            float v = acc[k][i];
            if (isfinite(v)) v = v < 0 ? 0 : v > 100 ? 100 : v;
            py[i] = isfinite(v) ? ax_y(&a, v) : NAN;
        }
        if (names && names[k])
            fit_text(labels[k], sizeof labels[k], names[k], 24);
        else
            snprintf(labels[k], sizeof labels[k], "series %d", k + 1);
        ss[k] = (series){px, py, n_lengths, PALETTE[k % NPALETTE], MARKERS[k % 5], 2.2f, 4.5f,
                         labels[k]};
    }
    for (int k = 0; k < n_series; k++) draw_series(&r, &ss[k]);
    draw_legend(&r, &a, ss, n_series, NULL, 0);
    draw_frame_titles(&r, &a, title, "Source sentence length (words)", "Exact match (%)");
    rc = write_png(&r, path, title, err);
    free(pts);
    free(ss);
    free(labels);
    raster_free(&r);
    return rc;
}

int png_write_attention(const char *path, const char *const *src, int n_src,
                        const char *const *out, int steps, const float *attn, int tokens,
                        s2s_error *err)
{
    size_t n = 32;
    for (int i = 0; i + 1 < n_src; i++) n += strlen(src[i]) + 1;
    char *title = malloc(n);
    if (!title)
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the title of %s (%zu bytes)", path,
                        n);
    size_t k = (size_t)snprintf(title, n, "Attention Weights: \"");
    const int first = n_src > 1 && strcmp(src[0], "<SOS>") == 0; /* the start marker is no word */
    for (int i = first; i + 1 < n_src; i++)
        k += (size_t)snprintf(title + k, n - k, "%s%s",
                              i > first && tokens != S2S_TOKENS_CHARS ? " " : "", src[i]);
    snprintf(title + k, n - k, "\"");
    s2s_heatmap h = {src, n_src, out, steps, attn, title};
    int rc = png_write_heatmap(path, &h, err);
    free(title);
    return rc;
}
