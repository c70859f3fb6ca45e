// Images per second through the whole data pipeline (issue #7): file → sharp decode, EXIF, crop
// and resize on the libuv pool → flip → Lab in model space → tensors, at 128 and 256 px, on one
// core (UV_THREADPOOL_SIZE=1, sharp and the pipeline limited to one decode at a time), beside
// what the WGAN-GP trainer consumes on wasm (bench/results/wgan-gp-iteration.json).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { demoPhotosDir, imageFolder } from '@colorize/train';
import sharp from 'sharp';

import { runInOwnProcess, whenMain } from '../own-process.mjs';

export const title = 'Data pipeline throughput (@colorize/train)';
export const description =
  'Images per second through `imageFolder` at batch 16 — decode with sharp (the demo photos, 256×256 JPEGs, and the ' +
  'same photos upscaled to 1000×1000 as Flowers102-sized files), random resized crop or centre crop, flip, ' +
  'Lab conversion, tensors — on one core (`UV_THREADPOOL_SIZE=1`, `sharp.concurrency(1)`, one decode at a time), ' +
  'beside the images per second the WGAN-GP trainer consumes on wasm at the same size (base 64, batch 16, from ' +
  'bench/results/wgan-gp-iteration.json). Goal: at least 10× the trainer.';

const CASES = [
  { size: 128, source: '256px', crop: null },
  { size: 128, source: '1000px', crop: null },
  { size: 128, source: '1000px', crop: [0.25, 1] },
  { size: 256, source: '256px', crop: null },
  { size: 256, source: '1000px', crop: null },
];

function trainerImagesPerSecond(size) {
  const file = new URL('../results/wgan-gp-iteration.json', import.meta.url);
  if (!existsSync(file)) return undefined;
  const rows = JSON.parse(readFileSync(file, 'utf8')).rows;
  const row = rows.find((r) => r.backend === 'wasm' && r.base === 64 && r['size px'] === 128);
  if (!row) return undefined;
  // The trainer's cost grows with pixels: scale the 128-px iteration to `size`.
  return 16 / (Number.parseFloat(row['s / iteration']) * (size / 128) ** 2);
}

export async function run({ quick, log }) {
  const rows = [];
  for (const [index, c] of CASES.entries()) {
    if (quick && index > 1) continue;
    const { perSecond } = runInOwnProcess(import.meta.url, [index], { UV_THREADPOOL_SIZE: '1' });
    const trainer = trainerImagesPerSecond(c.size);
    const row = {
      'size px': c.size,
      files: c.source,
      crop: c.crop ? `random ${c.crop.join('–')}` : 'centre',
      'images / s': perSecond.toFixed(0),
      'trainer images / s': trainer === undefined ? 'n/a' : trainer.toPrecision(2),
      'pipeline / trainer': trainer === undefined ? 'n/a' : `${(perSecond / trainer).toFixed(0)}×`,
    };
    log(Object.values(row).join(' | '));
    rows.push(row);
  }
  return rows;
}

async function measure(index) {
  const { size, source, crop } = CASES[index];
  tf.env().set('PROD', true);
  sharp.concurrency(1);
  await initBackend({ backend: 'cpu', env: {} });
  let dir = demoPhotosDir();
  let temp;
  if (source === '1000px') {
    temp = await mkdtemp(join(tmpdir(), 'colorize-bench-'));
    const { readdir } = await import('node:fs/promises');
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.jpg'))) {
      await sharp(join(dir, f)).resize(1000, 1000).jpeg({ quality: 90 }).toFile(join(temp, f));
    }
    dir = temp;
  }
  const data = await imageFolder({ dir, split: 'all', size, batchSize: 16, concurrency: 1, prefetch: 1, randomCrop: crop, flip: true, shuffle: true });
  let images = 0;
  const t0 = performance.now();
  for (let epoch = 0; performance.now() - t0 < 4000 || epoch < 2; epoch += 1) {
    for await (const b of data.batches(epoch)) {
      images += b.L.shape[0];
      tf.dispose([b.L, b.ab]);
    }
  }
  const perSecond = images / ((performance.now() - t0) / 1000);
  if (temp) await rm(temp, { recursive: true, force: true });
  return { perSecond };
}

await whenMain(import.meta.url, ([index]) => measure(Number(index)));
