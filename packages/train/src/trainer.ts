import type * as tfl from '@tensorflow/tfjs-layers';

import type { NamedTensor } from './adam.js';
import type { LabBatch, LabDataset } from './lab-batch.js';
import type { SampleGrid } from './sample-grid.js';
import type { ValidationResult } from './evaluate.js';

/** Where a run stands: the next batch to train is batch `batch` of epoch `epoch`. @group Training */
export interface TrainingPosition {
  /** The current epoch, 0-based. */
  epoch: number;
  /** Batches of this epoch already trained. */
  batch: number;
  /** Batches trained in all, over every epoch. */
  step: number;
}

/**
 * Everything a trainer needs to continue exactly where it stopped, apart from its models'
 * weights (saved as models): position, random state, optimizer state and configuration.
 *
 * @group Checkpoints
 */
export interface TrainerSnapshot {
  kind: string;
  config: Record<string, unknown>;
  position: TrainingPosition;
  random: number[];
  /** Each optimizer's state tensors, by optimizer name (`generator`, `critic`). */
  optimizers: Record<string, NamedTensor[]>;
}

/** Epoch-end logs: the means of the batch logs, and validation PSNR when a validation set was given. @group Training */
export type EpochLogs<Logs> = Logs & { epoch: number; step: number; valPsnr?: number; valGreyPsnr?: number; seconds: number };

/** Batch-end logs: the step's logs and where it was. @group Training */
export type BatchLogs<Logs> = Logs & { epoch: number; batch: number; step: number };

/**
 * Training callbacks, named as tfjs's; each may be async, and training waits for it.
 *
 * @group Training
 */
export interface TrainingCallbacks<Logs> {
  onTrainBegin?(info: { epochs: number; position: TrainingPosition; batchesPerEpoch: number }): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs<Logs>): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs<Logs>): void | Promise<void>;
  /** The epoch's sample grid: rows grey / colorized / real, one column per sample image. */
  onSampleGrid?(epoch: number, grid: SampleGrid): void | Promise<void>;
  /** After a checkpoint is written; `reason` is `'epoch'` or `'stop'`. */
  onCheckpoint?(info: { position: TrainingPosition; reason: 'epoch' | 'stop'; where: string }): void | Promise<void>;
  onTrainEnd?(result: FitResult<Logs>): void | Promise<void>;
}

/**
 * Saves and restores a trainer. `@colorize/train` gives {@link fileCheckpoints} for folders in
 * Node; implement this to keep checkpoints elsewhere (IndexedDB in a browser, say).
 *
 * @group Checkpoints
 */
export interface CheckpointStore {
  /** Saves the trainer atomically; returns where. */
  save(trainer: Trainer<Record<string, number>>): Promise<string>;
  /** Restores the latest checkpoint into the trainer; false when there is none. */
  restore(trainer: Trainer<Record<string, number>>): Promise<boolean>;
}

/** Options of a trainer's `fit`. @group Training */
export interface FitOptions<Logs> {
  /** Train until this many epochs are done in all (a resumed run continues its count). Required. */
  epochs: number;
  /** Callbacks. Defaults to none. */
  callbacks?: TrainingCallbacks<Logs>;
  /** Images for validation PSNR and the grey-baseline PSNR at each epoch end. Defaults to none. */
  validation?: LabDataset;
  /** A batch whose images make each epoch's sample grid. Not disposed. Defaults to none. */
  samples?: LabBatch;
  /** Stops cleanly after the current step (and writes a checkpoint when `checkpoints` is given). Defaults to none. */
  signal?: AbortSignal;
  /** Where to write a checkpoint at each epoch end and when stopped. Defaults to none. */
  checkpoints?: CheckpointStore;
}

/** What `fit` returns. @group Training */
export interface FitResult<Logs> {
  /** Epoch-end logs, one per epoch trained in this call. */
  history: EpochLogs<Logs>[];
  /** Whether the signal stopped training before `epochs`. */
  stopped: boolean;
  position: TrainingPosition;
}

/**
 * What every colorize trainer offers: one step on a batch, a full `fit`, validation, and
 * snapshots for checkpoints.
 *
 * @group Training
 */
export interface Trainer<Logs extends Record<string, number>> {
  /** `'l1'` or `'wgan-gp'`. */
  readonly kind: string;
  /** The models trained, by name (`generator`, and `critic` for WGAN-GP). */
  readonly models: Readonly<Record<string, tfl.LayersModel>>;
  readonly generator: tfl.LayersModel;
  /**
   * The moving average of the generator's weights, when the trainer keeps one (WGAN-GP's
   * `averageDecay`); also in `models` as `averageGenerator`. Validation, sample grids and
   * `evaluate` use it, and it is the generator to keep. Freed by `dispose`.
   */
  readonly averageGenerator?: tfl.LayersModel;
  /** Where the run stands. */
  readonly position: Readonly<TrainingPosition>;
  /** The configuration it was made with, as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * Trains on one batch; the batch is not disposed.
   * @throws {@link @colorize/core!ColorizeError} `NON_FINITE_LOSS` (nothing updated) when a loss is NaN or infinite.
   */
  step(batch: LabBatch): Promise<Logs>;
  /** Trains over a dataset for epochs, with callbacks, validation, checkpoints and a stop signal. */
  fit(data: LabDataset, options: FitOptions<Logs>): Promise<FitResult<Logs>>;
  /** The generator's PSNR on RGB over a dataset, beside the grey baseline's. */
  evaluate(data: LabDataset): Promise<ValidationResult>;
  /** The trainer's state apart from model weights; the tensors are copies the caller disposes. */
  snapshot(): Promise<TrainerSnapshot>;
  /** Restores a snapshot of a trainer of the same kind; the caller still owns its tensors. */
  restore(snapshot: TrainerSnapshot): Promise<void>;
  /** Frees the optimizers and the average generator (not the models it was given). */
  dispose(): void;
}
