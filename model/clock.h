/* clock.h — the one clock every part times itself with: monotonic seconds. */
#ifndef S2S_CLOCK_H
#define S2S_CLOCK_H

#include <time.h>

static inline double s2s_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
