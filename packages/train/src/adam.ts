import * as tf from '@tensorflow/tfjs-core';
import { describeValue, invalid } from '@colorize/core';

/**
 * Adam's settings. The defaults are the seed's: its `main.py` builds both optimisers as
 * `Adam(lr=0.0002, betas=(0.0, 0.9))`, the settings of WGAN-GP (Gulrajani et al. 2017,
 * Algorithm 1), and pretrains the generator with the same.
 * @group Training
 */
export interface AdamOptions {
  /** Step size. Defaults to 2e-4 (the seed; Gulrajani et al. 2017 use 1e-4). */
  learningRate?: number;
  /** First-moment decay. Defaults to 0 (the seed and Gulrajani et al. 2017; pix2pix uses 0.5). */
  beta1?: number;
  /** Second-moment decay. Defaults to 0.9 (the seed and Gulrajani et al. 2017; pix2pix uses 0.999). */
  beta2?: number;
  /** Added to the denominator. Defaults to 1e-8 (PyTorch's default, not the backend's epsilon). */
  epsilon?: number;
}

/** The seed's Adam: lr 2e-4, β (0.0, 0.9), ε 1e-8 (PyTorch's). @group Training */
export const ADAM_DEFAULTS: Readonly<Required<AdamOptions>> = { learningRate: 2e-4, beta1: 0, beta2: 0.9, epsilon: 1e-8 };

export function resolveAdam(fn: string, name: string, options: AdamOptions | undefined): Required<AdamOptions> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalid('INVALID_OPTION', fn, `${name} as an object of Adam settings`, describeValue(options));
  }
  const o = { ...ADAM_DEFAULTS, ...options };
  for (const key of Object.keys(o) as (keyof AdamOptions)[]) {
    if (!(key in ADAM_DEFAULTS)) throw invalid('INVALID_OPTION', fn, `${name} among learningRate, beta1, beta2, epsilon`, `"${key}"`);
    const v = o[key];
    const ok = typeof v === 'number' && Number.isFinite(v) && (key === 'beta1' || key === 'beta2' ? v >= 0 && v < 1 : v > 0);
    if (!ok) throw invalid('INVALID_OPTION', fn, `${name}.${key} to be ${key.startsWith('beta') ? 'in [0, 1)' : 'a finite number > 0'}`, describeValue(v));
  }
  return o;
}

type Moment = { originalName: string; variable: tf.Variable };
type AdamInternals = { accBeta1: tf.Variable; accBeta2: tf.Variable; accumulatedFirstMoment: Moment[]; accumulatedSecondMoment: Moment[] };

/** A named tensor, as tfjs optimizers' `getWeights` gives them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Names of the two extra tensors saved with Adam's weights, so its bias correction resumes bit for bit. */
const ACC_BETA = ['__colorize_accBeta1', '__colorize_accBeta2'] as const;

/** Adam's whole state: its own weights (iterations, moments) and its running β powers. */
export async function adamState(optimizer: tf.AdamOptimizer): Promise<NamedTensor[]> {
  const o = optimizer as unknown as AdamInternals;
  const weights = await optimizer.getWeights();
  return [...weights, { name: ACC_BETA[0], tensor: o.accBeta1 }, { name: ACC_BETA[1], tensor: o.accBeta2 }];
}

/** Restores what {@link adamState} saved. The caller still owns (and disposes) `state`'s tensors. */
export async function setAdamState(optimizer: tf.AdamOptimizer, state: NamedTensor[]): Promise<void> {
  const o = optimizer as unknown as AdamInternals;
  const acc = ACC_BETA.map((n) => state.find((s) => s.name === n));
  const rest = state.filter((s) => !(ACC_BETA as readonly string[]).includes(s.name));
  // setWeights replaces the moment variables without disposing the old ones.
  tf.dispose([...o.accumulatedFirstMoment, ...o.accumulatedSecondMoment].map((m) => m.variable));
  // It makes variables from the tensors it is given; those share data with, but do not own, them.
  await optimizer.setWeights(rest);
  if (acc[0] && acc[1]) {
    o.accBeta1.assign(acc[0].tensor as tf.Scalar);
    o.accBeta2.assign(acc[1].tensor as tf.Scalar);
  }
}
