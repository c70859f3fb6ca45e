import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalid } from '@colorize/core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertModel } from './options.js';

/**
 * An exponential moving average of a model's weights (Polyak averaging, as in Yazıcı et al.
 * 2019, "The unusual effectiveness of averaging in GAN training", and StyleGAN's G_ema): a copy
 * of the model whose trainable weights follow `avg ← decay · avg + (1 − decay) · w` after each
 * update, and whose non-trainable weights (BatchNorm's moving statistics, already averages) are
 * copied. A GAN's generator oscillates from update to update; its average does not.
 *
 * @group Training
 */
export interface WeightAverage {
  /** The averaged copy: same architecture, its own variables. */
  readonly model: tfl.LayersModel;
  /** The decay, in [0, 1). */
  readonly decay: number;
  /** Folds the source model's current weights into the average. Leaks nothing. */
  update(): void;
  /** Restarts the average at the source model's current weights. */
  reset(): void;
  /** Frees the copy's variables. */
  dispose(): void;
}

/**
 * Starts an average of `source`'s weights at their current values.
 *
 * @param source - the model to follow; its layers must be registered for serialization (every
 *   colorize layer is), since the copy is rebuilt from its configuration.
 * @param decay - in [0, 1): the weight of the past at each update (0.99 averages over about the
 *   last 100 updates).
 * @param fn - the function named in errors. Defaults to `'weightAverage'`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a source that is not a model or a decay outside [0, 1).
 * @example
 * ```ts
 * const average = weightAverage(generator, 0.99);
 * // after each optimizer step on the generator:
 * average.update();
 * await average.model.save('file://runs/mine/model');
 * ```
 */
export function weightAverage(source: tfl.LayersModel, decay: number, fn = 'weightAverage'): WeightAverage {
  assertModel(fn, 'the model to average', source);
  if (typeof decay !== 'number' || !(decay >= 0 && decay < 1)) throw invalid('INVALID_OPTION', fn, 'a decay in [0, 1)', describeValue(decay));
  let model: tfl.LayersModel;
  try {
    model = tfl.LayersModel.fromConfig(tfl.LayersModel, source.getConfig()) as tfl.LayersModel;
  } catch (err) {
    throw invalid('INVALID_OPTION', fn, 'a model rebuildable from its configuration (custom layers registered with tf.serialization.registerClass)',
      `one that failed: ${(err as Error).message}`);
  }
  const reset = (): void => model.setWeights(source.getWeights());
  reset();
  const trainable = new Set(source.trainableWeights);
  const pairs = source.weights.map((w, i) => ({ from: w, to: model.weights[i]!, average: trainable.has(w) }));
  return {
    model,
    decay,
    reset,
    update() {
      tf.tidy(() => {
        for (const { from, to, average } of pairs) {
          const target = to.read() as tf.Variable;
          target.assign(average ? tf.add(tf.mul(target, decay), tf.mul(from.read(), 1 - decay)) : from.read());
        }
      });
    },
    dispose() {
      model.dispose();
    },
  };
}
