/* ui.c — style, colours and text helpers of the terminal UI; see ui.h. */
#include "ui.h"

#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "assets/colormap.h"

enum { PAIR_HEAT0 = 32 };

/* ---------------------------------------------------------------- colours */

/* The xterm-256 colour nearest to (r, g, b): the 6x6x6 cube or the greys. */
static int xterm256(int r, int g, int b)
{
    static const int cube[6] = {0, 95, 135, 175, 215, 255};
    int best = 16;
    long bd = -1;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++) {
                long d = (long)(cube[i] - r) * (cube[i] - r) + (long)(cube[j] - g) * (cube[j] - g) +
                         (long)(cube[k] - b) * (cube[k] - b);
                if (bd < 0 || d < bd) {
                    bd = d;
                    best = 16 + 36 * i + 6 * j + k;
                }
            }
    for (int i = 0; i < 24; i++) {
        int v = 8 + 10 * i;
        long d = (long)(v - r) * (v - r) + (long)(v - g) * (v - g) + (long)(v - b) * (v - b);
        if (d < bd) {
            bd = d;
            best = 232 + i;
        }
    }
    return best;
}

void ui_style_init(ui_style *s, int no_color)
{
    memset(s, 0, sizeof *s);
    const char *cs = nl_langinfo(CODESET);
    s->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    if (no_color || !has_colors()) return;
    if (start_color() != OK) return;
    use_default_colors();
    s->color = 1;
    s->color256 = COLORS >= 256 && COLOR_PAIRS >= PAIR_HEAT0 + UI_HEAT_LEVELS;
    init_pair(ROLE_TITLE, COLOR_CYAN, -1);
    init_pair(ROLE_DIM, -1, -1);
    init_pair(ROLE_TRAIN, COLOR_CYAN, -1);
    init_pair(ROLE_VAL, COLOR_YELLOW, -1);
    init_pair(ROLE_BEST, COLOR_MAGENTA, -1);
    init_pair(ROLE_KEY, COLOR_BLACK, COLOR_CYAN);
    init_pair(ROLE_BAR, COLOR_GREEN, -1);
    init_pair(ROLE_GOOD, COLOR_GREEN, -1);
    init_pair(ROLE_WARN, COLOR_YELLOW, -1);
    init_pair(ROLE_ERROR, COLOR_RED, -1);
    init_pair(ROLE_UNKNOWN, COLOR_RED, -1);
    init_pair(ROLE_SELECT, COLOR_BLACK, COLOR_YELLOW);
    init_pair(ROLE_HEAT, COLOR_YELLOW, -1);
    if (s->color256) {
        /* The PNG's colour map (YlOrRd), sampled and matched to xterm-256. */
        for (int i = 0; i < UI_HEAT_LEVELS; i++) {
            const unsigned char *c = COLORMAP_YLORRD[i * 255 / (UI_HEAT_LEVELS - 1)];
            int bg = xterm256(c[0], c[1], c[2]);
            init_pair((short)(PAIR_HEAT0 + i), i < UI_HEAT_LEVELS / 2 ? COLOR_BLACK : COLOR_WHITE,
                      (short)bg);
        }
    }
}

attr_t ui_attr(const ui_style *s, ui_role r)
{
    if (!s->color) {
        switch (r) {
        case ROLE_TITLE: case ROLE_VAL: case ROLE_WARN: case ROLE_ERROR: return A_BOLD;
        case ROLE_DIM: return A_DIM;
        case ROLE_BEST: case ROLE_KEY: case ROLE_SELECT: return A_REVERSE;
        case ROLE_UNKNOWN: return A_UNDERLINE;
        default: return A_NORMAL;
        }
    }
    switch (r) {
    case ROLE_NORMAL: return A_NORMAL;
    case ROLE_DIM: return A_DIM;
    case ROLE_TITLE: case ROLE_BEST: case ROLE_ERROR: return COLOR_PAIR(r) | A_BOLD;
    default: return COLOR_PAIR(r);
    }
}

