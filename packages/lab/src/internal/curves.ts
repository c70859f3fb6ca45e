import { SKIMAGE_CIELAB as K } from '@colorize/core';

/**
 * Fast float64 versions of the three non-linear curves, for the JavaScript kernels. `Math.pow`
 * costs about 60 ns in V8 and `Math.cbrt` about 15 ns: more than the rest of a pixel's
 * conversion. These use tables (cubic Hermite interpolation, or a linear guess refined by a
 * Halley step) accurate to about 1e-11 relative, far below float32, and fall back to `Math` past
 * the tables' ranges.
 */

const N = 1024;

interface HermiteTable {
  x0: number;
  h: number;
  f: Float64Array;
  d: Float64Array;
}

function hermiteTable(x0: number, x1: number, f: (x: number) => number, d: (x: number) => number): HermiteTable {
  const h = (x1 - x0) / N;
  const fs = new Float64Array(N + 2);
  const ds = new Float64Array(N + 2);
  for (let k = 0; k <= N + 1; k += 1) {
    fs[k] = f(x0 + k * h);
    ds[k] = d(x0 + k * h) * h;
  }
  return { x0, h, f: fs, d: ds };
}

function hermite(t: HermiteTable, x: number): number {
  const u = (x - t.x0) / t.h;
  const j = u | 0;
  const s = u - j;
  const s2 = s * s;
  const s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * t.f[j]! + (s3 - 2 * s2 + s) * t.d[j]! + (3 * s2 - 2 * s3) * t.f[j + 1]! + (s3 - s2) * t.d[j + 1]!;
}

const DECODE = hermiteTable(
  K.srgbDecodeThreshold,
  1,
  (c) => ((c + 0.055) / 1.055) ** 2.4,
  (c) => (2.4 / 1.055) * ((c + 0.055) / 1.055) ** 1.4,
);

/** The float32 values k / 255, and their exact float64 decodes: most images arrive as 8-bit codes over 255. */
const CODES = Float32Array.from({ length: 256 }, (_, k) => k / 255);
const CODE_DECODED = Float64Array.from(CODES, (c) => (c > K.srgbDecodeThreshold ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92));

/**
 * sRGB decode, as scikit-image: `((c + 0.055) / 1.055)^2.4` for `c > 0.04045`, else `c / 12.92`.
 * A float32 input equal to some k / 255 (any image that came from 8 bits) is a table read of the
 * exact value for that same float32 input; others are interpolated.
 */
export function decodeFast(c: number): number {
  const k = Math.round(c * 255);
  if (k >= 0 && k <= 255 && CODES[k] === c) return CODE_DECODED[k]!;
  if (!(c > K.srgbDecodeThreshold)) return c / 12.92;
  return c <= 1 ? hermite(DECODE, c) : ((c + 0.055) / 1.055) ** 2.4;
}

/**
 * The encode as a function of u = √l, which is smooth where l^(1/2.4) is steep (near 0), at
 * 8192 points: linear interpolation there is within 5e-9 relative (below float32), and cheaper
 * than a cubic.
 */
const ENCODE_N = 8192;
const ENCODE_U0 = Math.sqrt(K.srgbEncodeThreshold);
const ENCODE_INV_H = ENCODE_N / (1 - ENCODE_U0);
const ENCODE = Float64Array.from({ length: ENCODE_N + 2 }, (_, k) => 1.055 * (ENCODE_U0 + k / ENCODE_INV_H) ** (2 / 2.4) - 0.055);

/** sRGB encode, as scikit-image: `1.055 · l^(1/2.4) − 0.055` for `l > 0.0031308`, else `12.92 · l`. No clipping. */
export function encodeFast(l: number): number {
  if (!(l > K.srgbEncodeThreshold)) return 12.92 * l;
  if (!(l <= 1)) return 1.055 * l ** (1 / 2.4) - 0.055;
  const u = (Math.sqrt(l) - ENCODE_U0) * ENCODE_INV_H;
  const j = u | 0;
  const lo = ENCODE[j]!;
  return lo + (ENCODE[j + 1]! - lo) * (u - j);
}

/** cbrtFast's table: ∛(j / CBRT_PER_BUCKET) for j = 0 … CBRT_BUCKETS + 1, over t = 0 … CBRT_MAX (also read by the wasm kernel, internal/wasm/rgb8-lab.c). */
const CBRT_BUCKETS = 2048;
export const CBRT_MAX = 1.125;
export const CBRT_PER_BUCKET = CBRT_BUCKETS / CBRT_MAX;
export const CBRT_TABLE: Float64Array = (() => {
  const table = new Float64Array(CBRT_BUCKETS + 2);
  for (let j = 0; j < table.length; j += 1) table[j] = Math.cbrt(j / CBRT_PER_BUCKET);
  return table;
})();
/** 1.5 · 2^52: `(x + ROUND) − ROUND` is x rounded to the nearest integer (ties to even) for |x| < 2^51. */
const ROUND = 6755399441055744;

/**
 * ∛t for t ≥ 0.008856: linear interpolation in a table (relative error below 1e-4), then one
 * Halley step `y · (y³ + 2t) / (2y³ + t)`, which cubes the error to below 1e-12. The bucket j
 * is `u − 0.5` rounded, so that u − j lies in [0, 1], as the SIMD kernel finds it (a rounding
 * is cheap there, a truncation is not); its results equal these bit for bit.
 */
export function cbrtFast(t: number): number {
  if (!(t <= CBRT_MAX)) return Math.cbrt(t);
  const u = t * CBRT_PER_BUCKET;
  const j = u - 0.5 + ROUND - ROUND;
  const lo = CBRT_TABLE[j]!;
  const y = lo + (CBRT_TABLE[j + 1]! - lo) * (u - j);
  const y3 = y * y * y;
  return (y * (y3 + 2 * t)) / (2 * y3 + t);
}

const INVERSE_SLOPE = 1 / K.labLinearSlope;

/** The inverse of {@link labFFast} as scikit-image computes it (threshold 0.2068966), with a multiply for the division. */
export function labFInverseFast(f: number): number {
  return f > K.labInverseThreshold ? f * f * f : (f - K.labLinearOffset) * INVERSE_SLOPE;
}

/** The CIELAB companding function f(t) of scikit-image. */
export function labFFast(t: number): number {
  return t > K.labForwardThreshold ? cbrtFast(t) : K.labLinearSlope * t + K.labLinearOffset;
}
