import * as tf from '@tensorflow/tfjs-core';
import { countLeakedTensors, initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { labToXyz, xyzToLab } from './cielab.js';
import { labToRgbPixel, rgbToLabPixel } from './pixel.js';
import { labToRgb, rgbToLab } from './rgb-lab.js';
import { linearToSrgb, srgbToLinear } from './srgb.js';
import { linearRgbToXyz, xyzToLinearRgb } from './xyz.js';

/** The bars for float32 against scikit-image's float64 vectors. */
const LAB_TOL = 2e-3;
const RGB_TOL = 1e-4;
/** 8-bit results: at least this share equal to scikit-image's, and never more than one level off. */
const U8_EQUAL_SHARE = 0.999;
const U8_MAX_DIFF = 1;

const rgbIn = () => tf.tensor(vectors.rgb2lab.flatMap((v) => v.rgb.map((c) => c / 255)), [1, vectors.rgb2lab.length, 1, 3]);
const labIn = () => tf.tensor(vectors.lab2rgb.flatMap((v) => v.lab), [vectors.lab2rgb.length, 1, 3]);

describe.each(TEST_BACKENDS)('rgbToLab / labToRgb on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('rgbToLab matches skimage.color.rgb2lab on 1000 vectors within 2e-3', () => {
    const lab = rgbToLab(rgbIn()).dataSync();
    vectors.rgb2lab.forEach((v, i) => v.lab.forEach((x, c) => expect(Math.abs(lab[i * 3 + c]! - x)).toBeLessThan(LAB_TOL)));
  });

  it('labToRgb matches skimage.color.lab2rgb on 500 vectors within 1e-4, with z < 0 clamping and clipping', () => {
    const rgb = labToRgb(labIn()).dataSync();
    let equal = 0;
    vectors.lab2rgb.forEach((v, i) => {
      v.rgb.forEach((x, c) => expect(Math.abs(rgb[i * 3 + c]! - x)).toBeLessThan(RGB_TOL));
      const u8 = [0, 1, 2].map((c) => Math.min(255, Math.max(0, Math.round(rgb[i * 3 + c]! * 255))));
      u8.forEach((x, c) => expect(Math.abs(x - v.rgb_u8[c]!)).toBeLessThanOrEqual(U8_MAX_DIFF));
      if (u8.every((x, c) => x === v.rgb_u8[c])) equal += 1;
    });
    expect(equal / vectors.lab2rgb.length).toBeGreaterThanOrEqual(U8_EQUAL_SHARE);
    // the vectors include z < 0 and out-of-gamut cases, which only match with scikit-image's clamping and clipping
    expect(vectors.lab2rgb.some((v) => v.z_clamped)).toBe(true);
    expect(vectors.lab2rgb.some((v) => !v.in_gamut)).toBe(true);
  });

  it('labToRgb({ clip: false }) keeps out-of-gamut values', () => {
    const rgb = labToRgb(tf.tensor3d([[[50, 120, -120]]]), { clip: false }).dataSync();
    expect(Math.max(...rgb)).toBeGreaterThan(1);
  });

  it('works on rank 3 and rank 4, odd sizes', () => {
    const x3 = tf.randomUniform([5, 7, 3], 0, 1, 'float32', 1);
    const x4 = tf.randomUniform([2, 3, 5, 3], 0, 1, 'float32', 2);
    expect(rgbToLab(x3).shape).toEqual([5, 7, 3]);
    expect(labToRgb(rgbToLab(x4)).shape).toEqual([2, 3, 5, 3]);
  });

  it('round-trips through every step: rgb → linear → xyz → lab → xyz → linear → rgb', () => {
    const rgb = tf.randomUniform([2, 4, 6, 3], 0, 1, 'float32', 3);
    const steps = [srgbToLinear, linearRgbToXyz, xyzToLab, labToXyz, xyzToLinearRgb, linearToSrgb];
    const back = steps.reduce((t, f) => f(t), rgb as tf.Tensor);
    const diff = tf.max(tf.abs(tf.sub(back, rgb))).dataSync()[0]!;
    expect(diff).toBeLessThan(RGB_TOL);
  });

  it('the fused kernels equal the op-by-op steps (what webgl and webgpu run) and the float64 pixel functions, in and out of range', () => {
    const rgb = tf.randomUniform([3, 7, 3], -0.2, 1.3, 'float32', 4);
    const fused = rgbToLab(rgb);
    const steps = xyzToLab(linearRgbToXyz(srgbToLinear(rgb)));
    expect(tf.max(tf.abs(tf.sub(fused, steps))).dataSync()[0]!).toBeLessThan(LAB_TOL);
    const values = rgb.dataSync();
    const lab = fused.dataSync();
    for (let p = 0; p < 21; p += 1) {
      const ref = rgbToLabPixel([values[3 * p]!, values[3 * p + 1]!, values[3 * p + 2]!]);
      ref.forEach((x, c) => expect(Math.abs(lab[3 * p + c]! - x)).toBeLessThan(LAB_TOL));
    }
    const labIn = tf.add(tf.mul(tf.randomUniform([3, 7, 3], -1, 1, 'float32', 5), [60, 140, 140]), [50, 0, 0]);
    for (const clip of [true, false]) {
      const fusedRgb = labToRgb(labIn, { clip });
      const stepsRgb = linearToSrgb(xyzToLinearRgb(labToXyz(labIn)));
      const expected = clip ? tf.clipByValue(stepsRgb, 0, 1) : stepsRgb;
      expect(tf.max(tf.abs(tf.sub(fusedRgb, expected))).dataSync()[0]!).toBeLessThan(RGB_TOL);
      const out = fusedRgb.dataSync();
      const inp = labIn.dataSync();
      for (let p = 0; p < 21; p += 1) {
        const ref = labToRgbPixel([inp[3 * p]!, inp[3 * p + 1]!, inp[3 * p + 2]!], { clip });
        ref.forEach((x, c) => expect(Math.abs(out[3 * p + c]! - x)).toBeLessThan(RGB_TOL * Math.max(1, Math.abs(x))));
      }
    }
  });

  it('leaks no tensors', async () => {
    const rgb = tf.randomUniform([4, 4, 3]);
    for (const f of [rgbToLab, (t: tf.Tensor) => tf.tidy(() => labToRgb(rgbToLab(t))), labToRgb, xyzToLab, labToXyz, srgbToLinear, linearToSrgb, linearRgbToXyz, xyzToLinearRgb]) {
      expect(await countLeakedTensors(() => f(rgb))).toBe(0);
    }
  });
});

describe('input checks', () => {
  it('names the function, the expected shape or dtype and the actual one', () => {
    expect(() => rgbToLab(tf.zeros([2, 64, 64, 1]))).toThrow(
      'rgbToLab: expected an image of shape [h, w, 3] or [b, h, w, 3], got [2, 64, 64, 1].',
    );
    expect(() => rgbToLab(tf.zeros([64, 3]))).toThrow(/rgbToLab: expected an image of shape .*, got \[64, 3\]\./);
    expect(() => labToRgb(tf.zeros([4, 4, 3], 'int32'))).toThrow('labToRgb: expected an image of dtype float32, got int32.');
    expect(() => labToRgb(tf.zeros([4, 4, 3]), { clamp: true } as never)).toThrow('labToRgb: expected an option among clip, got "clamp".');
    expect(() => xyzToLab('lab' as never)).toThrow(/xyzToLab: expected .* tensor, got "lab"\./);
  });
});
