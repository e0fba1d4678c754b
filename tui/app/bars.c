/* bars.c — the bars at the bottom (status, prompt, key legend), the help
 * overlay and the too-small message. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "layout.h"
#include "ui.h"

/* ------------------------------------------------------------------ status */

enum { MAX_SEG = 16, BAR_W = 10 };

typedef struct {
    char text[96];
    ui_role role;
    int prio;     /* higher survives longer when the line is too narrow */
    int is_bar;   /* draw the progress bar before the text */
    int second;   /* on the second line when the pane has two */
} segment;

static ui_role phase_role(train_phase p)
{
    switch (p) {
    case PHASE_PAUSED: case PHASE_STOPPING: return ROLE_WARN;
    case PHASE_FAILED: return ROLE_ERROR;
    case PHASE_FINISHED: return ROLE_GOOD;
    default: return ROLE_TITLE;
    }
}

/* Draws the segments seg[0..n) on line y, dropping the lowest priorities
 * until they fit; the bar shows frac. */
static void status_line(WINDOW *w, const ui_style *s, int y, segment *seg, int n, float frac)
{
    const int W = getmaxx(w);
    const char *sep = s->utf8 ? " \xc2\xb7 " : " | ";
    for (;;) {
        int width = 1, low = -1;
        for (int i = 0; i < n; i++) {
            width += (i ? 3 : 0) + ui_width(seg[i].text) + (seg[i].is_bar ? BAR_W + 2 : 0);
            if (low < 0 || seg[i].prio < seg[low].prio) low = i;
        }
        if (width <= W - 1 || n <= 1) break;
        memmove(&seg[low], &seg[low + 1], sizeof seg[0] * (size_t)(n - low - 1));
        n--;
    }
    int x = 1;
    for (int i = 0; i < n; i++) {
        if (i) x += ui_put(w, y, x, W - x, ui_attr(s, ROLE_DIM), sep);
        if (seg[i].is_bar) {
            x += ui_put(w, y, x, W - x, ui_attr(s, ROLE_DIM), "[");
            int full = (int)lroundf(frac * BAR_W);
            x += ui_repeat(w, y, x, full, ui_attr(s, ROLE_BAR), ui_glyph(s, "block"));
            x += ui_repeat(w, y, x, BAR_W - full, ui_attr(s, ROLE_DIM), ui_glyph(s, "light"));
            x += ui_put(w, y, x, W - x, ui_attr(s, ROLE_DIM), "]");
        }
        x += ui_put(w, y, x, W - x, ui_attr(s, seg[i].role), seg[i].text);
    }
}

void status_draw(WINDOW *w, const ui_style *s, const status_data *d)
{
    werase(w);
    const train_view *v = d->tv;
    segment seg[MAX_SEG];
    int n = 0;
    char a[32], b[32];
    float frac = 0;

#define ADD(second_, prio_, role_, ...)                                          \
    do {                                                                         \
        seg[n].second = (second_);                                               \
        seg[n].prio = (prio_);                                                   \
        seg[n].role = (role_);                                                   \
        seg[n].is_bar = 0;                                                       \
        snprintf(seg[n].text, sizeof seg[n].text, __VA_ARGS__);                  \
        n++;                                                                     \
    } while (0)

    ADD(0, 100, phase_role(v->phase), "%s", phase_name(v->phase));
    if (v->have_progress) {
        const s2s_progress *p = &v->prog;
        ADD(0, 90, ROLE_NORMAL, "epoch %d/%d", p->epoch, p->epochs);
        frac = p->steps ? (float)p->step / (float)p->steps : 0;
        ADD(0, 60, ROLE_NORMAL, " %3d%%", (int)lroundf(100 * frac));
        seg[n - 1].is_bar = 1;
        ADD(1, 40, ROLE_DIM, "batch %d/%d", p->step, p->steps);
        ui_si(a, sizeof a, p->tokens_per_s);
        ADD(0, 80, ROLE_NORMAL, "%s tok/s", a);
        ui_duration(b, sizeof b, v->eta_s);
        if (isfinite(v->eta_s)) ADD(0, 70, ROLE_NORMAL, "ETA %s", b);
        ADD(0, 50, ROLE_NORMAL, "loss %.4f", (double)p->loss);
        ADD(1, 30, ROLE_DIM, "grad norm %.3g", (double)p->grad_norm);
    } else {
        ADD(0, 90, ROLE_DIM, "epoch %d/%d", v->first_epoch, v->epochs);
    }
    ADD(1, 35, ROLE_DIM, "lr %g", (double)d->lr);
    ADD(1, 25, ROLE_DIM, "teacher forcing %.2g", (double)d->tf);
    if (!isnan(v->best_val))
        ADD(0, 75, ROLE_GOOD, "best val %.4f (ep %d)", (double)v->best_val, v->best_epoch);
    if (d->evaluating) ADD(0, 85, ROLE_WARN, "eval %d/%d", d->eval_done, d->eval_total);
    ADD(1, 20, ROLE_DIM, "device %s", d->device);
    if (v->phase == PHASE_FAILED && v->error[0]) ADD(0, 95, ROLE_ERROR, "%.90s", v->error);
#undef ADD

    if (getmaxy(w) >= 2) {
        segment two[MAX_SEG];
        int n1 = 0, n2 = 0;
        for (int i = 0; i < n; i++) {
            if (seg[i].second)
                two[n2++] = seg[i];
            else
                seg[n1++] = seg[i];
        }
        status_line(w, s, 0, seg, n1, frac);
        status_line(w, s, 1, two, n2, frac);
    } else {
        status_line(w, s, 0, seg, n, frac);
    }
}

