import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import fixture from '../../../../fixtures/critic-gp.json' with { type: 'json' };
import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { initBackend } from '../backend.js';
import { countLeakedTensors } from '../memory.js';

/**
 * The fixture's own tolerances for a float32 port: |port − ref| ≤ atol + rtol·|ref| per element,
 * atol = 1e-4 · max|ref| of the tensor (for the analytically zero biases, of the same layer's
 * kernel gradient).
 */
const PARAM_ATOL_FRACTION = 1e-4;
const PARAM_RTOL = 1e-3;
const SCALAR_ATOL = 1e-5;
const SCALAR_RTOL = 1e-4;

type Params = Record<string, tf.Tensor>;
const LAYERS = ['critic_conv1', 'critic_conv2', 'critic_conv3', 'critic_conv4', 'critic_out'] as const;
const NAMES = LAYERS.flatMap((l) => [`${l}/kernel`, `${l}/bias`]);
/**
 * The output bias adds a constant to D, so ∇ₓD and the penalty do not depend on it at all: tfjs
 * refuses a gradient without a path (PyTorch reports 0). It is held fixed, and its reference
 * gradient checked to be zero.
 */
const FIXED = 'critic_out/bias';
const TRAINED = NAMES.filter((n) => n !== FIXED);

/** The critic from raw ops, as the fixture describes: pad 1, conv 4×4 valid, InstanceNorm after blocks 2–4, LeakyReLU 0.2. */
function critic(x: tf.Tensor4D, p: Params): tf.Tensor4D {
  let h = x;
  fixture.architecture.forEach((layer, i) => {
    const padded = tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    h = tf.add(tf.conv2d(padded, p[`${layer.name}/kernel`] as tf.Tensor4D, layer.stride, 'valid'), p[`${layer.name}/bias`]!);
    if (layer.instance_norm) {
      const { mean, variance } = tf.moments(h, [1, 2], true);
      h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
    }
    if (i < LAYERS.length - 1) h = tf.leakyRelu(h, 0.2);
  });
  return h;
}

/** mean_n (‖∇ D(x̂)‖ − 1)², x̂ = α·real + (1 − α)·fake, norm with 1e-12 inside the square root. */
function gradientPenalty(p: Params, real: tf.Tensor4D, fake: tf.Tensor4D, alpha: tf.Tensor1D): tf.Scalar {
  const a = tf.reshape(alpha, [-1, 1, 1, 1]);
  const xHat = tf.add(tf.mul(a, real), tf.mul(tf.sub(1, a), fake));
  const g = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor4D, p)))(xHat);
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), 1e-12));
  return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
}

function tensorOf(entry: { shape: number[]; values: number[] }): tf.Tensor {
  return tf.tensor(entry.values, entry.shape, 'float32');
}

describe.each(TEST_BACKENDS)('PatchGAN critic gradient penalty on %s against PyTorch (float64)', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('matches the penalty and its gradient with respect to every weight (a second-order gradient through LeakyReLU and InstanceNorm)', () => {
    tf.tidy(() => {
      const params = Object.fromEntries(NAMES.map((n) => [n, tensorOf(fixture.params[n as keyof typeof fixture.params])]));
      const real = tensorOf(fixture.inputs.real) as tf.Tensor4D;
      const fake = tensorOf(fixture.inputs.fake) as tf.Tensor4D;
      const alpha = tensorOf(fixture.inputs.alpha) as tf.Tensor1D;

      const gp = gradientPenalty(params, real, fake, alpha).dataSync()[0]!;
      expect(Math.abs(gp - fixture.outputs.gp)).toBeLessThanOrEqual(SCALAR_ATOL + SCALAR_RTOL * fixture.outputs.gp);

      const withTrained = (ps: tf.Tensor[]): Params => ({ ...params, ...Object.fromEntries(TRAINED.map((n, i) => [n, ps[i]!])) });
      const grads = tf.grads((...ps: tf.Tensor[]) => gradientPenalty(withTrained(ps), real, fake, alpha))(TRAINED.map((n) => params[n]!));
      const kernelScale = Math.max(...fixture.gp_grads['critic_out/kernel'].values.map(Math.abs));
      expect(Math.abs(fixture.gp_grads[FIXED].values[0]!)).toBeLessThan(PARAM_ATOL_FRACTION * kernelScale);
      TRAINED.forEach((name, i) => {
        const ref = fixture.gp_grads[name as keyof typeof fixture.gp_grads].values;
        const kernelRef = fixture.gp_grads[name.replace('/bias', '/kernel') as keyof typeof fixture.gp_grads].values;
        const scale = Math.max(...ref.map(Math.abs));
        const zeroByConstruction = fixture.analytically_zero_gradients.names.includes(name);
        const atol = PARAM_ATOL_FRACTION * (zeroByConstruction ? Math.max(...kernelRef.map(Math.abs)) : scale);
        const ours = grads[i]!.dataSync();
        expect(grads[i]!.shape).toEqual(fixture.gp_grads[name as keyof typeof fixture.gp_grads].shape);
        ref.forEach((r, j) => {
          if (!(Math.abs(ours[j]! - r) <= atol + PARAM_RTOL * Math.abs(r))) {
            throw new Error(`${name}[${j}]: ${ours[j]} vs PyTorch ${r} (atol ${atol})`);
          }
        });
      });
    });
  });

  it('leaks no tensors', async () => {
    const params = Object.fromEntries(NAMES.map((n) => [n, tensorOf(fixture.params[n as keyof typeof fixture.params])]));
    const real = tensorOf(fixture.inputs.real) as tf.Tensor4D;
    const fake = tensorOf(fixture.inputs.fake) as tf.Tensor4D;
    const alpha = tensorOf(fixture.inputs.alpha) as tf.Tensor1D;
    expect(
      await countLeakedTensors(() =>
        tf.tidy(() =>
          tf.grads((...ps: tf.Tensor[]) => gradientPenalty({ ...params, ...Object.fromEntries(TRAINED.map((n, i) => [n, ps[i]!])) }, real, fake, alpha))(
            TRAINED.map((n) => params[n]!),
          ),
        ),
      ),
    ).toBe(0);
  });
});
