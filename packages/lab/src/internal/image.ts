import * as tf from '@tensorflow/tfjs-core';
import { assertImage } from '@colorize/core';

/** Checks a float32 image with 3 channels, rank 3 or 4, for the named public function. */
export function assertColorImage(fn: string, x: unknown, name = 'an image'): tf.Tensor {
  return assertImage(fn, x, { channels: [3], dtypes: ['float32'], name });
}

/**
 * `x · Mᵀ (+ bias)` over the channel axis: each pixel's 3 channels times a 3 × 3 matrix given
 * as rows. One matMul over all pixels. Call inside `tidy`.
 */
export function applyMatrix(x: tf.Tensor, rows: readonly (readonly number[])[], bias?: readonly number[]): tf.Tensor {
  const m = tf.tensor2d([0, 1, 2].map((j) => rows.map((row) => row[j]!)));
  const y = tf.matMul(tf.reshape(x, [-1, 3]), m);
  return tf.reshape(bias === undefined ? y : tf.add(y, tf.tensor1d([...bias])), x.shape);
}
