/* test_parity.c — our model against PyTorch, tensor by tensor.
 *
 * tests/ref/make_fixture.py builds the seed's network in PyTorch (float64) with
 * a tiny configuration, runs one padded batch through two training steps and
 * writes tests/ref/parity_fixture.bin (committed; CI needs no torch). This
 * test loads the same initial parameters into our model on the CPU backend,
 * runs the same steps in float32 and compares the loss, every gradient
 * tensor, the pre-clip gradient norm, and every parameter after clip + Adam.
 *
 * Fixture format (little-endian; make_fixture.py's docstring is the master):
 *   "S2SPAR01"; u32 V, E, H, L, attention;
 *   u32 ntensors, per tensor { u16 name length, name, u32 ndim, ndim x u32 dims };
 *   u32 nparams; f32 params0[nparams];
 *   u32 ncases, per case {
 *     u32 B, S, T, nsteps; f32 lr, beta1, beta2, eps, clip;
 *     i32 src[S*B] (time-major), src_len[B], tgt[T*B] (time-major), tgt_len[B];
 *     u8 feed[T];
 *     per step { f64 loss, f64 grad_norm; f32 grads[nparams] (pre-clip);
 *                f32 params[nparams] (after clip + Adam) } }
 *   "END!"
 *
 * Tolerances. The reference is exact to float32 precision; ours is float32.
 * Gradients: per tensor, max |ours - ref| / max(|ref|, 0.1 * max|ref|) <= 1e-4
 * — a relative error, floored at a tenth of the tensor's scale because small
 * entries are differences of larger terms and carry absolute, not relative,
 * float32 error (PyTorch's own float32 run reaches 2.8e-5 on this fixture, in
 * decoder.attention.W_s.weight, whose gradient is such a difference).
 * Parameters after Adam: |ours - ref| <= 1e-6 or <= 1e-5 |ref| (PyTorch
 * float32: 1.9e-7). Loss and norm: 1e-5 relative.
 *
 * The fixture is read from tests/ref/parity_fixture.bin relative to the
 * current directory (make runs tests from the repository root), or from
 * $S2S_PARITY_FIXTURE; the location attention model's (the same two cases)
 * from tests/ref/parity_fixture_location.bin, or $S2S_PARITY_FIXTURE_LOCATION.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "data.h"
#include "model.h"

#ifndef S2S_PARITY_FIXTURE
#define S2S_PARITY_FIXTURE "tests/ref/parity_fixture.bin"
#endif

#define GRAD_FLOOR 0.1   /* times max|ref| of the tensor */
#define GRAD_TOL 1e-4
#define PARAM_ATOL 1e-6
#define PARAM_RTOL 1e-5
#define SCALAR_RTOL 1e-5

typedef struct {
    double loss, norm;
    float *grads;   /* nparams, before clipping */
    float *params;  /* nparams, after clip + Adam */
} fx_step;

typedef struct {
    int B, S, T, nsteps;
    float lr, beta1, beta2, eps, clip;
    int *src, *src_len, *tgt, *tgt_len;
    unsigned char *feed;
    fx_step *steps;
} fx_case;

typedef struct {
    char name[64];
    int ndim, dims[2];
} fx_tensor;

typedef struct {
    unsigned char *data;  /* the whole file */
    int V, E, H, L, attention;
    int ntensors;
    fx_tensor *tensors;
    size_t nparams;
    float *params0;
    int ncases;
    fx_case *cases;
} fixture;

/* ---- reading: a bounds-checked cursor, so a truncated file fails cleanly ---- */

typedef struct {
    const unsigned char *p, *end;
    const char *path;
    int bad;
} cursor;

static int take(cursor *c, void *dst, size_t n, const char *what)
{
    if (c->bad) return -1;
    if ((size_t)(c->end - c->p) < n) {
        print_error("%s: truncated while reading %s\n", c->path, what);
        c->bad = 1;
        return -1;
    }
    if (dst) memcpy(dst, c->p, n);
    c->p += n;
    return 0;
}

