// Inference of the seed's U-Net generator (issue #5): batch 16 and 1, 128 and 256 px, base 64 and
// 32, on wasm and cpu, beside PyTorch 1.13 on the project's 2-core machines (2 threads, batch 16
// at 128 px: 1.72–1.74 s for base 64, 0.37–0.45 s for base 32). Each case runs in its own process.
import { availableParallelism } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildUNet, foldBatchNorm } from '@colorize/models';

import { runInOwnProcess, whenMain } from '../own-process.mjs';

export const title = 'U-Net generator inference (@colorize/models)';
export const description =
  'Seconds per forward pass (`predict`, eval mode) of `buildUNet({ base })` as colorize runs it for inference, its norms folded ' +
  'into its convs (`foldBatchNorm`, model "folded"; what `colorize`, `colorize eval` and the demo load), and as built for the ' +
  'wasm batch-16 cases at 128 px; median of repeated runs after a warm-up, ' +
  'and the ratio to PyTorch 1.13 with 2 threads on the project\'s 2-core machines (issue #5: batch 16 at 128 px, ' +
  '1.73 s for base 64 and 0.41 s for base 32; other sizes scaled by pixel count). Goal: at most 2× on wasm. The cpu ' +
  'backend is measured at batch 1 and 128 px only; its other cases scale that by batch and pixel count (marked "est."), ' +
  'since measuring them would take many minutes each. "top kernels" is ' +
  'tf.profile\'s share of kernel time for one batch. "threads" is the wasm backend\'s: colorize starts tfjs\'s threaded ' +
  'wasm build in Node on every core (`initBackend`\'s `wasmThreads`), where tfjs alone runs one, and runs its own Winograd ' +
  'convolution kernel on as many threads; the batch-16 cases at 128 px are also measured on one thread, as tfjs runs them.';

const PYTORCH_B16_128 = { 64: 1.73, 32: 0.41 };
const CORES = Math.min(availableParallelism(), 8);
const CASES = [];
for (const backend of ['wasm', 'cpu'])
  for (const base of [64, 32])
    for (const size of [128, 256])
      for (const batch of backend === 'cpu' ? [1, 16] : [16, 1]) {
        CASES.push({ backend, base, size, batch, threads: backend === 'wasm' ? CORES : 1, fold: true });
        if (backend === 'wasm' && size === 128 && batch === 16) {
          CASES.push({ backend, base, size, batch, threads: CORES, fold: false });
          if (CORES > 1) CASES.push({ backend, base, size, batch, threads: 1, fold: true });
        }
      }

export async function run({ quick, log }) {
  const rows = [];
  // The cpu backend measures batch 1 at 128 px; its other cases scale that time by batch and
  // pixel count (convolutions dominate and scale linearly), marked "est.".
  const cpuMeasured = {};
  for (const [index, c] of CASES.entries()) {
    if (quick && !(c.backend === 'wasm' && c.base === 32 && c.size === 128 && c.batch === 1 && c.threads === CORES && c.fold)) continue;
    const pytorch = PYTORCH_B16_128[c.base] * (c.batch / 16) * (c.size / 128) ** 2;
    let seconds;
    let top;
    let estimated = false;
    const measured = cpuMeasured[c.base];
    if (c.backend === 'cpu' && measured !== undefined) {
      seconds = measured.seconds * c.batch * (c.size / 128) ** 2;
      top = measured.top;
      estimated = true;
    } else {
      ({ seconds, top } = runInOwnProcess(import.meta.url, [index]));
      if (c.backend === 'cpu') cpuMeasured[c.base] = { seconds, top };
    }
    const row = {
      backend: c.backend,
      threads: c.threads,
      model: c.fold ? 'folded' : 'as built',
      base: c.base,
      'size px': c.size,
      batch: c.batch,
      's / batch': `${seconds.toFixed(c.batch === 1 ? 3 : 2)}${estimated ? ' (est.)' : ''}`,
      'PyTorch s': pytorch.toFixed(c.batch === 1 ? 3 : 2),
      ratio: (seconds / pytorch).toFixed(1),
      'top kernels': top,
    };
    log(Object.values(row).join(' | '));
    rows.push(row);
  }
  return rows;
}

async function measure(index) {
  const { backend, base, size, batch, threads, fold } = CASES[index];
  tf.env().set('PROD', true);
  await initBackend({ backend, env: {}, ...(backend === 'wasm' ? { wasmThreads: threads } : {}) });
  const built = buildUNet({ base });
  const model = fold ? foldBatchNorm(built) : built;
  const x = tf.randomUniform([batch, size, size, 1], -1, 1);
  const once = async () => {
    const y = model.predict(x);
    await y.data();
    y.dispose();
  };
  await once();
  const runs = [];
  // A warm-up (XNNPACK packs the weights once), then timed runs; fewer for the longest cases.
  const budget = backend === 'cpu' || (batch === 16 && size === 256) ? 1 : 3;
  for (let i = 0; i < budget; i += 1) {
    const t0 = performance.now();
    await once();
    runs.push((performance.now() - t0) / 1000);
  }
  runs.sort((a, b) => a - b);
  const profile = await tf.profile(() => model.predict(x));
  const byKernel = {};
  let total = 0;
  for (const k of profile.kernels) {
    if (k.name.endsWith('__op')) continue; // the op's record beside its kernel's: counted once
    byKernel[k.name] = (byKernel[k.name] ?? 0) + k.kernelTimeMs;
    total += k.kernelTimeMs;
  }
  const top = Object.entries(byKernel)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, ms]) => `${name} ${Math.round((100 * ms) / total)} %`)
    .join(', ');
  return { seconds: runs[Math.floor(runs.length / 2)], top };
}

await whenMain(import.meta.url, ([index]) => measure(Number(index)));