/* ------------------------------------------------------------------ prompt */

void prompt_draw(WINDOW *w, const ui_style *s, const prompt_state *p, const prompt_view *v)
{
    werase(w);
    const int W = getmaxx(w);
    ui_put(w, 0, 0, 2, ui_attr(s, ROLE_TITLE), "> ");
    const int has = v && v->words && v->v;
    char verdict_s[64] = "";
    int word_w[S2S_MAX_STEPS];
    const int n = has ? (v->n < S2S_MAX_STEPS ? v->n : S2S_MAX_STEPS) : 0;
    if (has) verdict_short(verdict_s, sizeof verdict_s, v->v, s->utf8);
    for (int k = 0; k < n; k++) word_w[k] = ui_width(v->words[k]);
    char arrow[16];
    snprintf(arrow, sizeof arrow, "%s ", ui_glyph(s, "arrow"));
    const char *ell = ui_glyph(s, "ellipsis");
    const prompt_fit_in in = {
        .width = W, .text_w = utf8_count(p->line, p->len), .cursor = utf8_count(p->line, p->cur),
        .editing = has && v->editing, .has_result = has, .arrow_w = ui_width(arrow),
        .ell_w = ui_width(ell), .verdict_w = ui_width(verdict_s),
        .note_w = has && v->note ? ui_width(v->note) : 0, .word_w = word_w, .n_words = n,
        .focus = has ? verdict_focus(v->v) : 0,
    };
    prompt_fit_out f;
    prompt_fit(&in, &f);

    /* The text field, scrolled to the cursor. */
    int i = 0;
    for (int k = 0; k < f.skip; k++) i = utf8_next(p->line, p->len, i);
    ui_put(w, 0, 2, f.field_w, A_NORMAL, p->line + i);
    if (f.skip > 0 && f.field_w > ui_width(ell) + 1) /* the start is scrolled out */
        ui_put(w, 0, 2, f.field_w, ui_attr(s, ROLE_DIM), ell);
    if (!has && p->len == 0 && v && v->hint) ui_put(w, 0, 3, W - 4, ui_attr(s, ROLE_DIM), v->hint);

    if (f.res_x >= 0) {
        /* The result: right in green; wrong with its first wrong (or
         * extra) word in reverse video; all dim while the line is edited. */
        const int right = v->v->kind == VERDICT_RIGHT;
        const attr_t dim = ui_attr(s, ROLE_DIM);
        const attr_t word = v->editing ? dim : right ? ui_attr(s, ROLE_GOOD) : A_NORMAL;
        const attr_t bad = v->editing ? dim : ui_attr(s, ROLE_ERROR) | A_REVERSE;
        const int end = W - 1;
        int x = f.res_x;
        x += ui_put(w, 0, x, end - x, dim, arrow);
        if (n > 0 && f.w0 == f.w1) { /* not even the focus word fits */
            x += ui_put(w, 0, x, end - x, dim, ell);
        } else if (n > 0) {
            if (f.w0 > 0) {
                x += ui_put(w, 0, x, end - x, dim, ell);
                x += ui_put(w, 0, x, end - x, A_NORMAL, " ");
            }
            for (int k = f.w0; k < f.w1; k++) {
                if (k > f.w0) x += ui_put(w, 0, x, end - x, A_NORMAL, " ");
                x += ui_put(w, 0, x, end - x, k == v->v->first_wrong ? bad : word, v->words[k]);
            }
            if (f.w1 < n) {
                x += ui_put(w, 0, x, end - x, A_NORMAL, " ");
                x += ui_put(w, 0, x, end - x, dim, ell);
            }
        }
        if (n > 0) x += ui_put(w, 0, x, end - x, A_NORMAL, " ");
        x += ui_put(w, 0, x, end - x, v->editing ? dim : ui_attr(s, right ? ROLE_GOOD : ROLE_ERROR),
                    verdict_s);
        if (f.note) {
            x += ui_put(w, 0, x, end - x, A_NORMAL, "  ");
            ui_put(w, 0, x, end - x, ui_attr(s, ROLE_WARN), v->note);
        }
    }
    wattrset(w, A_NORMAL);
    wmove(w, 0, 2 + in.cursor - f.skip);
}

