/* verdict.c — right or wrong, and outside the training data; see verdict.h. */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

/* out against ref, or against in reversed when reversed is set. */
static void compare(verdict *v, const char *const *in, int n_in, int reversed,
                    const char *const *out, int n_out)
{
    if (n_in < 0) n_in = 0;
    if (n_out < 0) n_out = 0;
    v->n_in = n_in;
    v->n_out = n_out;
    v->first_wrong = -1;
    const int common = n_in < n_out ? n_in : n_out;
    for (int t = 0; t < common; t++)
        if (strcmp(out[t], in[reversed ? n_in - 1 - t : t]) != 0) {
            v->kind = VERDICT_WRONG;
            v->first_wrong = t;
            return;
        }
    if (n_out < n_in) {
        v->kind = VERDICT_SHORT;
    } else if (n_out > n_in) {
        v->kind = VERDICT_LONG;
        v->first_wrong = n_in;
    } else {
        v->kind = VERDICT_RIGHT;
    }
}

void verdict_check(verdict *v, const char *const *in, int n_in, const char *const *out, int n_out)
{
    compare(v, in, n_in, 1, out, n_out);
}

void verdict_check_ref(verdict *v, const char *const *ref, int n_ref, const char *const *out,
                       int n_out)
{
    if (!ref) {
        *v = (verdict){VERDICT_NONE, -1, 0, n_out};
        return;
    }
    compare(v, ref, n_ref, 0, out, n_out);
}

int verdict_focus(const verdict *v)
{
    if (v->first_wrong >= 0) return v->first_wrong;
    if (v->kind == VERDICT_SHORT && v->n_out > 0) return v->n_out - 1;
    return 0;
}

static const char *mark(int right, int utf8)
{
    if (right) return utf8 ? "\xe2\x9c\x93" : "OK"; /* ✓ */
    return utf8 ? "\xe2\x9c\x97" : "X";             /* ✗ */
}

int verdict_short(char *buf, size_t n, const verdict *v, int utf8)
{
    const char *x = mark(0, utf8);
    switch (v->kind) {
    case VERDICT_RIGHT: return snprintf(buf, n, "%s", mark(1, utf8));
    case VERDICT_WRONG: return snprintf(buf, n, "%s word %d wrong", x, v->first_wrong + 1);
    case VERDICT_SHORT: return snprintf(buf, n, "%s stopped early", x);
    case VERDICT_LONG: return snprintf(buf, n, "%s too long", x);
    case VERDICT_NONE: return snprintf(buf, n, "%s", "");
    }
    return snprintf(buf, n, "%s", x);
}

int verdict_long(char *buf, size_t n, const verdict *v, int utf8)
{
    const char *x = mark(0, utf8);
    switch (v->kind) {
    case VERDICT_RIGHT: return snprintf(buf, n, "%s right", mark(1, utf8));
    case VERDICT_WRONG:
        if (v->n_out == v->n_in)
            return snprintf(buf, n, "%s word %d is wrong", x, v->first_wrong + 1);
        return snprintf(buf, n, "%s word %d is wrong (%d word%s for %d)", x, v->first_wrong + 1,
                        v->n_out, v->n_out == 1 ? "" : "s", v->n_in);
    case VERDICT_SHORT:
        if (v->n_out == 0) return snprintf(buf, n, "%s no words", x);
        return snprintf(buf, n, "%s stopped early: %d of %d words", x, v->n_out, v->n_in);
    case VERDICT_LONG:
        return snprintf(buf, n, "%s too long: %d words for %d", x, v->n_out, v->n_in);
    case VERDICT_NONE: return snprintf(buf, n, "(no known answer to check)");
    }
    return snprintf(buf, n, "%s", x);
}

/* The noun for k tokens: words, or characters for a character model. */
static const char *unit(const input_scope *s, int k)
{
    if (s->chars) return k == 1 ? "character" : "characters";
    return k == 1 ? "word" : "words";
}

int scope_notes(const input_scope *s, char notes[SCOPE_NOTES][SCOPE_NOTE_LEN])
{
    int k = 0;
    /* "—" is U+2014; the UI shows "-" without UTF-8. */
    if (s->longest > 0 && s->words > s->longest)
        snprintf(notes[k++], SCOPE_NOTE_LEN, "%d %s \xe2\x80\x94 longest training sentence: %d",
                 s->words, unit(s, s->words), s->longest);
    else if (s->shortest > 0 && s->words > 0 && s->words < s->shortest)
        snprintf(notes[k++], SCOPE_NOTE_LEN, "%d %s \xe2\x80\x94 shortest training sentence: %d",
                 s->words, unit(s, s->words), s->shortest);
    if (s->unseen > 0)
        snprintf(notes[k++], SCOPE_NOTE_LEN, "%d %s never seen: marked ?", s->unseen,
                 unit(s, s->unseen));
    return k;
}

int scope_short(char *buf, size_t n, const input_scope *s, int utf8)
{
    int len = 0;
    buf[0] = '\0';
    const char *sep = utf8 ? " \xc2\xb7 " : "; ";
#define ADD(...)                                                                          \
    do {                                                                                  \
        int k_ = snprintf(buf + len, n > (size_t)len ? n - (size_t)len : 0, __VA_ARGS__); \
        if (k_ > 0) len += k_;                                                            \
        if ((size_t)len >= n) len = n > 0 ? (int)n - 1 : 0;                               \
    } while (0)
    if (s->longest > 0 && s->words > s->longest)
        ADD("%d %s > %d trained", s->words, unit(s, s->words), s->longest);
    else if (s->shortest > 0 && s->words > 0 && s->words < s->shortest)
        ADD("%d %s < %d trained", s->words, unit(s, s->words), s->shortest);
    if (s->unseen > 0) ADD("%s%d unseen ?", len ? sep : "", s->unseen);
#undef ADD
    return len;
}
