/* gemv_cpu.h — matrix-vector products for decoding one sentence on the CPU,
 * split by rows with a helper thread (gemv_cpu.c says why). */
#ifndef S2S_GEMV_CPU_H
#define S2S_GEMV_CPU_H

/* A helper thread and what it is given to do. */
typedef struct gemv_team gemv_team;

/* Starts the helper (asleep until the first product); 0, or −1 when no
 * thread could be had (gemv_run then computes alone). */
int gemv_team_create(gemv_team **out);
/* Stops and joins the helper; NULL is fine. */
void gemv_team_free(gemv_team *t);
/* y(out) = W x (accumulate: y += W x), W (out, in) with rows ldw floats
 * apart. With a team and a large enough W, the helper takes the second half
 * of the rows; the result is the same bits either way. t may be NULL; one
 * caller at a time uses the helper, others compute alone. */
void gemv_run(gemv_team *t, float *y, const float *W, int ldw, const float *x, int out, int in,
              int accumulate);

#endif
