import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { assertNoLeakedTensors, countLeakedTensors } from './memory.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('countLeakedTensors', () => {
  it('is 0 for a tidy function, and does not count the tensors it returns', async () => {
    const x = tf.ones([3]);
    expect(await countLeakedTensors(() => tf.tidy(() => tf.add(tf.mul(x, 2), 1)))).toBe(0);
    expect(await countLeakedTensors(async () => ({ a: tf.zeros([2]), b: [tf.ones([1])] }))).toBe(0);
  });

  it('counts tensors a function forgot, sync or async', async () => {
    const x = tf.ones([3]);
    expect(await countLeakedTensors(() => tf.add(tf.mul(x, 2), 1))).toBe(1); // the tf.mul
    expect(
      await countLeakedTensors(async () => {
        tf.zeros([1]);
        await Promise.resolve();
        tf.zeros([1]);
      }),
    ).toBe(2);
  });

  it('does not dispose an input the function returns as is', async () => {
    const x = tf.ones([3]);
    expect(await countLeakedTensors(() => x)).toBe(0);
    expect(x.isDisposed).toBe(false);
  });

  it('assertNoLeakedTensors throws TENSOR_LEAK with the count', async () => {
    await expect(assertNoLeakedTensors(() => tf.tidy(() => tf.zeros([1])))).resolves.toBeUndefined();
    await expect(assertNoLeakedTensors(() => void tf.zeros([1]), 'makeThing()')).rejects.toThrow(
      'assertNoLeakedTensors: expected makeThing() to leave no tensors, got 1.',
    );
  });
});
