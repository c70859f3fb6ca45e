import * as tf from '@tensorflow/tfjs-core';
import { SKIMAGE_CIELAB as K } from '@colorize/core';

import { applyMatrix, assertColorImage } from './internal/image.js';

/**
 * Linear RGB to CIE XYZ (D65), with scikit-image's rounded `xyz_from_rgb` matrix.
 *
 * @param linear - float32 `[h, w, 3]` or `[b, h, w, 3]`, linear RGB.
 * @returns XYZ, same shape; white is (0.950456, 1, 1.088754).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const xyz = linearRgbToXyz(srgbToLinear(rgb));
 * ```
 */
export function linearRgbToXyz(linear: tf.Tensor): tf.Tensor {
  assertColorImage('linearRgbToXyz', linear);
  return tf.tidy(() => applyMatrix(linear, K.xyzFromRgb));
}

/**
 * CIE XYZ (D65) to linear RGB, with `rgb_from_xyz = inv(xyz_from_rgb)` as scikit-image.
 *
 * @param xyz - float32 `[h, w, 3]` or `[b, h, w, 3]`.
 * @returns linear RGB, same shape (outside [0, 1] for colours outside the sRGB gamut).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const linear = xyzToLinearRgb(labToXyz(lab));
 * ```
 */
export function xyzToLinearRgb(xyz: tf.Tensor): tf.Tensor {
  assertColorImage('xyzToLinearRgb', xyz);
  return tf.tidy(() => applyMatrix(xyz, K.rgbFromXyz));
}
