import { describeValue, invalid } from '@colorize/core';

import { labFFast as labF, labFInverseFast } from './internal/curves.js';
import { LINEAR_FROM_T } from './internal/matrices.js';
import { RGB8_LAB_SCALES, T_FROM_RGB8 } from './internal/rgb8-table.js';
import { rgb8ToModelLabSimd } from './internal/wasm/rgb8-lab-simd.js';
import { alignedTaps, LAB_RGB8_SCALES, linearToU8 } from './internal/rgb8-codes.js';
import { modelLabToRgb8Simd } from './internal/wasm/lab-rgb8-simd.js';
import type { ModelLabToRgb8Kernel } from './internal/wasm/lab-rgb8-simd.js';

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


function pixelsOf(fn: string, length: number, channels: number): number {
  if (channels !== 3 && channels !== 4) throw invalid('INVALID_OPTION', fn, 'channels to be 3 or 4', String(channels));
  if (length % channels !== 0) {
    throw invalid('INVALID_SHAPE', fn, `a byte array whose length is a multiple of ${channels}`, `length ${length}`);
  }
  return length / channels;
}

/**
 * rgb8ToModelLab's JavaScript loop: where the runtime lacks WebAssembly SIMD, and the reference
 * its SIMD kernel (internal/wasm/rgb8-lab.c) equals bit for bit. L alone where `ab` is null.
 */
