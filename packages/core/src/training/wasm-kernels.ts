import * as tf from '@tensorflow/tfjs-core';

import { conv2dBackpropFilterNHWC } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputNHWC } from './conv2d-backprop-input.js';
import { concatOnHeap } from './concat-on-heap.js';
import { convGeometry, pair, shapeNHWC, toNCHW, toNHWC } from './conv-geometry.js';
import type { ConvPad } from './conv-geometry.js';
import { depthwiseBackpropFilterNHWC, depthwiseBackpropInputNHWC } from './depthwise-backprop.js';
import { middleReduction, reduceByProduct } from './reduction-by-product.js';
import { conv2dBackpropFilterSimd } from './wasm/conv2d-backprop-filter-simd.js';
import { conv2dBackpropFilterWinograd } from './wasm/conv2d-backprop-filter-winograd.js';
import { conv2dBackpropInputSimd, SIMD_INPUT_MAX_CHANNELS } from './wasm/conv2d-backprop-input-simd.js';
import { conv2dBackpropInputWinograd, conv2dWinograd, winogradApplies } from './wasm/conv2d-winograd.js';
import { kernelThreadCount, trainingKernels } from './wasm/training-kernels.js';
import type { WasmHeapBackend } from './wasm/training-kernels.js';

type Attrs = Record<string, unknown>;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/**
 * A Tensor for a kernel's input: the input itself where tfjs passed a Tensor (as its ops do).
 * Only a bare TensorInfo gets a new Tensor on its data, whose reference count is raised first: a
 * second Tensor made on a Tensor's data would release that data when disposed (as a tidy
 * disposes it), since tfjs counts references per backend, not per Tensor object.
 */
function tensorOf(info: tf.TensorInfo, backend: { incRef(dataId: tf.DataId): void }): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Runs an NHWC implementation for NHWC or NCHW data. The kernel is invoked by tfjs with the
 * wasm backend active, so the tf ops inside run on wasm (and are not taped: tfjs records no
 * gradients inside a kernel).
 */
function kernel(fn: (inputs: Record<string, tf.Tensor4D>, attrs: Attrs, nchw: boolean) => tf.Tensor4D): tf.KernelFunc {
  return ({ inputs, attrs, backend }) =>
    tf.tidy(() => {
      const nchw = (attrs as Attrs)['dataFormat'] === 'NCHW';
      const ts = Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, tensorOf(v as tf.TensorInfo, backend as unknown as WasmHeapBackend)]),
      ) as Record<string, tf.Tensor4D>;
      return fn(ts, attrs as Attrs, nchw);
    });
}

function inputInfo(filterShape: readonly number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  const nchw = attrs['dataFormat'] === 'NCHW';
  const inShape = nchw ? shapeNHWC(attrs['inputShape'] as number[]) : (attrs['inputShape'] as number[]);
  return convGeometry(inShape, filterShape, pair(attrs['strides'] as number), [1, 1], attrs['pad'] as ConvPad,
    attrs['dataFormat'] as string, attrs['dimRoundingMode'] as Rounding);
}

type WasmBackendWithThreads = WasmHeapBackend & { wasm: { tfjs?: { getThreadsCount?(): number } } };

/**
 * The most XNNPACK threads at which Winograd on one thread still beats XNNPACK on all of them: it
 * does the U-Net's 3 × 3 convs 1.9 to 3.5 times as fast as XNNPACK on one thread, and a whole
 * base-64 U-Net (batch 16, 128 px) in 4.5 s on a two-thread backend where XNNPACK takes 7.4 s.
 */
const WINOGRAD_MAX_THREADS = 2;

/**
 * Whether colorize's Winograd kernel runs this backend's convs: where its kernel threads are as
 * many as tfjs's XNNPACK threads (as `initBackend` starts them) or XNNPACK has at most
 * {@link WINOGRAD_MAX_THREADS}.
 */
function winogradHere(backend: WasmBackendWithThreads): boolean {
  return (backend.wasm.tfjs?.getThreadsCount?.() ?? 1) <= Math.max(WINOGRAD_MAX_THREADS, kernelThreadCount());
}

const conv2dBackpropInputComposed = kernel(({ dy, filter }, attrs, nchw) => {
  const dx = conv2dBackpropInputNHWC(nchw ? toNHWC(dy!) : dy!, filter!, inputInfo(filter!.shape, attrs));
  return nchw ? toNCHW(dx) : dx;
});

