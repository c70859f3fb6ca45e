import type * as tf from '@tensorflow/tfjs-core';

/** Bytes per stored element, by dtype and by quantization dtype. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * The number of bytes a group of weight specs needs, or undefined when it cannot be known
 * (string weights are length-prefixed).
 */
export function weightSpecBytes(
  specs: readonly tf.io.WeightsManifestEntry[],
  error: (problem: string) => Error,
): number | undefined {
  let total = 0;
  for (const spec of specs) {
    if (typeof spec?.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw error(`weight spec ${JSON.stringify(spec)} needs a name and a shape of non-negative integers`);
    }
    if (spec.dtype === 'string') return undefined;
    const q = spec.quantization?.dtype;
    const bytes = q === undefined ? DTYPE_BYTES[spec.dtype] : QUANTIZED_BYTES[q];
    if (bytes === undefined) throw error(`weight "${spec.name}" has an unknown dtype "${q ?? spec.dtype}"`);
    total += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}
