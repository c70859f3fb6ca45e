import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { colorizeOnPool } from './pool.js';
import type { ImageJob } from './images.js';

/**
 * A stand-in for colorize.worker.ts that speaks the pool's protocol: it takes photos in the order
 * sent, one at a time, "colorizes" each in a few milliseconds, stalls forever on a photo whose
 * name contains "stall", fails one whose name contains "bad", and logs what it did to the parent.
 */
const FAKE_WORKER = `
import { appendFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
let queue = Promise.resolve();
let busy = false;
let held = 0;
let mostHeld = 0;
parentPort.on('message', (m) => {
  if (m.type === 'job') mostHeld = Math.max(mostHeld, ++held);
  queue = queue.then(async () => {
    if (m.type === 'init') return parentPort.postMessage({ type: 'ready' });
    if (m.type === 'close') {
      appendFileSync(process.env.POOL_TEST_LOG, mostHeld + ' ');
      return parentPort.close();
    }
    if (busy) throw new Error('two photos at once');
    busy = true;
    if (m.job.input.includes('stall')) await new Promise(() => {});
    await new Promise((r) => setTimeout(r, 5 + (m.index % 3) * 5));
    busy = false;
    held -= 1;
    if (m.job.input.includes('bad')) parentPort.postMessage({ type: 'error', index: m.index, message: m.job.input + ': not a readable image' });
    else parentPort.postMessage({ type: 'done', index: m.index });
  });
});
`;

let dir: string;
let script: URL;
/** Each worker that closed normally writes here the most photos it held at once. */
let log: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colorize-pool-'));
  log = join(dir, 'held.txt');
  process.env.POOL_TEST_LOG = log;
  await writeFile(join(dir, 'fake.worker.mjs'), FAKE_WORKER);
  script = pathToFileURL(join(dir, 'fake.worker.mjs'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the pool on photos with these names; each job's results, in completion order. */
async function runPool(names: string[], workers: number, timeoutSeconds = 30): Promise<{ index: number; error: string | null }[]> {
  await writeFile(log, '');
  const jobs: ImageJob[] = names.map((input) => ({ input, output: `${input}.out` }));
  const results: { index: number; error: string | null }[] = [];
  const spec = { backend: undefined, engine: 'tfjs', model: '' } as never;
  await colorizeOnPool(jobs, { spec, trainedSize: undefined, multiple: 16, renderSize: 256, workers, timeoutSeconds, script, onResult: (index, error) => results.push({ index, error }) });
  return results;
}

describe('colorizeOnPool', () => {
  it('does every photo exactly once on one worker and on several, holding at most the next photo ahead', async () => {
    for (const workers of [1, 2, 3]) {
      const names = Array.from({ length: 23 }, (_, i) => `photo-${i}.jpg`);
      const results = await runPool(names, workers);
      expect(results.map((r) => r.index).sort((a, b) => a - b), `${workers} workers`).toEqual(names.map((_, i) => i));
      expect(results.every((r) => r.error === null)).toBe(true);
      const mostHeld = (await readFile(log, 'utf8')).trim().split(' ').map(Number);
      expect(mostHeld, `${workers} workers`).toEqual(Array(workers).fill(2));
    }
  });

  it('reports a failed photo with its message and goes on', async () => {
    const results = await runPool(['a.jpg', 'bad.jpg', 'c.jpg', 'd.jpg', 'e.jpg'], 2);
    expect(results).toHaveLength(5);
    expect(results.filter((r) => r.error !== null)).toEqual([{ index: 1, error: 'bad.jpg: not a readable image' }]);
  });

  it('gives up a stalled photo after the timeout, and the photo its worker held next is done by another worker', async () => {
    // With 2 workers and 8 photos, the worker that takes the stalling photo also holds the next.
    const names = ['stall.jpg', ...Array.from({ length: 7 }, (_, i) => `photo-${i}.jpg`)];
    const results = await runPool(names, 2, 0.5);
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(names.map((_, i) => i));
    const failed = results.filter((r) => r.error !== null);
    expect(failed).toEqual([{ index: 0, error: 'stall.jpg: gave up after 0.5 s (the file may be hostile; --timeout sets the limit)' }]);
  });

  it('gives up several stalled photos, on one worker too, and still does the rest', async () => {
    const names = ['stall-1.jpg', 'a.jpg', 'stall-2.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'];
    for (const workers of [1, 2]) {
      const results = await runPool(names, workers, 0.3);
      expect(results.map((r) => r.index).sort((a, b) => a - b), `${workers} workers`).toEqual(names.map((_, i) => i));
      expect(results.filter((r) => r.error !== null).map((r) => r.index).sort()).toEqual([0, 2]);
    }
  });
});
