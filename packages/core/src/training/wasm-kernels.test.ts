import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients
import { describe, expect, it } from 'vitest';

import { maxRelativeError } from '../../../../scripts/test-utils.js';
import { conv2dWinograd } from './wasm/conv2d-winograd.js';
import type { WasmHeapBackend } from './wasm/training-kernels.js';
import { CPU_TRAINING_KERNELS, registerWasmTrainingKernels, TFJS_WASM_KERNELS, WASM_TRAINING_KERNELS } from './wasm-kernels.js';

/** The bar: max |wasm − cpu| / max |cpu| over each result. */
const REL_TOL = 1e-4;

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];
const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

const CONV_CASES: Case[] = [
  { name: '3×3 s1 same, odd sizes, batch 1', x: [1, 7, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '3×3 s2 same', x: [2, 8, 8, 4], f: [3, 3, 4, 6], strides: 2, pad: 'same' },
  { name: '3×3 s2 same, odd', x: [1, 9, 7, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same' },
  { name: '4×4 s2 valid, odd', x: [1, 9, 11, 2], f: [4, 4, 2, 3], strides: 2, pad: 'valid' },
  { name: '4×4 s2 explicit 1 (critic)', x: [2, 10, 12, 3], f: [4, 4, 3, 4], strides: 2, pad: explicit(1, 1, 1, 1) },
  { name: '4×4 s1 explicit 1 (critic)', x: [1, 9, 8, 4], f: [4, 4, 4, 2], strides: 1, pad: explicit(1, 1, 1, 1) },
  { name: '2×2 s2 valid (U-Net up)', x: [2, 8, 6, 5], f: [2, 2, 5, 4], strides: 2, pad: 'valid' },
  { name: '2×2 s2 same', x: [1, 7, 7, 3], f: [2, 2, 3, 2], strides: 2, pad: 'same' },
  { name: '5×5 s3 same', x: [1, 11, 13, 2], f: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { name: '3×2 strides [1, 2]', x: [1, 6, 9, 2], f: [3, 2, 2, 3], strides: [1, 2], pad: 'same' },
  { name: '3×3 s1 same, one channel (U-Net enc1)', x: [2, 9, 7, 1], f: [3, 3, 1, 6], strides: 1, pad: 'same' },
  { name: '4×4 s1 explicit 1, one channel, batch 1', x: [1, 8, 9, 1], f: [4, 4, 1, 3], strides: 1, pad: explicit(1, 1, 1, 1) },
  { name: '5×3 s1 valid, one channel', x: [1, 10, 7, 1], f: [5, 3, 1, 4], strides: 1, pad: 'valid' },
  { name: '3×3 s1 asymmetric explicit, one channel', x: [2, 7, 8, 1], f: [3, 3, 1, 3], strides: 1, pad: explicit(2, 0, 0, 1) },
  { name: '3×3 s1 padding past the filter, one channel', x: [1, 6, 6, 1], f: [3, 3, 1, 2], strides: 1, pad: explicit(3, 0, 0, 4) },
  { name: '1×1 s1', x: [3, 5, 4, 6], f: [1, 1, 6, 2], strides: 1, pad: 'valid' },
  { name: '3×3 s1 same, 6 → 13 channels (blocks of 4 + 2 inputs, 8 + 4 + 1 outputs)', x: [2, 6, 5, 6], f: [3, 3, 6, 13], strides: 1, pad: 'same' },
  { name: '4×4 s2 explicit, 7 → 16 channels', x: [1, 9, 10, 7], f: [4, 4, 7, 16], strides: 2, pad: explicit(1, 2, 2, 1) },
  { name: '3×3 s1 same, 12 channels (convolution form)', x: [2, 9, 8, 12], f: [3, 3, 12, 5], strides: 1, pad: 'same' },
  { name: '3×3 s1 same, 8 → 12 channels (Winograd)', x: [2, 9, 7, 8], f: [3, 3, 8, 12], strides: 1, pad: 'same' },
  { name: '3×3 s1 explicit uneven, 4 → 8 channels (Winograd)', x: [1, 5, 6, 4], f: [3, 3, 4, 8], strides: 1, pad: explicit(2, 0, 1, 2) },
  { name: '3×3 s1 padding past the filter, 4 → 4 channels (not Winograd: pads more than 2)', x: [1, 6, 6, 4], f: [3, 3, 4, 4], strides: 1, pad: explicit(3, 0, 0, 4) },
  { name: '4×4 s1 explicit 1, 8 → 4 channels (critic; Winograd)', x: [2, 9, 8, 8], f: [4, 4, 8, 4], strides: 1, pad: explicit(1, 1, 1, 1) },
  { name: '4×4 s1 valid, 9 channels', x: [1, 10, 9, 9], f: [4, 4, 9, 3], strides: 1, pad: 'valid' },
  { name: 'asymmetric explicit padding', x: [1, 8, 7, 2], f: [3, 3, 2, 2], strides: 2, pad: explicit(2, 0, 1, 3) },
  { name: 'numeric pad with ceil rounding', x: [1, 9, 9, 2], f: [3, 3, 2, 2], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: 'NCHW', x: [2, 3, 7, 6], f: [3, 3, 3, 4], strides: 2, pad: 'same', dataFormat: 'NCHW' },
  { name: 'NCHW 3×3 s1, 4 → 8 channels (Winograd filter gradient)', x: [2, 4, 7, 6], f: [3, 3, 4, 8], strides: 1, pad: 'same', dataFormat: 'NCHW' },
];

const DEPTHWISE_CASES: Case[] = [
  { name: '3×3 s1 same, multiplier 2', x: [1, 7, 9, 3], f: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { name: '3×3 s2 same', x: [2, 8, 8, 4], f: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { name: '3×3 s1 valid, dilation 2, multiplier 3', x: [1, 9, 10, 2], f: [3, 3, 2, 3], strides: 1, pad: 'valid', dilations: 2 },
  { name: '5×5 s1 same, dilation [2, 1]', x: [1, 10, 7, 3], f: [5, 5, 3, 1], strides: 1, pad: 'same', dilations: [2, 1] },
  { name: '4×4 s2 explicit', x: [1, 9, 11, 2], f: [4, 4, 2, 2], strides: 2, pad: explicit(1, 2, 0, 1) },
  { name: '3×3 s3 valid, odd', x: [2, 11, 7, 2], f: [3, 3, 2, 1], strides: 3, pad: 'valid' },
];

/** Runs one kernel on a backend with fixed random inputs, returning its values and shape. */
async function runOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, { shape: number[]; seed: number }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', v.seed)]));
    const out = tf.engine().runKernel(kernelName, ts, attrs as never) as tf.Tensor;
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/**
 * The cpu backend's depthwise backprop kernels ignore `dilations` (tfjs's gradient never passes
 * more than 1). A dilated depthwise conv equals an undilated one with a zero-spread filter, so
 * the reference runs the cpu kernel on that filter (input gradient), or takes every d-th tap of
 * the spread filter's gradient (filter gradient).
 */
async function dilatedReference(
  which: 'input' | 'filter',
  c: Case,
  inputs: Record<string, { shape: number[]; seed: number }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  const [dh, dw] = typeof c.dilations === 'number' ? [c.dilations, c.dilations] : (c.dilations ?? [1, 1]);
  const kernelName = which === 'input' ? 'DepthwiseConv2dNativeBackpropInput' : 'DepthwiseConv2dNativeBackpropFilter';
  if (dh === 1 && dw === 1) return runOn('cpu', kernelName, inputs, attrs);
  const [fh, fw, ci, m] = c.f;
  const spreadShape = [(fh - 1) * dh + 1, (fw - 1) * dw + 1, ci, m];
  await tf.setBackend('cpu');
  return tf.tidy(() => {
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', v.seed)]));
    if (which === 'input') {
      // spread the filter: [fh, 1, fw, 1, ci, m] padded to [fh, dh, fw, dw, ...], then cropped
      const f6 = tf.pad(tf.reshape(ts['filter']!, [fh, 1, fw, 1, ci, m]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
      const spread = tf.slice(tf.reshape(f6, [fh * dh, fw * dw, ci, m]), [0, 0, 0, 0], spreadShape);
      const out = tf.engine().runKernel(kernelName, { dy: ts['dy']!, filter: spread }, { ...attrs, dilations: 1 } as never) as tf.Tensor;
      return { values: out.dataSync() as Float32Array, shape: out.shape };
    }
    const out = tf.engine().runKernel(kernelName, ts, { ...attrs, dilations: 1, filterShape: spreadShape } as never) as tf.Tensor4D;
    const taps = tf.stridedSlice(out, [0, 0, 0, 0], spreadShape, [dh, dw, 1, 1]);
    return { values: taps.dataSync() as Float32Array, shape: taps.shape };
  });
}

function outShape(c: Case, depthwise: boolean): number[] {
  const nhwc = c.dataFormat === 'NCHW' ? [c.x[0], c.x[2], c.x[3], c.x[1]] : c.x;
  const info = tf.backend_util.computeConv2DInfo(nhwc as never, c.f, c.strides, c.dilations ?? 1, c.pad as 'same', c.dimRoundingMode, depthwise);
  const [b, oh, ow, co] = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return c.dataFormat === 'NCHW' ? [b, co, oh, ow] : [b, oh, ow, co];
}

async function compare(kernelName: string, inputs: Record<string, { shape: number[]; seed: number }>, attrs: Record<string, unknown>) {
  const cpu = await runOn('cpu', kernelName, inputs, attrs);
  const wasm = await runOn('wasm', kernelName, inputs, attrs);
  expect(wasm.shape).toEqual(cpu.shape);
  return maxRelativeError(wasm.values, cpu.values);
}

describe('wasm training kernels agree with the cpu backend', () => {
  registerWasmTrainingKernels();

  it.each(CONV_CASES)('Conv2DBackpropInput: $name', async (c) => {
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
    const err = await compare('Conv2DBackpropInput', { dy: { shape: outShape(c, false), seed: 1 }, filter: { shape: c.f, seed: 2 } }, attrs);
    expect(err).toBeLessThan(REL_TOL);
  });

  it.each(CONV_CASES)('Conv2DBackpropFilter: $name', async (c) => {
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: c.f };
    const err = await compare('Conv2DBackpropFilter', { x: { shape: c.x, seed: 3 }, dy: { shape: outShape(c, false), seed: 4 } }, attrs);
    expect(err).toBeLessThan(REL_TOL);
  });

  it.each(DEPTHWISE_CASES)('DepthwiseConv2dNativeBackpropInput: $name', async (c) => {
    const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1, dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
    const inputs = { dy: { shape: outShape(c, true), seed: 5 }, filter: { shape: c.f, seed: 6 } };
    const wasm = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs);
    const cpu = await dilatedReference('input', c, inputs, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(REL_TOL);
  });

  it.each(DEPTHWISE_CASES)('DepthwiseConv2dNativeBackpropFilter: $name', async (c) => {
    const attrs = { strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1, dimRoundingMode: c.dimRoundingMode, filterShape: c.f };
    const inputs = { x: { shape: c.x, seed: 7 }, dy: { shape: outShape(c, true), seed: 8 } };
    const wasm = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs);
    const cpu = await dilatedReference('filter', c, inputs, attrs);
    expect(wasm.shape).toEqual(cpu.shape);
    expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(REL_TOL);
  });

  it.each([
    { name: '2×2/2 (U-Net up-convolution)', dy: [2, 5, 6, 8] as Shape4, f: [2, 2, 4, 8] as Shape4, out: [2, 10, 12, 4], s: 2, pad: 'valid' as const },
    { name: '4×4/2 same, odd output', dy: [1, 4, 5, 3] as Shape4, f: [4, 4, 2, 3] as Shape4, out: [1, 7, 9, 2], s: 2, pad: 'same' as const },
    { name: '3×3/1 same', dy: [1, 6, 7, 3] as Shape4, f: [3, 3, 5, 3] as Shape4, out: [1, 6, 7, 5], s: 1, pad: 'same' as const },
  ])('conv2dTranspose output: $name', async (c) => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const dy = tf.randomNormal(c.dy, 0, 1, 'float32', 11) as tf.Tensor4D;
        const f = tf.randomNormal(c.f, 0, 1, 'float32', 12) as tf.Tensor4D;
        const y = tf.conv2dTranspose(dy, f, c.out as [number, number, number, number], c.s, c.pad);
        return { values: y.dataSync() as Float32Array, shape: y.shape };
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.shape).toEqual(c.out);
    expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(REL_TOL);
  });

  it('trains a conv net on wasm: tf.grad through conv filters works and matches cpu', async () => {
    const loss = (w: tf.Tensor4D, x: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(x, w, 2, 'same')), tf.ones([3, 3, 4, 1]), 1, 'same')));
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 22) as tf.Tensor4D;
        return tf.grad((wv: tf.Tensor) => loss(wv as tf.Tensor4D, x))(w).dataSync() as Float32Array;
      });
    };
    expect(maxRelativeError(await grads('wasm'), await grads('cpu'))).toBeLessThan(REL_TOL);
  });
});

