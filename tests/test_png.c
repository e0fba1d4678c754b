/* test_png.c — the PNG figures, read back with libpng: sizes follow the
 * sentence, cell colours are monotone in the weight, every label is drawn,
 * bad paths give clear I/O errors and leave no temporary file, and bad
 * input is refused or drawn without a crash. */
#include "testutil.h"

#include <errno.h>
#include <png.h> /* libpng, to read the images back */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raster.h"
#include "figures.h"

/* ---------------------------------------------------------------- helpers */

typedef struct {
    int w, h;
    unsigned char *px; /* RGB */
} image;

/* Reads path as 8-bit RGB; fails the test if it is not a PNG. */
static image read_png(const char *path)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) fail_msg("%s: %s", path, pi.message);
    pi.format = PNG_FORMAT_RGB;
    image im = {(int)pi.width, (int)pi.height, malloc(PNG_IMAGE_SIZE(pi))};
    assert_non_null(im.px);
    if (!png_image_finish_read(&pi, NULL, im.px, 0, NULL)) fail_msg("%s: %s", path, pi.message);
    return im;
}

static const unsigned char *pixel(const image *im, int x, int y)
{
    assert_true(x >= 0 && y >= 0 && x < im->w && y < im->h);
    return im->px + 3 * ((size_t)y * (size_t)im->w + (size_t)x);
}

static double luminance_at(const image *im, int x, int y)
{
    const unsigned char *p = pixel(im, x, y);
    return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
}

/* Pixels in the rectangle that are not the white background. */
static int ink_in(const image *im, int x, int y, int w, int h)
{
    int n = 0;
    for (int yy = y; yy < y + h; yy++)
        for (int xx = x; xx < x + w; xx++) {
            const unsigned char *p = pixel(im, xx, yy);
            n += p[0] < 200 || p[1] < 200 || p[2] < 200;
        }
    return n;
}

