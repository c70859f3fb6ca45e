// Stride-1 convolutions (NHWC, HWIO filter) with 3 × 3 and 4 × 4 filters by Winograd's minimal
// filtering (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016), with
// WebAssembly SIMD, and their input and filter gradients. Every form works on 6 × 6 blocks of
// input: F(4×4, 3×3) for 3 × 3 filters and F(3×3, 4×4) for 4 × 4 ones, each S × S block of outputs
// (S = 7 − R for an R × R filter) being A^T [(G g G^T) ⊙ (B^T d B)] A: 36 multiply-adds per input
// and output channel where the direct form needs 144. The products over input channels are 36
// matrix products, V[ξ] (tiles × ci) · U[ξ] (ci × co), one per point ξ of the 6 × 6 transform; the
// transforms run four channels per vector. Both forms use the same six points (0, ±1, ±2, ∞), so
// B^T is shared; G and A^T are those of R taps and S outputs (G's rows keep one scaling).
//
// The caller (conv2d-winograd.ts) copies images into this module's memory, transforms the filter
// once per call (wino_filter, which also takes the filter of a conv whose input gradient this
// conv is), then converts blocks of tiles on one or more threads (wino_blocks). The filter
// gradient (wino_gradient_block, wino_gradient_out) is below. Channels are multiples of 4.
// float32 throughout; the transforms' constants (up to 8 in A, 5 in B, 1/24 in G) make the
// rounding error a few times the direct form's.
#include <wasm_simd128.h>

static int H, W, CI, CO, PT, PL, OH, OW, R, S, TH, TW;
static const float ZEROS[4] = {0, 0, 0, 0};  // what the padding reads

// Image height and width, channels in and out, padding at the top and left, output height and
// width, and the filter's size r (3 or 4).
void wino_geometry(int h, int w, int ci, int co, int pad_top, int pad_left, int oh, int ow, int r) {
  H = h; W = w; CI = ci; CO = co; PT = pad_top; PL = pad_left; OH = oh; OW = ow;
  R = r;
  S = 7 - r;
  TH = (oh + S - 1) / S;
  TW = (ow + S - 1) / S;
}

#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define SPLAT wasm_f32x4_splat

// G · (g[0], g[step], …) for k = 3 or 4 values: the transform of a filter's row or column (or of
// a dy tile's, in the filter gradient), into t[0 … 5].
static inline void g_transform(const v128_t *g, int step, int k, v128_t *t) {
  v128_t g0 = g[0], g1 = g[step], g2 = g[2 * step];
  if (k == 3) {
    v128_t sum = ADD(g0, g2);
    t[0] = MUL(g0, SPLAT(0.25f));
    t[1] = MUL(ADD(sum, g1), SPLAT(-1.0f / 6));
    t[2] = MUL(SUB(sum, g1), SPLAT(-1.0f / 6));
    v128_t a = ADD(MUL(g0, SPLAT(1.0f / 24)), MUL(g2, SPLAT(1.0f / 6)));
    v128_t b = MUL(g1, SPLAT(1.0f / 12));
    t[3] = ADD(a, b);
    t[4] = SUB(a, b);
    t[5] = g2;
  } else {
    v128_t g3 = g[3 * step];
    v128_t even = ADD(g0, g2), odd = ADD(g1, g3);
    t[0] = MUL(g0, SPLAT(0.25f));
    t[1] = MUL(ADD(even, odd), SPLAT(-1.0f / 6));
    t[2] = MUL(SUB(even, odd), SPLAT(-1.0f / 6));
    v128_t a = ADD(MUL(g0, SPLAT(1.0f / 24)), MUL(g2, SPLAT(1.0f / 6)));
    v128_t b = ADD(MUL(g1, SPLAT(1.0f / 12)), MUL(g3, SPLAT(1.0f / 3)));
    t[3] = ADD(a, b);
    t[4] = SUB(a, b);
    t[5] = g3;
  }
}

// A^T · (m[0], m[step], … m[5·step]) for k = 4 or 3 outputs, into o[0], o[ostep], ….
static inline void a_transform(const v128_t *m, int step, int k, v128_t *o, int ostep) {
  v128_t m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step], m4 = m[4 * step], m5 = m[5 * step];
  v128_t s12 = ADD(m1, m2), d12 = SUB(m1, m2), s34 = ADD(m3, m4), d34 = SUB(m3, m4);
  o[0] = ADD(ADD(m0, s12), s34);
  o[ostep] = ADD(d12, MUL(SPLAT(2.0f), d34));
  if (k == 4) {
    o[2 * ostep] = ADD(s12, MUL(SPLAT(4.0f), s34));
    o[3 * ostep] = ADD(ADD(d12, MUL(SPLAT(8.0f), d34)), m5);
  } else {
    o[2 * ostep] = ADD(ADD(s12, MUL(SPLAT(4.0f), s34)), m5);
  }
}

