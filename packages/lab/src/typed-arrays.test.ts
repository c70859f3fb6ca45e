import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { fillRgb8Colours } from '../../../scripts/test-utils.js';
import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { linearToSrgbValue, rgbToLabPixel } from './pixel.js';
import { linearToU8 } from './internal/rgb8-codes.js';
import { modelLabToRgb8, rgb8ToModelL, rgb8ToModelLab } from './typed-arrays.js';

/** Float32 storage of model-space values, against scikit-image's float64 Lab. */
const LAB_TOL = 2e-3;
const U8_EQUAL_SHARE = 0.999;

const toLab = (L: Float32Array, ab: Float32Array, p: number) => [(L[p]! + 1) * 50, ab[2 * p]! * 110, ab[2 * p + 1]! * 110];

describe('typed-array path', () => {
  it('rgb8ToModelLab matches skimage.color.rgb2lab on the 1000 reference colours', () => {
    const bytes = Uint8Array.from(vectors.rgb2lab.flatMap((v) => v.rgb));
    const { L, ab } = rgb8ToModelLab(bytes);
    vectors.rgb2lab.forEach((v, p) => toLab(L, ab, p).forEach((x, c) => expect(Math.abs(x - v.lab[c]!)).toBeLessThan(LAB_TOL)));
  });

  it('equals the float64 pixel function up to float32 storage', () => {
    const bytes = new Uint8Array(3 * 4096);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 2654435761) >>> 24;
    const { L, ab } = rgb8ToModelLab(bytes);
    for (let p = 0; p < 4096; p += 1) {
      const ref = rgbToLabPixel([bytes[3 * p]! / 255, bytes[3 * p + 1]! / 255, bytes[3 * p + 2]! / 255]);
      expect(L[p]).toBe(Math.fround(ref[0] / 50 - 1));
      expect(Math.abs(ab[2 * p]! - ref[1] / 110)).toBeLessThan(1e-6);
      expect(Math.abs(ab[2 * p + 1]! - ref[2] / 110)).toBeLessThan(1e-6);
    }
  });

  it('modelLabToRgb8 gives scikit-image\'s img_as_ubyte(lab2rgb(lab)) for ≥ 99.9 % of the 500 reference vectors, never off by more than 1', () => {
    const L = Float32Array.from(vectors.lab2rgb.map((v) => v.lab[0]! / 50 - 1));
    const ab = Float32Array.from(vectors.lab2rgb.flatMap((v) => [v.lab[1]! / 110, v.lab[2]! / 110]));
    const rgb = modelLabToRgb8(L, ab);
    let equal = 0;
    vectors.lab2rgb.forEach((v, p) => {
      const px = [rgb[3 * p]!, rgb[3 * p + 1]!, rgb[3 * p + 2]!];
      px.forEach((x, c) => expect(Math.abs(x - v.rgb_u8[c]!)).toBeLessThanOrEqual(1));
      if (px.every((x, c) => x === v.rgb_u8[c])) equal += 1;
    });
    expect(equal / vectors.lab2rgb.length).toBeGreaterThanOrEqual(U8_EQUAL_SHARE);
  });

  it('encodes to 8 bits exactly as rint(255 · clip(encode(linear))) over a dense sweep', () => {
    for (let i = -1000; i <= 1_001_000; i += 1) {
      const linear = i / 1_000_000;
      const direct = Math.round(255 * Math.min(1, Math.max(0, linearToSrgbValue(linear))));
      if (linearToU8(linear) !== direct) throw new Error(`linear ${linear}: ${linearToU8(linear)} vs ${direct}`);
    }
  });

  it('round-trips every one of the 16.7 M 8-bit colours exactly', () => {
    const chunk = 1 << 20; // 1 M colours at a time
    const bytes = new Uint8Array(3 * chunk);
    const arrays = { L: new Float32Array(chunk), ab: new Float32Array(2 * chunk) };
    const back = new Uint8Array(3 * chunk);
    for (let start = 0; start < 1 << 24; start += chunk) {
      fillRgb8Colours(bytes, start);
      rgb8ToModelLab(bytes, {}, arrays);
      modelLabToRgb8(arrays.L, arrays.ab, {}, back);
      for (let i = 0; i < bytes.length; i += 1) {
        if (back[i] !== bytes[i]) throw new Error(`colour ${start + Math.floor(i / 3)} came back as a different colour`);
      }
    }
  });

  it('reads and writes RGBA, ignoring alpha and writing 255', () => {
    const rgba = Uint8Array.from([255, 0, 0, 7, 10, 200, 30, 0]);
    const { L, ab } = rgb8ToModelLab(rgba, { channels: 4 });
    expect(L).toHaveLength(2);
    expect(Array.from(modelLabToRgb8(L, ab, { channels: 4 }))).toEqual([255, 0, 0, 255, 10, 200, 30, 255]);
  });

  it('rejects partial pixels, mismatched arrays and bad options', () => {
    expect(() => rgb8ToModelLab(new Uint8Array(7))).toThrow('rgb8ToModelLab: expected a byte array whose length is a multiple of 3, got length 7.');
    expect(() => modelLabToRgb8(new Float32Array(2), new Float32Array(3))).toThrow("modelLabToRgb8: expected ab with twice L's length (4), got length 3.");
    expect(() => rgb8ToModelLab(new Uint8Array(6), { channels: 2 as never })).toThrow('rgb8ToModelLab: expected channels to be 3 or 4, got 2.');
    expect(() => rgb8ToModelLab(new Uint8Array(6), {}, { L: new Float32Array(1), ab: new Float32Array(4) })).toThrow(/out arrays of at least 2 and 4 values/);
  });
});

