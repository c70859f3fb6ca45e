import * as tf from '@tensorflow/tfjs-core';

import { demoPhotos } from './data/demo-photos.node.js';
import type { Split } from './data/split.js';
import type { LabBatch } from './lab-batch.js';

/** Test helper: the demo photos of a split at `size` px (all, or the first `count`), as one batch in memory. */
export async function demoPhotoBatch(split: Split, size: number, count?: number): Promise<LabBatch> {
  const data = await demoPhotos({ split, size, batchSize: 64, shuffle: false, flip: false });
  const batches: LabBatch[] = [];
  for await (const b of data.batches(0)) batches.push(b);
  const first = (ts: tf.Tensor4D[]): tf.Tensor4D => {
    const all = tf.concat(ts) as tf.Tensor4D;
    return count === undefined ? all : tf.slice(all, 0, count);
  };
  const out = tf.tidy(() => ({ L: first(batches.map((b) => b.L)), ab: first(batches.map((b) => b.ab)) }));
  tf.dispose(batches.flatMap((b) => [b.L, b.ab]));
  return out;
}
