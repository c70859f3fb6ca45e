import { describe, expect, it } from 'vitest';

import { itIsTheBuildOfItsSources, itLoadsOnABrowsersMainThread } from '../../../../../scripts/embedded-module-tests.js';
import { fillRgb8Colours } from '../../../../../scripts/test-utils.js';
import { modelLabToRgb8Loop, rgb8ToModelLab } from '../../typed-arrays.js';
import { CHUNK_PIXELS, modelLabToRgb8Simd } from './lab-rgb8-simd.js';
import { MODULE_BASE64, SOURCES_SHA256 } from './lab-rgb8.wasm.js';

/** Model-space values that reach every branch: in and out of gamut, z < 0, and some not finite. */
function labValues(n: number, seed: number): { L: Float32Array; ab: Float32Array } {
  const u = (i: number): number => ((((i + seed) * 2654435761) >>> 0) / 2 ** 32);
  const L = Float32Array.from({ length: n }, (_, i) => u(3 * i) * 2.2 - 1.1);
  const ab = Float32Array.from({ length: 2 * n }, (_, i) => u(3 * i + 1) * 2.4 - 1.2);
  L[0] = Number.NaN;
  if (n > 3) ab[3] = Number.POSITIVE_INFINITY;
  if (n > 5) ab[4] = Number.NEGATIVE_INFINITY;
  return { L, ab };
}

/**
 * Both forms into arrays of `extra` more bytes, filled with 7 first: the loop joins all rows at
 * once, the kernel in two runs of rows (the first third, then the rest) from one set-up. The first
 * differing byte's index, or -1.
 */
function firstDifference(L: Float32Array, ab: Float32Array, h: number, w: number, ah: number, aw: number, channels: 3 | 4, extra = 0): number {
  const simd = new Uint8Array(h * w * channels + extra).fill(7);
  const loop = new Uint8Array(h * w * channels + extra).fill(7);
  const join = modelLabToRgb8Simd()!(ab, h, w, ah, aw, channels);
  const k = Math.floor(h / 3);
  join(L.subarray(0, k * w), 0, k, simd);
  join(L.subarray(k * w), k, h, simd.subarray(k * w * channels));
  modelLabToRgb8Loop(ab, h, w, ah, aw, channels)(L, 0, h, loop);
  return simd.findIndex((v, i) => v !== loop[i]);
}

describe('the embedded lab-rgb8 module', () => {
  itIsTheBuildOfItsSources('packages/lab/src/internal/wasm/lab-rgb8.wasm.ts', SOURCES_SHA256);
  itLoadsOnABrowsersMainThread(MODULE_BASE64, modelLabToRgb8Simd);
});

describe('modelLabToRgb8\'s SIMD kernel', () => {
  it('equals the JavaScript loop byte for byte on the Lab of every one of the 16.7 M 8-bit colours', () => {
    const chunk = 1 << 20;
    const rgb = new Uint8Array(3 * chunk);
    for (let start = 0; start < 1 << 24; start += chunk) {
      fillRgb8Colours(rgb, start);
      const { L, ab } = rgb8ToModelLab(rgb);
      const at = firstDifference(L, ab, 1, chunk, 1, chunk, 3);
      if (at >= 0) throw new Error(`colours from ${start}: byte ${at} differs`);
    }
  });

  it('equals it on values in and out of gamut and not finite, RGB and RGBA, odd counts and across chunks, in runs of rows, writing only n pixels', () => {
    for (const n of [1, 2, 3, CHUNK_PIXELS - 1, CHUNK_PIXELS, CHUNK_PIXELS + 1, 2 * CHUNK_PIXELS + 3]) {
      const { L, ab } = labValues(n, n);
      for (const channels of [3, 4] as const) expect(firstDifference(L, ab, 1, n, 1, n, channels, 5), `${n} pixels of ${channels}`).toBe(-1);
    }
  });

  it('equals it with ab at a lower resolution: up and down, one row or column, odd widths, several rows per chunk and rows longer than a chunk, in runs of rows (and at the same size in runs of rows)', () => {
    const cases: [number, number, number, number][] = [
      [37, 53, 8, 8], [120, 91, 16, 24], [5, 7, 9, 3], [1, 9, 4, 4], [9, 1, 1, 4], [64, 47, 63, 47],
      [3, CHUNK_PIXELS + 5, 2, 7], [2, 2 * CHUNK_PIXELS + 1, 3, 3], [200, 301, 64, 64], [9, 41, 9, 41], [3, CHUNK_PIXELS + 5, 3, CHUNK_PIXELS + 5],
    ];
    for (const [h, w, ah, aw] of cases) {
      const L = labValues(h * w, h).L;
      const ab = labValues(ah * aw, w).ab;
      for (const channels of [3, 4] as const) expect(firstDifference(L, ab, h, w, ah, aw, channels, 3), `${h}×${w} from ${ah}×${aw}, ${channels} channels`).toBe(-1);
    }
  });
});