/* Pixels within tol of colour (r, g, b) anywhere in the image. */
static int count_colour(const image *im, int r, int g, int b, int tol)
{
    int n = 0;
    for (size_t i = 0; i < (size_t)im->w * (size_t)im->h; i++) {
        const unsigned char *p = im->px + 3 * i;
        n += abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
    }
    return n;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh directory for one test's files, removed by cleanup_dir. */
static char *make_dir(void)
{
    char *d = strdup("/tmp/test_png.XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static void cleanup_dir(char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static void path_in(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* A sentence of n words (from the seed's list) with an anti-diagonal
 * attention matrix: rows = the reversed words and <EOS>, columns = the
 * words and <EOS>, most weight on the mirrored word. */
typedef struct {
    const char *src[32], *out[32];
    float w[32 * 32];
    s2s_heatmap h;
} sentence_map;

static void make_map(sentence_map *m, int n, const char *title)
{
    static const char *words[] = {"the", "quick", "brown", "fox", "jumps", "over",
                                  "lazy", "dog", "drinks", "cold", "tea", "today"};
    const int S = n + 1;
    for (int i = 0; i < n; i++) {
        m->src[i] = words[i % 12];
        m->out[i] = words[(n - 1 - i) % 12];
    }
    m->src[n] = m->out[n] = "<EOS>";
    for (int t = 0; t < S; t++)
        for (int s = 0; s < S; s++) {
            int peak = t < n ? n - 1 - t : n;
            m->w[t * S + s] = s == peak ? 0.8f : 0.2f / (float)(S - 1);
        }
    m->h = (s2s_heatmap){m->src, S, m->out, S, m->w, title};
}

/* ------------------------------------------------------------- heatmaps */

static void test_heatmap_size_follows_sentence(void **state)
{
    (void)state;
    char *dir = make_dir(), p3[256], p10[256], tmp[300];
    s2s_error err;
    sentence_map m3, m10;
    make_map(&m3, 3, NULL);
    make_map(&m10, 10, "Attention Weights: \"the quick brown fox\"");
    path_in(p3, sizeof p3, dir, "h3.png");
    path_in(p10, sizeof p10, dir, "h10.png");
    CHECK_OK(png_write_heatmap(p3, &m3.h, &err), &err);
    CHECK_OK(png_write_heatmap(p10, &m10.h, &err), &err);

    png_heatmap_geom g3, g10;
    CHECK_OK(png_heatmap_geometry(&m3.h, &g3, &err), &err);
    CHECK_OK(png_heatmap_geometry(&m10.h, &g10, &err), &err);
    image a = read_png(p3), b = read_png(p10);
    /* The file is the size the layout says, and a longer sentence is a
     * larger picture in both directions, by whole cells. */
    assert_int_equal(a.w, g3.width);
    assert_int_equal(a.h, g3.height);
    assert_int_equal(b.w, g10.width);
    assert_int_equal(b.h, g10.height);
    assert_true(b.w > a.w && b.h > a.h);
    assert_int_equal(g3.grid.w, 4 * g3.cell);
    assert_int_equal(g10.grid.h, 11 * g10.cell);
    /* Cells large enough to read at 100%. */
    assert_true(g3.cell >= 40 && g10.cell >= 40);
    /* Sane sizes: a figure, not a thumbnail or a poster. */
    assert_true(a.w >= 300 && a.w <= 2000 && a.h >= 250 && a.h <= 2000);
    assert_true(b.w <= 2000 && b.h <= 2000);
    /* Renamed into place: no temporary file is left. */
    snprintf(tmp, sizeof tmp, "%s.tmp", p10);
    assert_false(file_exists(tmp));
    free(a.px);
    free(b.px);
    cleanup_dir(dir);
}

static void test_heatmap_colours_monotone(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256];
    s2s_error err;
    sentence_map m;
    make_map(&m, 10, NULL);
    /* Weights rising from 0 to 1 across all 121 cells, row by row. */
    const int S = 11, N = S * S;
    for (int i = 0; i < N; i++) m.w[i] = (float)i / (float)(N - 1);
    path_in(path, sizeof path, dir, "mono.png");
    CHECK_OK(png_write_heatmap(path, &m.h, &err), &err);
    png_heatmap_geom g;
    CHECK_OK(png_heatmap_geometry(&m.h, &g, &err), &err);
    image im = read_png(path);
    /* Sampled near each cell's corner, clear of the printed value: YlOrRd's
     * luminance falls strictly as the weight rises. */
    double prev = 1e9;
    for (int i = 0; i < N; i++) {
        int x = g.grid.x + (i % S) * g.cell + 4, y = g.grid.y + (i / S) * g.cell + 4;
        double l = luminance_at(&im, x, y);
        if (!(l < prev)) fail_msg("cell %d (weight %.3f): luminance %.1f, not below %.1f", i,
                                  (double)m.w[i], l, prev);
        prev = l;
    }
    /* The ends of the map: weight 0 light yellow, weight 1 dark red. */
    const unsigned char *lo = pixel(&im, g.grid.x + 4, g.grid.y + 4);
    const unsigned char *hi = pixel(&im, g.grid.x + 10 * g.cell + 4, g.grid.y + 10 * g.cell + 4);
    assert_true(lo[0] > 240 && lo[1] > 240 && lo[2] > 180);
    assert_true(hi[0] > 100 && hi[1] < 20 && hi[2] < 60);
    /* The colour bar runs the same way: dark at the top (1), light at the
     * bottom (0). */
    int cx = g.colorbar.x + g.colorbar.w / 2;
    assert_true(luminance_at(&im, cx, g.colorbar.y + 1) <
                luminance_at(&im, cx, g.colorbar.y + g.colorbar.h - 2));
    free(im.px);
    cleanup_dir(dir);
}

static void test_heatmap_labels_drawn(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256];
    s2s_error err;
    for (int n = 3; n <= 10; n += 7) {
        sentence_map m;
        make_map(&m, n, "a title");
        path_in(path, sizeof path, dir, "labels.png");
        CHECK_OK(png_write_heatmap(path, &m.h, &err), &err);
        png_heatmap_geom g;
        CHECK_OK(png_heatmap_geometry(&m.h, &g, &err), &err);
        image im = read_png(path);
        const int S = n + 1;
        for (int s = 0; s < S; s++)
            if (!ink_in(&im, g.grid.x + s * g.cell, g.x_labels.y, g.cell, g.x_labels.h))
                fail_msg("%d words: no label under column %d ('%s')", n, s, m.src[s]);
        for (int t = 0; t < S; t++)
            if (!ink_in(&im, g.y_labels.x, g.grid.y + t * g.cell, g.y_labels.w, g.cell))
                fail_msg("%d words: no label beside row %d ('%s')", n, t, m.out[t]);
        const png_rect *r[] = {&g.title, &g.x_title, &g.y_title, &g.colorbar_labels,
                               &g.colorbar_title};
        const char *what[] = {"title", "x axis title", "y axis title", "colour bar ticks",
                              "colour bar title"};
        for (int k = 0; k < 5; k++)
            if (!ink_in(&im, r[k]->x, r[k]->y, r[k]->w, r[k]->h))
                fail_msg("%d words: the %s is not drawn", n, what[k]);
        /* Nothing is drawn outside the image's own margins: the layout fits. */
        assert_true(g.grid.x > 0 && g.colorbar_title.x + g.colorbar_title.w < im.w);
        assert_true(g.x_title.y + g.x_title.h < im.h);

        /* The weight is printed in a cell with 0.8 (dark: light text) and
         * not in one with 0.2/n (< 0.1: a plain cell). */
        int peak_x = g.grid.x + (n - 1) * g.cell, peak_y = g.grid.y;
        int light = 0, dark = 0;
        for (int y = peak_y; y < peak_y + g.cell - 1; y++)
            for (int x = peak_x; x < peak_x + g.cell - 1; x++) {
                double l = luminance_at(&im, x, y);
                light += l > 200;
                dark += l < 120;
            }
        assert_true(light > 20 && dark > 100);
        const double l0 = luminance_at(&im, g.grid.x + 2, g.grid.y + 2);
        for (int y = g.grid.y; y < g.grid.y + g.cell - 1; y++)
            for (int x = g.grid.x; x < g.grid.x + g.cell - 1; x++)
                assert_true(fabs(luminance_at(&im, x, y) - l0) < 1e-9);
        free(im.px);
    }
    cleanup_dir(dir);
}

static void test_heatmap_bad_paths(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256], tmp[300];
    s2s_error err;
    sentence_map m;
    make_map(&m, 3, NULL);

    /* A directory that does not exist. */
    s2s_error_clear(&err);
    assert_int_equal(png_write_heatmap("/nonexistent/dir/x.png", &m.h, &err), S2S_ERR_IO);
    assert_int_equal(err.code, S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.png"));
    assert_non_null(strstr(err.msg, strerror(ENOENT)));
    assert_false(file_exists("/nonexistent/dir/x.png.tmp"));

    /* The path is a directory: refused before anything is written. */
    path_in(path, sizeof path, dir, "adir");
    assert_int_equal(mkdir(path, 0755), 0);
    s2s_error_clear(&err);
    assert_int_equal(png_write_heatmap(path, &m.h, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, strerror(EISDIR)));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_false(file_exists(tmp));

    /* A path through a regular file. */
    path_in(path, sizeof path, dir, "afile");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    path_in(path, sizeof path, dir, "afile/x.png");
    s2s_error_clear(&err);
    assert_int_equal(png_write_heatmap(path, &m.h, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, strerror(ENOTDIR)));

    /* An empty name. */
    assert_int_equal(png_write_heatmap("", &m.h, &err), S2S_ERR_ARG);

    /* Overwriting an existing figure works, through the rename. */
    path_in(path, sizeof path, dir, "again.png");
    CHECK_OK(png_write_heatmap(path, &m.h, &err), &err);
    CHECK_OK(png_write_heatmap(path, &m.h, &err), &err);
    image im = read_png(path);
    free(im.px);

    /* The directory holds only what the test made. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test \"$(ls '%s' | tr '\\n' ' ')\" = 'adir afile again.png '", dir);
    assert_int_equal(system(cmd), 0);
    cleanup_dir(dir);
}

static void test_heatmap_bad_input(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256];
    s2s_error err;
    sentence_map m;
    make_map(&m, 3, NULL);
    path_in(path, sizeof path, dir, "bad.png");

    s2s_heatmap h = m.h;
    h.n_src = 0;
    assert_int_equal(png_write_heatmap(path, &h, &err), S2S_ERR_ARG);
    h = m.h;
    h.n_out = 0;
    assert_int_equal(png_write_heatmap(path, &h, &err), S2S_ERR_ARG);
    h = m.h;
    h.weights = NULL;
    assert_int_equal(png_write_heatmap(path, &h, &err), S2S_ERR_ARG);
    h = m.h;
    h.src = NULL;
    assert_int_equal(png_write_heatmap(path, &h, &err), S2S_ERR_ARG);
    assert_int_equal(png_write_heatmap(path, NULL, &err), S2S_ERR_ARG);
    assert_false(file_exists(path));

    /* NaN, infinite and out-of-range weights are drawn, not a crash; a
     * label of non-ASCII or great length is drawn too. */
    m.w[0] = NAN;
    m.w[1] = INFINITY;
    m.w[2] = -3.0f;
    m.w[3] = 7.0f;
    m.src[0] = "caf\xc3\xa9";
    m.out[1] = "an-extraordinarily-long-word-for-a-label";
    CHECK_OK(png_write_heatmap(path, &m.h, &err), &err);
    image im = read_png(path);
    free(im.px);

    /* One row, one column: still a figure with a readable colour bar. */
    const char *one[] = {"<EOS>"};
    float w1 = 1.0f;
    s2s_heatmap h1 = {one, 1, one, 1, &w1, NULL};
    CHECK_OK(png_write_heatmap(path, &h1, &err), &err);
    png_heatmap_geom g;
    CHECK_OK(png_heatmap_geometry(&h1, &g, &err), &err);
    assert_true(g.colorbar.h >= 150);
    assert_true(g.y_title.y > g.title.y + g.title.h); /* the y title clears the title */
    im = read_png(path);
    assert_int_equal(im.w, g.width);
    assert_int_equal(im.h, g.height);
    free(im.px);
    cleanup_dir(dir);
}

/* ---------------------------------------------------------- line plots */

static void test_loss_curve(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256], csv[256];
    s2s_error err;
    float tr[30], va[30];
    for (int i = 0; i < 30; i++) {
        tr[i] = 2.0f * expf(-0.3f * (float)i);
        va[i] = 0.7f * expf(-0.25f * (float)i) + (i > 20 ? 0.001f * (float)(i - 20) : 0.0f);
    }
    path_in(path, sizeof path, dir, "loss.png");
    CHECK_OK(png_write_loss_curve(path, tr, va, 30, &err), &err);
    image im = read_png(path);
    assert_true(im.w >= 400 && im.w <= 2000 && im.h >= 300 && im.h <= 1500);
    /* Both lines are there, in their two colours (tab10 blue and orange). */
    assert_true(count_colour(&im, 31, 119, 180, 12) > 200);
    assert_true(count_colour(&im, 255, 127, 14, 12) > 200);
    free(im.px);

    /* One epoch, and a run whose first loss is NaN: drawn. */
    CHECK_OK(png_write_loss_curve(path, tr, va, 1, &err), &err);
    tr[0] = NAN;
    va[3] = INFINITY;
    CHECK_OK(png_write_loss_curve(path, tr, va, 30, &err), &err);
    /* Nothing to draw: refused. */
    float nan2[2] = {NAN, NAN}, zero2[2] = {0.0f, -1.0f};
    assert_int_equal(png_write_loss_curve(path, nan2, nan2, 2, &err), S2S_ERR_ARG);
    assert_int_equal(png_write_loss_curve(path, zero2, zero2, 2, &err), S2S_ERR_ARG);
    assert_int_equal(png_write_loss_curve(path, tr, va, 0, &err), S2S_ERR_ARG);
    assert_int_equal(png_write_loss_curve("/nonexistent/dir/l.png", va, va, 30, &err),
                     S2S_ERR_IO);

    /* From history.csv as training writes it. */
    path_in(csv, sizeof csv, dir, "history.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fprintf(f, "epoch,train_loss,val_loss,seconds,tokens_per_s\n");
    for (int i = 0; i < 12; i++)
        fprintf(f, "%d,%.6f,%.6f,%.3f,%.1f\n", i + 1, 3.0 * exp(-0.5 * i),
                2.5 * exp(-0.6 * i), 1.5, 40000.0);
    fclose(f);
    path_in(path, sizeof path, dir, "from_csv.png");
    CHECK_OK(png_write_loss_curve_from_csv(path, csv, &err), &err);
    im = read_png(path);
    assert_true(im.w >= 400 && im.h >= 300);
    free(im.px);

    /* Bad CSVs: a clear error, no image. */
    path_in(path, sizeof path, dir, "none.png");
    f = fopen(csv, "w");
    fprintf(f, "epoch,train_loss,val_loss\n1,0.5,zzz\n");
    fclose(f);
    assert_int_equal(png_write_loss_curve_from_csv(path, csv, &err), S2S_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "line 2"));
    f = fopen(csv, "w");
    fprintf(f, "epoch,train_loss,val_loss,seconds,tokens_per_s\n");
    fclose(f);
    assert_int_equal(png_write_loss_curve_from_csv(path, csv, &err), S2S_ERR_FORMAT);
    f = fopen(csv, "w");
    fclose(f);
    assert_int_equal(png_write_loss_curve_from_csv(path, csv, &err), S2S_ERR_FORMAT);
    f = fopen(csv, "w");
    fprintf(f, "a,b,c\n1,2,3\n");
    fclose(f);
    assert_int_equal(png_write_loss_curve_from_csv(path, csv, &err), S2S_ERR_FORMAT);
    path_in(csv, sizeof csv, dir, "missing.csv");
    assert_int_equal(png_write_loss_curve_from_csv(path, csv, &err), S2S_ERR_IO);
    assert_non_null(strstr(err.msg, "missing.csv"));
    assert_false(file_exists(path));
    cleanup_dir(dir);
}

