#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_open(s2s_atomic *a, const char *path, const char *mode, s2s_error *err)
{
    memset(a, 0, sizeof *a);
    if (!path || !*path) return s2s_fail(err, S2S_ERR_ARG, "no output file name");
    struct stat st;
    /* PATH.tmp could be created beside a directory; say what is wrong first. */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", path, strerror(EISDIR));
    size_t n = strlen(path) + 5;
    a->tmp = malloc(n);
    if (!a->tmp)
        return s2s_fail(err, S2S_ERR_NOMEM,
                        "cannot write %s: out of memory for its temporary name (%zu bytes)", path,
                        n);
    snprintf(a->tmp, n, "%s.tmp", path);
    a->f = fopen(a->tmp, mode);
    if (!a->f) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        return s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    a->path = path;
    return 0;
}

/* fsync of the directory holding path, so the rename itself is durable;
 * best effort (some file systems refuse). */
static void sync_dir(const char *path)
{
    size_t n = strlen(path);
    char *dir = malloc(n + 2);
    if (!dir) return;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int atomic_commit(s2s_atomic *a, int durable, s2s_error *err)
{
    int e = 0;
    if (ferror(a->f) || fflush(a->f) != 0) e = errno ? errno : EIO;
    if (!e && durable && fsync(fileno(a->f)) != 0) e = errno;
    if (fclose(a->f) != 0 && !e) e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0) e = errno;
    if (e) remove(a->tmp);
    else if (durable) sync_dir(a->path);
    free(a->tmp);
    a->tmp = NULL;
    return e ? s2s_fail(err, S2S_ERR_IO, "cannot write %s: %s", a->path, strerror(e)) : 0;
}

void atomic_abort(s2s_atomic *a)
{
    if (a->f) fclose(a->f);
    if (a->tmp) remove(a->tmp);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}