void ui_heat_cell(const ui_style *s, float w, attr_t *attr, const char **glyph)
{
    if (!(w >= 0.0f)) w = 0.0f;
    if (w > 1.0f) w = 1.0f;
    if (s->color256) {
        int i = (int)lroundf(w * (UI_HEAT_LEVELS - 1));
        *attr = COLOR_PAIR(PAIR_HEAT0 + i);
        *glyph = " ";
        return;
    }
    static const char *const utf[5] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93",
                                       "\xe2\x96\x88"};
    static const char *const asc[5] = {" ", ".", ":", "+", "#"};
    int i = w < 0.05f ? 0 : w < 0.25f ? 1 : w < 0.5f ? 2 : w < 0.75f ? 3 : 4;
    *attr = ui_attr(s, ROLE_HEAT);
    *glyph = s->utf8 ? utf[i] : asc[i];
}

/* ------------------------------------------------------------------- text */

/* Decodes one UTF-8 character at s; *len gets its bytes (1 for a bad byte). */
static unsigned decode(const char *s, int *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *len = 1;
        return u[0];
    }
    int n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    unsigned c = n == 4 ? u[0] & 0x07u : n == 3 ? u[0] & 0x0Fu : u[0] & 0x1Fu;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    *len = n;
    return n == 1 ? 0xFFFD : c;
}

/* ASCII for a few characters the UI uses. */
static const char *translit(unsigned c)
{
    switch (c) {
    case 0x2192: return "->";
    case 0x2190: return "<-";
    case 0x2713: return "v";
    case 0x2717: return "x";
    case 0x2014: case 0x2013: case 0x2500: case 0x2015: return "-";
    case 0x00B7: case 0x2022: return ".";
    case 0x2026: return "...";
    case 0x00D7: return "x";
    case 0x25B6: case 0x25B8: return ">";
    case 0x25C0: case 0x25C2: return "<";
    case 0x25B2: return "^";
    case 0x25BC: return "v";
    case 0x2502: return "|";
    case 0x2591: return ".";
    case 0x2592: return ":";
    case 0x2593: return "+";
    case 0x2588: return "#";
    case 0x25C6: return "*";
    case 0x25CF: return "o";
    case 0x03B1: return "a";
    case 0x03A3: return "S";
    default: return "?";
    }
}

int ui_width(const char *s)
{
    int n = 0;
    for (int len; *s; s += len) {
        (void)decode(s, &len);
        n++;
    }
    return n;
}

int ui_wrap(const char *s, int width, int *start, int *len, int max)
{
    if (width < 1) width = 1;
    int rows = 0, pos = 0;
    const int n = (int)strlen(s);
    for (;;) {
        while (rows > 0 && s[pos] == ' ') pos++; /* a row never starts with the break */
        /* Walk up to width characters, remembering the last space. */
        int p = pos, cells = 0, brk = -1, brk_cells = 0, clen;
        while (p < n && cells < width) {
            (void)decode(s + p, &clen);
            if (s[p] == ' ') {
                brk = p;
                brk_cells = cells;
            }
            p += clen;
            cells++;
        }
        int end = p, end_cells = cells;
        if (p < n && s[p] != ' ' && brk > pos) { /* a word runs past the edge: break before it */
            end = brk;
            end_cells = brk_cells;
        }
        if (rows < max) {
            start[rows] = pos;
            len[rows] = end_cells;
        }
        rows++;
        pos = end;
        if (pos >= n) break;
        if (s[pos] == ' ') pos++;
        if (pos >= n) break;
    }
    return rows;
}

int ui_put(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s)
{
    int W = getmaxx(w), H = getmaxy(w);
    if (y < 0 || y >= H || x < 0 || x >= W) return 0;
    if (maxw > W - x) maxw = W - x;
    if (maxw <= 0 || !s) return 0;
    /* (Writing the window's last cell leaves the cursor nowhere to go and
     * waddch says ERR, but the cell is written: scrollok is off.) */
    wattrset(w, a);
    wmove(w, y, x);
    int cells = 0;
    for (int len; *s && cells < maxw; s += len) {
        unsigned c = decode(s, &len);
        if (c < 0x20 || c == 0x7F) {
            waddch(w, '?');
            cells++;
        } else if (c < 0x80) {
            waddch(w, (chtype)c);
            cells++;
        } else if (MB_CUR_MAX > 1) {
            if (c == 0xFFFD)
                waddstr(w, "?");
            else
                waddnstr(w, s, len);
            cells++;
        } else {
            const char *t = translit(c);
            int tl = (int)strlen(t);
            if (cells + tl > maxw) tl = maxw - cells;
            waddnstr(w, t, tl);
            cells += tl;
        }
    }
    wattrset(w, A_NORMAL);
    return cells;
}

