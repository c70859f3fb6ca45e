import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizeError, countLeakedTensors, initBackend } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { beforeAll, describe, expect, it } from 'vitest';

import { referenceAnnealedMean } from '../../../scripts/ab-class-reference.js';
import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { getClassBias, setClassBias } from './class-bias.js';
import { buildUNet } from './unet.js';

/** float32 softmax over 261 classes against a float64 reference. */
const AB_ATOL = 1e-5;

describe.each(TEST_BACKENDS)('setClassBias on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });
  const bins = abGamutBins();
  const T = 0.38;

  /** A small classification U-Net whose softmax is far from uniform, and its logits sub-model. */
  function classifier(seed: number): { model: tfl.LayersModel; logits: tfl.LayersModel } {
    const model = buildUNet({ base: 4, depth: 2, head: 'classification', temperature: T });
    const head = model.getLayer('head_conv');
    const weights = head.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, i === 0 ? 2 : 3, 'float32', seed + i));
    head.setWeights(weights);
    tf.dispose(weights);
    return { model, logits: tfl.model({ inputs: model.inputs, outputs: model.getLayer('head_conv').output as tfl.SymbolicTensor }) };
  }
  const bias = (seed: number) => Float32Array.from({ length: bins.count }, (_, q) => Math.sin(seed * 7.1 + q * 0.37) * 2);
  const predict = (m: tfl.LayersModel, x: tf.Tensor) => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  it('decodes the annealed mean of softmax((z + bias) / T), z the trained logits', async () => {
    const { model, logits } = classifier(31);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 6);
    const z = predict(logits, x);
    const before = predict(model, x);
    const b = bias(1);
    const leaked = await countLeakedTensors(() => setClassBias(model, b));
    expect(leaked).toBe(0);
    const shifted = Float64Array.from(z, (v, i) => v + b[i % bins.count]!);
    const after = predict(model, x);
    expect(maxDiff(after, referenceAnnealedMean(bins.centres, shifted, T))).toBeLessThan(AB_ATOL);
    // The bias moves the colours: not a test that passes on an unchanged model.
    expect(maxDiff(after, before)).toBeGreaterThan(0.05);
    expect(Array.from(getClassBias(model)!)).toEqual(Array.from(b));
    x.dispose();
  });

  it('replaces the bias in force instead of adding to it, and null gives back the trained model', () => {
    const { model, logits } = classifier(41);
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 7);
    const trained = predict(model, x);
    const z = predict(logits, x);
    expect(getClassBias(model)).toBeNull();
    setClassBias(model, bias(2));
    setClassBias(model, bias(3));
    const b = bias(3);
    const reference = referenceAnnealedMean(bins.centres, Float64Array.from(z, (v, i) => v + b[i % bins.count]!), T);
    expect(maxDiff(predict(model, x), reference)).toBeLessThan(AB_ATOL);
    setClassBias(model, null);
    expect(getClassBias(model)).toBeNull();
    expect(maxDiff(predict(model, x), trained)).toBeLessThan(AB_ATOL);
    x.dispose();
  });

  it('a saved and reloaded model keeps the bias, its other metadata, and can be given another', async () => {
    const { model } = classifier(51);
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 8);
    const trained = predict(model, x);
    model.setUserDefinedMetadata({ colorize: { size: 64 } });
    setClassBias(model, bias(4));
    const biased = predict(model, x);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(maxDiff(predict(loaded, x), biased)).toBeLessThan(AB_ATOL);
    expect(loaded.getUserDefinedMetadata()).toMatchObject({ colorize: { size: 64 } });
    setClassBias(loaded, null);
    expect(maxDiff(predict(loaded, x), trained)).toBeLessThan(AB_ATOL);
    expect(loaded.getUserDefinedMetadata()).toEqual({ colorize: { size: 64 } });
    x.dispose();
  });

  it('refuses a model without the head, a bias of the wrong length, and non-finite values', () => {
    const { model } = classifier(61);
    const refuse = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(ColorizeError);
      expect(f).toThrow(message);
    };
    refuse(() => setClassBias(buildUNet({ base: 2, depth: 1 }), bias(1)), /setClassBias: expected a U-Net with a classification head/);
    refuse(() => getClassBias(buildUNet({ base: 2, depth: 1 })), /getClassBias: expected a U-Net with a classification head/);
    refuse(() => setClassBias(model, new Float32Array(260)), /setClassBias: expected bias as 261 finite numbers \(one per class\) or null, got/);
    const nan = bias(1);
    nan[7] = Number.NaN;
    refuse(() => setClassBias(model, nan), /bias as 261 finite numbers/);
    refuse(() => setClassBias(model, 'log w' as unknown as number[]), /bias as 261 finite numbers/);
    // A refused call changes nothing.
    expect(getClassBias(model)).toBeNull();
    // A model file whose stored bias is not one per class: refused, not NaN logits.
    model.setUserDefinedMetadata({ classBias: [1, 2, 3] });
    refuse(() => setClassBias(model, null), /getClassBias: expected the metadata's classBias as 261 finite numbers, got/);
    expect(() => getClassBias(model)).toThrow(/classBias as 261/);
  });
});
