import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, describeValue, invalid } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { adamState, setAdamState } from './adam.js';
import type { NamedTensor } from './adam.js';
import { evaluateGenerator } from './evaluate.js';
import { assertLabBatch, disposeBatch } from './lab-batch.js';
import type { LabBatch, LabDataset } from './lab-batch.js';
import { SeededRandom } from './random.js';
import { sampleGrid } from './sample-grid.js';
import type { GradientReplicas } from './replicas.js';
import { localGradients } from './step-loss.js';
import type { StepGradients, StepLossJob, StepModels } from './step-loss.js';
import type { WeightAverage } from './weight-average.js';
import type { EpochLogs, FitResult, Trainer, TrainerSnapshot, TrainingPosition } from './trainer.js';

export interface TrainerParts<Logs> {
  kind: string;
  fn: string;
  models: Record<string, tfl.LayersModel> & { generator: tfl.LayersModel };
  optimizers: Record<string, tf.AdamOptimizer>;
  /** An average of the generator's weights: validation, sample grids and `evaluate` use its model. */
  average?: WeightAverage;
  config: Record<string, unknown>;
  seed: number;
  /** One training step; reads its losses and throws on a non-finite one before applying gradients. */
  step(batch: LabBatch, random: SeededRandom, stepNumber: number): Promise<Logs>;
}

/**
 * Applies a step's gradient when its loss and every term are finite; otherwise throws
 * `NON_FINITE_LOSS` and applies nothing. Disposes the gradients either way.
 */
export function applyFiniteGradients(optimizer: tf.Optimizer, vars: tf.Variable[], result: StepGradients, step: number): Record<string, number> {
  try {
    const bad = Object.entries(result.terms).find(([, v]) => !Number.isFinite(v));
    if (bad !== undefined) {
      throw new ColorizeError('NON_FINITE_LOSS', `training step ${step}: the loss ${bad[0] === 'total' ? '' : `term "${bad[0]}" `}is ${bad[1]}; the step's gradients were not applied.`);
    }
    optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, result.grads[i]!])));
    return result.terms;
  } finally {
    tf.dispose(result.grads);
  }
}

/** The gradient source of a trainer: its replicas when it has them, else this thread. */
export function gradientSource(replicas: GradientReplicas | undefined): (job: StepLossJob, models: StepModels) => Promise<StepGradients> {
  return replicas ? (job, models) => replicas.gradients(job, models) : localGradients;
}

/** The `replicas` option: undefined, or an object that computes gradients. */
export function replicasOption(fn: string, value: unknown): GradientReplicas | undefined {
  const r = value as Partial<GradientReplicas> | null | undefined;
  if (r === undefined) return undefined;
  if (typeof r !== 'object' || r === null || typeof r.gradients !== 'function' || !Number.isInteger(r.count)) {
    throw invalid('INVALID_OPTION', fn, 'replicas as gradient replicas (startWorkerReplicas in Node)', describeValue(value));
  }
  return r as GradientReplicas;
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
  const evaluated = parts.average?.model ?? parts.models.generator;

  const trainer: Trainer<Logs> = {
    kind: parts.kind,
    models: parts.models,
    generator: parts.models.generator,
    ...(parts.average ? { averageGenerator: parts.average.model } : {}),
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
                disposeBatch(batch);
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
            const v = await evaluateGenerator(evaluated, validation);
            logs.valPsnr = v.psnr;
            logs.valGreyPsnr = v.greyPsnr;
          }
          if (samples && callbacks.onSampleGrid) await callbacks.onSampleGrid(epoch, await sampleGrid(evaluated, samples));
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
      return evaluateGenerator(evaluated, data);
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
      parts.average?.dispose();
    },
  };
  return trainer;
}
