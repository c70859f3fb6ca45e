import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { ColorizeError } from '@colorize/core';

import type { EngineSpec } from './engine.js';
import type { ImageJob } from './images.js';

/** Messages to a pool worker. */
export type ToWorker =
  | { type: 'init'; spec: EngineSpec; trainedSize: number | undefined; multiple: number; renderSize: number }
  | { type: 'job'; index: number; job: ImageJob }
  | { type: 'close' };

/** Messages from a pool worker. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; index: number }
  | { type: 'error'; index: number; message: string }
  | { type: 'fatal'; message: string };

/** The built worker script beside this module (absent when running from the TypeScript sources). */
export function workerScript(): URL | null {
  const url = new URL('./colorize.worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

export interface PoolOptions {
  spec: EngineSpec;
  trainedSize: number | undefined;
  multiple: number;
  renderSize: number;
  workers: number;
  /** Seconds one photo may take before its worker is stopped. */
  timeoutSeconds: number;
  script: URL;
  /** Called once per job, in completion order, with its error message when it failed. */
  onResult(index: number, error: string | null): void;
}

/**
 * Photos a worker holds while many remain: the one it is on and the next, so it goes from one to
 * the next without waiting for the main thread, which shares the cores with the workers and may
 * not be scheduled at once to hand out the next photo.
 */
const HELD_AHEAD = 2;

/**
 * Colorizes `jobs` on a pool of worker threads, each with its own engine, handing out photos as
 * workers finish them (photos differ in size, so static shares would idle a core): each worker
 * holds the photo it is on and the next while more photos remain than workers, and one photo at a
 * time near the end, so no worker idles while another still holds two.
 * A photo that takes longer than `timeoutSeconds` (a hostile file that stalls its decoder) is
 * reported as failed, its worker is stopped, the photo it held next goes back to the others, and
 * a new worker takes its place.
 * Resolves when every job is done; rejects, after stopping every worker, if one fails to start or
 * fails on something other than a bad photo.
 */
export async function colorizeOnPool(jobs: readonly ImageJob[], o: PoolOptions): Promise<void> {
  const count = Math.max(1, Math.min(o.workers, jobs.length));
  const live = new Set<Worker>();
  const stopped = new Set<Worker>();
  /** Photos not yet handed out: first those a stopped worker held, then from `next` on. */
  const returned: number[] = [];
  let next = 0;
  let finished = 0;
  const unassigned = (): number => returned.length + jobs.length - next;
  const take = (): number | undefined => (returned.length > 0 ? returned.pop() : next < jobs.length ? next++ : undefined);
  try {
    await new Promise<void>((resolvePool, rejectPool) => {
      const complete = (index: number, error: string | null): void => {
        o.onResult(index, error);
        finished += 1;
        if (finished === jobs.length) resolvePool();
      };
      const spawnWorker = (): void => {
        const worker = new Worker(o.script);
        live.add(worker);
        /** The photos sent to this worker, in the order it does them: `held[0]` is the one it is on. */
        const held: number[] = [];
        let timer: NodeJS.Timeout | undefined;
        // The limit runs from when the worker is on a photo alone: when it is sent to an idle worker,
        // or when the worker reports the photo before it done (it begins a photo while it writes the
        // one before, so the limit may start a little after the photo did, never before).
        const arm = (): void => {
          clearTimeout(timer);
          const index = held[0];
          if (index === undefined) return;
          timer = setTimeout(() => {
            // Stop this worker (its photo is stuck), count the photo as failed, give the photo it
            // held next to the others, and start another worker.
            stopped.add(worker);
            live.delete(worker);
            void worker.terminate();
            returned.push(...held.slice(1).reverse());
            complete(index, `${jobs[index]!.input}: gave up after ${o.timeoutSeconds} s (the file may be hostile; --timeout sets the limit)`);
            if (finished < jobs.length && unassigned() > 0) spawnWorker();
          }, o.timeoutSeconds * 1000);
        };
        const give = (): void => {
          while (held.length === 0 || (held.length < HELD_AHEAD && unassigned() > live.size)) {
            const index = take();
            if (index === undefined) return;
            held.push(index);
            worker.postMessage({ type: 'job', index, job: jobs[index]! } satisfies ToWorker);
          }
        };
        worker.on('message', (m: FromWorker) => {
          if (stopped.has(worker)) return;
          if (m.type === 'ready') {
            give();
            arm();
          } else if (m.type === 'fatal') {
            rejectPool(new ColorizeError('UNSUPPORTED', m.message));
          } else {
            held.shift();
            complete(m.index, m.type === 'error' ? m.message : null);
            give();
            arm();
          }
        });
        worker.on('error', (err) => {
          if (!stopped.has(worker)) rejectPool(err);
        });
        worker.once('exit', (code) => {
          clearTimeout(timer);
          if (!stopped.has(worker) && finished < jobs.length) rejectPool(new ColorizeError('UNSUPPORTED', `colorize: a worker thread stopped (exit code ${code}) before the photos were done.`));
        });
        worker.postMessage({ type: 'init', spec: o.spec, trainedSize: o.trainedSize, multiple: o.multiple, renderSize: o.renderSize } satisfies ToWorker);
      };
      for (let i = 0; i < count; i += 1) spawnWorker();
    });
  } finally {
    await Promise.all([...live].map(closeWorker));
  }
}

/**
 * Asks a worker to release its engine and exit, and terminates it if it has not within a few
 * seconds. Terminating a worker while onnxruntime's threads are alive can crash the process, so
 * the session is released first.
 */
async function closeWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolveExit) => worker.once('exit', () => resolveExit()));
  try {
    worker.postMessage({ type: 'close' } satisfies ToWorker);
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => void worker.terminate(), 5000);
  await exited;
  clearTimeout(timer);
}
