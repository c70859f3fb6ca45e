import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { countLeakedTensors, fileSystem, initBackend } from '@colorize/core';
import { describe, expect, it } from 'vitest';

import critic from '../../../../fixtures/critic-gp.json' with { type: 'json' };
import unet from '../../../../fixtures/unet-tiny.json' with { type: 'json' };
import { fixtureBatchMovingStats, fixtureTensor, loadFixtureWeights } from '../../../../scripts/model-fixtures.js';
import type { FixtureEntry } from '../../../../scripts/model-fixtures.js';
import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { colorizeImage } from '../colorize-image.js';
import '../instance-normalization.js';
import { buildPatchCritic } from '../patch-critic.js';
import { buildUNet } from '../unet.js';
import { exportOnnx } from './export-onnx.js';
import { onnxPredictor } from './onnx-predictor.js';

/** Issue #12's tolerance: |onnxruntime − tfjs| ≤ 1e-4 (relative past magnitude 1). */
const TOL = 1e-4;

async function runOnnx(bytes: Uint8Array, x: tf.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    return out[session.outputNames[0]!] as { data: Float32Array; dims: readonly number[] };
  } finally {
    await session.release();
  }
}

function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** Exports `model`, runs it in onnxruntime-node, and returns the worst difference from tfjs on `x`. */
async function onnxVsTfjs(model: tfl.LayersModel, x: tf.Tensor, layout: 'nhwc' | 'nchw' = 'nhwc'): Promise<number> {
  const ref = model.predict(x) as tf.Tensor;
  const feed = layout === 'nchw' ? tf.transpose(x, [0, 3, 1, 2]) : x;
  const out = await runOnnx(exportOnnx(model, { layout }), feed);
  const expected = layout === 'nchw' ? tf.transpose(ref, [0, 3, 1, 2]) : ref;
  expect(out.dims).toEqual(expected.shape);
  const diff = maxScaledDiff(out.data, expected.dataSync());
  tf.dispose([ref, ...(feed === x ? [] : [feed]), ...(expected === ref ? [] : [expected])]);
  return diff;
}

/** Gives BatchNorm layers non-trivial moving statistics and affine weights, so inference-form BN is exercised. */
function randomizeBatchNorm(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(layer.getWeights().map((w, i) => (i === 3 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', 7) : tf.randomNormal(w.shape, 0, 0.3, 'float32', 11 + i))));
  }
}

describe.each(TEST_BACKENDS)('exportOnnx, against tfjs on %s', (backend) => {
  it('the PyTorch fixture U-Net (eval mode) and critic give the fixture outputs in onnxruntime', async () => {
    await initBackend({ backend, env: {} });
    const g = buildUNet({ base: 4, depth: 2, inputSize: null });
    loadFixtureWeights(g, unet.params as Record<string, FixtureEntry>, fixtureBatchMovingStats(unet.bn_stats));
    const x = fixtureTensor(unet.inputs.x);
    const out = await runOnnx(exportOnnx(g), x);
    expect(maxScaledDiff(out.data, unet.outputs.eval_batch_moving_stats.values as number[])).toBeLessThanOrEqual(TOL);
    expect(await onnxVsTfjs(g, x)).toBeLessThanOrEqual(TOL);

    const d = buildPatchCritic({ base: 4 });
    loadFixtureWeights(d, critic.params as Record<string, FixtureEntry>);
    const real = fixtureTensor(critic.inputs.real);
    const scores = await runOnnx(exportOnnx(d), real);
    expect(scores.dims).toEqual(critic.outputs.d_real.shape);
    expect(maxScaledDiff(scores.data, critic.outputs.d_real.values as number[])).toBeLessThanOrEqual(TOL);
    expect(await onnxVsTfjs(d, real)).toBeLessThanOrEqual(TOL);
    tf.dispose([x, real]);
    g.dispose();
    d.dispose();
  });

  it('the shipped model at batch 1 and 16, at two sizes, in both layouts', async () => {
    await initBackend({ backend, env: {} });
    const model = await tfl.loadLayersModel(fileSystem(join(import.meta.dirname, '../../../cli/model')));
    for (const [batch, size] of [[1, 64], [16, 32], [1, 48], [16, 16]] as const) {
      const x = tf.randomUniform([batch, size, size, 1], -1, 1, 'float32', batch + size);
      expect(await onnxVsTfjs(model, x)).toBeLessThanOrEqual(TOL);
      if (batch === 1) expect(await onnxVsTfjs(model, x, 'nchw')).toBeLessThanOrEqual(TOL);
      x.dispose();
    }
    model.dispose();
  });

  it('random-weight models of every option: norms, up-sampling, dropout, depths, the classification head (softmax over channels), critic sizes, odd inputs', async () => {
    await initBackend({ backend, env: {} });
    const cases: [tfl.LayersModel, number[]][] = [
      [buildUNet({ base: 8, depth: 3, inputSize: null }), [2, 24, 40, 1]],
      [buildUNet({ base: 4, depth: 2, inputSize: null, upsample: 'bilinear', dropout: 0.3 }), [16, 16, 16, 1]],
      [buildUNet({ base: 4, depth: 1, inputSize: null, norm: 'instance', outputActivation: 'linear' }), [1, 18, 10, 1]],
      [buildUNet({ base: 4, depth: 2, inputSize: null, norm: 'none' }), [3, 32, 32, 1]],
      [buildUNet({ base: 4, depth: 2, inputSize: null, head: 'classification' }), [2, 16, 24, 1]],
      [buildPatchCritic({ base: 8 }), [2, 64, 64, 3]],
      [buildPatchCritic({ base: 4 }), [1, 45, 70, 3]],
    ];
    for (const [model, shape] of cases) {
      randomizeBatchNorm(model);
      const x = tf.randomNormal(shape, 0, 1, 'float32', shape[1]);
      expect(await onnxVsTfjs(model, x), model.name).toBeLessThanOrEqual(TOL);
      x.dispose();
      model.dispose();
    }
  });

  it('standard layers beyond the builders: same-padded strided convs, transposed convs, pooling, activations, Add', async () => {
    await initBackend({ backend, env: {} });
    const input = tfl.input({ shape: [null, null, 3] });
    const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 4, kernelSize: [3, 5], dilationRate: 2, padding: 'same', activation: 'elu' }).apply(a) as tfl.SymbolicTensor;
    const c = tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(b) as tfl.SymbolicTensor;
    const d = tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }).apply(c) as tfl.SymbolicTensor;
    const e = tfl.layers.add().apply([d, tfl.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(b) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
    const f = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'valid' }).apply(e) as tfl.SymbolicTensor;
    const h = tfl.layers.upSampling2d({ size: [2, 3] }).apply(tfl.layers.reLU({ maxValue: 6 }).apply(f) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.activation({ activation: 'softsign' }).apply(h) as tfl.SymbolicTensor });
    for (const shape of [[2, 16, 16, 3], [1, 23, 39, 3]]) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
      expect(await onnxVsTfjs(model, x)).toBeLessThanOrEqual(TOL);
      x.dispose();
    }
    model.dispose();
  });

  it('colorizeImage gives the same photo through onnxPredictor as through tfjs', async () => {
    await initBackend({ backend, env: {} });
    const model = await tfl.loadLayersModel(fileSystem(join(import.meta.dirname, '../../../cli/model')));
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const width = 57;
    const height = 43;
    const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i >> 7)) % 256);
    const viaTfjs = await colorizeImage(model, { width, height, data }, { renderSize: 64 });
    const viaOnnx = await colorizeImage(onnxPredictor(session, ort.Tensor), { width, height, data }, { renderSize: 64 });
    let worst = 0;
    for (let i = 0; i < data.length; i += 1) worst = Math.max(worst, Math.abs(viaTfjs.data[i]! - viaOnnx.data[i]!));
    expect(worst).toBeLessThanOrEqual(1); // 8-bit rounding of values equal within 1e-4
    await session.release();
    model.dispose();
  });

  it('leaks no tensors', async () => {
    await initBackend({ backend, env: {} });
    const model = buildUNet({ base: 4, depth: 2, inputSize: null });
    expect(await countLeakedTensors(() => exportOnnx(model))).toBe(0);
    model.dispose();
  });
});

