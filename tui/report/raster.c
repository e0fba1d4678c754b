/* raster.c — the RGB canvas behind the PNG figures (see raster.h). */
#include "raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assets/font.h"

int raster_create(s2s_raster *r, int w, int h, s2s_rgb bg, s2s_error *err)
{
    r->w = r->h = 0;
    r->px = NULL;
    /* 16384 px a side is far beyond any figure we draw; the cap keeps a bad
     * size from turning into a huge allocation. */
    if (w < 1 || h < 1 || w > 16384 || h > 16384)
        return s2s_fail(err, S2S_ERR_ARG, "bad image size %d x %d", w, h);
    r->px = malloc((size_t)w * (size_t)h * 3);
    if (!r->px) return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for a %d x %d image", w, h);
    r->w = w;
    r->h = h;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        r->px[3 * i] = bg.r;
        r->px[3 * i + 1] = bg.g;
        r->px[3 * i + 2] = bg.b;
    }
    return 0;
}

void raster_free(s2s_raster *r)
{
    free(r->px);
    r->px = NULL;
    r->w = r->h = 0;
}

s2s_rgb raster_get(const s2s_raster *r, int x, int y)
{
    if (x < 0 || y < 0 || x >= r->w || y >= r->h) return (s2s_rgb){0, 0, 0};
    const unsigned char *p = r->px + 3 * ((size_t)y * (size_t)r->w + (size_t)x);
    return (s2s_rgb){p[0], p[1], p[2]};
}

void raster_blend(s2s_raster *r, int x, int y, s2s_rgb c, float a)
{
    if (x < 0 || y < 0 || x >= r->w || y >= r->h || !(a > 0.0f)) return;
    if (a > 1.0f) a = 1.0f;
    unsigned char *p = r->px + 3 * ((size_t)y * (size_t)r->w + (size_t)x);
    const unsigned char src[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++) p[k] = (unsigned char)lrintf((float)p[k] + ((float)src[k] - (float)p[k]) * a);
}

void raster_fill_rect(s2s_raster *r, int x, int y, int w, int h, s2s_rgb c)
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > r->w ? r->w : x + w, y1 = y + h > r->h ? r->h : y + h;
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++) {
            unsigned char *p = r->px + 3 * ((size_t)yy * (size_t)r->w + (size_t)xx);
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
        }
}

void raster_stroke_rect(s2s_raster *r, int x, int y, int w, int h, s2s_rgb c)
{
    raster_fill_rect(r, x, y, w, 1, c);
    raster_fill_rect(r, x, y + h - 1, w, 1, c);
    raster_fill_rect(r, x, y, 1, h, c);
    raster_fill_rect(r, x + w - 1, y, 1, h, c);
}

/* Distance from (px, py) to the segment (x0, y0)-(x1, y1). */
static float seg_dist(float px, float py, float x0, float y0, float x1, float y1)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len2 = dx * dx + dy * dy;
    float t = len2 > 0.0f ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0.0f;
    if (t < 0.0f) t = 0.0f;
    if (t > 1.0f) t = 1.0f;
    float ex = x0 + t * dx - px, ey = y0 + t * dy - py;
    return sqrtf(ex * ex + ey * ey);
}

/* The bounding box of n >= 1 points. */
static void point_bounds(const float *xs, const float *ys, int n, float *minx, float *maxx,
                         float *miny, float *maxy)
{
    *minx = *maxx = xs[0];
    *miny = *maxy = ys[0];
    for (int i = 1; i < n; i++) {
        *minx = fminf(*minx, xs[i]);
        *maxx = fmaxf(*maxx, xs[i]);
        *miny = fminf(*miny, ys[i]);
        *maxy = fmaxf(*maxy, ys[i]);
    }
}

void raster_polyline(s2s_raster *r, const float *xs, const float *ys, int n, float width,
                     s2s_rgb c)
{
    if (n < 1) return;
    const float half = width * 0.5f;
    float minx, maxx, miny, maxy;
    point_bounds(xs, ys, n, &minx, &maxx, &miny, &maxy);
    int bx0 = (int)floorf(minx - half - 1), by0 = (int)floorf(miny - half - 1);
    int bx1 = (int)ceilf(maxx + half + 1), by1 = (int)ceilf(maxy + half + 1);
    if (bx0 < 0) bx0 = 0;
    if (by0 < 0) by0 = 0;
    if (bx1 > r->w - 1) bx1 = r->w - 1;
    if (by1 > r->h - 1) by1 = r->h - 1;
    if (bx0 > bx1 || by0 > by1) return;
    /* Coverage is the maximum over segments, composited once at the end, so
     * joints are not painted twice. Each segment only visits its own box.
     * Pixel centres are at +0.5. */
    const int bw = bx1 - bx0 + 1, bh = by1 - by0 + 1;
    float *cov = calloc((size_t)bw * (size_t)bh, sizeof *cov);
    if (!cov) return; /* a figure without a line beats a crash */
    for (int i = 0; i < (n == 1 ? 1 : n - 1); i++) {
        const int j = n == 1 ? 0 : i + 1;
        int sx0 = (int)floorf(fminf(xs[i], xs[j]) - half - 1) - bx0;
        int sx1 = (int)ceilf(fmaxf(xs[i], xs[j]) + half + 1) - bx0;
        int sy0 = (int)floorf(fminf(ys[i], ys[j]) - half - 1) - by0;
        int sy1 = (int)ceilf(fmaxf(ys[i], ys[j]) + half + 1) - by0;
        if (sx0 < 0) sx0 = 0;
        if (sy0 < 0) sy0 = 0;
        if (sx1 > bw - 1) sx1 = bw - 1;
        if (sy1 > bh - 1) sy1 = bh - 1;
        for (int y = sy0; y <= sy1; y++)
            for (int x = sx0; x <= sx1; x++) {
                float d = seg_dist((float)(x + bx0) + 0.5f, (float)(y + by0) + 0.5f, xs[i], ys[i],
                                   xs[j], ys[j]);
                float a = half + 0.5f - d;
                if (a > 1.0f) a = 1.0f;
                float *p = cov + (size_t)y * (size_t)bw + (size_t)x;
                if (a > *p) *p = a;
            }
    }
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float a = cov[(size_t)y * (size_t)bw + (size_t)x];
            if (a > 0.0f) raster_blend(r, x + bx0, y + by0, c, a);
        }
    free(cov);
}

