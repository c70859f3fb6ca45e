import type * as tf from '@tensorflow/tfjs-core';

import { importOptional, isNodeRuntime } from '../../internal/backend-loaders.js';
import { EmbeddedModule } from '../../wasm/embedded-module.js';
import type { EmbeddedInstance } from '../../wasm/embedded-module.js';
import { KernelThreads } from '../../wasm/kernel-threads.js';
import { MODULE_BASE64, STACK_SLOT_BYTES, STACK_SLOTS } from './training-kernels.wasm.js';

/**
 * What colorize's kernels read of tfjs's wasm backend: its heap and where each tensor lies in
 * it (public fields of `BackendWasm`, typed here so that `@tensorflow/tfjs-backend-wasm` stays
 * an optional peer).
 */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: tf.DataId): void;
}

/** The functions of `training-kernels.wasm.ts` (C sources beside it). Pointers are byte offsets. */
export interface TrainingKernelExports {
  set_geometry(w: number, ci: number, ow: number, co: number, fh: number, fw: number, sh: number, sw: number,
    dh: number, dw: number, top: number, left: number): void;
  accumulate(x: number, ylo: number, yhi: number, dy: number, i0: number, i1: number, imgs: number, dw: number): void;
  input_geometry(h: number, w: number, ci: number, ow: number, co: number, fh: number, fw: number, sh: number, sw: number,
    dh: number, dw: number, top: number, left: number): void;
  input_gradient(dy: number, i0: number, i1: number, wt: number, dx: number, p: number): void;
  wino_geometry(h: number, w: number, ci: number, co: number, padTop: number, padLeft: number, oh: number, ow: number, r: number): void;
  wino_filter(g: number, u: number, flipped: number): void;
  wino_blocks(x: number, u: number, bias: number, relu: number, y: number, tiles: number, block: number, next: number,
    scratch: number, thread: number): void;
  wino_gradient_block(x: number, dy: number, t0: number, count: number, v: number, d: number, m: number): void;
  wino_gradient_out(m: number, dw: number): void;
  wino_input(x: number, count: number, v: number, tiles: number): void;
  wino_chunks(v: number, g: number, flipped: number, m: number, tiles: number, chunk: number, next: number, scratch: number,
    thread: number): void;
  wino_output(m: number, tiles: number, count: number, bias: number, relu: number, y: number): void;
  wino_gradient_input(x: number, dy: number, count: number, v: number, d: number, tiles: number): void;
  wino_gradient_chunks(v: number, d: number, tiles: number, dw: number, chunk: number, next: number, scratch: number,
    thread: number): void;
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
}

/** The functions of {@link TrainingKernelExports} that run on several threads (their last argument is the thread's number). */
type ThreadedFunction = 'wino_blocks' | 'wino_chunks' | 'wino_gradient_chunks';
const THREADED: readonly ThreadedFunction[] = ['wino_blocks', 'wino_chunks', 'wino_gradient_chunks'];

/** The module instantiated in this thread, with its own memory. */
export type TrainingKernels = EmbeddedInstance<TrainingKernelExports>;

const MODULE = new EmbeddedModule<TrainingKernelExports>(MODULE_BASE64);

/**
 * colorize's SIMD training kernels in this thread, or `null` where the runtime lacks
 * WebAssembly SIMD (as tfjs's wasm backend then does too) or they are still compiling. Node and
 * workers compile them synchronously on first use; a browser's main thread refuses to compile
 * modules over 4 KB synchronously, so there they are compiled in the background
 * ({@link loadTrainingKernels}, which `initBackend` awaits) and callers take tfjs-op forms of
 * the same gradients until they are ready.
 */
export function trainingKernels(): TrainingKernels | null {
  return MODULE.instance();
}

/**
 * Compiles and instantiates the module asynchronously, as browsers require on their main
 * thread. Resolves when {@link trainingKernels} returns it (or `null` for a runtime without
 * WebAssembly SIMD); rejects only if the runtime fails to compile a module it validated.
 */
export function loadTrainingKernels(): Promise<void> {
  return MODULE.load();
}

let threads: KernelThreads<TrainingKernelExports> | null = null;

/**
 * Runs the module's kernels on `count` threads from now on (this thread and `count − 1` helper
 * threads), in Node; 1 stops the helpers. Returns the number it runs on: 1 outside Node, where
 * the runtime lacks WebAssembly SIMD, or where it cannot share the module's memory.
 */
export async function setTrainingKernelThreads(count: number): Promise<number> {
  if (count === kernelThreadCount()) return count;
  const closing = threads;
  threads = null;
  await closing?.close();
  const kernels = trainingKernels();
  if (count <= 1 || kernels === null || !kernels.shared || !isNodeRuntime()) return 1;
  const workerThreads = await importOptional('node:worker_threads');
  const helpers = Math.min(count, STACK_SLOTS) - 1;
  threads = await KernelThreads.start(kernels, THREADED, helpers, { slotBytes: STACK_SLOT_BYTES, slots: STACK_SLOTS }, workerThreads);
  return threads.count;
}

/** The number of threads the module's threaded kernels run on (1 until {@link setTrainingKernelThreads}). */
export function kernelThreadCount(): number {
  return threads?.count ?? 1;
}

/**
 * Calls one of the module's threaded kernels on every thread it runs on ({@link kernelThreadCount}),
 * with the thread's number after `args`; returns when all have returned.
 */
export function runThreaded(kernels: TrainingKernels, name: ThreadedFunction, args: readonly number[]): void {
  if (threads === null) (kernels.exports[name] as (...a: number[]) => void)(...args, 0);
  else threads.run(name, args);
}

/** Where a tensor's values start in tfjs's wasm heap, as a float index into {@link wasmHeap}. */
export function heapIndex(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset / 4;
}

/** A float view of tfjs's whole wasm heap (view it afresh after anything that may grow it). */
export function wasmHeap(backend: WasmHeapBackend): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer);
}
