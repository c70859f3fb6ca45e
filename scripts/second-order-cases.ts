// Second-order gradient cases and their finite-difference check, shared by the Node suite
// (packages/core/src/training/second-order-gradients.test.ts) and the browser checks
// (scripts/browser/checks-page.ts), so both run the same cases.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Finite differences in float32, made adaptive as in Ridders' method: central differences D(h)
 * on a ladder of steps, Richardson estimates R(h) = (4·D(h/2) − D(h)) / 3 that cancel the O(h²)
 * error, and the estimate whose neighbour agrees best (|R(h) − R(h/2)| smallest). Large steps
 * lose to curvature (the tanh-and-sigmoid critic's plain difference is 2 % off at h = 1e-2),
 * small ones to float32 round-off (about 6e-8 · |P| / h); the ladder finds the balance per
 * case. Right second-order gradients agree to well under the tolerance; tfjs's own wrong ones
 * miss by 50 % to sign flips.
 *
 * The error along a direction d is |AD − FD| relative to the larger of |AD|, |FD| and the size a
 * directional derivative has along a random direction, ‖∇‖·‖d‖/√n. The round-off of FD is set
 * by |P| and h, not by the derivative it estimates: along a direction nearly orthogonal to the
 * gradient, dividing by that derivative alone reads the estimator's noise as an error. Seen on
 * the tanh-and-sigmoid critic: its third direction's derivative is 0.185 where ‖∇‖·‖d‖ is 73,
 * the central differences at h = 2e-3 and 1e-3 differ by 1e-3 on every backend, and any change
 * in the order of a float32 sum (two different correct wasm input-gradient kernels, each
 * matching tfjs's cpu kernel to 1e-5) moved the plain relative error between 4e-4 and 9e-3.
 */
export const FD_STEPS = [3.2e-2, 1.6e-2, 8e-3, 4e-3, 2e-3, 1e-3];
/** Set by the estimator's float32 accuracy (worst seen: 1.7e-4 in Node, cpu and wasm); wrong gradients miss by ≥ 30 %. */
export const FD_REL_TOL = 1e-3;
/** How far tfjs's own Tanh gradient is off on the same check: the harness can fail. */
export const TFJS_TANH_MIN_ERROR = 0.3;

export type Critic = (x: tf.Tensor, w: tf.Tensor) => tf.Scalar;

/** The WGAN-GP penalty of a critic at fixed x, as a function of its weights: (‖∇ₓD‖ − 1)². */
export function penalty(critic: Critic, x: tf.Tensor, w: tf.Tensor): tf.Scalar {
  const g = tf.grad((xv: tf.Tensor) => critic(xv, w))(x);
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(g)), 1e-12));
  return tf.square(tf.sub(norm, 1)) as tf.Scalar;
}

/** Values with a magnitude in [lo, hi] and a random sign, so products stay away from 0. */
export function awayFromZero(shape: number[], lo: number, hi: number, seed: number): tf.Tensor {
  const magnitude = tf.randomUniform(shape, lo, hi, 'float32', seed);
  const sign = tf.sign(tf.randomUniform(shape, -1, 1, 'float32', seed + 100));
  return tf.mul(magnitude, sign);
}

export interface Inputs {
  x: tf.Tensor;
  w: tf.Tensor;
}

/**
 * Compares d penalty / dw from autodiff (a gradient of a gradient) with finite differences
 * along random directions d ~ U[−1, 1]. Returns the worst relative disagreement. Reads values
 * asynchronously, so it runs on every backend (webgpu's synchronous read is not reliable).
 */