/* The fixture is little-endian, as is every machine we build on; say so if not. */
static int host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint32_t get_u32(cursor *c, const char *what)
{
    uint32_t v = 0;
    take(c, &v, 4, what);
    return v;
}

static void free_fixture(fixture *f)
{
    if (!f) return;
    for (int i = 0; f->cases && i < f->ncases; i++) {
        free(f->cases[i].src);
        free(f->cases[i].src_len);
        free(f->cases[i].tgt);
        free(f->cases[i].tgt_len);
        free(f->cases[i].feed);
        for (int s = 0; f->cases[i].steps && s < f->cases[i].nsteps; s++) {
            free(f->cases[i].steps[s].grads);
            free(f->cases[i].steps[s].params);
        }
        free(f->cases[i].steps);
    }
    free(f->cases);
    free(f->tensors);
    free(f->params0);
    free(f->data);
    free(f);
}

static int *read_ints(cursor *c, size_t n, const char *what)
{
    int *a = calloc(n ? n : 1, sizeof *a);
    if (!a || take(c, a, n * 4, what)) { free(a); return NULL; }
    return a;
}

/* Floats are copied out of the byte buffer, so every array is aligned. */
static float *read_floats(cursor *c, size_t n, const char *what)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    if (!a || take(c, a, n * 4, what)) { free(a); return NULL; }
    return a;
}

