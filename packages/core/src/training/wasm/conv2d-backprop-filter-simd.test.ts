import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

import { maxRelativeError } from '../../../../../scripts/test-utils.js';
import { conv2dBackpropFilterSimd } from './conv2d-backprop-filter-simd.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** tfjs's own cpu Conv2DBackpropFilter (a direct loop), the reference; leaves the wasm backend active. */
async function reference(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo, strides: [number, number], pad: unknown): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const values = tf.tidy(() => (tf.engine().runKernel('Conv2DBackpropFilter',
    { x: tf.tensor(x, [b, h, w, ci]), dy: tf.tensor(dy, [b, oh, ow, co]) },
    { strides, pad, dataFormat: 'NHWC', filterShape: [info.filterHeight, info.filterWidth, ci, co] } as never) as tf.Tensor).dataSync() as Float32Array);
  await tf.setBackend('wasm');
  return values;
}

describe('conv2dBackpropFilterSimd', () => {
  it.each([
    { name: '3×3/1 same, one output row per band', x: [2, 9, 7, 6], f: [3, 3, 6, 13], s: [1, 1], pad: 'same', band: 1 },
    { name: '4×4/2 explicit, two rows per band (bands share x rows)', x: [2, 11, 10, 3], f: [4, 4, 3, 8], s: [2, 2], pad: [[0, 0], [1, 2], [2, 1], [0, 0]], band: 2 },
    { name: '2×2/2 valid (an up-convolution\'s filter gradient), one row per band', x: [1, 8, 6, 5], f: [2, 2, 5, 12], s: [2, 2], pad: 'valid', band: 1 },
    { name: '4×4/1 explicit, 37 → 1 channel (a critic\'s output: 16-channel blocks and a tail)', x: [2, 7, 6, 37], f: [4, 4, 37, 1], s: [1, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]], band: 1 },
    { name: '1×1, 70 → 2 channels (a U-Net head; two channel tiles)', x: [2, 5, 6, 70], f: [1, 1, 70, 2], s: [1, 1], pad: 'valid', band: 2 },
    { name: '3×3/2 same, 20 → 3 channels', x: [1, 9, 8, 20], f: [3, 3, 20, 3], s: [2, 2], pad: 'same', band: 1 },
    { name: '3×3/1 same, 70 → 75 channels (tiles of 64 with tails)', x: [1, 5, 4, 70], f: [3, 3, 70, 75], s: [1, 1], pad: 'same', band: 1 },
    { name: '5×3 strides [3, 1], padding past the filter, band of 3 rows', x: [1, 10, 7, 4], f: [5, 3, 4, 9], s: [3, 1], pad: [[0, 0], [6, 0], [0, 4], [0, 0]], band: 3 },
  ] as { name: string; x: [number, number, number, number]; f: [number, number, number, number]; s: number[]; pad: unknown; band: number }[])('$name: bands of any size give tfjs\'s cpu result, and nothing leaks', async (c) => {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.s as [number, number], 1, c.pad as 'same', undefined, false, 'channelsLast');
    await tf.setBackend('wasm');
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 31) as tf.Tensor4D;
    const dy = tf.randomNormal([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 0, 1, 'float32', 32) as tf.Tensor4D;
    const expected = await reference(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, info, c.s as [number, number], c.pad);
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const before = tf.memory().numTensors;
    const rowBytes = 4 * (info.outWidth * info.outChannels + c.s[0]! * info.inWidth * info.inChannels);
    for (const bandBytes of [c.band * rowBytes, 1 << 30]) {
      const out = tf.engine().makeTensorFromTensorInfo(conv2dBackpropFilterSimd(backend, x, dy, info, bandBytes)!);
      expect(out.shape).toEqual(c.f);
      expect(maxRelativeError(out.dataSync(), expected)).toBeLessThan(1e-5);
      out.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });
});
