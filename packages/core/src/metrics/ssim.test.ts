import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { countLeakedTensors } from '../memory.js';
import fixture from './__fixtures__/metrics.json' with { type: 'json' };
import { ssim } from './ssim.js';

/** The bar: SSIM agrees with scikit-image's defaults to 1e-3. */
const SSIM_TOL = 1e-3;
const [B, H, W, C] = fixture.shape as [number, number, number, number];

describe.each(TEST_BACKENDS)('ssim on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('matches skimage.metrics.structural_similarity (defaults, channel_axis=-1) on the reference images', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'int32');
    const pred = tf.tensor4d(fixture.pred_u8, [B, H, W, C], 'int32');
    const { perImage, mean } = await ssim(pred, target, { dataRange: 255 });
    fixture.cases.forEach((c, i) => expect(Math.abs(perImage[i]! - c.ssim)).toBeLessThan(SSIM_TOL));
    expect(Math.abs(mean - fixture.cases.reduce((s, c) => s + c.ssim, 0) / B)).toBeLessThan(SSIM_TOL);
  });

  it('matches scikit-image on single-channel images and on [0, 1] floats', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'float32');
    const pred = tf.tensor4d(fixture.pred_u8, [B, H, W, C], 'float32');
    const grey = await ssim(tf.slice(pred, [0, 0, 0, 0], [-1, -1, -1, 1]), tf.slice(target, [0, 0, 0, 0], [-1, -1, -1, 1]), {
      dataRange: 255,
    });
    fixture.cases.forEach((c, i) => expect(Math.abs(grey.perImage[i]! - c.ssim_gray)).toBeLessThan(SSIM_TOL));
    const unit = await ssim(tf.div(pred, 255), tf.div(target, 255), { dataRange: 1 });
    fixture.cases.forEach((c, i) => expect(Math.abs(unit.perImage[i]! - c.ssim)).toBeLessThan(SSIM_TOL));
  });

  it('is 1 for identical images', async () => {
    const x = tf.randomUniform([9, 11, 3], 0, 1, 'float32', 5);
    const { mean } = await ssim(x, x, { dataRange: 1 });
    expect(Math.abs(mean - 1)).toBeLessThan(1e-5);
  });

  it('leaks no tensors', async () => {
    const a = tf.randomUniform([2, 8, 8, 3]);
    expect(await countLeakedTensors(() => ssim(a, a, { dataRange: 1 }))).toBe(0);
  });
});

describe('ssim input checks', () => {
  it('rejects images smaller than the window and bad options', async () => {
    const small = tf.zeros([6, 20, 3]);
    await expect(ssim(small, small, { dataRange: 1 })).rejects.toThrow(
      'ssim: expected images of at least 7 × 7 pixels (the window), got 6 × 20.',
    );
    const x = tf.zeros([8, 8, 3]);
    await expect(ssim(x, x, { dataRange: 1, windowSize: 4 })).rejects.toThrow(
      'ssim: expected windowSize to be an odd integer ≥ 3, got 4.',
    );
    await expect(ssim(x, x, { dataRange: 1, sigma: 1.5 } as never)).rejects.toThrow(
      'ssim: expected an option among dataRange, windowSize, k1, k2, got "sigma".',
    );
  });
});
