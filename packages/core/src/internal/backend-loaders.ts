import * as tf from '@tensorflow/tfjs-core';

import type { BackendName } from '../backend.js';

/**
 * Imports a module whose name is held in a variable, so that bundlers do not try to resolve
 * optional peers (tfjs-node in a browser build, say). Browsers need the backend imported by
 * the app itself; {@link loadBackendPackage} only tries this when nothing registered it.
 */
export const importOptional = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<Record<string, unknown>>;

/** Whether this is Node (and not a browser or a worker of one). */
export function isNodeRuntime(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The packages that register each backend, in the order they are tried. */
export const BACKEND_PACKAGES = {
  tensorflow: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
  webgpu: ['@tensorflow/tfjs-backend-webgpu'],
  webgl: ['@tensorflow/tfjs-backend-webgl'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs-backend-cpu'],
} as const satisfies Record<BackendName, readonly string[]>;

/**
 * Makes sure a factory for `name` is registered with this copy of tfjs-core, importing the
 * backend's package when the app did not. Returns the imported module (if any) or a reason.
 */
export async function loadBackendPackage(
  name: BackendName,
): Promise<{ module?: Record<string, unknown>; reason?: string }> {
  const reasons: string[] = [];
  for (const specifier of BACKEND_PACKAGES[name]) {
    // Already registered by the app (the usual way in browsers): still import the module when we
    // can, for setWasmPaths, but do not require it.
    try {
      const module = await importOptional(specifier);
      if (tf.findBackendFactory(name) !== null) return { module };
      if (name === 'webgl' && !tf.device_util.isBrowser()) {
        reasons.push(`${specifier} registers WebGL only in a browser`);
        continue;
      }
      reasons.push(
        `${specifier} loaded but did not register "${name}" with this copy of @tensorflow/tfjs-core ` +
          `(is it a different version than ${tf.version_core}?)`,
      );
    } catch (err) {
      if (tf.findBackendFactory(name) !== null) return {};
      const { code, message } = err as { code?: string; message: string };
      // Node says so with a code; bundlers' and test runners' module loaders by message.
      const notInstalled =
        message.includes(specifier) &&
        (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /cannot find|could not resolve|failed to resolve/i.test(message));
      reasons.push(
        notInstalled ? `${specifier} is not installed` : `${specifier} could not be imported (${message.split('\n')[0]})`,
      );
    }
  }
  return { reason: reasons.join('; ') };
}

/** The first line of whatever an initialisation threw; emscripten rejects with `{ message }` objects. */
function messageOf(failure: unknown): string {
  if (failure === undefined || failure === null) return '';
  const message = typeof failure === 'object' && 'message' in failure ? String(failure.message) : String(failure);
  return message.split('\n')[0] ?? '';
}

/**
 * In Node, checks that the `.wasm` files a local `wasmPaths` names exist, so that a wrong path
 * gets a clear reason before emscripten aborts. URLs and browsers are left to tfjs.
 */
export async function missingWasmFile(paths: string | Record<string, string>, threaded = false): Promise<string | undefined> {
  if (!isNodeRuntime()) return undefined;
  const files =
    typeof paths === 'string'
      ? ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', ...(threaded ? ['tfjs-backend-wasm-threaded-simd.wasm'] : [])].map(
          (f) => paths + f,
        )
      : Object.values(paths);
  const local = files.filter((f) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(f) || f.startsWith('file://'));
  if (local.length === 0) return undefined;
  const { access } = (await importOptional('node:fs/promises')) as { access: (p: string | URL) => Promise<void> };
  for (const f of local) {
    try {
      await access(f.startsWith('file://') ? new URL(f) : f);
    } catch {
      return `wasmPaths names ${f}, which does not exist`;
    }
  }
  return undefined;
}

/** Whether a WebGPU adapter can be had here (browsers, or Node with the `webgpu` package's globals). */
export async function webgpuAdapterReason(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (gpu === undefined) return 'navigator.gpu is not defined in this runtime';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter === null ? 'navigator.gpu.requestAdapter() returned null (no usable GPU adapter)' : undefined;
  } catch (err) {
    return `navigator.gpu.requestAdapter() threw (${(err as Error).message})`;
  }
}

/**
 * Calls `tf.setBackend(name)` and checks its boolean (a wrong wasm path makes it return false
 * and stay on the previous backend). tfjs reports a failed initialisation only on the console;
 * the factory is wrapped to capture the error instead, and tfjs's own warning is muted, because
 * library code does not print.
 */
export async function setBackendChecked(name: string): Promise<string | undefined> {
  const engine = tf.engine() as unknown as {
    registry: Record<string, unknown>;
    registryFactory: Record<string, { priority: number } | undefined>;
    backendName: string | null;
    backendInstance: unknown;
  };
  // tfjs sets its backend name before initialising and leaves no backend on failure; note the
  // one in use to go back to it.
  const previous = engine.backendInstance != null ? engine.backendName : null;
  let failure: unknown;
  const factory = tf.findBackendFactory(name);
  if (factory !== null && engine.registry[name] === undefined) {
    const priority = engine.registryFactory[name]?.priority ?? 1;
    tf.removeBackend(name);
    tf.registerBackend(
      name,
      async () => {
        try {
          return await factory();
        } catch (err) {
          failure = err;
          throw err;
        }
      },
      priority,
    );
  }
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    ok = false;
    failure ??= err;
  } finally {
    env.set('PROD', prod);
  }
  if (ok && tf.getBackend() === name) return undefined;
  if (previous !== null && previous !== name) await tf.setBackend(previous);
  const why = messageOf(failure);
  return `tf.setBackend("${name}") returned false${why ? `: ${why}` : ''}`;
}
