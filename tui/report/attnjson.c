/* attnjson.c — attention matrices as JSON Lines; see attnjson.h. */
#include "attnjson.h"

#include <errno.h>
#include <string.h>

int attn_jsonl_open(attn_jsonl *j, const char *path, s2s_error *err)
{
    memset(j, 0, sizeof *j);
    j->f = fopen(path, "w");
    if (!j->f) return s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    j->path = path;
    return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * other bytes (UTF-8) as they are. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_strings(FILE *f, const char *key, const char *const *s, int n)
{
    fprintf(f, "\"%s\": [", key);
    for (int i = 0; i < n; i++) {
        if (i) fputs(", ", f);
        put_string(f, s[i]);
    }
    fputc(']', f);
}

int attn_jsonl_write(attn_jsonl *j, const char *const *src, int n_src, const char *const *out,
                     int steps, const float *attn, const char *const *ref, int n_ref, int match,
                     s2s_error *err)
{
    FILE *f = j->f;
    fputc('{', f);
    put_strings(f, "source", src, n_src);
    fputs(", ", f);
    put_strings(f, "output", out, steps);
    fputs(", \"attention\": ", f);
    if (!attn) {
        fputs("null", f);
    } else {
        fputc('[', f);
        for (int t = 0; t < steps; t++) {
            fputs(t ? ", [" : "[", f);
            for (int s = 0; s < n_src; s++)
                fprintf(f, "%s%.6g", s ? ", " : "", (double)attn[(size_t)t * n_src + s]);
            fputc(']', f);
        }
        fputc(']', f);
    }
    if (ref) {
        fputs(", ", f);
        put_strings(f, "reference", ref, n_ref);
        fprintf(f, ", \"match\": %s", match ? "true" : "false");
    }
    fputs("}\n", f);
    if (ferror(f))
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s (line %ld): %s", j->path,
                        j->written + 1, strerror(errno));
    j->written++;
    return 0;
}

int attn_jsonl_close(attn_jsonl *j, s2s_error *err)
{
    if (!j->f) return 0;
    const int bad = ferror(j->f) | fflush(j->f);
    const int e = errno;
    const int closed = fclose(j->f);
    j->f = NULL;
    if (bad || closed)
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", j->path,
                        strerror(bad ? e : errno));
    return 0;
}
