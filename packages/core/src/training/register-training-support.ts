// tfjs registers its gradients only when tfjs-layers is loaded (its node bundle carries them);
// training support means gradients, so load it here.
import '@tensorflow/tfjs-layers';

import * as tf from '@tensorflow/tfjs-core';

import { FUSED_BATCH_NORM_GRADIENT } from './batch-norm-gradient.js';
import { registerSecondOrderGradients, SECOND_ORDER_GRADIENTS } from './second-order-gradients.js';
import { CPU_TRAINING_KERNELS, registerCpuTrainingKernels, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-kernels.js';
import { registerZeroGradients, ZERO_GRADIENT_OPS } from './zero-gradients.js';

/**
 * What {@link registerTrainingSupport} adds to tfjs: op names, for documentation and reports.
 *
 * @group Training support
 */
export const TRAINING_SUPPORT = {
  /** Non-differentiable ops given a zero gradient, so that LeakyReLU, Maximum, ReLU6, … work to second order. */
  zeroGradients: ZERO_GRADIENT_OPS as readonly string[],
  /** Ops whose gradient is replaced by one that is correct when differentiated again. */
  secondOrderGradients: SECOND_ORDER_GRADIENTS.map((c) => c.kernelName),
  /** Ops whose tfjs gradient is replaced by one with the same values that avoids a slow kernel. */
  fasterGradients: [FUSED_BATCH_NORM_GRADIENT.kernelName] as readonly string[],
  /** Kernels added to (or replacing slow ones of) the wasm backend. */
  wasmKernels: Object.keys(WASM_TRAINING_KERNELS),
  /** Kernels replacing slow ones of the cpu backend. */
  cpuKernels: Object.keys(CPU_TRAINING_KERNELS),
} as const;

/**
 * Makes tfjs able to train what colorize trains, on every backend: registers tfjs's gradients,
 * zero gradients for comparison and logic ops, second-order-correct gradients for the ops
 * whose tfjs gradient is wrong when differentiated again (Tanh, Sigmoid, Exp, Elu, Pow,
 * Softmax, LogSoftmax, Max, Min, …), a BatchNorm gradient without tfjs's full-size Tile, and
 * the wasm kernels tfjs lacks (conv filter gradients,
 * depthwise backprop) or has only slow ones of (conv input gradient, `conv2dTranspose`, forward
 * convs, middle-axis `Sum` and `Mean`, `Concat`), and a
 * convolution-based conv filter gradient for the cpu backend, whose own is about 100× slower.
 *
 * {@link initBackend} calls this; call it yourself if you start backends another way, after
 * importing the backend packages (importing `@tensorflow/tfjs-backend-wasm` registers tfjs's own
 * kernels, replacing colorize's). Calling it again does nothing, and it prints nothing.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { registerTrainingSupport } from '@colorize/core';
 * registerTrainingSupport();
 * await tf.setBackend('wasm');
 * // now tf.grad through conv filters works on wasm, and gradient penalties are right
 * ```
 * @group Training support
 */
export function registerTrainingSupport(): void {
  registerZeroGradients();
  registerSecondOrderGradients();
  if (tf.getGradient(FUSED_BATCH_NORM_GRADIENT.kernelName) !== FUSED_BATCH_NORM_GRADIENT) tf.registerGradient(FUSED_BATCH_NORM_GRADIENT);
  registerWasmTrainingKernels('wasm');
  registerCpuTrainingKernels();
}
