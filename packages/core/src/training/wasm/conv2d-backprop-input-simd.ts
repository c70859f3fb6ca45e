import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { heapIndex, trainingKernels, wasmHeap } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** Up to this many input channels, the input gradient is colorize's SIMD kernel. */
export const SIMD_INPUT_MAX_CHANNELS = 4;

/** The bytes of dy rows copied into the module per band. */
const BAND_BYTES = 1 << 20;

/**
 * The input gradient of a conv2d with few input channels on the wasm backend, NHWC, with
 * colorize's SIMD kernel (`conv2d-backprop-input.c`):
 * `dx[b, y, x, c] = Σ dy[b, i, j, o] · w[ky, kx, c, o]` over `y = i·sh + ky·dh − top`,
 * `x = j·sw + kx·dw − left`. Image by image, band by band of `dy`'s rows, each output position's
 * contributions to its taps are one product with the filter transposed to `[co, fh·fw·ci]`,
 * added into the image's `dx` in the module, which is then copied to the result.
 *
 * @param backend - tfjs's wasm backend.
 * @param dy - `[b, oh, ow, co]` float32, the gradient of the conv output.
 * @param filter - `[fh, fw, ci, co]` float32.
 * @param info - the forward conv's geometry.
 * @param bandBytes - the most bytes of dy rows per band (at least one row). Defaults to 1 MiB.
 * @returns `[b, h, w, ci]`, or `null` where {@link trainingKernels} is `null`.
 */
export function conv2dBackpropInputSimd(backend: WasmHeapBackend, dy: tf.TensorInfo, filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo, bandBytes = BAND_BYTES): tf.TensorInfo | null {
  const kernels = trainingKernels();
  if (kernels === null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const k = fh * fw * ci;
  const kp = Math.ceil(k / 4) * 4;
  const dyRow = ow * co;
  const rows = Math.max(1, Math.min(oh, Math.floor(bandBytes / (4 * dyRow))));
  const image = h * w * ci;
  // The module's memory: the transposed filter, the products' scratch, one image's dx, dy rows.
  const wtAt = heapStart(kernels);
  const pAt = wtAt + align16(4 * co * kp);
  const dxAt = pAt + align16(4 * kp);
  const dyAt = dxAt + align16(4 * image);
  const memory = reserve(kernels, dyAt + 4 * rows * dyRow);

  const heap = wasmHeap(backend);
  const f = heapIndex(backend, filter);
  const wt = wtAt / 4;
  memory.fill(0, wt, wt + co * kp);
  for (let t = 0; t < k; t += 1) {
    for (let o = 0; o < co; o += 1) memory[wt + o * kp + t] = heap[f + t * co + o]!;
  }
  const out = backend.makeOutput([b, h, w, ci], 'float32');
  const dyFrom = heapIndex(backend, dy);
  kernels.exports.input_geometry(h, w, ci, ow, co, fh, fw, sh, sw, dh, dw, info.padInfo.top, info.padInfo.left);
  for (let n = 0; n < b; n += 1) {
    memory.fill(0, dxAt / 4, dxAt / 4 + image);
    // makeOutput may have grown tfjs's heap, which replaces its buffer: view it afresh.
    const source = wasmHeap(backend);
    for (let i0 = 0; i0 < oh; i0 += rows) {
      const i1 = Math.min(oh, i0 + rows);
      const dyStart = dyFrom + (n * oh + i0) * dyRow;
      memory.set(source.subarray(dyStart, dyStart + (i1 - i0) * dyRow), dyAt / 4);
      kernels.exports.input_gradient(dyAt, i0, i1, wtAt, dxAt, pAt);
    }
    source.set(memory.subarray(dxAt / 4, dxAt / 4 + image), heapIndex(backend, out) + n * image);
  }
  return out;
}
