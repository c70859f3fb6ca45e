import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { colorize } from '@colorize/lab';
import sharp from 'sharp';

import type { CliIO } from '../io.js';
import { evaluateModel } from './evaluate.js';

export const DEMO_HELP = `Usage: colorize demo [-o out] [--backend name]

The main job, offline: colorizes the shipped demo photos the shipped model never saw in training
(their test split), writes a comparison figure (rows grey / colorized / real) and prints PSNR
beside the grey baseline.

Options:
  -o, --out <dir>         where the figure goes (default colorize-demo)
  --backend <name>        tensorflow | webgpu | wasm | cpu (default: the fastest available)

Examples:
  colorize demo
  colorize demo -o /tmp/demo --backend cpu
`;

export async function demoCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string', short: 'o' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const started = performance.now();
  const backend = await initBackend(values.backend === undefined ? {} : { backend: values.backend as BackendName });
  const { report, grid } = await evaluateModel({ data: 'demo', split: 'test', seed: 0 });
  const outDir = resolve(values.out ?? 'colorize-demo');
  await mkdir(outDir, { recursive: true });
  const figure = join(outDir, 'comparison.png');
  const image = tf.tidy(() => {
    const rows = [tf.zerosLike(grid.ab), grid.pred, grid.ab].map((ab) => tf.concat(tf.unstack(colorize(grid.L, ab) as tf.Tensor4D), 1));
    return tf.cast(tf.round(tf.mul(tf.clipByValue(tf.concat(rows, 0), 0, 1), 255)), 'int32') as tf.Tensor3D;
  });
  const [h, w] = image.shape;
  await sharp(Uint8Array.from(await image.data()), { raw: { width: w, height: h, channels: 3 } }).png().toFile(figure);
  tf.dispose([image, grid.L, grid.ab, grid.pred]);
  const m = report.mean;
  io.out(`colorized ${report.images.length} held-out demo photos at ${report.size} px on ${backend} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  io.out(`PSNR ${m.psnr.toFixed(2)} dB   grey baseline ${m.greyPsnr.toFixed(2)} dB   (${m.psnr - m.greyPsnr >= 0 ? '+' : ''}${(m.psnr - m.greyPsnr).toFixed(2)} dB)\n`);
  io.out(`colorfulness ${m.colorfulness.toFixed(1)} vs the originals' ${m.realColorfulness.toFixed(1)} (${((100 * m.colorfulness) / m.realColorfulness).toFixed(0)} %)\n`);
  io.out(`figure (rows: grey / colorized / real): ${figure}\n`);
  return 0;
}
