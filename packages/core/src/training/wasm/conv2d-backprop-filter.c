/*
 * The filter gradient of a 2-D convolution, NHWC, for the wasm backend (WebAssembly SIMD128):
 *
 *   dw[ky, kx, c, o] += sum over (i, j) of x[i*sh + ky*dh - top, j*sw + kx*dw - left, c] * dy[i, j, o]
 *
 * over a band of output rows (a few rows of one image, or whole images). The caller
 * (conv2d-backprop-filter-simd.ts) copies the band's dy rows and the x rows they reach into this
 * module's memory and calls accumulate() band after band into one dw.
 *
 * dw is walked in register blocks of up to 4 input channels by 8 output channels (8 f32x4
 * accumulators), each held in registers over a chunk of the band's positions for one tap.
 * tfjs 4.22's wasm build reaches this product only through XNNPACK's GEMM, which streams all of
 * dy once per 4-row tile of dw and runs at about half the forward conv's speed on the seed's
 * 128-px layers (issue 3).
 *
 * Built by scripts/build-wasm-kernels.mjs (clang 14, wasm32, -O3 -msimd128, no libc) into
 * training-kernels.wasm.ts, with conv2d-backprop-input.c; a test checks that the embedded module
 * is their build.
 */
#include <wasm_simd128.h>

static int g_w, g_ci, g_ow, g_co, g_fh, g_fw, g_sh, g_sw, g_dh, g_dw, g_top, g_left;

/* The convolution's geometry, for the accumulate() calls that follow. */
void set_geometry(int w, int ci, int ow, int co, int fh, int fw, int sh, int sw, int dh, int dw,
                  int top, int left) {
  g_w = w; g_ci = ci; g_ow = ow; g_co = co; g_fh = fh; g_fw = fw;
  g_sh = sh; g_sw = sw; g_dh = dh; g_dw = dw; g_top = top; g_left = left;
}

static inline int ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
static inline int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/*
 * The positions of one tap over a band: rows q0 to q1 of the band's `rows` output rows per
 * image, counted image after image, each of `n` positions. Steps are in floats: along a row (x;
 * dy steps by co), between rows (xr, dyr) and between images (xi, dyi).
 */
typedef struct {
  int n, rows, q0, q1, xstep, xr, dyr, xi, dyi;
  int m0, r0; /* row q0's image and row in it */
} Walk;

/*
 * Runs BODY at every position of a walk, with xp and dp pointing at the position's x and dy
 * (offset by the block's first channel).
 */
#define WALK(BODY)                                                                             \
  {                                                                                            \
    int r = k->r0;                                                                             \
    const float* xrow = x + k->m0 * k->xi + r * k->xr;                                         \
    const float* dyrow = dy + k->m0 * k->dyi + r * k->dyr;                                     \
    for (int q = k->q0; q < k->q1; q++) {                                                      \
      const float* xp = xrow;                                                                  \
      const float* dp = dyrow;                                                                 \
      if (++r < k->rows) {                                                                     \
        xrow += k->xr;                                                                         \
        dyrow += k->dyr;                                                                       \
      } else {                                                                                 \
        r = 0;                                                                                 \
        xrow += k->xi - (k->rows - 1) * k->xr;                                                 \
        dyrow += k->dyi - (k->rows - 1) * k->dyr;                                              \
      }                                                                                        \
      for (int j = 0; j < k->n; j++) {                                                         \
        BODY                                                                                   \
        xp += k->xstep;                                                                        \
        dp += co;                                                                              \
      }                                                                                        \
    }                                                                                          \
  }

