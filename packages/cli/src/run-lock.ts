import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { ColorizeError } from '@colorize/core';

const LOCK = '.lock';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/** Whether a process with this id is running on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run folder's lock (`<dir>/.lock`, created exclusively, holding this process's id),
 * so two runs never write one folder. A lock left by a run that was killed (its process is gone)
 * is taken over; one held by a live process on this machine is refused with a clear error. A
 * lock from another host is respected (its process cannot be checked from here): remove it by
 * hand when that run is known to be over.
 *
 * @returns a function that releases the lock.
 */
export async function acquireRunLock(dir: string, what = 'colorize train'): Promise<() => Promise<void>> {
  const path = join(dir, LOCK);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${JSON.stringify(mine)}\n`);
      await handle.close();
      return async () => {
        const now = await readFile(path, 'utf8').catch(() => '');
        if (now.includes(`"pid":${mine.pid},`)) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ColorizeError('IO_ERROR', `${what}: cannot lock ${dir} (${(err as Error).message})`, { cause: err });
      }
    }
    let held: Partial<LockInfo> = {};
    try {
      held = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    } catch {
      // unreadable: a lock half-written by a killed run, so stale
    }
    const live = typeof held.pid === 'number' && (held.host !== mine.host || alive(held.pid));
    if (live) {
      throw new ColorizeError(
        'IO_ERROR',
        `${what}: ${dir} is in use by another run (pid ${held.pid} on ${held.host}, since ${held.started}); wait for it to end or give another --out.`,
      );
    }
    await rm(path, { force: true });
  }
  throw new ColorizeError('IO_ERROR', `${what}: could not lock ${dir}: another run keeps taking it.`);
}
