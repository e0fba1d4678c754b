/* stepview.c — one decoder step of the shown heatmap (PgUp/PgDn choose it):
 * for each encoder token its score, its attention weight and its share of
 * the context vector, as bars; a long sentence scrolls to keep the
 * attention peak in view, with ▲ / ▼ where tokens are hidden.
 *
 * What is shown is exact, and no more: the model API returns the weights
 * α_i = softmax(e)_i, so the scores are known up to the constant softmax
 * removes, e_i − max_j e_j = ln(α_i / α_max), and shown that way. The
 * context c = Σ α_i h_i is a weighted sum of encoder states the API does not
 * return, so the bars show each token's share α_i of it, not |c|. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "ui.h"

enum { MAX_LABEL = 10 };

/* A bar of frac * width cells, in eighths with UTF-8. */
static void bar(WINDOW *w, const ui_style *s, int y, int x, int width, float frac)
{
    if (!(frac >= 0)) frac = 0;
    if (frac > 1) frac = 1;
    int eighths = (int)lroundf(frac * (float)width * 8.0f);
    const attr_t a = ui_attr(s, ROLE_BAR);
    int c = 0;
    if (eighths / 8 > 0) c = ui_repeat(w, y, x, eighths / 8, a, ui_glyph(s, "block"));
    if (c < width && eighths % 8) {
        static const char *const part[8] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
                                            "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};
        ui_put(w, y, x + c, 1, a, s->utf8 ? part[eighths % 8] : (eighths % 8 >= 4 ? "#" : ""));
    }
}

void step_draw(WINDOW *w, const ui_style *s, const heat_data *d)
{
    werase(w);
    const int H = getmaxy(w), W = getmaxx(w);
    const s2s_decoding *r = d->r;
    if (!r || r->steps == 0) {
        ui_frame(w, s, "Decoder step");
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM), "PgUp/PgDn: step through the decoder");
        return;
    }
    const int t = d->step < 0 ? 0 : d->step >= r->steps ? r->steps - 1 : d->step;
    char title[160];
    snprintf(title, sizeof title, "Decoder step %d/%d %s '%s'%s", t + 1, r->steps,
             ui_glyph(s, "arrow"), ui_label(s, r->out[t]), r->copied[t] ? " (copied)" : "");
    ui_frame(w, s, title);
    if (d->attention == S2S_ATTN_NONE) {
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM), "no attention: the context is the final encoder state");
        return;
    }
    const int n = r->n_src;
    const float *a = r->attn + (size_t)t * n;
    float amax = 0;
    int arg = 0;
    for (int j = 0; j < n; j++)
        if (a[j] > amax) {
            amax = a[j];
            arg = j;
        }
    int lw = 5;
    for (int j = 0; j < n; j++) {
        int l = ui_width(ui_label(s, r->src[j])) + r->unknown[j];
        if (l > lw) lw = l;
    }
    if (lw > MAX_LABEL) lw = MAX_LABEL;
    /* label | score | bar | weight */
    const int sx = 2 + lw + 1, bx = sx + 7, bw = W - 1 - bx - 7;
    if (bw < 4 || H < 5) {
        ui_put(w, 1, 1, W - 2, ui_attr(s, ROLE_DIM), "too small");
        return;
    }
    char hdr[160];
    snprintf(hdr, sizeof hdr, "%-*s %6s %-*s %s", lw, "token", "score", bw, "share of context", ui_glyph(s, "alpha"));
    ui_put(w, 1, 2, W - 3, ui_attr(s, ROLE_DIM), hdr);

    const int notes = H - 2 - 1 - n >= 2 ? 2 : H - 2 - 1 - n >= 1 ? 1 : 0;
    const int rows = H - 3 - notes;
    /* Long sentences scroll so that the attention peak shows. */
    int first = 0;
    if (n > rows && rows > 0) {
        first = arg - rows / 2;
        if (first > n - rows) first = n - rows;
        if (first < 0) first = 0;
    }
    for (int j = first; j < n && j - first < rows; j++) {
        const int y = 2 + j - first;
        char lab[64], num[32];
        snprintf(lab, sizeof lab, "%s%s", ui_label(s, r->src[j]), r->unknown[j] ? "?" : "");
        ui_put(w, y, 2, lw, ui_attr(s, r->unknown[j] ? ROLE_UNKNOWN : j == arg ? ROLE_BEST : ROLE_NORMAL), lab);
        if (a[j] > 0 && amax > 0)
            snprintf(num, sizeof num, "%+6.2f", log((double)a[j] / (double)amax));
        else
            snprintf(num, sizeof num, "%6s", "-inf");
        ui_put(w, y, sx, 6, ui_attr(s, ROLE_DIM), num);
        bar(w, s, y, bx, bw, a[j]);
        snprintf(num, sizeof num, "%5.3f", (double)a[j]);
        ui_put(w, y, W - 7, 6, A_NORMAL, num);
    }
    /* ▲ / ▼ beside the first / last row when tokens are scrolled out. */
    if (rows > 0 && first > 0) ui_put(w, 2, 1, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "up"));
    if (rows > 0 && first + rows < n)
        ui_put(w, 2 + rows - 1, 1, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "down"));
    if (notes >= 1)
        ui_put(w, H - 1 - notes, 2, W - 3, ui_attr(s, ROLE_DIM),
               s->utf8 ? "score = e\xe1\xb5\xa2 \xe2\x88\x92 max e = ln(\xce\xb1\xe1\xb5\xa2/\xce\xb1max), exact"
                       : "score = e_i - max e = ln(a_i/a_max), exact");
    if (notes >= 2)
        ui_put(w, H - 2, 2, W - 3, ui_attr(s, ROLE_DIM),
               s->utf8 ? "context c = \xce\xa3 \xce\xb1\xe1\xb5\xa2 h\xe1\xb5\xa2; bar = the token's share"
                       : "context c = sum a_i h_i; bar = the token's share");
}
