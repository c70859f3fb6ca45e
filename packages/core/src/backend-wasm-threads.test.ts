import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';

import { initBackend } from './backend.js';
import { kernelThreadCount } from './training/wasm/training-kernels.js';
import { rejection } from '../../../scripts/test-utils.js';

// tfjs starts the wasm backend once per process, and vitest gives each test file its own, so
// this file is the one place the threaded start is asserted (the plain-Node scripts of
// scripts/smoke.test.ts check that a threaded process still exits by itself).
describe('initBackend wasmThreads (Node)', () => {
  it('refuses a thread count that is not an integer from 1 to 8, before starting anything', async () => {
    for (const bad of [0, 9, 1.5, Number.NaN, '2']) {
      const err = await rejection(initBackend({ backend: 'wasm', wasmThreads: bad as number, env: {} }));
      expect(err.code).toBe('INVALID_OPTION');
      expect(err.message).toMatch(/^initBackend: expected wasmThreads to be an integer from 1 to 8/);
    }
    const fromEnv = await rejection(initBackend({ backend: 'wasm', env: { COLORIZE_WASM_THREADS: 'many' } }));
    expect(fromEnv.message).toMatch(/expected COLORIZE_WASM_THREADS to be an integer from 1 to 8, got "many"/);
    expect(tf.findBackend('wasm')).toBeNull();
  });

  it('runs the wasm backend on two threads in Node, with the same results as the cpu backend', async () => {
    expect(await initBackend({ backend: 'wasm', wasmThreads: 2, env: {} })).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
    // colorize's Winograd kernel runs on as many threads: the forward conv of f and its input gradient.
    expect(kernelThreadCount()).toBe(2);
    // Large enough for XNNPACK to split it over both threads; through colorize's wasm training
    // kernels (the filter and input gradients) too.
    const x = tf.randomNormal([2, 24, 24, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 16, 32], 0, 1, 'float32', 2) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
    const run = () =>
      tf.tidy(() => {
        const [dx, dw] = tf.grads(f)([x, w]);
        return [tf.conv2d(x, w, 2, 'valid'), dx!, dw!].map((t) => t.dataSync().slice());
      });
    const before = tf.memory().numTensors;
    const threaded = run();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    const reference = run();
    for (let k = 0; k < reference.length; k++) {
      const ref = reference[k]!;
      const got = threaded[k]!;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < ref.length; i++) {
        worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
        scale = Math.max(scale, Math.abs(ref[i]!));
      }
      expect(worst / scale, `output ${k}`).toBeLessThan(1e-5);
    }
    // The wasm backend keeps its threads once started; asking again says nothing and sets only colorize's.
    expect(await initBackend({ backend: 'wasm', wasmThreads: 4, env: {} })).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
    expect(kernelThreadCount()).toBe(4);
    expect(await initBackend({ backend: 'wasm', wasmThreads: 1, env: {} })).toBe('wasm');
    expect(kernelThreadCount()).toBe(1);
  });
});
