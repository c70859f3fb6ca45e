import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { heapIndex, kernelThreadCount, runThreaded, trainingKernels, wasmHeap } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** The bytes of input and output images copied into the module at a time (at least one image). */
const IMAGE_BYTES = 1 << 23;
/** The bytes of transformed tiles (V and M) per block: enough tiles that each U[ξ] read serves many. */
const BLOCK_BYTES = 1 << 21;
/** The fewest tiles per block when blocks are made smaller to give every thread several. */
const MIN_SHARED_BLOCK = 16;
/** The blocks per thread aimed at, so that a thread slowed by others on its core takes fewer. */
const BLOCKS_PER_THREAD = 4;

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
 * multiply-adds; float32 results within a few times the direct form's rounding of it. The blocks
 * of tiles are shared out among colorize's kernel threads ({@link kernelThreadCount}; the same
 * bits on any number), the copies in and out run on this one.
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
  const threads = kernelThreadCount();
  const groupTiles = 4 * Math.ceil((imgs * tilesPerImage) / 4);
  let block = Math.min(groupTiles, Math.max(32, 4 * Math.floor(BLOCK_BYTES / (36 * 4 * (ci + co) * 4))));
  if (threads > 1) block = Math.min(block, Math.max(MIN_SHARED_BLOCK, 4 * Math.ceil(groupTiles / (4 * BLOCKS_PER_THREAD * threads))));
  // The module's memory: the blocks' counter, U, the filter, the bias, a group of images in and
  // out, then each thread's V and M for a block.
  const nextAt = heapStart(kernels);
  const uAt = nextAt + 16;
  const gAt = uAt + align16(4 * 36 * ci * co);
  const biasAt = gAt + align16(4 * 9 * ci * co);
  const xAt = biasAt + align16(4 * co);
  const yAt = xAt + align16(4 * imgs * xImage);
  const scratchAt = yAt + align16(4 * imgs * yImage);
  const memory = reserve(kernels, scratchAt + threads * 4 * 36 * block * (ci + co));
  const counter = new Int32Array(memory.buffer, nextAt, 1);

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
    counter[0] = 0;
    runThreaded(kernels, 'wino_blocks', [xAt, uAt, bias === null ? 0 : biasAt, relu ? 1 : 0, yAt, count * tilesPerImage, block, nextAt, scratchAt]);
    heap.set(memory.subarray(yAt / 4, yAt / 4 + count * yImage), yTo + n0 * yImage);
  }
  return out;
}
