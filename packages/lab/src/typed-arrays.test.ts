import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { fillRgb8Colours } from '../../../scripts/test-utils.js';
import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { linearToSrgbValue, rgbToLabPixel } from './pixel.js';
import { linearToU8 } from './internal/rgb8-codes.js';
import { modelLabToRgb8, recolorRgb8, rgb8ToModelL, rgb8ToModelLab } from './typed-arrays.js';

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

describe('rgb8ToModelL resized to outSize', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });

  it('equals tf.image.resizeBilinear(L, outSize, true) on the cpu backend, bit for bit, for RGB and RGBA, into a longer out array', () => {
    // Down, up, one row or column either side, uneven ratios, and an outSize that equals size.
    const cases: [number, number, number, number][] = [[37, 53, 8, 8], [120, 90, 16, 24], [5, 7, 9, 3], [1, 9, 4, 4], [9, 1, 1, 4], [6, 6, 6, 6], [64, 48, 63, 47], [300, 401, 32, 32]];
    for (const [h, w, oh, ow] of cases) {
      for (const channels of [3, 4] as const) {
        const bytes = noiseBytes(channels * h * w, h + channels);
        const full = rgb8ToModelL(bytes, { channels });
        const want = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(full, [1, h, w, 1]), [oh, ow], true).dataSync()) as Float32Array;
        const got = rgb8ToModelL(bytes, { channels, size: [h, w], outSize: [oh, ow] });
        expect(got, `${h}×${w} to ${oh}×${ow}, ${channels} channels`).toEqual(want);
        const out = new Float32Array(oh * ow + 2).fill(7);
        expect(rgb8ToModelL(bytes, { channels, size: [h, w], outSize: [oh, ow] }, out)).toBe(out);
        expect(Array.from(out)).toEqual([...want, 7, 7]);
      }
    }
  });

  it('rejects bytes that do not match size, a short out array and sizes that are not two integers ≥ 1', () => {
    const bytes = noiseBytes(3 * 4 * 6, 1);
    expect(() => rgb8ToModelL(bytes, { size: [4, 5], outSize: [2, 2] })).toThrow('rgb8ToModelL: expected 4×5×3 bytes for size 4×5, got 72 bytes.');
    expect(() => rgb8ToModelL(bytes, { size: [4, 6], outSize: [2, 2] }, new Float32Array(3))).toThrow('rgb8ToModelL: expected an out array of at least 4 values, got 3.');
    expect(() => rgb8ToModelL(bytes, { outSize: [2, 2] })).toThrow(/^rgb8ToModelL: expected size to be \[height, width\], two integers ≥ 1, got/);
    expect(() => rgb8ToModelL(bytes, { size: [4, 6], outSize: [0, 2] })).toThrow(/^rgb8ToModelL: expected outSize to be \[height, width\], two integers ≥ 1, got/);
  });
});

describe('recolorRgb8', () => {
  /** ab of h × w pixels from noise, inside the usual range. */
  const noiseAb = (h: number, w: number, seed: number): Float32Array =>
    Float32Array.from({ length: 2 * h * w }, (_, i) => ((((i + seed) * 2654435761) >>> 0) / 2 ** 32) * 1.4 - 0.7);

  it('equals modelLabToRgb8(rgb8ToModelL(rgb), ab) byte for byte: ab resized or not, bands of rows and rows longer than a band, alpha copied', () => {
    // Rows per band: 16384 / w, so these cross band ends at odd rows, and the widest has a band per row.
    const cases: [number, number, number, number][] = [[37, 53, 8, 8], [120, 91, 16, 24], [5, 7, 9, 3], [1, 9, 4, 4], [9, 1, 1, 4], [300, 401, 32, 32], [61, 333, 61, 333], [3, 16389, 2, 7]];
    for (const [h, w, ah, aw] of cases) {
      const ab = noiseAb(ah, aw, w);
      for (const channels of [3, 4] as const) {
        const rgb = noiseBytes(channels * h * w, h);
        const want = modelLabToRgb8(rgb8ToModelL(rgb, { channels }), ab, { channels, size: [h, w], abSize: [ah, aw] });
        if (channels === 4) for (let p = 3; p < want.length; p += 4) want[p] = rgb[p]!;
        const got = recolorRgb8(rgb, ab, { channels, size: [h, w], abSize: [ah, aw] });
        expect(got.findIndex((v, i) => v !== want[i]), `${h}×${w} from ${ah}×${aw}, ${channels} channels`).toBe(-1);
        expect(got.length).toBe(want.length);
      }
    }
  });

  it('recolors in place, alpha kept, and into a longer out array', () => {
    const [h, w] = [97, 211];
    const ab = noiseAb(16, 16, 3);
    const rgba = noiseBytes(4 * h * w, 5);
    const want = recolorRgb8(rgba, ab, { channels: 4, size: [h, w], abSize: [16, 16] });
    const same = rgba.slice();
    expect(recolorRgb8(same, ab, { channels: 4, size: [h, w], abSize: [16, 16] }, same)).toBe(same);
    expect(same).toEqual(want);
    const longer = new Uint8Array(want.length + 3).fill(7);
    recolorRgb8(rgba, ab, { channels: 4, size: [h, w], abSize: [16, 16] }, longer);
    expect(Array.from(longer)).toEqual([...want, 7, 7, 7]);
  });

  it('rejects bytes that do not match size, ab that does not match abSize, a short out array and bad sizes', () => {
    const rgb = noiseBytes(3 * 4 * 6, 1);
    const ab = noiseAb(2, 3, 1);
    expect(() => recolorRgb8(rgb, ab, { size: [4, 5], abSize: [2, 3] })).toThrow('recolorRgb8: expected 4×5×3 bytes for size 4×5, got 72 bytes.');
    expect(() => recolorRgb8(rgb, ab, { size: [4, 6], abSize: [3, 3] })).toThrow(/^recolorRgb8: expected ab with twice abSize's 3×3 values \(18\), got /);
    expect(() => recolorRgb8(rgb, ab, { size: [4, 6] })).toThrow(/^recolorRgb8: expected ab with twice abSize's 4×6 values \(48\), got /);
    expect(() => recolorRgb8(rgb, ab, { size: [4, 6], abSize: [2, 3] }, new Uint8Array(71))).toThrow('recolorRgb8: expected an out array of at least 72 bytes, got 71.');
    expect(() => recolorRgb8(rgb, ab, undefined as never)).toThrow(/^recolorRgb8: expected size to be \[height, width\], two integers ≥ 1, got/);
    expect(() => recolorRgb8(rgb, ab, { size: [4, 6], abSize: [2, -3] })).toThrow(/^recolorRgb8: expected abSize to be \[height, width\], two integers ≥ 1, got/);
  });
});
