import { invalid } from '@colorize/core';

import { AB_SCALE, L_SCALE } from './model-space.js';
import { labFFast as labF, labFInverseFast } from './internal/curves.js';
import { LINEAR_FROM_T } from './internal/matrices.js';
import { RGB8_LAB_SCALES, T_FROM_RGB8 } from './internal/rgb8-table.js';
import { rgb8ToModelLabSimd } from './internal/wasm/rgb8-lab-simd.js';
import { srgbToLinearValue } from './pixel.js';

/** L and ab of n pixels in model space: `L` has n values (`L / 50 − 1`), `ab` 2n interleaved (`a / 110`, `b / 110`). */
export interface ModelLabArrays {
  L: Float32Array;
  ab: Float32Array;
}

/** Options of {@link rgb8ToModelLab} and {@link modelLabToRgb8}. */
export interface Rgb8Options {
  /** Values per pixel in the byte array: 3 for RGB, 4 for RGBA (alpha is ignored, or written as 255). Defaults to 3. */
  channels?: 3 | 4;
}


/**
 * The linear-RGB value where the 8-bit sRGB code changes from k to k + 1, that is where
 * `255 · encode(linear) = k + 0.5`, for k = 0 … 254. Comparing a linear value against these gives
 * `rint(255 · encode(linear))` (scikit-image's `img_as_ubyte`) without a power per pixel.
 */
const U8_BOUNDARIES: Float64Array = (() => {
  const b = new Float64Array(255);
  for (let k = 0; k < 255; k += 1) b[k] = srgbToLinearValue((k + 0.5) / 255);
  return b;
})();
/** For a linear value in bucket j = ⌊linear · 4096⌋, the first code whose upper boundary it may not reach. */
const BUCKETS = 4096;
const BUCKET_START: Uint8Array = (() => {
  const start = new Uint8Array(BUCKETS + 1);
  let k = 0;
  for (let j = 0; j <= BUCKETS; j += 1) {
    while (k < 255 && U8_BOUNDARIES[k]! <= j / BUCKETS) k += 1;
    start[j] = k;
  }
  return start;
})();

/** 8-bit sRGB code of a linear value, clipped: `rint(255 · clip(encode(linear), 0, 1))`. */
function linearToU8(linear: number): number {
  if (!(linear > U8_BOUNDARIES[0]!)) return 0; // also NaN
  if (linear >= U8_BOUNDARIES[254]!) return 255;
  let k = BUCKET_START[(linear * BUCKETS) | 0]!;
  while (linear >= U8_BOUNDARIES[k]!) k += 1;
  return k;
}

function pixelsOf(fn: string, length: number, channels: number): number {
  if (channels !== 3 && channels !== 4) throw invalid('INVALID_OPTION', fn, 'channels to be 3 or 4', String(channels));
  if (length % channels !== 0) {
    throw invalid('INVALID_SHAPE', fn, `a byte array whose length is a multiple of ${channels}`, `length ${length}`);
  }
  return length / channels;
}

/**
 * rgb8ToModelLab's JavaScript loop: where the runtime lacks WebAssembly SIMD, and the reference
 * its SIMD kernel (internal/wasm/rgb8-lab.c) equals bit for bit.
 */
export function rgb8ToModelLabLoop(rgb: Uint8Array | Uint8ClampedArray, n: number, channels: number, L: Float32Array, ab: Float32Array): void {
  const T = T_FROM_RGB8;
  const { lScale, lOffset, aScale, bScale } = RGB8_LAB_SCALES;
  for (let p = 0, i = 0; p < n; p += 1, i += channels) {
    const r = rgb[i]! * 9;
    const g = rgb[i + 1]! * 9 + 3;
    const b = rgb[i + 2]! * 9 + 6;
    const fx = labF(T[r]! + T[g]! + T[b]!);
    const fy = labF(T[r + 1]! + T[g + 1]! + T[b + 1]!);
    const fz = labF(T[r + 2]! + T[g + 2]! + T[b + 2]!);
    L[p] = lScale * fy - lOffset;
    ab[2 * p] = aScale * (fx - fy);
    ab[2 * p + 1] = bScale * (fy - fz);
  }
}

