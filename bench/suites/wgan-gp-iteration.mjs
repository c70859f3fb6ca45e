// One full WGAN-GP iteration (issue #6): batch 16, one critic step with the gradient penalty and
// two generator steps, each with Adam, for the seed's U-Net and PatchGAN at base 64 / 32 and
// 128 / 64 px, beside PyTorch 1.13 on the project's 2-core machines (2 threads, two runs each:
// base 64 at 128 px 11.7–14.7 s; base 64 at 64 px 3.5 s; base 32 at 128 px 4.3–4.5 s; base 32 at
// 64 px 1.2–1.8 s). Each case runs in its own process.
import { availableParallelism } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { createWganGpTrainer, startWorkerReplicas } from '@colorize/train';

import { runInOwnProcess, whenMain } from '../own-process.mjs';

export const title = 'WGAN-GP training iteration (@colorize/train)';
export const description =
  'Seconds per full iteration of `createWganGpTrainer(...).step(batch)` at batch 16: one critic update with the ' +
  'gradient penalty (a second-order gradient) and two generator updates, Adam, the seed\'s models at base 64 and 32; ' +
  'median of the timed runs after a warm-up step, beside PyTorch 1.13 with 2 threads on the project\'s 2-core ' +
  'machines (issue #6; the midpoint of its two runs). Goal: at most 3× on wasm. "top kernels" is tf.profile\'s share ' +
  'of kernel time for one iteration (measured for base 32 at 64 px). At 128 px an iteration at batch 16 does not fit ' +
  'the wasm heap (4 GB at most; it aborts out of memory), so those rows are the 64-px time of the same base times ' +
  'four (each layer\'s cost is linear in pixels), marked "est.". "replicas" is data parallelism (`startWorkerReplicas`, ' +
  'what `colorize train` runs): a replica of the models per core, each on one wasm thread with its share of the batch, ' +
  'gradients averaged; a share of a 128-px batch fits the heap, so base 32 at 128 px is measured that way. "threads" is ' +
  'the wasm backend\'s: every core (colorize\'s threaded start in Node), and one, as tfjs alone runs it. The batch-8 ' +
  'row on one thread is what each of two replicas computes, alone: the gap to the two-replica row is what running the ' +
  'shares at once and exchanging gradients cost.' +
` What limits it: see BENCHMARKS.md's goals table, whose sentence comes from this suite's profile.`;

const PYTORCH = { '64@128': 13.2, '64@64': 3.5, '32@128': 4.4, '32@64': 1.5 };
// At 128 px, batch 16 does not fit the wasm heap (4 GB at most: the iteration's activations and
// its double-backward graph outgrow it); those cases are estimated from the same base at 64 px
// times the pixel ratio (every layer's cost is linear in pixels), marked "est.".
// wasm runs on every core (colorize's threaded start in Node), and once more on one thread, as
// tfjs alone runs it.
const CORES = Math.min(availableParallelism(), 8);
const CASES = [
  // Data parallel (startWorkerReplicas, what `colorize train` runs): a replica per core, each on
  // one wasm thread with its share of the batch. Each replica's share at 128 px fits the heap.
  { backend: 'wasm', threads: 1, replicas: CORES, base: 32, size: 64, runs: 3, profile: true },
  { backend: 'wasm', threads: 1, replicas: CORES, base: 64, size: 64, runs: 1 },
  { backend: 'wasm', threads: 1, replicas: CORES, base: 32, size: 128, runs: 1 },
  { backend: 'wasm', threads: 1, replicas: CORES, base: 64, size: 128, from: 1 },
  // One backend on every core (colorize's threaded wasm start), and on one thread.
  { backend: 'wasm', threads: CORES, base: 32, size: 64, runs: 3 },
  { backend: 'wasm', threads: CORES, base: 64, size: 64, runs: 1 },
  { backend: 'wasm', threads: 1, base: 32, size: 64, runs: 3 },
  // Half the batch on one thread: what each of two replicas computes per step, before the
  // gradients are averaged; the gap to the two-replica row is the cost of the exchange.
  { backend: 'wasm', threads: 1, base: 32, size: 64, runs: 3, batch: 8 },
  { backend: 'cpu', threads: 1, base: 32, size: 64, runs: 1 },
  // --quick only: a quarter of the work, to check the harness in seconds (no PyTorch reference)
  { backend: 'wasm', threads: 1, replicas: CORES, base: 16, size: 64, runs: 1, quick: true },
];

