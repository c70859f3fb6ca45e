// Probe: U-Net inference (128 px, batch 16) with colorize's Winograd kernel on 1 or 2 threads,
// beside tfjs's own wasm threads, as built or with its norms folded (foldBatchNorm).
// Usage: node bench/probes/winograd-threads.mjs <tfjsThreads> <kernelThreads> [base] [fold: 0 or 1]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildUNet, foldBatchNorm } from '@colorize/models';

const [tfjsThreads, kernelThreads, base = 64, fold = 0] = process.argv.slice(2).map(Number);
tf.env().set('PROD', true);
// The first start sets tfjs's threads; each call sets colorize's kernel threads.
await initBackend({ backend: 'wasm', env: {}, wasmThreads: tfjsThreads });
await initBackend({ backend: 'wasm', env: {}, wasmThreads: kernelThreads });
const built = buildUNet({ base });
const model = fold ? foldBatchNorm(built) : built;
const x = tf.randomUniform([16, 128, 128, 1], -1, 1);
const once = async () => { const y = model.predict(x); await y.data(); y.dispose(); };
await once();
const times = [];
for (let i = 0; i < 3; i += 1) { const t = performance.now(); await once(); times.push((performance.now() - t) / 1000); }
times.sort();
console.log(JSON.stringify({ tfjsThreads, kernelThreads, base, fold: Boolean(fold), median: times[1], times }));