static fixture *load_fixture(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        print_error("cannot open the parity fixture %s (run from the repository root, or set "
                    "S2S_PARITY_FIXTURE; python3 tests/ref/make_fixture.py rebuilds it)\n", path);
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    fixture *f = calloc(1, sizeof *f);
    if (!f || size <= 0 || !(f->data = malloc((size_t)size)) ||
        fread(f->data, 1, (size_t)size, fp) != (size_t)size) {
        print_error("%s: could not read %ld bytes\n", path, size);
        fclose(fp);
        free_fixture(f);
        return NULL;
    }
    fclose(fp);

    cursor c = {f->data, f->data + size, path, 0};
    char magic[8];
    take(&c, magic, 8, "magic");
    if (c.bad || memcmp(magic, "S2SPAR01", 8) != 0) {
        print_error("%s: not a parity fixture (bad magic)\n", path);
        free_fixture(f);
        return NULL;
    }
    f->V = (int)get_u32(&c, "V");
    f->E = (int)get_u32(&c, "E");
    f->H = (int)get_u32(&c, "H");
    f->L = (int)get_u32(&c, "L");
    f->attention = (int)get_u32(&c, "attention");
    f->ntensors = (int)get_u32(&c, "tensor count");
    if (c.bad || f->ntensors <= 0 || f->ntensors > 1000) goto bad;
    f->tensors = calloc((size_t)f->ntensors, sizeof *f->tensors);
    if (!f->tensors) goto bad;
    size_t total = 0;
    for (int i = 0; i < f->ntensors; i++) {
        fx_tensor *t = &f->tensors[i];
        uint16_t n = 0;
        take(&c, &n, 2, "tensor name length");
        if (n >= sizeof t->name) goto bad;
        take(&c, t->name, n, "tensor name");
        t->ndim = (int)get_u32(&c, "tensor ndim");
        if (c.bad || t->ndim < 1 || t->ndim > 2) goto bad;
        size_t numel = 1;
        for (int d = 0; d < t->ndim; d++) {
            t->dims[d] = (int)get_u32(&c, "tensor dim");
            numel *= (size_t)t->dims[d];
        }
        total += numel;
    }
    f->nparams = get_u32(&c, "nparams");
    if (c.bad || f->nparams != total) goto bad;
    if (!(f->params0 = read_floats(&c, f->nparams, "initial parameters"))) goto bad;
    f->ncases = (int)get_u32(&c, "case count");
    if (c.bad || f->ncases <= 0 || f->ncases > 16) goto bad;
    f->cases = calloc((size_t)f->ncases, sizeof *f->cases);
    if (!f->cases) goto bad;
    for (int k = 0; k < f->ncases; k++) {
        fx_case *cs = &f->cases[k];
        cs->B = (int)get_u32(&c, "B");
        cs->S = (int)get_u32(&c, "S");
        cs->T = (int)get_u32(&c, "T");
        cs->nsteps = (int)get_u32(&c, "nsteps");
        float hp[5];
        take(&c, hp, sizeof hp, "hyper-parameters");
        if (c.bad || cs->B <= 0 || cs->S <= 0 || cs->T < 2 || cs->nsteps <= 0 || cs->nsteps > 8)
            goto bad;
        cs->lr = hp[0], cs->beta1 = hp[1], cs->beta2 = hp[2], cs->eps = hp[3], cs->clip = hp[4];
        cs->src = read_ints(&c, (size_t)cs->S * cs->B, "src");
        cs->src_len = read_ints(&c, (size_t)cs->B, "src_len");
        cs->tgt = read_ints(&c, (size_t)cs->T * cs->B, "tgt");
        cs->tgt_len = read_ints(&c, (size_t)cs->B, "tgt_len");
        cs->feed = malloc((size_t)cs->T);
        cs->steps = calloc((size_t)cs->nsteps, sizeof *cs->steps);
        if (!cs->src || !cs->src_len || !cs->tgt || !cs->tgt_len || !cs->feed || !cs->steps)
            goto bad;
        if (take(&c, cs->feed, (size_t)cs->T, "feed")) goto bad;
        /* ids and lengths in range, so a damaged fixture fails here, not in the model */
        for (int i = 0; i < cs->S * cs->B; i++)
            if (cs->src[i] < 0 || cs->src[i] >= f->V) goto bad;
        for (int i = 0; i < cs->T * cs->B; i++)
            if (cs->tgt[i] < 0 || cs->tgt[i] >= f->V) goto bad;
        for (int i = 0; i < cs->B; i++)
            if (cs->src_len[i] < 1 || cs->src_len[i] > cs->S || cs->tgt_len[i] < 2 ||
                cs->tgt_len[i] > cs->T)
                goto bad;
        for (int s = 0; s < cs->nsteps; s++) {
            fx_step *st = &cs->steps[s];
            take(&c, &st->loss, 8, "loss");
            take(&c, &st->norm, 8, "norm");
            if (!(st->grads = read_floats(&c, f->nparams, "grads")) ||
                !(st->params = read_floats(&c, f->nparams, "params")))
                goto bad;
        }
    }
    char end[4];
    take(&c, end, 4, "end marker");
    if (c.bad || memcmp(end, "END!", 4) != 0 || c.p != c.end) goto bad;
    return f;
bad:
    print_error("%s: malformed parity fixture (near byte %ld); rebuild it with "
                "python3 tests/ref/make_fixture.py\n", path, (long)(c.p - f->data));
    free_fixture(f);
    return NULL;
}

/* ---- the comparison ---- */

static int setup(void **state)
{
    if (!host_is_little_endian()) {
        print_error("test_parity reads a little-endian fixture; this host is big-endian\n");
        return -1;
    }
    const char *path = getenv("S2S_PARITY_FIXTURE");
    fixture *f = load_fixture(path && *path ? path : S2S_PARITY_FIXTURE);
    if (!f) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free_fixture(*state);
    return 0;
}

static double rel(double a, double b)
{
    double d = fabs(a - b) / fmax(fabs(b), 1e-30);
    return isnan(d) ? INFINITY : d;
}

static double max_abs(const float *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)x[i]));
    return m;
}

/* Compares every gradient tensor; prints each one's error; returns the failures. */
static int compare_grads(const s2s_model *m, const float *ours, const float *ref)
{
    int fails = 0;
    for (int i = 0; i < model_num_tensors(m); i++) {
        const s2s_tensor_info *t = model_tensor(m, i);
        const float *a = ours + t->offset, *b = ref + t->offset;
        double scale = max_abs(b, t->numel);
        size_t wi;
        /* an all-zero reference tensor must be all zero here too */
        double e = max_rel_err(a, b, t->numel, scale > 0 ? GRAD_FLOOR * scale : 1e-30, &wi);
        int ok = e <= GRAD_TOL;
        fails += !ok;
        print_message("    grad  %-30s max rel err %.3e  (max|ref| %.2e; worst [%zu] %.9g vs %.9g)%s\n",
                      t->name, e, scale, wi, (double)a[wi], (double)b[wi], ok ? "" : "  FAIL");
    }
    return fails;
}

