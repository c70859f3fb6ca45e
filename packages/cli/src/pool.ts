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
  script: URL;
  /** Called once per job, in completion order, with its error message when it failed. */
  onResult(index: number, error: string | null): void;
}

/**
 * Colorizes `jobs` on a pool of worker threads, each with its own engine, handing out one photo at
 * a time to whichever worker is free (photos differ in size, so static shares would idle a core).
 * Resolves when every job is done; rejects, after stopping every worker, if one fails to start or
 * fails on something other than a bad photo.
 */
export async function colorizeOnPool(jobs: readonly ImageJob[], o: PoolOptions): Promise<void> {
  const count = Math.max(1, Math.min(o.workers, jobs.length));
  const workers = Array.from({ length: count }, () => new Worker(o.script));
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolvePool, rejectPool) => {
      const give = (worker: Worker): void => {
        if (next < jobs.length) {
          const index = next;
          next += 1;
          worker.postMessage({ type: 'job', index, job: jobs[index]! } satisfies ToWorker);
        }
      };
      for (const worker of workers) {
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'ready') {
            give(worker);
          } else if (m.type === 'fatal') {
            rejectPool(new ColorizeError('UNSUPPORTED', m.message));
          } else {
            o.onResult(m.index, m.type === 'error' ? m.message : null);
            finished += 1;
            if (finished === jobs.length) resolvePool();
            else give(worker);
          }
        });
        worker.on('error', (err) => rejectPool(err));
        worker.once('exit', (code) => {
          if (finished < jobs.length) rejectPool(new ColorizeError('UNSUPPORTED', `colorize: a worker thread stopped (exit code ${code}) before the photos were done.`));
        });
        worker.postMessage({ type: 'init', spec: o.spec, trainedSize: o.trainedSize, multiple: o.multiple, renderSize: o.renderSize } satisfies ToWorker);
      }
    });
  } finally {
    await Promise.all(workers.map(closeWorker));
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
