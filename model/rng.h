/* rng.h — our own deterministic random numbers.
 *
 * xoshiro256** seeded through splitmix64: the same seed gives the same
 * sequence on every platform, so data, initial weights, shuffles and
 * teacher-forcing draws are reproducible bit for bit.
 *
 * Dropout uses rng_hash01(), a counter-based generator (a pure function of
 * seed and index) so a CPU and a GPU backend draw the same masks without
 * sharing state.
 */
#ifndef S2S_RNG_H
#define S2S_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} s2s_rng;

void rng_seed(s2s_rng *r, uint64_t seed);
uint64_t rng_next(s2s_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(s2s_rng *r, uint32_t n);
/* Uniform float in [0, 1) with 24 random bits. */
float rng_uniform(s2s_rng *r);
/* Standard normal (Box–Muller). */
float rng_normal(s2s_rng *r);

/* A well-mixed 64-bit hash of (seed, index): splitmix64's finaliser. */
static inline uint64_t rng_mix64(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform float in [0, 1) from (seed, index). */
static inline float rng_hash01(uint64_t seed, uint64_t index)
{
    return (float)(rng_mix64(seed, index) >> 40) * (1.0f / 16777216.0f);
}

#endif
