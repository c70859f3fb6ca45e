import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { heapIndex, trainingKernels, wasmHeap } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** The bytes of input and output images copied into the module at a time (at least one image). */
const IMAGE_BYTES = 1 << 23;
/** The bytes of transformed tiles (V and M) per block: enough tiles that each U[ξ] read serves many. */
const BLOCK_BYTES = 1 << 21;

/**
 * Whether {@link conv2dWinograd} computes a conv of this geometry: a 3 × 3 filter at stride 1
 * without dilation, channels in and out multiples of 4 (any padding, any image size).
 */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1
    && info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0 && info.outChannels % 4 === 0
    && info.dataFormat === 'channelsLast';
}

/**
 * A conv2d on the wasm backend, NHWC, by Winograd's F(4×4, 3×3) with colorize's SIMD kernel
 * (`conv2d-winograd.c`): `y = relu?(conv(x, filter) + bias)`. A quarter of the direct form's
 * multiply-adds; float32 results within a few times the direct form's rounding of it.
 *
 * @param backend - tfjs's wasm backend.
 * @param x - `[b, h, w, ci]` float32.
 * @param filter - `[3, 3, ci, co]` float32.
 * @param bias - `[co]` float32, or `null`.
 * @param relu - whether to apply ReLU after the bias.
 * @param info - the conv's geometry; {@link winogradApplies} must hold.
 * @returns `[b, oh, ow, co]`, or `null` where {@link trainingKernels} is `null`.
 */
export function conv2dWinograd(backend: WasmHeapBackend, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null,
  relu: boolean, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const kernels = trainingKernels();
  if (kernels === null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const xImage = h * w * ci;
  const yImage = oh * ow * co;
  const imgs = Math.max(1, Math.min(b, Math.floor(IMAGE_BYTES / (4 * (xImage + yImage)))));
  const tilesPerImage = Math.ceil(oh / 4) * Math.ceil(ow / 4);
  const block = Math.min(4 * Math.ceil((imgs * tilesPerImage) / 4), Math.max(32, 4 * Math.floor(BLOCK_BYTES / (36 * 4 * (ci + co) * 4))));
  // The module's memory: U, the bias, a group of images in and out, then a block's V and M.
  const uAt = heapStart(kernels);
  const gAt = uAt + align16(4 * 36 * ci * co);
  const biasAt = gAt + align16(4 * 9 * ci * co);
  const xAt = biasAt + align16(4 * co);
  const yAt = xAt + align16(4 * imgs * xImage);
  const vAt = yAt + align16(4 * imgs * yImage);
  const mAt = vAt + align16(4 * 36 * block * ci);
  const memory = reserve(kernels, mAt + 4 * 36 * block * co);

  let heap = wasmHeap(backend);
  const filterFrom = heapIndex(backend, filter);
  memory.set(heap.subarray(filterFrom, filterFrom + 9 * ci * co), gAt / 4);
  if (bias !== null) {
    const biasFrom = heapIndex(backend, bias);
    memory.set(heap.subarray(biasFrom, biasFrom + co), biasAt / 4);
  }
  const k = kernels.exports;
  k.wino_geometry(h, w, ci, co, top, left, oh, ow);
  k.wino_filter(gAt, uAt);
  const out = backend.makeOutput([b, oh, ow, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  heap = wasmHeap(backend);
  const xFrom = heapIndex(backend, x);
  const yTo = heapIndex(backend, out);
  for (let n0 = 0; n0 < b; n0 += imgs) {
    const count = Math.min(imgs, b - n0);
    memory.set(heap.subarray(xFrom + n0 * xImage, xFrom + (n0 + count) * xImage), xAt / 4);
    const tiles = count * tilesPerImage;
    for (let t0 = 0; t0 < tiles; t0 += block) {
      k.wino_block(xAt, uAt, bias === null ? 0 : biasAt, relu ? 1 : 0, yAt, t0, Math.min(block, tiles - t0), vAt, mAt);
    }
    heap.set(memory.subarray(yAt / 4, yAt / 4 + count * yImage), yTo + n0 * yImage);
  }
  return out;
}
