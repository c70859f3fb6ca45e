import * as tf from '@tensorflow/tfjs-core';
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
  /**
   * Colour hints for a hint model (`buildUNet({ inChannels: 4 })`), `[b, h, w, 3]`: hint a and
   * b in model space (0 where none) and a mask (1 where a hint is). The generator then sees
   * `[L, hint a, hint b, mask]`; the critic and the losses still see L and ab. Training makes
   * them with `withSimulatedHints`. `[b, h, w, 5]` adds the hints spread by `spreadHints` (its
   * `spread` option), for a model of 6 input channels that corrects them. Absent for an
   * automatic model.
   */
  hints?: tf.Tensor4D;
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
  const { hints } = batch as Partial<LabBatch>;
  if (hints !== undefined) {
    assertImage(fn, hints, { ranks: [4], channels: [3, 5], name: 'batch.hints', dtypes: ['float32'] });
    if (hints.shape[0] !== b || hints.shape[1] !== h || hints.shape[2] !== w) {
      throw invalid('INVALID_SHAPE', fn, `batch.hints of shape [${b}, ${h}, ${w}, 3 or 5] to match batch.L`, `[${hints.shape.join(', ')}]`);
    }
  }
  return batch as LabBatch;
}

/** What the generator sees of a batch: L `[b, h, w, 1]`, or `[L, hint a, hint b, mask]` `[b, h, w, 4]` with hints. */
export function generatorInput(L: tf.Tensor4D, hints: tf.Tensor4D | undefined): tf.Tensor4D {
  return hints === undefined ? L : (tf.concat([L, hints], 3) as tf.Tensor4D);
}

/** Disposes a batch's tensors. */
export function disposeBatch(batch: LabBatch): void {
  tf.dispose([batch.L, batch.ab, ...(batch.hints ? [batch.hints] : [])]);
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
