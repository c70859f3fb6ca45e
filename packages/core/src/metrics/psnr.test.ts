import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { countLeakedTensors } from '../memory.js';
import fixture from './__fixtures__/metrics.json' with { type: 'json' };
import { psnr } from './psnr.js';
import { PsnrMeter } from './psnr-meter.js';

/** The bar: PSNR agrees with scikit-image to 1e-6 dB. */
const PSNR_DB_TOL = 1e-6;
const [B, H, W, C] = fixture.shape as [number, number, number, number];

describe.each(TEST_BACKENDS)('psnr on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('equals 10·log10(255² / d²) for a constant offset d (known MSE)', async () => {
    const base = tf.randomUniformInt([2, 17, 23, 3], 20, 200, 1);
    for (const d of [1, 2, 5, 17, 40]) {
      const shifted = tf.add(base, d);
      const { perImage, mean } = await psnr(shifted, base, { dataRange: 255 });
      const expected = 10 * Math.log10((255 * 255) / (d * d));
      expect(perImage).toHaveLength(2);
      for (const v of perImage) expect(Math.abs(v - expected)).toBeLessThan(PSNR_DB_TOL);
      expect(Math.abs(mean - expected)).toBeLessThan(PSNR_DB_TOL);
    }
  });

  it('equals 10·log10(1 / d²) for a float offset in [0, 1] images', async () => {
    const base = tf.mul(tf.randomUniformInt([3, 8, 8, 3], 0, 128, 2), 1 / 256);
    const d = 1 / 64; // exact in float32, so the MSE is exactly d²
    const { perImage } = await psnr(tf.add(base, d), base, { dataRange: 1 });
    for (const v of perImage) expect(Math.abs(v - 10 * Math.log10(1 / (d * d)))).toBeLessThan(PSNR_DB_TOL);
  });

  it('matches skimage.metrics.peak_signal_noise_ratio on the reference images', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'int32');
    const pred = tf.tensor4d(fixture.pred_u8, [B, H, W, C], 'int32');
    const { perImage, mean } = await psnr(pred, target, { dataRange: 255 });
    fixture.cases.forEach((c, i) => expect(Math.abs(perImage[i]! - c.psnr)).toBeLessThan(PSNR_DB_TOL));
    const skMean = fixture.cases.reduce((s, c) => s + c.psnr, 0) / B;
    expect(Math.abs(mean - skMean)).toBeLessThan(PSNR_DB_TOL);
    // one image, rank 3
    const first = (x: tf.Tensor4D): tf.Tensor3D => tf.reshape(tf.slice(x, 0, 1), [H, W, C]);
    const one = await psnr(first(pred), first(target), { dataRange: 255 });
    expect(Math.abs(one.mean - fixture.cases[0]!.psnr)).toBeLessThan(PSNR_DB_TOL);
  });

  it('gives Infinity for identical images', async () => {
    const x = tf.randomUniform([2, 5, 5, 3], 0, 1, 'float32', 3);
    const { perImage, mean } = await psnr(x, x, { dataRange: 1 });
    expect(perImage).toEqual([Infinity, Infinity]);
    expect(mean).toBe(Infinity);
  });

  it('PsnrMeter shares the functional core: updates over batches equal one call', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'int32');
    const pred = tf.tensor4d(fixture.pred_u8, [B, H, W, C], 'int32');
    const meter = new PsnrMeter({ dataRange: 255 });
    expect(Number.isNaN(meter.compute().mean)).toBe(true);
    await meter.update(tf.slice(pred, 0, 1), tf.slice(target, 0, 1));
    await meter.update(tf.slice(pred, 1, 3), tf.slice(target, 1, 3));
    expect(meter.count).toBe(4);
    const all = await psnr(pred, target, { dataRange: 255 });
    expect(meter.compute()).toEqual(all);
    meter.reset();
    expect(meter.count).toBe(0);
  });

  it('leaks no tensors', async () => {
    const a = tf.randomUniform([2, 6, 6, 3]);
    const b = tf.randomUniform([2, 6, 6, 3]);
    expect(await countLeakedTensors(() => psnr(a, b, { dataRange: 1 }))).toBe(0);
    const meter = new PsnrMeter({ dataRange: 1 });
    expect(await countLeakedTensors(() => meter.update(a, b))).toBe(0);
  });
});

describe('psnr input checks', () => {
  it('rejects bad shapes and options with clear errors', async () => {
    const a = tf.zeros([4, 4, 3]);
    await expect(psnr(a, tf.zeros([4, 4, 1]), { dataRange: 1 })).rejects.toThrow(
      'psnr: expected pred and target of the same shape, got [4, 4, 3] and [4, 4, 1].',
    );
    await expect(psnr(tf.zeros([4, 3]), tf.zeros([4, 3]), { dataRange: 1 })).rejects.toThrow(
      'psnr: expected pred, an image of shape [h, w, c] or [b, h, w, c], got [4, 3].',
    );
    await expect(psnr(a, a, {} as never)).rejects.toThrow('psnr: expected dataRange to be a finite number > 0, got undefined.');
    await expect(psnr(a, a, { dataRange: 0 })).rejects.toThrow(/dataRange to be a finite number > 0, got 0/);
    expect(() => new PsnrMeter({ dataRange: -1 })).toThrow('PsnrMeter: expected dataRange to be a finite number > 0, got -1.');
  });
});