// (G g G^T) for four channels of a filter, from its R × R taps g[ky·R + kx], into U[ξ] + at.
static inline void filter_point(const v128_t *g, float *U, int plane, int at) {
  v128_t t[4 * 6];  // t[kx·6 + i] = (G g[·][kx])[i]
  for (int kx = 0; kx < R; kx += 1) g_transform(g + kx, R, R, t + kx * 6);
  for (int i = 0; i < 6; i += 1) {
    v128_t u[6];
    g_transform(t + i, 6, R, u);
    for (int j = 0; j < 6; j += 1) wasm_v128_store(U + (i * 6 + j) * plane + at, u[j]);
  }
}

// U[ξ][ci][o − o0] = (G g G^T)[ξ] for output channels o0 … o0 + ob − 1 of the filter
// g[R][R][ci][co], four output channels per vector. With `flipped`, g is instead the filter
// [R][R][co][ci] of the conv whose input gradient this one computes: its taps are taken rotated by
// 180° and its channels swapped, g'[ky][kx][i][o] = g[R − 1 − ky][R − 1 − kx][o][i], four by four
// channels through 4 × 4 transposes.
static void filter_range(const float *g, float *U, int flipped, int o0, int ob) {
  const int plane = CI * CO, uplane = CI * ob, taps = R * R;
  if (!flipped) {
    for (int i = 0; i < CI; i += 1) {
      for (int o = 0; o < ob; o += 4) {
        v128_t gk[16];
        for (int k = 0; k < taps; k += 1) gk[k] = wasm_v128_load(g + k * plane + i * CO + o0 + o);
        filter_point(gk, U, uplane, i * ob + o);
      }
    }
    return;
  }
  for (int i = 0; i < CI; i += 4) {               // U's rows in order: its writes stream, the
    for (int o = o0; o < o0 + ob; o += 4) {  // transposed reads take 4 cache lines a tap
      v128_t gk[4][16];  // gk[p][k]: taps of input channel i + p, output channels o … o + 3
      for (int k = 0; k < taps; k += 1) {
        const float *rows = g + (taps - 1 - k) * plane + o * CI + i;  // g[R − 1 − ky][R − 1 − kx][o + r][i + p]
        v128_t r0 = wasm_v128_load(rows), r1 = wasm_v128_load(rows + CI);
        v128_t r2 = wasm_v128_load(rows + 2 * CI), r3 = wasm_v128_load(rows + 3 * CI);
        v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        gk[0][k] = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
        gk[1][k] = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
        gk[2][k] = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
        gk[3][k] = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
      }
      for (int p = 0; p < 4; p += 1) filter_point(gk[p], U, uplane, (i + p) * ob + o - o0);
    }
  }
}

// U[ξ][ci][co] for the whole filter (see filter_range).
void wino_filter(const float *g, float *U, int flipped) {
  filter_range(g, U, flipped, 0, CO);
}

// B^T · (d0 … d5): the input transform of six values.
static inline void b_transform(const v128_t *d, int step, v128_t *r, int rstep) {
  v128_t d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step], d5 = d[5 * step];
  v128_t four = SPLAT(4.0f), five = SPLAT(5.0f), two = SPLAT(2.0f);
  v128_t a = SUB(d4, MUL(four, d2));  // d4 − 4 d2
  v128_t b = SUB(d3, MUL(four, d1));  // d3 − 4 d1
  v128_t c = SUB(d4, d2);
  v128_t e = MUL(two, SUB(d3, d1));
  r[0] = ADD(SUB(MUL(four, d0), MUL(five, d2)), d4);
  r[rstep] = ADD(a, b);
  r[2 * rstep] = SUB(a, b);
  r[3 * rstep] = ADD(c, e);
  r[4 * rstep] = SUB(c, e);
  r[5 * rstep] = ADD(SUB(MUL(four, d1), MUL(five, d3)), d5);
}

