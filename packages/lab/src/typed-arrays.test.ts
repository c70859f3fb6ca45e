import { describe, expect, it } from 'vitest';

import { fillRgb8Colours } from '../../../scripts/test-utils.js';
import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { linearToSrgbValue, rgbToLabPixel } from './pixel.js';
import { linearToU8, modelLabToRgb8, rgb8ToModelLab } from './typed-arrays.js';

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
