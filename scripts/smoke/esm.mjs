// Plain Node, ESM, against the built packages (no vitest, no TypeScript): what a user gets.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, fileSystem, greyBaselinePsnr, initBackend, psnr } from '@colorize/core';
import { run } from '@colorize/cli';
import * as lab from '@colorize/lab';
import * as models from '@colorize/models';
import * as train from '@colorize/train';

tf.env().set('PROD', true);
const backend = await initBackend({ backend: 'wasm' });
const a = tf.fill([1, 8, 8, 3], 100);
const b = tf.fill([1, 8, 8, 3], 110);
const { mean } = await psnr(a, b, { dataRange: 255 });
const grey = await greyBaselinePsnr(b, { dataRange: 255 });
if (Math.abs(mean - 10 * Math.log10(255 ** 2 / 100)) > 1e-6) throw new Error(`psnr ${mean}`);

const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
const dir = join(await mkdtemp(join(tmpdir(), 'colorize-smoke-')), 'm');
await model.save(`file://${dir}`);
const loaded = await tfl.loadLayersModel(fileSystem(dir));
if (loaded.countParams() !== 3) throw new Error('file:// round trip');

let code;
try {
  await initBackend({ backend: 'tensorflow' });
} catch (err) {
  code = ColorizeError.isInstance(err) ? err.code : 'other';
}
if (code !== 'BACKEND_UNAVAILABLE') throw new Error(`expected BACKEND_UNAVAILABLE, got ${code}`);
if (typeof run !== 'function' || typeof lab !== 'object' || typeof models !== 'object' || typeof train !== 'object') {
  throw new Error('package entries');
}
console.log(`esm ok: ${backend}, psnr ${mean.toFixed(4)} dB, grey baseline ${grey.mean.toFixed(2)} dB, file:// round trip`);
