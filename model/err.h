/* err.h — how the core reports failure.
 *
 * Every fallible function in model/ returns 0 on success or a non-zero
 * s2s_code, and fills a caller-owned s2s_error with a sentence that says what
 * went wrong and where. Nothing in model/ prints or calls exit().
 */
#ifndef S2S_ERR_H
#define S2S_ERR_H

#include <stddef.h>

typedef enum {
    S2S_OK = 0,
    S2S_ERR_ARG,         /* a bad argument or option value */
    S2S_ERR_IO,          /* open/read/write/rename failed */
    S2S_ERR_FORMAT,      /* a file is not what it claims to be */
    S2S_ERR_NOMEM,       /* allocation failed */
    S2S_ERR_DEVICE,      /* a backend (BLAS, CUDA) failed */
    S2S_ERR_UNSUPPORTED, /* asked for something this build lacks */
    S2S_ERR_INTERRUPTED  /* stopped on request (Ctrl-C, UI quit) */
} s2s_code;

typedef struct {
    s2s_code code;
    char msg[512];
} s2s_error;

/* Records code and a printf-style message in err (which may be NULL) and
 * returns code, so callers can write `return s2s_fail(err, S2S_ERR_IO, ...)`. */
int s2s_fail(s2s_error *err, s2s_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears err to S2S_OK / "". */
void s2s_error_clear(s2s_error *err);

/* A size in bytes as messages print it ("812 bytes", "3.4 KiB", "37 MiB",
 * "1.2 GiB"), written into buf (cap bytes) and returned. */
const char *s2s_size_str(char *buf, size_t cap, size_t bytes);
/* The same in a temporary that lives until the end of the enclosing block
 * (C only): s2s_fail(err, S2S_ERR_NOMEM, "out of memory for X (%s)", S2S_SIZE(n)). */
#define S2S_SIZE(bytes) s2s_size_str((char[24]){0}, 24, (bytes))

#endif