static void test_accuracy_by_length(void **state)
{
    (void)state;
    char *dir = make_dir(), path[256];
    s2s_error err;
    int len[13];
    float a0[13], a1[13], a2[13];
    for (int i = 0; i < 13; i++) {
        len[i] = 3 + i;
        a0[i] = 100.0f - 2.0f * (float)i;
        a1[i] = 95.0f - 5.0f * (float)i;
        a2[i] = 80.0f - 7.0f * (float)i;
    }
    a1[4] = NAN;    /* no sentences of that length: a gap */
    a2[12] = -5.0f; /* out of range: clamped */
    const float *acc[3] = {a0, a1, a2};
    const char *names[3] = {"bahdanau", "luong", "none"};
    path_in(path, sizeof path, dir, "acc.png");
    CHECK_OK(png_write_accuracy_by_length(path, len, 13, names, acc, 3, NULL, &err), &err);
    image im = read_png(path);
    assert_true(im.w >= 400 && im.w <= 2000 && im.h >= 300 && im.h <= 1500);
    assert_true(count_colour(&im, 31, 119, 180, 12) > 100);  /* series 1 */
    assert_true(count_colour(&im, 255, 127, 14, 12) > 100);  /* series 2 */
    assert_true(count_colour(&im, 44, 160, 44, 12) > 100);   /* series 3 */
    free(im.px);

    /* All NaN, one length, no names: drawn. */
    float nan13[13];
    for (int i = 0; i < 13; i++) nan13[i] = NAN;
    const float *accn[1] = {nan13};
    CHECK_OK(png_write_accuracy_by_length(path, len, 13, NULL, accn, 1, "t", &err), &err);
    CHECK_OK(png_write_accuracy_by_length(path, len, 1, names, acc, 3, NULL, &err), &err);
    /* Nothing to draw: refused. */
    assert_int_equal(png_write_accuracy_by_length(path, len, 0, names, acc, 3, NULL, &err),
                     S2S_ERR_ARG);
    assert_int_equal(png_write_accuracy_by_length(path, len, 13, names, acc, 0, NULL, &err),
                     S2S_ERR_ARG);
    assert_int_equal(png_write_accuracy_by_length(path, NULL, 13, names, acc, 3, NULL, &err),
                     S2S_ERR_ARG);
    cleanup_dir(dir);
}

