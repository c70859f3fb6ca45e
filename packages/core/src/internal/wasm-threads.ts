import * as tf from '@tensorflow/tfjs-core';

import { importOptional, isNodeRuntime } from './backend-loaders.js';

/**
 * Runs tfjs's threaded wasm build in Node, which tfjs 4.22 turns off there
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false in Node, tfjs issue #3830). Three things stand in
 * its way, and each is bridged here for the duration of the backend's start only:
 *
 * 1. emscripten starts its pthread workers from a `blob:` URL, which Node's `Worker` refuses:
 *    `worker_threads.Worker` is swapped for a subclass that starts the same worker script
 *    (tfjs's own `wasmWorkerContents`) from source (`eval: true`). The worker is then handed the
 *    main script as a Blob, which it cannot import either; a few lines appended to the worker
 *    give it the threaded build's file path instead.
 * 2. emscripten `ref()`s a worker while a pthread runs on it, and XNNPACK's pool threads never
 *    end, so the process would never exit: the subclass keeps its workers unref'd. tfjs's wasm
 *    kernels are synchronous, so no work is ever left pending on the event loop.
 * 3. tfjs caps the pool at half of emscripten's core count (it assumes two hyperthreads per
 *    core), and emscripten counts cores with `os.cpus()`: on a 2-vCPU machine that caps the
 *    pool at one thread. `os.cpus()` reports twice the threads asked for while the module
 *    starts (its C++ initialisers read the count once).
 *
 * Everything patched is restored before this returns, whether the start succeeds or not.
 */

type Require = ((id: string) => unknown) & { resolve(id: string): string };
type WorkerCtor = new (script: string | URL, options?: Record<string, unknown>) => { unref(): void };

/** The number of cores Node reports, or 1 outside Node. */
export async function nodeCoreCount(): Promise<number> {
  if (!isNodeRuntime()) return 1;
  const os = (await importOptional('node:os')) as { availableParallelism?: () => number; cpus: () => unknown[] };
  return os.availableParallelism?.() ?? os.cpus().length;
}

/**
 * Starts the wasm backend with `threads` XNNPACK threads in Node, through `start` (which calls
 * `tf.setBackend('wasm')` and returns its failure reason, if any).
 */
export async function startWasmThreaded(
  threads: number,
  wasmModule: Record<string, unknown> | undefined,
  start: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const { createRequire } = (await importOptional('node:module')) as { createRequire(from: string): Require };
  const require = createRequire(import.meta.url);
  const { dirname, join } = require('node:path') as { dirname(p: string): string; join(...p: string[]): string };
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const mainScript = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // tfjs escapes newlines the same way before making its Blob: its string literals hold "\n"s.
  const workerSource =
    wasmWorkerContents.replace(/\n/g, '\\n') +
    `;(function(){var onLoad=self.onmessage;self.onmessage=function(e){` +
    `if(e.data&&e.data.cmd==="load"&&typeof e.data.urlOrBlob!=="string"){e.data.urlOrBlob=${JSON.stringify(mainScript)}}` +
    `return onLoad(e)}})();`;

  const workerThreads = require('node:worker_threads') as { Worker: WorkerCtor };
  const os = require('node:os') as { cpus: () => unknown[] };
  const NodeWorker = workerThreads.Worker;
  class PthreadWorker extends NodeWorker {
    constructor(script: string | URL, options?: Record<string, unknown>) {
      if (typeof script === 'string' && script.startsWith('blob:')) super(workerSource, { ...options, eval: true });
      else super(script, options);
      this.unref();
    }
    ref(): this {
      return this;
    }
  }
  const cpus = os.cpus;
  const setThreadsCount = wasmModule?.['setThreadsCount'];
  try {
    workerThreads.Worker = PthreadWorker;
    os.cpus = () => {
      const real = cpus.call(os);
      return Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(real.length, 1)]);
    };
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    if (typeof setThreadsCount === 'function') (setThreadsCount as (n: number) => void)(threads);
    return await start();
  } finally {
    workerThreads.Worker = NodeWorker;
    os.cpus = cpus;
    // What tfjs evaluates it to in Node: a later start without these bridges must not try threads.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
}

