// Shared set-up of the reliability suite: the built `colorize` binary, small photo folders, and
// checks on a run folder's checkpoints.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import sharp from 'sharp';

export const BIN = resolve('packages/cli/bin/colorize.js');
export const PHOTOS = resolve('packages/train/demo-photos');

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built command to its end. `shell`: a prefix such as `ulimit -f 64;` run by bash first. */
export function colorize(args: string[], cwd: string, options: { env?: Record<string, string>; shell?: string; timeout?: number } = {}): Result {
  const env = { ...process.env, COLORIZE_BACKEND: 'wasm', COLORIZE_CACHE: join(cwd, 'cache'), ...options.env };
  const r =
    options.shell === undefined
      ? spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env, timeout: options.timeout ?? 120_000 })
      : spawnSync('bash', ['-c', `${options.shell} exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd, encoding: 'utf8', env, timeout: options.timeout ?? 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the built command without waiting. */
export function start(args: string[], cwd: string): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, COLORIZE_BACKEND: 'wasm', COLORIZE_CACHE: join(cwd, 'cache') } });
  let text = '';
  child.stdout.on('data', (d: Buffer) => void (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (text += d.toString()));
  return Object.assign(child, { output: () => text });
}

/** Resolves when the child exits, with its code and signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `colorize-${prefix}-`));
}

/** `count` small JPEGs from the demo photos in `dir`. */
export async function photoFolder(dir: string, count: number, side = 40): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const sources = (await readdir(PHOTOS)).filter((f) => f.endsWith('.jpg')).slice(0, count);
  return Promise.all(
    sources.map(async (f, i) => {
      const out = join(dir, `photo-${i}.jpg`);
      await sharp(join(PHOTOS, f)).resize(side, side, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(out);
      return out;
    }),
  );
}
