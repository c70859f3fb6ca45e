import * as tf from '@tensorflow/tfjs-core';

/**
 * Ops whose output is piecewise constant (comparisons, logic), so their gradient is zero
 * wherever it exists, and which tfjs 4.22 registers no gradient for. They sit on gradient
 * paths as soon as a gradient is differentiated again: `tf.leakyRelu`'s gradient is
 * `where(x > 0, dy, α·dy)`, so the second derivative needs the gradient of `Greater`, and tfjs
 * throws "gradient function not found for Greater". The same for `Maximum` (Less), `Minimum`,
 * `Relu6` and `ClipByValue` (LessEqual, LogicalAnd), `Max`/`Min` (Equal) and others.
 * `GreaterEqual`, `Step`, `Sign`, `Floor`, `Ceil`, `Round`, `IsNan` already have one.
 */
export const ZERO_GRADIENT_OPS = [
  'Greater',
  'Less',
  'LessEqual',
  'Equal',
  'NotEqual',
  'LogicalAnd',
  'LogicalOr',
  'LogicalNot',
] as const;

/** Registers a zero (float32, as tfjs requires of gradients, even for bool inputs) gradient for every input of each op in {@link ZERO_GRADIENT_OPS} that lacks one. */
export function registerZeroGradients(): void {
  for (const kernelName of ZERO_GRADIENT_OPS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: kernelName === 'LogicalNot' ? ['x'] : ['a', 'b'],
      gradFunc: (_dy, saved): Record<string, () => tf.Tensor> =>
        kernelName === 'LogicalNot'
          ? { x: () => tf.zeros(saved[0]!.shape) }
          : { a: () => tf.zeros(saved[0]!.shape), b: () => tf.zeros(saved[1]!.shape) },
    });
  }
}