/* Parameters after Adam: element i passes if |a-b| <= PARAM_ATOL or <= PARAM_RTOL |b|. */
static int compare_params(const s2s_model *m, const float *ours, const float *ref)
{
    int fails = 0;
    for (int i = 0; i < model_num_tensors(m); i++) {
        const s2s_tensor_info *t = model_tensor(m, i);
        const float *a = ours + t->offset, *b = ref + t->offset;
        double worst = 0;
        size_t wi = 0, nbad = 0;
        for (size_t j = 0; j < t->numel; j++) {
            double d = fabs((double)a[j] - (double)b[j]);
            if (isnan(d)) d = INFINITY;
            if (d > PARAM_ATOL && d > PARAM_RTOL * fabs((double)b[j])) nbad++;
            if (d > worst) { worst = d; wi = j; }
        }
        fails += nbad > 0;
        print_message("    param %-30s max |diff| %.3e  (worst [%zu] %.9g vs %.9g)%s\n", t->name,
                      worst, wi, (double)a[wi], (double)b[wi],
                      nbad ? "  FAIL" : "");
        if (nbad) print_message("          %zu elements beyond 1e-6 abs and 1e-5 rel\n", nbad);
    }
    return fails;
}

/* Our tensor table must be the fixture's (= PyTorch's state_dict), in order. */
static void check_layout(const s2s_model *m, const fixture *f)
{
    assert_int_equal(model_num_tensors(m), f->ntensors);
    assert_int_equal(model_num_params(m), f->nparams);
    size_t off = 0;
    for (int i = 0; i < f->ntensors; i++) {
        const s2s_tensor_info *t = model_tensor(m, i);
        const fx_tensor *r = &f->tensors[i];
        if (strcmp(t->name, r->name) != 0 || t->ndim != r->ndim || t->dims[0] != r->dims[0] ||
            (r->ndim == 2 && t->dims[1] != r->dims[1]) || t->offset != off)
            fail_msg("tensor %d: ours %s (%d x %d at %zu), PyTorch %s (%d x %d at %zu)", i,
                     t->name, t->dims[0], t->ndim == 2 ? t->dims[1] : 1, t->offset, r->name,
                     r->dims[0], r->ndim == 2 ? r->dims[1] : 1, off);
        off += t->numel;
    }
}

