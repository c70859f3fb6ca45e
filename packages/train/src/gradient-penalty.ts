import * as tf from '@tensorflow/tfjs-core';
import { assertImage, assertOptions, assertSameShape, describeValue, invalid, registerTrainingSupport } from '@colorize/core';

import { runCritic } from './critic-fn.js';
import type { Critic } from './critic-fn.js';

/** Options of {@link gradientPenalty}. @group Losses */
export interface GradientPenaltyOptions {
  /** λ, the penalty's weight. Defaults to 10 (Gulrajani et al.). */
  weight?: number;
  /**
   * The interpolation factors, one per sample, `[b]` in [0, 1]: `x̂ = α·real + (1 − α)·fake`.
   * Give them to reproduce a value. Defaults to fresh draws from U[0, 1].
   */
  alpha?: tf.Tensor1D;
  /** Seed for drawing α when `alpha` is not given. Defaults to unseeded draws. */
  seed?: number;
  /** Added to the squared norm inside the square root, so the norm's gradient stays finite at 0. Defaults to 1e-12. */
  epsilon?: number;
}

const KNOWN = ['weight', 'alpha', 'seed', 'epsilon'] as const;

/**
 * The WGAN-GP gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs",
 * arXiv:1704.00028): `weight · mean_n (‖∇ₓ D(x̂ₙ)‖₂ − 1)²` at `x̂ₙ = αₙ·realₙ + (1 − αₙ)·fakeₙ`,
 * the norm taken per sample over all of h, w and c, as `sqrt(Σ g² + epsilon)`.
 *
 * Why α ~ U[0, 1]: the optimal critic has gradient norm 1 almost everywhere on the straight lines
 * between paired real and generated samples (the paper's Proposition 1), so the constraint is
 * enforced softly at points drawn uniformly along those lines, one α per sample.
 *
 * The result is differentiable with respect to the critic's weights (a second-order gradient);
 * colorize's training support makes that correct on every backend, through LeakyReLU,
 * InstanceNorm and the rest (see `@colorize/core`'s `registerTrainingSupport`, called here).
 *
 * @param critic - the critic, in training mode.
 * @param real - real images `[b, h, w, c]` (L and ab in model space for colorize's critic).
 * @param fake - generated images, same shape.
 * @returns a scalar, ≥ 0.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` for mismatched images or α;
 *   `INVALID_OPTION` for a bad option.
 * @example
 * ```ts
 * const gp = gradientPenalty(critic, real, fake, { weight: 10 });
 * ```
 * @group Losses
 */
export function gradientPenalty(critic: Critic, real: tf.Tensor4D, fake: tf.Tensor4D, options?: GradientPenaltyOptions): tf.Scalar {
  const fn = 'gradientPenalty';
  const o = assertOptions(fn, options, KNOWN);
  if (typeof critic !== 'function' && (typeof critic !== 'object' || critic === null || typeof (critic as { apply?: unknown }).apply !== 'function')) {
    throw invalid('INVALID_OPTION', fn, 'a critic (a tfjs layers model or a function of a batch)', describeValue(critic));
  }
  assertImage(fn, real, { ranks: [4], name: 'real', dtypes: ['float32'] });
  assertImage(fn, fake, { ranks: [4], name: 'fake', dtypes: ['float32'] });
  assertSameShape(fn, real, fake, ['real', 'fake']);
  const weight = o.weight ?? 10;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw invalid('INVALID_OPTION', fn, 'weight to be a finite number ≥ 0', describeValue(weight));
  }
  const epsilon = o.epsilon ?? 1e-12;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
    throw invalid('INVALID_OPTION', fn, 'epsilon to be a finite number ≥ 0', describeValue(epsilon));
  }
  const batch = real.shape[0];
  if (o.alpha !== undefined) {
    const a = o.alpha;
    if (!(a instanceof tf.Tensor) || a.isDisposed || a.rank !== 1 || a.shape[0] !== batch) {
      throw invalid('INVALID_SHAPE', fn, `alpha of shape [${batch}]`, a instanceof tf.Tensor ? `[${a.shape.join(', ')}]` : describeValue(a));
    }
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) {
    throw invalid('INVALID_OPTION', fn, 'seed to be an integer', describeValue(o.seed));
  }
  registerTrainingSupport();
  return tf.tidy(() => {
    const alpha = o.alpha ?? tf.randomUniform([batch], 0, 1, 'float32', o.seed);
    const a = tf.reshape(alpha, [batch, 1, 1, 1]);
    const xHat = tf.add(tf.mul(a, real), tf.mul(tf.sub(1, a), fake)) as tf.Tensor4D;
    const g = tf.grad((x: tf.Tensor) => tf.sum(runCritic(critic, x as tf.Tensor4D)))(xHat);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), epsilon));
    return tf.mul(tf.mean(tf.square(tf.sub(norm, 1))), weight) as tf.Scalar;
  });
}
