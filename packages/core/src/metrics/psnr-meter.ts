import type * as tf from '@tensorflow/tfjs-core';

import { meanOf } from './metric-result.js';
import type { MetricResult } from './metric-result.js';
import { perImageMse, psnrFromMse, resolvePsnrOptions } from './psnr.js';
import type { PsnrOptions } from './psnr.js';

/**
 * PSNR accumulated over batches, as torchmetrics' stateful metrics: `update` with each batch,
 * `compute` at the end, `reset` to start again. It shares {@link psnr}'s functional core, so
 * `compute()` after one `update(a, b)` equals `psnr(a, b)`.
 *
 * @example
 * ```ts
 * const meter = new PsnrMeter({ dataRange: 255 });
 * for await (const { pred, target } of batches) await meter.update(pred, target);
 * const { mean } = meter.compute();
 * ```
 * @group Metrics
 */
export class PsnrMeter {
  private readonly dataRange: number;
  private values: number[] = [];

  constructor(options: PsnrOptions) {
    this.dataRange = resolvePsnrOptions('PsnrMeter', options).dataRange;
  }

  /** Adds the PSNR of each image of a batch. The tensors are not disposed. */
  async update(pred: tf.Tensor, target: tf.Tensor): Promise<void> {
    const mse = perImageMse('PsnrMeter.update', pred, target);
    try {
      const data = await mse.data();
      for (const v of data) this.values.push(psnrFromMse(v, this.dataRange));
    } finally {
      mse.dispose();
    }
  }

  /** The number of images seen since the last reset. */
  get count(): number {
    return this.values.length;
  }

  /** Per-image PSNR so far and their mean (NaN before any update). */
  compute(): MetricResult {
    return { perImage: [...this.values], mean: meanOf(this.values) };
  }

  /** Forgets every image seen. */
  reset(): void {
    this.values = [];
  }
}
