// Model-space CIELAB to 8-bit sRGB (modelLabToRgb8) with WebAssembly SIMD, two float64 lanes.
//
// The same float64 operations, in the same order, as modelLabToRgb8's JavaScript loop
// (typed-arrays.ts), so the bytes are the same: f⁻¹ is a cube above the threshold and the linear
// segment below it (both are computed, one is kept), the matrix rows are summed left to right,
// and the 8-bit code is found in the same tables (U8_BOUNDARIES, BUCKET_START) one lane at a time.
// wasm has no fused multiply-add in SIMD128, so nothing is contracted. Two pixels are one vector.
// Where ab is at a lower resolution, each pixel's a and b are interpolated as the loop does
// (along the row, then between the rows, in float64, rounded to float32).
//
// The caller (lab-rgb8-simd.ts) writes the tables into this module's memory, calls rgb8_setup
// once, then converts chunks of pixels copied in and out.
#include <stdint.h>
#include <wasm_simd128.h>

static const double *BOUNDARY;  // 255: the linear value where the code steps from k to k + 1
static const uint8_t *START;    // buckets + 1: the first code to try for a linear value in bucket ⌊v · buckets⌋
static double buckets;
static v128_t fy_scale, fy_offset, fx_scale, fz_scale, threshold, offset, inverse_slope, zero;
static v128_t m[9];

void rgb8_setup(const double *boundaries, const uint8_t *starts, double bucket_count, const double *matrix, double fys, double fyo, double fxs, double fzs,
                double inverse_threshold, double linear_offset, double inv_slope) {
  BOUNDARY = boundaries;
  START = starts;
  buckets = bucket_count;
  for (int i = 0; i < 9; i++) m[i] = wasm_f64x2_splat(matrix[i]);
  fy_scale = wasm_f64x2_splat(fys);
  fy_offset = wasm_f64x2_splat(fyo);
  fx_scale = wasm_f64x2_splat(fxs);
  fz_scale = wasm_f64x2_splat(fzs);
  threshold = wasm_f64x2_splat(inverse_threshold);
  offset = wasm_f64x2_splat(linear_offset);
  inverse_slope = wasm_f64x2_splat(inv_slope);
  zero = wasm_f64x2_splat(0.0);
}

static inline v128_t f_inverse(v128_t f) {
  v128_t cube = wasm_f64x2_mul(wasm_f64x2_mul(f, f), f);
  v128_t linear = wasm_f64x2_mul(wasm_f64x2_sub(f, offset), inverse_slope);
  return wasm_v128_bitselect(cube, linear, wasm_f64x2_gt(f, threshold));
}

// rint(255 · clip(encode(v), 0, 1)) by the boundary tables, as linearToU8.
static inline uint8_t code(double v) {
  if (!(v > BOUNDARY[0])) return 0;
  if (v >= BOUNDARY[254]) return 255;
  int k = START[(int)(v * buckets)];
  while (v >= BOUNDARY[k]) k++;
  return (uint8_t)k;
}

static inline v128_t row(int r, v128_t x, v128_t y, v128_t z) {
  return wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(m[3 * r], x), wasm_f64x2_mul(m[3 * r + 1], y)), wasm_f64x2_mul(m[3 * r + 2], z));
}

