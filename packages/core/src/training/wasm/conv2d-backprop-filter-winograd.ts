import type * as tf from '@tensorflow/tfjs-core';

import { align16, heapStart, reserve } from '../../wasm/embedded-module.js';
import { fewTiles, winogradApplies, winogradTilesPerImage } from './conv2d-winograd.js';
import { heapIndex, kernelThreadCount, runThreaded, trainingKernels, wasmHeap } from './training-kernels.js';
import type { WasmHeapBackend } from './training-kernels.js';

/** The bytes of x and dy images copied into the module at a time (at least one image of each). */
const IMAGE_BYTES = 1 << 23;
/** The bytes of transformed tiles (V and D) per block. */
const BLOCK_BYTES = 1 << 23;
/** The fewest tiles per block: each block adds its products into all of M, which the tiles pay for. */
const MIN_BLOCK = 32;
/** The output channels per chunk of the form for few tiles. */
const CHUNK = 16;

/**
 * The filter gradient of a conv2d that {@link winogradApplies} to (r × r, r 3 or 4, stride 1), on
 * the wasm backend, NHWC, by Winograd's F(r×r, s×s) with colorize's SIMD kernel
 * (`conv2d-winograd.c`; s = 7 − r, 4 or 3):
 * `dW[ky, kx, c, o] = Σ_{b,i,j} x[b, i + ky − top, j + kx − left, c] · dy[b, i, j, o]`. Each s × s
 * tile of dy and the 6 × 6 block of x under it are transformed, their products summed over every
 * tile in the transformed space (`36 · ci · co` floats), and that sum transformed back once: 36
 * multiply-adds per channel pair and tile where the direct form needs 144. float32 results
 * within a few times the direct form's rounding of them. For few tiles ({@link fewTiles}: the
 * deep layers of a U-Net), every tile is transformed at once and the sum made and transformed
 * back a chunk of output channels at a time, on colorize's kernel threads, never written whole.
 *
 * @param backend - tfjs's wasm backend.
 * @param x - `[b, h, w, ci]` float32, the conv's input.
 * @param dy - `[b, oh, ow, co]` float32, the gradient of the conv's output.
 * @param info - the conv's geometry.
 * @param blockBytes - the most bytes of transformed tiles per block (at least 32 tiles are taken).
 *   Defaults to 8 MiB.
 * @returns `[r, r, ci, co]`; `null` where {@link trainingKernels} is `null` or
 *   {@link winogradApplies} does not hold.
 */
export function conv2dBackpropFilterWinograd(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo, blockBytes = BLOCK_BYTES): tf.TensorInfo | null {
  const kernels = trainingKernels();
  if (kernels === null || !winogradApplies(info)) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const xImage = h * w * ci;
  const dyImage = oh * ow * co;
  const imgs = Math.max(1, Math.min(b, Math.floor(IMAGE_BYTES / (4 * (xImage + dyImage)))));
  const r = info.filterHeight;
  const tilesPerImage = winogradTilesPerImage(info);
  if (fewTiles(b * tilesPerImage, ci, co, b * (xImage + dyImage))) return fewTilesGradient(backend, x, dy, info);
  const groupTiles = 4 * Math.ceil((imgs * tilesPerImage) / 4);
  const block = Math.min(groupTiles, Math.max(MIN_BLOCK, 4 * Math.floor(blockBytes / (4 * 4 * 36 * (ci + co)))));
  const plane = ci * co;
  // The module's memory: M, dW, a group of images of x and of dy, then V and D for a block.
  const mAt = heapStart(kernels);
  const dwAt = mAt + align16(4 * 36 * plane);
  const xAt = dwAt + align16(4 * r * r * plane);
  const dyAt = xAt + align16(4 * imgs * xImage);
  const vAt = dyAt + align16(4 * imgs * dyImage);
  const dAt = vAt + align16(4 * 36 * block * ci);
  const memory = reserve(kernels, dAt + 4 * 36 * block * co);
  memory.fill(0, mAt / 4, mAt / 4 + 36 * plane);

  const heap = wasmHeap(backend);
  const xFrom = heapIndex(backend, x);
  const dyFrom = heapIndex(backend, dy);
  const k = kernels.exports;
  k.wino_geometry(h, w, ci, co, top, left, oh, ow, r);
  for (let n0 = 0; n0 < b; n0 += imgs) {
    const count = Math.min(imgs, b - n0);
    memory.set(heap.subarray(xFrom + n0 * xImage, xFrom + (n0 + count) * xImage), xAt / 4);
    memory.set(heap.subarray(dyFrom + n0 * dyImage, dyFrom + (n0 + count) * dyImage), dyAt / 4);
    const tiles = count * tilesPerImage;
    for (let t0 = 0; t0 < tiles; t0 += block) k.wino_gradient_block(xAt, dyAt, t0, Math.min(block, tiles - t0), vAt, dAt, mAt);
  }
  k.wino_gradient_out(mAt, dwAt);
  const out = backend.makeOutput([r, r, ci, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  wasmHeap(backend).set(memory.subarray(dwAt / 4, dwAt / 4 + r * r * plane), heapIndex(backend, out));
  return out;
}

/** {@link conv2dBackpropFilterWinograd} in the form for few tiles. */
function fewTilesGradient(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const kernels = trainingKernels()!;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const r = info.filterHeight;
  const tiles = b * winogradTilesPerImage(info);
  const padded = 4 * Math.ceil(tiles / 4);
  const chunk = Math.min(CHUNK, co);
  const threads = kernelThreadCount();
  const size = r * r * ci * co;
  // The module's memory: the chunks' counter, dW, the images of x and dy, V and D for every
  // tile, then each thread's chunk of M.
  const nextAt = heapStart(kernels);
  const dwAt = nextAt + 16;
  const xAt = dwAt + align16(4 * size);
  const dyAt = xAt + align16(4 * b * h * w * ci);
  const vAt = dyAt + align16(4 * b * oh * ow * co);
  const dAt = vAt + align16(4 * 36 * padded * ci);
  const scratchAt = dAt + align16(4 * 36 * padded * co);
  const memory = reserve(kernels, scratchAt + threads * 4 * 36 * ci * chunk);
  const heap = wasmHeap(backend);
  const xFrom = heapIndex(backend, x);
  const dyFrom = heapIndex(backend, dy);
  memory.set(heap.subarray(xFrom, xFrom + b * h * w * ci), xAt / 4);
  memory.set(heap.subarray(dyFrom, dyFrom + b * oh * ow * co), dyAt / 4);
  const k = kernels.exports;
  k.wino_geometry(h, w, ci, co, info.padInfo.top, info.padInfo.left, oh, ow, r);
  k.wino_gradient_input(xAt, dyAt, tiles, vAt, dAt, padded);
  new Int32Array(memory.buffer, nextAt, 1)[0] = 0;
  runThreaded(kernels, 'wino_gradient_chunks', [vAt, dAt, padded, dwAt, chunk, nextAt, scratchAt]);
  const out = backend.makeOutput([r, r, ci, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  wasmHeap(backend).set(memory.subarray(dwAt / 4, dwAt / 4 + size), heapIndex(backend, out));
  return out;
}