export async function secondOrderError(critic: Critic, inputs: () => Inputs, seed: number): Promise<number> {
  const { x, w } = inputs();
  const auto = tf.grad((wv: tf.Tensor) => penalty(critic, x, wv))(w);
  const read = async (t: tf.Tensor): Promise<number> => {
    try {
      return (await t.data())[0]!;
    } finally {
      t.dispose();
    }
  };
  let worst = 0;
  try {
    for (let k = 0; k < 3; k += 1) {
      const d = tf.randomUniform(w.shape, -1, 1, 'float32', seed + 10 + k);
      const central = async (h: number): Promise<number> => {
        const plus = await read(tf.tidy(() => penalty(critic, x, tf.add(w, tf.mul(d, h)))));
        const minus = await read(tf.tidy(() => penalty(critic, x, tf.sub(w, tf.mul(d, h)))));
        return (plus - minus) / (2 * h);
      };
      const d0: number[] = [];
      for (const h of FD_STEPS) d0.push(await central(h));
      const richardson = d0.slice(1).map((half, i) => (4 * half - d0[i]!) / 3);
      let best = 0;
      for (let i = 1; i < richardson.length - 1; i += 1) {
        if (Math.abs(richardson[i]! - richardson[i + 1]!) < Math.abs(richardson[best]! - richardson[best + 1]!)) best = i;
      }
      const fd = richardson[best + 1]!;
      const ad = await read(tf.tidy(() => tf.sum(tf.mul(auto, d))));
      const typical = await read(tf.tidy(() => tf.div(tf.mul(tf.norm(auto), tf.norm(d)), Math.sqrt(d.size))));
      d.dispose();
      if (!Number.isFinite(ad)) throw new Error(`the autodiff value is ${ad}`);
      // A non-zero second-order gradient must be what is checked.
      if (!(Math.abs(ad) > 1e-4)) throw new Error(`the autodiff value ${ad} is too small to check`);
      worst = Math.max(worst, Math.abs(ad - fd) / Math.max(Math.abs(fd), Math.abs(ad), typical));
    }
  } finally {
    tf.dispose([x, w, auto]);
  }
  return worst;
}

/**
 * Elementwise critics D(x) = Σ v · f(w ⊙ x), so ∇ₓD = v · f′(w ⊙ x) · w depends on w. |x| and
 * |w| are kept in [0.5, 1] and [0.4, 0.9], so every pre-activation is at least 0.2 from the
 * kinks at 0, and a finite-difference step moves it by at most FD_STEP: no step crosses a kink.
 */
const elementwise = (f: (t: tf.Tensor) => tf.Tensor): [Critic, () => Inputs] => [
  (x, w) => tf.tidy(() => tf.sum(tf.mul(f(tf.mul(x, w)), tf.reshape(tf.linspace(-1, 1, x.size), x.shape))) as tf.Scalar),
  () => ({ x: awayFromZero([4, 5], 0.5, 1, 1), w: awayFromZero([4, 5], 0.4, 0.9, 2) }),
];

/** Smooth conv critics: conv (w) → f → conv with fixed weights → sum. */
const convCritic = (f: (t: tf.Tensor4D) => tf.Tensor): [Critic, () => Inputs] => [
  (x, w) =>
    tf.tidy(() => {
      const h = f(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'));
      const c = h.shape[3]!;
      const head = tf.reshape(tf.linspace(-0.5, 0.5, 3 * 3 * c * 2), [3, 3, c, 2]) as tf.Tensor4D;
      return tf.sum(tf.conv2d(h as tf.Tensor4D, head, 1, 'same')) as tf.Scalar;
    }),
  () => ({ x: tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3), w: tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 4) }),
];

/** Distinct values per row (0.2 apart) so that max / min never swap within a step. */
const distinctRows = (): Inputs => ({
  x: tf.tensor2d([
    [0.5, 0.7, 0.9, 1.1, 1.3],
    [1.3, 0.5, 1.1, 0.7, 0.9],
    [0.9, 1.3, 0.5, 1.1, 0.7],
    [0.7, 1.1, 1.3, 0.9, 0.5],
  ]),
  w: tf.add(1, tf.randomUniform([4, 5], -0.05, 0.05, 'float32', 5)),
});