export async function run({ quick, log }) {
  const rows = [];
  for (const [index, c] of CASES.entries()) {
    if (quick !== Boolean(c.quick)) continue;
    const pytorch = c.batch === undefined ? PYTORCH[`${c.base}@${c.size}`] : undefined;
    let measured;
    if (c.from !== undefined) {
      const from = rows[c.from];
      const scale = (c.size / CASES[c.from].size) ** 2;
      measured = { seconds: Number(from['s / iteration']) * scale, runs: 0, top: from['top kernels'] };
    } else {
      measured = runInOwnProcess(import.meta.url, [index, quick ? 1 : c.runs, quick ? 'no-profile' : 'profile']);
    }
    const { seconds, runs, top } = measured;
    const row = {
      backend: c.backend,
      threads: c.threads,
      replicas: c.replicas ?? 1,
      batch: c.batch ?? 16,
      base: c.base,
      'size px': c.size,
      's / iteration': `${seconds.toFixed(2)}${c.from !== undefined ? ' (est.)' : ''}`,
      'min–max': measured.min === undefined ? '' : `${measured.min.toFixed(2)}–${measured.max.toFixed(2)}`,
      runs,
      'PyTorch s': pytorch === undefined ? '–' : pytorch.toFixed(1),
      ratio: pytorch === undefined ? '–' : (seconds / pytorch).toFixed(1),
      'top kernels': top,
    };
    log(Object.values(row).join(' | '));
    rows.push(row);
  }
  return rows;
}

async function measure(index, runsWanted, profileWanted = true) {
  const { backend, base, size, threads, replicas: count = 1, batch: batchSize = 16 } = CASES[index];
  tf.env().set('PROD', true);
  await initBackend({ backend, env: {}, ...(backend === 'wasm' ? { wasmThreads: threads } : {}) });
  const generator = buildUNet({ base });
  const critic = buildPatchCritic({ base });
  const replicas = count > 1 ? await startWorkerReplicas({ workers: count - 1 }) : undefined;
  const trainer = createWganGpTrainer({ generator, critic, ...(replicas ? { replicas } : {}) });
  const batch = { L: tf.randomUniform([batchSize, size, size, 1], -1, 1), ab: tf.randomUniform([batchSize, size, size, 2], -0.5, 0.5) };
  await trainer.step(batch); // warm-up: Adam's state, XNNPACK's packed weights
  const runs = [];
  const n = runsWanted;
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await trainer.step(batch);
    runs.push((performance.now() - t0) / 1000);
  }
  runs.sort((a, b) => a - b);
  let top = '';
  if (CASES[index].profile && profileWanted) {
    const profile = await tf.profile(() => trainer.step(batch));
    const byKernel = {};
    let total = 0;
    for (const k of profile.kernels) {
      if (k.name.endsWith('__op')) continue;
      byKernel[k.name] = (byKernel[k.name] ?? 0) + k.kernelTimeMs;
      total += k.kernelTimeMs;
    }
    top = Object.entries(byKernel)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, ms]) => `${name} ${Math.round((100 * ms) / total)} %`)
      .join(', ');
  }
  await replicas?.close();
  return { seconds: runs[Math.floor(runs.length / 2)], min: runs[0], max: runs[runs.length - 1], runs: runs.length, top };
}

await whenMain(import.meta.url, ([index, runs, profile]) => measure(Number(index), Number(runs), profile !== 'no-profile'));
