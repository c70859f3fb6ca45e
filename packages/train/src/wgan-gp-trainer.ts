import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, invalid, registerTrainingSupport } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { resolveAdam } from './adam.js';
import type { AdamOptions } from './adam.js';
import { applyFiniteGradients, createTrainer, gradientSource, replicasOption } from './base-trainer.js';
import type { AbClassTargetOptions } from './ab-classes.js';
import { classificationSettings } from './classification-head.js';
import { assertModel, intOption, reconstructionOption, weightOption } from './options.js';
import type { ReconstructionLoss } from './losses.js';
import type { GradientReplicas } from './replicas.js';
import { trainableVariables } from './step-loss.js';
import type { StepLossSettings } from './step-loss.js';
import type { Trainer } from './trainer.js';
import { weightAverage } from './weight-average.js';

/** Options of {@link createWganGpTrainer}; the defaults are the seed's. @group Training */
export interface WganGpTrainerOptions {
  /** The generator: L `[b, h, w, 1]` → ab `[b, h, w, 2]`, in model space. Required. */
  generator: tfl.LayersModel;
  /** The critic: L and ab `[b, h, w, 3]` → scores. Required. */
  critic: tfl.LayersModel;
  /** Critic updates per batch. Defaults to 1. */
  criticSteps?: number;
  /** Generator updates per batch. Defaults to 2. */
  generatorSteps?: number;
  /** λ_GP, the gradient penalty's weight. Defaults to 10. */
  gradientPenaltyWeight?: number;
  /** λ_L1, the weight of the reconstruction loss in the generator's loss. Defaults to 100. */
  l1Weight?: number;
  /** The reconstruction loss: `'l1'` (the seed's), `'psnr'` (minus the per-image PSNR of ab, {@link psnrLoss}) or `'classification'` ({@link abClassificationLoss}). Defaults to `'l1'`. */
  reconstructionLoss?: ReconstructionLoss;
  /** The classification loss's soft encoding and class weights, with `reconstructionLoss: 'classification'`. Defaults to Zhang et al.'s (5 neighbours, σ 5) without class weights. */
  classification?: AbClassTargetOptions;
  /** Adam for the generator. Defaults to the seed's: lr 2e-4, β1 0, β2 0.9, ε 1e-8 (`ADAM_DEFAULTS`). */
  generatorOptimizer?: AdamOptions;
  /** Adam for the critic. Defaults to the seed's: lr 2e-4, β1 0, β2 0.9, ε 1e-8 (`ADAM_DEFAULTS`). */
  criticOptimizer?: AdamOptions;
  /** Seed of the penalty's α draws (with a seeded dataset, runs on the cpu backend repeat exactly). Defaults to 0. */
  seed?: number;
  /** Replicas that share each batch's gradients ({@link startWorkerReplicas} in Node: every core). Defaults to this thread alone. */
  replicas?: GradientReplicas;
  /**
   * Keep an exponential moving average of the generator's weights with this decay, in [0, 1),
   * updated after every generator update and started from the generator's weights at the first
   * step, so pretraining done after the trainer was made counts ({@link WeightAverage}; 0.99
   * averages over about the last 100 updates). The trainer's `averageGenerator`, which
   * validation, sample grids, `evaluate` and checkpoints then use. 0: none. Defaults to 0.
   */
  averageDecay?: number;
}

/** What one WGAN-GP step reports, as plain numbers. @group Training */
export interface WganGpLogs {
  [name: string]: number;
  /** The critic's loss, `mean D(fake) − mean D(real) + λ_GP·GP` (last critic update). */
  criticLoss: number;
  /** `mean D(real) − mean D(fake)`, the critic's estimate of the Wasserstein distance. */
  wasserstein: number;
  /** The penalty term `λ_GP·GP`. */
  gradientPenalty: number;
  /** The generator's loss, `−mean D(fake) + λ_L1·L1` (last generator update). */
  generatorLoss: number;
  /** `−mean D(fake)` of the last generator update. */
  adversarial: number;
  /** The L1 loss of the last generator update, in model space. */
  l1: number;
  /** The reconstruction term (equal to `l1` with the seed's loss). */
  reconstruction: number;
}

const KNOWN = ['generator', 'critic', 'criticSteps', 'generatorSteps', 'gradientPenaltyWeight', 'l1Weight', 'reconstructionLoss', 'classification', 'generatorOptimizer', 'criticOptimizer', 'seed', 'replicas', 'averageDecay'] as const;