/**
 * 8-bit sRGB pixels to L and ab in model space, for the data pipeline: no tensors, float64
 * arithmetic with exact lookup tables for the 8-bit decode, results stored as float32. Runs as
 * colorize's own WebAssembly SIMD kernel (the same operations, two pixels at a time) where the
 * runtime has WebAssembly SIMD, as a JavaScript loop elsewhere; the results are the same.
 *
 * @param rgb - `Uint8Array` (or `Uint8ClampedArray`, as from a canvas) of interleaved RGB or RGBA.
 * @param options - see {@link Rgb8Options}.
 * @param out - arrays to write into (n and 2n long); new ones when omitted.
 * @returns `{ L, ab }` in model space.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` for a length that is not whole pixels or a too-short `out`.
 * @remarks Equals `rgbToLabPixel` (scikit-image's `rgb2lab`) up to float32 storage.
 * @example
 * ```ts
 * const { L, ab } = rgb8ToModelLab(rawRgbBytes);
 * const batch = { L: tf.tensor4d(L, [1, h, w, 1]), ab: tf.tensor4d(ab, [1, h, w, 2]) };
 * ```
 */
export function rgb8ToModelLab(rgb: Uint8Array | Uint8ClampedArray, options: Rgb8Options = {}, out?: ModelLabArrays): ModelLabArrays {
  const fn = 'rgb8ToModelLab';
  const channels = options.channels ?? 3;
  const n = pixelsOf(fn, rgb.length, channels);
  const L = out?.L ?? new Float32Array(n);
  const ab = out?.ab ?? new Float32Array(2 * n);
  if (L.length < n || ab.length < 2 * n) throw invalid('INVALID_SHAPE', fn, `out arrays of at least ${n} and ${2 * n} values`, `${L.length} and ${ab.length}`);
  const simd = rgb8ToModelLabSimd();
  (simd ?? rgb8ToModelLabLoop)(rgb, n, channels, L, ab);
  return { L, ab };
}

/**
 * L and ab in model space back to 8-bit sRGB pixels, as scikit-image's `lab2rgb` followed by
 * `img_as_ubyte`: z < 0 clamped, clipped to [0, 1], rounded to the nearest code.
 *
 * @param L - n values, `L / 50 − 1`.
 * @param ab - 2n interleaved values, `a / 110`, `b / 110`.
 * @param options - see {@link Rgb8Options}; with 4 channels alpha is written as 255.
 * @param out - a byte array of n · channels to write into; a new one when omitted.
 * @returns interleaved RGB or RGBA bytes.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when `ab` is not twice `L`'s length or `out` is too short.
 * @example
 * ```ts
 * const bytes = modelLabToRgb8(L, predictedAb);
 * ```
 */
export function modelLabToRgb8(L: Float32Array, ab: Float32Array, options: Rgb8Options = {}, out?: Uint8Array | Uint8ClampedArray): Uint8Array | Uint8ClampedArray {
  const fn = 'modelLabToRgb8';
  const channels = options.channels ?? 3;
  const n = L.length;
  if (ab.length !== 2 * n) throw invalid('INVALID_SHAPE', fn, `ab with twice L's length (${2 * n})`, `length ${ab.length}`);
  pixelsOf(fn, n * channels, channels);
  const rgb = out ?? new Uint8Array(n * channels);
  if (rgb.length < n * channels) throw invalid('INVALID_SHAPE', fn, `an out array of at least ${n * channels} bytes`, `${rgb.length}`);
  // x, y, z stay relative to the white point (t = X / Xn); LINEAR_FROM_T has it folded in.
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = LINEAR_FROM_T;
  const lScale = L_SCALE / 116;
  const lOffset = (L_SCALE + 16) / 116;
  const aScale = AB_SCALE / 500;
  const bScale = AB_SCALE / 200;
  for (let p = 0, i = 0; p < n; p += 1, i += channels) {
    const fy = L[p]! * lScale + lOffset;
    const fx = ab[2 * p]! * aScale + fy;
    const fzRaw = fy - ab[2 * p + 1]! * bScale;
    const fz = fzRaw > 0 ? fzRaw : 0;
    const x = labFInverseFast(fx);
    const y = labFInverseFast(fy);
    const z = labFInverseFast(fz);
    rgb[i] = linearToU8(m00 * x + m01 * y + m02 * z);
    rgb[i + 1] = linearToU8(m10 * x + m11 * y + m12 * z);
    rgb[i + 2] = linearToU8(m20 * x + m21 * y + m22 * z);
    if (channels === 4) rgb[i + 3] = 255;
  }
  return rgb;
}

export { linearToU8 };
