import * as tf from '@tensorflow/tfjs-core';

import { SKIMAGE_CIELAB as K } from '../color/cielab-constants.js';
import { assertImage, assertOptions, assertPositive } from '../validate.js';
import { readPerImage } from './metric-result.js';
import type { MetricResult } from './metric-result.js';
import { perImageMse, psnrFromMse } from './psnr.js';

/** Options of {@link greyBaselinePsnr}. @group Metrics */
export interface GreyBaselineOptions {
  /** The range of the images' values: 255 for 8-bit values, 1 for floats in [0, 1]. Required. */
  dataRange: number;
  /**
   * Round the grey rebuild to 8-bit levels (round half to even, as `skimage.img_as_ubyte`)
   * before comparing, as when the grey image is saved as an 8-bit file. Defaults to true.
   */
  quantize?: boolean;
}

/**
 * Linear-RGB gain of a Lab colour with a = b = 0: with fx = fy = fz the XYZ is `t · white`, and
 * `rgb_from_xyz · white` is not exactly (1, 1, 1) because scikit-image's rounded matrix rows do
 * not sum to the white point. Kept in float64 here.
 */
const GREY_GAIN = K.rgbFromXyz.map((row) => row[0] * K.whiteD65[0] + row[1] * K.whiteD65[1] + row[2] * K.whiteD65[2]);

/**
 * sRGB in [0, 1] → the sRGB image rebuilt from its own CIELAB L with a = b = 0, in [0, 1], by
 * scikit-image's steps (`lab2rgb` of `[L, 0, 0]` where `L` is from `rgb2lab`). Computed on the
 * luminance only: with a = b = 0 the three Lab non-linearities share one value.
 */
export function greyRebuild(rgb01: tf.Tensor4D): tf.Tensor4D {
  // 1. sRGB decode.
  const c = tf.clipByValue(rgb01, 0, 1);
  const lin = tf.where(
    tf.greater(c, K.srgbDecodeThreshold),
    tf.pow(tf.div(tf.add(c, 0.055), 1.055), 2.4),
    tf.div(c, 12.92),
  );
  // 2. Y = the XYZ matrix's second row (Yn = 1).
  const yRow = tf.tensor1d([...K.xyzFromRgb[1]]);
  const y = tf.sum(tf.mul(lin, yRow), -1, true);
  // 3. fy = f(Y), and back: t = f⁻¹(fy), as lab2rgb does after L = 116 fy − 16.
  const fy = tf.where(
    tf.greater(y, K.labForwardThreshold),
    tf.pow(tf.maximum(y, K.labForwardThreshold), 1 / 3),
    tf.add(tf.mul(y, K.labLinearSlope), K.labLinearOffset),
  );
  const t = tf.where(
    tf.greater(fy, K.labInverseThreshold),
    tf.pow(fy, 3),
    tf.div(tf.sub(fy, K.labLinearOffset), K.labLinearSlope),
  );
  // 4. linear RGB = t · rgb_from_xyz · white, then sRGB encode and clip.
  const linOut = tf.mul(t, tf.tensor1d(GREY_GAIN));
  const out = tf.where(
    tf.greater(linOut, K.srgbEncodeThreshold),
    tf.sub(tf.mul(tf.pow(tf.maximum(linOut, K.srgbEncodeThreshold), 1 / 2.4), 1.055), 0.055),
    tf.mul(linOut, 12.92),
  );
  return tf.clipByValue(out, 0, 1) as tf.Tensor4D;
}

const FN = 'greyBaselinePsnr';

/**
 * PSNR of the grey baseline: each image rebuilt from its own CIELAB L with a = b = 0 (what a
 * colorizer that predicts no colour outputs), against the image itself. Every colorization
 * PSNR means something only beside this number on the same images.
 *
 * @param rgb - sRGB images `[h, w, 3]` or `[b, h, w, 3]` in `[0, dataRange]`.
 * @returns per-image grey-baseline PSNR in dB and their mean.
 * @throws {@link ColorizeError} `INVALID_SHAPE` when not an RGB image; `INVALID_OPTION` for a bad option.
 * @remarks Equals `peak_signal_noise_ratio(rgb, img_as_ubyte(lab2rgb(L, 0, 0)), data_range=255)`
 *   with `L = rgb2lab(rgb)[..., 0]` in scikit-image, for 8-bit images.
 * @example
 * ```ts
 * const model = await psnr(colorized, original, { dataRange: 255 });
 * const grey = await greyBaselinePsnr(original, { dataRange: 255 });
 * const report = `${model.mean.toFixed(2)} dB (grey baseline ${grey.mean.toFixed(2)} dB)`;
 * ```
 * @group Metrics
 */
export async function greyBaselinePsnr(rgb: tf.Tensor, options: GreyBaselineOptions): Promise<MetricResult> {
  const opts = assertOptions(FN, options, ['dataRange', 'quantize']);
  const dataRange = assertPositive(FN, 'dataRange', opts.dataRange);
  const quantize = opts.quantize ?? true;
  assertImage(FN, rgb, { channels: [3] });
  const mse = tf.tidy(() => {
    const batch = (rgb.rank === 3 ? tf.expandDims(rgb, 0) : rgb) as tf.Tensor4D;
    const target = tf.cast(batch, 'float32');
    const grey = greyRebuild(tf.div(target, dataRange));
    // Quantized as 8-bit levels k, then k · dataRange / 255: exact integers for dataRange 255.
    const rebuilt = quantize ? tf.mul(tf.round(tf.mul(grey, 255)), dataRange / 255) : tf.mul(grey, dataRange);
    return perImageMse(FN, rebuilt, target);
  });
  return readPerImage(mse, (v) => psnrFromMse(v, dataRange));
}
