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