// Tiles t0 … t0 + count − 1 of the images at x (numbered image by image, row by row; tile (ty, tx)
// reads the 6 × 6 block at (S·ty − PT, S·tx − PL)) into V[ξ][t][ci], t from 0 to stride − 1 (V's
// tile count per ξ): past count, the last tile again, so that the products of the rounding's
// extra rows stay finite.
static void input_tiles(const float *x, int t0, int count, float *V, int stride) {
  for (int t = 0; t < stride; t += 1) {
    const int tile = t0 + (t < count ? t : count - 1), n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
    const int y0 = S * ty - PT, x0 = S * tx - PL;
    for (int c = 0; c < CI; c += 4) {
      v128_t d[36], r[36];
      for (int a = 0; a < 6; a += 1) {
        const int iy = y0 + a;
        for (int b = 0; b < 6; b += 1) {
          const int ix = x0 + b;
          const int inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
          d[a * 6 + b] = wasm_v128_load(inside ? x + ((n * H + iy) * W + ix) * CI + c : ZEROS);
        }
      }
      for (int a = 0; a < 6; a += 1) b_transform(d + a * 6, 1, r + a * 6, 1);  // rows: r[a][j]
      for (int j = 0; j < 6; j += 1) b_transform(r + j, 6, d + j, 6);          // columns: d[i][j]
      for (int k = 0; k < 36; k += 1) wasm_v128_store(V + (k * stride + t) * CI + c, d[k]);
    }
  }
}

// M[ξ][t][o] = Σ_k V[ξ][t][k] U[ξ][k][o] for t < tiles (a multiple of 4) and o < ob, 4 tiles × 8
// channels a block; U's rows are ldu floats apart, M's ldm (both co for a whole filter).
static void products(const float *V, const float *U, int ldu, float *M, int ldm, int tiles, int ob) {
  for (int k = 0; k < 36; k += 1) {
    const float *v = V + k * tiles * CI;
    const float *u = U + k * CI * ldu;
    float *m = M + k * tiles * ldm;
    int o = 0;
    for (; o + 8 <= ob; o += 8) {
      for (int t = 0; t < tiles; t += 4) {
        const float *v0 = v + t * CI, *v1 = v0 + CI, *v2 = v1 + CI, *v3 = v2 + CI;
        v128_t a0 = SPLAT(0), a1 = SPLAT(0), b0 = SPLAT(0), b1 = SPLAT(0);
        v128_t c0 = SPLAT(0), c1 = SPLAT(0), e0 = SPLAT(0), e1 = SPLAT(0);
        const float *uk = u + o;
        for (int i = 0; i < CI; i += 1, uk += ldu) {
          v128_t u0 = wasm_v128_load(uk), u1 = wasm_v128_load(uk + 4);
          v128_t s;
          s = wasm_v128_load32_splat(v0 + i); a0 = ADD(a0, MUL(s, u0)); a1 = ADD(a1, MUL(s, u1));
          s = wasm_v128_load32_splat(v1 + i); b0 = ADD(b0, MUL(s, u0)); b1 = ADD(b1, MUL(s, u1));
          s = wasm_v128_load32_splat(v2 + i); c0 = ADD(c0, MUL(s, u0)); c1 = ADD(c1, MUL(s, u1));
          s = wasm_v128_load32_splat(v3 + i); e0 = ADD(e0, MUL(s, u0)); e1 = ADD(e1, MUL(s, u1));
        }
        float *mt = m + t * ldm + o;
        wasm_v128_store(mt, a0); wasm_v128_store(mt + 4, a1);
        wasm_v128_store(mt + ldm, b0); wasm_v128_store(mt + ldm + 4, b1);
        wasm_v128_store(mt + 2 * ldm, c0); wasm_v128_store(mt + 2 * ldm + 4, c1);
        wasm_v128_store(mt + 3 * ldm, e0); wasm_v128_store(mt + 3 * ldm + 4, e1);
      }
    }
    if (o < ob) {  // the last 4 channels
      for (int t = 0; t < tiles; t += 4) {
        const float *v0 = v + t * CI, *v1 = v0 + CI, *v2 = v1 + CI, *v3 = v2 + CI;
        v128_t a0 = SPLAT(0), b0 = SPLAT(0), c0 = SPLAT(0), e0 = SPLAT(0);
        const float *uk = u + o;
        for (int i = 0; i < CI; i += 1, uk += ldu) {
          v128_t u0 = wasm_v128_load(uk);
          a0 = ADD(a0, MUL(wasm_v128_load32_splat(v0 + i), u0));
          b0 = ADD(b0, MUL(wasm_v128_load32_splat(v1 + i), u0));
          c0 = ADD(c0, MUL(wasm_v128_load32_splat(v2 + i), u0));
          e0 = ADD(e0, MUL(wasm_v128_load32_splat(v3 + i), u0));
        }
        float *mt = m + t * ldm + o;
        wasm_v128_store(mt, a0); wasm_v128_store(mt + ldm, b0);
        wasm_v128_store(mt + 2 * ldm, c0); wasm_v128_store(mt + 3 * ldm, e0);
      }
    }
  }
}

