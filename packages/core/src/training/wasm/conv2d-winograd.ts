import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { convGeometry } from '../conv-geometry.js';
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
/** The most bytes of transformed tiles for the form for few tiles ({@link fewTiles}). */
const FEW_TILES_BYTES = 1 << 24;
/** The output channels per chunk of the form for few tiles. */
const CHUNK = 16;

/**
 * Whether {@link conv2dWinograd} computes a conv of this geometry: a 3 × 3 or 4 × 4 filter at
 * stride 1 without dilation, channels in and out multiples of 4 (any padding, any image size).
 */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return (info.filterHeight === 3 || info.filterHeight === 4) && info.filterWidth === info.filterHeight
    && info.strideHeight === 1 && info.strideWidth === 1
    && info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0 && info.outChannels % 4 === 0
    && info.dataFormat === 'channelsLast';
}

/**
 * Whether a Winograd conv (or filter gradient) of `tiles` tiles takes the form for few tiles:
 * every tile transformed at once (V and M, or V and D, within 16 MiB, and smaller than the
 * transformed filter, 36 · ci · co floats, which that form never writes out whole; a chunk of
 * output channels at a time instead) and every image copied in at once (`imageFloats` of x and
 * of y or dy within 8 MiB). That is the deep layers of a U-Net, whose images are small and
 * filters large: there, writing and reading the whole transformed filter was most of the time.
 */
export function fewTiles(tiles: number, ci: number, co: number, imageFloats: number): boolean {
  const padded = 4 * Math.ceil(tiles / 4);
  return padded * (ci + co) < ci * co && 4 * 36 * padded * (ci + co) <= FEW_TILES_BYTES && 4 * imageFloats <= IMAGE_BYTES;
}

/**
 * The Winograd tiles of one output image: its outputs in s × s tiles, s = 7 − r for an r × r
 * filter (F(4×4, 3×3) or F(3×3, 4×4), both on 6 × 6 input tiles).
 */
export function winogradTilesPerImage(info: tf.backend_util.Conv2DInfo): number {
  const side = 7 - info.filterHeight;
  return Math.ceil(info.outHeight / side) * Math.ceil(info.outWidth / side);
}

/**
 * A conv2d on the wasm backend, NHWC, by Winograd's F(4×4, 3×3) or F(3×3, 4×4) with colorize's
 * SIMD kernel (`conv2d-winograd.c`): `y = relu?(conv(x, filter) + bias)`. 36 multiply-adds per
 * channel pair and output tile where the direct form needs 144; float32 results within a few
 * times the direct form's rounding of it. The blocks of tiles (or, for {@link fewTiles}, the
 * chunks of output channels) are shared out among colorize's kernel threads
 * ({@link kernelThreadCount}; the same bits on any number), the copies in and out run on this one.
 *
 * @param backend - tfjs's wasm backend.
 * @param x - `[b, h, w, ci]` float32.
 * @param filter - `[r, r, ci, co]` float32, r 3 or 4.
 * @param bias - `[co]` float32, or `null`.
 * @param relu - whether to apply ReLU after the bias.
 * @param info - the conv's geometry; {@link winogradApplies} must hold.
 * @param flipped - whether `filter` is instead `[r, r, co, ci]`, that of the conv whose input
 *   gradient this conv computes ({@link conv2dBackpropInputWinograd}): the conv uses it rotated by
 *   180° with its channels swapped. Defaults to false.
 * @returns `[b, oh, ow, co]`, or `null` where {@link trainingKernels} is `null`.
 */
