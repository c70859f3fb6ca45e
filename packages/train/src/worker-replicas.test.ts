import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LabBatch } from './lab-batch.js';
import type { GradientReplicas } from './replicas.js';
import { localGradients } from './step-loss.js';
import type { StepLossJob, StepLossName, StepModels } from './step-loss.js';
import { demoPhotoBatch } from './test-photos.js';
import { createWganGpTrainer } from './wgan-gp-trainer.js';
import { shareSizes } from './worker-replicas.node.js';
import type * as replicasModule from './worker-replicas.node.js';

// Worker replicas start the built worker script, so these tests run the built package
// (`npm test` builds first). Worker threads inherit the process's flags, and vitest's
// `--conditions @colorize/source` would send the workers' imports to the TypeScript sources.
const flags = process.execArgv;
const execArgv = flags.filter((f, i) => f !== '@colorize/source' && !(f === '--conditions' && flags[i + 1] === '@colorize/source'));
const built = (await import(/* @vite-ignore */ new URL('../dist/index.node.js', import.meta.url).href).catch(() => {
  throw new Error('worker-replicas.test.ts runs the built @colorize/train: run `npm run build` first.');
})) as typeof replicasModule;
const startWorkerReplicas = (options: replicasModule.WorkerReplicasOptions = {}) => built.startWorkerReplicas({ execArgv, ...options });

const SIZE = 32;

/** A generator without BatchNorm, so a share's gradient is exactly its images' part of the batch's. */
function plainGenerator(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [null, null, 1], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' }));
  return m;
}

function copyOf(model: tfl.LayersModel, make: () => tfl.LayersModel): tfl.LayersModel {
  const copy = make();
  copy.setWeights(model.getWeights());
  return copy;
}

/**
 * max |a − b| over every element of every tensor, over max |b| over all of them: relative to the
 * gradient's largest element, because some elements are zero in exact arithmetic (the critic's
 * conv biases before InstanceNorm), so only rounding is left of them.
 */
function relativeError(a: tf.Tensor[], b: tf.Tensor[]): number {
  const maxAbs = (ts: tf.Tensor[]) => Math.max(...ts.map((t) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!)));
  const diffs = tf.tidy(() => a.map((t, i) => tf.sub(t, b[i]!)));
  const err = maxAbs(diffs) / maxAbs(b);
  tf.dispose(diffs);
  return err;
}

it('shares a batch as evenly as it can, without empty shares', () => {
  expect(shareSizes(16, 2)).toEqual([8, 8]);
  expect(shareSizes(5, 2)).toEqual([3, 2]);
  expect(shareSizes(7, 3)).toEqual([3, 2, 2]);
  expect(shareSizes(1, 2)).toEqual([1]);
});