/* CB input channels by VB f32x4 of output channels, accumulated over every position of a walk. */
#define BLOCK(CB, VB)                                                                          \
  static void block_##CB##_##VB(const float* x, const float* dy, float* dw, const Walk* k,     \
                                int co) {                                                      \
    v128_t acc[CB][VB];                                                                        \
    for (int c = 0; c < CB; c++)                                                               \
      for (int v = 0; v < VB; v++) acc[c][v] = wasm_v128_load(dw + c * co + 4 * v);           \
    WALK(                                                                                      \
      v128_t d[VB];                                                                            \
      for (int v = 0; v < VB; v++) d[v] = wasm_v128_load(dp + 4 * v);                         \
      for (int c = 0; c < CB; c++) {                                                           \
        v128_t s = wasm_v128_load32_splat(xp + c);                                             \
        for (int v = 0; v < VB; v++)                                                           \
          acc[c][v] = wasm_f32x4_add(acc[c][v], wasm_f32x4_mul(s, d[v]));                      \
      })                                                                                       \
    for (int c = 0; c < CB; c++)                                                               \
      for (int v = 0; v < VB; v++) wasm_v128_store(dw + c * co + 4 * v, acc[c][v]);           \
  }

/*
 * For fewer than 4 output channels (a 1×1 head to a, b; a critic's one-channel output): 16
 * input channels (4 f32x4 of x) by each of the OB = co output channels.
 */
#define BLOCK_FEW(OB)                                                                          \
  static void block_few_##OB(const float* x, const float* dy, float* dw, const Walk* k,        \
                             int co) {                                                         \
    v128_t acc[OB][4];                                                                         \
    for (int o = 0; o < OB; o++)                                                               \
      for (int v = 0; v < 4; v++) acc[o][v] = wasm_f32x4_splat(0.0f);                          \
    WALK(                                                                                      \
      v128_t xv[4];                                                                            \
      for (int v = 0; v < 4; v++) xv[v] = wasm_v128_load(xp + 4 * v);                          \
      for (int o = 0; o < OB; o++) {                                                           \
        v128_t s = wasm_v128_load32_splat(dp + o);                                             \
        for (int v = 0; v < 4; v++)                                                            \
          acc[o][v] = wasm_f32x4_add(acc[o][v], wasm_f32x4_mul(xv[v], s));                     \
      })                                                                                       \
    for (int o = 0; o < OB; o++) {                                                             \
      for (int v = 0; v < 4; v++) {                                                            \
        float* w = dw + 4 * v * co + o;                                                        \
        w[0] += wasm_f32x4_extract_lane(acc[o][v], 0);                                         \
        w[co] += wasm_f32x4_extract_lane(acc[o][v], 1);                                        \
        w[2 * co] += wasm_f32x4_extract_lane(acc[o][v], 2);                                    \
        w[3 * co] += wasm_f32x4_extract_lane(acc[o][v], 3);                                    \
      }                                                                                        \
    }                                                                                          \
  }

BLOCK_FEW(1)
BLOCK_FEW(2)
BLOCK_FEW(3)

BLOCK(4, 2)
BLOCK(3, 2)
BLOCK(2, 2)
BLOCK(1, 2)
BLOCK(4, 1)
BLOCK(3, 1)
BLOCK(2, 1)
BLOCK(1, 1)

/* The output channels past the last multiple of 4, or input channels past the last of 16. */
static void block_scalar(const float* x0, const float* dy0, float* dw, const Walk* k, int co,
                         int cb, int ob) {
  for (int c = 0; c < cb; c++) {
    for (int o = 0; o < ob; o++) {
      const float* x = x0 + c;
      const float* dy = dy0 + o;
      float a = dw[c * co + o];
      WALK(a += xp[0] * dp[0];)
      dw[c * co + o] = a;
    }
  }
}

/*
 * Channels are taken in tiles of TILE inputs by TILE outputs, and a band's rows in chunks of
 * about CHUNK positions, so that the x and dy values of one tile and chunk (at most
 * CHUNK * TILE * 8 bytes) stay in the L1 cache while its register blocks go over them, and the
 * tile's dw in L2 while the chunks go by.
 */
#define TILE 64
#define CHUNK 128

