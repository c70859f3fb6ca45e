// Which of the shipped model's kernels on tfjs's wasm backend (one thread, norms folded, 256 px)
// take its time, and which grow beside a second worker doing the same.
//   taskset -c 0 node bench/probes/tfjs-model-kernels.mjs 1
//   node bench/probes/tfjs-model-kernels.mjs 2
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem, initBackend } from '@colorize/core';
import { foldBatchNorm } from '@colorize/models';

const SIDE = Number(process.env.SIDE ?? 256);
const RUNS = Number(process.env.RUNS ?? 20);

async function profileModel(label) {
  tf.env().set('PROD', true);
  await initBackend({ backend: 'wasm', wasmThreads: 1 });
  const loaded = await tfl.loadLayersModel(fileSystem(resolve('packages/cli/model')));
  const model = foldBatchNorm(loaded);
  loaded.dispose();
  const L = tf.randomUniform([1, SIDE, SIDE, 1], -1, 1);
  for (let i = 0; i < 3; i += 1) tf.tidy(() => model.predict(L)).dataSync();
  const byKernel = new Map();
  let wall = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    const info = await tf.profile(() => { const y = model.predict(L); y.dataSync(); return y; });
    wall += performance.now() - t0;
    for (const k of info.kernels) {
      // An op's entry (`fusedConv2d__op`) wraps its kernel's, which is counted instead.
      if (k.name.endsWith('__op')) continue;
      const key = `${k.name} ${JSON.stringify(k.outputShapes?.[0] ?? [])}`;
      byKernel.set(key, (byKernel.get(key) ?? 0) + (await k.kernelTimeMs));
    }
  }
  const byName = new Map();
  for (const [key, ms] of byKernel) { const n = key.split(' ')[0]; byName.set(n, (byName.get(n) ?? 0) + ms); }
  const lines = [...byName].sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${(ms / RUNS).toFixed(1)}`);
  process.stdout.write(`${label}: wall ${(wall / RUNS).toFixed(1)} ms | ${lines.join('  ')}\n`);
  if (process.env.DETAIL) for (const [k, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${k} ${(ms / RUNS).toFixed(2)}\n`);
}

if (isMainThread) {
  const threads = Number(process.argv[2] ?? 1);
  if (threads === 1) await profileModel('this thread');
  else await Promise.all(Array.from({ length: threads }, (_, i) => new Promise((ok, fail) => new Worker(new URL(import.meta.url), { workerData: `worker ${i}` }).on('exit', ok).on('error', fail))));
} else {
  await profileModel(workerData);
}
