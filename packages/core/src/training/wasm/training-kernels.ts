import type * as tf from '@tensorflow/tfjs-core';

import { MODULE_BASE64 } from './training-kernels.wasm.js';

/**
 * What colorize's kernels read of tfjs's wasm backend: its heap and where each tensor lies in
 * it (public fields of `BackendWasm`, typed here so that `@tensorflow/tfjs-backend-wasm` stays
 * an optional peer).
 */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The functions of `training-kernels.wasm.ts` (C sources beside it). Pointers are byte offsets. */
export interface TrainingKernelExports {
  set_geometry(w: number, ci: number, ow: number, co: number, fh: number, fw: number, sh: number, sw: number,
    dh: number, dw: number, top: number, left: number): void;
  accumulate(x: number, ylo: number, yhi: number, dy: number, i0: number, i1: number, imgs: number, dw: number): void;
  input_geometry(h: number, w: number, ci: number, ow: number, co: number, fh: number, fw: number, sh: number, sw: number,
    dh: number, dw: number, top: number, left: number): void;
  input_gradient(dy: number, i0: number, i1: number, wt: number, dx: number, p: number): void;
  __heap_base: WebAssembly.Global;
}

/** The module instantiated in this thread, with its own memory. */
export interface TrainingKernels {
  exports: TrainingKernelExports;
  memory: WebAssembly.Memory;
}

const PAGE = 65536;

/** `undefined`: not loaded yet; `null`: this runtime cannot run it (no WebAssembly SIMD). */
let loaded: TrainingKernels | null | undefined;
let loading: Promise<void> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The module's bytes, or `null` where the runtime lacks WebAssembly SIMD (then loaded is null). */
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
 * colorize's SIMD training kernels in this thread, or `null` where the runtime lacks
 * WebAssembly SIMD (as tfjs's wasm backend then does too) or they are still compiling. Node and
 * workers compile them synchronously on first use; a browser's main thread refuses to compile
 * modules over 4 KB synchronously, so there they are compiled in the background
 * ({@link loadTrainingKernels}, which `initBackend` awaits) and callers take tfjs-op forms of
 * the same gradients until they are ready.
 */
export function trainingKernels(): TrainingKernels | null {
  if (loaded !== undefined) return loaded;
  if (loading !== undefined) return null;
  const bytes = moduleBytes();
  if (bytes === null) return null;
  try {
    const { memory, imports: env } = imports();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), env);
    loaded = { exports: instance.exports as unknown as TrainingKernelExports, memory };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    void loadTrainingKernels();
    return null;
  }
  return loaded;
}

/**
 * Compiles and instantiates the module asynchronously, as browsers require on their main
 * thread. Resolves when {@link trainingKernels} returns it (or `null` for a runtime without
 * WebAssembly SIMD); rejects only if the runtime fails to compile a module it validated.
 */
export function loadTrainingKernels(): Promise<void> {
  if (loaded !== undefined) return Promise.resolve();
  if (loading === undefined) {
    const bytes = moduleBytes();
    if (bytes === null) return Promise.resolve();
    const { memory, imports: env } = imports();
    loading = WebAssembly.instantiate(bytes, env).then(({ instance }) => {
      loaded = { exports: instance.exports as unknown as TrainingKernelExports, memory };
    });
  }
  return loading;
}

/** Grows the module's memory to at least `bytes` and returns a float view of all of it. */
export function reserve(kernels: TrainingKernels, bytes: number): Float32Array {
  const have = kernels.memory.buffer.byteLength;
  if (bytes > have) kernels.memory.grow(Math.ceil((bytes - have) / PAGE));
  return new Float32Array(kernels.memory.buffer);
}

/** The first free byte after the module's own data and stack, 16-byte aligned. */
export function heapStart(kernels: TrainingKernels): number {
  return align16(kernels.exports.__heap_base.value as number);
}

export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Where a tensor's values start in tfjs's wasm heap, as a float index into {@link wasmHeap}. */
export function heapIndex(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset / 4;
}

/** A float view of tfjs's whole wasm heap (view it afresh after anything that may grow it). */
export function wasmHeap(backend: WasmHeapBackend): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}