export function conv2dWinograd(backend: WasmHeapBackend, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null,
  relu: boolean, info: tf.backend_util.Conv2DInfo, flipped = false): tf.TensorInfo | null {
  const kernels = trainingKernels();
  if (kernels === null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const xImage = h * w * ci;
  const yImage = oh * ow * co;
  const imgs = Math.max(1, Math.min(b, Math.floor(IMAGE_BYTES / (4 * (xImage + yImage)))));
  const r = info.filterHeight;
  const tilesPerImage = winogradTilesPerImage(info);
  if (fewTiles(b * tilesPerImage, ci, co, b * (xImage + yImage))) return fewTilesConv(backend, x, filter, bias, relu, info, flipped);
  const threads = kernelThreadCount();
  const groupTiles = 4 * Math.ceil((imgs * tilesPerImage) / 4);
  let block = Math.min(groupTiles, Math.max(32, 4 * Math.floor(BLOCK_BYTES / (36 * 4 * (ci + co) * 4))));
  if (threads > 1) block = Math.min(block, Math.max(MIN_SHARED_BLOCK, 4 * Math.ceil(groupTiles / (4 * BLOCKS_PER_THREAD * threads))));
  // The module's memory: the blocks' counter, U, the filter, the bias, a group of images in and
  // out, then each thread's V and M for a block.
  const nextAt = heapStart(kernels);
  const uAt = nextAt + 16;
  const gAt = uAt + align16(4 * 36 * ci * co);
  const biasAt = gAt + align16(4 * r * r * ci * co);
  const xAt = biasAt + align16(4 * co);
  const yAt = xAt + align16(4 * imgs * xImage);
  const scratchAt = yAt + align16(4 * imgs * yImage);
  const memory = reserve(kernels, scratchAt + threads * 4 * 36 * block * (ci + co));
  const counter = new Int32Array(memory.buffer, nextAt, 1);

  let heap = wasmHeap(backend);
  const filterFrom = heapIndex(backend, filter);
  memory.set(heap.subarray(filterFrom, filterFrom + r * r * ci * co), gAt / 4);
  if (bias !== null) {
    const biasFrom = heapIndex(backend, bias);
    memory.set(heap.subarray(biasFrom, biasFrom + co), biasAt / 4);
  }
  const k = kernels.exports;
  k.wino_geometry(h, w, ci, co, top, left, oh, ow, r);
  k.wino_filter(gAt, uAt, flipped ? 1 : 0);
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

/**
 * {@link conv2dWinograd} in the form for few tiles ({@link fewTiles}): all images at once, the
 * filter transformed a chunk of output channels at a time on each thread.
 */
function fewTilesConv(backend: WasmHeapBackend, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null,
  relu: boolean, info: tf.backend_util.Conv2DInfo, flipped: boolean): tf.TensorInfo {
  const kernels = trainingKernels()!;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const r = info.filterHeight;
  const tiles = b * winogradTilesPerImage(info);
  const padded = 4 * Math.ceil(tiles / 4);
  const chunk = Math.min(CHUNK, co);
  const threads = kernelThreadCount();
  // The module's memory: the chunks' counter, the filter, the bias, the images in and out, V and
  // M for every tile, then each thread's chunk of U.
  const nextAt = heapStart(kernels);
  const gAt = nextAt + 16;
  const biasAt = gAt + align16(4 * r * r * ci * co);
  const xAt = biasAt + align16(4 * co);
  const yAt = xAt + align16(4 * b * h * w * ci);
  const vAt = yAt + align16(4 * b * oh * ow * co);
  const mAt = vAt + align16(4 * 36 * padded * ci);
  const scratchAt = mAt + align16(4 * 36 * padded * co);
  const memory = reserve(kernels, scratchAt + threads * 4 * 36 * ci * chunk);
  const heap = wasmHeap(backend);
  const filterFrom = heapIndex(backend, filter);
  memory.set(heap.subarray(filterFrom, filterFrom + r * r * ci * co), gAt / 4);
  if (bias !== null) {
    const biasFrom = heapIndex(backend, bias);
    memory.set(heap.subarray(biasFrom, biasFrom + co), biasAt / 4);
  }
  const xFrom = heapIndex(backend, x);
  memory.set(heap.subarray(xFrom, xFrom + b * h * w * ci), xAt / 4);
  const k = kernels.exports;
  k.wino_geometry(h, w, ci, co, info.padInfo.top, info.padInfo.left, oh, ow, r);
  k.wino_input(xAt, tiles, vAt, padded);
  new Int32Array(memory.buffer, nextAt, 1)[0] = 0;
  runThreaded(kernels, 'wino_chunks', [vAt, gAt, flipped ? 1 : 0, mAt, padded, chunk, nextAt, scratchAt]);
  k.wino_output(mAt, padded, tiles, bias === null ? 0 : biasAt, relu ? 1 : 0, yAt);
  const out = backend.makeOutput([b, oh, ow, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  wasmHeap(backend).set(memory.subarray(yAt / 4, yAt / 4 + b * oh * ow * co), heapIndex(backend, out));
  return out;
}

/**
 * The input gradient of a conv2d that {@link winogradApplies} to, on the wasm backend, NHWC:
 * `dx = conv(dy, rot180(filter)ᵀ)` by {@link conv2dWinograd}, which reads the filter so
 * (rotated, channels swapped) as it transforms it, with dy padded by r − 1 minus the forward
 * padding on each side, so that it computes exactly dx's pixels. (The forward-conv form,
 * `conv2d-backprop-input.ts`, pads by r − 1 and slices the padding's rows off after: on a 4 × 4
 * image deep in a U-Net that is 5 × 5 outputs, four Winograd tiles where dx needs one.)
 *
 * @param backend - tfjs's wasm backend.
 * @param dy - `[b, oh, ow, co]` float32, the gradient of the conv's output.
 * @param filter - `[r, r, ci, co]` float32, the conv's filter.
 * @param info - the conv's geometry.
 * @returns `[b, h, w, ci]`; `null` where {@link trainingKernels} is `null`, where
 *   {@link winogradApplies} does not hold, or where the conv pads more than r − 1 on a side.
 */
export function conv2dBackpropInputWinograd(backend: WasmHeapBackend, dy: tf.TensorInfo, filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { top, bottom, left, right } = info.padInfo;
  const r = info.filterHeight;
  if (!winogradApplies(info) || Math.max(top, bottom, left, right) > r - 1) return null;
  const { batchSize: b, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const gradient = convGeometry([b, oh, ow, co], [r, r, co, ci], [1, 1], [1, 1],
    [[0, 0], [r - 1 - top, r - 1 - bottom], [r - 1 - left, r - 1 - right], [0, 0]], 'NHWC', undefined);
  return conv2dWinograd(backend, dy, filter, null, false, gradient, true);
}
