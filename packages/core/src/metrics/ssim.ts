import * as tf from '@tensorflow/tfjs-core';

import { invalid } from '../errors.js';
import { assertImage, assertOptions, assertPositive, assertSameShape } from '../validate.js';
import { asBatch, readPerImage } from './metric-result.js';
import type { MetricResult } from './metric-result.js';

/** Options of {@link ssim}. @group Metrics */
export interface SsimOptions {
  /** The range of the images' values: 255 for 8-bit values, 1 for floats in [0, 1]. Required. */
  dataRange: number;
  /** Side of the square uniform window, odd and at least 3. Defaults to 7. */
  windowSize?: number;
  /** Stabilises the luminance term: `C1 = (k1 · dataRange)²`. Defaults to 0.01. */
  k1?: number;
  /** Stabilises the contrast term: `C2 = (k2 · dataRange)²`. Defaults to 0.03. */
  k2?: number;
}

const FN = 'ssim';

/**
 * Mean structural similarity of each image (Wang et al., 2004), exactly as scikit-image's
 * `structural_similarity` with its defaults: a uniform `7 × 7` window, `K1 = 0.01`,
 * `K2 = 0.03`, sample covariances (`N / (N − 1)`), the map averaged over pixels whose window
 * lies inside the image, and over channels (`channel_axis=-1`).
 *
 * @param pred - images `[h, w, c]` or `[b, h, w, c]` in `[0, dataRange]`, h and w at least the window size.
 * @param target - images of the same shape.
 * @returns per-image SSIM in [−1, 1] and their mean.
 * @throws {@link ColorizeError} `INVALID_SHAPE` for images that differ or are smaller than the
 *   window; `INVALID_OPTION` for a bad `dataRange`, `windowSize`, `k1` or `k2`.
 * @remarks Matches `skimage.metrics.structural_similarity(target, pred, channel_axis=-1, data_range=dataRange)`.
 * @see Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
 *   visibility to structural similarity", IEEE TIP 13(4), 2004.
 * @example
 * ```ts
 * const { mean } = await ssim(colorized, original, { dataRange: 255 });
 * ```
 * @group Metrics
 */
export async function ssim(pred: tf.Tensor, target: tf.Tensor, options: SsimOptions): Promise<MetricResult> {
  const opts = assertOptions(FN, options, ['dataRange', 'windowSize', 'k1', 'k2']);
  const dataRange = assertPositive(FN, 'dataRange', opts.dataRange);
  const win = opts.windowSize ?? 7;
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0) {
    throw invalid('INVALID_OPTION', FN, 'windowSize to be an odd integer ≥ 3', String(win));
  }
  const k1 = assertPositive(FN, 'k1', opts.k1 ?? 0.01);
  const k2 = assertPositive(FN, 'k2', opts.k2 ?? 0.03);
  assertImage(FN, pred, { name: 'pred, an image' });
  assertImage(FN, target, { name: 'target, an image' });
  assertSameShape(FN, pred, target);
  const [h, w] = pred.shape.slice(-3) as [number, number];
  if (h < win || w < win) {
    throw invalid('INVALID_SHAPE', FN, `images of at least ${win} × ${win} pixels (the window)`, `${h} × ${w}`);
  }
  const perImage = tf.tidy(() => {
    // Work on [0, 1]: the constants become k², and float32 keeps more digits of each variance.
    const x = tf.div(tf.cast(asBatch(pred), 'float32'), dataRange);
    const y = tf.div(tf.cast(asBatch(target), 'float32'), dataRange);
    const mean = (t: tf.Tensor): tf.Tensor4D => tf.avgPool(t as tf.Tensor4D, win, 1, 'valid');
    const ux = mean(x);
    const uy = mean(y);
    const covNorm = (win * win) / (win * win - 1);
    const vx = tf.mul(tf.sub(mean(tf.mul(x, x)), tf.mul(ux, ux)), covNorm);
    const vy = tf.mul(tf.sub(mean(tf.mul(y, y)), tf.mul(uy, uy)), covNorm);
    const vxy = tf.mul(tf.sub(mean(tf.mul(x, y)), tf.mul(ux, uy)), covNorm);
    const c1 = k1 * k1;
    const c2 = k2 * k2;
    const a1 = tf.add(tf.mul(tf.mul(ux, uy), 2), c1);
    const a2 = tf.add(tf.mul(vxy, 2), c2);
    const b1 = tf.add(tf.add(tf.mul(ux, ux), tf.mul(uy, uy)), c1);
    const b2 = tf.add(tf.add(vx, vy), c2);
    const map = tf.div(tf.mul(a1, a2), tf.mul(b1, b2));
    return tf.mean(map, [1, 2, 3]) as tf.Tensor1D;
  });
  return readPerImage(perImage);
}