describe('wasm\'s forward convolutions: Winograd where it applies, tfjs\'s own kernel elsewhere', () => {
  const FORWARD_CASES = [
    { name: '3×3 s1 same, 8 → 12 (Winograd)', x: [2, 9, 7, 8], f: [3, 3, 8, 12], strides: 1, pad: 'same', winograd: true },
    { name: '3×3 s1 explicit uneven padding, 4 → 4 (Winograd)', x: [1, 6, 5, 4], f: [3, 3, 4, 4], strides: 1, pad: explicit(2, 0, 1, 2), winograd: true },
    { name: '3×3 s1 valid, 16 → 8 (Winograd)', x: [2, 10, 9, 16], f: [3, 3, 16, 8], strides: 1, pad: 'valid', winograd: true },
    { name: '3×3 s1 same, 6 → 8 (channels not a multiple of 4)', x: [1, 7, 7, 6], f: [3, 3, 6, 8], strides: 1, pad: 'same', winograd: false },
    { name: '3×3 s2 same, 8 → 8 (stride 2)', x: [1, 9, 9, 8], f: [3, 3, 8, 8], strides: 2, pad: 'same', winograd: false },
    { name: '3×3 s1 dilation 2, 8 → 8', x: [1, 9, 9, 8], f: [3, 3, 8, 8], strides: 1, pad: 'same', dilations: 2, winograd: false },
    { name: '4×4 s2 explicit 1, 8 → 16 (critic)', x: [2, 10, 10, 8], f: [4, 4, 8, 16], strides: 2, pad: explicit(1, 1, 1, 1), winograd: false },
    { name: '4×4 s1 valid, 8 → 16 (critic; Winograd F(3×3, 4×4))', x: [2, 10, 10, 8], f: [4, 4, 8, 16], strides: 1, pad: 'valid', winograd: true },
  ] as (Case & { winograd: boolean })[];
  const ACTIVATIONS = [
    { kernel: 'Conv2D', bias: false, activation: undefined },
    { kernel: 'FusedConv2D', bias: true, activation: 'linear' },
    { kernel: 'FusedConv2D', bias: true, activation: 'relu' },
    { kernel: 'FusedConv2D', bias: false, activation: 'relu' },
    { kernel: 'FusedConv2D', bias: true, activation: 'leakyrelu', fallback: true },
    { kernel: 'FusedConv2D', bias: true, activation: 'elu', fallback: true },
  ];

  it.each(FORWARD_CASES.flatMap((c) => ACTIVATIONS.map((a) => ({ ...c, ...a, label: `${a.kernel} ${a.activation ?? ''}${a.bias ? ' + bias' : ''}` }))))(
    '$name, $label: the cpu result, through the path it should take', async (c) => {
      const inputs = { x: { shape: c.x, seed: 51 }, filter: { shape: c.f, seed: 52 }, ...(c.bias ? { bias: { shape: [c.f[3]], seed: 53 } } : {}) };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations ?? 1, ...(c.activation ? { activation: c.activation, leakyreluAlpha: 0.2 } : {}) };
      const cpu = await runOn('cpu', c.kernel, inputs, attrs);
      const wasm = await runOn('wasm', c.kernel, inputs, attrs);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(REL_TOL);
      // Which path ran: the result is bit for bit Winograd's, or tfjs's own kernel's.
      const viaPath = tf.tidy(() => {
        const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', v.seed)]));
        const useWinograd = c.winograd && !c.fallback;
        const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides as number, c.dilations ?? 1, c.pad as 'same');
        const out = useWinograd
          ? conv2dWinograd(tf.backend() as unknown as WasmHeapBackend, ts['x']!, ts['filter']!, ts['bias'] ?? null, c.activation === 'relu', info)!
          : TFJS_WASM_KERNELS.get(c.kernel)!({ inputs: ts, attrs: attrs as never, backend: tf.backend() }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out).dataSync() as Float32Array;
      });
      expect(Array.from(wasm.values)).toEqual(Array.from(viaPath));
    });
});

