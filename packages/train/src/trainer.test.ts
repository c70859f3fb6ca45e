import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { abClassPrior, abClassWeights } from './ab-classes.js';
import { fileCheckpoints } from './file-checkpoints.js';
import { createL1Trainer } from './l1-trainer.js';
import { SeededRandom } from './random.js';
import type { LabBatch, LabDataset } from './lab-batch.js';
import { tensorDataset } from './tensor-dataset.js';
import { demoPhotoBatch } from './test-photos.js';
import type { Trainer } from './trainer.js';
import { createWganGpTrainer } from './wgan-gp-trainer.js';

const SIZE = 32;
type AnyTrainer = Trainer<Record<string, number>>;

function tinyModels(): { generator: tfl.LayersModel; critic: tfl.LayersModel } {
  return { generator: buildUNet({ base: 4, depth: 2 }), critic: buildPatchCritic({ base: 4 }) };
}

function copyWeights(from: tfl.LayersModel, to: tfl.LayersModel): void {
  to.setWeights(from.getWeights());
}

describe('training on real photos (cpu)', () => {
  let photos: LabBatch;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
    // Eight photos in batches of four keep the cpu backend's runs short.
    photos = await demoPhotoBatch('train', SIZE, 8);
    dir = await mkdtemp(join(tmpdir(), 'colorize-train-'));
  });
  afterAll(async () => {
    tf.dispose([photos.L, photos.ab]);
    await rm(dir, { recursive: true, force: true });
  });

  it('stops after epoch 2, resumes from the checkpoint in new models and trainers, and logs epoch 3 exactly as an uninterrupted run', async () => {
    const data = tensorDataset(photos, { batchSize: 4, seed: 3, flip: true });
    const initial = tinyModels();
    const run = async (epochs: number, checkpointDir: string, resume: boolean) => {
      const models = tinyModels();
      copyWeights(initial.generator, models.generator);
      copyWeights(initial.critic, models.critic);
      const trainer = createWganGpTrainer({ ...models, seed: 5 });
      const checkpoints = fileCheckpoints(checkpointDir);
      if (resume) expect(await checkpoints.restore(trainer as unknown as AnyTrainer)).toBe(true);
      const result = await trainer.fit(data, { epochs, checkpoints });
      trainer.dispose();
      return result;
    };
    const straight = await run(3, join(dir, 'straight'), false);
    const first = await run(2, join(dir, 'split'), false);
    expect(first.position).toEqual({ epoch: 2, batch: 0, step: 4 });
    const resumed = await run(3, join(dir, 'split'), true);
    expect(resumed.history).toHaveLength(1);
    const { seconds: _a, ...expected } = straight.history[2]!;
    const { seconds: _b, ...actual } = resumed.history[0]!;
    expect(actual).toEqual(expected);
    data.dispose();
  });

  it('resumes mid-epoch after a stop signal, with the same logs as an uninterrupted run', async () => {
    const data = tensorDataset(photos, { batchSize: 3, seed: 4, flip: true });
    const initial = tinyModels().generator;
    const make = () => {
      const generator = buildUNet({ base: 4, depth: 2 });
      copyWeights(initial, generator);
      return createL1Trainer({ generator });
    };
    const straight = make();
    const expected: number[] = [];
    await straight.fit(data, { epochs: 2, callbacks: { onBatchEnd: (_b, logs) => void expected.push(logs.l1) } });
    const controller = new AbortController();
    const stopping = make();
    const checkpoints = fileCheckpoints(join(dir, 'mid-epoch'));
    const seen: number[] = [];
    const stop = await stopping.fit(data, {
      epochs: 2,
      checkpoints,
      signal: controller.signal,
      callbacks: { onBatchEnd: (b, logs) => void (seen.push(logs.l1), b === 1 && logs.epoch === 1 && controller.abort()) },
    });
    expect(stop.stopped).toBe(true);
    expect(stop.position).toEqual({ epoch: 1, batch: 2, step: 5 });
    const resumed = make();
    await checkpoints.restore(resumed as unknown as AnyTrainer);
    await resumed.fit(data, { epochs: 2, callbacks: { onBatchEnd: (_b, logs) => void seen.push(logs.l1) } });
    expect(seen).toEqual(expected);
    [straight, stopping, resumed].forEach((t) => t.dispose());
    data.dispose();
  });

  it('stops on a NaN with NON_FINITE_LOSS and the step number, updates nothing, and the last checkpoint stays loadable', async () => {
    const { generator, critic } = tinyModels();
    const trainer = createWganGpTrainer({ generator, critic });
    const good = tensorDataset(photos, { batchSize: 4 });
    const checkpoints = fileCheckpoints(join(dir, 'nan'));
    await trainer.fit(good, { epochs: 1, checkpoints });
    const poisoned: LabDataset = {
      size: 2,
      batchesPerEpoch: 1,
      async *batches() {
        yield tf.tidy(() => {
          const L = tf.slice(photos.L, 0, 2) as tf.Tensor4D;
          const mask = tf.scalar(NaN);
          return { L: tf.concat([tf.slice(L, 0, 1), tf.mul(tf.slice(L, 1, 1), mask)]) as tf.Tensor4D, ab: tf.slice(photos.ab, 0, 2) as tf.Tensor4D };
        });
      },
    };
    const before = generator.getWeights().map((w) => w.dataSync().slice());
    const error = await trainer.fit(poisoned, { epochs: 2, checkpoints }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ColorizeError.isInstance(error) && error.code).toBe('NON_FINITE_LOSS');
    expect((error as Error).message).toMatch(/^training step 3: the loss .*is NaN; the step's gradients were not applied\.$/);
    expect(trainer.position.step).toBe(2);
    generator.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    const fresh = tinyModels();
    const again = createWganGpTrainer(fresh);
    expect(await checkpoints.restore(again as unknown as AnyTrainer)).toBe(true);
    expect(again.position).toEqual({ epoch: 1, batch: 0, step: 2 });
    fresh.generator.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    [trainer, again].forEach((t) => t.dispose());
    good.dispose();
  });
});

