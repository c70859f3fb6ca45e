import * as tf from '@tensorflow/tfjs-core';

import type { WasmHeapBackend } from './wasm/training-kernels.js';

/** Bytes per element of the dtypes whose values tfjs's wasm backend keeps in its heap. */
const ELEMENT_BYTES: Readonly<Partial<Record<tf.DataType, number>>> = { float32: 4, int32: 4, bool: 1 };

/**
 * wasm's `Concat`, in tfjs's heap: each input's rows (the elements from `axis` on, for each index
 * before it) moved into place with `copyWithin`, a byte-exact `memmove` within the heap. tfjs's
 * own kernel makes a typed-array view per row and input to copy from: a U-Net's skip connection
 * at 256 px, `[1, 256, 256, 16]` twice, is 131,072 views, 13 ms of a 190 ms prediction and as
 * many objects for the garbage collector; this kernel makes none and takes 5 ms. Strings, and
 * inputs of other dtypes than float32, int32 and bool, go to tfjs's own kernel (`fallback`).
 *
 * @param fallback - tfjs's own `Concat` for the wasm backend.
 * @returns the kernel function, with tfjs's attributes (`axis`, any integer in range).
 */
export function concatOnHeap(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as unknown as WasmHeapBackend;
    const dtype = inputs[0]!.dtype;
    const bytes = ELEMENT_BYTES[dtype];
    // tfjs's own kernel checks the shapes and handles every case but the one this one speeds up.
    if (bytes === undefined || inputs.length < 2 || inputs.some((t) => t.dtype !== dtype)) return fallback(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const nonEmpty = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (nonEmpty.length < 2) return fallback(args);
    const out = backend.makeOutput(tf.backend_util.computeOutShape(shapes, axis), dtype);
    // makeOutput may grow the heap, which replaces its buffer: view it afterwards.
    const heap = backend.wasm.HEAPU8;
    const rows = tf.util.sizeFromShape(nonEmpty[0]!.shape.slice(0, axis));
    const widths = nonEmpty.map((t) => bytes * tf.util.sizeFromShape(t.shape.slice(axis)));
    const from = nonEmpty.map((t) => backend.dataIdMap.get(t.dataId)!.memoryOffset);
    let to = backend.dataIdMap.get(out.dataId)!.memoryOffset;
    for (let r = 0; r < rows; r += 1) {
      for (let i = 0; i < widths.length; i += 1) {
        const width = widths[i]!;
        const start = from[i]! + r * width;
        heap.copyWithin(to, start, start + width);
        to += width;
      }
    }
    return out;
  };
}
