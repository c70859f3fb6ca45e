import type * as tf from '@tensorflow/tfjs-core';
import { assertImage, invalid } from '@colorize/core';

/**
 * One training batch in model space: `L` `[b, h, w, 1]` in [−1, 1] (`L / 50 − 1`) and `ab`
 * `[b, h, w, 2]` in about [−1, 1] (`ab / 110`).
 *
 * @group Data
 */
export interface LabBatch {
  L: tf.Tensor4D;
  ab: tf.Tensor4D;
}

/** Checks a batch's shapes and dtypes. */
export function assertLabBatch(fn: string, batch: unknown): LabBatch {
  if (typeof batch !== 'object' || batch === null) {
    throw invalid('INVALID_SHAPE', fn, 'a batch { L: [b, h, w, 1], ab: [b, h, w, 2] }', String(batch));
  }
  const { L, ab } = batch as Partial<LabBatch>;
  assertImage(fn, L, { ranks: [4], channels: [1], name: 'batch.L', dtypes: ['float32'] });
  assertImage(fn, ab, { ranks: [4], channels: [2], name: 'batch.ab', dtypes: ['float32'] });
  const [b, h, w] = L!.shape;
  if (ab!.shape[0] !== b || ab!.shape[1] !== h || ab!.shape[2] !== w) {
    throw invalid('INVALID_SHAPE', fn, `batch.ab of shape [${b}, ${h}, ${w}, 2] to match batch.L`, `[${ab!.shape.join(', ')}]`);
  }
  return batch as LabBatch;
}

/**
 * Where training gets its batches. Each epoch's order must be a function of the epoch number
 * (and the dataset's seed), so that a resumed run sees the same batches as an uninterrupted one.
 * colorize's datasets ({@link tensorDataset}, `imageFolder`, `flowers102`, `demoPhotos`) are.
 *
 * @group Data
 */
export interface LabDataset {
  /**
   * The batches of epoch `epoch` (0-based) in that epoch's order, starting at batch `from`.
   * The consumer owns each batch and disposes it.
   */
  batches(epoch: number, options?: { from?: number }): AsyncIterable<LabBatch>;
  /** Images per epoch. */
  readonly size: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
}