export function rgb8ToModelLabLoop(rgb: Uint8Array | Uint8ClampedArray, n: number, channels: number, L: Float32Array, ab: Float32Array | null): void {
  const T = T_FROM_RGB8;
  const { lScale, lOffset, aScale, bScale } = RGB8_LAB_SCALES;
  for (let p = 0, i = 0; p < n; p += 1, i += channels) {
    const r = rgb[i]! * 9;
    const g = rgb[i + 1]! * 9 + 3;
    const b = rgb[i + 2]! * 9 + 6;
    const fy = labF(T[r + 1]! + T[g + 1]! + T[b + 1]!);
    L[p] = lScale * fy - lOffset;
    if (ab === null) continue;
    const fx = labF(T[r]! + T[g]! + T[b]!);
    const fz = labF(T[r + 2]! + T[g + 2]! + T[b + 2]!);
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

/** Options of {@link rgb8ToModelL}. */
export interface Rgb8ToModelLOptions extends Rgb8Options {
  /** `[height, width]` of the image. Needed only with `outSize`. Defaults to none (a plain list of pixels). */
  size?: readonly [number, number];
  /**
   * `[height, width]` to resize L to, as a model's input at its render size: bilinearly with
   * corners aligned, the values `tf.image.resizeBilinear(L, outSize, true)` gives on the cpu
   * backend (float64 arithmetic, stored as float32). L is computed only at the pixels the resize
   * reads, so the full-size L is never made. Defaults to L at the image's own size.
   */
  outSize?: readonly [number, number];
}

/**
 * L alone of 8-bit sRGB pixels, in model space: {@link rgb8ToModelLab}'s L, bit for bit, for a
 * third of its work. For inference, where ab is what the model predicts; with `size` and
 * `outSize`, resized to the model's input size.
 *
 * @param rgb - `Uint8Array` (or `Uint8ClampedArray`) of interleaved RGB or RGBA.
 * @param options - see {@link Rgb8ToModelLOptions}.
 * @param out - an array of at least n values (outSize's pixel count where given) to write into; a new one when omitted.
 * @returns L in model space (`L / 50 − 1`), one value per pixel (of `outSize` where given).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` for a length that is not whole pixels, that does not
 *   match `size`, or a too-short `out`; `INVALID_OPTION` for a bad `size` or `outSize`.
 * @example
 * ```ts
 * const L = rgb8ToModelL(imageData.data, { channels: 4 });
 * // The input of a model at 256 × 256, from a 1200 × 1600 photo:
 * const input = rgb8ToModelL(photo, { size: [1200, 1600], outSize: [256, 256] });
 * ```
 */
export function rgb8ToModelL(rgb: Uint8Array | Uint8ClampedArray, options: Rgb8ToModelLOptions = {}, out?: Float32Array): Float32Array {
  const fn = 'rgb8ToModelL';
  const channels = options.channels ?? 3;
  const n = pixelsOf(fn, rgb.length, channels);
  const toL = rgb8ToModelLabSimd() ?? rgb8ToModelLabLoop;
  const resized = options.size !== undefined || options.outSize !== undefined;
  const [h, w] = resized ? sizeOf(fn, 'size', options.size) : [1, n];
  const [oh, ow] = resized ? sizeOf(fn, 'outSize', options.outSize ?? options.size) : [1, n];
  if (h * w !== n) throw invalid('INVALID_SHAPE', fn, `${h}×${w}×${channels} bytes for size ${h}×${w}`, `${rgb.length} bytes`);
  const L = out ?? new Float32Array(oh * ow);
  if (L.length < oh * ow) throw invalid('INVALID_SHAPE', fn, `an out array of at least ${oh * ow} values`, `${L.length}`);
  if (oh === h && ow === w) {
    // Not resized, or resized to the same size, which reads each pixel with weight 0 for its neighbour: L itself.
    toL(rgb, n, channels, L, null);
    return L;
  }
  // The rows and columns the resize reads, each once, in order; L of the grid they cross.
  const rows = alignedTaps(h, oh);
  const cols = alignedTaps(w, ow);
  const rowAt = new Int32Array(h).fill(-1);
  const colAt = new Int32Array(w).fill(-1);
  const used = (taps: { low: Int32Array; high: Int32Array }, at: Int32Array): number[] => {
    const list: number[] = [];
    for (const i of [...taps.low, ...taps.high].sort((x, y) => x - y)) if (at[i] === -1) at[i] = list.push(i) - 1;
    return list;
  };
  const gridRows = used(rows, rowAt);
  const gridCols = used(cols, colAt);
  const gw = gridCols.length;
  const picked = new Uint8Array(gridRows.length * gw * 3);
  for (let r = 0, o = 0; r < gridRows.length; r += 1) {
    const row = gridRows[r]! * w;
    for (const c of gridCols) {
      const i = (row + c) * channels;
      picked[o++] = rgb[i]!;
      picked[o++] = rgb[i + 1]!;
      picked[o++] = rgb[i + 2]!;
    }
  }
  const grid = new Float32Array(gridRows.length * gw);
  toL(picked, grid.length, 3, grid, null);
  // tfjs's order of operations: along the row, then between the rows.
  for (let y = 0, p = 0; y < oh; y += 1) {
    const top = gw * rowAt[rows.low[y]!]!;
    const bottom = gw * rowAt[rows.high[y]!]!;
    const fy = rows.frac[y]!;
    for (let x = 0; x < ow; x += 1, p += 1) {
      const left = colAt[cols.low[x]!]!;
      const right = colAt[cols.high[x]!]!;
      const fx = cols.frac[x]!;
      const t = grid[top + left]! + (grid[top + right]! - grid[top + left]!) * fx;
      const u = grid[bottom + left]! + (grid[bottom + right]! - grid[bottom + left]!) * fx;
      L[p] = t + (u - t) * fy;
    }
  }
  return L;
}

/** Options of {@link modelLabToRgb8}. */
export interface ModelLabToRgb8Options extends Rgb8Options {
  /**
   * `[height, width]` of the image L belongs to. Needed only with `abSize`. Defaults to none
   * (L and ab are plain lists of pixels).
   */
  size?: readonly [number, number];
  /**
   * `[height, width]` of ab when it is at a lower resolution than L, as a model's prediction at
   * its render size: each pixel's a and b are then resized from it to `size` as the pixel is
   * converted, bilinearly with corners aligned, the values `tf.image.resizeBilinear(ab, size, true)`
   * gives on the cpu backend (float64 arithmetic, stored as float32), so the full-size ab is never
   * made. Defaults to ab at L's own resolution.
   */
  abSize?: readonly [number, number];
}

/** A positive integer pair `[height, width]`, or a ColorizeError naming `name`. */
function sizeOf(fn: string, name: string, value: unknown): [number, number] {
  const ok = Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && (v as number) >= 1);
  if (!ok) throw invalid('INVALID_OPTION', fn, `${name} to be [height, width], two integers ≥ 1`, describeValue(value));
  return [value[0] as number, value[1] as number];
}

/**
 * modelLabToRgb8's JavaScript loop, after its checks: where the runtime lacks WebAssembly SIMD,
 * and the reference its SIMD kernel (internal/wasm/lab-rgb8.c) equals byte for byte. Sets up the
 * join of an h × w L with ab, ah × aw (resized to h × w as each pixel is read where the sizes
 * differ), and returns the function that joins any run of rows.
 */
export const modelLabToRgb8Loop: ModelLabToRgb8Kernel = (ab, h, w, ah, aw, channels) => {
  // Where each output row and column reads ab: itself, or the two nearest of ab's, corners aligned.
  const direct = ah === h && aw === w;
  const rows = alignedTaps(ah, direct ? 1 : h);
  const cols = alignedTaps(aw, direct ? 1 : w);
  // x, y, z stay relative to the white point (t = X / Xn); LINEAR_FROM_T has it folded in.
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = LINEAR_FROM_T;
  const { fyScale: lScale, fyOffset: lOffset, fxScale: aScale, fzScale: bScale } = LAB_RGB8_SCALES;
  return (L, y0, y1, rgb) => {
    for (let y = y0, p = 0, i = 0; y < y1; y += 1) {
      const top = direct ? 0 : 2 * aw * rows.low[y]!;
      const bottom = direct ? 0 : 2 * aw * rows.high[y]!;
      const fy = direct ? 0 : rows.frac[y]!;
      for (let x = 0; x < w; x += 1, p += 1, i += channels) {
        let a: number;
        let b: number;
        if (direct) {
          const q = y0 * w + p;
          a = ab[2 * q]!;
          b = ab[2 * q + 1]!;
        } else {
          const left = 2 * cols.low[x]!;
          const right = 2 * cols.high[x]!;
          const fx = cols.frac[x]!;
          // tfjs's order of operations: along the row, then between the rows.
          const aTop = ab[top + left]! + (ab[top + right]! - ab[top + left]!) * fx;
          const aBottom = ab[bottom + left]! + (ab[bottom + right]! - ab[bottom + left]!) * fx;
          const bTop = ab[top + left + 1]! + (ab[top + right + 1]! - ab[top + left + 1]!) * fx;
          const bBottom = ab[bottom + left + 1]! + (ab[bottom + right + 1]! - ab[bottom + left + 1]!) * fx;
          a = Math.fround(aTop + (aBottom - aTop) * fy);
          b = Math.fround(bTop + (bBottom - bTop) * fy);
        }
        const fyL = L[p]! * lScale + lOffset;
        const fxL = a * aScale + fyL;
        const fzRaw = fyL - b * bScale;
        const X = labFInverseFast(fxL);
        const Y = labFInverseFast(fyL);
        const Z = labFInverseFast(fzRaw > 0 ? fzRaw : 0);
        rgb[i] = linearToU8(m00 * X + m01 * Y + m02 * Z);
        rgb[i + 1] = linearToU8(m10 * X + m11 * Y + m12 * Z);
        rgb[i + 2] = linearToU8(m20 * X + m21 * Y + m22 * Z);
        if (channels === 4) rgb[i + 3] = 255;
      }
    }
  };
};

/**
 * L and ab in model space back to 8-bit sRGB pixels, as scikit-image's `lab2rgb` followed by
 * `img_as_ubyte`: z < 0 clamped, clipped to [0, 1], rounded to the nearest code. With `size` and
 * `abSize`, ab may be smaller than L: this is how a photo is colorized at full resolution, its own
 * L joined with a prediction made at the model's size. Runs as colorize's own WebAssembly SIMD
 * kernel where the runtime has WebAssembly SIMD, as a JavaScript loop elsewhere; the bytes are
 * the same.
 *
 * @param L - n values, `L / 50 − 1`.
 * @param ab - 2n interleaved values, `a / 110`, `b / 110`; with `abSize` [h, w], 2 · h · w values.
 * @param options - see {@link ModelLabToRgb8Options}; with 4 channels alpha is written as 255.
 * @param out - a byte array of n · channels to write into; a new one when omitted.
 * @returns interleaved RGB or RGBA bytes.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when `ab` does not have twice L's
 *   length (or abSize's pixel count), when L does not have `size`'s, or when `out` is too short;
 *   `INVALID_OPTION` for a bad `size` or `abSize`.
 * @example
 * ```ts
 * const bytes = modelLabToRgb8(L, predictedAb);
 * // L of a 1200 × 1600 photo, ab predicted at 256 × 256:
 * const full = modelLabToRgb8(L, ab256, { size: [1200, 1600], abSize: [256, 256] });
 * ```
 */
export function modelLabToRgb8(L: Float32Array, ab: Float32Array, options: ModelLabToRgb8Options = {}, out?: Uint8Array | Uint8ClampedArray): Uint8Array | Uint8ClampedArray {
  const fn = 'modelLabToRgb8';
  const channels = options.channels ?? 3;
  const n = L.length;
  const resized = options.abSize !== undefined || options.size !== undefined;
  const [h, w] = resized ? sizeOf(fn, 'size', options.size) : [1, n];
  const [ah, aw] = resized ? sizeOf(fn, 'abSize', options.abSize ?? options.size) : [1, n];
  if (h * w !== n) throw invalid('INVALID_SHAPE', fn, `L with size's ${h}×${w} = ${h * w} values`, `length ${n}`);
  if (ab.length !== 2 * ah * aw) throw invalid('INVALID_SHAPE', fn, resized ? `ab with twice abSize's ${ah}×${aw} values (${2 * ah * aw})` : `ab with twice L's length (${2 * n})`, `length ${ab.length}`);
  pixelsOf(fn, n * channels, channels);
  const rgb = out ?? new Uint8Array(n * channels);
  if (rgb.length < n * channels) throw invalid('INVALID_SHAPE', fn, `an out array of at least ${n * channels} bytes`, `${rgb.length}`);
  (modelLabToRgb8Simd() ?? modelLabToRgb8Loop)(ab, h, w, ah, aw, channels)(L, 0, h, rgb);
  return rgb;
}

/** Options of {@link recolorRgb8}. */
export interface RecolorRgb8Options extends Rgb8Options {
  /** `[height, width]` of the image. */
  size: readonly [number, number];
  /**
   * `[height, width]` of ab when it is at a lower resolution than the image, as a model's
   * prediction at its render size: resized as in {@link modelLabToRgb8}. Defaults to `size`.
   */
  abSize?: readonly [number, number];
}

/** Pixels per band of {@link recolorRgb8}: its L stays in a core's cache between the two kernels. */
const BAND_PIXELS = 16384;

/**
 * Gives an 8-bit sRGB image the colour ab, keeping each pixel's own lightness: byte for byte
 * `modelLabToRgb8(rgb8ToModelL(rgb), ab, { size, abSize })`, done a band of rows at a time, so the
 * full-size L is never made. This is how a photo is colorized at full resolution: its own L joined
 * with ab predicted at the model's render size (the approach of Zhang et al. 2016). Runs as
 * colorize's WebAssembly SIMD kernels where the runtime has WebAssembly SIMD, as JavaScript loops
 * elsewhere; the bytes are the same.
 *
 * @param rgb - `Uint8Array` (or `Uint8ClampedArray`) of interleaved RGB or RGBA, `size` pixels; only its L is used.
 * @param ab - 2 · h · w interleaved values in model space (`a / 110`, `b / 110`), of `abSize` (else `size`).
 * @param options - see {@link RecolorRgb8Options}; with 4 channels alpha is copied from `rgb`.
 * @param out - a byte array of `rgb`'s length to write into (`rgb` itself recolors it in place); a new one when omitted.
 * @returns interleaved RGB or RGBA bytes.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when `rgb` does not have `size`'s pixels, `ab`
 *   does not have twice abSize's, or `out` is too short; `INVALID_OPTION` for a bad `size` or `abSize`.
 * @example
 * ```ts
 * // A 1200 × 1600 photo, ab predicted at 256 × 256:
 * const colorized = recolorRgb8(photo, ab256, { size: [1200, 1600], abSize: [256, 256] });
 * ```
 */
export function recolorRgb8(rgb: Uint8Array | Uint8ClampedArray, ab: Float32Array, options: RecolorRgb8Options, out?: Uint8Array | Uint8ClampedArray): Uint8Array | Uint8ClampedArray {
  const fn = 'recolorRgb8';
  const channels = options?.channels ?? 3;
  const n = pixelsOf(fn, rgb.length, channels);
  const [h, w] = sizeOf(fn, 'size', options?.size);
  const [ah, aw] = sizeOf(fn, 'abSize', options?.abSize ?? options?.size);
  if (h * w !== n) throw invalid('INVALID_SHAPE', fn, `${h}×${w}×${channels} bytes for size ${h}×${w}`, `${rgb.length} bytes`);
  if (!(ab instanceof Float32Array) || ab.length !== 2 * ah * aw) throw invalid('INVALID_SHAPE', fn, `ab with twice abSize's ${ah}×${aw} values (${2 * ah * aw})`, describeValue(ab));
  const result = out ?? new Uint8Array(n * channels);
  if (result.length < n * channels) throw invalid('INVALID_SHAPE', fn, `an out array of at least ${n * channels} bytes`, `${result.length}`);
  const toL = rgb8ToModelLabSimd() ?? rgb8ToModelLabLoop;
  const join = (modelLabToRgb8Simd() ?? modelLabToRgb8Loop)(ab, h, w, ah, aw, channels);
  // Each band's L is made from rgb before its bytes are written, so out may be rgb itself.
  const rows = Math.max(1, Math.floor(BAND_PIXELS / w));
  const L = new Float32Array(rows * w);
  // Alpha is kept aside while the join writes 255 there (out may be rgb).
  const alpha = channels === 4 ? new Uint8Array(rows * w) : null;
  for (let y0 = 0; y0 < h; y0 += rows) {
    const y1 = Math.min(h, y0 + rows);
    const band = rgb.subarray(y0 * w * channels, y1 * w * channels);
    const m = (y1 - y0) * w;
    toL(band, m, channels, L, null);
    if (alpha) for (let p = 0; p < m; p += 1) alpha[p] = band[4 * p + 3]!;
    const target = result.subarray(y0 * w * channels, y1 * w * channels);
    join(L, y0, y1, target);
    if (alpha) for (let p = 0; p < m; p += 1) target[4 * p + 3] = alpha[p]!;
  }
  return result;
}
