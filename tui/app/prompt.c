/* prompt.c — line editing and history; see prompt.h. */
#include "prompt.h"

#include <string.h>

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

int utf8_next(const char *s, int len, int i)
{
    if (i >= len) return len;
    i++;
    while (i < len && is_cont((unsigned char)s[i])) i++;
    return i;
}

int utf8_prev(const char *s, int i)
{
    if (i <= 0) return 0;
    i--;
    while (i > 0 && is_cont((unsigned char)s[i])) i--;
    return i;
}

int utf8_count(const char *s, int bytes)
{
    int n = 0;
    for (int i = 0; i < bytes && s[i]; i++)
        if (!is_cont((unsigned char)s[i])) n++;
    return n;
}

/* Encodes a code point; returns the byte count, 0 if it is not a character. */
static int utf8_encode(uint32_t c, char out[4])
{
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return 0; /* controls */
    if (c >= 0xD800 && c <= 0xDFFF) return 0;                        /* surrogates */
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c < 0x110000) {
        out[0] = (char)(0xF0 | (c >> 18));
        out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[3] = (char)(0x80 | (c & 0x3F));
        return 4;
    }
    return 0;
}

void prompt_init(prompt_state *p)
{
    memset(p, 0, sizeof *p);
}

void prompt_set(prompt_state *p, const char *s)
{
    size_t n = strlen(s);
    if (n > PROMPT_MAX - 1) {
        n = PROMPT_MAX - 1;
        while (n > 0 && is_cont((unsigned char)s[n])) n--; /* whole characters only */
    }
    memcpy(p->line, s, n);
    p->line[n] = '\0';
    p->len = (int)n;
    p->cur = p->len;
}

/* Deletes bytes [a, b) of the line. */
static void cut(prompt_state *p, int a, int b)
{
    if (b <= a) return;
    memmove(p->line + a, p->line + b, (size_t)(p->len - b + 1));
    p->len -= b - a;
    if (p->cur > b)
        p->cur -= b - a;
    else if (p->cur > a)
        p->cur = a;
}

static int has_word(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t') return 1;
    return 0;
}

/* Adds s to the history unless it repeats the newest entry. */
static void history_add(prompt_state *p, const char *s)
{
    if (p->nhist > 0 && strcmp(p->hist[p->nhist - 1], s) == 0) return;
    if (p->nhist == PROMPT_HISTORY) {
        memmove(p->hist[0], p->hist[1], sizeof p->hist[0] * (PROMPT_HISTORY - 1));
        p->nhist--;
    }
    memcpy(p->hist[p->nhist++], s, strlen(s) + 1);
}

prompt_result prompt_key_apply(prompt_state *p, prompt_key k, uint32_t ch)
{
    switch (k) {
    case PK_CHAR: {
        char enc[4];
        int n = utf8_encode(ch, enc);
        if (n == 0 || p->len + n > PROMPT_MAX - 1) return PROMPT_NOTHING;
        memmove(p->line + p->cur + n, p->line + p->cur, (size_t)(p->len - p->cur + 1));
        memcpy(p->line + p->cur, enc, (size_t)n);
        p->len += n;
        p->cur += n;
        return PROMPT_EDITED;
    }
    case PK_LEFT:
        if (p->cur == 0) return PROMPT_NOTHING;
        p->cur = utf8_prev(p->line, p->cur);
        return PROMPT_EDITED;
    case PK_RIGHT:
        if (p->cur == p->len) return PROMPT_NOTHING;
        p->cur = utf8_next(p->line, p->len, p->cur);
        return PROMPT_EDITED;
    case PK_HOME:
        if (p->cur == 0) return PROMPT_NOTHING;
        p->cur = 0;
        return PROMPT_EDITED;
    case PK_END:
        if (p->cur == p->len) return PROMPT_NOTHING;
        p->cur = p->len;
        return PROMPT_EDITED;
    case PK_BACKSPACE:
        if (p->cur == 0) return PROMPT_NOTHING;
        cut(p, utf8_prev(p->line, p->cur), p->cur);
        return PROMPT_EDITED;
    case PK_DELETE:
        if (p->cur == p->len) return PROMPT_NOTHING;
        cut(p, p->cur, utf8_next(p->line, p->len, p->cur));
        return PROMPT_EDITED;
    case PK_KILL_LINE:
        if (p->cur == 0) return PROMPT_NOTHING;
        cut(p, 0, p->cur);
        return PROMPT_EDITED;
    case PK_KILL_WORD: {
        if (p->cur == 0) return PROMPT_NOTHING;
        int a = p->cur;
        while (a > 0 && (p->line[a - 1] == ' ' || p->line[a - 1] == '\t')) a--;
        while (a > 0 && p->line[a - 1] != ' ' && p->line[a - 1] != '\t') a--;
        cut(p, a, p->cur);
        return PROMPT_EDITED;
    }
    case PK_UP:
        if (p->hpos == 0 || p->nhist == 0) return PROMPT_NOTHING;
        if (p->hpos >= p->nhist) {
            p->hpos = p->nhist;
            memcpy(p->draft, p->line, (size_t)p->len + 1);
        }
        p->hpos--;
        prompt_set(p, p->hist[p->hpos]);
        return PROMPT_EDITED;
    case PK_DOWN:
        if (p->hpos >= p->nhist) return PROMPT_NOTHING;
        p->hpos++;
        prompt_set(p, p->hpos == p->nhist ? p->draft : p->hist[p->hpos]);
        return PROMPT_EDITED;
    case PK_ENTER:
        if (!has_word(p->line)) return PROMPT_NOTHING;
        memcpy(p->submitted, p->line, (size_t)p->len + 1);
        history_add(p, p->line);
        p->hpos = p->nhist;
        p->draft[0] = '\0';
        return PROMPT_SUBMIT;
    case PK_ESCAPE:
        if (p->len == 0 && p->hpos == p->nhist) return PROMPT_NOTHING;
        prompt_set(p, "");
        p->hpos = p->nhist;
        p->draft[0] = '\0';
        return PROMPT_EDITED;
    }
    return PROMPT_NOTHING;
}

