/* figures.h — the figures, drawn into an RGB raster and written with libpng:
 * the attention heatmap, the loss curve, and accuracy by sentence length.
 * Labels use the bitmap font in assets/; colours come from the colour map
 * table in assets/. */
#ifndef S2S_FIGURES_H
#define S2S_FIGURES_H

#include "err.h"

/* An attention matrix with its labels: row t = decoder step t (its output
 * token out[t], the last one usually "<EOS>"), column s = encoder token
 * src[s] (the input words, then "<EOS>"). */
typedef struct {
    const char *const *src;
    int n_src;
    const char *const *out;
    int n_out;
    const float *weights; /* (n_out, n_src), each row sums to 1 */
    const char *title;    /* e.g. the sentence; NULL for a default title */
} s2s_heatmap;

/* Writes the heatmap to path (PATH.tmp then rename). The image is sized to
 * the sentence, with axis labels, a colour bar from 0 to 1 with ticks, and
 * the title. */
int png_write_heatmap(const char *path, const s2s_heatmap *h, s2s_error *err);

/* The heatmap of one decoding, titled with its input: src labels across
 * (the words, then <EOS>), out labels down (one per decoder step), attn
 * (steps, n_src). tokens (s2s_tokens) says how the title joins the input:
 * words with spaces, characters side by side. */
int png_write_attention(const char *path, const char *const *src, int n_src,
                        const char *const *out, int steps, const float *attn, int tokens,
                        s2s_error *err);

/* Train and validation loss per epoch (epochs 1..n), log-scale y, the best
 * validation epoch marked, axes labelled, a legend. */
int png_write_loss_curve(const char *path, const float *train_loss, const float *val_loss, int n,
                         s2s_error *err);

/* Reads DIR/history.csv as written by training and draws it to path. */
int png_write_loss_curve_from_csv(const char *path, const char *history_csv, s2s_error *err);

/* Exact match (percent) by source length, one line per series (e.g.
 * bahdanau, luong, none), lengths on x. acc[k][i] is series k at lengths[i]
 * (NaN = no sentences of that length). */
int png_write_accuracy_by_length(const char *path, const int *lengths, int n_lengths,
                                 const char *const *names, const float *const *acc, int n_series,
                                 const char *title, s2s_error *err);

/* Where png_write_heatmap puts things, for tests and for callers that want
 * to point at a cell. Column s of the cells spans grid.x + s*cell ..
 * + cell (minus a one-pixel white gap), row t spans grid.y + t*cell ..;
 * the label of column s lies in x_labels within that column's span, the
 * label of row t in y_labels within that row's span. */
typedef struct {
    int x, y, w, h;
} png_rect;

typedef struct {
    int width, height;    /* of the image */
    int cell;             /* side of one cell in pixels */
    int x_labels_rotated; /* 1: column labels read bottom to top */
    png_rect grid, x_labels, y_labels, title, x_title, y_title, colorbar, colorbar_labels,
        colorbar_title;
} png_heatmap_geom;

/* The layout png_write_heatmap would use for h; checks h as it does. */
int png_heatmap_geometry(const s2s_heatmap *h, png_heatmap_geom *g, s2s_error *err);

#endif
