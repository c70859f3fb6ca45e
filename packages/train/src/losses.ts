import * as tf from '@tensorflow/tfjs-core';
import { assertImage, assertSameShape, invalid } from '@colorize/core';

/**
 * Mean absolute error, the seed's reconstruction loss: `mean |pred − target|` over every element.
 *
 * @param pred - predicted ab in model space, `[b, h, w, 2]` (any matching shape works).
 * @param target - the real ab, same shape.
 * @returns a scalar.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when the shapes differ.
 * @group Losses
 */
export function l1Loss(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  const fn = 'l1Loss';
  assertImage(fn, pred, { name: 'pred', dtypes: ['float32'] });
  assertImage(fn, target, { name: 'target', dtypes: ['float32'] });
  assertSameShape(fn, pred, target);
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(pred, target))) as tf.Scalar);
}

function assertScores(fn: string, name: string, scores: tf.Tensor): void {
  if (!(scores instanceof tf.Tensor) || scores.isDisposed || scores.size === 0 || scores.dtype !== 'float32') {
    throw invalid('INVALID_SHAPE', fn, `${name} as a non-empty float32 tensor of critic scores`, scores instanceof tf.Tensor ? `[${scores.shape.join(', ')}] ${scores.dtype}` : typeof scores);
  }
}

/**
 * The Wasserstein critic loss without its penalty: `mean D(fake) − mean D(real)` (Arjovsky et al.
 * 2017, "Wasserstein GAN", arXiv:1701.07875). The critic minimises it; its negation estimates
 * the Wasserstein-1 distance between real and generated images.
 *
 * @param realScores - the critic's output on real images, any shape (a PatchGAN map `[b, h', w', 1]`).
 * @param fakeScores - its output on generated images, any shape.
 * @returns a scalar.
 * @group Losses
 */
export function criticLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  assertScores('criticLoss', 'realScores', realScores);
  assertScores('criticLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => tf.sub(tf.mean(fakeScores), tf.mean(realScores)) as tf.Scalar);
}

/**
 * The generator's adversarial loss under a Wasserstein critic: `−mean D(fake)`.
 *
 * @param fakeScores - the critic's output on generated images, any shape.
 * @returns a scalar.
 * @group Losses
 */
export function generatorAdversarialLoss(fakeScores: tf.Tensor): tf.Scalar {
  assertScores('generatorAdversarialLoss', 'fakeScores', fakeScores);
  return tf.tidy(() => tf.neg(tf.mean(fakeScores)) as tf.Scalar);
}