int ui_repeat(WINDOW *w, int y, int x, int n, attr_t a, const char *glyph)
{
    char buf[512];
    const size_t gl = strlen(glyph);
    size_t len = 0;
    int k = 0;
    for (; k < n && len + gl < sizeof buf; k++) {
        memcpy(buf + len, glyph, gl);
        len += gl;
    }
    buf[len] = '\0';
    return ui_put(w, y, x, k, a, buf);
}

const char *ui_glyph(const ui_style *s, const char *name)
{
    static const struct {
        const char *name, *utf, *asc;
    } G[] = {
        {"hline", "\xe2\x94\x80", "-"}, {"arrow", "\xe2\x86\x92", "->"},
        {"check", "\xe2\x9c\x93", "v"}, {"block", "\xe2\x96\x88", "#"},
        {"light", "\xe2\x96\x91", "."}, {"dot", "\xc2\xb7", "."},
        {"val", "\xe2\x97\x8f", "o"},   {"best", "\xe2\x97\x86", "*"},
        {"select", "\xe2\x96\xb6", ">"}, {"times", "\xc3\x97", "x"},
        {"alpha", "\xce\xb1", "a"},     {"sigma", "\xce\xa3", "sum"},
        {"ellipsis", "\xe2\x80\xa6", "..."},
        {"left", "\xe2\x97\x80", "<"},  {"right", "\xe2\x96\xb6", ">"},
        {"up", "\xe2\x96\xb2", "^"},    {"down", "\xe2\x96\xbc", "v"},
        {"space", "\xe2\x90\xa3", "_"},
    };
    for (size_t i = 0; i < sizeof G / sizeof G[0]; i++)
        if (strcmp(G[i].name, name) == 0) return s->utf8 ? G[i].utf : G[i].asc;
    return "?";
}

const char *ui_label(const ui_style *s, const char *token)
{
    return strcmp(token, " ") == 0 ? ui_glyph(s, "space") : token;
}

void ui_frame(WINDOW *w, const ui_style *s, const char *title)
{
    if (s->utf8) {
        cchar_t ls, rs, ts, bs, tl, tr, bl, br;
        setcchar(&ls, L"\u2502", 0, 0, NULL);
        rs = ls;
        setcchar(&ts, L"\u2500", 0, 0, NULL);
        bs = ts;
        setcchar(&tl, L"\u256d", 0, 0, NULL);
        setcchar(&tr, L"\u256e", 0, 0, NULL);
        setcchar(&bl, L"\u2570", 0, 0, NULL);
        setcchar(&br, L"\u256f", 0, 0, NULL);
        wborder_set(w, &ls, &rs, &ts, &bs, &tl, &tr, &bl, &br);
    } else {
        wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
    }
    if (title && getmaxx(w) > 6) {
        ui_put(w, 0, 1, 1, A_NORMAL, " ");
        int n = ui_put(w, 0, 2, getmaxx(w) - 5, ui_attr(s, ROLE_TITLE), title);
        ui_put(w, 0, 2 + n, 1, A_NORMAL, " ");
    }
}

/* ----------------------------------------------------------------- numbers */

void ui_si(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "-");
    else if (x >= 1e6)
        snprintf(buf, n, "%.2fM", x / 1e6);
    else if (x >= 1e4)
        snprintf(buf, n, "%.1fk", x / 1e3);
    else if (x >= 1e3)
        snprintf(buf, n, "%.2fk", x / 1e3);
    else
        snprintf(buf, n, "%.0f", x);
}

void ui_duration(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "-");
        return;
    }
    long t = (long)(s + 0.5);
    if (t < 60)
        snprintf(buf, n, "%lds", t);
    else if (t < 3600)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
}
