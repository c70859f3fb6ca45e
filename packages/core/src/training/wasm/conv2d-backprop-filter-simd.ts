import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { heapIndex, trainingKernels, wasmHeap } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/**
 * The bytes of x and dy rows copied into the module per band: a few output rows of one image,
 * or whole images where they are small.
 */
const BAND_BYTES = 1 << 21;

/**
 * The filter gradient of a conv2d on the wasm backend, NHWC, with colorize's SIMD kernel
 * (`conv2d-backprop-filter.c`):
 * `dW[ky, kx, c, o] = Σ_{b,i,j} x[b, i·sh + ky·dh − top, j·sw + kx·dw − left, c] · dy[b, i, j, o]`.
 * Band by band, the rows of `dy` and the rows of `x` they reach are copied from tfjs's heap
 * into the module and accumulated into one `dW`, which is then written to a new tensor.
 *
 * @param backend - tfjs's wasm backend.
 * @param x - `[b, h, w, ci]` float32, the conv input.
 * @param dy - `[b, oh, ow, co]` float32, the gradient of the conv output.
 * @param info - the forward conv's geometry.
 * @param bandBytes - the most bytes of x and dy rows per band (at least one output row is
 *   taken). Defaults to 2 MiB.
 * @returns `[fh, fw, ci, co]`, or `null` where {@link trainingKernels} is `null`.
 */
export function conv2dBackpropFilterSimd(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo, bandBytes = BAND_BYTES): tf.TensorInfo | null {
  const kernels = trainingKernels();
  if (kernels === null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xRow = w * ci;
  const dyRow = ow * co;
  const imageBytes = 4 * (h * xRow + oh * dyRow);
  const imgs = Math.max(1, Math.min(b, Math.floor(bandBytes / imageBytes)));
  const rows = imgs > 1 ? oh : Math.max(1, Math.min(oh, Math.floor(bandBytes / (4 * (dyRow + sh * xRow)))));
  const xRows = Math.min(h, (rows - 1) * sh + (fh - 1) * dh + 1);
  const size = fh * fw * ci * co;
  // The module's memory: dW, then the band's x rows, then its dy rows.
  const dwAt = heapStart(kernels);
  const xAt = dwAt + align16(4 * size);
  const dyAt = xAt + align16(4 * imgs * xRows * xRow);
  const memory = reserve(kernels, dyAt + 4 * imgs * rows * dyRow);
  memory.fill(0, dwAt / 4, dwAt / 4 + size);

  const heap = wasmHeap(backend);
  const xFrom = heapIndex(backend, x);
  const dyFrom = heapIndex(backend, dy);
  kernels.exports.set_geometry(w, ci, ow, co, fh, fw, sh, sw, dh, dw, top, left);
  for (let n0 = 0; n0 < b; n0 += imgs) {
    const count = Math.min(imgs, b - n0);
    for (let i0 = 0; i0 < oh; i0 += rows) {
      const i1 = Math.min(oh, i0 + rows);
      const ylo = Math.max(0, i0 * sh - top);
      const yhi = Math.min(h, (i1 - 1) * sh + (fh - 1) * dh - top + 1);
      if (yhi <= ylo) continue;
      for (let m = 0; m < count; m += 1) {
        const xStart = xFrom + ((n0 + m) * h + ylo) * xRow;
        memory.set(heap.subarray(xStart, xStart + (yhi - ylo) * xRow), xAt / 4 + m * (yhi - ylo) * xRow);
        const dyStart = dyFrom + ((n0 + m) * oh + i0) * dyRow;
        memory.set(heap.subarray(dyStart, dyStart + (i1 - i0) * dyRow), dyAt / 4 + m * (i1 - i0) * dyRow);
      }
      kernels.exports.accumulate(xAt, ylo, yhi, dyAt, i0, i1, count, dwAt);
    }
  }
  const out = backend.makeOutput([fh, fw, ci, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  wasmHeap(backend).set(memory.subarray(dwAt / 4, dwAt / 4 + size), heapIndex(backend, out));
  return out;
}
