import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describeValue, invalid } from '@colorize/core';

import { assertLabBatch } from './lab-batch.js';
import type { LabBatch, LabDataset } from './lab-batch.js';
import { deriveSeed, SeededRandom } from './random.js';

/** Options of {@link tensorDataset}. @group Data */
export interface TensorDatasetOptions {
  /** Images per batch; the last batch of an epoch may be smaller. Defaults to 16. */
  batchSize?: number;
  /** Shuffle the images each epoch (seeded by `seed` and the epoch). Defaults to true. */
  shuffle?: boolean;
  /** Flip each image horizontally with probability 0.5 (seeded). Defaults to false. */
  flip?: boolean;
  /** Seed of the shuffles and flips. Defaults to 0. */
  seed?: number;
}

/**
 * A dataset over images already in memory, as one `{ L, ab }` pair of tensors. It keeps its own
 * copies, so the caller may dispose the inputs; call `dispose()` when done.
 *
 * @param images - `L` `[n, h, w, 1]` and `ab` `[n, h, w, 2]` in model space.
 * @group Data
 */
export function tensorDataset(images: LabBatch, options?: TensorDatasetOptions): LabDataset & { dispose(): void } {
  const fn = 'tensorDataset';
  const o = assertOptions(fn, options, ['batchSize', 'shuffle', 'flip', 'seed']);
  assertLabBatch(fn, images);
  const batchSize = o.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalid('INVALID_OPTION', fn, 'batchSize to be an integer ≥ 1', describeValue(batchSize));
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw invalid('INVALID_OPTION', fn, 'seed to be an integer', describeValue(seed));
  const shuffle = o.shuffle ?? true;
  const flip = o.flip ?? false;
  const L = tf.keep(tf.clone(images.L));
  const ab = tf.keep(tf.clone(images.ab));
  const n = L.shape[0];
  const batchesPerEpoch = Math.ceil(n / batchSize);

  return {
    size: n,
    batchesPerEpoch,
    async *batches(epoch: number, opts?: { from?: number }): AsyncIterable<LabBatch> {
      const order = Array.from({ length: n }, (_, i) => i);
      if (shuffle) new SeededRandom(deriveSeed(seed, epoch)).shuffle(order);
      const flipRandom = new SeededRandom(deriveSeed(seed, epoch, 1));
      const flips = order.map(() => flip && flipRandom.next() < 0.5);
      for (let b = opts?.from ?? 0; b < batchesPerEpoch; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const fl = flips.slice(b * batchSize, (b + 1) * batchSize);
        yield tf.tidy(() => {
          const i = tf.tensor1d(idx, 'int32');
          const pick = (t: tf.Tensor4D): tf.Tensor4D => {
            const x = tf.gather(t, i) as tf.Tensor4D;
            if (!fl.some(Boolean)) return x;
            const mirrored = tf.reverse(x, 2);
            const mask = tf.reshape(tf.tensor1d(fl.map(Number)), [-1, 1, 1, 1]);
            return tf.add(tf.mul(mirrored, mask), tf.mul(x, tf.sub(1, mask))) as tf.Tensor4D;
          };
          return { L: pick(L), ab: pick(ab) };
        });
      }
    },
    dispose(): void {
      L.dispose();
      ab.dispose();
    },
  };
}
