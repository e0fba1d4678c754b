/* heatmap_view.c — the attention pane: one row per decoder step (the output
 * word), one column per encoder token (the start marker when the model has
 * one, the input words, then <EOS>), each cell shaded by its weight; token
 * labels on both axes, a shade legend, unknown input words (?) and
 * copied-through output words (*) marked, the selected step (PgUp/PgDn)
 * marked and the first wrong output word flagged. Long sentences narrow the
 * columns, then scroll them around the selected step's attention peak, and
 * scroll the rows around the selected step, with ◀ ▶ ▲ ▼ where something is
 * hidden; where everything goes is heatgeom.c's pure arithmetic. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "heatgeom.h"
#include "ui.h"

/* "the cat sat → sat cat the" into buf (the words only: no start marker,
 * no <EOS>). */
static void title_of(char *buf, size_t n, const ui_style *s, const heat_data *d)
{
    const s2s_decoding *r = d->r;
    size_t len = (size_t)snprintf(buf, n, "Attention%s: ", strcmp(d->label, "probe") == 0 ? " (probe)" : "");
    const char *sep = d->chars ? "" : " ";
    for (int i = r->prefix; i + 1 < r->n_src && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i > r->prefix ? sep : "", r->src[i]);
    if (len < n) len += (size_t)snprintf(buf + len, n - len, " %s ", ui_glyph(s, "arrow"));
    for (int t = 0; t < r->n_words && len < n; t++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", t ? sep : "", r->out[t]);
}

/* The column the selected step attends to most (the first on a tie). */
static int peak_of(const s2s_decoding *r, int step)
{
    if (r->steps <= 0) return r->n_src - 1;
    if (step < 0) step = 0;
    if (step >= r->steps) step = r->steps - 1;
    const float *a = r->attn + (size_t)step * (size_t)r->n_src;
    int best = 0;
    for (int j = 1; j < r->n_src; j++)
        if (a[j] > a[best]) best = j;
    return best;
}

/* word and its one-cell mark ("?", "*" or "") in at most maxw cells: a word
 * cut to fit keeps its mark. */
static void put_marked(WINDOW *w, int y, int x, int maxw, attr_t a, const char *word,
                       const char *mark)
{
    const int m = mark[0] ? 1 : 0;
    if (maxw <= m) {
        ui_put(w, y, x, maxw, a, m ? mark : word);
        return;
    }
    const int n = ui_put(w, y, x, maxw - m, a, word);
    if (m) ui_put(w, y, x + n, 1, a, mark);
}

enum { LEGEND_PARTS = 5 };

typedef struct {
    char text[64];
    ui_role role;
    int prio;  /* higher stays longer when the line is too narrow */
    int scale; /* the shade scale, drawn cell by cell */
} legend_part;

/* The legend on row y: the parts that fit, lowest priorities dropped first,
 * in their order. */
static void legend_draw(WINDOW *w, const ui_style *s, int y, legend_part *p, int n)
{
    static const float samples[] = {0.0f, 0.15f, 0.3f, 0.45f, 0.6f, 0.75f, 0.9f, 1.0f};
    const int ns = (int)(sizeof samples / sizeof samples[0]);
    const int W = getmaxx(w);
    for (;;) {
        int width = 2, low = -1;
        for (int i = 0; i < n; i++) {
            width += (i ? 2 : 0) + (p[i].scale ? 4 + ns : ui_width(p[i].text));
            if (low < 0 || p[i].prio < p[low].prio) low = i;
        }
        if (width <= W - 1 || n == 0) break;
        memmove(&p[low], &p[low + 1], sizeof p[0] * (size_t)(n - low - 1));
        n--;
    }
    int x = 2;
    for (int i = 0; i < n; i++) {
        if (i) x += 2;
        if (!p[i].scale) {
            x += ui_put(w, y, x, W - 1 - x, ui_attr(s, p[i].role), p[i].text);
            continue;
        }
        x += ui_put(w, y, x, W - 1 - x, A_NORMAL, "0 ");
        for (int k = 0; k < ns; k++) {
            attr_t a;
            const char *g;
            ui_heat_cell(s, samples[k], &a, &g);
            x += ui_put(w, y, x, W - 1 - x, a, g);
        }
        x += ui_put(w, y, x, W - 1 - x, A_NORMAL, " 1");
    }
}

/* Column labels, and ◀ ▶ where columns are hidden. */
static void draw_col_labels(WINDOW *w, const ui_style *s, const s2s_decoding *r,
                            const heat_geom *gp, int focus)
{
    const heat_geom g = *gp;
    int width[S2S_MAX_SENTENCE_WORDS + 2], shown[S2S_MAX_SENTENCE_WORDS + 2];
    const int nc = g.ncols <= S2S_MAX_SENTENCE_WORDS + 2 ? g.ncols : S2S_MAX_SENTENCE_WORDS + 2;
    for (int k = 0; k < nc; k++) {
        const int j = g.col0 + k;
        width[k] = ui_width(ui_label(s, r->src[j])) + r->unknown[j];
    }
    heat_geom lg = g;
    lg.ncols = nc;
    heat_col_labels(&lg, width, focus, shown);
    /* Packed labels (columns under 3 cells) start above their column and
     * alternate in style, so that two never read as one; the peak's stands
     * out. */
    for (int k = 0, nth = 0; k < nc; k++) {
        if (!shown[k]) continue;
        const int j = g.col0 + k;
        ui_role role = ROLE_TITLE;
        if (r->unknown[j])
            role = ROLE_UNKNOWN;
        else if (g.cw < 3 && j == focus)
            role = ROLE_BEST;
        else if (g.cw < 3 && nth % 2)
            role = ROLE_NORMAL;
        nth++;
        put_marked(w, g.head_y, heat_col_x(&g, j), shown[k], ui_attr(s, role), ui_label(s, r->src[j]),
                   r->unknown[j] ? "?" : "");
    }
    if (g.more_left) ui_put(w, g.head_y, g.left_x, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "left"));
    if (g.more_right) ui_put(w, g.head_y, g.right_x, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "right"));

}

