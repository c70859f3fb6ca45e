import type * as tf from '@tensorflow/tfjs-core';

import { MODULE_BASE64 } from './conv2d-backprop-filter.wasm.js';

/**
 * What this kernel reads of tfjs's wasm backend: its heap and where each tensor lies in it
 * (public fields of `BackendWasm`, typed here so that `@tensorflow/tfjs-backend-wasm` stays an
 * optional peer).
 */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface FilterGradientExports {
  set_geometry(w: number, ci: number, ow: number, co: number, fh: number, fw: number, sh: number, sw: number,
    dh: number, dw: number, top: number, left: number): void;
  accumulate(x: number, ylo: number, yhi: number, dy: number, i0: number, i1: number, imgs: number, dw: number): void;
  __heap_base: WebAssembly.Global;
}

interface FilterGradientModule {
  exports: FilterGradientExports;
  memory: WebAssembly.Memory;
}

/**
 * The bytes of x and dy rows copied into the module per band: small enough that a band stays in
 * a core's L2 cache while all of the filter's taps read it.
 */
const BAND_BYTES = 1 << 21;
const PAGE = 65536;

/** `undefined`: not loaded yet; `null`: this runtime cannot run it (no WebAssembly SIMD). */
let loaded: FilterGradientModule | null | undefined;
let loading: Promise<void> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The module's bytes, or `null` where the runtime lacks WebAssembly SIMD (so loaded is set). */
function moduleBytes(): Uint8Array<ArrayBuffer> | null {
  const bytes = decodeBase64(MODULE_BASE64);
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) {
    loaded = null;
    return null;
  }
  return bytes;
}

function imports(): { memory: WebAssembly.Memory; imports: WebAssembly.Imports } {
  const memory = new WebAssembly.Memory({ initial: 2 });
  return { memory, imports: { env: { memory } } };
}

/**
 * colorize's SIMD filter-gradient module in this thread, or `null` where the runtime lacks
 * WebAssembly SIMD (as tfjs's wasm backend then does too) or it is still compiling. Node and
 * workers compile it synchronously on first use; a browser's main thread refuses to compile
 * modules over 4 KB synchronously, so there it is compiled in the background
 * ({@link loadFilterGradientModule}, which `initBackend` awaits) and the caller takes the
 * convolution form until it is ready.
 */
export function filterGradientModule(): FilterGradientModule | null {
  if (loaded !== undefined) return loaded;
  if (loading !== undefined) return null;
  const bytes = moduleBytes();
  if (bytes === null) return null;
  try {
    const { memory, imports: env } = imports();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), env);
    loaded = { exports: instance.exports as unknown as FilterGradientExports, memory };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    void loadFilterGradientModule();
    return null;
  }
  return loaded;
}

/**
 * Compiles and instantiates the module asynchronously, as browsers require on their main
 * thread. Resolves when {@link filterGradientModule} returns it (or `null` for a runtime without
 * WebAssembly SIMD); rejects only if the runtime fails to compile a module it validated.
 */
export function loadFilterGradientModule(): Promise<void> {
  if (loaded !== undefined) return Promise.resolve();
  if (loading === undefined) {
    const bytes = moduleBytes();
    if (bytes === null) return Promise.resolve();
    const { memory, imports: env } = imports();
    loading = WebAssembly.instantiate(bytes, env).then(({ instance }) => {
      loaded = { exports: instance.exports as unknown as FilterGradientExports, memory };
    });
  }
  return loading;
}

function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * The filter gradient of a conv2d on the wasm backend, NHWC, with colorize's SIMD kernel:
 * `dW[ky, kx, c, o] = Σ_{b,i,j} x[b, i·sh + ky·dh − top, j·sw + kx·dw − left, c] · dy[b, i, j, o]`.
 * Band by band (a few output rows of one image), the rows of `dy` and the rows of `x` they
 * reach are copied from tfjs's heap into the module and accumulated into one `dW`, which is
 * then written to a new tensor on the backend.
 *
 * @param backend - tfjs's wasm backend.
 * @param x - `[b, h, w, ci]` float32, the conv input.
 * @param dy - `[b, oh, ow, co]` float32, the gradient of the conv output.
 * @param info - the forward conv's geometry.
 * @param bandBytes - the most bytes of x and dy rows per band (at least one output row is
 *   taken). Defaults to 2 MiB.
 * @returns `[fh, fw, ci, co]`, or `null` where {@link filterGradientModule} is `null`.
 */
export function conv2dBackpropFilterSimd(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo, bandBytes = BAND_BYTES): tf.TensorInfo | null {
  const mod = filterGradientModule();
  if (mod === null) return null;
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xRow = w * ci;
  const dyRow = ow * co;
  // A band is a few output rows of one image, or as many whole images as fit in bandBytes.
  const imageBytes = 4 * (h * xRow + oh * dyRow);
  const imgs = Math.max(1, Math.min(b, Math.floor(bandBytes / imageBytes)));
  const rows = imgs > 1 ? oh : Math.max(1, Math.min(oh, Math.floor(bandBytes / (4 * (dyRow + sh * xRow)))));
  const xRows = Math.min(h, (rows - 1) * sh + (fh - 1) * dh + 1);
  const size = fh * fw * ci * co;
  // Layout after the module's own data and stack: dW, the band's x rows, its dy rows (16-byte aligned).
  const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;
  const dwAt = align(mod.exports.__heap_base.value as number);
  const xAt = dwAt + align(4 * size);
  const dyAt = xAt + align(4 * imgs * xRows * xRow);
  reserve(mod.memory, dyAt + 4 * imgs * rows * dyRow);
  const memory = new Float32Array(mod.memory.buffer);
  memory.fill(0, dwAt / 4, dwAt / 4 + size);

  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const xFrom = backend.dataIdMap.get(x.dataId)!.memoryOffset / 4;
  const dyFrom = backend.dataIdMap.get(dy.dataId)!.memoryOffset / 4;
  mod.exports.set_geometry(w, ci, ow, co, fh, fw, sh, sw, dh, dw, top, left);
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
      mod.exports.accumulate(xAt, ylo, yhi, dyAt, i0, i1, count, dwAt);
    }
  }
  const out = backend.makeOutput([fh, fw, ci, co], 'float32');
  // makeOutput may grow tfjs's heap, which replaces its buffer: view it afresh.
  const outAt = backend.dataIdMap.get(out.dataId)!.memoryOffset / 4;
  new Float32Array(backend.wasm.HEAPU8.buffer).set(memory.subarray(dwAt / 4, dwAt / 4 + size), outAt);
  return out;
}
