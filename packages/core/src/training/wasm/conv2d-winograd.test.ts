import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';

import { forEachConvTap, maxRelativeError } from '../../../../../scripts/test-utils.js';
import { conv2dBackpropInputWinograd, conv2dWinograd, fewTiles, winogradApplies } from './conv2d-winograd.js';
import { conv2dBackpropFilterWinograd } from './conv2d-backprop-filter-winograd.js';
import { kernelThreadCount, setTrainingKernelThreads } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** The convolution in float64 (the exact value to compare float32 forms with): relu?(conv(x, f) + bias). */
function direct(x: Float32Array, f: Float32Array, bias: Float32Array | null, relu: boolean, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { batchSize: b, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const y = new Float64Array(b * oh * ow * co);
  forEachConvTap(info, (xp, yp, tap) => {
    for (let o = 0; o < co; o += 1) {
      let s = 0;
      for (let c = 0; c < ci; c += 1) s += x[xp * ci + c]! * f[(tap * ci + c) * co + o]!;
      y[yp * co + o] = y[yp * co + o]! + s;
    }
  });
  return y.map((v, k) => {
    const s = v + (bias === null ? 0 : bias[k % co]!);
    return relu ? Math.max(0, s) : s;
  });
}

/** The input gradient of that convolution in float64: dx[xPixel, c] = Σ dy[yPixel, o] · f[tap, c, o] over the pairs the conv joins. */
function inputGradient(dy: Float32Array, f: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const dx = new Float64Array(b * h * w * ci);
  forEachConvTap(info, (xp, yp, tap) => {
    for (let c = 0; c < ci; c += 1) {
      let s = 0;
      for (let o = 0; o < co; o += 1) s += dy[yp * co + o]! * f[(tap * ci + c) * co + o]!;
      dx[xp * ci + c] = dx[xp * ci + c]! + s;
    }
  });
  return dx;
}

describe('conv2dWinograd', () => {
  it.each([
    { name: 'same padding, 8 × 8, 4 → 8 channels', x: [1, 8, 8, 4], co: 8, pad: 'same', bias: false, relu: false },
    { name: 'same padding, odd sizes (partial tiles), 12 → 20 channels (a block of 8 and one of 4), bias', x: [2, 9, 7, 12], co: 20, pad: 'same', bias: true, relu: false },
    { name: 'valid padding, 64 → 4 channels, bias and ReLU', x: [3, 11, 6, 64], co: 4, pad: 'valid', bias: true, relu: true },
    { name: 'explicit uneven padding, 1 × 1 image', x: [2, 1, 1, 8], co: 12, pad: [[0, 0], [2, 0], [1, 2], [0, 0]], bias: true, relu: false },
    { name: 'many tiles (more than one block), 16 → 16 channels', x: [4, 40, 36, 16], co: 16, pad: 'same', bias: true, relu: true },
    { name: '4 × 4 filter, F(3×3, 4×4): valid padding, 10 × 10 (the critic\'s stride-1 convs), 8 → 12 channels, bias', x: [2, 10, 10, 8], co: 12, pad: 'valid', bias: true, relu: false, r: 4 },
    { name: '4 × 4 filter: same padding (1 before, 2 after), odd sizes, 12 → 20 channels, ReLU', x: [2, 9, 7, 12], co: 20, pad: 'same', bias: false, relu: true, r: 4 },
    { name: '4 × 4 filter: explicit uneven padding, many tiles, 16 → 8 channels', x: [3, 31, 26, 16], co: 8, pad: [[0, 0], [3, 0], [1, 2], [0, 0]], bias: true, relu: true, r: 4 },
    { name: 'few tiles (chunks of output channels), 4 × 4 images, 64 → 44 channels (chunks of 32 and 12), bias and ReLU', x: [2, 4, 4, 64], co: 44, pad: 'same', bias: true, relu: true },
    { name: '4 × 4 filter, few tiles, 5 × 5 images, 48 → 36 channels', x: [2, 5, 5, 48], co: 36, pad: 'same', bias: false, relu: false, r: 4 },
  ] as { name: string; x: [number, number, number, number]; co: number; pad: unknown; bias: boolean; relu: boolean; r?: number }[])('$name: the exact convolution to float32 accuracy, and nothing leaks', async (c) => {
    const r = c.r ?? 3;
    const info = tf.backend_util.computeConv2DInfo(c.x, [r, r, c.x[3], c.co], [1, 1], 1, c.pad as 'same', undefined, false, 'channelsLast');
    expect(winogradApplies(info)).toBe(true);
    await tf.setBackend('wasm');
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 41) as tf.Tensor4D;
    const f = tf.randomNormal([r, r, c.x[3], c.co], 0, 1, 'float32', 42) as tf.Tensor4D;
    const bias = c.bias ? tf.randomNormal([c.co], 0, 1, 'float32', 43) : null;
    const expected = direct(x.dataSync() as Float32Array, f.dataSync() as Float32Array, (bias?.dataSync() ?? null) as Float32Array | null, c.relu, info);
    const before = tf.memory().numTensors;
    const y = tf.engine().makeTensorFromTensorInfo(conv2dWinograd(tf.backend() as unknown as WasmHeapBackend, x, f, bias, c.relu, info)!);
    expect(y.shape).toEqual([info.batchSize, info.outHeight, info.outWidth, c.co]);
    const err = maxRelativeError(y.dataSync(), expected);
    // F(4×4, 3×3) in float32 measured 0.4–5e-6 here (tfjs's direct XNNPACK conv: 1–6e-7).
    expect(err).toBeLessThan(1e-5);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f, ...(bias ? [bias] : [])]);
  });

  it('gives the same bits on two threads as on one (blocks of tiles shared out between them), and nothing leaks', async () => {
    await tf.setBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo([5, 30, 26, 24], [3, 3, 24, 16], [1, 1], 1, 'same', undefined, false, 'channelsLast');
    const x = tf.randomNormal([5, 30, 26, 24], 0, 1, 'float32', 51) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 24, 16], 0, 1, 'float32', 52) as tf.Tensor4D;
    const bias = tf.randomNormal([16], 0, 1, 'float32', 53);
    const run = (): Float32Array => {
      const y = tf.engine().makeTensorFromTensorInfo(conv2dWinograd(tf.backend() as unknown as WasmHeapBackend, x, f, bias, true, info)!);
      const values = y.dataSync() as Float32Array;
      y.dispose();
      return values;
    };
    try {
      const before = tf.memory().numTensors;
      expect(await setTrainingKernelThreads(2)).toBe(2);
      expect(kernelThreadCount()).toBe(2);
      const two = run();
      expect(await setTrainingKernelThreads(1)).toBe(1);
      const one = run();
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
      expect(maxRelativeError(one, direct(x.dataSync() as Float32Array, f.dataSync() as Float32Array, bias.dataSync() as Float32Array, true, info)))
        .toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await setTrainingKernelThreads(1);
      tf.dispose([x, f, bias]);
    }
  });

  it.each([
    { name: 'same padding, 4 × 4 image (one tile where the padded form needs four), 8 → 12 channels', x: [2, 4, 4, 8], co: 12, pad: 'same' },
    { name: 'same padding, odd sizes, 12 → 20 channels', x: [2, 9, 7, 12], co: 20, pad: 'same' },
    { name: 'valid padding, 16 → 4 channels', x: [3, 11, 6, 16], co: 4, pad: 'valid' },
    { name: 'explicit uneven padding', x: [2, 5, 3, 4], co: 8, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
    { name: '4 × 4 filter, valid padding (the critic\'s stride-1 convs), 8 → 12 channels', x: [2, 10, 10, 8], co: 12, pad: 'valid', r: 4 },
    { name: '4 × 4 filter, explicit uneven padding up to 3, 4 → 8 channels', x: [2, 7, 9, 4], co: 8, pad: [[0, 0], [3, 0], [1, 2], [0, 0]], r: 4 },
    { name: 'few tiles, 4 × 4 images, 64 → 44 channels', x: [2, 4, 4, 64], co: 44, pad: 'same' },
    { name: '4 × 4 filter, few tiles, 5 × 5 images, 48 → 36 channels', x: [2, 5, 5, 48], co: 36, pad: 'same', r: 4 },
  ] as { name: string; x: [number, number, number, number]; co: number; pad: unknown; r?: number }[])('input gradient, $name: the exact gradient to float32 accuracy, and nothing leaks', async (c) => {
    const r = c.r ?? 3;
    const info = tf.backend_util.computeConv2DInfo(c.x, [r, r, c.x[3], c.co], [1, 1], 1, c.pad as 'same', undefined, false, 'channelsLast');
    await tf.setBackend('wasm');
    const dy = tf.randomNormal([info.batchSize, info.outHeight, info.outWidth, c.co], 0, 1, 'float32', 61) as tf.Tensor4D;
    const f = tf.randomNormal([r, r, c.x[3], c.co], 0, 1, 'float32', 62) as tf.Tensor4D;
    const expected = inputGradient(dy.dataSync() as Float32Array, f.dataSync() as Float32Array, info);
    const before = tf.memory().numTensors;
    const dx = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInputWinograd(tf.backend() as unknown as WasmHeapBackend, dy, f, info)!);
    expect(dx.shape).toEqual(c.x);
    expect(maxRelativeError(dx.dataSync(), expected)).toBeLessThan(1e-5);
    dx.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([dy, f]);
  });

  it('input gradient: null where the conv pads more than 2 on a side, or Winograd does not apply', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const wide = tf.backend_util.computeConv2DInfo([1, 4, 4, 4], [3, 3, 4, 4], [1, 1], 1, [[0, 0], [3, 0], [0, 0], [0, 0]], undefined, false, 'channelsLast');
    const odd = tf.backend_util.computeConv2DInfo([1, 4, 4, 3], [3, 3, 3, 4], [1, 1], 1, 'same', undefined, false, 'channelsLast');
    const dy = tf.zeros([1, wide.outHeight, 4, 4]);
    const f = tf.zeros([3, 3, 4, 4]);
    expect(conv2dBackpropInputWinograd(backend, dy, f, wide)).toBeNull();
    expect(conv2dBackpropInputWinograd(backend, dy, f, odd)).toBeNull();
    tf.dispose([dy, f]);
  });

  it('takes the form for few tiles where the transformed filter outweighs the tiles (deep, small images), and only there', () => {
    expect(fewTiles(2, 64, 44, 2 * 16 * (64 + 44))).toBe(true);
    expect(fewTiles(8, 48, 36, 2 * 25 * (48 + 36))).toBe(true);
    expect(fewTiles(2, 44, 64, 2 * 16 * (64 + 44))).toBe(true);
    expect(fewTiles(8 * 4 * 4, 256, 256, 8 * 256 * 512)).toBe(false); // a U-Net's 16-px layer, batch 8: 128 tiles
    expect(fewTiles(8, 1024, 1024, 8 * 16 * 2048)).toBe(true); // its 4 × 4 bottleneck: 8 tiles
    expect(fewTiles(3 * 3 * 2, 64, 4, 3 * 66 * 68)).toBe(false);
  });

  it('gives the same bits on two threads as on one in the form for few tiles (chunks shared out), forward and filter gradient', async () => {
    await tf.setBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo([3, 4, 4, 64], [3, 3, 64, 72], [1, 1], 1, 'same', undefined, false, 'channelsLast');
    const x = tf.randomNormal([3, 4, 4, 64], 0, 1, 'float32', 81) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 64, 72], 0, 1, 'float32', 82) as tf.Tensor4D;
    const dy = tf.randomNormal([3, 4, 4, 72], 0, 1, 'float32', 83) as tf.Tensor4D;
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const values = (t: tf.TensorInfo): Buffer => {
      const y = tf.engine().makeTensorFromTensorInfo(t);
      const v = y.dataSync() as Float32Array;
      y.dispose();
      return Buffer.from(v.buffer);
    };
    const run = (): Buffer[] => [values(conv2dWinograd(backend, x, f, null, false, info)!), values(conv2dBackpropFilterWinograd(backend, x, dy, info)!)];
    try {
      const before = tf.memory().numTensors;
      expect(await setTrainingKernelThreads(2)).toBe(2);
      const two = run();
      expect(await setTrainingKernelThreads(1)).toBe(1);
      const one = run();
      expect(two[0]!.equals(one[0]!)).toBe(true);
      expect(two[1]!.equals(one[1]!)).toBe(true);
      expect(maxRelativeError(new Float32Array(one[0]!.buffer, one[0]!.byteOffset, one[0]!.length / 4), direct(x.dataSync() as Float32Array, f.dataSync() as Float32Array, null, false, info)))
        .toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await setTrainingKernelThreads(1);
      tf.dispose([x, f, dy]);
    }
  });
});
