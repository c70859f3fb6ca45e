import * as tf from '@tensorflow/tfjs-core';
import { countLeakedTensors, initBackend, psnr } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { psnrLoss } from './losses.js';

describe.each(TEST_BACKENDS)('psnrLoss on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('is minus the mean per-image PSNR (data range 1), as @colorize/core measures it', async () => {
    const pred = tf.randomUniform([3, 8, 8, 2], -1, 1, 'float32', 1);
    const target = tf.randomUniform([3, 8, 8, 2], -1, 1, 'float32', 2);
    const loss = psnrLoss(pred, target, 1e-12);
    const reference = await psnr(pred, target, { dataRange: 1 });
    expect(loss.dataSync()[0]).toBeCloseTo(-reference.mean, 4);
    expect(await countLeakedTensors(() => psnrLoss(pred, target))).toBe(0);
    tf.dispose([pred, target, loss]);
  });

  it('is bounded by epsilon for a perfect prediction, and rejects bad input', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    expect(psnrLoss(x, x).dataSync()[0]).toBeCloseTo(-40, 4);
    expect(() => psnrLoss(x, tf.zeros([1, 4, 4, 1]))).toThrow(/psnrLoss: expected pred and target of the same shape/);
    expect(() => psnrLoss(x, x, 0)).toThrow(/psnrLoss: expected epsilon to be a number > 0, got 0/);
    x.dispose();
  });
});