static void run_case(const fixture *f, int k)
{
    const fx_case *cs = &f->cases[k];
    s2s_error err = {0};
    s2s_vocab vocab;
    CHECK_OK(vocab_create(&vocab, &err), &err);
    for (int i = S2S_NUM_SPECIAL; i < f->V; i++) {
        char w[16];
        int id;
        snprintf(w, sizeof w, "w%d", i);
        CHECK_OK(vocab_add(&vocab, w, &id, &err), &err);
        assert_int_equal(id, i);
    }
    assert_int_equal(vocab.size, f->V);

    s2s_config cfg = {.src_vocab = vocab.size, .tgt_vocab = vocab.size, .embed = f->E, .hidden = f->H, .layers = f->L,
                      .dropout = 0.0f, .attention = f->attention};
    s2s_backend *be = NULL;
    s2s_model *m = NULL;
    CHECK_OK(backend_cpu_create(&be, 1, &err), &err);
    CHECK_OK(model_create(&m, &cfg, be, &err), &err);
    check_layout(m, f);
    CHECK_OK(model_set_params(m, f->params0, &err), &err);

    s2s_batch b;
    memset(&b, 0, sizeof b);
    CHECK_OK(batch_create(&b, cs->B, cs->S, cs->T, &err), &err);
    b.B = cs->B, b.S = cs->S, b.T = cs->T, b.ntok = 0;
    memcpy(b.src, cs->src, sizeof(int) * (size_t)cs->S * cs->B);
    memcpy(b.tgt, cs->tgt, sizeof(int) * (size_t)cs->T * cs->B);
    memcpy(b.src_len, cs->src_len, sizeof(int) * (size_t)cs->B);
    memcpy(b.tgt_len, cs->tgt_len, sizeof(int) * (size_t)cs->B);
    for (int i = 0; i < cs->B; i++) b.ntok += cs->tgt_len[i] - 1;

    s2s_adam_opts o = {.lr = cs->lr, .beta1 = cs->beta1, .beta2 = cs->beta2, .eps = cs->eps,
                       .clip = cs->clip};
    float *host = malloc(f->nparams * sizeof(float));
    assert_non_null(host);
    int fails = 0;
    print_message("case %d: B=%d S=%d T=%d feed=", k, cs->B, cs->S, cs->T);
    for (int t = 0; t < cs->T; t++) print_message("%d", cs->feed[t]);
    print_message(" lr=%g betas=%g/%g eps=%g clip=%g\n", (double)cs->lr, (double)cs->beta1,
                  (double)cs->beta2, (double)cs->eps, (double)cs->clip);
    for (int s = 0; s < cs->nsteps; s++) {
        const fx_step *st = &cs->steps[s];
        float loss = NAN, norm = NAN;
        CHECK_OK(model_forward_backward(m, &b, cs->feed, 0, 0, &loss, &err), &err);
        double el = rel(loss, st->loss);
        fails += !(el <= SCALAR_RTOL);
        print_message("  step %d: loss %.9g vs %.9g (rel err %.2e)%s\n", s, (double)loss,
                      st->loss, el, el <= SCALAR_RTOL ? "" : "  FAIL");
        CHECK_OK(model_get_grads(m, host, &err), &err);
        fails += compare_grads(m, host, st->grads);

        CHECK_OK(model_clip_adam(m, &o, &norm, &err), &err);
        double en = rel(norm, st->norm);
        fails += !(en <= SCALAR_RTOL);
        print_message("  step %d: grad norm %.9g vs %.9g (rel err %.2e)%s\n", s, (double)norm,
                      st->norm, en, en <= SCALAR_RTOL ? "" : "  FAIL");
        assert_int_equal(model_adam_steps(m), s + 1);
        CHECK_OK(model_get_params(m, host, &err), &err);
        fails += compare_params(m, host, st->params);
    }
    free(host);
    batch_free(&b);
    model_free(m);
    backend_free(be);
    vocab_free(&vocab);
    if (fails) fail_msg("case %d: %d comparisons with PyTorch out of tolerance (see above)", k, fails);
}

static void test_teacher_forcing(void **state)
{
    run_case(*state, 0);
}

static void test_argmax_feeding(void **state)
{
    const fixture *f = *state;
    if (f->ncases < 2) fail_msg("the fixture has no second case");
    run_case(f, 1);
}

/* The location attention fixture: the same two cases on a location model. */
#ifndef S2S_PARITY_FIXTURE_LOCATION
#define S2S_PARITY_FIXTURE_LOCATION "tests/ref/parity_fixture_location.bin"
#endif

static int setup_location(void **state)
{
    const char *path = getenv("S2S_PARITY_FIXTURE_LOCATION");
    fixture *f = load_fixture(path && *path ? path : S2S_PARITY_FIXTURE_LOCATION);
    if (!f) return -1;
    *state = f;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teacher_forcing),
        cmocka_unit_test(test_argmax_feeding),
    };
    const struct CMUnitTest location[] = {
        cmocka_unit_test(test_teacher_forcing),
        cmocka_unit_test(test_argmax_feeding),
    };
    int failed = cmocka_run_group_tests_name("bahdanau", tests, setup, teardown);
    return failed + cmocka_run_group_tests_name("location", location, setup_location, teardown);
}
