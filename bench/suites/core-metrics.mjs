// Throughput of @colorize/core's metrics on a validation-sized batch, per backend: these run on
// every validation pass of training and over every image of `colorize eval`.
import * as tf from '@tensorflow/tfjs-core';
import { colorfulness, greyBaselinePsnr, initBackend, psnr, ssim } from '@colorize/core';

import { time } from '../timing.mjs';

export const title = 'Metrics throughput (@colorize/core)';
export const description =
  'Megapixels per second for each metric on a batch of 8 RGB images of 256 × 256 (values 0–255), ' +
  'median of repeated runs, including the read-back of the per-image values.';

export async function run({ quick, log }) {
  const rows = [];
  const [b, h, w] = quick ? [2, 128, 128] : [8, 256, 256];
  const mpix = (b * h * w) / 1e6;
  for (const backend of ['cpu', 'wasm']) {
    await initBackend({ backend, env: {} });
    const pred = tf.randomUniformInt([b, h, w, 3], 0, 256, 1);
    const target = tf.randomUniformInt([b, h, w, 3], 0, 256, 2);
    const cases = {
      psnr: () => psnr(pred, target, { dataRange: 255 }),
      ssim: () => ssim(pred, target, { dataRange: 255 }),
      colorfulness: () => colorfulness(pred, { dataRange: 255 }),
      greyBaselinePsnr: () => greyBaselinePsnr(target, { dataRange: 255 }),
    };
    for (const [metric, fn] of Object.entries(cases)) {
      const ms = await time(fn, { minMs: quick ? 200 : 1500 });
      const row = { backend, metric, 'batch': `${b}×${h}×${w}×3`, 'ms': ms.toFixed(1), 'Mpix/s': (mpix / (ms / 1000)).toFixed(1) };
      log(`${backend} ${metric}: ${row.ms} ms, ${row['Mpix/s']} Mpix/s`);
      rows.push(row);
    }
    tf.dispose([pred, target]);
  }
  return rows;
}
