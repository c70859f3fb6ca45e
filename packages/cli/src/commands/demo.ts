import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';
import { colorize } from '@colorize/lab';
import sharp from 'sharp';

import type { CliIO } from '../io.js';
import { shippedModelDir } from '../model-dir.js';
import { evaluateModel } from './evaluate.js';
import type { EvalReport } from './evaluate.js';

export const DEMO_HELP = `Usage: colorize demo [-o out] [--backend name]

The main job, offline: colorizes the shipped demo photos the shipped models never saw in training
(their test split), automatically and with 10 colour hints revealed from the real colours (the
hint model), writes a comparison figure (rows grey / automatic / 10 hints, dots drawn / real)
and prints each one's PSNR beside the grey baseline.

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
  const hinted = await evaluateModel({ model: shippedModelDir('hint-model'), data: 'demo', split: 'test', seed: 0, size: report.size, hints: DEMO_HINTS });
  const outDir = resolve(values.out ?? 'colorize-demo');
  await mkdir(outDir, { recursive: true });
  const figure = join(outDir, 'comparison.png');
  const image = tf.tidy(() => {
    const row = (rgb: tf.Tensor4D) => tf.concat(tf.unstack(rgb), 1);
    const rows = [
      row(colorize(grid.L, tf.zerosLike(grid.ab)) as tf.Tensor4D),
      row(colorize(grid.L, grid.pred) as tf.Tensor4D),
      row(withHintDots(colorize(hinted.grid.L, hinted.grid.pred) as tf.Tensor4D, hinted.grid.L, hinted.grid.hints!)),
      row(colorize(grid.L, grid.ab) as tf.Tensor4D),
    ];
    return tf.cast(tf.round(tf.mul(tf.clipByValue(tf.concat(rows, 0), 0, 1), 255)), 'int32') as tf.Tensor3D;
  });
  const [h, w] = image.shape;
  await sharp(Uint8Array.from(await image.data()), { raw: { width: w, height: h, channels: 3 } }).png().toFile(figure);
  tf.dispose([image, grid.L, grid.ab, grid.pred, hinted.grid.L, hinted.grid.ab, hinted.grid.pred, hinted.grid.hints!]);
  const line = (name: string, m: EvalReport['mean']) =>
    `${name}PSNR ${m.psnr.toFixed(2)} dB   grey baseline ${m.greyPsnr.toFixed(2)} dB   (${m.psnr - m.greyPsnr >= 0 ? '+' : ''}${(m.psnr - m.greyPsnr).toFixed(2)} dB)   colorfulness ${((100 * m.colorfulness) / m.realColorfulness).toFixed(0)} % of the originals'\n`;
  io.out(`colorized ${report.images.length} held-out demo photos at ${report.size} px on ${backend} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  io.out(line('automatic:      ', report.mean));
  io.out(line(`${DEMO_HINTS} colour hints: `, hinted.report.mean));
  io.out(`figure (rows: grey / automatic / ${DEMO_HINTS} hints, dots drawn / real): ${figure}\n`);
  return 0;
}

/** Hints the demo reveals to the hint model per photo. */
const DEMO_HINTS = 10;

/**
 * The hint row's photos with each hint drawn: its square in the hint's colour (at the photo's
 * L) inside a black outline one pixel wide.
 */
function withHintDots(rgb: tf.Tensor4D, L: tf.Tensor4D, hints: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const mask = tf.slice(hints, [0, 0, 0, 2], [-1, -1, -1, 1]);
    const hintRgb = colorize(L, tf.slice(hints, [0, 0, 0, 0], [-1, -1, -1, 2]) as tf.Tensor4D);
    const grown = tf.maxPool(mask as tf.Tensor4D, 3, 1, 'same');
    const outline = tf.sub(grown, mask);
    const painted = tf.add(tf.mul(rgb, tf.sub(1, mask)), tf.mul(hintRgb, mask));
    return tf.mul(painted, tf.sub(1, outline)) as tf.Tensor4D;
  });
}