/* -------------------------------------------------------------- raster */

static void test_raster_text(void **state)
{
    (void)state;
    s2s_error err;
    s2s_raster r;
    CHECK_OK(raster_create(&r, 200, 100, (s2s_rgb){255, 255, 255}, &err), &err);
    const int cw = raster_text_width(RASTER_FONT_REGULAR, "M");
    assert_true(cw > 4);
    assert_int_equal(raster_text_width(RASTER_FONT_REGULAR, "abc"), 3 * cw);
    /* A UTF-8 character is one glyph wide. */
    assert_int_equal(raster_text_width(RASTER_FONT_REGULAR, "caf\xc3\xa9"), 4 * cw);
    assert_int_equal(raster_text_width(RASTER_FONT_REGULAR, ""), 0);
    /* Drawn text lands inside its box; rotated text inside the turned box. */
    raster_text(&r, 10, 10, "Hi", RASTER_FONT_REGULAR, (s2s_rgb){0, 0, 0}, 0);
    raster_text(&r, 100, 10, "Hi", RASTER_FONT_REGULAR, (s2s_rgb){0, 0, 0}, 1);
    const int th = raster_text_height(RASTER_FONT_REGULAR);
    int in = 0, out = 0, rin = 0;
    for (int y = 0; y < r.h; y++)
        for (int x = 0; x < r.w; x++) {
            int ink = raster_get(&r, x, y).r < 128;
            if (x < 90) {
                if (x >= 10 && x < 10 + 2 * cw && y >= 10 && y < 10 + th)
                    in += ink;
                else
                    out += ink;
            } else if (x >= 100 && x < 100 + th && y >= 10 && y < 10 + 2 * cw) {
                rin += ink;
            } else {
                out += ink;
            }
        }
    assert_true(in > 10 && rin == in);
    assert_int_equal(out, 0);
    /* Drawing off the canvas is clipped, not a crash. */
    raster_text(&r, -50, -50, "clipped", RASTER_FONT_BOLD, (s2s_rgb){0, 0, 0}, 1);
    raster_line(&r, -1000, -1000, 1000, 1000, 3, (s2s_rgb){0, 0, 0});
    raster_fill_disc(&r, 199, 99, 30, (s2s_rgb){0, 0, 0});
    raster_free(&r);
    assert_int_equal(raster_create(&r, 0, 10, (s2s_rgb){0, 0, 0}, &err), S2S_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heatmap_size_follows_sentence),
        cmocka_unit_test(test_heatmap_colours_monotone),
        cmocka_unit_test(test_heatmap_labels_drawn),
        cmocka_unit_test(test_heatmap_bad_paths),
        cmocka_unit_test(test_heatmap_bad_input),
        cmocka_unit_test(test_loss_curve),
        cmocka_unit_test(test_accuracy_by_length),
        cmocka_unit_test(test_raster_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
