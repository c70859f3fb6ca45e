// What modelLabToRgb8's JavaScript loop and its WebAssembly kernel (internal/wasm/lab-rgb8.c)
// share: the scales from model space, where a resized ab is read, and the tables that give the
// 8-bit sRGB code of a linear value without a power per pixel (linearToU8 in JavaScript).
import { AB_SCALE, L_SCALE } from '../model-space.js';
import { srgbToLinearValue } from '../pixel.js';

/**
 * The linear-RGB value where the 8-bit sRGB code changes from k to k + 1, that is where
 * `255 · encode(linear) = k + 0.5`, for k = 0 … 254. Comparing a linear value against these gives
 * `rint(255 · encode(linear))` (scikit-image's `img_as_ubyte`) without a power per pixel.
 */
export const U8_BOUNDARIES: Float64Array = (() => {
  const b = new Float64Array(255);
  for (let k = 0; k < 255; k += 1) b[k] = srgbToLinearValue((k + 0.5) / 255);
  return b;
})();
/** Equal buckets of linear values 0 … 1 for {@link BUCKET_START}. */
export const BUCKETS = 4096;
/** For a linear value in bucket j = ⌊linear · BUCKETS⌋, the first code whose upper boundary it may not reach. */
export const BUCKET_START: Uint8Array = (() => {
  const start = new Uint8Array(BUCKETS + 1);
  let k = 0;
  for (let j = 0; j <= BUCKETS; j += 1) {
    while (k < 255 && U8_BOUNDARIES[k]! <= j / BUCKETS) k += 1;
    start[j] = k;
  }
  return start;
})();

/** 8-bit sRGB code of a linear value, clipped: `rint(255 · clip(encode(linear), 0, 1))`. */
export function linearToU8(linear: number): number {
  if (!(linear > U8_BOUNDARIES[0]!)) return 0; // also NaN
  if (linear >= U8_BOUNDARIES[254]!) return 255;
  let k = BUCKET_START[(linear * BUCKETS) | 0]!;
  while (linear >= U8_BOUNDARIES[k]!) k += 1;
  return k;
}

/** modelLabToRgb8's scales from model space to f: fy = fyScale · L + fyOffset, fx = fxScale · a + fy, fz = fy − fzScale · b. */
export const LAB_RGB8_SCALES = {
  fyScale: L_SCALE / 116,
  fyOffset: (L_SCALE + 16) / 116,
  fxScale: AB_SCALE / 500,
  fzScale: AB_SCALE / 200,
} as const;

/** Where output pixel j (of `out`) reads a source of `from` pixels, corners aligned: the low index and the weight of the next. */
export function alignedTaps(from: number, out: number): { low: Int32Array; high: Int32Array; frac: Float64Array } {
  const ratio = out > 1 ? (from - 1) / (out - 1) : from / out;
  const low = new Int32Array(out);
  const high = new Int32Array(out);
  const frac = new Float64Array(out);
  for (let j = 0; j < out; j += 1) {
    const s = ratio * j;
    const f = Math.floor(s);
    low[j] = f;
    high[j] = Math.min(from - 1, Math.ceil(s));
    frac[j] = s - f;
  }
  return { low, high, frac };
}