// y for tiles t0 … t0 + count − 1 from M (stride tiles per ξ): the output transform, the bias
// (when not null) and ReLU (when relu), written where the tile's S × S outputs lie inside the output.
static void output_tiles(const float *M, int stride, int t0, int count, const float *bias, int relu, float *y) {
  const v128_t zero = SPLAT(0.0f);
  for (int t = 0; t < count; t += 1) {
    const int tile = t0 + t, n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
    const int rows = OH - S * ty < S ? OH - S * ty : S, cols = OW - S * tx < S ? OW - S * tx : S;
    for (int c = 0; c < CO; c += 4) {
      v128_t m[36], o[24], r[16];
      for (int k = 0; k < 36; k += 1) m[k] = wasm_v128_load(M + (k * stride + t) * CO + c);
      for (int i = 0; i < 6; i += 1) a_transform(m + i * 6, 1, S, o + i * S, 1);  // rows: o[i][q]
      for (int q = 0; q < S; q += 1) a_transform(o + q, S, S, r + q, S);          // columns: r[p][q]
      const v128_t b = bias ? wasm_v128_load(bias + c) : zero;
      for (int p = 0; p < rows; p += 1) {
        float *yp = y + ((n * OH + S * ty + p) * OW + S * tx) * CO + c;
        for (int q = 0; q < cols; q += 1) {
          v128_t v = ADD(r[p * S + q], b);
          if (relu) v = wasm_f32x4_max(v, zero);
          wasm_v128_store(yp + q * CO, v);
        }
      }
    }
  }
}

// Tiles t0 … t0 + count − 1 (count ≤ capacity of V and M, rounded up to 4 there) of the images at x
// into y. V holds 36 × ⌈count/4⌉·4 × ci floats, M the same × co.
static void wino_block(const float *x, const float *U, const float *bias, int relu, float *y, int t0, int count, float *V, float *M) {
  const int tiles = (count + 3) & ~3;
  input_tiles(x, t0, count, V, tiles);
  products(V, U, CO, M, CO, tiles, CO);
  output_tiles(M, tiles, t0, count, bias, relu, y);
}

// All `tiles` tiles of the images at x into y, shared among threads: every thread calls this with
// the same arguments but its own number (0, 1, …) and takes blocks of `block` tiles (a multiple
// of 4) from the counter at next (0 before the first thread starts) until none is left. Each
// thread's scratch is 36 × block × (ci + co) floats from scratch + thread × that.
void wino_blocks(const float *x, const float *U, const float *bias, int relu, float *y, int tiles, int block, int *next,
                 float *scratch, int thread) {
  float *V = scratch + (long)thread * 36 * block * (CI + CO), *M = V + 36 * block * CI;
  for (;;) {
    const int t0 = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED) * block;
    if (t0 >= tiles) return;
    wino_block(x, U, bias, relu, y, t0, tiles - t0 < block ? tiles - t0 : block, V, M);
  }
}

// The form for few tiles (deep, small images), where U (36 × ci × co floats) would dwarf the
// tiles: V and M hold every tile, and U is made a chunk of output channels at a time, in each
// thread's scratch, and used at once, never written out whole. wino_input fills V, wino_chunks
// runs on every thread, wino_output writes y.
void wino_input(const float *x, int count, float *V, int tiles) {
  input_tiles(x, 0, count, V, tiles);
}

// The next chunk of `chunk` output channels for this thread, claimed from the counter at next:
// its first channel, with its width in *ob; −1 when none is left.
static inline int claim_chunk(int *next, int chunk, int *ob) {
  const int o0 = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED) * chunk;
  if (o0 >= CO) return -1;
  *ob = CO - o0 < chunk ? CO - o0 : chunk;
  return o0;
}

