/* heatmap_view.c — the attention pane: one row per decoder step (the output
 * word), one column per encoder token (the input words, then <EOS>), each
 * cell shaded by its weight; token labels on both axes, a shade legend,
 * unknown input words and copied-through output words marked, the selected
 * step (PgUp/PgDn) marked. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "ui.h"

enum { MAX_LABEL = 10 };

/* "the cat sat → sat cat the" into buf. */
static void title_of(char *buf, size_t n, const ui_style *s, const heat_data *d)
{
    const s2s_decoding *r = d->r;
    size_t len = (size_t)snprintf(buf, n, "Attention%s: ", strcmp(d->label, "probe") == 0 ? " (probe)" : "");
    for (int i = 0; i + 1 < r->n_src && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? " " : "", r->src[i]);
    if (len < n) len += (size_t)snprintf(buf + len, n - len, " %s ", ui_glyph(s, "arrow"));
    for (int t = 0; t < r->n_words && len < n; t++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", t ? " " : "", r->out[t]);
}

void heatmap_draw(WINDOW *w, const ui_style *s, const heat_data *d)
{
    werase(w);
    const int H = getmaxy(w), W = getmaxx(w);
    const s2s_decoding *r = d->r;
    if (!r) {
        ui_frame(w, s, "Attention");
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM), "waiting for the first weights...");
        return;
    }
    char title[512];
    title_of(title, sizeof title, s, d);
    ui_frame(w, s, title);
    if (d->attention == S2S_ATTN_NONE) {
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM),
               "no attention in this model (--attention none): nothing to shade");
        return;
    }
    const int iw = W - 2, ih = H - 2;
    const int n = r->n_src;
    /* Row labels: the output words, marked * when copied through. */
    int lw = 5;
    for (int t = 0; t < r->steps; t++) {
        int l = ui_width(r->out[t]) + r->copied[t];
        if (l > lw) lw = l;
    }
    if (lw > MAX_LABEL) lw = MAX_LABEL;
    const int gx = 1 + 2 + lw + 1; /* marker, label, a space, then the grid */
    int cw = (iw - (gx - 1)) / (n > 0 ? n : 1);
    if (cw > 7) cw = 7;
    if (cw < 1 || ih < 4) {
        ui_put(w, 1, 1, iw, ui_attr(s, ROLE_DIM), "too narrow for this sentence");
        return;
    }
    const int fill = cw >= 3 ? cw - 1 : cw; /* a gap between columns when there is room */

    /* Column labels. */
    for (int j = 0; j < n; j++) {
        char lab[64];
        snprintf(lab, sizeof lab, "%s%s", r->src[j], r->unknown[j] ? "?" : "");
        ui_put(w, 1, gx + j * cw, fill, ui_attr(s, r->unknown[j] ? ROLE_UNKNOWN : ROLE_TITLE), lab);
    }

    /* Rows, scrolled so that the selected step shows. */
    const int vis = ih - 2;
    int first = 0;
    if (d->step >= vis) first = d->step - vis + 1;
    for (int t = first; t < r->steps && t - first < vis; t++) {
        const int y = 2 + t - first;
        const int sel = t == d->step;
        if (sel) ui_put(w, y, 1, 1, ui_attr(s, ROLE_BEST), ui_glyph(s, "select"));
        char lab[64];
        snprintf(lab, sizeof lab, "%s%s", r->out[t], r->copied[t] ? "*" : "");
        int l = ui_width(lab);
        if (l > lw) l = lw;
        ui_put(w, y, 3 + lw - l, lw, ui_attr(s, sel ? ROLE_SELECT : ROLE_NORMAL), lab);
        for (int j = 0; j < n; j++) {
            attr_t a;
            const char *g;
            ui_heat_cell(s, r->attn[(size_t)t * n + j], &a, &g);
            ui_repeat(w, y, gx + j * cw, fill, a, g);
        }
    }

    /* Legend. */
    const int ly = H - 2;
    int x = 2;
    x += ui_put(w, ly, x, W - 1 - x, A_NORMAL, "0 ");
    static const float samples[] = {0.0f, 0.15f, 0.3f, 0.45f, 0.6f, 0.75f, 0.9f, 1.0f};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        attr_t a;
        const char *g;
        ui_heat_cell(s, samples[i], &a, &g);
        x += ui_put(w, ly, x, W - 1 - x, a, g);
    }
    x += ui_put(w, ly, x, W - 1 - x, A_NORMAL, " 1  ");
    char more[96] = "";
    if (r->steps > vis) snprintf(more, sizeof more, "rows %d-%d of %d  ", first + 1, first + vis < r->steps ? first + vis : r->steps, r->steps);
    x += ui_put(w, ly, x, W - 1 - x, ui_attr(s, ROLE_DIM), more);
    x += ui_put(w, ly, x, W - 1 - x, ui_attr(s, ROLE_UNKNOWN), "?");
    x += ui_put(w, ly, x, W - 1 - x, ui_attr(s, ROLE_DIM), " unknown  * copied  ");
    if (!r->stopped) ui_put(w, ly, x, W - 1 - x, ui_attr(s, ROLE_WARN), "no <EOS> within the cap");
}
