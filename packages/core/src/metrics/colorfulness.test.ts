import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { countLeakedTensors } from '../memory.js';
import fixture from './__fixtures__/metrics.json' with { type: 'json' };
import { colorfulness } from './colorfulness.js';

/** float32 statistics of 0–255 values against numpy's float64: relative agreement. */
const REL_TOL = 1e-5;
const [B, H, W, C] = fixture.shape as [number, number, number, number];

describe.each(TEST_BACKENDS)('colorfulness on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('is exactly 0 for grey images', async () => {
    const grey = tf.tile(tf.randomUniformInt([2, 9, 7, 1], 0, 256, 7), [1, 1, 1, 3]);
    const { perImage } = await colorfulness(grey, { dataRange: 255 });
    expect(perImage).toEqual([0, 0]);
  });

  it('matches the Hasler–Süsstrunk formula (numpy, float64) on the reference images', async () => {
    const target = tf.tensor4d(fixture.target_u8, [B, H, W, C], 'int32');
    const { perImage } = await colorfulness(target, { dataRange: 255 });
    fixture.cases.forEach((c, i) => {
      expect(Math.abs(perImage[i]! - c.colorfulness_target) / c.colorfulness_target).toBeLessThan(REL_TOL);
    });
    const unit = await colorfulness(tf.div(target, 255), { dataRange: 1 });
    fixture.cases.forEach((c, i) => {
      expect(Math.abs(unit.perImage[i]! - c.colorfulness_target) / c.colorfulness_target).toBeLessThan(REL_TOL);
    });
  });

  it('is 0.3·sqrt(μrg² + μyb²) for a flat colour: pure red at 255 gives 0.3·sqrt(255² + 127.5²)', async () => {
    const red = tf.tile(tf.tensor4d([255, 0, 0], [1, 1, 1, 3]), [1, 4, 4, 1]);
    const { mean } = await colorfulness(red, { dataRange: 255 });
    expect(Math.abs(mean - 0.3 * Math.hypot(255, 127.5))).toBeLessThan(1e-3);
  });

  it('rejects non-RGB input and leaks no tensors', async () => {
    await expect(colorfulness(tf.zeros([4, 4, 1]), { dataRange: 1 })).rejects.toThrow(
      'colorfulness: expected an image of shape [h, w, 3] or [b, h, w, 3], got [4, 4, 1].',
    );
    const x = tf.randomUniform([2, 5, 5, 3]);
    expect(await countLeakedTensors(() => colorfulness(x, { dataRange: 1 }))).toBe(0);
  });
});