// M[ξ][t][co] for all `tiles` tiles (a multiple of 4) in V, shared among threads as wino_blocks
// is, by chunks of `chunk` output channels (a multiple of 4); each thread's scratch is
// 36 × ci × chunk floats from scratch + thread × that.
void wino_chunks(const float *V, const float *g, int flipped, float *M, int tiles, int chunk, int *next, float *scratch,
                 int thread) {
  float *U = scratch + (long)thread * 36 * CI * chunk;
  for (int o0, ob; (o0 = claim_chunk(next, chunk, &ob)) >= 0;) {
    filter_range(g, U, flipped, o0, ob);
    products(V, U, ob, M + o0, CO, tiles, ob);
  }
}

void wino_output(const float *M, int tiles, int count, const float *bias, int relu, float *y) {
  output_tiles(M, tiles, 0, count, bias, relu, y);
}

// ---------------------------------------------------------------------------------------------
// The filter gradient of the same conv, dW[ky][kx][c][o] = Σ x[n][i + ky − PT][j + kx − PL][c] ·
// dy[n][i][j][o]: each S × S tile of dy is a "filter" correlated with the 6 × 6 block of x under it
// (the forward conv's input tile, B^T d B), giving an R × R "output", the tile's share of dW; that
// is F(R×R, S×S), the forward's form with R and S swapped. The shares add up in the transformed
// space: M[ξ][c][o] = Σ_t V[ξ][t][c] · D[ξ][t][o] over every tile t, then dW = A^T M A once. 36
// multiply-adds per channel pair and tile where the direct form needs 144.

// D[ξ][t][co] for tiles t0 … t0 + count − 1 of dy (numbered as x's: image, row, column), t from 0
// to stride − 1; past count zeros, so that the rounding's extra tiles add nothing.
static void gradient_tiles(const float *dy, int t0, int count, float *D, int stride) {
  for (int t = 0; t < stride; t += 1) {
    if (t >= count) {
      for (int k = 0; k < 36; k += 1) {
        for (int c = 0; c < CO; c += 4) wasm_v128_store(D + (k * stride + t) * CO + c, SPLAT(0.0f));
      }
      continue;
    }
    const int tile = t0 + t, n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
    for (int c = 0; c < CO; c += 4) {
      v128_t g[16], r[24], u[36];
      for (int a = 0; a < S; a += 1) {
        const int i = S * ty + a;
        for (int b = 0; b < S; b += 1) {
          const int j = S * tx + b;
          g[a * S + b] = wasm_v128_load(i < OH && j < OW ? dy + ((n * OH + i) * OW + j) * CO + c : ZEROS);
        }
      }
      for (int a = 0; a < S; a += 1) g_transform(g + a * S, 1, S, r + a * 6);  // rows: r[a][k]
      for (int k = 0; k < 6; k += 1) {                                          // columns: u[i][k]
        v128_t t6[6];
        g_transform(r + k, 6, S, t6);
        for (int i = 0; i < 6; i += 1) u[i * 6 + k] = t6[i];
      }
      for (int k = 0; k < 36; k += 1) wasm_v128_store(D + (k * stride + t) * CO + c, u[k]);
    }
  }
}

