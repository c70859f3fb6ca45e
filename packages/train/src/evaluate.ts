import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalid, PsnrMeter } from '@colorize/core';
import { colorize } from '@colorize/lab';
import type * as tfl from '@tensorflow/tfjs-layers';

import { disposeBatch, generatorInput } from './lab-batch.js';
import type { LabDataset } from './lab-batch.js';
import { assertModel } from './options.js';

/** PSNR of a generator's colorizations beside the grey baseline's, on the same images. @group Training */
export interface ValidationResult {
  /** Mean PSNR (dB) over images of the colorized RGB against the real RGB. */
  psnr: number;
  /** Mean PSNR (dB) of the grey image (same L, a = b = 0) against the real RGB. */
  greyPsnr: number;
  /** Images seen. */
  images: number;
}

/**
 * Colorizes every image of a dataset (its first epoch's batches) with the generator in inference
 * mode and measures PSNR on RGB in [0, 1], beside the grey baseline on the same images.
 *
 * @group Training
 */
export async function evaluateGenerator(generator: tfl.LayersModel, data: LabDataset): Promise<ValidationResult> {
  assertModel('evaluateGenerator', 'generator', generator);
  if (typeof (data as Partial<LabDataset> | null)?.batches !== 'function') throw invalid('INVALID_OPTION', 'evaluateGenerator', 'data as a dataset with batches(epoch)', describeValue(data));
  const model = new PsnrMeter({ dataRange: 1 });
  const grey = new PsnrMeter({ dataRange: 1 });
  for await (const batch of data.batches(0)) {
    const [pred, real, greyRgb] = tf.tidy(() => {
      const ab = generator.apply(generatorInput(batch.L, batch.hints), { training: false }) as tf.Tensor4D;
      return [colorize(batch.L, ab), colorize(batch.L, batch.ab), colorize(batch.L, tf.zerosLike(batch.ab))];
    });
    try {
      await model.update(pred, real);
      await grey.update(greyRgb, real);
    } finally {
      tf.dispose([pred, real, greyRgb]);
      disposeBatch(batch);
    }
  }
  return { psnr: model.compute().mean, greyPsnr: grey.compute().mean, images: model.count };
}
