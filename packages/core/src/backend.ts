import * as tf from '@tensorflow/tfjs-core';

import { ColorizeError, describeValue, invalid } from './errors.js';
import {
  BACKEND_PACKAGES,
  loadBackendPackage,
  missingWasmFile,
  setBackendChecked,
  isNodeRuntime,
  webgpuAdapterReason,
} from './internal/backend-loaders.js';
import { nodeCoreCount, startWasmThreaded } from './internal/wasm-threads.js';
import { registerTrainingSupport } from './training/register-training-support.js';
import { loadTrainingKernels, setTrainingKernelThreads } from './training/wasm/training-kernels.js';
import { assertOptions } from './validate.js';

/**
 * A tfjs backend colorize can start.
 *
 * - `tensorflow`: libtensorflow through `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node`, in Node.
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu`, in browsers, or in Node with the `webgpu` package's globals.
 * - `webgl`: `@tensorflow/tfjs-backend-webgl`, in browsers. Only when asked for.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm`, everywhere; the fastest CPU backend without tfjs-node.
 * - `cpu`: `@tensorflow/tfjs-backend-cpu`, everywhere; plain JavaScript, the slowest.
 *
 * @group Backends
 */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Every backend name {@link initBackend} accepts. @group Backends */
export const BACKEND_NAMES = Object.keys(BACKEND_PACKAGES) as readonly BackendName[];

/** The order {@link initBackend} tries when no backend is asked for. @group Backends */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Options of {@link initBackend}. @group Backends */
export interface InitBackendOptions {
  /**
   * The backend to start. When set, only this one is tried, and failing to start it throws.
   * Defaults to the `COLORIZE_BACKEND` environment variable, and when that is unset, to the
   * first of {@link DEFAULT_BACKEND_ORDER} that starts.
   */
  backend?: BackendName;
  /**
   * Where the wasm backend finds its `.wasm` files: a folder URL or path ending in `/`, or a map
   * from file name to URL, as `setWasmPaths` of `@tensorflow/tfjs-backend-wasm` takes. Browsers
   * serving the files themselves need this. Defaults to the package's own folder (Node).
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * How many threads the wasm backend computes on in Node, 1 to 8. tfjs runs wasm on one thread
   * in Node; with more, colorize starts tfjs's threaded wasm build there (its XNNPACK thread
   * pool on `worker_threads`), and runs its own convolution kernel (Winograd's) on as many
   * threads: U-Net inference runs 1.7× as fast on two cores as on one. Only the first start of
   * the wasm backend in a process can set tfjs's threads; each call sets colorize's. Browsers
   * are left to tfjs, which runs threads on cross-origin-isolated pages, and colorize's kernels
   * run on one. Defaults to the `COLORIZE_WASM_THREADS` environment variable, and when that is
   * unset, to the number of cores (at most 8).
   */
  wasmThreads?: number;
  /**
   * The environment read for `COLORIZE_BACKEND`. Defaults to `process.env` where it exists.
   */
  env?: Record<string, string | undefined>;
}

const FN = 'initBackend';

function isBackendName(name: unknown): name is BackendName {
  return typeof name === 'string' && (BACKEND_NAMES as readonly string[]).includes(name);
}

/** Starts one backend and says why it could not, without falling back. */
async function tryBackend(name: BackendName, options: InitBackendOptions): Promise<string | undefined> {
  if (name === 'webgpu') {
    const noAdapter = await webgpuAdapterReason();
    if (noAdapter !== undefined) return noAdapter;
  }
  const { module, reason } = await loadBackendPackage(name);
  if (reason !== undefined) return reason;
  // After the backend's package is loaded (importing it registers its own kernels, which would
  // replace colorize's) and before it starts.
  registerTrainingSupport();
  // colorize's wasm training kernels, compiled now: a browser's main thread can only do so
  // asynchronously.
  if (name === 'wasm') await loadTrainingKernels();
  const threads = name === 'wasm' ? await wasmThreadsWanted(options) : 1;
  if (name === 'wasm' && options.wasmPaths !== undefined) {
    const setWasmPaths = module?.['setWasmPaths'];
    if (typeof setWasmPaths !== 'function') {
      return 'wasmPaths was given but @tensorflow/tfjs-backend-wasm could not be imported to set it';
    }
    const missing = await missingWasmFile(options.wasmPaths, threads > 1);
    if (missing !== undefined) return missing;
    try {
      (setWasmPaths as (paths: unknown) => void)(options.wasmPaths);
    } catch (err) {
      return `setWasmPaths failed: ${(err as Error).message}`;
    }
  }
  const started = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry[name] !== undefined;
  const failed = threads > 1 && !started
    ? await startWasmThreaded(threads, module, () => setBackendChecked(name))
    : await setBackendChecked(name);
  // colorize's own kernels (Winograd's convolution) on as many threads, each call of initBackend.
  if (failed === undefined && name === 'wasm') await setTrainingKernelThreads(threads);
  return failed;
}