/* One tap over a band: dw[tap] += x^T dy over the walk's positions. */
static void tap(const float* x, const float* dy, float* dw, Walk* k, int nrows) {
  const int co = g_co, ci = g_ci;
  const int step = k->n >= CHUNK ? 1 : CHUNK / k->n;
  for (int ct = 0; ct < ci; ct += TILE) {
    const int ce = ct + TILE < ci ? ct + TILE : ci;
    for (int ot = 0; ot < co; ot += TILE) {
      const int oe = ot + TILE < co ? ot + TILE : co;
      for (k->q0 = 0; k->q0 < nrows; k->q0 += step) {
        k->q1 = k->q0 + step < nrows ? k->q0 + step : nrows;
        k->m0 = k->q0 / k->rows;
        k->r0 = k->q0 - k->m0 * k->rows;
        if (co < 4) {
          int c = ct;
          for (; c + 16 <= ce; c += 16) {
            switch (co) {
              case 3: block_few_3(x + c, dy, dw + c * co, k, co); break;
              case 2: block_few_2(x + c, dy, dw + c * co, k, co); break;
              default: block_few_1(x + c, dy, dw + c * co, k, co); break;
            }
          }
          if (c < ce) block_scalar(x + c, dy, dw + c * co, k, co, ce - c, co);
          continue;
        }
        for (int c = ct; c < ce;) {
          const int cb = ce - c >= 4 ? 4 : ce - c;
          const float* xc = x + c;
          float* wc = dw + c * co;
          int o = ot;
          for (; o + 8 <= oe; o += 8) {
            switch (cb) {
              case 4: block_4_2(xc, dy + o, wc + o, k, co); break;
              case 3: block_3_2(xc, dy + o, wc + o, k, co); break;
              case 2: block_2_2(xc, dy + o, wc + o, k, co); break;
              default: block_1_2(xc, dy + o, wc + o, k, co); break;
            }
          }
          for (; o + 4 <= oe; o += 4) {
            switch (cb) {
              case 4: block_4_1(xc, dy + o, wc + o, k, co); break;
              case 3: block_3_1(xc, dy + o, wc + o, k, co); break;
              case 2: block_2_1(xc, dy + o, wc + o, k, co); break;
              default: block_1_1(xc, dy + o, wc + o, k, co); break;
            }
          }
          if (o < oe) block_scalar(xc, dy + o, wc + o, k, co, cb, oe - o);
          c += cb;
        }
      }
    }
  }
}

/*
 * Adds a band to dw ([fh, fw, ci, co]): output rows [i0, i1) of `imgs` consecutive images.
 * dy holds those rows of each image ([imgs, i1 - i0, ow, co]); x holds each image's input rows
 * [ylo, yhi) ([imgs, yhi - ylo, w, ci]), which must include every row in [0, h) that the band's
 * taps reach: rows outside [ylo, yhi) are taken as padding.
 */
void accumulate(const float* x, int ylo, int yhi, const float* dy, int i0, int i1, int imgs,
                float* dw) {
  const int xrow = g_w * g_ci, dyrow = g_ow * g_co;
  for (int ky = 0; ky < g_fh; ky++) {
    /* the band's rows whose input row for this ky lies in [ylo, yhi) */
    const int base = ky * g_dh - g_top;
    int ia = ceil_div(ylo - base, g_sh), ib = floor_div(yhi - 1 - base, g_sh) + 1;
    if (ia < i0) ia = i0;
    if (ib > i1) ib = i1;
    if (ib <= ia) continue;
    const float* xr = x + (ia * g_sh + base - ylo) * xrow;
    const float* dyr = dy + (ia - i0) * dyrow;
    for (int kx = 0; kx < g_fw; kx++) {
      const int off = kx * g_dw - g_left;
      int j0 = ceil_div(-off, g_sw);
      int j1 = floor_div(g_w - 1 - off, g_sw) + 1;
      if (j0 < 0) j0 = 0;
      if (j1 > g_ow) j1 = g_ow;
      if (j1 <= j0) continue;
      Walk k = {j1 - j0, ib - ia, 0, 0, g_sw * g_ci, g_sh * xrow, dyrow, (yhi - ylo) * xrow,
                (i1 - i0) * dyrow, 0, 0};
      tap(xr + (j0 * g_sw + off) * g_ci, dyr + j0 * g_co, dw + (ky * g_fw + kx) * g_ci * g_co, &k,
          imgs * (ib - ia));
    }
  }
}
