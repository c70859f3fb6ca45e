import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { labToXyz, xyzToLab } from './cielab.js';
import { labToRgb, rgbToLab } from './rgb-lab.js';
import { linearToSrgb, srgbToLinear } from './srgb.js';
import { linearRgbToXyz, xyzToLinearRgb } from './xyz.js';

/** The op-by-op versions (what webgl and webgpu run), whose gradients come from tfjs's autodiff. */
const rgbToLabSteps = (t: tf.Tensor) => xyzToLab(linearRgbToXyz(srgbToLinear(t)));
const labToRgbSteps = (t: tf.Tensor) => linearToSrgb(xyzToLinearRgb(labToXyz(t)));

/**
 * Central differences in float32, with a step in the input's own units: 1e-3 for RGB in [0, 1],
 * 2e-2 for Lab (L up to 100), so the loss changes well above float32 round-off (about 1e-4
 * relative); away from the piecewise thresholds, autodiff agrees within this tolerance.
 */
const FD_REL_TOL = 5e-3;

/** A smooth scalar loss of the conversion's output, weighted so every channel matters. */
const loss = (f: (t: tf.Tensor) => tf.Tensor, scale: number) => (x: tf.Tensor) =>
  tf.sum(tf.mul(tf.square(tf.mul(f(x), scale)), tf.reshape(tf.linspace(0.5, 1.5, x.size), x.shape))) as tf.Scalar;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-6);
}

const EDGES_RGB = [
  [0, 0, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.04045, 0.5, 0.003], [1, 1, 0], [0, 1, 1],
];
const EDGES_LAB = [
  [0, 0, 0], [100, 0, 0], [50, 120, -120], [30, -128, 127], [0, 0, 50], [8, 0, 0], [100, 100, 100], [-5, 20, 200],
];

describe.each(TEST_BACKENDS)('gradients on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('are finite at black, white, the primaries, the thresholds, and out-of-gamut or z < 0 Lab', () => {
    tf.tidy(() => {
      const rgb = tf.tensor3d([EDGES_RGB]);
      const lab = tf.tensor3d([EDGES_LAB]);
      const g1 = tf.grad(loss(rgbToLab, 0.01))(rgb).dataSync();
      const g2 = tf.grad(loss((t) => labToRgb(t, { clip: false }), 1))(lab).dataSync();
      const g3 = tf.grad(loss(labToRgb, 1))(lab).dataSync();
      const g4 = tf.grad(loss(rgbToLabSteps, 0.01))(rgb).dataSync();
      const g5 = tf.grad(loss(labToRgbSteps, 1))(lab).dataSync();
      for (const g of [g1, g2, g3, g4, g5]) expect(Array.from(g).every(Number.isFinite)).toBe(true);
      // and second order
      const h = tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.grad(loss(rgbToLab, 0.01))(x))))(rgb).dataSync();
      expect(Array.from(h).every(Number.isFinite)).toBe(true);
    });
  });

  it.each([
    ['rgbToLab', rgbToLab, 0.01, 1e-3, () => tf.randomUniform([2, 3, 3], 0.1, 0.9, 'float32', 5)],
    ['labToRgb', (t: tf.Tensor) => labToRgb(t, { clip: false }), 1, 2e-2, () => tf.add(tf.mul(tf.randomUniform([2, 3, 3], -1, 1, 'float32', 6), [20, 30, 30]), [55, 0, 0])],
    ['labToRgb, clipped', (t: tf.Tensor) => labToRgb(t), 1, 2e-2, () => tf.add(tf.mul(tf.randomUniform([2, 3, 3], -1, 1, 'float32', 6), [20, 30, 30]), [55, 0, 0])],
    ['the rgb → Lab steps', rgbToLabSteps, 0.01, 1e-3, () => tf.randomUniform([2, 3, 3], 0.1, 0.9, 'float32', 5)],
    ['the Lab → rgb steps', labToRgbSteps, 1, 2e-2, () => tf.add(tf.mul(tf.randomUniform([2, 3, 3], -1, 1, 'float32', 6), [20, 30, 30]), [55, 0, 0])],
  ] as const)('%s: first and second order agree with finite differences', (_name, f, scale, FD_STEP, input) => {
    tf.tidy(() => {
      const x = input();
      const v = tf.randomUniform(x.shape, -1, 1, 'float32', 7);
      const g = tf.grad(loss(f, scale));
      // first order: <∇f, v> against (f(x + hv) − f(x − hv)) / 2h
      const fd1 = (loss(f, scale)(tf.add(x, tf.mul(v, FD_STEP))).dataSync()[0]! - loss(f, scale)(tf.sub(x, tf.mul(v, FD_STEP))).dataSync()[0]!) / (2 * FD_STEP);
      const ad1 = tf.sum(tf.mul(g(x), v)).dataSync()[0]!;
      expect(relErr(ad1, fd1)).toBeLessThan(FD_REL_TOL);
      // second order: the Hessian-vector product ∇<∇f, v> against (∇f(x + hv) − ∇f(x − hv)) / 2h
      const hv = tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(g(xv), v)))(x);
      const fd2 = tf.div(tf.sub(g(tf.add(x, tf.mul(v, FD_STEP))), g(tf.sub(x, tf.mul(v, FD_STEP)))), 2 * FD_STEP);
      const w = tf.randomUniform(x.shape, -1, 1, 'float32', 8);
      expect(relErr(tf.sum(tf.mul(hv, w)).dataSync()[0]!, tf.sum(tf.mul(fd2, w)).dataSync()[0]!)).toBeLessThan(FD_REL_TOL);
    });
  });
});