// Two pixels' L, a, b (one per lane) to bytes at o0 and o1 (o1 unused when !both); alpha 255.
__attribute__((noinline)) static void two_pixels(v128_t l, v128_t a, v128_t b, uint8_t *o0, uint8_t *o1, int stride, int both) {
  v128_t fy = wasm_f64x2_add(wasm_f64x2_mul(l, fy_scale), fy_offset);
  v128_t fx = wasm_f64x2_add(wasm_f64x2_mul(a, fx_scale), fy);
  v128_t fz_raw = wasm_f64x2_sub(fy, wasm_f64x2_mul(b, fz_scale));
  v128_t fz = wasm_v128_bitselect(fz_raw, zero, wasm_f64x2_gt(fz_raw, zero));
  v128_t x = f_inverse(fx), y = f_inverse(fy), z = f_inverse(fz);
  v128_t r = row(0, x, y, z), g = row(1, x, y, z), bl = row(2, x, y, z);
  o0[0] = code(wasm_f64x2_extract_lane(r, 0));
  o0[1] = code(wasm_f64x2_extract_lane(g, 0));
  o0[2] = code(wasm_f64x2_extract_lane(bl, 0));
  if (stride == 4) o0[3] = 255;
  if (!both) return;
  o1[0] = code(wasm_f64x2_extract_lane(r, 1));
  o1[1] = code(wasm_f64x2_extract_lane(g, 1));
  o1[2] = code(wasm_f64x2_extract_lane(bl, 1));
  if (stride == 4) o1[3] = 255;
}

// n pixels: L (n floats) and ab (2n floats, interleaved) → out (n · stride bytes).
void model_lab_to_rgb8(const float *L, const float *ab, int n, int stride, uint8_t *out) {
  int p = 0;
  for (; p + 2 <= n; p += 2) {
    v128_t l = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(L + p));
    v128_t q = wasm_v128_load(ab + 2 * p);  // a0 b0 a1 b1
    v128_t a = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(q, q, 0, 2, 0, 2));
    v128_t b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(q, q, 1, 3, 1, 3));
    two_pixels(l, a, b, out + p * stride, out + (p + 1) * stride, stride, 1);
  }
  if (p < n) two_pixels(wasm_f64x2_splat(L[p]), wasm_f64x2_splat(ab[2 * p]), wasm_f64x2_splat(ab[2 * p + 1]), out + p * stride, out, stride, 0);
}

// float64 → float32 → float64, as Math.fround.
static inline v128_t fround(v128_t v) {
  return wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(v));
}

// Pixel j's (a, b), one per lane, interpolated: along the row (at left/right with weight fx[j])
// in rows top and bottom, then between them with weight fy, then rounded to float32.
static inline v128_t ab_at(const float *top, const float *bottom, const int *left, const int *right, const double *fx, int j, v128_t fy) {
  v128_t w = wasm_f64x2_splat(fx[j]);
  v128_t tl = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(top + left[j]));
  v128_t tr = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(top + right[j]));
  v128_t bl = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(bottom + left[j]));
  v128_t br = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(bottom + right[j]));
  v128_t t = wasm_f64x2_add(tl, wasm_f64x2_mul(wasm_f64x2_sub(tr, tl), w));
  v128_t u = wasm_f64x2_add(bl, wasm_f64x2_mul(wasm_f64x2_sub(br, bl), w));
  return fround(wasm_f64x2_add(t, wasm_f64x2_mul(wasm_f64x2_sub(u, t), fy)));
}

// n pixels of one output row: L (n floats) with ab read from rows `top` and `bottom` of a smaller
// ab at float offsets left[j] and right[j] (already times 2), weights fx[j] and fy → out.
void model_lab_to_rgb8_row(const float *L, const float *top, const float *bottom, const int *left, const int *right, const double *fx, double fy, int n,
                           int stride, uint8_t *out) {
  v128_t wy = wasm_f64x2_splat(fy);
  int j = 0;
  for (; j + 2 <= n; j += 2) {
    v128_t l = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(L + j));
    v128_t p0 = ab_at(top, bottom, left, right, fx, j, wy);
    v128_t p1 = ab_at(top, bottom, left, right, fx, j + 1, wy);
    two_pixels(l, wasm_i64x2_shuffle(p0, p1, 0, 2), wasm_i64x2_shuffle(p0, p1, 1, 3), out + j * stride, out + (j + 1) * stride, stride, 1);
  }
  if (j < n) {
    v128_t p = ab_at(top, bottom, left, right, fx, j, wy);
    two_pixels(wasm_f64x2_splat(L[j]), wasm_i64x2_shuffle(p, p, 0, 0), wasm_i64x2_shuffle(p, p, 1, 1), out + j * stride, out, stride, 0);
  }
}