void raster_line(s2s_raster *r, float x0, float y0, float x1, float y1, float width, s2s_rgb c)
{
    const float xs[2] = {x0, x1}, ys[2] = {y0, y1};
    raster_polyline(r, xs, ys, 2, width, c);
}

/* Even-odd point-in-polygon test. */
static int inside(const float *xs, const float *ys, int n, float px, float py)
{
    int in = 0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        if ((ys[i] > py) != (ys[j] > py) &&
            px < (xs[j] - xs[i]) * (py - ys[i]) / (ys[j] - ys[i]) + xs[i])
            in = !in;
    return in;
}

void raster_fill_polygon(s2s_raster *r, const float *xs, const float *ys, int n, s2s_rgb c)
{
    if (n < 3) return;
    float minx, maxx, miny, maxy;
    point_bounds(xs, ys, n, &minx, &maxx, &miny, &maxy);
    int bx0 = (int)floorf(minx), by0 = (int)floorf(miny);
    int bx1 = (int)ceilf(maxx), by1 = (int)ceilf(maxy);
    if (bx0 < 0) bx0 = 0;
    if (by0 < 0) by0 = 0;
    if (bx1 > r->w - 1) bx1 = r->w - 1;
    if (by1 > r->h - 1) by1 = r->h - 1;
    for (int y = by0; y <= by1; y++)
        for (int x = bx0; x <= bx1; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++)
                    hits += inside(xs, ys, n, (float)x + (sx + 0.5f) / 4, (float)y + (sy + 0.5f) / 4);
            if (hits) raster_blend(r, x, y, c, (float)hits / 16.0f);
        }
}

void raster_fill_disc(s2s_raster *r, float cx, float cy, float radius, s2s_rgb c)
{
    int x0 = (int)floorf(cx - radius - 1), x1 = (int)ceilf(cx + radius + 1);
    int y0 = (int)floorf(cy - radius - 1), y1 = (int)ceilf(cy + radius + 1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            float cov = radius + 0.5f - sqrtf(dx * dx + dy * dy);
            if (cov > 0.0f) raster_blend(r, x, y, c, cov > 1.0f ? 1.0f : cov);
        }
}

/* ------------------------------------------------------------------ text */

typedef struct {
    int w, h;
    const char *const *glyph; /* 95 glyphs, ' ' .. '~' */
} font_info;

static font_info font_get(raster_font f)
{
    if (f == RASTER_FONT_BOLD) return (font_info){FONT_BOLD_W, FONT_BOLD_H, FONT_BOLD};
    return (font_info){FONT_REGULAR_W, FONT_REGULAR_H, FONT_REGULAR};
}

/* The glyph index of the character at *s, advancing *s past it: a UTF-8
 * sequence counts as one character (shown as '?'), so a label is as wide
 * as the characters a person sees. */
static int next_char(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned char c = *p++;
    if (c >= 0xc0)
        while (*p >= 0x80 && *p < 0xc0) p++;
    *s = (const char *)p;
    if (c < 32 || c > 126) c = '?';
    return c - 32;
}

static int text_chars(const char *s)
{
    int n = 0;
    while (*s) {
        next_char(&s);
        n++;
    }
    return n;
}

int raster_text_width(raster_font f, const char *s)
{
    return text_chars(s) * font_get(f).w;
}

int raster_text_height(raster_font f)
{
    return font_get(f).h;
}

static float glyph_level(char ch)
{
    if (ch >= '1' && ch <= '9') return (float)(ch - '0') / 15.0f;
    if (ch >= 'a' && ch <= 'f') return (float)(ch - 'a' + 10) / 15.0f;
    return 0.0f;
}

void raster_text(s2s_raster *r, int x, int y, const char *s, raster_font f, s2s_rgb c,
                 int rotated)
{
    const font_info fi = font_get(f);
    const int total = text_chars(s) * fi.w;
    int pen = 0;
    while (*s) {
        const char *g = fi.glyph[next_char(&s)];
        for (int gy = 0; gy < fi.h; gy++)
            for (int gx = 0; gx < fi.w; gx++) {
                float a = glyph_level(g[gy * fi.w + gx]);
                if (a <= 0.0f) continue;
                int tx = pen + gx; /* along the text */
                if (rotated)
                    raster_blend(r, x + gy, y + total - 1 - tx, c, a);
                else
                    raster_blend(r, x + tx, y + gy, c, a);
            }
        pen += fi.w;
    }
}

float rgb_luminance(s2s_rgb c)
{
    return (0.2126f * c.r + 0.7152f * c.g + 0.0722f * c.b) / 255.0f;
}
