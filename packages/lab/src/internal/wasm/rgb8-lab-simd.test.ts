import { describe, expect, it } from 'vitest';

import { itIsTheBuildOfItsSources, itLoadsOnABrowsersMainThread } from '../../../../../scripts/embedded-module-tests.js';
import { fillRgb8Colours } from '../../../../../scripts/test-utils.js';
import { rgb8ToModelLabLoop } from '../../typed-arrays.js';
import { MODULE_BASE64, SOURCES_SHA256 } from './lab-kernels.wasm.js';
import { CHUNK_PIXELS, rgb8ToModelLabSimd } from './rgb8-lab-simd.js';

/**
 * Both forms on the same bytes, and both forms' L alone (ab null); the index of the first value
 * that differs from the loop's L and ab in any bit (L alone's counted after ab's), or -1.
 */
function firstDifference(rgb: Uint8Array, channels: 3 | 4): number {
  const n = rgb.length / channels;
  const simd = { L: new Float32Array(n), ab: new Float32Array(2 * n) };
  const loop = { L: new Float32Array(n), ab: new Float32Array(2 * n) };
  const simdL = new Float32Array(n);
  const loopL = new Float32Array(n);
  rgb8ToModelLabSimd()!(rgb, n, channels, simd.L, simd.ab);
  rgb8ToModelLabLoop(rgb, n, channels, loop.L, loop.ab);
  rgb8ToModelLabSimd()!(rgb, n, channels, simdL, null);
  rgb8ToModelLabLoop(rgb, n, channels, loopL, null);
  const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer);
  const [want, wantAb] = [bits(loop.L), bits(loop.ab)];
  const got = [bits(simd.L), bits(simd.ab), bits(simdL), bits(loopL)];
  for (let i = 0; i < n; i += 1) if (got[0]![i] !== want[i]) return i;
  for (let i = 0; i < 2 * n; i += 1) if (got[1]![i] !== wantAb[i]) return n + i;
  for (const k of [2, 3]) for (let i = 0; i < n; i += 1) if (got[k]![i] !== want[i]) return (k + 1) * n + i;
  return -1;
}

describe('the embedded lab-kernels module', () => {
  itIsTheBuildOfItsSources('packages/lab/src/internal/wasm/lab-kernels.wasm.ts', SOURCES_SHA256);
  itLoadsOnABrowsersMainThread(MODULE_BASE64, rgb8ToModelLabSimd);
});

describe('rgb8ToModelLab\'s SIMD kernel', () => {
  it('equals the JavaScript loop bit for bit on every one of the 16.7 M 8-bit colours, also for L alone', () => {
    const chunk = 1 << 20;
    const rgb = new Uint8Array(3 * chunk);
    for (let start = 0; start < 1 << 24; start += chunk) {
      fillRgb8Colours(rgb, start);
      const at = firstDifference(rgb, 3);
      if (at >= 0) throw new Error(`colours from ${start}: value ${at} differs`);
    }
  });

  it('reads RGBA, an odd number of pixels and pixels across its chunks as the loop does', () => {
    for (const n of [1, 3, CHUNK_PIXELS - 1, CHUNK_PIXELS, CHUNK_PIXELS + 1, 2 * CHUNK_PIXELS + 3]) {
      for (const channels of [3, 4] as const) {
        const rgb = new Uint8Array(n * channels);
        for (let i = 0; i < rgb.length; i += 1) rgb[i] = ((i + n) * 2654435761) >>> 24;
        expect(firstDifference(rgb, channels), `${n} pixels of ${channels}`).toBe(-1);
      }
    }
  });

  it('writes only the first n values of longer output arrays, and reads a subarray\'s own bytes', () => {
    const backing = Uint8Array.from({ length: 3 * 12 }, (_, i) => (i * 37) & 255);
    const rgb = backing.subarray(6, 6 + 3 * 5);
    const L = new Float32Array(8).fill(7);
    const ab = new Float32Array(16).fill(7);
    rgb8ToModelLabSimd()!(rgb, 5, 3, L, ab);
    const ref = { L: new Float32Array(5), ab: new Float32Array(10) };
    rgb8ToModelLabLoop(rgb, 5, 3, ref.L, ref.ab);
    expect(Array.from(L)).toEqual([...ref.L, 7, 7, 7]);
    expect(Array.from(ab)).toEqual([...ref.ab, ...Array(6).fill(7)]);
  });
});