describe.each(['cpu', 'wasm'] as const)('worker replicas on %s', (backend) => {
  let photos: LabBatch;
  let replicas: GradientReplicas;
  beforeAll(async () => {
    await initBackend({ backend, wasmThreads: 1, env: {} });
    // Five photos: shares of 3 and 2, so the average must weigh them by size.
    photos = await demoPhotoBatch('train', SIZE, 5);
    replicas = await startWorkerReplicas({ workers: 1 });
  });
  afterAll(async () => {
    await replicas.close();
    tf.dispose([photos.L, photos.ab]);
  });

  it('counts this thread and its worker', () => {
    expect(replicas.count).toBe(2);
  });

  it.each(['l1', 'critic', 'generator'] as StepLossName[])('gives the %s loss the whole batch gradient and terms (within 1e-4 of its largest element; terms within 1e-5), and leaks nothing', async (loss) => {
    const generator = plainGenerator();
    const critic = buildPatchCritic({ base: 4 });
    const models: StepModels = { generator, critic };
    const alpha = tf.tensor1d([0.1, 0.5, 0.9, 0.3, 0.7]);
    const job: StepLossJob = { loss, settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L: photos.L, ab: photos.ab, alpha };
    const whole = await localGradients(job, models);
    const before = tf.memory().numTensors;
    const shared = await replicas.gradients(job, models);
    expect(shared.grads).toHaveLength(whole.grads.length);
    expect(relativeError(shared.grads, whole.grads)).toBeLessThan(1e-4);
    for (const [name, value] of Object.entries(whole.terms)) expect(Math.abs(shared.terms[name]! - value), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
    tf.dispose(shared.grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...whole.grads, alpha]);
    generator.dispose();
    critic.dispose();
  });

  it.each(['l1', 'generator'] as StepLossName[])('gives the %s loss of a classification head the whole batch gradient and terms: its settings and class weights cross to the worker', async (loss) => {
    const generator = buildUNet({ base: 4, depth: 2, norm: 'none', head: 'classification' });
    const critic = buildPatchCritic({ base: 4 });
    const classWeights = Array.from({ length: 261 }, (_, q) => 0.5 + (q % 5) / 4);
    const classification = { neighbours: 5, sigma: 5, classWeights };
    const job: StepLossJob = { loss, settings: { reconstructionLoss: 'classification', classification, gradientPenaltyWeight: 10, l1Weight: 3 }, L: photos.L, ab: photos.ab };
    const whole = await localGradients(job, { generator, critic });
    const shared = await replicas.gradients(job, { generator, critic });
    expect(relativeError(shared.grads, whole.grads)).toBeLessThan(1e-4);
    for (const [name, value] of Object.entries(whole.terms)) expect(Math.abs(shared.terms[name]! - value), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
    // The class weights count: without them the loss differs.
    const unweighted = await localGradients({ ...job, settings: { ...job.settings, classification: { ...classification, classWeights: null } } }, { generator, critic });
    expect(Math.abs(unweighted.terms.total! - whole.terms.total!)).toBeGreaterThan(1e-3);
    tf.dispose([...whole.grads, ...shared.grads, ...unweighted.grads]);
    generator.dispose();
    critic.dispose();
  });

  it.each(['l1', 'critic', 'generator'] as StepLossName[])('gives the %s loss of a hint model the whole batch gradient and terms: the hints cross to the worker and count', async (loss) => {
    const hintGenerator = (): tfl.LayersModel => {
      const m = tfl.sequential();
      m.add(tfl.layers.conv2d({ inputShape: [null, null, 4], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }));
      m.add(tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' }));
      return m;
    };
    const generator = hintGenerator();
    const critic = buildPatchCritic({ base: 4 });
    const [n, h, w] = photos.L.shape;
    const hints = tf.tidy(() => {
      const mask = tf.cast(tf.greater(tf.randomUniform([n, h, w, 1], 0, 1, 'float32', 3), 0.9), 'float32');
      return tf.concat([tf.mul(photos.ab, mask), mask], 3) as tf.Tensor4D;
    });
    const alpha = tf.tensor1d([0.1, 0.5, 0.9, 0.3, 0.7]);
    const job: StepLossJob = { loss, settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L: photos.L, ab: photos.ab, hints, alpha };
    const whole = await localGradients(job, { generator, critic });
    const shared = await replicas.gradients(job, { generator, critic });
    expect(relativeError(shared.grads, whole.grads)).toBeLessThan(1e-4);
    for (const [name, value] of Object.entries(whole.terms)) expect(Math.abs(shared.terms[name]! - value), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(value)));
    // The hints count: without them (all zero) the loss differs.
    const zeros = tf.zerosLike(hints);
    const none = await localGradients({ ...job, hints: zeros }, { generator, critic });
    expect(Math.abs(none.terms.total! - whole.terms.total!)).toBeGreaterThan(1e-6);
    tf.dispose([...whole.grads, ...shared.grads, ...none.grads, hints, zeros, alpha]);
    generator.dispose();
    critic.dispose();
  });

  it('computes a batch of one on this thread alone, exactly as without replicas', async () => {
    const generator = plainGenerator();
    const L = tf.slice(photos.L, 0, 1) as tf.Tensor4D;
    const ab = tf.slice(photos.ab, 0, 1) as tf.Tensor4D;
    const job: StepLossJob = { loss: 'l1', settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L, ab };
    const alone = await localGradients(job, { generator });
    const shared = await replicas.gradients(job, { generator });
    expect(relativeError(shared.grads, alone.grads)).toBe(0);
    expect(shared.terms).toEqual(alone.terms);
    tf.dispose([L, ab, ...alone.grads, ...shared.grads]);
    generator.dispose();
  });

  it("averages the first BatchNorm's moving mean into the whole batch's update", async () => {
    // The first BatchNorm sees the same activations on every replica as on one thread, and its
    // moving mean is linear in the batch mean, so the share-weighted average is exact. Deeper ones
    // see activations normalised with each share's statistics, and agree only in expectation.
    const make = () => buildUNet({ base: 4, depth: 2 });
    const a = make();
    const b = copyOf(a, make);
    const job: StepLossJob = { loss: 'l1', settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L: photos.L, ab: photos.ab };
    tf.dispose((await localGradients(job, { generator: a })).grads);
    tf.dispose((await replicas.gradients(job, { generator: b })).grads);
    const firstMean = (m: tfl.LayersModel) => m.nonTrainableWeights.find((w) => w.name.includes('moving_mean'))!.read();
    expect(relativeError([firstMean(b)], [firstMean(a)])).toBeLessThan(1e-5);
    // …and it moved from its start at 0 (a replica that left it alone would fail above).
    expect(tf.tidy(() => tf.max(tf.abs(firstMean(b))).dataSync()[0]!)).toBeGreaterThan(1e-3);
    a.dispose();
    b.dispose();
  });

  it('trains a WGAN-GP step with replicas: the same losses as one thread on a generator without BatchNorm', async () => {
    const generator = plainGenerator();
    const critic = buildPatchCritic({ base: 4 });
    const g2 = copyOf(generator, plainGenerator);
    const c2 = copyOf(critic, () => buildPatchCritic({ base: 4 }));
    const alone = createWganGpTrainer({ generator, critic, seed: 1 });
    const shared = createWganGpTrainer({ generator: g2, critic: c2, seed: 1, replicas });
    for (let i = 0; i < 2; i += 1) {
      const x = await alone.step(photos);
      const y = await shared.step(photos);
      // Adam's first steps move each weight by about ±lr whatever its gradient's size, so the
      // rounding of near-zero gradients shows in the second step's losses; 1e-4 relative.
      for (const [name, value] of Object.entries(x)) expect(Math.abs(y[name]! - value), name).toBeLessThan(1e-4 * Math.max(1, Math.abs(value)));
    }
    for (const t of [alone, shared]) t.dispose();
    for (const m of [generator, critic, g2, c2]) m.dispose();
  });
});

describe('worker replicas: errors', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });

  it('refuses a bad worker count or module list with INVALID_OPTION', async () => {
    for (const bad of [{ workers: 0 }, { workers: 1.5 }, { modules: 'x' }, { modules: [''] }, { execArgv: '--inspect' }, { threads: 2 }]) {
      await expect(startWorkerReplicas(bad as never)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    }
  });

  it('says which module a worker could not import, and starts nothing', async () => {
    const err = await startWorkerReplicas({ workers: 1, modules: ['/no/such/layers.js'] }).catch((e: unknown) => e);
    expect(ColorizeError.isInstance(err) && err.code).toBe('UNSUPPORTED');
    expect((err as Error).message).toMatch(/startWorkerReplicas: a worker could not start: could not import \/no\/such\/layers\.js/);
  });

  it('says so when a worker thread stops, and closes without waiting for it', async () => {
    const fixture = new URL('../../../test/fixtures/exit-on-import.mjs', import.meta.url).href;
    await expect(startWorkerReplicas({ workers: 1, modules: [fixture] })).rejects.toThrow(/^startWorkerReplicas: worker 1 stopped \(exit code 3\)\.$/);
  });

  it("rebuilds a model with a custom layer once its module is named, and says so when it is not", async () => {
    const fixture = new URL('../../../test/fixtures/doubler-layer.mjs', import.meta.url).href;
    const { TestDoubler } = (await import(/* @vite-ignore */ fixture)) as { TestDoubler: new () => tfl.layers.Layer };
    const generator = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [null, null, 1], filters: 2, kernelSize: 1 }), new TestDoubler()] });
    const L = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const ab = tf.zeros([2, 8, 8, 2]) as tf.Tensor4D;
    const job: StepLossJob = { loss: 'l1', settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L, ab };
    const without = await startWorkerReplicas({ workers: 1 });
    await expect(without.gradients(job, { generator })).rejects.toThrow(/^startWorkerReplicas: a worker could not compute its share: could not rebuild a model \(Unknown layer: TestDoubler\.\); name the module that registers its layers in startWorkerReplicas' modules option/);
    // Each try says it again (the model is sent anew after a failed job), and nothing is left half-built.
    await expect(without.gradients(job, { generator })).rejects.toThrow(/could not rebuild a model \(Unknown layer: TestDoubler\.\)/);
    await without.close();
    const withModule = await startWorkerReplicas({ workers: 1, modules: [fixture] });
    const whole = await localGradients(job, { generator });
    const shared = await withModule.gradients(job, { generator });
    expect(relativeError(shared.grads, whole.grads)).toBeLessThan(1e-5);
    await withModule.close();
    tf.dispose([L, ab, ...whole.grads, ...shared.grads]);
    generator.dispose();
  });

  it('refuses to compute once closed, and a trainer refuses replicas that are not', async () => {
    const replicas = await startWorkerReplicas({ workers: 1 });
    await replicas.close();
    await replicas.close();
    const generator = plainGenerator();
    const L = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    const ab = tf.zeros([2, 8, 8, 2]) as tf.Tensor4D;
    const job: StepLossJob = { loss: 'l1', settings: { reconstructionLoss: 'l1', gradientPenaltyWeight: 10, l1Weight: 100 }, L, ab };
    await expect(replicas.gradients(job, { generator })).rejects.toThrow(/startWorkerReplicas: the replicas were closed/);
    expect(() => createWganGpTrainer({ generator, critic: buildPatchCritic({ base: 4 }), replicas: {} as GradientReplicas })).toThrow(/replicas as gradient replicas/);
    tf.dispose([L, ab]);
    generator.dispose();
  });
});
