import * as tf from '@tensorflow/tfjs-core';

import { assertImage, assertOptions, assertPositive } from '../validate.js';
import { asBatch, readPerImage } from './metric-result.js';
import type { MetricResult } from './metric-result.js';

/** Options of {@link colorfulness}. @group Metrics */
export interface ColorfulnessOptions {
  /** The range of the images' values: 255 for 8-bit values, 1 for floats in [0, 1]. Required. */
  dataRange: number;
}

const FN = 'colorfulness';

/**
 * The colourfulness metric of Hasler and Süsstrunk (2003), on the 0–255 scale of the paper:
 *
 * `rg = R − G`, `yb = (R + G) / 2 − B`,
 * `M = sqrt(σ_rg² + σ_yb²) + 0.3 · sqrt(μ_rg² + μ_yb²)`, with population standard deviations.
 *
 * 0 for any grey image; about 15 is "slightly", 33 "moderately", 59 "quite" and 82 "highly"
 * colourful in the paper's survey. Colorization models that predict too little colour score low.
 *
 * @param rgb - sRGB images `[h, w, 3]` or `[b, h, w, 3]` in `[0, dataRange]`.
 * @returns per-image colourfulness (≥ 0) and their mean.
 * @throws {@link ColorizeError} `INVALID_SHAPE` when not an RGB image; `INVALID_OPTION` for a bad `dataRange`.
 * @see D. Hasler, S. Süsstrunk, "Measuring colourfulness in natural images", Proc. SPIE 5007, 2003.
 * @example
 * ```ts
 * const { mean } = await colorfulness(photo, { dataRange: 255 });
 * ```
 * @group Metrics
 */
export async function colorfulness(rgb: tf.Tensor, options: ColorfulnessOptions): Promise<MetricResult> {
  const opts = assertOptions(FN, options, ['dataRange']);
  const dataRange = assertPositive(FN, 'dataRange', opts.dataRange);
  assertImage(FN, rgb, { channels: [3] });
  const perImage = tf.tidy(() => {
    const x = tf.mul(tf.cast(asBatch(rgb), 'float32'), 255 / dataRange);
    const [r, g, b] = tf.split(x, 3, 3);
    const rg = tf.sub(r!, g!);
    const yb = tf.sub(tf.mul(tf.add(r!, g!), 0.5), b!);
    const mRg = tf.moments(rg, [1, 2, 3]);
    const mYb = tf.moments(yb, [1, 2, 3]);
    const sigma = tf.sqrt(tf.add(mRg.variance, mYb.variance));
    const mu = tf.sqrt(tf.add(tf.square(mRg.mean), tf.square(mYb.mean)));
    return tf.add(sigma, tf.mul(mu, 0.3)) as tf.Tensor1D;
  });
  return readPerImage(perImage);
}