describe('wasm training kernels called outside any tidy', () => {
  it.each([
    { kernel: 'Conv2DBackpropFilter', inputs: { x: [2, 4, 7, 6], dy: [2, 8, 7, 6] }, attrs: { filterShape: [3, 3, 4, 8] } },
    { kernel: 'Conv2DBackpropInput', inputs: { dy: [2, 8, 7, 6], filter: [3, 3, 4, 8] }, attrs: { inputShape: [2, 4, 7, 6] } },
  ])('$kernel on NCHW data leaves its inputs as they were and nothing else behind', async (c) => {
    await tf.setBackend('wasm');
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, shape], i) => [k, tf.randomNormal(shape, 0, 1, 'float32', 70 + i)]));
    const values = Object.values(inputs).map((t) => t.dataSync().slice());
    const before = tf.memory().numTensors;
    (tf.engine().runKernel(c.kernel, inputs, { strides: 1, pad: 'same', dataFormat: 'NCHW', ...c.attrs } as never) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    Object.values(inputs).forEach((t, i) => expect(t.dataSync()).toEqual(values[i]));
    tf.dispose(Object.values(inputs));
  });
});

describe('wasm\'s Sum and Mean: products with ones over middle axes, tfjs\'s own kernel elsewhere', () => {
  it.each([
    { name: 'a BatchNorm\'s axes [0, 1, 2] of NHWC', shape: [3, 5, 6, 8], axis: [0, 1, 2], keepDims: false, product: true },
    { name: 'the same, kept as [1, 1, 1, c]', shape: [3, 5, 6, 8], axis: [0, 1, 2], keepDims: true, product: true },
    { name: 'an InstanceNorm\'s axes [1, 2] (an outer batch)', shape: [3, 5, 6, 8], axis: [1, 2], keepDims: true, product: true },
    { name: 'axes unsorted and negative', shape: [2, 7, 3, 5], axis: [-3, 0], keepDims: false, product: true },
    { name: 'one middle axis', shape: [4, 9, 2], axis: 1, keepDims: false, product: true },
    { name: 'the last axis (tfjs\'s own)', shape: [3, 5, 6, 8], axis: -1, keepDims: false, product: false },
    { name: 'all axes (tfjs\'s own)', shape: [3, 5, 6, 8], axis: [0, 1, 2, 3], keepDims: false, product: false },
    { name: 'separated axes [0, 2] (tfjs\'s own)', shape: [3, 5, 6, 8], axis: [0, 2], keepDims: false, product: false },
  ])('$name: the cpu result, and nothing leaks', async (c) => {
    for (const kernel of ['Sum', 'Mean']) {
      const inputs = { x: { shape: c.shape, seed: 61 } };
      const attrs = { axis: c.axis, keepDims: c.keepDims };
      const cpu = await runOn('cpu', kernel, inputs, attrs);
      const wasm = await runOn('wasm', kernel, inputs, attrs);
      expect(wasm.shape).toEqual(cpu.shape);
      // Outside any tidy, the kernel leaves nothing but its result, and its input as it was.
      const x = tf.randomNormal(c.shape, 0, 1, 'float32', 61);
      const values = x.dataSync().slice();
      const before = tf.memory().numTensors;
      (tf.engine().runKernel(kernel, { x }, attrs as never) as tf.Tensor).dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(x.dataSync()).toEqual(values);
      x.dispose();
      expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(1e-6);
      // Which path ran: bit for bit tfjs's own kernel's result, or (for the product) not necessarily.
      const own = tf.tidy(() => {
        const x = tf.randomNormal(c.shape, 0, 1, 'float32', 61);
        const out = TFJS_WASM_KERNELS.get(kernel)!({ inputs: { x }, attrs: attrs as never, backend: tf.backend() }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out).dataSync() as Float32Array;
      });
      if (!c.product) expect(Array.from(wasm.values)).toEqual(Array.from(own));
    }
  });

  it('keeps an int32 sum exact (tfjs\'s own kernel)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32');
    const y = tf.sum(x, [0, 1]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([16, 20]);
    tf.dispose([x, y]);
  });
});

