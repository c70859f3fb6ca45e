import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { describe, expect, it } from 'vitest';

import fixture from './__fixtures__/levin.json' with { type: 'json' };
import { hintModelInput } from './colorize-image.js';
import { spreadHints } from './spread-hints.js';
import { buildUNet } from './unet.js';

const { height, width } = fixture;
const n = height * width;
/** The fixture's L in model space. */
const L = Float32Array.from(fixture.L, (v) => v / 50 - 1);
const hints = Float32Array.from(fixture.hints);
const exact = Float32Array.from(fixture.ab);

const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const meanAbs = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('spreadHints', () => {
  it("converges to Levin et al.'s exact solution (scipy's sparse solve of getColorExact.m's system)", () => {
    // A hard case: the region between the disc and the bar holds no hint and is walled off by
    // edges, so Gauss–Seidel reaches it slowly.
    const ab = spreadHints(L, hints, height, width, { sweeps: 6000, coarseSweeps: 10_000 });
    expect(maxAbs(ab, exact)).toBeLessThan(1e-3);
  });

  it('comes closer to it with the default sweeps than the mean hint everywhere, by over 3 times', () => {
    const ab = spreadHints(L, hints, height, width);
    const flat = new Float32Array(n * 2);
    let count = 0;
    for (let i = 0; i < n; i += 1) {
      if (hints[i * 3 + 2] === 1) {
        flat[0] = flat[0]! + hints[i * 3]!;
        flat[1] = flat[1]! + hints[i * 3 + 1]!;
        count += 1;
      }
    }
    for (let i = n * 2 - 1; i >= 0; i -= 1) flat[i] = flat[i % 2]! / count;
    expect(meanAbs(ab, exact)).toBeLessThan(meanAbs(flat, exact) / 3);
  });

  it('keeps every hinted pixel at its hint, and gives grey without hints', () => {
    const ab = spreadHints(L, hints, height, width);
    for (let i = 0; i < n; i += 1) {
      if (hints[i * 3 + 2] === 1) expect([ab[i * 2], ab[i * 2 + 1]]).toEqual([hints[i * 3], hints[i * 3 + 1]]);
    }
    expect(spreadHints(L, new Float32Array(n * 3), height, width).every((v) => v === 0)).toBe(true);
  });

  it('handles one pixel, one row and odd sizes', () => {
    expect(Array.from(spreadHints(Float32Array.of(0), Float32Array.of(0.2, -0.1, 1), 1, 1))).toEqual([Math.fround(0.2), Math.fround(-0.1)]);
    const row = spreadHints(new Float32Array(13), Float32Array.from({ length: 39 }, (_, i) => (i === 2 ? 1 : i === 0 ? 0.3 : 0)), 1, 13);
    for (let i = 0; i < 13; i += 1) expect(row[i * 2]).toBeCloseTo(0.3, 5);
  });

  it('refuses arrays that do not match the size, and bad options, naming the function', () => {
    expect(() => spreadHints(L, hints, height + 1, width)).toThrow(/spreadHints: expected L as a Float32Array of 25×32 values/);
    expect(() => spreadHints(L, hints.subarray(3), height, width)).toThrow(/spreadHints: expected hints as a Float32Array of 24×32×3 values/);
    expect(() => spreadHints(L, hints, 0, width)).toThrow(/spreadHints: expected height and width to be integers ≥ 1/);
    expect(() => spreadHints(L, hints, height, width, { sweeps: -1 })).toThrow(/spreadHints: expected sweeps to be an integer in \[0, 10000\]/);
  });
});

describe('a U-Net with a residual prior', () => {
  it('returns the spread hints untrained, and refuses a head or input that cannot carry them', async () => {
    await initBackend({ backend: 'cpu' });
    const before = tf.memory().numTensors;
    const model = buildUNet({ base: 4, depth: 2, inChannels: 6, residualPrior: true, outputActivation: 'linear' });
    const size = 16;
    const l = Float32Array.from({ length: size * size }, (_, i) => ((i * 37) % 100) / 50 - 1);
    const h = new Float32Array(size * size * 3);
    h.set([0.4, -0.2, 1], (5 * size + 3) * 3);
    h.set([-0.3, 0.25, 1], (12 * size + 11) * 3);
    const input = hintModelInput(l, h, size, size, 6);
    const out = tf.tidy(() => (model.predict(tf.tensor4d(input, [1, size, size, 6])) as tf.Tensor).dataSync());
    const spread = spreadHints(l, h, size, size);
    expect(maxAbs(Float32Array.from(out), spread)).toBeLessThan(1e-6);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => buildUNet({ inChannels: 2, residualPrior: true })).toThrow(/buildUNet: expected residualPrior with the regression head and more than outChannels/);
    expect(() => buildUNet({ inChannels: 6, residualPrior: true, head: 'classification' })).toThrow(/residualPrior/);
    expect(() => hintModelInput(l, h, size, size, 5)).toThrow(/hintModelInput: expected inChannels 4 or 6/);
  });
});
