import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

import { maxRelativeError } from '../../../../../scripts/test-utils.js';
import { conv2dBackpropInputSimd } from './conv2d-backprop-input-simd.js';
import type { WasmHeapBackend } from './training-kernels.js';

type Shape4 = [number, number, number, number];

/** tfjs's own cpu Conv2DBackpropInput, the reference; leaves the wasm backend active. */
async function reference(dy: Float32Array, filter: Float32Array, info: tf.backend_util.Conv2DInfo, strides: number[], pad: unknown): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const values = tf.tidy(() => (tf.engine().runKernel('Conv2DBackpropInput',
    { dy: tf.tensor(dy, [b, oh, ow, co]), filter: tf.tensor(filter, [info.filterHeight, info.filterWidth, ci, co]) },
    { strides, pad, dataFormat: 'NHWC', inputShape: [b, h, w, ci] } as never) as tf.Tensor).dataSync() as Float32Array);
  await tf.setBackend('wasm');
  return values;
}

describe('conv2dBackpropInputSimd', () => {
  it.each([
    { name: '4×4/2 explicit 1, 3 channels (the critic\'s first conv), one row per band', x: [2, 10, 12, 3] as Shape4, f: [4, 4, 3, 16] as Shape4, s: [2, 2], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], band: 1 },
    { name: '3×3/1 same, 1 channel (a U-Net\'s first conv), two rows per band', x: [2, 9, 7, 1] as Shape4, f: [3, 3, 1, 9] as Shape4, s: [1, 1], pad: 'same', band: 2 },
    { name: '5×5/3 same, 4 channels (100 values per position: products of 8, 8, 8 and 1 vectors)', x: [1, 11, 13, 4] as Shape4, f: [5, 5, 4, 7] as Shape4, s: [3, 3], pad: 'same', band: 1 },
    { name: '2×3 strides [1, 2] valid, 2 channels (12 values: products of 2 and 1 vectors)', x: [1, 6, 9, 2] as Shape4, f: [2, 3, 2, 5] as Shape4, s: [1, 2], pad: 'valid', band: 3 },
    { name: '3×3/2, padding past the filter, 3 channels', x: [1, 7, 6, 3] as Shape4, f: [3, 3, 3, 6] as Shape4, s: [2, 2], pad: [[0, 0], [4, 0], [0, 3], [0, 0]], band: 1 },
  ])('$name: gives tfjs\'s cpu result with bands of any size, and nothing leaks', async (c) => {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s as [number, number], 1, c.pad as 'same', undefined, false, 'channelsLast');
    await tf.setBackend('wasm');
    const dy = tf.randomNormal([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 0, 1, 'float32', 41);
    const filter = tf.randomNormal(c.f, 0, 1, 'float32', 42);
    const expected = await reference(dy.dataSync() as Float32Array, filter.dataSync() as Float32Array, info, c.s, c.pad);
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const before = tf.memory().numTensors;
    for (const bandBytes of [c.band * 4 * info.outWidth * info.outChannels, 1 << 30]) {
      const out = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInputSimd(backend, dy, filter, info, bandBytes)!);
      expect(out.shape).toEqual(c.x);
      expect(maxRelativeError(out.dataSync(), expected)).toBeLessThan(1e-5);
      out.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([dy, filter]);
  });
});
