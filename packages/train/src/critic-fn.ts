import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * A critic: a tfjs layers model, or any function of a `[b, h, w, c]` batch that returns its
 * scores (a PatchGAN map `[b, h', w', 1]`, or `[b, 1]`), built from tfjs ops.
 *
 * @group Training
 */
export type Critic = tfl.LayersModel | ((x: tf.Tensor4D) => tf.Tensor);

/** Runs a critic in training mode. */
export function runCritic(critic: Critic, x: tf.Tensor4D): tf.Tensor {
  return typeof critic === 'function' ? critic(x) : (critic.apply(x, { training: true }) as tf.Tensor);
}
