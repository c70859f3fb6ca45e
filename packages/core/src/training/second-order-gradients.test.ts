import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { CASES, FD_REL_TOL, penalty, secondOrderError, TFJS_TANH_MIN_ERROR } from '../../../../scripts/second-order-cases.js';
import type { Critic } from '../../../../scripts/second-order-cases.js';
import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { registerTrainingSupport } from './register-training-support.js';

// tfjs's own gradient, kept before colorize replaces it, for the canary below.
const tfjsTanhGradient = tf.getGradient('Tanh')!;

describe.each(TEST_BACKENDS)('second-order gradients on %s match finite differences', (backend) => {
  beforeAll(async () => {
    registerTrainingSupport();
    await initBackend({ backend, env: {} });
  });

  it.each(CASES)('%s', async (name, critic, inputs) => {
    const err = await secondOrderError(critic, inputs, 7);
    if (process.env['SHOW_FD'] !== undefined) process.stderr.write(`FD ${backend} ${name}: ${err}\n`);
    expect(err).toBeLessThan(FD_REL_TOL);
  });
});

describe('the finite-difference check catches tfjs\'s own second-order error', () => {
  it('tfjs\'s Tanh gradient fails it (tfjs issue #3252); colorize\'s passes', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const tanhCase = CASES.find(([name]) => name === 'critic with tanh and sigmoid')!;
    const ours = tf.getGradient('Tanh')!;
    tf.registerGradient(tfjsTanhGradient);
    try {
      expect(await secondOrderError(tanhCase[1], tanhCase[2], 7)).toBeGreaterThan(TFJS_TANH_MIN_ERROR);
    } finally {
      tf.registerGradient(ours);
    }
    expect(await secondOrderError(tanhCase[1], tanhCase[2], 7)).toBeLessThan(FD_REL_TOL);
  });
});

describe('maxPool second-order gradient', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });

  it('is the adjoint of MaxPoolGrad: it reads u at each window\'s argmax (first maximum, as tfjs)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 6, 4, 3], 0, 1, 'float32', 31) as tf.Tensor4D;
      const u = tf.randomNormal([2, 6, 4, 3], 0, 1, 'float32', 32);
      const y = tf.maxPool(x, 2, 2, 'valid');
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 33);
      const maxPoolGrad = (d: tf.Tensor) => tf.engine().runKernel('MaxPoolGrad', { dy: d, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
      const pu = tf.grad((d: tf.Tensor) => tf.sum(tf.mul(maxPoolGrad(d), u)))(dy).arraySync() as number[][][][];
      const xs = x.arraySync();
      const us = u.arraySync() as number[][][][];
      for (let b = 0; b < 2; b += 1)
        for (let i = 0; i < 3; i += 1)
          for (let j = 0; j < 2; j += 1)
            for (let c = 0; c < 3; c += 1) {
              let best = [2 * i, 2 * j];
              for (const [r, q] of [[2 * i, 2 * j], [2 * i, 2 * j + 1], [2 * i + 1, 2 * j], [2 * i + 1, 2 * j + 1]] as const) {
                if (xs[b]![r]![q]![c]! > xs[b]![best[0]!]![best[1]!]![c]!) best = [r, q];
              }
              expect(pu[b]![i]![j]![c]).toBeCloseTo(us[b]![best[0]!]![best[1]!]![c]!, 6);
            }
    });
  });

  it('refuses overlapping windows with a clear error instead of a wrong gradient', () => {
    const x = tf.randomNormal([1, 5, 5, 1], 0, 1, 'float32', 34);
    const w = tf.scalar(1.5);
    const critic: Critic = (xv, wv) => tf.sum(tf.maxPool(tf.mul(xv, wv) as tf.Tensor4D, 3, 2, 'valid')) as tf.Scalar;
    expect(() => tf.grad((wv: tf.Tensor) => penalty(critic, x, wv))(w)).toThrow(
      /maxPool second-order gradient: expected windows that do not overlap \(strides ≥ filter size\), got filter 3×3 with strides 2×2/,
    );
  });
});
