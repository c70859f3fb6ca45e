import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import unet from '../../../fixtures/unet-tiny.json' with { type: 'json' };
import { expectClose, fixtureBatchMovingStats, fixtureTensor, loadFixtureWeights } from '../../../scripts/model-fixtures.js';
import type { FixtureEntry } from '../../../scripts/model-fixtures.js';
import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { buildUNet } from './unet.js';

const classes = (m: tfl.LayersModel): string[] => m.layers.map((l) => l.getClassName());
const count = (m: tfl.LayersModel, name: string): number => classes(m).filter((c) => c === name).length;

/** Moving statistics and affine weights far from their initial values, as after training. */
function randomizeNorms(model: tfl.LayersModel, seed: number): void {
  tf.tidy(() => {
    for (const [i, layer] of model.layers.filter((l) => l.getClassName() === 'BatchNormalization').entries()) {
      const [n] = layer.getWeights()[0]!.shape as [number];
      const s = seed + 4 * i;
      layer.setWeights([
        tf.randomUniform([n], 0.5, 1.5, 'float32', s),
        tf.randomNormal([n], 0, 0.5, 'float32', s + 1),
        tf.randomNormal([n], 0, 0.5, 'float32', s + 2),
        tf.randomUniform([n], 0.2, 3, 'float32', s + 3),
      ]);
    }
  });
}

describe.each(TEST_BACKENDS)('foldBatchNorm on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('the tiny U-Net folded still reproduces PyTorch in eval mode, with no BatchNormalization left and ReLU fused into the convs', () => {
    const model = buildUNet({ base: 4, depth: 2 });
    loadFixtureWeights(model, unet.params as Record<string, FixtureEntry>, fixtureBatchMovingStats(unet.bn_stats));
    const folded = foldBatchNorm(model);
    const norms = count(model, 'BatchNormalization');
    expect(norms).toBe(10);
    expect(count(folded, 'BatchNormalization')).toBe(0);
    expect(count(folded, 'ReLU')).toBe(count(model, 'ReLU') - norms);
    expect(folded.layers.filter((l) => l.getClassName() === 'Conv2D' && (l.getConfig() as { activation: string }).activation === 'relu')).toHaveLength(norms);
    tf.tidy(() => {
      const y = folded.predict(fixtureTensor(unet.inputs.x)) as tf.Tensor;
      expectClose(y.dataSync(), unet.outputs.eval_batch_moving_stats.values as number[], 1e-5, 1e-4, 'folded eval');
    });
    model.dispose();
    folded.dispose();
  });

  it('a U-Net with trained-like norms: the same outputs as the model in inference mode, its metadata, and its own copy of the weights', () => {
    const model = buildUNet({ base: 8, depth: 3 });
    randomizeNorms(model, 7);
    const x = tf.randomUniform([2, 32, 32, 1], -1, 1, 'float32', 3);
    model.setUserDefinedMetadata({ colorize: { size: 32, depth: 3 } });
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model);
    expect(folded.getUserDefinedMetadata()).toEqual({ colorize: { size: 32, depth: 3 } });
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const got = tf.tidy(() => (folded.predict(x) as tf.Tensor).dataSync());
    // tanh outputs in (−1, 1): the convs' float32 rounding in two orders of the same sums.
    expectClose(got, expected, 1e-5, 1e-4, 'folded');
    // Changing the model's weights afterwards leaves the folded copy as it was.
    randomizeNorms(model, 99);
    tf.tidy(() => model.getLayer('head_conv').setWeights(model.getLayer('head_conv').getWeights().map((w) => tf.add(w, 1))));
    expect(tf.tidy(() => (folded.predict(x) as tf.Tensor).dataSync())).toEqual(got);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('leaves a norm alone where the conv has another consumer, and refuses what is not a functional model', () => {
    const input = tfl.input({ shape: [8, 8, 4] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tfl.SymbolicTensor;
    const norm = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([conv, norm]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: sum });
    const folded = foldBatchNorm(model);
    expect(classes(folded)).toEqual(classes(model));
    model.dispose();
    folded.dispose();
    for (const bad of [null, {}, tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] })]) {
      try {
        foldBatchNorm(bad as tfl.LayersModel);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ColorizeError);
        expect((err as ColorizeError).message).toMatch(/^foldBatchNorm: expected model to be a functional tfjs-layers model/);
      }
    }
  });
});
