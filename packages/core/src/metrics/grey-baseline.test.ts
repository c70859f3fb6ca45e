import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { countLeakedTensors } from '../memory.js';
import fixture from './__fixtures__/metrics.json' with { type: 'json' };
import { greyBaselinePsnr, greyRebuild } from './grey-baseline.js';

const [B, H, W, C] = fixture.shape as [number, number, number, number];
/**
 * The rebuild is float32 and rounded to 8 bits like img_as_ubyte; a float32 value may land on
 * the other side of .5 from float64, so a few pixels may differ by one level (as LAB_NOTES allows).
 */
const MAX_LEVEL_DIFF = 1;
const MAX_DIFFERENT_FRACTION = 0.002;
/** On the reference images every rebuilt pixel equals scikit-image's, so the PSNR bar is psnr's. */
const GREY_PSNR_DB_TOL = 1e-6;

describe.each(TEST_BACKENDS)('greyBaselinePsnr on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('matches scikit-image: psnr(rgb, img_as_ubyte(lab2rgb([L, 0, 0])))', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'int32');
    const { perImage } = await greyBaselinePsnr(target, { dataRange: 255 });
    fixture.cases.forEach((c, i) => expect(Math.abs(perImage[i]! - c.grey_baseline_psnr)).toBeLessThan(GREY_PSNR_DB_TOL));
  });

  it('rebuilds the same 8-bit grey pixels as scikit-image, up to rare one-level float32 rounding differences', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'float32');
    const ours = await tf.round(tf.mul(greyRebuild(tf.div(target, 255)), 255)).data();
    const sk = fixture.cases.flatMap((c) => c.grey_rebuild_u8);
    let different = 0;
    let maxDiff = 0;
    sk.forEach((v, i) => {
      const d = Math.abs(ours[i]! - v);
      if (d > 0) different += 1;
      maxDiff = Math.max(maxDiff, d);
    });
    expect(maxDiff).toBeLessThanOrEqual(MAX_LEVEL_DIFF);
    expect(different / sk.length).toBeLessThanOrEqual(MAX_DIFFERENT_FRACTION);
  });

  it('is Infinity for an image that is already grey in Lab (a = b = 0 rebuilds it exactly)', async () => {
    const black = tf.zeros([1, 4, 4, 3]);
    expect((await greyBaselinePsnr(black, { dataRange: 255 })).mean).toBe(Infinity);
  });

  it('rejects non-RGB input and leaks no tensors', async () => {
    await expect(greyBaselinePsnr(tf.zeros([4, 4, 4]), { dataRange: 255 })).rejects.toThrow(
      'greyBaselinePsnr: expected an image of shape [h, w, 3] or [b, h, w, 3], got [4, 4, 4].',
    );
    const x = tf.randomUniformInt([2, 5, 5, 3], 0, 256);
    expect(await countLeakedTensors(() => greyBaselinePsnr(x, { dataRange: 255 }))).toBe(0);
  });
});
