#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int s2s_fail(s2s_error *err, s2s_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return (int)code;
}

void s2s_error_clear(s2s_error *err)
{
    if (err) {
        err->code = S2S_OK;
        err->msg[0] = '\0';
    }
}

const char *s2s_size_str(char *buf, size_t cap, size_t bytes)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, cap, "%zu byte%s", bytes, bytes == 1 ? "" : "s");
        return buf;
    }
    double x = (double)bytes / 1024.0;
    int u = 0;
    while (x >= 1024.0 && u < 3) {
        x /= 1024.0;
        u++;
    }
    /* One decimal below 10 ("3.4 MiB"), none above ("37 MiB"). */
    snprintf(buf, cap, x < 9.95 ? "%.1f %s" : "%.0f %s", x, unit[u]);
    return buf;
}