describe('exportOnnx errors', () => {
  it('names a layer it cannot export and its class', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const input = tfl.input({ shape: [8, 8, 1] });
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'features' }).apply(input) as tfl.SymbolicTensor;
    const sep = tfl.layers.separableConv2d({ filters: 2, kernelSize: 3, name: 'sep' }).apply(conv) as tfl.SymbolicTensor;
    expect(() => exportOnnx(tfl.model({ inputs: input, outputs: sep }))).toThrow(/layer "sep" is a SeparableConv2D, which colorize cannot export/);
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(conv) as tfl.SymbolicTensor;
    expect(() => exportOnnx(tfl.model({ inputs: input, outputs: flat }))).toThrow(/layer "flat" is a Flatten/);
    const gelu = tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'swish', name: 'swishy' }).apply(input) as tfl.SymbolicTensor;
    expect(() => exportOnnx(tfl.model({ inputs: input, outputs: gelu }))).toThrow(/layer "swishy" uses the activation "swish"/);
  });

  it('checks its options and argument', () => {
    const model = buildUNet({ base: 2, depth: 1, inputSize: null });
    expect(() => exportOnnx(model, { layout: 'nwhc' as 'nhwc' })).toThrow(/exportOnnx: expected layout "nhwc" or "nchw", got "nwhc"/);
    expect(() => exportOnnx(model, { opset: 11 })).toThrow(/opset to be an integer ≥ 13/);
    expect(() => exportOnnx(model, { precision: 'fp16' } as never)).toThrow(/expected an option among layout, opset, producer/);
    expect(() => exportOnnx({} as tfl.LayersModel)).toThrow(/a tfjs layers model/);
    expect(() => onnxPredictor({} as never, ort.Tensor)).toThrow(/onnxPredictor: expected an onnxruntime InferenceSession/);
  });

  it('a file that is not ONNX is refused by onnxruntime with an error, not a crash', async () => {
    const bytes = readFileSync(join(import.meta.dirname, '../../../cli/model/model.json'));
    await expect(ort.InferenceSession.create(new Uint8Array(bytes))).rejects.toThrow();
  });
});