/** The wasm thread count asked for (option, then environment, then cores), checked; 1 outside Node. */
async function wasmThreadsWanted(options: InitBackendOptions): Promise<number> {
  if (!isNodeRuntime()) return 1;
  if (options.wasmThreads !== undefined) return options.wasmThreads;
  const fromEnv = envOf(options)['COLORIZE_WASM_THREADS'];
  if (fromEnv !== undefined && fromEnv !== '') return checkThreads(Number(fromEnv), 'COLORIZE_WASM_THREADS', fromEnv);
  return Math.min(await nodeCoreCount(), 8);
}

function checkThreads(n: unknown, source: string, shown: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 8) {
    throw invalid('INVALID_OPTION', FN, `${source} to be an integer from 1 to 8`, describeValue(shown));
  }
  return n;
}

function envOf(options: InitBackendOptions): Record<string, string | undefined> {
  return options.env ?? (typeof process !== 'undefined' && process.env ? process.env : {});
}

/**
 * Chooses, starts and selects a tfjs backend, and returns its name.
 *
 * With no backend asked for, tries `tensorflow` (when `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` is installed), then `webgpu` (when an adapter exists), then `wasm`,
 * then `cpu`, and takes the first that starts. A backend asked for by option or by the
 * `COLORIZE_BACKEND` environment variable is the only one tried: if it cannot start, this
 * throws, and never falls back silently to another.
 *
 * It also calls {@link registerTrainingSupport}, so gradients (also second-order ones) and
 * the wasm training kernels are in place whatever backend starts.
 *
 * In browsers, import the backend packages you want (`import '@tensorflow/tfjs-backend-webgpu'`)
 * before calling this; in Node it imports installed backend packages itself.
 *
 * @returns the name of the backend now in use.
 * @throws {@link ColorizeError} `BACKEND_UNAVAILABLE` with the reason when the asked-for
 *   backend (or, with none asked for, every backend) cannot start; `INVALID_OPTION` for an
 *   unknown backend name.
 * @example
 * ```ts
 * import { initBackend } from '@colorize/core';
 * const name = await initBackend();                    // e.g. 'wasm'
 * await initBackend({ backend: 'cpu' });              // exactly cpu, or a BACKEND_UNAVAILABLE error
 * ```
 * @group Backends
 */
export async function initBackend(options?: InitBackendOptions): Promise<BackendName> {
  const opts = assertOptions(FN, options, ['backend', 'wasmPaths', 'wasmThreads', 'env']);
  if (opts.wasmThreads !== undefined) checkThreads(opts.wasmThreads, 'wasmThreads', opts.wasmThreads);
  const env = envOf(opts);
  const fromEnv = env['COLORIZE_BACKEND'];
  const asked = opts.backend ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
  if (asked !== undefined) {
    if (!isBackendName(asked)) {
      const source = opts.backend === undefined ? 'COLORIZE_BACKEND' : 'backend';
      throw invalid('INVALID_OPTION', FN, `${source} to be one of ${BACKEND_NAMES.join(', ')}`, describeValue(asked));
    }
    const reason = await tryBackend(asked, opts);
    if (reason !== undefined) {
      throw new ColorizeError('BACKEND_UNAVAILABLE', `${FN}: backend "${asked}" cannot start here: ${reason}.`);
    }
    return asked;
  }
  const reasons: string[] = [];
  for (const name of DEFAULT_BACKEND_ORDER) {
    const reason = await tryBackend(name, opts);
    if (reason === undefined) return name;
    reasons.push(`${name}: ${reason}`);
  }
  throw new ColorizeError('BACKEND_UNAVAILABLE', `${FN}: no backend could start here (${reasons.join('; ')}).`);
}
