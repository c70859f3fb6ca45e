import * as tf from '@tensorflow/tfjs-core';

/**
 * Where a reduction is over one contiguous run of axes that leaves some inner axes, the shape seen
 * as `[outer, n, inner]` with the middle reduced; otherwise `null` (a reduction over the
 * trailing axes, which tfjs's own kernel already reads in order, or over separated axes).
 */
export function middleReduction(shape: readonly number[], axes: readonly number[]): { outer: number; n: number; inner: number } | null {
  if (axes.length === 0) return null;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length || last === shape.length - 1) return null;
  const size = (from: number, to: number): number => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return { outer: size(0, first), n: size(first, last + 1), inner: size(last + 1, shape.length) };
}

/**
 * `sum(x, axes)` (or the mean) for a reduction over middle axes ({@link middleReduction}) as a
 * product with a column of ones: `[n, inner]ᵀ · [n, 1]` per outer index. On wasm, tfjs's `Sum`
 * and `Mean` first transpose the reduced axes to the end: a BatchNorm's reductions over
 * `[batch, height, width]` of a new `[8, 64, 64, 64]` tensor took 13 ms (68 ms at 128 px), this
 * product 2.7 ms (11.5 ms), the same sums to float32 rounding. Call inside `tidy`.
 *
 * @param x - float32, any rank.
 * @param axes - the reduced axes, normalised (non-negative), contiguous, not the last.
 * @param keepDims - whether the reduced axes stay as size 1.
 * @param mean - whether to divide by the number of values summed.
 * @returns The reduction, shaped as tfjs's `sum` or `mean` shapes it.
 */
export function reduceByProduct(x: tf.Tensor, axes: readonly number[], keepDims: boolean, mean: boolean): tf.Tensor {
  const { outer, n, inner } = middleReduction(x.shape, axes)!;
  // xᵀ · ones, not onesᵀ · x: XNNPACK packs its second operand, and packing x (new every call)
  // costs more than tfjs's transpose. The ones broadcast over the outer index.
  const sums = tf.matMul(tf.reshape(x, [outer, n, inner]), tf.ones([1, n, 1]), true, false);
  const reduced = mean ? tf.div(sums, tf.scalar(n)) : sums;
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return tf.reshape(reduced, shape);
}
