import * as tf from '@tensorflow/tfjs-core';
import { SKIMAGE_CIELAB as K } from '@colorize/core';

import { applyMatrix, assertColorImage } from './internal/image.js';
import { F_FROM_LAB, LAB_BIAS, LAB_FROM_F } from './internal/matrices.js';

const [XN, YN, ZN] = K.whiteD65;

const F_OFFSET = [16 / 116, 16 / 116, 16 / 116] as const;

/**
 * CIE XYZ (D65) to CIELAB, as scikit-image's `xyz2lab`: `t = xyz / white`,
 * `f(t) = ∛t` for `t > 0.008856`, else `7.787 t + 16/116`.
 *
 * @param xyz - float32 `[h, w, 3]` or `[b, h, w, 3]`.
 * @returns Lab, same shape: L in [0, 100], a and b about [−128, 127].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @remarks The cube root's input is clamped to the threshold before `where` (no NaN gradients).
 * @example
 * ```ts
 * const lab = xyzToLab(linearRgbToXyz(srgbToLinear(rgb)));
 * ```
 */
export function xyzToLab(xyz: tf.Tensor): tf.Tensor {
  assertColorImage('xyzToLab', xyz);
  return tf.tidy(() => {
    const t = tf.div(xyz, tf.tensor1d([XN, YN, ZN]));
    const th = K.labForwardThreshold;
    const f = tf.where(
      tf.greater(t, th),
      tf.pow(tf.maximum(t, th), 1 / 3),
      tf.add(tf.mul(t, K.labLinearSlope), K.labLinearOffset),
    );
    return applyMatrix(f, LAB_FROM_F, LAB_BIAS);
  });
}

/**
 * CIELAB to CIE XYZ (D65), as scikit-image's `lab2xyz`: a negative fz (z < 0) is set to 0,
 * as scikit-image does (it also warns; this does not print), then `f³` for `f > 0.2068966`,
 * else `(f − 16/116) / 7.787`.
 *
 * @param lab - float32 `[h, w, 3]` or `[b, h, w, 3]`: L, a, b.
 * @returns XYZ, same shape.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * const xyz = labToXyz(lab);
 * ```
 */
export function labToXyz(lab: tf.Tensor): tf.Tensor {
  assertColorImage('labToXyz', lab);
  return tf.tidy(() => {
    const f = applyMatrix(lab, F_FROM_LAB, F_OFFSET);
    // z < 0 only: scikit-image clamps fz, not fx or fy.
    const fClamped = tf.maximum(f, tf.tensor1d([-Infinity, -Infinity, 0]));
    const t = tf.where(
      tf.greater(fClamped, K.labInverseThreshold),
      tf.mul(tf.square(fClamped), fClamped),
      tf.div(tf.sub(fClamped, K.labLinearOffset), K.labLinearSlope),
    );
    return tf.mul(t, tf.tensor1d([XN, YN, ZN]));
  });
}
