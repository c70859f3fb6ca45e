// 8-bit sRGB to model-space CIELAB (rgb8ToModelLab) with WebAssembly SIMD, two float64 lanes.
//
// The same float64 operations, in the same order, as the JavaScript loop of typed-arrays.ts and
// cbrtFast in curves.ts, so the results are bit for bit the same: a pixel's t = X / Xn is three
// reads of an exact table (T, 9 doubles per byte value: channel j's contribution to row i at
// k * 9 + j * 3 + i) and two additions; f(t) is a linear guess from a cube-root table refined by
// one Halley step where t > the threshold, the linear segment below it. wasm has no fused
// multiply-add in SIMD128, so nothing is contracted. Only the vector width differs: each pixel's
// (tx, ty) is one vector, and two pixels' tz another, so three f(t) evaluations serve two pixels.
//
// The caller (rgb8-lab-simd.ts) writes the tables into this module's memory, calls lab_setup
// once, then converts chunks of pixels copied in and out.
#include <stdint.h>
#include <wasm_simd128.h>

static const double *T;   // 256 * 9
static const double *CB;  // cube roots of j / cbrt_per_bucket, j = 0 … 2049
static v128_t per_bucket, half, round_magic, threshold, slope, offset, two;
static v128_t l_scale, l_offset, a_scale, b_scale;

void lab_setup(const double *t_table, const double *cbrt_table, double cbrt_per_bucket, double forward_threshold, double linear_slope, double linear_offset, double lscale,
               double loffset, double ascale, double bscale) {
  T = t_table;
  CB = cbrt_table;
  per_bucket = wasm_f64x2_splat(cbrt_per_bucket);
  half = wasm_f64x2_splat(0.5);
  round_magic = wasm_f64x2_splat(6755399441055744.0);
  threshold = wasm_f64x2_splat(forward_threshold);
  slope = wasm_f64x2_splat(linear_slope);
  offset = wasm_f64x2_splat(linear_offset);
  two = wasm_f64x2_splat(2.0);
  l_scale = wasm_f64x2_splat(lscale);
  l_offset = wasm_f64x2_splat(loffset);
  a_scale = wasm_f64x2_splat(ascale);
  b_scale = wasm_f64x2_splat(bscale);
}

// f(t) of two values 0 ≤ t ≤ 1.125, the cube-root table's range (the caller checks that 8-bit
// input cannot exceed it).
static inline v128_t lab_f(v128_t t) {
  v128_t u = wasm_f64x2_mul(t, per_bucket);
  // j = u − 0.5 rounded to the nearest integer (ties to even): adding 1.5 · 2^52 leaves it in the
  // low bits. (V8's i32x4.trunc_sat_f64x2_zero is a long sequence; this made the kernel 1.5× faster.)
  v128_t m = wasm_f64x2_add(wasm_f64x2_sub(u, half), round_magic);
  v128_t j = wasm_f64x2_sub(m, round_magic);
  v128_t p0 = wasm_v128_load(CB + wasm_i32x4_extract_lane(m, 0));
  v128_t p1 = wasm_v128_load(CB + wasm_i32x4_extract_lane(m, 2));
  v128_t lo = wasm_i64x2_shuffle(p0, p1, 0, 2);
  v128_t hi = wasm_i64x2_shuffle(p0, p1, 1, 3);
  v128_t s = wasm_f64x2_sub(u, j);
  v128_t y = wasm_f64x2_add(lo, wasm_f64x2_mul(wasm_f64x2_sub(hi, lo), s));
  v128_t y3 = wasm_f64x2_mul(wasm_f64x2_mul(y, y), y);
  v128_t root = wasm_f64x2_div(wasm_f64x2_mul(y, wasm_f64x2_add(y3, wasm_f64x2_mul(two, t))),
                               wasm_f64x2_add(wasm_f64x2_mul(two, y3), t));
  v128_t linear = wasm_f64x2_add(wasm_f64x2_mul(slope, t), offset);
  return wasm_v128_bitselect(root, linear, wasm_f64x2_gt(t, threshold));
}

static inline v128_t txy(const uint8_t *q) {
  return wasm_f64x2_add(wasm_f64x2_add(wasm_v128_load(T + q[0] * 9), wasm_v128_load(T + q[1] * 9 + 3)),
                        wasm_v128_load(T + q[2] * 9 + 6));
}

static inline double tz(const uint8_t *q) {
  return T[q[0] * 9 + 2] + T[q[1] * 9 + 5] + T[q[2] * 9 + 8];
}

// Pixels p0 (at q0) and p1 (at q1): L at L[0..1], ab interleaved at ab[0..3].
static inline void two_pixels(const uint8_t *q0, const uint8_t *q1, float *L, float *ab, int both) {
  v128_t f0 = lab_f(txy(q0));
  v128_t f1 = lab_f(txy(q1));
  v128_t fz = lab_f(wasm_f64x2_make(tz(q0), tz(q1)));
  v128_t fx = wasm_i64x2_shuffle(f0, f1, 0, 2);
  v128_t fy = wasm_i64x2_shuffle(f0, f1, 1, 3);
  v128_t l = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_sub(wasm_f64x2_mul(l_scale, fy), l_offset));
  v128_t a = wasm_f64x2_mul(a_scale, wasm_f64x2_sub(fx, fy));
  v128_t b = wasm_f64x2_mul(b_scale, wasm_f64x2_sub(fy, fz));
  v128_t ab0 = wasm_f32x4_demote_f64x2_zero(wasm_i64x2_shuffle(a, b, 0, 2));
  if (both) {
    v128_t ab1 = wasm_f32x4_demote_f64x2_zero(wasm_i64x2_shuffle(a, b, 1, 3));
    wasm_v128_store64_lane(L, l, 0);
    wasm_v128_store(ab, wasm_i64x2_shuffle(ab0, ab1, 0, 2));
  } else {
    wasm_v128_store32_lane(L, l, 0);
    wasm_v128_store64_lane(ab, ab0, 0);
  }
}

static inline double ty(const uint8_t *q) {
  return T[q[0] * 9 + 1] + T[q[1] * 9 + 4] + T[q[2] * 9 + 7];
}

// L alone of pixels p0 (at q0) and p1 (at q1), at L[0..1]: one f(t) for two pixels.
static inline void two_lightnesses(const uint8_t *q0, const uint8_t *q1, float *L, int both) {
  v128_t fy = lab_f(wasm_f64x2_make(ty(q0), ty(q1)));
  v128_t l = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_sub(wasm_f64x2_mul(l_scale, fy), l_offset));
  if (both) wasm_v128_store64_lane(L, l, 0);
  else wasm_v128_store32_lane(L, l, 0);
}

// n pixels of `stride` bytes (3 or 4) at rgb → L (n floats) and ab (2n floats); L alone when ab
// is null (inference, where ab is predicted), a third of the work.
void rgb8_to_model_lab(const uint8_t *rgb, int n, int stride, float *L, float *ab) {
  int p = 0;
  if (ab) {
    for (; p + 2 <= n; p += 2) two_pixels(rgb + p * stride, rgb + (p + 1) * stride, L + p, ab + 2 * p, 1);
    if (p < n) two_pixels(rgb + p * stride, rgb + p * stride, L + p, ab + 2 * p, 0);
  } else {
    for (; p + 2 <= n; p += 2) two_lightnesses(rgb + p * stride, rgb + (p + 1) * stride, L + p, 1);
    if (p < n) two_lightnesses(rgb + p * stride, rgb + p * stride, L + p, 0);
  }
}
