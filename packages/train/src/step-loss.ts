import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { classificationTerms } from './classification-head.js';
import type { ClassificationSettings } from './classification-head.js';
import { gradientPenalty } from './gradient-penalty.js';
import { generatorInput } from './lab-batch.js';
import { criticLoss, generatorAdversarialLoss, l1Loss, reconstruction } from './losses.js';
import type { ReconstructionLoss } from './losses.js';

// The losses the trainers take gradients of, named, and built only from plain settings and batch
// tensors: so that a worker thread given the same models, settings and images computes the same
// gradient (data parallelism, ./worker-replicas.node.ts).

/** The losses of one training step: the L1 trainer's, and the WGAN-GP critic's and generator's. @group Training */
export type StepLossName = 'l1' | 'critic' | 'generator';

/** The settings the step losses read. @group Training */
export interface StepLossSettings {
  reconstructionLoss: ReconstructionLoss;
  /** λ_GP (the critic's loss). */
  gradientPenaltyWeight: number;
  /** λ_L1 (the WGAN-GP generator's loss). */
  l1Weight: number;
  /** The classification loss's settings, when `reconstructionLoss` is `'classification'`. */
  classification?: ClassificationSettings;
}

/** One gradient to compute: a loss on a batch. @group Training */
export interface StepLossJob {
  loss: StepLossName;
  settings: StepLossSettings;
  /** L in model space, `[b, h, w, 1]`. */
  L: tf.Tensor4D;
  /** ab in model space, `[b, h, w, 2]`. */
  ab: tf.Tensor4D;
  /** A hint model's hints, `[b, h, w, 3]` (see `LabBatch.hints`); absent for an automatic model. */
  hints?: tf.Tensor4D;
  /** The penalty's interpolation weight per image, `[b]` in [0, 1] (the critic's loss only). */
  alpha?: tf.Tensor1D;
}

/** The models a step loss runs: the generator, and for the WGAN-GP losses the critic. @group Training */
export interface StepModels {
  generator: tfl.LayersModel;
  critic?: tfl.LayersModel;
}

/** A step loss's gradient with respect to its model's trainable weights, and its terms. @group Training */
export interface StepGradients {
  /** One gradient per trainable weight of the trained model, in `trainableWeights` order. The receiver disposes them. */
  grads: tf.Tensor[];
  /** The loss (`total`) and its named terms, each a mean over the batch. */
  terms: Record<string, number>;
}

/** The model each loss trains. */
export const TRAINED_MODEL: Readonly<Record<StepLossName, keyof StepModels>> = { l1: 'generator', critic: 'critic', generator: 'generator' };

/** The models each loss runs. */
export const USED_MODELS: Readonly<Record<StepLossName, readonly (keyof StepModels)[]>> = { l1: ['generator'], critic: ['generator', 'critic'], generator: ['generator', 'critic'] };

/** The trainable variables of a model, in a fixed order (the optimizer's state is positional). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

const training = (model: tfl.LayersModel, x: tf.Tensor): tf.Tensor4D => model.apply(x, { training: true }) as tf.Tensor4D;

type LossOutput = { total: tf.Scalar; terms: Record<string, tf.Scalar> };

/** The generator's ab on its input (L, and hints if any) in training mode, its reconstruction loss against ab, and its L1 (always reported). */
function reconstructionTerms(generator: tfl.LayersModel, input: tf.Tensor4D, ab: tf.Tensor4D, settings: StepLossSettings): { fakeAb: tf.Tensor4D; l1: tf.Scalar; rec: tf.Scalar } {
  const kind = settings.reconstructionLoss;
  if (kind === 'classification') {
    const { fakeAb, loss } = classificationTerms(generator, input, ab, settings.classification!);
    return { fakeAb, l1: l1Loss(fakeAb, ab), rec: loss };
  }
  const fakeAb = training(generator, input);
  const l1 = l1Loss(fakeAb, ab);
  return { fakeAb, l1, rec: kind === 'l1' ? l1 : reconstruction(kind, fakeAb, ab) };
}

/**
 * The loss function of a job, to differentiate, and the tensors made for it outside the tape (the
 * critic's fakes, which the critic's gradient does not flow through). The generator runs in
 * training mode throughout (BatchNorm on batch statistics, updating its moving statistics).
 */
function lossFunction(job: StepLossJob, models: StepModels): { fn: () => LossOutput; made: tf.Tensor[] } {
  const { L, ab, settings } = job;
  const { generator } = models;
  const critic = models.critic!;
  const input = (): tf.Tensor4D => generatorInput(L, job.hints);
  if (job.loss === 'l1') {
    return {
      made: [],
      fn: () => {
        const { l1, rec } = reconstructionTerms(generator, input(), ab, settings);
        return { total: rec, terms: { l1 } };
      },
    };
  }
  if (job.loss === 'critic') {
    const fakeAb = tf.tidy(() => training(generator, input()));
    return {
      made: [fakeAb],
      fn: () => {
        const real = tf.concat([L, ab], 3) as tf.Tensor4D;
        const fake = tf.concat([L, fakeAb], 3) as tf.Tensor4D;
        const w = criticLoss(training(critic, real), training(critic, fake));
        const gp = gradientPenalty(critic, real, fake, { weight: settings.gradientPenaltyWeight, alpha: job.alpha! });
        return { total: tf.add(w, gp) as tf.Scalar, terms: { wasserstein: tf.neg(w) as tf.Scalar, gp } };
      },
    };
  }
  return {
    made: [],
    fn: () => {
      const { fakeAb, l1, rec } = reconstructionTerms(generator, input(), ab, settings);
      const adversarial = generatorAdversarialLoss(training(critic, tf.concat([L, fakeAb], 3)));
      return { total: tf.add(adversarial, tf.mul(rec, settings.l1Weight)) as tf.Scalar, terms: { adversarial, l1, reconstruction: rec } };
    },
  };
}

/**
 * Computes a job's gradient on this thread: the loss's gradient with respect to the trained
 * model's trainable weights, and its terms read back as numbers (non-finite ones included; the
 * caller decides).
 */
export async function localGradients(job: StepLossJob, models: StepModels): Promise<StepGradients> {
  const vars = trainableVariables(models[TRAINED_MODEL[job.loss]]!);
  const { fn, made } = lossFunction(job, models);
  let terms: Record<string, tf.Scalar> = {};
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  try {
    ({ value, grads } = tf.variableGrads(() => {
      const out = fn();
      terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, tf.keep(t)]));
      return out.total;
    }, vars));
    const names = ['total', ...Object.keys(terms)];
    const values = await Promise.all([value, ...Object.values(terms)].map(async (t) => (await t.data())[0]!));
    return { grads: vars.map((v) => grads[v.name]!), terms: Object.fromEntries(names.map((n, i) => [n, values[i]!])) };
  } catch (err) {
    tf.dispose(grads);
    throw err;
  } finally {
    tf.dispose([...made, ...Object.values(terms), ...(value ? [value] : [])]);
  }
}
