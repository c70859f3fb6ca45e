import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describeValue, invalid } from '@colorize/core';

import { xyzToLab, labToXyz } from './cielab.js';
import { ensureFusedKernels, fusedBackend, LAB_TO_RGB, RGB_TO_LAB } from './internal/fused.js';
import { assertColorImage } from './internal/image.js';
import { linearToSrgb, srgbToLinear } from './srgb.js';
import { linearRgbToXyz, xyzToLinearRgb } from './xyz.js';

/**
 * sRGB to CIELAB (D65, 2°), scikit-image compatible: `xyzToLab(linearRgbToXyz(srgbToLinear(rgb)))`.
 *
 * @param rgb - float32 `[h, w, 3]` or `[b, h, w, 3]`, sRGB in [0, 1].
 * @returns Lab, same shape: L in [0, 100], a and b about [−128, 127].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` (not `[..., 3]`, rank not 3 or 4) or `INVALID_DTYPE` (not float32).
 * @remarks Matches `skimage.color.rgb2lab` to 2e-3 in float32; differentiable to second order,
 *   with finite gradients everywhere. On the cpu and wasm backends it runs as one fused kernel
 *   (float64 JavaScript over the backend's memory), elsewhere as tfjs ops.
 * @example
 * ```ts
 * const lab = rgbToLab(tf.div(tf.cast(image, 'float32'), 255));
 * ```
 */
export function rgbToLab(rgb: tf.Tensor): tf.Tensor {
  assertColorImage('rgbToLab', rgb);
  if (fusedBackend()) {
    ensureFusedKernels();
    return tf.engine().runKernel(RGB_TO_LAB, { rgb }, {}) as tf.Tensor;
  }
  return tf.tidy(() => xyzToLab(linearRgbToXyz(srgbToLinear(rgb))));
}

/** Options of {@link labToRgb}. */
export interface LabToRgbOptions {
  /** Clip each channel to [0, 1] after the gamma, as scikit-image (no gamut mapping). Defaults to true. */
  clip?: boolean;
}

/**
 * CIELAB (D65, 2°) to sRGB, scikit-image compatible: z < 0 clamped, gamma, then clipped to [0, 1].
 *
 * @param lab - float32 `[h, w, 3]` or `[b, h, w, 3]`: L, a, b.
 * @param options - see {@link LabToRgbOptions}.
 * @returns sRGB, same shape, in [0, 1] (unless `clip: false`).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE`, `INVALID_DTYPE` or `INVALID_OPTION`.
 * @remarks Matches `skimage.color.lab2rgb` to 1e-4 in float32.
 * @example
 * ```ts
 * const rgb = labToRgb(lab);
 * ```
 */
export function labToRgb(lab: tf.Tensor, options?: LabToRgbOptions): tf.Tensor {
  const { clip = true } = assertOptions('labToRgb', options, ['clip']);
  if (typeof clip !== 'boolean') throw invalid('INVALID_OPTION', 'labToRgb', 'clip to be true or false', describeValue(clip));
  assertColorImage('labToRgb', lab);
  if (fusedBackend()) {
    ensureFusedKernels();
    return tf.engine().runKernel(LAB_TO_RGB, { lab }, { clip }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const srgb = linearToSrgb(xyzToLinearRgb(labToXyz(lab)));
    return clip ? tf.clipByValue(srgb, 0, 1) : srgb;
  });
}
