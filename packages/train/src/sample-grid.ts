import * as tf from '@tensorflow/tfjs-core';
import { colorize } from '@colorize/lab';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertLabBatch, generatorInput } from './lab-batch.js';
import type { LabBatch } from './lab-batch.js';

/** An 8-bit RGB image, row-major, 3 bytes per pixel. @group Training */
export interface SampleGrid {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The seed's figure: one column per image, rows grey (a = b = 0) / colorized / real, as 8-bit RGB.
 * With hints (`batch.hints`), a row of the hints over the grey image comes after the grey one.
 *
 * @param generator - run in inference mode.
 * @param batch - the images, `L` `[n, h, w, 1]` and `ab` `[n, h, w, 2]` in model space; not disposed.
 * @group Training
 */
export async function sampleGrid(generator: tfl.LayersModel, batch: LabBatch): Promise<SampleGrid> {
  assertLabBatch('sampleGrid', batch);
  const grid = tf.tidy(() => {
    const { L, ab, hints } = batch;
    const pred = generator.apply(generatorInput(L, hints), { training: false }) as tf.Tensor4D;
    const hintRow = hints ? [tf.slice(hints, [0, 0, 0, 0], [-1, -1, -1, 2]) as tf.Tensor4D] : [];
    const rows = [tf.zerosLike(ab), ...hintRow, pred, ab].map((x) => {
      const rgb = colorize(L, x) as tf.Tensor4D; // [n, h, w, 3]
      return tf.concat(tf.unstack(rgb, 0), 1); // [h, n·w, 3]
    });
    return tf.cast(tf.round(tf.mul(tf.clipByValue(tf.concat(rows, 0), 0, 1), 255)), 'int32');
  });
  try {
    const [height, width] = grid.shape;
    return { width: width!, height: height!, data: Uint8Array.from(await grid.data()) };
  } finally {
    grid.dispose();
  }
}
