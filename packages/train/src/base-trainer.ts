import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, describeValue, invalid } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { adamState, setAdamState } from './adam.js';
import type { NamedTensor } from './adam.js';
import { evaluateGenerator } from './evaluate.js';
import { assertLabBatch } from './lab-batch.js';
import type { LabBatch, LabDataset } from './lab-batch.js';
import { SeededRandom } from './random.js';
import { sampleGrid } from './sample-grid.js';
import type { EpochLogs, FitResult, Trainer, TrainerSnapshot, TrainingPosition } from './trainer.js';

export interface TrainerParts<Logs> {
  kind: string;
  fn: string;
  models: Record<string, tfl.LayersModel> & { generator: tfl.LayersModel };
  optimizers: Record<string, tf.AdamOptimizer>;
  config: Record<string, unknown>;
  seed: number;
  /** One training step; reads its losses and throws on a non-finite one before applying gradients. */
  step(batch: LabBatch, random: SeededRandom, stepNumber: number): Promise<Logs>;
}

/** The trainable variables of a model, in a fixed order (the optimizer's state is positional). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Runs `lossFn` for its gradients with respect to `vars`, reads the named loss terms it returns,
 * and applies the gradients only when every term is finite.
 */
export async function guardedUpdate<K extends string>(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  lossFn: () => { total: tf.Scalar; terms: Record<K, tf.Scalar> },
  step: number,
): Promise<Record<K | 'total', number>> {
  let terms: Record<string, tf.Scalar> = {};
  const { value, grads } = optimizer.computeGradients(() => {
    const out = lossFn();
    terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, tf.keep(t as tf.Scalar)]));
    return out.total;
  }, vars);
  try {
    const names = ['total', ...Object.keys(terms)];
    const values = await Promise.all([value, ...Object.values(terms)].map(async (t) => (await t.data())[0]!));
    const read = Object.fromEntries(names.map((n, i) => [n, values[i]!])) as Record<K | 'total', number>;
    const bad = names.find((n, i) => !Number.isFinite(values[i]!));
    if (bad !== undefined) {
      throw new ColorizeError('NON_FINITE_LOSS', `training step ${step}: the loss ${bad === 'total' ? '' : `term "${bad}" `}is ${values[names.indexOf(bad)]}; the step's gradients were not applied.`);
    }
    optimizer.applyGradients(grads);
    return read;
  } finally {
    tf.dispose([value, ...Object.values(terms), ...Object.values(grads)]);
  }
}

function assertDataset(fn: string, data: unknown, name = 'data'): LabDataset {
  const d = data as Partial<LabDataset> | null;
  if (typeof d !== 'object' || d === null || typeof d.batches !== 'function') {
    throw invalid('INVALID_OPTION', fn, `${name} as a dataset with batches(epoch)`, describeValue(data));
  }
  return d as LabDataset;
}

