import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, ColorizeError, describeValue, invalid } from '@colorize/core';
import type { ColorizeErrorCode } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';

import type { GradientReplicas } from './replicas.js';
import { localGradients, USED_MODELS } from './step-loss.js';
import type { StepGradients, StepLossJob, StepLossName, StepLossSettings, StepModels } from './step-loss.js';

/** Options of {@link startWorkerReplicas}. @group Training */
export interface WorkerReplicasOptions {
  /**
   * Worker threads, each with a replica of the models on its own backend (the one this thread
   * uses, on one wasm thread). This thread computes a share too, so a batch is split
   * `workers + 1` ways. Defaults to one fewer than the cores (at least 1, at most 7).
   */
  workers?: number;
  /**
   * Modules each worker imports before it rebuilds the models: those that register your custom
   * layers (absolute paths, `file:` URLs, or packages `@colorize/train` can resolve).
   * `@colorize/models` is imported too, when installed. Defaults to none.
   */
  modules?: readonly string[];
  /** Node's flags for the worker threads (`execArgv` of `new Worker`). Defaults to this process's. */
  execArgv?: readonly string[];
}

/** A tensor's values and shape, as they cross to a worker. */
export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

/** A model as a job carries it: its topology the first time a worker sees it, and its weights. */
export interface WireModel {
  key: number;
  topology?: string;
  /** Every weight, in `model.weights` order; null for one the worker already has. */
  weights: (Float32Array | null)[];
}

/** Messages to a replica worker. */
export type ToReplica =
  | { type: 'init'; backend: string; prod: boolean; modules: string[] }
  | { type: 'job'; loss: StepLossName; settings: StepLossSettings; models: Partial<Record<keyof StepModels, WireModel>>; L: WireTensor; ab: WireTensor; hints?: WireTensor; alpha?: Float32Array }
  | { type: 'close' };

/** Messages from a replica worker. */
export type FromReplica =
  | { type: 'ready' }
  | { type: 'result'; grads: Float32Array[]; terms: Record<string, number>; state: Partial<Record<keyof StepModels, Float32Array[]>> }
  | { type: 'error'; message: string; code?: string };

const FN = 'startWorkerReplicas';

/** The built worker script beside this module (absent when running from the TypeScript sources). */
function workerScript(): URL {
  const url = new URL('./replica.worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) {
    throw new ColorizeError('UNSUPPORTED', `${FN}: its worker script ${url.href} was not found; worker replicas run from the built package.`);
  }
  return url;
}

/** Sizes of `n` shares of `batch` images, as equal as can be, without empty ones. */
export function shareSizes(batch: number, n: number): number[] {
  const count = Math.min(batch, n);
  return Array.from({ length: count }, (_, i) => Math.floor(batch / count) + (i < batch % count ? 1 : 0));
}

/**
 * A tensor's values in an array of their own, to transfer to another thread (the wasm backend
 * reads into a new array; the cpu backend hands out its own, which must stay).
 */
export function ownValues(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  return tf.getBackend() === 'wasm' ? data : data.slice();
}

/** One worker thread and the job it is working on. */
interface Replica {
  worker: Worker;
  exited: Promise<void>;
  built: Set<number>;
  /**
   * Each variable's data as last sent. tfjs gives a variable new data on every assignment (an
   * optimizer step, setWeights, a restored checkpoint), so an unchanged one is not sent again.
   */
  sent: WeakMap<tf.Variable, object>;
  pending?: { resolve(m: FromReplica): void; reject(err: Error): void };
  failure?: Error;
}

/**
 * Starts worker threads that share each training step's batch with this thread: data parallelism
 * for {@link createL1Trainer} and {@link createWganGpTrainer} (their `replicas` option). Each step,
 * every replica is sent the models' weights and its share of the images, computes the loss's
 * gradient on its share with its own backend while this thread computes its own, and the
 * gradients, the loss terms and BatchNorm's moving statistics are averaged, weighted by share.
 * The optimizers stay on this thread, so checkpoints and `resume` are unchanged.
 *
 * tfjs runs each backend on one thread of its own here; on a 2-core machine two replicas on one
 * wasm thread each train a WGAN-GP iteration faster than one backend on two wasm threads
 * (`bench/results/wgan-gp-iteration.md`). Start this thread's backend with one wasm thread
 * (`initBackend({ wasmThreads: 1 })`), or the replicas contend with its threads for the cores.
 *
 * The workers do not keep the process alive between steps; `close()` stops them.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'wasm', wasmThreads: 1 });
 * const replicas = await startWorkerReplicas();
 * try {
 *   const trainer = createWganGpTrainer({ generator, critic, replicas });
 *   await trainer.fit(data, { epochs: 10 });
 * } finally {
 *   await replicas.close();
 * }
 * ```
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a bad option; `UNSUPPORTED` when a worker cannot start (a module it cannot import, a backend it cannot start).
 * @group Training
 */