/* -------------------------------------------------------------- key legend */

void keys_draw(WINDOW *w, const ui_style *s, int paused, int log_scale)
{
    werase(w);
    const int W = getmaxx(w);
    const struct {
        const char *key, *alias, *label;
    } K[] = {
        {"F1", "^G", "Help"},  {"F2", "^S", "Save"},
        {"F3", "^P", paused ? "Resume" : "Pause"}, {"F5", "^E", "Eval"},
        {"F6", NULL, log_scale ? "Linear" : "LogScale"}, {"PgUp/Dn", NULL, "Step"},
        {"F10", "^Q", "Quit"},
    };
    const int nk = (int)(sizeof K / sizeof K[0]);
    /* With the Ctrl aliases when they fit. */
    int width = 0;
    for (int i = 0; i < nk; i++)
        width += (int)strlen(K[i].key) + (K[i].alias ? 1 + (int)strlen(K[i].alias) : 0) +
                 (int)strlen(K[i].label) + 3;
    const int aliases = width <= W;
    int x = 0;
    for (int i = 0; i < nk && x < W; i++) {
        char key[24];
        snprintf(key, sizeof key, "%s%s%s", K[i].key, aliases && K[i].alias ? "/" : "",
                 aliases && K[i].alias ? K[i].alias : "");
        x += ui_put(w, 0, x, W - x, ui_attr(s, ROLE_KEY), key);
        x += ui_put(w, 0, x, W - x, A_NORMAL, " ");
        x += ui_put(w, 0, x, W - x, A_NORMAL, K[i].label);
        x += ui_put(w, 0, x, W - x, A_NORMAL, "  ");
    }
}

/* -------------------------------------------------------------------- help */

static const char *const HELP[] = {
    "Typing goes to the prompt; Enter reverses the sentence and",
    "shows its attention. Before you type, the heatmap follows a",
    "sentence of the validation set (the probe) as the model learns.",
    "",
    "  F1   ^G      this help (any key closes it)",
    "  F2   ^S      save attention_heatmap.png of the heatmap shown",
    "  F3   ^P      pause / resume training (at a batch boundary)",
    "  F5   ^E      evaluate the latest weights on the test set",
    "  F6           loss chart: log / linear scale",
    "  PgUp PgDn    previous / next decoder step (step pane)",
    "  ^L           redraw the screen",
    "  F10  ^Q  ^C  quit: stop at a batch boundary, keep best.ckpt",
    "",
    "Editing: Left Right Home End Backspace Delete ^U ^W,",
    "Up/Down history, Esc clears the line.",
    "Unknown words are marked ? and copied through by attention (*).",
};

void help_draw(WINDOW *w, const ui_style *s)
{
    werase(w);
    ui_frame(w, s, "Help");
    const int H = getmaxy(w), W = getmaxx(w);
    const int n = (int)(sizeof HELP / sizeof HELP[0]);
    for (int i = 0; i < n && 1 + i < H - 1; i++)
        ui_put(w, 1 + i, 2, W - 3, HELP[i][0] == ' ' ? A_NORMAL : ui_attr(s, ROLE_DIM), HELP[i]);
}

void too_small_draw(WINDOW *w, const ui_style *s, int need_cols, int need_rows)
{
    werase(w);
    const int H = getmaxy(w), W = getmaxx(w);
    char msg[96], now[64];
    snprintf(msg, sizeof msg, "terminal too small (need %d%s%d)", need_cols, ui_glyph(s, "times"), need_rows);
    snprintf(now, sizeof now, "now %d%s%d", W, ui_glyph(s, "times"), H);
    int mw = ui_width(msg);
    int y = H / 2 - (H > 2 ? 1 : 0);
    ui_put(w, y, W > mw ? (W - mw) / 2 : 0, W, ui_attr(s, ROLE_WARN), msg);
    int nw = ui_width(now);
    if (H > 2) ui_put(w, y + 1, W > nw ? (W - nw) / 2 : 0, W, ui_attr(s, ROLE_DIM), now);
}
