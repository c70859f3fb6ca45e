import * as tf from '@tensorflow/tfjs-core';
import { assertImage, invalid } from '@colorize/core';

import { assertColorImage } from './internal/image.js';
import { labToRgb } from './rgb-lab.js';

/** Model space: `L / L_SCALE − 1` and `ab / AB_SCALE`, both about [−1, 1], as the seed uses. */
export const L_SCALE = 50;
/** Model space: `ab / AB_SCALE`. 110 keeps the sRGB gamut's a, b (about ±108) inside [−1, 1]. */
export const AB_SCALE = 110;

/**
 * CIELAB to model space: `[L / 50 − 1, a / 110, b / 110]`.
 *
 * @param lab - float32 `[h, w, 3]` or `[b, h, w, 3]`.
 * @returns the same shape, about [−1, 1].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const model = labToModel(rgbToLab(rgb));
 * ```
 */
export function labToModel(lab: tf.Tensor): tf.Tensor {
  assertColorImage('labToModel', lab);
  // Divide rather than multiply by rounded reciprocals, so that a = ±110 maps to exactly ±1.
  return tf.tidy(() => tf.sub(tf.div(lab, tf.tensor1d([L_SCALE, AB_SCALE, AB_SCALE])), tf.tensor1d([1, 0, 0])));
}

/**
 * Model space to CIELAB: `[(L + 1) · 50, a · 110, b · 110]`.
 *
 * @param model - float32 `[h, w, 3]` or `[b, h, w, 3]`.
 * @returns Lab, same shape.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const lab = modelToLab(model);
 * ```
 */
export function modelToLab(model: tf.Tensor): tf.Tensor {
  assertColorImage('modelToLab', model);
  return tf.tidy(() => tf.mul(tf.add(model, tf.tensor1d([1, 0, 0])), tf.tensor1d([L_SCALE, AB_SCALE, AB_SCALE])));
}

/**
 * Splits a 3-channel Lab image (in any space) into its L and ab channels.
 *
 * @param lab - float32 `[h, w, 3]` or `[b, h, w, 3]`.
 * @returns `{ L: [..., 1], ab: [..., 2] }`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const { L, ab } = splitLab(labToModel(rgbToLab(rgb)));
 * ```
 */
export function splitLab(lab: tf.Tensor): { L: tf.Tensor; ab: tf.Tensor } {
  assertColorImage('splitLab', lab);
  return tf.tidy(() => {
    const [L, ab] = tf.split(lab, [1, 2], -1);
    return { L: L!, ab: ab! };
  });
}

/**
 * Joins an L channel and ab channels into one 3-channel image (the inverse of {@link splitLab}).
 *
 * @param L - float32 `[h, w, 1]` or `[b, h, w, 1]`.
 * @param ab - float32 with the same leading shape and 2 channels.
 * @returns `[..., 3]`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when the shapes do not line up, or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const lab = joinLab(L, predictedAb);
 * ```
 */
export function joinLab(L: tf.Tensor, ab: tf.Tensor): tf.Tensor {
  assertImage('joinLab', L, { channels: [1], dtypes: ['float32'], name: 'L, an image' });
  assertImage('joinLab', ab, { channels: [2], dtypes: ['float32'], name: 'ab, an image' });
  const lead = (t: tf.Tensor) => t.shape.slice(0, -1).join(', ');
  if (lead(L) !== lead(ab)) {
    throw invalid('INVALID_SHAPE', 'joinLab', 'L and ab with the same leading shape', `[${L.shape.join(', ')}] and [${ab.shape.join(', ')}]`);
  }
  return tf.tidy(() => tf.concat([L, ab], -1));
}

/**
 * Rebuilds sRGB from an L channel and predicted ab, both in model space: what inference does
 * with the generator's output. `labToRgb(modelToLab(joinLab(L, ab)))`, clipped to [0, 1].
 *
 * @param L - float32 `[h, w, 1]` or `[b, h, w, 1]`, `L / 50 − 1`.
 * @param ab - float32 `[..., 2]`, `ab / 110` (the generator's tanh output).
 * @returns sRGB `[..., 3]` in [0, 1].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const rgb = colorize(L, generator.predict(L) as tf.Tensor);
 * ```
 */
export function colorize(L: tf.Tensor, ab: tf.Tensor): tf.Tensor {
  return tf.tidy(() => labToRgb(modelToLab(joinLab(L, ab))));
}