export async function startWorkerReplicas(options: WorkerReplicasOptions = {}): Promise<GradientReplicas> {
  const o = assertOptions(FN, options, ['workers', 'modules', 'execArgv']);
  const workers = o.workers ?? Math.max(1, Math.min(7, availableParallelism() - 1));
  if (!Number.isInteger(workers) || workers < 1 || workers > 63) throw invalid('INVALID_OPTION', FN, 'workers to be an integer from 1 to 63', describeValue(o.workers));
  const modules = o.modules ?? [];
  if (!Array.isArray(modules) || modules.some((m) => typeof m !== 'string' || m === '')) throw invalid('INVALID_OPTION', FN, 'modules as an array of module names, paths or URLs', describeValue(o.modules));
  const execArgv = o.execArgv;
  if (execArgv !== undefined && (!Array.isArray(execArgv) || execArgv.some((f) => typeof f !== 'string'))) throw invalid('INVALID_OPTION', FN, 'execArgv as an array of strings', describeValue(execArgv));
  const script = workerScript();
  const backend = tf.getBackend();
  const replicas: Replica[] = [];
  const keys = new WeakMap<tfl.LayersModel, number>();
  let nextKey = 1;
  let closed = false;

  const request = (r: Replica, message: ToReplica, transfer: ArrayBuffer[] = []): Promise<FromReplica> =>
    new Promise<FromReplica>((resolve, reject) => {
      if (r.failure) {
        reject(r.failure);
        return;
      }
      r.pending = { resolve, reject };
      r.worker.ref();
      r.worker.postMessage(message, transfer);
    }).finally(() => {
      r.pending = undefined;
      r.worker.unref();
    });

  const fail = (r: Replica, err: Error): void => {
    r.failure ??= err;
    r.pending?.reject(r.failure);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all(
      replicas.map(async (r) => {
        fail(r, new ColorizeError('UNSUPPORTED', `${FN}: the replicas were closed.`));
        r.worker.postMessage({ type: 'close' } satisfies ToReplica);
        const timer = setTimeout(() => void r.worker.terminate(), 5000);
        await r.exited;
        clearTimeout(timer);
      }),
    );
  };

  for (let i = 0; i < workers; i += 1) {
    const worker = new Worker(script, execArgv ? { execArgv: [...execArgv] } : {});
    // Resolves when the thread ends, however it ends (a worker that crashed emits no second 'exit').
    const exited = new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit()));
    const r: Replica = { worker, exited, built: new Set(), sent: new WeakMap() };
    r.worker.unref();
    r.worker.on('message', (m: FromReplica) => r.pending?.resolve(m));
    r.worker.on('error', (err) => fail(r, new ColorizeError('UNSUPPORTED', `${FN}: worker ${i + 1} failed: ${err.message}`)));
    r.worker.once('exit', (code) => fail(r, new ColorizeError('UNSUPPORTED', `${FN}: worker ${i + 1} stopped (exit code ${code}).`)));
    replicas.push(r);
  }
  const started = await Promise.allSettled(replicas.map((r) => request(r, { type: 'init', backend, prod: tf.env().getBool('PROD'), modules: [...modules] })));
  const refused = started.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value.type === 'error' ? s.value.message : undefined)).find((m) => m !== undefined);
  if (refused !== undefined) {
    await close();
    throw new ColorizeError('UNSUPPORTED', refused.startsWith(FN) ? refused : `${FN}: a worker could not start: ${refused}`);
  }

  const wireModel = (r: Replica, model: tfl.LayersModel): WireModel => {
    let key = keys.get(model);
    if (key === undefined) {
      key = nextKey++;
      keys.set(model, key);
    }
    const fresh = !r.built.has(key);
    const weights = model.weights.map((w) => {
      const v = w.read() as tf.Variable;
      if (!fresh && r.sent.get(v) === v.dataId) return null;
      r.sent.set(v, v.dataId);
      return ownValues(v);
    });
    r.built.add(key);
    return { key, weights, ...(fresh ? { topology: model.toJSON(undefined, true) as string } : {}) };
  };

  return {
    count: workers + 1,

    async gradients(job: StepLossJob, models: StepModels): Promise<StepGradients> {
      if (closed) throw new ColorizeError('UNSUPPORTED', `${FN}: the replicas were closed; start new ones.`);
      const batch = job.L.shape[0];
      const sizes = shareSizes(batch, workers + 1);
      // A batch of one has no shares to spread: this thread computes it as it would alone.
      if (sizes.length === 1) return localGradients(job, models);
      const used = USED_MODELS[job.loss];
      const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
      const share = <T extends tf.Tensor>(t: T, i: number): T => tf.slice(t, starts[i]!, sizes[i]!) as T;
      const wireShare = (t: tf.Tensor, i: number): WireTensor => {
        const part = share(t, i);
        try {
          return { data: ownValues(part), shape: part.shape };
        } finally {
          part.dispose();
        }
      };
      // The workers' shares go out first, so they compute while this thread computes its own.
      const remote = sizes.slice(1).map((_, k) => {
        const r = replicas[k]!;
        const message: ToReplica = {
          type: 'job',
          loss: job.loss,
          settings: job.settings,
          models: Object.fromEntries(used.map((name) => [name, wireModel(r, models[name]!)])),
          L: wireShare(job.L, k + 1),
          ab: wireShare(job.ab, k + 1),
          ...(job.hints ? { hints: wireShare(job.hints, k + 1) } : {}),
          ...(job.alpha ? { alpha: wireShare(job.alpha, k + 1).data } : {}),
        };
        const arrays = [...Object.values(message.models).flatMap((m) => m.weights), message.L.data, message.ab.data, message.hints?.data, message.alpha];
        // A worker that fails a job may not have built its models or taken their weights: send
        // everything again next time.
        return request(r, message, arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []))).then((m) => {
          if (m.type !== 'result') {
            r.sent = new WeakMap();
            r.built.clear();
          }
          return m;
        });
      });
      const mine = { ...job, L: share(job.L, 0), ab: share(job.ab, 0), ...(job.hints ? { hints: share(job.hints, 0) } : {}), ...(job.alpha ? { alpha: share(job.alpha, 0) } : {}) };
      let local: StepGradients | undefined;
      try {
        const settled = await Promise.allSettled([localGradients(mine, models), ...remote]);
        const failed = settled.find((s) => s.status === 'rejected');
        if (settled[0]!.status === 'fulfilled') local = settled[0].value;
        if (failed || local === undefined) throw (failed as PromiseRejectedResult).reason;
        const own = local;
        const results = settled.slice(1).map((s) => (s as PromiseFulfilledResult<FromReplica>).value);
        const bad = results.find((m) => m.type !== 'result');
        if (bad?.type === 'error') throw new ColorizeError((bad.code ?? 'UNSUPPORTED') as ColorizeErrorCode, bad.code ? bad.message : `${FN}: a worker could not compute its share: ${bad.message}`);
        const done = results as Extract<FromReplica, { type: 'result' }>[];
        const weight = sizes.map((s) => s / batch);
        const mean = (own: tf.Tensor, theirs: Float32Array[]): tf.Tensor =>
          theirs.reduce<tf.Tensor>((acc, data, k) => tf.add(acc, tf.mul(tf.tensor(data, own.shape, own.dtype), weight[k + 1]!)), tf.mul(own, weight[0]!));
        const grads = tf.tidy(() => own.grads.map((g, i) => mean(g, done.map((m) => m.grads[i]!))));
        // BatchNorm's moving statistics: each replica updated its own from the same start.
        tf.tidy(() => {
          for (const name of used) {
            models[name]!.nonTrainableWeights.forEach((w, i) => w.write(mean(w.read(), done.map((m) => m.state[name]![i]!))));
          }
        });
        const terms = Object.fromEntries(Object.entries(own.terms).map(([n, v]) => [n, done.reduce((acc, m, k) => acc + m.terms[n]! * weight[k + 1]!, v * weight[0]!)]));
        return { grads, terms };
      } finally {
        tf.dispose([mine.L, mine.ab, ...(mine.hints ? [mine.hints] : []), ...(mine.alpha ? [mine.alpha] : []), ...(local?.grads ?? [])]);
      }
    },

    close,
  };
}
