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
