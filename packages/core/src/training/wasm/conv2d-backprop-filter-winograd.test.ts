import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

import { forEachConvTap, maxRelativeError } from '../../../../../scripts/test-utils.js';
import { conv2dBackpropFilterWinograd } from './conv2d-backprop-filter-winograd.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** The filter gradient in float64: dW[tap, c, o] = Σ x[xPixel, c] · dy[yPixel, o] over the pairs the conv joins. */
function filterGradient(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { inChannels: ci, outChannels: co, filterHeight: r } = info;
  const dw = new Float64Array(r * r * ci * co);
  forEachConvTap(info, (xp, yp, tap) => {
    for (let c = 0; c < ci; c += 1) {
      const xv = x[xp * ci + c]!;
      for (let o = 0; o < co; o += 1) dw[(tap * ci + c) * co + o] = dw[(tap * ci + c) * co + o]! + xv * dy[yp * co + o]!;
    }
  });
  return dw;
}

describe('conv2dBackpropFilterWinograd', () => {
  it.each([
    { name: 'same padding, 8 × 8, 4 → 8 channels', x: [1, 8, 8, 4], co: 8, pad: 'same', blockBytes: 1 << 23 },
    { name: 'same padding, odd sizes (partial tiles), 12 → 20 channels (a block of 8 and one of 4)', x: [2, 9, 7, 12], co: 20, pad: 'same', blockBytes: 1 << 23 },
    { name: 'valid padding, 16 → 4 channels', x: [3, 11, 6, 16], co: 4, pad: 'valid', blockBytes: 1 << 23 },
    { name: 'explicit uneven padding, 1 × 1 image', x: [2, 1, 1, 8], co: 12, pad: [[0, 0], [2, 0], [1, 2], [0, 0]], blockBytes: 1 << 23 },
    { name: 'many blocks of 32 tiles (the last one partial), 8 → 8 channels', x: [3, 33, 30, 8], co: 8, pad: 'same', blockBytes: 1 },
    { name: '4 × 4 filter, F(4×4, 3×3): valid padding, 10 × 10 (the critic\'s stride-1 convs), 8 → 12 channels', x: [2, 10, 10, 8], co: 12, pad: 'valid', blockBytes: 1 << 23, r: 4 },
    { name: '4 × 4 filter: explicit uneven padding, many blocks, 4 → 8 channels', x: [3, 29, 25, 4], co: 8, pad: [[0, 0], [3, 0], [1, 2], [0, 0]], blockBytes: 1, r: 4 },
    { name: 'few tiles (chunks of output channels), 4 × 4 images, 64 → 44 channels', x: [2, 4, 4, 64], co: 44, pad: 'same', blockBytes: 1 << 23 },
    { name: '4 × 4 filter, few tiles, 5 × 5 images, 48 → 36 channels', x: [2, 5, 5, 48], co: 36, pad: 'same', blockBytes: 1 << 23, r: 4 },
  ] as { name: string; x: [number, number, number, number]; co: number; pad: unknown; blockBytes: number; r?: number }[])('$name: the exact gradient to float32 accuracy, and nothing leaks', async (c) => {
    const r = c.r ?? 3;
    const info = tf.backend_util.computeConv2DInfo(c.x, [r, r, c.x[3], c.co], [1, 1], 1, c.pad as 'same', undefined, false, 'channelsLast');
    await tf.setBackend('wasm');
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 71) as tf.Tensor4D;
    const dy = tf.randomNormal([info.batchSize, info.outHeight, info.outWidth, c.co], 0, 1, 'float32', 72) as tf.Tensor4D;
    const expected = filterGradient(x.dataSync() as Float32Array, dy.dataSync() as Float32Array, info);
    const before = tf.memory().numTensors;
    const dw = tf.engine().makeTensorFromTensorInfo(conv2dBackpropFilterWinograd(tf.backend() as unknown as WasmHeapBackend, x, dy, info, c.blockBytes)!);
    expect(dw.shape).toEqual([r, r, c.x[3], c.co]);
    expect(maxRelativeError(dw.dataSync(), expected)).toBeLessThan(1e-5);
    dw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });

  it('is null where Winograd does not apply (stride 2, channels not multiples of 4)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const x = tf.zeros([1, 8, 8, 4]);
    const dy = tf.zeros([1, 4, 4, 4]);
    const strided = tf.backend_util.computeConv2DInfo([1, 8, 8, 4], [3, 3, 4, 4], [2, 2], 1, 'same', undefined, false, 'channelsLast');
    const odd = tf.backend_util.computeConv2DInfo([1, 8, 8, 3], [3, 3, 3, 4], [1, 1], 1, 'same', undefined, false, 'channelsLast');
    expect(conv2dBackpropFilterWinograd(backend, x, dy, strided)).toBeNull();
    expect(conv2dBackpropFilterWinograd(backend, x, dy, odd)).toBeNull();
    tf.dispose([x, dy]);
  });
});
