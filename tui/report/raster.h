/* raster.h — a small RGB canvas for the PNG figures: rectangles,
 * anti-aliased lines and polygons, and text in the bitmap fonts of
 * assets/font.h (horizontal, or turned 90° to read upwards). No library
 * beyond libc; png.c writes the pixels out. Coordinates are pixels, x to the
 * right, y down; everything is clipped to the canvas. */
#ifndef S2S_RASTER_H
#define S2S_RASTER_H

#include "err.h"

typedef struct {
    unsigned char r, g, b;
} s2s_rgb;

typedef struct {
    int w, h;
    unsigned char *px; /* (h, w, 3), row-major */
} s2s_raster;

typedef enum { RASTER_FONT_REGULAR = 0, RASTER_FONT_BOLD = 1 } raster_font;

/* A w x h canvas filled with bg. */
int raster_create(s2s_raster *r, int w, int h, s2s_rgb bg, s2s_error *err);
void raster_free(s2s_raster *r);

/* The pixel at (x, y); black outside the canvas. */
s2s_rgb raster_get(const s2s_raster *r, int x, int y);
/* Mixes c into (x, y) with opacity a in [0, 1]. */
void raster_blend(s2s_raster *r, int x, int y, s2s_rgb c, float a);
void raster_fill_rect(s2s_raster *r, int x, int y, int w, int h, s2s_rgb c);
/* A one-pixel outline just inside the rectangle. */
void raster_stroke_rect(s2s_raster *r, int x, int y, int w, int h, s2s_rgb c);

/* Joined segments through n points, `width` pixels wide, anti-aliased;
 * overlapping segments do not darken their joints. */
void raster_polyline(s2s_raster *r, const float *xs, const float *ys, int n, float width,
                     s2s_rgb c);
void raster_line(s2s_raster *r, float x0, float y0, float x1, float y1, float width, s2s_rgb c);
/* A filled polygon (even-odd rule), anti-aliased by 4x4 supersampling. */
void raster_fill_polygon(s2s_raster *r, const float *xs, const float *ys, int n, s2s_rgb c);
void raster_fill_disc(s2s_raster *r, float cx, float cy, float radius, s2s_rgb c);

/* Text: printable ASCII; any other byte, or UTF-8 sequence, shows as '?'. */
int raster_text_width(raster_font f, const char *s);
int raster_text_height(raster_font f);
/* Draws s with the top-left of its box at (x, y). rotated = 1 turns it 90°
 * counter-clockwise (reads bottom to top); its box is then
 * raster_text_height() wide and raster_text_width() tall, top-left (x, y). */
void raster_text(s2s_raster *r, int x, int y, const char *s, raster_font f, s2s_rgb c,
                 int rotated);

/* Relative luminance (Rec. 709 weights on the sRGB values), 0..1. */
float rgb_luminance(s2s_rgb c);

#endif
