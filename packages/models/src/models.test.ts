import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, countLeakedTensors, fileSystem, initBackend } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { beforeAll, describe, expect, it } from 'vitest';

import critic from '../../../fixtures/critic-gp.json' with { type: 'json' };
import unet from '../../../fixtures/unet-tiny.json' with { type: 'json' };
import { referenceAnnealedMean } from '../../../scripts/ab-class-reference.js';
import { expectClose, fixtureBatchMovingStats, fixtureTensor, loadFixtureWeights } from '../../../scripts/model-fixtures.js';
import type { FixtureEntry } from '../../../scripts/model-fixtures.js';
import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { buildPatchCritic } from './patch-critic.js';
import { buildUNet, setAnnealingTemperature } from './unet.js';

/** The fixtures' tolerances for a float32 port: |port − ref| ≤ atol + rtol·|ref|. */
const OUT_ATOL = 1e-5;
const OUT_RTOL = 1e-4;
const GRAD_ATOL_FRACTION = 1e-4;
const GRAD_RTOL = 1e-3;

const trainable = (m: tfl.LayersModel) => m.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);

describe('parameter counts equal the reference', () => {
  it('U-Net base 64 depth 4: 31,036,546; critic base 64: 2,764,737; tiny ones too', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    expect(trainable(buildUNet())).toBe(31_036_546);
    expect(trainable(buildPatchCritic())).toBe(2_764_737);
    expect(trainable(buildUNet({ base: 4, depth: 2 }))).toBe(unet.param_counts.unet_base4_depth2);
    expect(trainable(buildUNet({ base: 8, depth: 3 }))).toBe(unet.param_counts.unet_base8_depth3);
    expect(trainable(buildPatchCritic({ base: 4 }))).toBe(critic.param_counts.this_critic_base_4);
  });
});

