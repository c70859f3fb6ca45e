import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, countLeakedTensors, initBackend } from '@colorize/core';
import { buildPatchCritic } from '@colorize/models';
import { beforeAll, describe, expect, it } from 'vitest';

import fixture from '../../../fixtures/critic-gp.json' with { type: 'json' };
import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { gradientPenalty } from './gradient-penalty.js';
import { criticLoss, generatorAdversarialLoss, l1Loss } from './losses.js';

type Entry = { shape: number[]; values: number[] };
const tensorOf = (e: Entry): tf.Tensor => tf.tensor(e.values, e.shape, 'float32');
/** The fixture's float32 tolerances: |port − ref| ≤ atol + rtol·|ref|. */
const SCALAR_ATOL = 1e-5;
const SCALAR_RTOL = 1e-4;
const PARAM_ATOL_FRACTION = 1e-4;
const PARAM_RTOL = 1e-3;

function fixtureCritic(): tfl.LayersModel {
  const model = buildPatchCritic({ base: fixture.config.base });
  for (const layer of model.layers) {
    if (layer.weights.length > 0) layer.setWeights(layer.weights.map((w) => tensorOf((fixture.params as Record<string, Entry>)[w.originalName]!)));
  }
  return model;
}

describe.each(TEST_BACKENDS)('losses and gradient penalty on %s against PyTorch (float64)', (backend) => {
  let critic: tfl.LayersModel;
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
    critic = fixtureCritic();
  });

  it('gives the penalty and the critic loss, and the critic loss\'s gradient with respect to every weight, within 1e-4 relative', () => {
    tf.tidy(() => {
      const real = tensorOf(fixture.inputs.real) as tf.Tensor4D;
      const fake = tensorOf(fixture.inputs.fake) as tf.Tensor4D;
      const alpha = tensorOf(fixture.inputs.alpha) as tf.Tensor1D;
      const gp = gradientPenalty(critic, real, fake, { alpha, weight: 1 }).dataSync()[0]!;
      expect(Math.abs(gp - fixture.outputs.gp)).toBeLessThanOrEqual(SCALAR_ATOL + SCALAR_RTOL * fixture.outputs.gp);
      const weighted = gradientPenalty(critic, real, fake, { alpha }).dataSync()[0]!;
      expect(Math.abs(weighted - 10 * fixture.outputs.gp)).toBeLessThanOrEqual(10 * (SCALAR_ATOL + SCALAR_RTOL * fixture.outputs.gp));

      const loss = (): tf.Scalar => {
        const w = criticLoss(critic.apply(real, { training: true }) as tf.Tensor, critic.apply(fake, { training: true }) as tf.Tensor);
        return tf.add(w, gradientPenalty(critic, real, fake, { alpha, weight: fixture.outputs.lambda_gp })) as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(loss, critic.trainableWeights.map((w) => w.read() as tf.Variable));
      expect(Math.abs(value.dataSync()[0]! - fixture.outputs.critic_loss)).toBeLessThanOrEqual(SCALAR_ATOL + SCALAR_RTOL * Math.abs(fixture.outputs.critic_loss));
      const refs = fixture.critic_loss_grads as Record<string, Entry>;
      for (const w of critic.trainableWeights) {
        const ref = refs[w.originalName]!.values;
        const kernelRef = refs[w.originalName.replace('/bias', '/kernel')]!.values;
        const zero = fixture.analytically_zero_gradients.names.includes(w.originalName);
        const atol = PARAM_ATOL_FRACTION * Math.max(...(zero ? kernelRef : ref).map(Math.abs));
        const ours = grads[(w.read() as tf.Variable).name]!.dataSync();
        ref.forEach((r, j) => {
          if (!(Math.abs(ours[j]! - r) <= atol + PARAM_RTOL * Math.abs(r))) throw new Error(`${w.originalName}[${j}]: ${ours[j]} vs PyTorch ${r}`);
        });
      }
    });
  });

  it('gives the Wasserstein terms of the fixture', () => {
    tf.tidy(() => {
      const dReal = tensorOf(fixture.outputs.d_real);
      const dFake = tensorOf(fixture.outputs.d_fake);
      expect(criticLoss(dReal, dFake).dataSync()[0]).toBeCloseTo(fixture.outputs.wasserstein_term, 5);
      expect(generatorAdversarialLoss(dFake).dataSync()[0]).toBeCloseTo(-fixture.outputs.mean_d_fake, 5);
      expect(l1Loss(tf.tensor4d([1, -2, 3, 0], [1, 2, 1, 2]), tf.zeros([1, 2, 1, 2])).dataSync()[0]).toBeCloseTo(1.5, 6);
    });
  });

  it('draws α itself, reproducibly with a seed, and leaks nothing', async () => {
    const real = tensorOf(fixture.inputs.real) as tf.Tensor4D;
    const fake = tensorOf(fixture.inputs.fake) as tf.Tensor4D;
    const a = gradientPenalty(critic, real, fake, { seed: 7 });
    const b = gradientPenalty(critic, real, fake, { seed: 7 });
    expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
    expect(a.dataSync()[0]).toBeGreaterThan(0);
    expect(await countLeakedTensors(() => tf.tidy(() => tf.variableGrads(() => gradientPenalty(critic, real, fake), critic.trainableWeights.slice(0, 8).map((w) => w.read() as tf.Variable))))).toBe(0);
    tf.dispose([real, fake, a, b]);
  });

  it('rejects bad input with a ColorizeError that names the function', () => {
    const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    const y = tf.zeros([2, 32, 32, 2]) as tf.Tensor4D;
    const cases: [() => unknown, RegExp][] = [
      [() => gradientPenalty(critic, x, y), /gradientPenalty: expected real and fake of the same shape, got \[2, 32, 32, 3\] and \[2, 32, 32, 2\]/],
      [() => gradientPenalty(critic, x, x, { alpha: tf.zeros([3]) as tf.Tensor1D }), /gradientPenalty: expected alpha of shape \[2\], got \[3\]/],
      [() => gradientPenalty(critic, x, x, { weight: -1 }), /weight to be a finite number ≥ 0/],
      [() => gradientPenalty(critic, x, x, { lambda: 10 } as never), /an option among weight, alpha, seed, epsilon, got "lambda"/],
      [() => gradientPenalty({} as never, x, x), /expected a critic/],
      [() => l1Loss(x, y), /l1Loss: expected pred and target of the same shape/],
      [() => criticLoss(tf.zeros([0]), x), /criticLoss: expected realScores as a non-empty float32 tensor/],
    ];
    for (const [f, message] of cases) {
      let caught: unknown;
      try {
        f();
      } catch (err) {
        caught = err;
      }
      expect(ColorizeError.isInstance(caught), String(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
    tf.dispose([x, y]);
  });
});
