import * as tf from '@tensorflow/tfjs-core';
import { countLeakedTensors, initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../scripts/test-backends.js';
import { colorize, joinLab, labToModel, modelToLab, splitLab } from './model-space.js';
import { rgbToLab } from './rgb-lab.js';

describe.each(TEST_BACKENDS)('model space on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('maps L to L/50 − 1 and ab to ab/110, and back', () => {
    const lab = tf.tensor3d([[[0, -110, 110], [100, 55, -22]]]);
    expect(Array.from(labToModel(lab).dataSync())).toEqual([-1, -1, 1, 1, 0.5, -0.2].map(Math.fround));
    const back = modelToLab(labToModel(lab)).dataSync();
    Array.from(lab.dataSync()).forEach((v, i) => expect(back[i]).toBeCloseTo(v, 4));
  });

  it('splits and joins L and ab', () => {
    const lab = tf.randomUniform([2, 3, 4, 3], -1, 1, 'float32', 1);
    const { L, ab } = splitLab(lab);
    expect(L.shape).toEqual([2, 3, 4, 1]);
    expect(ab.shape).toEqual([2, 3, 4, 2]);
    expect(Array.from(joinLab(L, ab).dataSync())).toEqual(Array.from(lab.dataSync()));
  });

  it('colorize(L, ab) of a photo\'s own L and ab gives the photo back; with ab = 0 a grey image', () => {
    const rgb = tf.randomUniform([1, 5, 6, 3], 0.05, 0.95, 'float32', 2);
    const { L, ab } = splitLab(labToModel(rgbToLab(rgb)));
    const diff = tf.max(tf.abs(tf.sub(colorize(L, ab), rgb))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-4);
    const grey = colorize(L, tf.zerosLike(ab));
    const [r, g, b] = tf.split(grey, 3, -1);
    expect(tf.max(tf.abs(tf.sub(r!, g!))).dataSync()[0]!).toBeLessThan(1e-3);
    expect(tf.max(tf.abs(tf.sub(g!, b!))).dataSync()[0]!).toBeLessThan(1e-3);
  });

  it('leaks no tensors', async () => {
    const m = tf.randomUniform([4, 4, 3], -1, 1);
    const L = tf.randomUniform([4, 4, 1], -1, 1);
    const ab = tf.randomUniform([4, 4, 2], -1, 1);
    for (const f of [() => labToModel(m), () => modelToLab(m), () => splitLab(m), () => joinLab(L, ab), () => colorize(L, ab)]) {
      expect(await countLeakedTensors(f)).toBe(0);
    }
  });
});

describe('model space input checks', () => {
  it('rejects mismatched L and ab', () => {
    expect(() => joinLab(tf.zeros([4, 4, 1]), tf.zeros([4, 5, 2]))).toThrow(
      'joinLab: expected L and ab with the same leading shape, got [4, 4, 1] and [4, 5, 2].',
    );
    expect(() => colorize(tf.zeros([4, 4, 2]), tf.zeros([4, 4, 2]))).toThrow(/joinLab: expected L, an image of shape \[h, w, 1\]/);
  });
});
