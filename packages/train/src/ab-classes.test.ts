import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { ColorizeError, countLeakedTensors, initBackend } from '@colorize/core';
import { abGamutBins } from '@colorize/lab';
import { beforeAll, describe, expect, it } from 'vitest';

import { referenceLoss, referenceTarget as softEncoding } from '../../../scripts/ab-class-reference.js';
import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { abClassificationLoss, abClassPrior, abClassTargets, abClassWeights } from './ab-classes.js';
import { tensorDataset } from './tensor-dataset.js';

const { centres } = abGamutBins();
const Q = centres.length / 2;

const referenceTarget = (a: number, b: number, k?: number, sigma?: number, weights?: ArrayLike<number>) => softEncoding(centres, a, b, k, sigma, weights);

/** Whole-unit ab values (the table's own cells), in model space, with their units. */
function wholeUnitAb(seed: number, count: number): { units: number[][]; ab: tf.Tensor4D } {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
  const units = Array.from({ length: count }, () => [Math.round(next() * 200 - 100), Math.round(next() * 200 - 100)]);
  return { units, ab: tf.tensor4d(units.flat().map((u) => u / 110), [1, 1, count, 2]) };
}

describe.each(TEST_BACKENDS)('colour classification on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it("abClassTargets is Zhang et al.'s soft encoding (5 nearest bins, σ 5) to 1e-6, with and without class weights", async () => {
    const { units, ab } = wholeUnitAb(1, 40);
    const weights = Array.from({ length: Q }, (_, q) => 0.5 + (q % 7) / 3);
    for (const w of [undefined, weights]) {
      const t = abClassTargets(ab, centres, w ? { classWeights: w } : undefined);
      expect(t.shape).toEqual([1, 1, 40, Q]);
      const data = await t.data();
      units.forEach(([a, b], p) => {
        const ref = referenceTarget(a!, b!, 5, 5, w);
        for (let q = 0; q < Q; q += 1) expect(Math.abs(data[p * Q + q]! - ref[q]!), `(${a}, ${b}) bin ${q}`).toBeLessThan(1e-6);
      });
      t.dispose();
    }
    ab.dispose();
  });

  it('abClassTargets rounds ab to whole units, clips at ±110, and takes other neighbour counts and σ', async () => {
    const ab = tf.tensor4d([12.4 / 110, -33.6 / 110, 2, -2], [1, 1, 2, 2]);
    const t = await abClassTargets(ab, centres, { neighbours: 3, sigma: 8 }).data();
    const first = referenceTarget(12, -34, 3, 8);
    const second = referenceTarget(110, -110, 3, 8);
    for (let q = 0; q < Q; q += 1) {
      expect(t[q]!).toBeCloseTo(first[q]!, 6);
      expect(t[Q + q]!).toBeCloseTo(second[q]!, 6);
    }
    ab.dispose();
  });

  it('abClassificationLoss is the mean over pixels of −Σ Z log softmax(logits), and its gradient (softmax · ΣZ − Z) / pixels', async () => {
    const { units, ab } = wholeUnitAb(2, 12);
    const logits = tf.randomNormal([1, 1, 12, Q], 0, 2, 'float32', 3) as tf.Tensor4D;
    const weights = Array.from({ length: Q }, (_, q) => 1 + (q % 3));
    const { loss: ref, grad: refGrad } = referenceLoss(centres, await logits.data(), units, weights);
    const loss = abClassificationLoss(logits, ab, centres, { classWeights: weights });
    expect(Math.abs(loss.dataSync()[0]! - ref) / ref).toBeLessThan(1e-5);
    const grad = await tf.grad((x: tf.Tensor) => abClassificationLoss(x as tf.Tensor4D, ab, centres, { classWeights: weights }))(logits).data();
    for (let i = 0; i < grad.length; i += 1) expect(Math.abs(grad[i]! - refGrad[i]!)).toBeLessThan(1e-6);
    expect(await countLeakedTensors(() => abClassificationLoss(logits, ab, centres))).toBe(0);
    tf.dispose([loss, logits, ab]);
  });

  it('refuses bad logits, ab, centres and options with a ColorizeError naming the function', () => {
    const ab = tf.zeros([1, 2, 2, 2]) as tf.Tensor4D;
    const logits = tf.zeros([1, 2, 2, Q]) as tf.Tensor4D;
    expect(() => abClassificationLoss(tf.zeros([1, 2, 2, 10]) as tf.Tensor4D, ab, centres)).toThrow(/abClassificationLoss: expected logits \(one per bin, 261\)/);
    expect(() => abClassificationLoss(logits, tf.zeros([1, 2, 3, 2]) as tf.Tensor4D, centres)).toThrow(/abClassificationLoss: expected ab of shape \[1, 2, 2, 2\]/);
    expect(() => abClassificationLoss(logits, ab, new Float32Array(3))).toThrow(/centres/);
    expect(() => abClassificationLoss(logits, ab, centres, { sigma: 0 })).toThrow(/abClassificationLoss: expected sigma to be a number > 0, got 0/);
    expect(() => abClassTargets(ab, centres, { neighbours: 1.5 })).toThrow(/neighbours to be an integer > 0/);
    expect(() => abClassTargets(ab, centres, { classWeights: [1, 2] })).toThrow(/classWeights as 261 finite numbers/);
    expect(() => abClassTargets(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, centres)).toThrow(ColorizeError);
    tf.dispose([ab, logits]);
  });
});

