/* rng.c — xoshiro256** seeded through splitmix64 (see rng.h). */
#include "rng.h"

#include <math.h>

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 expands one 64-bit seed into a well-mixed state, so even seeds
 * 0, 1, 2 give unrelated streams and the state is never all zero. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(s2s_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t rng_next(s2s_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Lemire's multiply-and-reject: the high 32 bits of x*n are uniform on
 * [0, n) once the few low products below 2^32 mod n are redrawn. */
uint32_t rng_below(s2s_rng *r, uint32_t n)
{
    if (n <= 1) return 0;
    uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        const uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (rng_next(r) >> 32) * (uint64_t)n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

float rng_uniform(s2s_rng *r)
{
    /* 24 bits: exactly representable in a float, so the result is < 1. */
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

float rng_normal(s2s_rng *r)
{
    /* u1 in (0, 1] (never 0, so log(u1) is finite); u2 in [0, 1).
     * 53-bit doubles keep the tails honest. */
    const double u1 = ((double)(rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    const double u2 = (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    const double two_pi = 6.283185307179586476925286766559;
    return (float)(sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
}