// M[ξ][c][o] (+)= Σ_t V[ξ][t][c] D[ξ][t][o] over t < tiles and o < ob, added to M where `add`:
// 4 input by 8 output channels a block, held in registers over all the tiles. D's rows are ldd
// floats apart, M's ldm.
#define PUT(at, v) wasm_v128_store(at, add ? ADD(wasm_v128_load(at), v) : v)
static void gradient_products(const float *V, const float *D, int ldd, float *M, int ldm, int tiles, int ob, int add) {
  for (int k = 0; k < 36; k += 1) {
    const float *v = V + k * tiles * CI;
    const float *d = D + k * tiles * ldd;
    float *m = M + k * CI * ldm;
    for (int c = 0; c < CI; c += 4) {
      int o = 0;
      for (; o + 8 <= ob; o += 8) {
        v128_t a0 = SPLAT(0), a1 = SPLAT(0), b0 = SPLAT(0), b1 = SPLAT(0);
        v128_t c0 = SPLAT(0), c1 = SPLAT(0), e0 = SPLAT(0), e1 = SPLAT(0);
        const float *vt = v + c, *dt = d + o;
        for (int t = 0; t < tiles; t += 1, vt += CI, dt += ldd) {
          v128_t d0 = wasm_v128_load(dt), d1 = wasm_v128_load(dt + 4);
          v128_t s;
          s = wasm_v128_load32_splat(vt); a0 = ADD(a0, MUL(s, d0)); a1 = ADD(a1, MUL(s, d1));
          s = wasm_v128_load32_splat(vt + 1); b0 = ADD(b0, MUL(s, d0)); b1 = ADD(b1, MUL(s, d1));
          s = wasm_v128_load32_splat(vt + 2); c0 = ADD(c0, MUL(s, d0)); c1 = ADD(c1, MUL(s, d1));
          s = wasm_v128_load32_splat(vt + 3); e0 = ADD(e0, MUL(s, d0)); e1 = ADD(e1, MUL(s, d1));
        }
        float *mc = m + c * ldm + o;
        PUT(mc, a0); PUT(mc + 4, a1);
        mc += ldm;
        PUT(mc, b0); PUT(mc + 4, b1);
        mc += ldm;
        PUT(mc, c0); PUT(mc + 4, c1);
        mc += ldm;
        PUT(mc, e0); PUT(mc + 4, e1);
      }
      if (o < ob) {  // the last 4 channels
        v128_t a0 = SPLAT(0), b0 = SPLAT(0), c0 = SPLAT(0), e0 = SPLAT(0);
        const float *vt = v + c, *dt = d + o;
        for (int t = 0; t < tiles; t += 1, vt += CI, dt += ldd) {
          v128_t d0 = wasm_v128_load(dt);
          a0 = ADD(a0, MUL(wasm_v128_load32_splat(vt), d0));
          b0 = ADD(b0, MUL(wasm_v128_load32_splat(vt + 1), d0));
          c0 = ADD(c0, MUL(wasm_v128_load32_splat(vt + 2), d0));
          e0 = ADD(e0, MUL(wasm_v128_load32_splat(vt + 3), d0));
        }
        float *mc = m + c * ldm + o;
        PUT(mc, a0);
        PUT(mc + ldm, b0);
        PUT(mc + 2 * ldm, c0);
        PUT(mc + 3 * ldm, e0);
      }
    }
  }
}
#undef PUT

// Adds tiles t0 … t0 + count − 1 of the images at x and dy (wino_geometry's) into M[36][ci][co].
// V and D hold 36 × ⌈count/4⌉·4 × ci and × co floats.
void wino_gradient_block(const float *x, const float *dy, int t0, int count, float *V, float *D, float *M) {
  const int tiles = (count + 3) & ~3;
  input_tiles(x, t0, count, V, tiles);
  gradient_tiles(dy, t0, count, D, tiles);
  gradient_products(V, D, CO, M, CO, tiles, CO, 1);
}

// dW[R][R][ci][o] = A^T M[·][·][c][o] A for o < ob, M's rows ldm floats apart (dW's co).
static void gradient_out(const float *M, int ldm, int ob, float *dW) {
  const int plane = CI * CO, mplane = CI * ldm;
  for (int c = 0; c < CI; c += 1) {
    for (int o = 0; o < ob; o += 4) {
      v128_t m[36], r[24], w[16];
      for (int k = 0; k < 36; k += 1) m[k] = wasm_v128_load(M + k * mplane + c * ldm + o);
      for (int i = 0; i < 6; i += 1) a_transform(m + i * 6, 1, R, r + i * R, 1);  // rows: r[i][kx]
      for (int q = 0; q < R; q += 1) a_transform(r + q, R, R, w + q, R);          // columns: w[ky][kx]
      for (int k = 0; k < R * R; k += 1) wasm_v128_store(dW + k * plane + c * CO + o, w[k]);
    }
  }
}

// dW[R][R][ci][co] from the sums of wino_gradient_block.
void wino_gradient_out(const float *M, float *dW) {
  gradient_out(M, CO, CO, dW);
}

// The form for few tiles, as wino_chunks: V and D hold every tile (wino_gradient_input), and the
// threads take chunks of `chunk` output channels, each summing that part of M in its scratch
// (36 × ci × chunk floats) and transforming it into dW at once.
void wino_gradient_input(const float *x, const float *dy, int count, float *V, float *D, int tiles) {
  input_tiles(x, 0, count, V, tiles);
  gradient_tiles(dy, 0, count, D, tiles);
}

void wino_gradient_chunks(const float *V, const float *D, int tiles, float *dW, int chunk, int *next, float *scratch,
                          int thread) {
  float *M = scratch + (long)thread * 36 * CI * chunk;
  for (int o0, ob; (o0 = claim_chunk(next, chunk, &ob)) >= 0;) {
    gradient_products(V, D + o0, CO, M, ob, tiles, ob, 0);
    gradient_out(M, ob, ob, dW + o0);
  }
}