describe('class rebalancing', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', env: {} });
  });

  it('abClassWeights by hand: bins (0,0), (10,0), (100,0), prior ½ ½ 0, λ ½ → weights 1, 1, 2.5', () => {
    const three = new Float32Array([0, 0, 10, 0, 100, 0]);
    // Smoothing (σ 5) moves e^−2 of each near bin's mass to the other: still ½ ½ ~0. Then
    // 1 / (½ · ½ + ½ / 3) = 2.4 twice and 1 / (½ / 3) = 6, divided by their mean 2.4.
    const w = abClassWeights([0.5, 0.5, 0], three);
    expect(Array.from(w).map((x) => Number(x.toFixed(5)))).toEqual([1, 1, 2.5]);
    expect(Array.from(abClassWeights([0.5, 0.5, 0], three, { rebalance: 1 }))).toEqual([1, 1, 1]);
    // An uneven prior: the rarer bin weighs more, and the expectation under the smoothed prior is 1.
    const uneven = abClassWeights([0.9, 0.1, 0], three, { sigma: 1 });
    expect(uneven[1]!).toBeGreaterThan(uneven[0]!);
    expect(0.9 * uneven[0]! + 0.1 * uneven[1]!).toBeCloseTo(1, 5);
    expect(() => abClassWeights([0, 0, 0], three)).toThrow(/abClassWeights: expected prior as 3 numbers ≥ 0 with a positive sum/);
    expect(() => abClassWeights([1, 0, 0], three, { rebalance: 2 })).toThrow(/rebalance/);
  });

  it("abClassPrior counts each pixel's nearest bin over an epoch", async () => {
    // 3 images of 2×2: 6 pixels at ab (0, 0), 4 at (31, −12) → bin (30, −10), 2 at (−58, 44) → (−60, 40).
    const abValues: number[] = [];
    for (const [a, b, n] of [[0, 0, 6], [31, -12, 4], [-58, 44, 2]] as const) for (let i = 0; i < n; i += 1) abValues.push(a / 110, b / 110);
    const data = tensorDataset({ L: tf.zeros([3, 2, 2, 1]), ab: tf.tensor4d(abValues, [3, 2, 2, 2]) }, { batchSize: 2, shuffle: false, flip: false });
    const prior = await abClassPrior(data, centres);
    const bin = (a: number, b: number) => Array.from({ length: Q }, (_, q) => q).find((q) => centres[2 * q] === a && centres[2 * q + 1] === b)!;
    expect(prior[bin(0, 0)]).toBeCloseTo(0.5, 6);
    expect(prior[bin(30, -10)]).toBeCloseTo(1 / 3, 6);
    expect(prior[bin(-60, 40)]).toBeCloseTo(1 / 6, 6);
    expect(prior.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
  });
});
