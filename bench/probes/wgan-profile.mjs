// Probe: where one WGAN-GP iteration's kernel time goes, by kernel and by the shapes it ran on,
// for one replica's share (one wasm thread). Usage:
//   node bench/probes/wgan-profile.mjs [base=64] [size=64] [batch=8] [top=25]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { createWganGpTrainer } from '@colorize/train';

const [base = 64, size = 64, batchSize = 8, top = 25] = process.argv.slice(2).map(Number);
tf.env().set('PROD', true);
await initBackend({ backend: 'wasm', env: {}, wasmThreads: 1 });
const trainer = createWganGpTrainer({ generator: buildUNet({ base }), critic: buildPatchCritic({ base }) });
const batch = { L: tf.randomUniform([batchSize, size, size, 1], -1, 1), ab: tf.randomUniform([batchSize, size, size, 2], -0.5, 0.5) };
await trainer.step(batch);
const t0 = performance.now();
await trainer.step(batch);
const wall = performance.now() - t0;
const profile = await tf.profile(() => trainer.step(batch));
const byKernel = {};
const byShape = {};
let total = 0;
for (const k of profile.kernels) {
  if (k.name.endsWith('__op')) continue;
  byKernel[k.name] = (byKernel[k.name] ?? 0) + k.kernelTimeMs;
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')} -> [${k.outputShapes[0]}]`;
  byShape[key] ??= { ms: 0, n: 0 };
  byShape[key].ms += k.kernelTimeMs;
  byShape[key].n += 1;
  total += k.kernelTimeMs;
}
console.log(`base ${base}, ${size} px, batch ${batchSize}: ${(wall / 1000).toFixed(2)} s wall, kernels ${(total / 1000).toFixed(2)} s`);
for (const [name, ms] of Object.entries(byKernel).sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${name.padEnd(28)} ${(ms / 1000).toFixed(2)} s ${((100 * ms) / total).toFixed(1)} %`);
}
console.log('');
for (const [key, { ms, n }] of Object.entries(byShape).sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
  console.log(`${(ms / 1000).toFixed(3)} s ×${n} ${key}`);
}