/** Pseudo-random bytes, the same for the same seed. */
const noiseBytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => ((i + seed) * 2654435761) >>> 24);

describe('rgb8ToModelL', () => {
  it('is rgb8ToModelLab\'s L, bit for bit, for RGB and RGBA, into a longer out array', () => {
    for (const channels of [3, 4] as const) {
      const bytes = noiseBytes(channels * 1001, channels);
      const { L } = rgb8ToModelLab(bytes, { channels });
      expect(rgb8ToModelL(bytes, { channels })).toEqual(L);
      const out = new Float32Array(1003).fill(7);
      expect(rgb8ToModelL(bytes, { channels }, out)).toBe(out);
      expect(Array.from(out)).toEqual([...L, 7, 7]);
    }
  });

  it('rejects partial pixels and a short out array', () => {
    expect(() => rgb8ToModelL(new Uint8Array(7))).toThrow('rgb8ToModelL: expected a byte array whose length is a multiple of 3, got length 7.');
    expect(() => rgb8ToModelL(new Uint8Array(6), {}, new Float32Array(1))).toThrow('rgb8ToModelL: expected an out array of at least 2 values, got 1.');
  });
});

describe('modelLabToRgb8 with ab at a lower resolution', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });

  /** L of h × w pixels and ab of ah × aw, both from noise (ab kept inside the usual range). */
  function inputs(h: number, w: number, ah: number, aw: number): { L: Float32Array; ab: Float32Array } {
    const L = rgb8ToModelL(noiseBytes(3 * h * w, h));
    const ab = Float32Array.from({ length: 2 * ah * aw }, (_, i) => ((((i + w) * 2654435761) >>> 0) / 2 ** 32) * 1.4 - 0.7);
    return { L, ab };
  }

  it('equals tf.image.resizeBilinear(ab, size, true) on the cpu backend followed by modelLabToRgb8, byte for byte', () => {
    // Up, down, one row or column either side, uneven ratios, and a size that equals ab's.
    const cases: [number, number, number, number][] = [[37, 53, 8, 8], [120, 90, 16, 24], [5, 7, 9, 3], [1, 9, 4, 4], [9, 1, 1, 4], [6, 6, 6, 6], [64, 48, 63, 47]];
    for (const [h, w, ah, aw] of cases) {
      const { L, ab } = inputs(h, w, ah, aw);
      const full = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(ab, [1, ah, aw, 2]), [h, w], true).dataSync()) as Float32Array;
      for (const channels of [3, 4] as const) {
        const want = modelLabToRgb8(L, full, { channels });
        const got = modelLabToRgb8(L, ab, { channels, size: [h, w], abSize: [ah, aw] });
        expect(got, `${h}×${w} from ${ah}×${aw}, ${channels} channels`).toEqual(want);
      }
    }
  });

  it('rejects a size that does not match L, ab that does not match abSize, and sizes that are not two integers ≥ 1', () => {
    const { L, ab } = inputs(4, 6, 2, 3);
    expect(() => modelLabToRgb8(L, ab, { size: [4, 5], abSize: [2, 3] })).toThrow("modelLabToRgb8: expected L with size's 4×5 = 20 values, got length 24.");
    expect(() => modelLabToRgb8(L, ab, { size: [4, 6], abSize: [3, 3] })).toThrow("modelLabToRgb8: expected ab with twice abSize's 3×3 values (18), got length 12.");
    expect(() => modelLabToRgb8(L, ab, { abSize: [2, 3] })).toThrow(/^modelLabToRgb8: expected size to be \[height, width\], two integers ≥ 1, got/);
    expect(() => modelLabToRgb8(L, ab, { size: [4, 6], abSize: [2, 0] })).toThrow(/^modelLabToRgb8: expected abSize to be \[height, width\], two integers ≥ 1, got/);
    expect(() => modelLabToRgb8(L, ab, { size: [4, 6], abSize: [2.5, 3] as never })).toThrow(/expected abSize to be/);
  });
});