/* One row per decoder step: its output word (marked * when copied), then a
 * shaded cell per visible source position. */
static void draw_rows(WINDOW *w, const ui_style *s, const heat_data *d, const heat_geom *gp)
{
    const heat_geom g = *gp;
    const s2s_decoding *r = d->r;
    const int n = r->n_src;
    for (int t = g.row0; t < g.row0 + g.nrows; t++) {
        const int y = g.gy + t - g.row0;
        const int sel = t == d->step;
        if (sel) ui_put(w, y, g.mark_x, 1, ui_attr(s, ROLE_BEST), ui_glyph(s, "select"));
        int l = ui_width(ui_label(s, r->out[t])) + r->copied[t];
        if (l > g.label_w) l = g.label_w;
        const ui_role role = sel ? ROLE_SELECT : t == d->wrong ? ROLE_ERROR : ROLE_NORMAL;
        put_marked(w, y, g.label_x + g.label_w - l, l, ui_attr(s, role), ui_label(s, r->out[t]),
                   r->copied[t] ? "*" : "");
        for (int j = g.col0; j < g.col0 + g.ncols; j++) {
            attr_t a;
            const char *glyph;
            ui_heat_cell(s, r->attn[(size_t)t * n + j], &a, &glyph);
            ui_repeat(w, y, heat_col_x(&g, j), g.fill, a, glyph);
        }
    }
    if (g.more_up) ui_put(w, g.gy, g.mark_x + 1, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "up"));
    if (g.more_down)
        ui_put(w, g.gy + g.nrows - 1, g.mark_x + 1, 1, ui_attr(s, ROLE_WARN), ui_glyph(s, "down"));

}

/* Legend: the shade scale, what is hidden, the marks. */
static void draw_legend(WINDOW *w, const ui_style *s, const s2s_decoding *r, const heat_geom *gp)
{
    const heat_geom g = *gp;
    const int n = r->n_src;
    legend_part p[LEGEND_PARTS];
    int np = 0;
    p[np++] = (legend_part){.scale = 1, .prio = 2};
    if (!r->stopped)
        p[np++] = (legend_part){"no <EOS> within the cap", ROLE_WARN, 5, 0};
    if (g.more_up || g.more_down) {
        p[np] = (legend_part){"", ROLE_DIM, 4, 0};
        snprintf(p[np++].text, sizeof p[0].text, "rows %d-%d/%d", g.row0 + 1, g.row0 + g.nrows,
                 r->steps);
    }
    if (g.more_left || g.more_right) {
        p[np] = (legend_part){"", ROLE_DIM, 3, 0};
        snprintf(p[np++].text, sizeof p[0].text, "cols %d-%d/%d", g.col0 + 1, g.col0 + g.ncols, n);
    }
    p[np++] = (legend_part){"? unknown  * copied", ROLE_DIM, 1, 0};
    legend_draw(w, s, g.legend_y, p, np);
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
    char title[1024];
    title_of(title, sizeof title, s, d);
    ui_frame(w, s, title);
    if (d->attention == S2S_ATTN_NONE) {
        ui_put(w, H / 2, 2, W - 3, ui_attr(s, ROLE_DIM),
               "no attention in this model (--attention none): nothing to shade");
        return;
    }
    const int n = r->n_src;
    /* Row labels: the output words, marked * when copied through. */
    int lw = 0;
    for (int t = 0; t < r->steps; t++) {
        int l = ui_width(ui_label(s, r->out[t])) + r->copied[t];
        if (l > lw) lw = l;
    }
    const int focus = peak_of(r, d->step);
    heat_geom g;
    heat_geom_compute(&g, H, W, n, r->steps, lw, d->step, focus);
    if (!g.ok) {
        ui_put(w, 1, 1, W - 2, ui_attr(s, ROLE_DIM), "too small for the heatmap");
        return;
    }

    draw_col_labels(w, s, r, &g, focus);
    draw_rows(w, s, d, &g);
    draw_legend(w, s, r, &g);
}