/**
 * The seed's adversarial training: WGAN-GP (Gulrajani et al. 2017) with an L1 term (pix2pix,
 * Isola et al. 2017). Per batch, the critic is updated `criticSteps` times on
 * `mean D(fake) − mean D(real) + λ_GP·GP`, then the generator `generatorSteps` times on
 * `−mean D(fake) + λ_L1·L1(G(L), ab)`; each with its own Adam. The generator runs in training
 * mode throughout (BatchNorm on batch statistics), as in PyTorch's `model.train()`.
 *
 * @example
 * ```ts
 * const trainer = createWganGpTrainer({ generator: buildUNet(), critic: buildPatchCritic() });
 * const logs = await trainer.step({ L, ab });
 * await trainer.fit(data, { epochs: 110, validation, callbacks: { onEpochEnd: (e, l) => report(l) } });
 * ```
 * @group Training
 */
export function createWganGpTrainer(options: WganGpTrainerOptions): Trainer<WganGpLogs> {
  const fn = 'createWganGpTrainer';
  const o = assertOptions(fn, options, KNOWN);
  if (options === undefined) throw invalid('INVALID_OPTION', fn, 'options with generator and critic', 'undefined');
  const generator = assertModel(fn, 'generator', o.generator);
  const critic = assertModel(fn, 'critic', o.critic);
  const criticSteps = intOption(fn, 'criticSteps', o.criticSteps, 1);
  const generatorSteps = intOption(fn, 'generatorSteps', o.generatorSteps, 2);
  const gpWeight = weightOption(fn, 'gradientPenaltyWeight', o.gradientPenaltyWeight, 10);
  const l1Weight = weightOption(fn, 'l1Weight', o.l1Weight, 100);
  const gAdam = resolveAdam(fn, 'generatorOptimizer', o.generatorOptimizer);
  const dAdam = resolveAdam(fn, 'criticOptimizer', o.criticOptimizer);
  const seed = intOption(fn, 'seed', o.seed, 0, Number.MIN_SAFE_INTEGER);
  const recLoss = reconstructionOption(fn, o.reconstructionLoss);
  const gradients = gradientSource(replicasOption(fn, o.replicas));
  const averageDecay = o.averageDecay ?? 0;
  registerTrainingSupport();
  const average = averageDecay === 0 ? undefined : weightAverage(generator, averageDecay, fn);

  const gOpt = tf.train.adam(gAdam.learningRate, gAdam.beta1, gAdam.beta2, gAdam.epsilon);
  const dOpt = tf.train.adam(dAdam.learningRate, dAdam.beta1, dAdam.beta2, dAdam.epsilon);
  const gVars = trainableVariables(generator);
  const dVars = trainableVariables(critic);
  const classification = recLoss === 'classification' ? classificationSettings(fn, generator, o.classification) : undefined;
  const settings: StepLossSettings = { reconstructionLoss: recLoss, gradientPenaltyWeight: gpWeight, l1Weight, ...(classification ? { classification } : {}) };
  const models = { generator, critic };

  return createTrainer<WganGpLogs>({
    kind: 'wgan-gp',
    fn,
    models: average ? { ...models, averageGenerator: average.model } : models,
    average,
    optimizers: { generator: gOpt, critic: dOpt },
    config: { criticSteps, generatorSteps, gradientPenaltyWeight: gpWeight, l1Weight, reconstructionLoss: recLoss, ...(classification ? { classification } : {}), generatorOptimizer: gAdam, criticOptimizer: dAdam, seed, averageDecay },
    seed,
    async step({ L, ab, hints }, random, step) {
      const withHints = hints ? { hints } : {};
      const batch = L.shape[0];
      let d: Record<string, number> = { total: NaN, wasserstein: NaN, gp: NaN };
      for (let i = 0; i < criticSteps; i++) {
        const alpha = tf.tensor1d(Array.from({ length: batch }, () => random.next()));
        try {
          d = applyFiniteGradients(dOpt, dVars, await gradients({ loss: 'critic', settings, L, ab, alpha, ...withHints }, models), step);
        } finally {
          alpha.dispose();
        }
      }
      let g: Record<string, number> = { total: NaN, adversarial: NaN, l1: NaN, reconstruction: NaN };
      // The average starts from the generator as training starts (after any pretraining since
      // the trainer was made); a restored trainer is past step 1 and keeps its checkpointed one.
      if (step === 1) average?.reset();
      for (let i = 0; i < generatorSteps; i++) {
        g = applyFiniteGradients(gOpt, gVars, await gradients({ loss: 'generator', settings, L, ab, ...withHints }, models), step);
        average?.update();
      }
      return { criticLoss: d.total!, wasserstein: d.wasserstein!, gradientPenalty: d.gp!, generatorLoss: g.total!, adversarial: g.adversarial!, l1: g.l1!, reconstruction: g.reconstruction! };
    },
  });
}