/**
 * wasm's input gradient (NHWC): for 3 × 3 and 4 × 4 stride-1 convs that Winograd takes (the
 * U-Net's, and the PatchGAN's 256 → 512), colorize's Winograd kernel on the rotated filter
 * ({@link conv2dBackpropInputWinograd}); for up to {@link SIMD_INPUT_MAX_CHANNELS} input channels
 * colorize's SIMD kernel
 * (`wasm/conv2d-backprop-input.c`); otherwise forward convolutions (`conv2d-backprop-input.ts`),
 * which are as fast as the forward conv with more channels.
 */
const conv2dBackpropInput: tf.KernelFunc = (args) => {
  const { dy, filter } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as Attrs;
  const backend = args.backend as unknown as WasmBackendWithThreads;
  if (attrs['dataFormat'] !== 'NCHW' && dy!.dtype === 'float32') {
    const info = inputInfo(filter!.shape, attrs);
    if (winogradHere(backend) && winogradApplies(info)) {
      const dx = conv2dBackpropInputWinograd(backend, dy!, filter!, info);
      if (dx !== null) return dx;
    }
    if (filter!.shape[2]! <= SIMD_INPUT_MAX_CHANNELS) {
      const dx = conv2dBackpropInputSimd(backend, dy!, filter!, info);
      if (dx !== null) return dx;
    }
  }
  return conv2dBackpropInputComposed(args);
};

function filterInfo(xShape: readonly number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  return convGeometry(xShape, attrs['filterShape'] as number[], pair(attrs['strides'] as number), [1, 1],
    attrs['pad'] as ConvPad, attrs['dataFormat'] as string, attrs['dimRoundingMode'] as Rounding);
}

/** The filter gradient as a forward convolution (`conv2d-backprop-filter.ts`). */
const conv2dBackpropFilterComposed = kernel(({ x, dy }, attrs, nchw) => {
  const xs = nchw ? toNHWC(x!) : x!;
  return conv2dBackpropFilterNHWC(xs, nchw ? toNHWC(dy!) : dy!, filterInfo(xs.shape, attrs));
});

/**
 * wasm's filter gradient: for 3 × 3 and 4 × 4 stride-1 convs that Winograd takes, colorize's
 * Winograd kernel ({@link conv2dBackpropFilterWinograd}); otherwise colorize's direct SIMD kernel
 * (`wasm/conv2d-backprop-filter.c`); both on NHWC views of NCHW data. Where the runtime lacks
 * WebAssembly SIMD (and so tfjs's wasm backend runs its plain build), the convolution form above.
 */
const conv2dBackpropFilter: tf.KernelFunc = (args) => {
  if (trainingKernels() === null) return conv2dBackpropFilterComposed(args);
  const { x, dy } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as Attrs;
  const backend = args.backend as unknown as WasmHeapBackend;
  const nchw = attrs['dataFormat'] === 'NCHW';
  const [xs, dys] = nchw
    ? tf.tidy(() => [x!, dy!].map((t) => toNHWC(tensorOf(t, backend) as tf.Tensor4D)))
    : [x!, dy!];
  try {
    const info = filterInfo(xs!.shape, attrs);
    return (xs!.dtype === 'float32' ? conv2dBackpropFilterWinograd(backend, xs!, dys!, info) : null)
      ?? conv2dBackpropFilterSimd(backend, xs!, dys!, info)!;
  } finally {
    if (nchw) tf.dispose([xs as tf.Tensor, dys as tf.Tensor]);
  }
};

function depthwiseInfo(inShape: readonly number[], filterShape: readonly number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  return convGeometry(inShape, filterShape, pair(attrs['strides'] as number), pair((attrs['dilations'] as number) ?? 1),
    attrs['pad'] as ConvPad, 'NHWC', attrs['dimRoundingMode'] as Rounding, true);
}

const depthwiseBackpropFilter = kernel(({ x, dy }, attrs) =>
  depthwiseBackpropFilterNHWC(x!, dy!, depthwiseInfo(x!.shape, attrs['filterShape'] as number[], attrs)));

const depthwiseBackpropInput = kernel(({ dy, filter }, attrs) =>
  depthwiseBackpropInputNHWC(dy!, filter!, depthwiseInfo(attrs['inputShape'] as number[], filter!.shape, attrs)));

/** tfjs's own wasm kernels that colorize's forward convolutions fall back to, by kernel name (exported for tests). */
export const TFJS_WASM_KERNELS = new Map<string, tf.KernelFunc>();

/**
 * wasm's forward convolution (`Conv2D`, and `FusedConv2D` with a bias and a linear or ReLU
 * activation): 3 × 3 and 4 × 4 stride-1 convolutions with channels in multiples of 4 (nearly every
 * conv of a U-Net, and the PatchGAN's 256 → 512) by Winograd's F(4×4, 3×3) and F(3×3, 4×4)
 * (`wasm/conv2d-winograd.c`) on colorize's kernel threads, where {@link winogradHere}; every
 * other convolution by tfjs's own kernel.
 */
