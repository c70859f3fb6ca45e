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

/**
 * A reconstruction loss aligned with the metric colorize reports: the mean over images of
 * `10 · log10(MSE_i + epsilon)`, that is minus each image's PSNR (data range 1) averaged, on
 * whatever it is given (ab in model space for the generator). Where L1 treats every pixel alike,
 * this weighs each image by the inverse of its error, so colour that is not there (a nearly grey
 * photo given a tint) costs what it costs in PSNR.
 *
 * @param pred - `[b, h, w, c]`.
 * @param target - same shape.
 * @param epsilon - added to each image's MSE; bounds the loss below. Defaults to 1e-4 (40 dB).
 * @returns a scalar (≤ 40 for the default epsilon; lower is better).
 * @group Losses
 */
export function psnrLoss(pred: tf.Tensor, target: tf.Tensor, epsilon = 1e-4): tf.Scalar {
  const fn = 'psnrLoss';
  assertImage(fn, pred, { ranks: [4], name: 'pred', dtypes: ['float32'] });
  assertImage(fn, target, { ranks: [4], name: 'target', dtypes: ['float32'] });
  assertSameShape(fn, pred, target);
  if (typeof epsilon !== 'number' || !(epsilon > 0)) throw invalid('INVALID_OPTION', fn, 'epsilon to be a number > 0', String(epsilon));
  return tf.tidy(() => {
    const mse = tf.mean(tf.square(tf.sub(pred, target)), [1, 2, 3]);
    return tf.mul(tf.mean(tf.log(tf.add(mse, epsilon))), 10 / Math.LN10) as tf.Scalar;
  });
}

/**
 * Which reconstruction loss a trainer uses: `'l1'` (the seed's), `'psnr'` ({@link psnrLoss}), or
 * `'classification'` ({@link abClassificationLoss}, for a generator with a classification head).
 * @group Losses
 */
export type ReconstructionLoss = 'l1' | 'psnr' | 'classification';

/** A regression loss by name. */
export function reconstruction(kind: 'l1' | 'psnr', pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return kind === 'psnr' ? psnrLoss(pred, target) : l1Loss(pred, target);
}
