import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // tfjs's own gradients, captured below before colorize replaces them
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { SECOND_ORDER_GRADIENTS } from './second-order-gradients.js';

const TFJS_GRADIENTS = new Map(
  SECOND_ORDER_GRADIENTS.map((c) => [c.kernelName, tf.getGradient(c.kernelName)] as const).filter(([, g]) => g !== undefined),
);

/**
 * The replacements recompute the output from the input (exp(x) instead of y + 1 for Elu, say),
 * so values may differ by float32 rounding: |ours − tfjs| ≤ 1e-6 · max|tfjs| + 1e-5 · |tfjs|.
 */
const ATOL_FRACTION = 1e-6;
const RTOL = 1e-5;

const OPS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  Tanh: (x) => tf.tanh(x),
  Sigmoid: (x) => tf.sigmoid(x),
  Exp: (x) => tf.exp(x),
  Elu: (x) => tf.elu(x),
  Pow: (x) => tf.add(tf.pow(tf.abs(x), 1.7), tf.pow(tf.add(tf.abs(x), 0.5), x)),
  Softmax: (x) => tf.softmax(x),
  Max: (x) => tf.max(x, 1),
  Min: (x) => tf.min(x, 0),
};

function firstOrder(op: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, weights: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(op(xv), weights)))(x).dataSync() as Float32Array);
}

describe.each(TEST_BACKENDS)('first-order gradients of the re-registered ops are tfjs\'s own, on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} }); // registers colorize's gradients
  });

  it('covers every replaced gradient that tfjs has', () => {
    expect([...TFJS_GRADIENTS.keys()].sort()).toEqual(Object.keys(OPS).sort());
  });

  it.each(Object.keys(OPS))('%s', (name) => {
    const op = OPS[name]!;
    const x = tf.randomNormal([6, 7], 0, 2, 'float32', 3);
    const weights = tf.randomNormal(tf.tidy(() => op(x)).shape, 0, 1, 'float32', 4);
    const ours = firstOrder(op, x, weights);
    const colorize = tf.getGradient(name)!;
    tf.registerGradient(TFJS_GRADIENTS.get(name)!);
    let theirs: Float32Array;
    try {
      theirs = firstOrder(op, x, weights);
    } finally {
      tf.registerGradient(colorize);
    }
    const scale = Math.max(...Array.from(theirs, Math.abs));
    theirs.forEach((t, i) => {
      expect(Math.abs(ours[i]! - t)).toBeLessThanOrEqual(ATOL_FRACTION * scale + RTOL * Math.abs(t));
    });
  });
});
