import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { ColorizeError } from './errors.js';
import { assertImage, assertOptions, assertPositive, assertSameShape } from './validate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return ColorizeError.isInstance(err) ? err.code : 'not a ColorizeError';
  }
  return undefined;
}

describe('assertImage', () => {
  it('accepts rank 3 and 4 images with allowed channels', () => {
    const x = tf.zeros([2, 4, 5, 3]);
    expect(assertImage('f', x, { channels: [3] })).toBe(x);
    expect(assertImage('f', tf.zeros([4, 5, 1]))).toBeDefined();
  });

  it('names the function, the expected shape and the actual one', () => {
    expect(() => assertImage('rgbToLab', tf.zeros([2, 64, 64, 1]), { channels: [3] })).toThrow(
      'rgbToLab: expected an image of shape [h, w, 3] or [b, h, w, 3], got [2, 64, 64, 1].',
    );
    expect(() => assertImage('f', tf.zeros([4, 4]), { ranks: [4], channels: [1, 2] })).toThrow(
      'f: expected an image of shape [b, h, w, 1|2], got [4, 4].',
    );
    expect(() => assertImage('f', tf.zeros([0, 4, 3]))).toThrow(/got \[0, 4, 3\]/);
    expect(() => assertImage('f', [1, 2, 3])).toThrow('f: expected an image of shape [h, w, c] or [b, h, w, c] tensor, got [1, 2, 3].');
    expect(codeOf(() => assertImage('f', 'x'))).toBe('INVALID_SHAPE');
  });

  it('rejects disposed tensors and wrong dtypes', () => {
    const t = tf.zeros([2, 2, 3]);
    t.dispose();
    expect(() => assertImage('f', t)).toThrow(/disposed/);
    expect(() => assertImage('f', tf.zeros([2, 2, 3], 'int32'), { dtypes: ['float32'] })).toThrow(
      'f: expected an image of dtype float32, got int32.',
    );
    expect(codeOf(() => assertImage('f', tf.zeros([2, 2, 3], 'bool'), { dtypes: ['float32'] }))).toBe('INVALID_DTYPE');
  });
});

describe('assertSameShape', () => {
  it('throws with both shapes', () => {
    expect(() => assertSameShape('psnr', tf.zeros([2, 3, 3]), tf.zeros([2, 3, 1]))).toThrow(
      'psnr: expected pred and target of the same shape, got [2, 3, 3] and [2, 3, 1].',
    );
    expect(() => assertSameShape('psnr', tf.zeros([2, 3]), tf.zeros([2, 3]))).not.toThrow();
  });
});

describe('assertOptions', () => {
  it('lists the valid options for an unknown one', () => {
    expect(() => assertOptions<{ dataRange: number }>('psnr', { dataRnage: 1 } as never, ['dataRange'])).toThrow(
      'psnr: expected an option among dataRange, got "dataRnage".',
    );
    expect(() => assertOptions('psnr', 5 as never, [])).toThrow('psnr: expected an options object, got 5.');
    expect(assertOptions('f', undefined, [])).toEqual({});
  });

  it('assertPositive rejects zero, negatives, NaN and non-numbers', () => {
    for (const v of [0, -1, Number.NaN, Infinity, '255', undefined]) {
      expect(codeOf(() => assertPositive('psnr', 'dataRange', v))).toBe('INVALID_OPTION');
    }
    expect(assertPositive('psnr', 'dataRange', 255)).toBe(255);
  });
});
