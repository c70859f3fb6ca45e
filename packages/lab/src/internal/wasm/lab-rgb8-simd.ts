import { align16, EmbeddedModule, heapStart, reserve, SKIMAGE_CIELAB as K } from '@colorize/core';
import type { EmbeddedExports } from '@colorize/core';

import { LINEAR_FROM_T } from '../matrices.js';
import { alignedTaps, BUCKET_START, BUCKETS, LAB_RGB8_SCALES, U8_BOUNDARIES } from '../rgb8-codes.js';
import { MODULE_BASE64 } from './lab-rgb8.wasm.js';

/** The functions of `lab-rgb8.wasm.ts` (C source: lab-rgb8.c). Pointers are byte offsets. */
export interface LabRgb8Exports extends EmbeddedExports {
  rgb8_setup(boundaries: number, starts: number, buckets: number, matrix: number, fyScale: number, fyOffset: number, fxScale: number, fzScale: number,
    inverseThreshold: number, linearOffset: number, inverseSlope: number): void;
  model_lab_to_rgb8(L: number, ab: number, n: number, stride: number, out: number): void;
  model_lab_to_rgb8_row(L: number, top: number, bottom: number, left: number, right: number, fx: number, fy: number, n: number, stride: number, out: number): void;
}

/** Pixels per call: the module's memory holds one chunk of L and ab in and bytes out (about 256 KB). */
export const CHUNK_PIXELS = 16384;

const MODULE = new EmbeddedModule<LabRgb8Exports>(MODULE_BASE64);

/**
 * Joins rows `y0` … `y1 − 1` of an h × w image: `L` holds those rows' values from its start, and
 * `out` gets their bytes from its start.
 */
export type RowJoiner = (L: Float32Array, y0: number, y1: number, out: Uint8Array | Uint8ClampedArray) => void;

/**
 * Sets up the join of an h × w L with ab (ah × aw, resized as it is read where the sizes differ)
 * into `channels` bytes per pixel. The joiner it returns holds until the next set-up.
 */
export type ModelLabToRgb8Kernel = (ab: Float32Array, h: number, w: number, ah: number, aw: number, channels: number) => RowJoiner;

let kernel: ModelLabToRgb8Kernel | null | undefined;

function setUp(): ModelLabToRgb8Kernel | null {
  const instance = MODULE.instance();
  if (instance === null) return null;
  const { exports } = instance;
  const boundariesAt = heapStart(instance);
  const matrixAt = boundariesAt + align16(8 * U8_BOUNDARIES.length);
  const startsAt = matrixAt + align16(8 * 9);
  const lAt = startsAt + align16(BUCKET_START.length);
  const abAt = lAt + align16(4 * CHUNK_PIXELS);
  const outAt = abAt + align16(8 * CHUNK_PIXELS);
  /** Where a resized call's column taps and its whole ab go. */
  const variableAt = outAt + align16(4 * CHUNK_PIXELS);
  reserve(instance, variableAt);
  const buffer = instance.memory.buffer;
  new Float64Array(buffer, boundariesAt, U8_BOUNDARIES.length).set(U8_BOUNDARIES);
  new Float64Array(buffer, matrixAt, 9).set(LINEAR_FROM_T.flat());
  new Uint8Array(buffer, startsAt, BUCKET_START.length).set(BUCKET_START);
  const s = LAB_RGB8_SCALES;
  exports.rgb8_setup(boundariesAt, startsAt, BUCKETS, matrixAt, s.fyScale, s.fyOffset, s.fxScale, s.fzScale, K.labInverseThreshold, K.labLinearOffset, 1 / K.labLinearSlope);

  const direct = (ab: Float32Array, w: number, channels: number): RowJoiner => (L, y0, y1, out) => {
    const memory = instance.memory.buffer;
    const n = (y1 - y0) * w;
    const first = y0 * w;
    for (let p0 = 0; p0 < n; p0 += CHUNK_PIXELS) {
      const m = Math.min(CHUNK_PIXELS, n - p0);
      new Float32Array(memory, lAt, m).set(L.subarray(p0, p0 + m));
      new Float32Array(memory, abAt, 2 * m).set(ab.subarray(2 * (first + p0), 2 * (first + p0 + m)));
      exports.model_lab_to_rgb8(lAt, abAt, m, channels, outAt);
      out.set(new Uint8Array(memory, outAt, m * channels), p0 * channels);
    }
  };

  const resized = (ab: Float32Array, h: number, w: number, ah: number, aw: number, channels: number): RowJoiner => {
    // The column taps (interleaved offsets, so times 2) and all of ab, after the fixed buffers,
    // written once for every call of the joiner.
    const leftAt = variableAt;
    const rightAt = leftAt + align16(4 * w);
    const fxAt = rightAt + align16(4 * w);
    const smallAt = fxAt + align16(8 * w);
    reserve(instance, smallAt + 8 * ah * aw);
    const memory = instance.memory.buffer;
    const cols = alignedTaps(aw, w);
    const rows = alignedTaps(ah, h);
    new Int32Array(memory, leftAt, w).set(cols.low.map((v) => 2 * v));
    new Int32Array(memory, rightAt, w).set(cols.high.map((v) => 2 * v));
    new Float64Array(memory, fxAt, w).set(cols.frac);
    new Float32Array(memory, smallAt, 2 * ah * aw).set(ab);
    return (L, y0, y1, out) => {
      const chunkL = new Float32Array(instance.memory.buffer, lAt, CHUNK_PIXELS);
      // Runs of up to a chunk's pixels along each row; whole chunks of them are copied back at once.
      let filled = 0;
      let start = 0;
      const flush = (): void => {
        out.set(new Uint8Array(instance.memory.buffer, outAt, filled * channels), start * channels);
        start += filled;
        filled = 0;
      };
      for (let y = y0; y < y1; y += 1) {
        const top = smallAt + 8 * aw * rows.low[y]!;
        const bottom = smallAt + 8 * aw * rows.high[y]!;
        const row = (y - y0) * w;
        for (let x0 = 0; x0 < w; x0 += CHUNK_PIXELS) {
          const m = Math.min(CHUNK_PIXELS, w - x0);
          if (filled + m > CHUNK_PIXELS) flush();
          chunkL.set(L.subarray(row + x0, row + x0 + m), filled);
          exports.model_lab_to_rgb8_row(lAt + 4 * filled, top, bottom, leftAt + 4 * x0, rightAt + 4 * x0, fxAt + 8 * x0, rows.frac[y]!, m, channels, outAt + filled * channels);
          filled += m;
        }
      }
      flush();
    };
  };

  return (ab, h, w, ah, aw, channels) => (ah === h && aw === w ? direct(ab, w, channels) : resized(ab, h, w, ah, aw, channels));
}

/**
 * modelLabToRgb8's loop in WebAssembly SIMD, or `null` where the runtime lacks it (then the
 * JavaScript loop runs). Byte for byte the JavaScript loop's results (lab-rgb8.c says why).
 * Pixels go through the module's memory a chunk at a time; a resized join's set-up also copies in
 * its whole (small) ab, once for all its rows.
 */
export function modelLabToRgb8Simd(): ModelLabToRgb8Kernel | null {
  if (kernel === undefined) kernel = setUp();
  return kernel;
}