/** Builds a trainer from its step; the fit loop, validation and snapshots are shared. */
export function createTrainer<Logs extends Record<string, number>>(parts: TrainerParts<Logs>): Trainer<Logs> {
  const { fn } = parts;
  let random = new SeededRandom(parts.seed);
  const position: TrainingPosition = { epoch: 0, batch: 0, step: 0 };
  let busy = false;

  const trainer: Trainer<Logs> = {
    kind: parts.kind,
    models: parts.models,
    generator: parts.models.generator,
    config: parts.config,
    get position() {
      return { ...position };
    },

    async step(batch) {
      assertLabBatch(`${fn}.step`, batch);
      // Training-mode forward passes update BatchNorm's moving statistics as they go; a step that
      // fails on a non-finite loss puts them back, so it changes nothing.
      const state = Object.values(parts.models).flatMap((m) => m.nonTrainableWeights.map((w) => w.read() as tf.Variable));
      const saved = state.map((v) => tf.clone(v));
      const randomState = random.state;
      try {
        const logs = await parts.step(batch, random, position.step + 1);
        position.step += 1;
        return logs;
      } catch (err) {
        if (ColorizeError.isInstance(err) && err.code === 'NON_FINITE_LOSS') {
          state.forEach((v, i) => v.assign(saved[i]!));
          random = SeededRandom.fromState(randomState);
        }
        throw err;
      } finally {
        tf.dispose(saved);
      }
    },

    async fit(data, options) {
      const fitFn = `${fn}.fit`;
      assertDataset(fitFn, data);
      if (typeof options !== 'object' || options === null) throw invalid('INVALID_OPTION', fitFn, 'an options object with epochs', describeValue(options));
      const { epochs, callbacks = {}, validation, samples, signal, checkpoints } = options;
      if (!Number.isInteger(epochs) || epochs < 0) throw invalid('INVALID_OPTION', fitFn, 'epochs to be an integer ≥ 0', describeValue(epochs));
      if (validation !== undefined) assertDataset(fitFn, validation, 'validation');
      if (samples !== undefined) assertLabBatch(fitFn, samples);
      if (busy) throw invalid('UNSUPPORTED', fitFn, 'one fit at a time', 'a second fit while one is running');
      busy = true;
      const history: EpochLogs<Logs>[] = [];
      let stopped = false;
      try {
        await callbacks.onTrainBegin?.({ epochs, position: { ...position }, batchesPerEpoch: data.batchesPerEpoch });
        while (position.epoch < epochs && !stopped) {
          const epoch = position.epoch;
          const started = performance.now();
          await callbacks.onEpochBegin?.(epoch);
          const sums: Record<string, number> = {};
          let count = 0;
          if (signal?.aborted) stopped = true;
          if (!stopped) {
            for await (const batch of data.batches(epoch, { from: position.batch })) {
              let logs: Logs;
              try {
                logs = await trainer.step(batch);
              } finally {
                tf.dispose([batch.L, batch.ab]);
              }
              position.batch += 1;
              count += 1;
              for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v;
              await callbacks.onBatchEnd?.(position.batch - 1, { ...logs, epoch, batch: position.batch - 1, step: position.step });
              if (signal?.aborted) {
                stopped = true;
                break;
              }
            }
          }
          if (stopped) {
            if (checkpoints && count > 0) {
              const where = await checkpoints.save(trainer as unknown as Trainer<Record<string, number>>);
              await callbacks.onCheckpoint?.({ position: { ...position }, reason: 'stop', where });
            }
            break;
          }
          position.epoch += 1;
          position.batch = 0;
          const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(count, 1)]));
          const logs = { ...means, epoch, step: position.step, seconds: 0 } as EpochLogs<Logs>;
          if (validation) {
            const v = await evaluateGenerator(parts.models.generator, validation);
            logs.valPsnr = v.psnr;
            logs.valGreyPsnr = v.greyPsnr;
          }
          if (samples && callbacks.onSampleGrid) await callbacks.onSampleGrid(epoch, await sampleGrid(parts.models.generator, samples));
          if (checkpoints) {
            const where = await checkpoints.save(trainer as unknown as Trainer<Record<string, number>>);
            await callbacks.onCheckpoint?.({ position: { ...position }, reason: 'epoch', where });
          }
          logs.seconds = (performance.now() - started) / 1000;
          history.push(logs);
          await callbacks.onEpochEnd?.(epoch, logs);
        }
        const result: FitResult<Logs> = { history, stopped, position: { ...position } };
        await callbacks.onTrainEnd?.(result);
        return result;
      } finally {
        busy = false;
      }
    },

    evaluate(data) {
      assertDataset(`${fn}.evaluate`, data);
      return evaluateGenerator(parts.models.generator, data);
    },

    async snapshot(): Promise<TrainerSnapshot> {
      const optimizers: Record<string, NamedTensor[]> = {};
      for (const [name, opt] of Object.entries(parts.optimizers)) {
        optimizers[name] = (await adamState(opt)).map(({ name: n, tensor }) => ({ name: n, tensor: tf.clone(tensor) }));
      }
      return { kind: parts.kind, config: parts.config, position: { ...position }, random: random.state, optimizers };
    },

    async restore(snapshot) {
      const rfn = `${fn}.restore`;
      if (typeof snapshot !== 'object' || snapshot === null || snapshot.kind !== parts.kind) {
        throw invalid('INVALID_OPTION', rfn, `a snapshot of a ${parts.kind} trainer`, snapshot && typeof snapshot === 'object' ? `one of a ${String(snapshot.kind)} trainer` : describeValue(snapshot));
      }
      for (const name of Object.keys(parts.optimizers)) {
        if (!Array.isArray(snapshot.optimizers[name])) throw invalid('INVALID_OPTION', rfn, `the state of the ${name} optimizer`, 'none');
      }
      for (const [name, opt] of Object.entries(parts.optimizers)) await setAdamState(opt, snapshot.optimizers[name]!);
      random = SeededRandom.fromState(snapshot.random);
      Object.assign(position, snapshot.position);
    },

    dispose() {
      for (const opt of Object.values(parts.optimizers)) opt.dispose();
    },
  };
  return trainer;
}