describe.each(TEST_BACKENDS)('models on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('the tiny U-Net reproduces PyTorch in train mode, in eval mode, and its L1 gradients', () => {
    tf.tidy(() => {
      const model = buildUNet({ base: 4, depth: 2 });
      loadFixtureWeights(model, unet.params as Record<string, FixtureEntry>, unet.bn_moving_stats_initial as Record<string, FixtureEntry>);
      const x = fixtureTensor(unet.inputs.x);
      const target = fixtureTensor(unet.inputs.target);
      const train = model.apply(x, { training: true }) as tf.Tensor;
      expectClose(train.dataSync(), unet.outputs.train.values as number[], OUT_ATOL, OUT_RTOL, 'train');
      // eval mode with the moving statistics PyTorch would hold after this batch (momentum 1)
      loadFixtureWeights(model, unet.params as Record<string, FixtureEntry>, fixtureBatchMovingStats(unet.bn_stats));
      const evalOut = model.apply(x, { training: false }) as tf.Tensor;
      expectClose(evalOut.dataSync(), unet.outputs.eval_batch_moving_stats.values as number[], OUT_ATOL, OUT_RTOL, 'eval');
      // L1 gradients in train mode
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar, model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      expect(Math.abs(value.dataSync()[0]! - unet.outputs.l1_train)).toBeLessThanOrEqual(1e-6 + 1e-5 * unet.outputs.l1_train);
      for (const w of model.trainableWeights) {
        const ref = (unet.l1_grads as Record<string, FixtureEntry>)[w.originalName]!;
        const g = grads[(w as unknown as { val: tf.Variable }).val.name]!;
        const values = ref.values!;
        const scale = Math.max(...values.map(Math.abs));
        expectClose(g.dataSync(), values, GRAD_ATOL_FRACTION * scale, GRAD_RTOL, w.originalName);
      }
    });
  });

  it('the tiny critic reproduces PyTorch\'s D(real)', () => {
    tf.tidy(() => {
      const model = buildPatchCritic({ base: 4 });
      loadFixtureWeights(model, Object.fromEntries(Object.entries(critic.params).map(([k, v]) => [k, v])) as Record<string, FixtureEntry>);
      const out = model.predict(fixtureTensor(critic.inputs.real)) as tf.Tensor;
      expect(out.shape).toEqual(critic.outputs.d_real.shape);
      expectClose(out.dataSync(), critic.outputs.d_real.values as number[], OUT_ATOL, OUT_RTOL, 'd_real');
    });
  });

  it('the critic built with InstanceNormalization gives PyTorch\'s gradient-penalty gradients (second order through the layer)', () => {
    tf.tidy(() => {
      const model = buildPatchCritic({ base: 4 });
      loadFixtureWeights(model, critic.params as Record<string, FixtureEntry>);
      const real = fixtureTensor(critic.inputs.real);
      const fake = fixtureTensor(critic.inputs.fake);
      const alpha = tf.reshape(fixtureTensor(critic.inputs.alpha), [-1, 1, 1, 1]);
      const xHat = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake));
      // the output bias does not change ∇ₓD, so it has no gradient path (PyTorch reports 0)
      const vars = model.trainableWeights.filter((w) => w.originalName !== 'critic_out/bias').map((w) => (w as unknown as { val: tf.Variable }).val);
      const { value, grads } = tf.variableGrads(() => {
        const g = tf.grad((x: tf.Tensor) => tf.sum(model.apply(x) as tf.Tensor))(xHat);
        const norm = tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2, 3]), 1e-12));
        return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
      }, vars);
      expect(Math.abs(value.dataSync()[0]! - critic.outputs.gp)).toBeLessThanOrEqual(1e-5 + 1e-4 * critic.outputs.gp);
      for (const w of model.trainableWeights) {
        if (w.originalName === 'critic_out/bias') continue;
        const ref = (critic.gp_grads as Record<string, { values: number[] }>)[w.originalName]!.values;
        const kernel = (critic.gp_grads as Record<string, { values: number[] }>)[w.originalName.replace('/bias', '/kernel')]!.values;
        const zero = critic.analytically_zero_gradients.names.includes(w.originalName);
        const atol = GRAD_ATOL_FRACTION * Math.max(...(zero ? kernel : ref).map(Math.abs));
        expectClose(grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync(), ref, atol, GRAD_RTOL, w.originalName);
      }
    });
  });

  it('gives the right output shapes at 64, 128 and 256 px', () => {
    const g = buildUNet({ base: 2, depth: 4 });
    const d = buildPatchCritic({ base: 2 });
    for (const [size, patches] of [[64, 6], [128, 14], [256, 30]] as const) {
      tf.tidy(() => {
        expect((g.predict(tf.zeros([1, size, size, 1])) as tf.Tensor).shape).toEqual([1, size, size, 2]);
        expect((d.predict(tf.zeros([1, size, size, 3])) as tf.Tensor).shape).toEqual([1, patches, patches, 1]);
      });
    }
  });

  it('save → load round trips reproduce outputs bit for bit (file:// and fromMemory), custom layers included', async () => {
    const g = buildUNet({ base: 2, depth: 2, norm: 'instance', upsample: 'bilinear' });
    const d = buildPatchCritic({ base: 2 });
    const c = buildUNet({ base: 2, depth: 2, head: 'classification' });
    const dir = await mkdtemp(join(tmpdir(), 'colorize-models-'));
    const cases = [
      [g, tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 1)],
      [d, tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 2)],
      [c, tf.randomNormal([1, 8, 12, 1], 0, 1, 'float32', 3)],
    ] as const;
    for (const [model, input] of cases) {
      const before = (model.predict(input) as tf.Tensor).dataSync();
      await model.save(`file://${join(dir, model.name)}`);
      const fromFile = await tfl.loadLayersModel(`file://${join(dir, model.name)}/model.json`);
      expect(Array.from((fromFile.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from(before));
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
      const fromMemory = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
      expect(Array.from((fromMemory.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    }
    expect(fileSystem).toBeDefined();
  });

  it('leaks no tensors in inference', async () => {
    const g = buildUNet({ base: 2, depth: 2 });
    const x = tf.zeros([1, 8, 8, 1]);
    expect(await countLeakedTensors(() => g.predict(x))).toBe(0);
  });
});

describe('the classification head', () => {
  const bins = abGamutBins();

  it('gives the annealed mean: softmax of its logits / T times the bin centres / 110, per pixel', () => {
    const T = 0.38;
    const model = buildUNet({ base: 4, depth: 2, head: 'classification' });
    const logitsModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer('head_conv').output as tfl.SymbolicTensor });
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 4);
    // Larger head weights than the initialisation's make the softmax far from uniform.
    const head = model.getLayer('head_conv');
    const weights = head.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, i === 0 ? 2 : 4, 'float32', 9 + i));
    head.setWeights(weights);
    tf.dispose(weights);
    const ab = (model.predict(x) as tf.Tensor).dataSync();
    const logits = (logitsModel.predict(x) as tf.Tensor).dataSync();
    const reference = referenceAnnealedMean(bins.centres, logits, T);
    for (let i = 0; i < ab.length; i += 1) expect(Math.abs(ab[i]! - reference[i]!)).toBeLessThan(1e-5);
    // Far from a uniform softmax: some pixel puts over 10 % on one bin.
    const q = bins.count;
    let peak = 0;
    for (let p = 0; p < logits.length / q; p += 1) {
      const z = Array.from(logits.subarray(p * q, (p + 1) * q), (v) => v / T);
      const max = Math.max(...z);
      peak = Math.max(peak, 1 / z.reduce((s, v) => s + Math.exp(v - max), 0));
    }
    expect(peak).toBeGreaterThan(0.1);
    x.dispose();
  });

  it('adds (Q − 2)·(width + 1) trainable parameters for Q = 261 bins, and its decoding kernel is fixed', () => {
    const regression = buildUNet({ base: 4, depth: 2 });
    const classification = buildUNet({ base: 4, depth: 2, head: 'classification' });
    expect(bins.count).toBe(261);
    expect(trainable(classification) - trainable(regression)).toBe((261 - 2) * (4 + 1));
    const decode = classification.getLayer('head_decode');
    expect(decode.trainable).toBe(false);
    expect(decode.getWeights()[0]!.shape).toEqual([1, 1, 261, 2]);
  });

  it('setAnnealingTemperature changes T in place (the annealed mean at the new T), and a saved model keeps it', async () => {
    const model = buildUNet({ base: 4, depth: 2, head: 'classification', temperature: 1 });
    const logitsModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer('head_conv').output as tfl.SymbolicTensor });
    const head = model.getLayer('head_conv');
    const weights = head.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, i === 0 ? 2 : 1, 'float32', 21 + i));
    head.setWeights(weights);
    tf.dispose(weights);
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 5);
    const ab = (m: tfl.LayersModel) => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    const logits = tf.tidy(() => (logitsModel.predict(x) as tf.Tensor).dataSync());
    const atOne = ab(model);
    expect(maxDiff(atOne, referenceAnnealedMean(bins.centres, logits, 1))).toBeLessThan(1e-5);
    setAnnealingTemperature(model, 0.2);
    const atFifth = ab(model);
    expect(maxDiff(atFifth, referenceAnnealedMean(bins.centres, logits, 0.2))).toBeLessThan(1e-5);
    expect(maxDiff(atFifth, atOne)).toBeGreaterThan(0.01); // T matters for these logits
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
    expect(maxDiff(ab(await tfl.loadLayersModel(tf.io.fromMemory(artifacts!))), atFifth)).toBeLessThan(1e-6);
    expect(() => setAnnealingTemperature(buildUNet({ base: 2, depth: 1 }), 0.5)).toThrow(/setAnnealingTemperature: expected a U-Net with a classification head/);
    expect(() => setAnnealingTemperature(model, 0)).toThrow(/temperature in \(0, 1\]/);
    expect(() => buildUNet({ head: 'classification', temperature: 2 })).toThrow(/buildUNet: expected temperature in \(0, 1\]/);
    x.dispose();
  });

  it('refuses outChannels other than 2 and an unknown head', () => {
    expect(() => buildUNet({ head: 'classification', outChannels: 3 })).toThrow(/outChannels 2/);
    expect(() => buildUNet({ head: 'bins' as 'classification' })).toThrow(ColorizeError);
  });
});