describe('a long run (wasm)', () => {
  it('holds the same number of tensors after step 10 and after step 200', async () => {
    await initBackend({ backend: 'wasm', env: {} });
    const photos = await demoPhotoBatch('validation', SIZE);
    const { generator, critic } = tinyModels();
    const trainer = createWganGpTrainer({ generator, critic });
    const batch = tf.tidy(() => ({ L: tf.slice(photos.L, 0, 2) as tf.Tensor4D, ab: tf.slice(photos.ab, 0, 2) as tf.Tensor4D }));
    let after10 = 0;
    for (let i = 1; i <= 200; i++) {
      await trainer.step(batch);
      if (i === 10) after10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after10);
    tf.dispose([batch.L, batch.ab, photos.L, photos.ab]);
    trainer.dispose();
  }, 60_000);

  // This shows the trainers learn: fit a few photos. Generalisation to unseen photos is what the
  // shipped model's evaluation on held-out images shows (packages/cli/model/README.md).
  it('a tiny generator and critic fit four real photos: L1 falls and PSNR rises far above the grey baseline', async () => {
    await initBackend({ backend: 'wasm', env: {} });
    const four = await demoPhotoBatch('train', SIZE, 4);
    const data = tensorDataset(four, { batchSize: 4, flip: true, seed: 1 });
    const validation = tensorDataset(four, { shuffle: false });
    const generator = buildUNet({ base: 8, depth: 2 });
    const critic = buildPatchCritic({ base: 4 });
    const pre = createL1Trainer({ generator, optimizer: { learningRate: 2e-3 } });
    const l1: number[] = [];
    await pre.fit(data, { epochs: 150, callbacks: { onBatchEnd: (_b, logs) => void l1.push(logs.l1) } });
    const gan = createWganGpTrainer({ generator, critic, generatorOptimizer: { learningRate: 2e-3 } });
    const result = await gan.fit(data, { epochs: 50, validation });
    const last = result.history.at(-1)!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(l1.slice(-10))).toBeLessThan(mean(l1.slice(0, 10)) / 3);
    expect(last.l1).toBeLessThan(mean(l1.slice(-10)));
    expect(last.valPsnr! - last.valGreyPsnr!).toBeGreaterThan(5);
    [pre, gan].forEach((t) => t.dispose());
    [data, validation].forEach((d) => d.dispose());
    tf.dispose([four.L, four.ab]);
  }, 60_000);

  it("a tiny classification generator fits four real photos: Zhang et al.'s rebalanced cross-entropy falls, and the annealed mean rises over 2 dB above the grey baseline, in pretraining and in WGAN-GP", async () => {
    await initBackend({ backend: 'wasm', env: {} });
    const four = await demoPhotoBatch('train', SIZE, 4);
    const data = tensorDataset(four, { batchSize: 4, flip: true, seed: 1 });
    const validation = tensorDataset(four, { shuffle: false });
    // tfjs draws unseeded initial weights from Math.random; some of this tiny model's draws learn
    // slowly (one in about ten stayed near +1.6 dB at 150 steps), so the draw is fixed here to
    // make the test the same on every run.
    const random = new SeededRandom(3);
    const draw = vi.spyOn(Math, 'random').mockImplementation(() => random.next());
    const generator = buildUNet({ base: 8, depth: 2, head: 'classification' });
    // The critic's draw too: with it unseeded, the WGAN-GP phase's margin over 2 dB varied.
    const critic = buildPatchCritic({ base: 4 });
    draw.mockRestore();
    const { centres } = abGamutBins();
    const classification = { classWeights: abClassWeights(await abClassPrior(data, centres), centres) };
    const pre = createL1Trainer({ generator, optimizer: { learningRate: 2e-3 }, reconstructionLoss: 'classification', classification });
    const ce: number[] = [];
    const first = await pre.fit(data, { epochs: 150, validation, callbacks: { onBatchEnd: (_b, logs) => void ce.push(logs.reconstruction) } });
    const gan = createWganGpTrainer({ generator, critic, l1Weight: 3, reconstructionLoss: 'classification', classification, generatorOptimizer: { learningRate: 2e-3 } });
    const second = await gan.fit(data, { epochs: 10, validation });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The soft targets have an entropy of their own (about 1.3 nats), so the loss cannot approach 0.
    expect(mean(ce.slice(-10))).toBeLessThan(mean(ce.slice(0, 10)) * 0.75);
    for (const result of [first, second]) {
      const last = result.history.at(-1)!;
      // 150 steps: +5.2 dB with this draw, +1.5 to +4 dB with others (the L1 generator above
      // regresses to each pixel's colour directly; the classifier has 261 classes a pixel to learn).
      expect(last.valPsnr! - last.valGreyPsnr!, JSON.stringify(last)).toBeGreaterThan(2);
    }
    expect(gan.config).toMatchObject({ reconstructionLoss: 'classification', classification: { neighbours: 5, sigma: 5 } });
    [pre, gan].forEach((t) => t.dispose());
    [data, validation].forEach((d) => d.dispose());
    tf.dispose([four.L, four.ab]);
  }, 120_000);

  it('refuses reconstructionLoss "classification" for a generator without a classification head, and bad classification options', () => {
    const generator = buildUNet({ base: 4, depth: 2 });
    expect(() => createL1Trainer({ generator, reconstructionLoss: 'classification' })).toThrow(/createL1Trainer: expected a generator with a classification head/);
    const classifier = buildUNet({ base: 4, depth: 2, head: 'classification' });
    expect(() => createWganGpTrainer({ generator: classifier, critic: buildPatchCritic({ base: 4 }), reconstructionLoss: 'classification', classification: { sigma: -1 } })).toThrow(/sigma to be a number > 0/);
    expect(() => createL1Trainer({ generator: classifier, reconstructionLoss: 'classification', classification: { temperature: 1 } as never })).toThrow(ColorizeError);
    expect(() => createL1Trainer({ generator, reconstructionLoss: 'bins' as never })).toThrow(/reconstructionLoss "l1", "psnr" or "classification"/);
  });
});