export const CASES: [string, Critic, () => Inputs][] = [
  ['leakyRelu (Greater)', ...elementwise((t) => tf.leakyRelu(t, 0.2))],
  ['relu (Step)', ...elementwise((t) => tf.mul(tf.relu(t), t))],
  ['relu6 (LessEqual)', ...elementwise((t) => tf.mul(tf.relu6(t), t))],
  ['maximum / minimum (Less, GreaterEqual)', ...elementwise((t) => tf.mul(tf.add(tf.maximum(t, 0), tf.minimum(t, 0)), tf.exp(t)))],
  ['clipByValue (LogicalAnd)', ...elementwise((t) => tf.mul(tf.clipByValue(t, -2, 2), t))],
  ['abs', ...elementwise((t) => tf.mul(tf.abs(t), t))],
  ['prelu', ...elementwise((t) => tf.mul(tf.prelu(t, tf.scalar(0.1)), t))],
  ['elu (EluGrad)', ...elementwise((t) => tf.elu(t))],
  ['selu', ...elementwise((t) => tf.selu(t))],
  ['tanh', ...elementwise((t) => tf.tanh(t))],
  ['sigmoid', ...elementwise((t) => tf.sigmoid(t))],
  ['exp', ...elementwise((t) => tf.exp(t))],
  ['softplus', ...elementwise((t) => tf.softplus(t))],
  ['sqrt, rsqrt, pow', ...elementwise((t) => tf.add(tf.sqrt(tf.add(tf.square(t), 1)), tf.pow(tf.add(tf.square(t), 0.5), 1.5)))],
  ['pow with a learned exponent', (x, w) => tf.tidy(() => tf.sum(tf.pow(tf.add(tf.square(x), 0.5), tf.mul(w, 0.8))) as tf.Scalar),
    () => ({ x: tf.randomNormal([4, 5], 0, 1, 'float32', 6), w: tf.randomUniform([4, 5], 0.5, 1.5, 'float32', 7) })],
  ['softmax', (x, w) => tf.tidy(() => tf.sum(tf.mul(tf.softmax(tf.mul(x, w)), tf.reshape(tf.linspace(-1, 1, 20), [4, 5]))) as tf.Scalar), distinctRows],
  [
    'maxPool 2×2/2 (MaxPoolGrad)',
    (x, w) => tf.tidy(() => tf.sum(tf.mul(tf.maxPool(tf.mul(x, w) as tf.Tensor4D, 2, 2, 'valid'), tf.reshape(tf.linspace(-1, 1, 8), [1, 2, 2, 2]))) as tf.Scalar),
    // each window holds 1, 1.3, 1.6, 1.9 in some order and w stays within 1 ± 0.05: argmaxes never switch
    () => ({
      x: tf.tensor4d(
        [1.9, 1, 1.3, 1.6, 1.6, 1.3, 1, 1.9, 1, 1.6, 1.9, 1.3, 1.3, 1.9, 1.6, 1, 1.3, 1.6, 1.9, 1, 1.9, 1.3, 1, 1.6, 1, 1.9, 1.6, 1.3, 1.6, 1, 1.3, 1.9],
        [1, 4, 4, 2],
      ),
      w: tf.add(1, tf.randomUniform([1, 4, 4, 2], -0.05, 0.05, 'float32', 12)),
    }),
  ],
  ['max / min', (x, w) => tf.tidy(() => tf.add(tf.sum(tf.square(tf.max(tf.mul(x, w), 1))), tf.sum(tf.exp(tf.min(tf.mul(x, w), 1)))) as tf.Scalar), distinctRows],
  ['conv → tanh', ...convCritic((t) => tf.tanh(t))],
  ['conv → avgPool → sigmoid (AvgPoolGrad)', ...convCritic((t) => tf.sigmoid(tf.avgPool(t, 2, 2, 'valid')))],
  ['conv → softplus → conv2dTranspose', ...convCritic((t) => tf.conv2dTranspose(tf.softplus(t), tf.ones([2, 2, 3, 4]), [2, 8, 8, 3], 2, 'valid'))],
  [
    'depthwise conv → tanh',
    (x, w) => tf.tidy(() => tf.sum(tf.mul(tf.tanh(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')), 0.3)) as tf.Scalar),
    () => ({ x: tf.randomNormal([1, 6, 6, 3], 0, 1, 'float32', 8), w: tf.randomNormal([3, 3, 3, 2], 0, 0.5, 'float32', 9) }),
  ],
  [
    'critic with tanh and sigmoid',
    (x, w) =>
      tf.tidy(() => {
        const h = tf.tanh(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'));
        return tf.sum(tf.sigmoid(tf.mul(tf.sum(h, 3), 2))) as tf.Scalar;
      }),
    () => ({ x: tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 10), w: tf.randomNormal([3, 3, 2, 3], 0, 0.5, 'float32', 11) }),
  ],
];

