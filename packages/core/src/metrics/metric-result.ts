import * as tf from '@tensorflow/tfjs-core';

/**
 * A metric over a batch of images: one value per image, and their mean.
 *
 * @group Metrics
 */
export interface MetricResult {
  /** One value per image, in batch order (one entry for a rank-3 image). */
  perImage: number[];
  /** The mean of `perImage`; `Infinity` if any value is `Infinity` (PSNR of identical images). */
  mean: number;
}

/** Reads a `[b]` tensor of per-image values into float64 numbers, disposing it. */
export async function readPerImage(values: tf.Tensor1D, map: (v: number) => number = (v) => v): Promise<MetricResult> {
  let data: Float32Array;
  try {
    data = (await values.data()) as Float32Array;
  } finally {
    values.dispose();
  }
  const perImage = Array.from(data, map);
  return { perImage, mean: meanOf(perImage) };
}

/** The float64 mean of a list; NaN for an empty list. */
export function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** `[h, w, c]` → `[1, h, w, c]`; rank 4 unchanged. Call inside `tidy`. */
export function asBatch(x: tf.Tensor): tf.Tensor4D {
  return (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
}