/* ------------------------------------------------------------ the line */

/* Cells of the result showing words [a, b): the arrow, the words with an
 * ellipsis for each side cut (one alone for an empty run of a non-empty
 * output), a space, the verdict. */
static int result_cells(const prompt_fit_in *in, int a, int b)
{
    int c = in->arrow_w + in->verdict_w;
    if (in->n_words == 0) return c;
    if (a == b) return c + in->ell_w + 1;
    for (int k = a; k < b; k++) c += in->word_w[k] + (k > a);
    if (a > 0) c += in->ell_w + 1;
    if (b < in->n_words) c += 1 + in->ell_w;
    return c + 1;
}

void prompt_fit(const prompt_fit_in *in, prompt_fit_out *out)
{
    memset(out, 0, sizeof *out);
    out->res_x = -1;
    const int avail = in->width - 1; /* cells 0 .. width-2 */
    const int tw = in->text_w < 0 ? 0 : in->text_w;
    const int cc = in->cursor < 0 ? 0 : in->cursor > tw ? tw : in->cursor;
    const int n = in->has_result ? in->n_words : 0;
    out->field_w = avail - 2;
    if (in->has_result) {
        const int full = result_cells(in, 0, n);
        if (2 + tw + 1 + 2 + full <= avail) {
            /* All of it: the result from the middle, or right after the
             * text, moved left for the note when that makes it fit. */
            const int lo = 2 + tw + 3;
            int x = in->width / 2 > lo ? in->width / 2 : lo;
            if (x + full > avail) x = avail - full;
            if (in->note_w > 0) {
                if (x + full + 2 + in->note_w <= avail)
                    out->note = 1;
                else if (avail - full - 2 - in->note_w >= lo) {
                    x = avail - full - 2 - in->note_w;
                    out->note = 1;
                }
            }
            out->res_x = x;
            out->w0 = 0;
            out->w1 = n;
            out->end_x = x + full;
            out->field_w = x - 2 - 2;
        } else {
            const int share = (avail - 2) / (in->editing ? 2 : 3);
            int fw = avail - 2 - 2 - full;
            if (fw < share) fw = share;
            if (fw > tw + 1) fw = tw + 1;
            if (fw < 1) fw = 1;
            const int x = 2 + fw + 2, budget = avail - x;
            int a = 0, b = 0;
            if (n > 0) {
                const int f = in->focus < 0 ? 0 : in->focus >= n ? n - 1 : in->focus;
                a = f;
                b = result_cells(in, f, f + 1) <= budget ? f + 1 : f;
                for (int grew = b > a; grew;) {
                    grew = 0;
                    if (b < n && result_cells(in, a, b + 1) <= budget) {
                        b++;
                        grew = 1;
                    }
                    if (a > 0 && result_cells(in, a - 1, b) <= budget) {
                        a--;
                        grew = 1;
                    }
                }
            }
            if (result_cells(in, a, b) <= budget) {
                out->field_w = fw;
                out->res_x = x;
                out->w0 = a;
                out->w1 = b;
                out->end_x = x + result_cells(in, a, b);
            }
        }
    }
    if (out->field_w < 1) out->field_w = 1;
    out->skip = cc >= out->field_w ? cc - out->field_w + 1 : 0;
}
