import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // tfjs's own gradients, captured below before colorize replaces them
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { FUSED_BATCH_NORM_GRADIENT } from './batch-norm-gradient.js';

const TFJS_GRADIENT = tf.getGradient('FusedBatchNorm')!;

/** Gradients of Σ w · batchNorm(x, mean, variance, offset, scale) with respect to all five inputs. */
function gradients(perChannel: boolean): Float32Array[] {
  return tf.tidy(() => {
    const c = 5;
    const x = tf.randomNormal([2, 4, 3, c], 0.5, 2, 'float32', 1);
    const stats = perChannel ? [c] : [2, 4, 3, c];
    const mean = tf.randomNormal(stats, 0, 1, 'float32', 2);
    const variance = tf.add(tf.randomUniform(stats, 0.1, 2, 'float32', 3), 0);
    const offset = tf.randomNormal(stats, 0, 1, 'float32', 4);
    const scale = tf.randomNormal(stats, 1, 0.5, 'float32', 5);
    const w = tf.randomNormal(x.shape, 0, 1, 'float32', 6);
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-5), w));
    return tf.grads(f)([x, mean, variance, offset, scale]).map((g) => g.dataSync() as Float32Array);
  });
}

describe.each(TEST_BACKENDS)('the FusedBatchNorm gradient on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('is registered in place of tfjs\'s, and its values are tfjs\'s bit for bit, per channel and per element', () => {
    expect(tf.getGradient('FusedBatchNorm')).toBe(FUSED_BATCH_NORM_GRADIENT);
    expect(TFJS_GRADIENT).not.toBe(FUSED_BATCH_NORM_GRADIENT);
    for (const perChannel of [true, false]) {
      const ours = gradients(perChannel);
      tf.registerGradient(TFJS_GRADIENT);
      let theirs: Float32Array[];
      try {
        theirs = gradients(perChannel);
      } finally {
        tf.registerGradient(FUSED_BATCH_NORM_GRADIENT);
      }
      expect(ours.map((g) => Array.from(g))).toEqual(theirs.map((g) => Array.from(g)));
    }
  });

  it('runs no Tile kernel, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      gradients(true);
    });
    expect(profile.kernels.map((k) => k.name)).not.toContain('Tile');
    expect(tf.memory().numTensors).toBe(before);
  });
});
