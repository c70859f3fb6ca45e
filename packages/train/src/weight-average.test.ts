import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { evaluateGenerator } from './evaluate.js';
import { fileCheckpoints } from './file-checkpoints.js';
import type { LabBatch } from './lab-batch.js';
import { tensorDataset } from './tensor-dataset.js';
import { demoPhotoBatch } from './test-photos.js';
import type { Trainer } from './trainer.js';
import { weightAverage } from './weight-average.js';
import { createWganGpTrainer } from './wgan-gp-trainer.js';

const SIZE = 32;

function values(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

function tinyPair(): { generator: tfl.LayersModel; critic: tfl.LayersModel } {
  return { generator: buildUNet({ base: 4, depth: 2 }), critic: buildPatchCritic({ base: 4 }) };
}

describe('weightAverage', () => {
  let photos: LabBatch;
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
    photos = await demoPhotoBatch('train', SIZE, 4);
    dir = await mkdtemp(join(tmpdir(), 'colorize-average-'));
  });
  afterAll(async () => {
    tf.dispose([photos.L, photos.ab]);
    await rm(dir, { recursive: true, force: true });
  });

  it('starts at the model\'s weights; each update moves trainable weights by (1 − decay) of the gap and copies BatchNorm\'s statistics; leaks nothing', () => {
    const model = buildUNet({ base: 4, depth: 2 });
    const average = weightAverage(model, 0.9);
    expect(values(average.model)).toEqual(values(model));
    const before = values(average.model);
    // Move every weight of the source, trainable or not, to new values.
    model.setWeights(model.weights.map((w) => tf.randomNormal(w.read().shape, 0, 1, 'float32', 7)));
    const start = tf.memory().numTensors;
    average.update();
    expect(tf.memory().numTensors).toBe(start);
    const after = values(model);
    const averaged = values(average.model);
    const trainable = new Set(model.trainableWeights.map((w) => w.name));
    let checked = 0;
    model.weights.forEach((w, i) => {
      const expected = trainable.has(w.name) ? before[i]!.map((b, k) => 0.9 * b + 0.1 * after[i]![k]!) : after[i]!;
      for (let k = 0; k < expected.length; k += 1) expect(averaged[i]![k]).toBeCloseTo(expected[k]!, 5);
      checked += 1;
    });
    expect(checked).toBe(model.weights.length);
    expect(model.nonTrainableWeights.length).toBeGreaterThan(0);
    // Its own variables: the source's weights did not move.
    expect(values(model)).toEqual(after);
    average.dispose();
    model.dispose();
  });

  it('refuses a decay outside [0, 1) and a source that is not a model', () => {
    const model = buildUNet({ base: 4, depth: 2 });
    for (const decay of [1, -0.1, Number.NaN, '0.9']) {
      expect(() => weightAverage(model, decay as number)).toThrow(/weightAverage: expected a decay in \[0, 1\)/);
    }
    expect(() => weightAverage({} as tfl.LayersModel, 0.9)).toThrow(ColorizeError);
    // A custom layer tfjs cannot rebuild: one clear error, not tfjs's.
    class UnregisteredDoubler extends tfl.layers.Layer {
      static className = 'UnregisteredDoubler';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(x) ? x[0]! : x, 2);
      }
    }
    const input = tfl.input({ shape: [4] });
    const custom = tfl.model({ inputs: input, outputs: new UnregisteredDoubler({}).apply(input) as tfl.SymbolicTensor });
    expect(() => weightAverage(custom, 0.9)).toThrow(/weightAverage: expected a model rebuildable from its configuration .*UnregisteredDoubler/);
    expect(() => createWganGpTrainer({ ...tinyPair(), averageDecay: 1 })).toThrow(/createWganGpTrainer: expected a decay in \[0, 1\)/);
    model.dispose();
  });

  it('in WGAN-GP: follows the generator after each generator update, validates the average, and resumes it from a checkpoint', async () => {
    const data = tensorDataset(photos, { batchSize: 2, seed: 1 });
    const initial = tinyPair();
    const make = () => {
      const pair = tinyPair();
      pair.generator.setWeights(initial.generator.getWeights());
      pair.critic.setWeights(initial.critic.getWeights());
      return createWganGpTrainer({ ...pair, generatorSteps: 1, averageDecay: 0.5, seed: 2 });
    };
    const trainer = make();
    const average = trainer.averageGenerator!;
    expect(trainer.models['averageGenerator']).toBe(average);
    expect(trainer.config['averageDecay']).toBe(0.5);
    // The generator changes after the trainer is made (as `colorize train` pretrains it): the
    // average starts from the weights the first step finds.
    const pretrained = tinyPair().generator;
    trainer.generator.setWeights(pretrained.getWeights());
    pretrained.dispose();
    const g0 = values(trainer.generator);
    await trainer.step(photos);
    const g1 = values(trainer.generator);
    const trainable = new Set(trainer.generator.trainableWeights.map((w) => w.name));
    const firstTrainable = trainer.generator.weights.findIndex((w) => trainable.has(w.name));
    const a1 = values(average)[firstTrainable]!;
    a1.forEach((v, k) => expect(v).toBeCloseTo(0.5 * g0[firstTrainable]![k]! + 0.5 * g1[firstTrainable]![k]!, 5));

    const checkpoints = fileCheckpoints(join(dir, 'ckpt'));
    const result = await trainer.fit(data, { epochs: 1, validation: data, checkpoints });
    const direct = await evaluateGenerator(average, data);
    expect(result.history[0]!.valPsnr).toBe(direct.psnr);
    expect((await trainer.evaluate(data)).psnr).toBe(direct.psnr);
    const saved = values(average);

    const resumed = make();
    expect(await checkpoints.restore(resumed as unknown as Trainer<Record<string, number>>)).toBe(true);
    expect(values(resumed.averageGenerator!)).toEqual(saved);
    const before = tf.memory().numTensors;
    trainer.dispose();
    resumed.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('is absent by default', () => {
    const trainer = createWganGpTrainer(tinyPair());
    expect(trainer.averageGenerator).toBeUndefined();
    expect(Object.keys(trainer.models)).toEqual(['generator', 'critic']);
    trainer.dispose();
  });
});