describe('builder options', () => {
  it('refuses input sizes not divisible by 2^depth, naming the allowed sizes', () => {
    expect(() => buildUNet({ inputSize: [100, 128] })).toThrow(
      'buildUNet: expected inputSize [h, w] with h and w multiples of 2^depth = 16 (e.g. 64, 128, 256), got [100, 128].',
    );
    let code: string | undefined;
    try {
      buildUNet({ inputSize: [100, 128] });
    } catch (err) {
      code = ColorizeError.isInstance(err) ? err.code : undefined;
    }
    expect(code).toBe('INVALID_SHAPE');
    expect(() => buildUNet({ norm: 'group' as never })).toThrow('buildUNet: expected norm to be one of batch, instance, none, got "group".');
    expect(() => buildUNet({ widths: [1] } as never)).toThrow(/buildUNet: expected an option among base, depth, .*, got "widths"\./);
    expect(() => buildPatchCritic({ inputSize: [16, 16] })).toThrow(/buildPatchCritic: expected an inputSize that leaves at least one output cell/);
  });

  it('names layers by where they are', () => {
    const names = buildUNet({ base: 2, depth: 2 }).layers.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['enc1_conv1', 'enc2_bn2', 'bottleneck_conv2', 'dec1_up', 'dec2_concat', 'head_conv']));
    expect(buildPatchCritic({ base: 2 }).layers.map((l) => l.name)).toEqual(expect.arrayContaining(['critic_conv1', 'critic_conv4_norm', 'critic_out']));
  });
});