function forwardConv(kernelName: 'Conv2D' | 'FusedConv2D'): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as Attrs;
    const activation = (attrs['activation'] as string | undefined) ?? 'linear';
    const backend = args.backend as unknown as WasmBackendWithThreads;
    if (x!.dtype === 'float32' && attrs['dataFormat'] !== 'NCHW' && (activation === 'linear' || activation === 'relu')
      && preluActivationWeights == null && (bias == null || (bias.shape.length === 1 && bias.shape[0] === filter!.shape[3]))
      && winogradHere(backend)) {
      const info = convGeometry(x!.shape, filter!.shape, pair(attrs['strides'] as number), pair((attrs['dilations'] as number) ?? 1),
        attrs['pad'] as ConvPad, 'NHWC', attrs['dimRoundingMode'] as Rounding);
      if (winogradApplies(info)) {
        const y = conv2dWinograd(backend, x!, filter!, bias ?? null, activation === 'relu', info);
        if (y !== null) return y;
      }
    }
    return TFJS_WASM_KERNELS.get(kernelName)!(args);
  };
}

/**
 * wasm's `Sum` and `Mean`: reductions over middle axes (a BatchNorm's over batch, height and
 * width; an InstanceNorm's over height and width) as a product with a row of ones
 * ({@link reduceByProduct}), about 5 times as fast as tfjs's kernel, which transposes first; every
 * other reduction by tfjs's own kernel.
 */
function reduction(kernelName: 'Sum' | 'Mean'): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as Record<string, tf.TensorInfo>;
    const attrs = args.attrs as Attrs;
    if (x!.dtype === 'float32') {
      const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x!.shape);
      if (middleReduction(x!.shape, axes) !== null) {
        return tf.tidy(() => reduceByProduct(tensorOf(x!, args.backend as unknown as WasmHeapBackend), axes, Boolean(attrs['keepDims']), kernelName === 'Mean'));
      }
    }
    return TFJS_WASM_KERNELS.get(kernelName)!(args);
  };
}

/** The kernels colorize adds to (or replaces in) the wasm backend. */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  Conv2D: forwardConv('Conv2D'),
  FusedConv2D: forwardConv('FusedConv2D'),
  Sum: reduction('Sum'),
  Mean: reduction('Mean'),
  Concat: concatOnHeap((args) => TFJS_WASM_KERNELS.get('Concat')!(args)),
};

/** The kernels of {@link WASM_TRAINING_KERNELS} that wrap tfjs's own: registered only where tfjs's is. */
const WRAPPING = new Set(['Conv2D', 'FusedConv2D', 'Sum', 'Mean', 'Concat']);

/**
 * Registers {@link WASM_TRAINING_KERNELS} for the backend named `backendName` (wasm), replacing
 * tfjs's slow `Conv2DBackpropInput` and wrapping its forward convolutions, its `Sum` and
 * `Mean`, and its `Concat` ({@link concatOnHeap}). Registering before
 * the backend starts is fine: tfjs looks kernels up by backend name.
 */
export function registerWasmTrainingKernels(backendName = 'wasm'): void {
  for (const [kernelName, kernelFunc] of Object.entries(WASM_TRAINING_KERNELS)) {
    const existing = tf.getKernel(kernelName, backendName);
    if (existing?.kernelFunc === kernelFunc) continue;
    let setupFunc: tf.KernelSetupFunc | undefined;
    if (WRAPPING.has(kernelName)) {
      if (existing === undefined) continue;
      // tfjs's kernel binds its wasm functions in its setup, which the backend runs at start-up.
      TFJS_WASM_KERNELS.set(kernelName, existing.kernelFunc);
      setupFunc = existing.setupFunc;
    }
    // Unregister first: re-registering warns on the console, and library code does not print.
    if (existing !== undefined) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc, ...(setupFunc === undefined ? {} : { setupFunc }) });
  }
}

/**
 * The kernels colorize replaces in the cpu backend: its `Conv2DBackpropFilter` is a direct loop
 * about 100 times slower than its forward conv (a 32-px U-Net of base 4 spent 1 s of a 1.1 s L1
 * step in it); the convolution form above runs on the cpu backend's forward conv instead.
 */
export const CPU_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropFilter: conv2dBackpropFilterComposed,
};

/** Registers {@link CPU_TRAINING_KERNELS} for the cpu backend. */
export function registerCpuTrainingKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(CPU_TRAINING_KERNELS)) {
    const existing = tf.getKernel(kernelName, 'cpu');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(kernelName, 'cpu');
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc });
  }
}
