import * as tf from '@tensorflow/tfjs-core';

import { demoPhotos } from './data/demo-photos.node.js';
import type { Split } from './data/split.js';
import type { LabBatch } from './lab-batch.js';

/** Test helper: every demo photo of a split at `size` px, as one batch in memory. */
export async function demoPhotoBatch(split: Split, size: number): Promise<LabBatch> {
  const data = await demoPhotos({ split, size, batchSize: 64, shuffle: false, flip: false });
  const batches: LabBatch[] = [];
  for await (const b of data.batches(0)) batches.push(b);
  const out = tf.tidy(() => ({ L: tf.concat(batches.map((b) => b.L)) as tf.Tensor4D, ab: tf.concat(batches.map((b) => b.ab)) as tf.Tensor4D }));
  tf.dispose(batches.flatMap((b) => [b.L, b.ab]));
  return out;
}