describe('the cpu backend\'s replacement Conv2DBackpropFilter agrees with tfjs\'s own', () => {
  it.each(CONV_CASES)('$name', async (c) => {
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: c.f };
    const inputs = { x: { shape: c.x, seed: 3 }, dy: { shape: outShape(c, false), seed: 4 } };
    const theirs = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const original = tf.getKernel('Conv2DBackpropFilter', 'cpu')!;
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel({ ...original, kernelFunc: CPU_TRAINING_KERNELS['Conv2DBackpropFilter']! });
    try {
      const ours = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      expect(ours.shape).toEqual(theirs.shape);
      expect(maxRelativeError(ours.values, theirs.values)).toBeLessThan(REL_TOL);
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
      tf.registerKernel(original);
    }
  });
});

describe('wasm\'s Concat: rows moved within tfjs\'s heap', () => {
  registerWasmTrainingKernels();

  /** Inputs of `shapes` and `dtype` with distinct values (bools alternating), on the active backend. */
  const inputsOf = (shapes: number[][], dtype: 'float32' | 'int32' | 'bool'): tf.Tensor[] => {
    let next = 0;
    return shapes.map((shape) => {
      const size = tf.util.sizeFromShape(shape);
      const values = Array.from({ length: size }, () => (next += 1));
      return tf.tensor(dtype === 'bool' ? values.map((v) => v % 3 === 0) : dtype === 'float32' ? values.map((v) => v / 7 - 3) : values, shape, dtype);
    });
  };

  it.each([
    { name: 'a U-Net\'s skip connection (last axis)', shapes: [[2, 5, 6, 4], [2, 5, 6, 4]], axis: 3, dtype: 'float32' as const },
    { name: 'uneven widths, axis −1', shapes: [[3, 4, 1], [3, 4, 5], [3, 4, 2]], axis: -1, dtype: 'float32' as const },
    { name: 'a middle axis', shapes: [[2, 3, 4], [2, 1, 4]], axis: 1, dtype: 'float32' as const },
    { name: 'the first axis (one row each)', shapes: [[2, 3], [4, 3]], axis: 0, dtype: 'float32' as const },
    { name: 'int32', shapes: [[3, 2], [3, 3]], axis: 1, dtype: 'int32' as const },
    { name: 'bool (a byte each)', shapes: [[2, 3, 3], [2, 3, 1]], axis: 2, dtype: 'bool' as const },
    { name: 'an empty input among them', shapes: [[2, 0], [2, 3], [2, 2]], axis: 1, dtype: 'float32' as const },
    { name: 'one input', shapes: [[2, 3]], axis: 1, dtype: 'float32' as const },
  ])('$name: the cpu backend\'s result, bit for bit, and nothing leaks', async (c) => {
    await tf.setBackend('cpu');
    const cpu = tf.tidy(() => tf.concat(inputsOf(c.shapes, c.dtype), c.axis));
    const expected = { shape: cpu.shape, dtype: cpu.dtype, values: Array.from(cpu.dataSync()) };
    cpu.dispose();
    await tf.setBackend('wasm');
    const xs = inputsOf(c.shapes, c.dtype);
    const before = tf.memory().numTensors;
    const y = tf.concat(xs, c.axis);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect({ shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync()) }).toEqual(expected);
    tf.dispose([y, ...xs]);
  });

  it('copies bits, not values: NaN payloads and −0 come through unchanged', async () => {
    await tf.setBackend('wasm');
    const bits = new Uint32Array([0x7fc00001, 0xffa00002, 0x80000000, 0x3f800000]);
    const a = tf.tensor2d(new Float32Array(bits.buffer), [2, 2]);
    const b = tf.tensor2d([5, 6], [2, 1]);
    const y = tf.concat([a, b], 1);
    expect(Array.from(new Uint32Array((y.dataSync() as Float32Array).slice().buffer))).toEqual([0x7fc00001, 0xffa00002, 0x40a00000, 0x80000000, 0x3f800000, 0x40c00000]);
    tf.dispose([a, b, y]);
  });

  it('rejects shapes that do not match, as tfjs does', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 3]);
    expect(() => tf.engine().runKernel('Concat', [a, b] as never, { axis: 1 })).toThrow(/rank|shape|match/i);
    tf.dispose([a, b]);
  });

  it('is the kernel registered for wasm', () => {
    expect(tf.getKernel('Concat', 'wasm')!.kernelFunc).toBe(WASM_TRAINING_KERNELS['Concat']);
  });
});
