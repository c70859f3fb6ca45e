import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, invalid, registerTrainingSupport } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { resolveAdam } from './adam.js';
import type { AdamOptions } from './adam.js';
import { applyFiniteGradients, createTrainer, gradientSource, replicasOption } from './base-trainer.js';
import type { LabDataset } from './lab-batch.js';
import type { ReconstructionLoss } from './losses.js';
import type { GradientReplicas } from './replicas.js';
import { trainableVariables } from './step-loss.js';
import type { FitOptions, FitResult, Trainer } from './trainer.js';
import type { AbClassTargetOptions } from './ab-classes.js';
import { classificationSettings } from './classification-head.js';
import { assertModel, intOption, reconstructionOption } from './options.js';

/** Options of {@link createL1Trainer}. @group Training */
export interface L1TrainerOptions {
  /** The generator: L `[b, h, w, 1]` → ab `[b, h, w, 2]`, in model space. Required. */
  generator: tfl.LayersModel;
  /** Adam's settings. Defaults to the seed's: lr 2e-4, β1 0, β2 0.9, ε 1e-8 (`ADAM_DEFAULTS`). */
  optimizer?: AdamOptions;
  /** The loss: `'l1'` (the seed's), `'psnr'` (minus the per-image PSNR of ab, `psnrLoss`) or `'classification'` (`abClassificationLoss`). Defaults to `'l1'`. */
  reconstructionLoss?: ReconstructionLoss;
  /** The classification loss's soft encoding and class weights, with `reconstructionLoss: 'classification'`. Defaults to Zhang et al.'s (5 neighbours, σ 5) without class weights. */
  classification?: AbClassTargetOptions;
  /** Recorded for reproducibility (L1 training draws nothing itself). Defaults to 0. */
  seed?: number;
  /** Replicas that share each batch's gradients ({@link startWorkerReplicas} in Node: every core). Defaults to this thread alone. */
  replicas?: GradientReplicas;
}

/** What one L1 step reports. @group Training */
export interface L1Logs {
  [name: string]: number;
  /** Mean absolute error of ab in model space. */
  l1: number;
  /** The loss trained on (equal to `l1` with the seed's loss). */
  reconstruction: number;
}

/**
 * A trainer for the generator alone on the L1 loss: the seed's head start before adversarial
 * training. Same `step` / `fit` / checkpoint API as {@link createWganGpTrainer}.
 *
 * @group Training
 */
export function createL1Trainer(options: L1TrainerOptions): Trainer<L1Logs> {
  const fn = 'createL1Trainer';
  if (options === undefined) throw invalid('INVALID_OPTION', fn, 'options with a generator', 'undefined');
  const o = assertOptions(fn, options, ['generator', 'optimizer', 'reconstructionLoss', 'classification', 'seed', 'replicas']);
  const generator = assertModel(fn, 'generator', o.generator);
  const adam = resolveAdam(fn, 'optimizer', o.optimizer);
  const seed = intOption(fn, 'seed', o.seed, 0, Number.MIN_SAFE_INTEGER);
  const recLoss = reconstructionOption(fn, o.reconstructionLoss);
  const classification = recLoss === 'classification' ? classificationSettings(fn, generator, o.classification) : undefined;
  const gradients = gradientSource(replicasOption(fn, o.replicas));
  registerTrainingSupport();
  const opt = tf.train.adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  const vars = trainableVariables(generator);
  return createTrainer<L1Logs>({
    kind: 'l1',
    fn,
    models: { generator },
    optimizers: { generator: opt },
    config: { optimizer: adam, reconstructionLoss: recLoss, ...(classification ? { classification } : {}), seed },
    seed,
    async step({ L, ab, hints }, _random, step) {
      const settings = { reconstructionLoss: recLoss, gradientPenaltyWeight: 0, l1Weight: 1, ...(classification ? { classification } : {}) };
      const { l1, total } = applyFiniteGradients(opt, vars, await gradients({ loss: 'l1', settings, L, ab, ...(hints ? { hints } : {}) }, { generator }), step);
      return { l1: l1!, reconstruction: total! };
    },
  });
}

/** Options of {@link pretrainGenerator}: those of `fit`, and the optimizer's. @group Training */
export interface PretrainOptions extends FitOptions<L1Logs> {
  /** Adam's settings. Defaults to the seed's: lr 2e-4, β1 0, β2 0.9, ε 1e-8 (`ADAM_DEFAULTS`). */
  optimizer?: AdamOptions;
}

/**
 * Trains the generator alone on L1 for some epochs: the seed's head start before WGAN-GP.
 * A shorthand for {@link createL1Trainer} and its `fit`; the optimizer is freed at the end.
 *
 * @example
 * ```ts
 * await pretrainGenerator(generator, data, { epochs: 5, validation });
 * ```
 * @group Training
 */
export async function pretrainGenerator(generator: tfl.LayersModel, data: LabDataset, options: PretrainOptions): Promise<FitResult<L1Logs>> {
  const { optimizer, ...fit } = options ?? ({} as PretrainOptions);
  const trainer = createL1Trainer({ generator, ...(optimizer ? { optimizer } : {}) });
  try {
    return await trainer.fit(data, fit);
  } finally {
    trainer.dispose();
  }
}
