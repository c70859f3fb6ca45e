import * as tf from '@tensorflow/tfjs-core';
import { SKIMAGE_CIELAB as K } from '@colorize/core';

import { assertColorImage } from './internal/image.js';

/**
 * sRGB to linear RGB, per channel, as scikit-image: `((c + 0.055) / 1.055)^2.4` for
 * `c > 0.04045`, else `c / 12.92`. Values outside [0, 1] are converted as given.
 *
 * @param rgb - float32 `[h, w, 3]` or `[b, h, w, 3]`, sRGB in [0, 1].
 * @returns linear RGB, same shape, in [0, 1] for inputs in [0, 1].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @remarks The power's input is clamped to the threshold before `where`, so the branch that is
 *   not taken cannot produce NaN gradients (as kornia does).
 * @example
 * ```ts
 * const linear = srgbToLinear(tf.tensor3d([[[0.5, 0.5, 0.5]]])); // ≈ 0.214
 * ```
 */
export function srgbToLinear(rgb: tf.Tensor): tf.Tensor {
  assertColorImage('srgbToLinear', rgb);
  return tf.tidy(() => {
    const t = K.srgbDecodeThreshold;
    const curve = tf.pow(tf.div(tf.add(tf.maximum(rgb, t), 0.055), 1.055), 2.4);
    return tf.where(tf.greater(rgb, t), curve, tf.div(rgb, 12.92));
  });
}

/**
 * Linear RGB to sRGB, per channel, as scikit-image: `1.055 · c^(1/2.4) − 0.055` for
 * `c > 0.0031308`, else `12.92 · c`. No clipping (`labToRgb` clips after this, as scikit-image).
 *
 * @param linear - float32 `[h, w, 3]` or `[b, h, w, 3]`, linear RGB.
 * @returns sRGB, same shape, in [0, 1] for inputs in [0, 1].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const srgb = linearToSrgb(srgbToLinear(rgb)); // ≈ rgb
 * ```
 */
export function linearToSrgb(linear: tf.Tensor): tf.Tensor {
  assertColorImage('linearToSrgb', linear);
  return tf.tidy(() => {
    const t = K.srgbEncodeThreshold;
    const curve = tf.sub(tf.mul(tf.pow(tf.maximum(linear, t), 1 / 2.4), 1.055), 0.055);
    return tf.where(tf.greater(linear, t), curve, tf.mul(linear, 12.92));
  });
}
