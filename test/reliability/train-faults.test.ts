// Faults during training, with real processes: SIGKILL at random moments and mid-checkpoint, a
// full disk, two runs in one folder, and a loss that turns non-finite.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { initBackend } from '@colorize/core';
import { buildPatchCritic, buildUNet } from '@colorize/models';
import { createL1Trainer, createWganGpTrainer, fileCheckpoints } from '@colorize/train';
import type { Trainer } from '@colorize/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { colorize, exited, photoFolder, start, tempDir } from './helpers.js';

let dir: string;
const TINY = ['--size', '32', '--base', '2', '--depth', '2', '--batch', '2'];

beforeAll(async () => {
  dir = await tempDir('faults');
  await photoFolder(join(dir, 'photos'), 10);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const temps = async (folder: string): Promise<string[]> => (await readdir(folder).catch(() => [] as string[])).filter((e) => e.includes('.tmp-'));

/** Polls (every turn of the event loop) until `ready` holds or `ms` pass. */
async function until(ready: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await ready()) return true;
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

/** Restores a run's latest checkpoints into fresh trainers built as the CLI builds them: the proof that they load. */
async function restoreRun(run: string, base = 2): Promise<{ phase: string; epoch: number; step: number } | null> {
  const generator = buildUNet({ base, depth: 2 });
  const critic = buildPatchCritic({ base });
  const pretrainer = createL1Trainer({ generator, seed: 0 });
  const gan = createWganGpTrainer({ generator, critic, seed: 0 });
  try {
    if (await fileCheckpoints(join(run, 'checkpoints', 'gan')).restore(gan as unknown as Trainer<Record<string, number>>)) return { phase: 'gan', ...gan.position };
    if (await fileCheckpoints(join(run, 'checkpoints', 'pretrain')).restore(pretrainer as unknown as Trainer<Record<string, number>>)) return { phase: 'pretrain', ...pretrainer.position };
    return null;
  } finally {
    pretrainer.dispose();
    gan.dispose();
    generator.dispose();
    critic.dispose();
  }
}

const order = (p: { phase: string; step: number } | null): number => (p === null ? -1 : (p.phase === 'gan' ? 1e9 : 0) + p.step);

describe('a training run killed with SIGKILL', () => {
  it('20 kills, half of them while a checkpoint is being written: every time the last complete checkpoint loads and --resume continues from it', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const run = join(dir, 'killed');
    const args = ['train', '--data', 'photos', ...TINY, '--pretrain-epochs', '3', '--epochs', '1000', '--out', run];
    let previous: ReturnType<typeof order> = -1;
    let midCheckpoint = 0;
    for (let trial = 0; trial < 20; trial += 1) {
      const leftovers = new Set([...(await temps(join(run, 'checkpoints', 'pretrain'))), ...(await temps(join(run, 'checkpoints', 'gan')))]);
      const child = start(trial === 0 ? args : [...args, '--resume'], dir);
      // A resumed run first says where it resumed: the checkpoint loaded.
      const ready = previous >= 0 ? /resumed (pretraining|WGAN-GP) at epoch \d+, batch \d+/ : /writing to/;
      expect(await until(() => ready.test(child.output()), 60_000), `trial ${trial}: ${child.output()}`).toBe(true);
      if (trial % 2 === 1) {
        // Kill the moment a new checkpoint's temporary folder appears.
        const fresh = async (): Promise<boolean> =>
          [...(await temps(join(run, 'checkpoints', 'pretrain'))), ...(await temps(join(run, 'checkpoints', 'gan')))].some((t) => !leftovers.has(t));
        await until(fresh, 30_000);
      } else {
        await new Promise((r) => setTimeout(r, 100 + ((trial * 7919) % 1500)));
      }
      child.kill('SIGKILL');
      expect((await exited(child)).signal).toBe('SIGKILL');
      const after = [...(await temps(join(run, 'checkpoints', 'pretrain'))), ...(await temps(join(run, 'checkpoints', 'gan')))];
      if (after.some((t) => !leftovers.has(t))) midCheckpoint += 1;
      const restored = await restoreRun(run);
      // Progress never goes back: the newest complete checkpoint is at least the last one.
      expect(order(restored), `trial ${trial}`).toBeGreaterThanOrEqual(previous);
      previous = order(restored);
    }
    expect(midCheckpoint).toBeGreaterThanOrEqual(3);
    expect(previous).toBeGreaterThan(0);
    // The run then finishes: a resumed run may be given fewer epochs.
    const restored = (await restoreRun(run))!;
    const finish = colorize(['train', '--out', run, '--resume', '--pretrain-epochs', '3', '--epochs', String(restored.phase === 'gan' ? restored.epoch + 1 : 1)], dir);
    expect(finish.stderr).toMatch(/resumed/);
    expect(finish.status, finish.stderr).toBe(0);
    expect(existsSync(join(run, 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(run, '.lock'))).toBe(false);
  }, 600_000);
});

describe('a training run that cannot write', () => {
  it('a full disk while saving (a file-size limit: EFBIG) stops with a clear error and keeps the previous checkpoint', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const run = join(dir, 'full');
    // base 16, so a checkpoint's weights (about 0.5 MB) outgrow the limit below
    const first = colorize(['train', '--data', 'photos', '--size', '32', '--base', '16', '--depth', '2', '--batch', '2', '--pretrain-epochs', '1', '--epochs', '0', '--out', run], dir);
    expect(first.status, first.stderr).toBe(0);
    const before = await restoreRun(run, 16);
    expect(before).not.toBeNull();
    const pointer = await readFile(join(run, 'checkpoints', 'pretrain', 'checkpoint.json'), 'utf8');
    // 24 KB per file: the logs fit, a checkpoint's weights do not.
    const full = colorize(['train', '--out', run, '--resume', '--pretrain-epochs', '2', '--epochs', '0'], dir, { shell: 'ulimit -f 24;' });
    expect(full.status).toBe(1);
    expect(full.signal).toBeNull();
    const lastLine = full.stderr.trim().split('\n').pop()!;
    expect(lastLine).toMatch(/^colorize: .*(file too large|EFBIG)/);
    expect(await readFile(join(run, 'checkpoints', 'pretrain', 'checkpoint.json'), 'utf8')).toBe(pointer);
    expect(await restoreRun(run, 16)).toEqual(before);
    expect(await temps(join(run, 'checkpoints', 'pretrain'))).toEqual([]);
  }, 120_000);

  it.skipIf(process.getuid?.() === 0)('a read-only run folder: a clear error, the checkpoint intact (skipped as root, who may write anywhere)', async () => {
    const { chmod } = await import('node:fs/promises');
    const run = join(dir, 'readonly');
    expect(colorize(['train', '--data', 'photos', ...TINY, '--pretrain-epochs', '1', '--epochs', '0', '--out', run], dir).status).toBe(0);
    const before = await restoreRun(run);
    await chmod(join(run, 'checkpoints', 'pretrain'), 0o555);
    try {
      const r = colorize(['train', '--out', run, '--resume', '--pretrain-epochs', '2', '--epochs', '0'], dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/EACCES|permission denied/i);
    } finally {
      await chmod(join(run, 'checkpoints', 'pretrain'), 0o755);
    }
    expect(await restoreRun(run)).toEqual(before);
  }, 120_000);
});

describe('two runs in one folder', () => {
  it('the second refuses while the first runs; a killed run\'s lock does not block the next', async () => {
    const run = join(dir, 'locked');
    const args = ['train', '--data', 'photos', ...TINY, '--pretrain-epochs', '1000', '--epochs', '0', '--out', run];
    const first = start(args, dir);
    expect(await until(() => first.output().includes('writing to'), 60_000)).toBe(true);
    const second = colorize(args, dir);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^colorize: colorize train: .*locked is in use by another run \\(pid ${first.pid} on .*\\); wait for it to end or give another --out\\.$`, 'm'));
    first.kill('SIGKILL');
    await exited(first);
    expect(existsSync(join(run, '.lock'))).toBe(true); // left behind by the kill
    const third = colorize([...args.slice(0, -4), '--pretrain-epochs', '1', '--epochs', '0', '--out', run, '--resume'], dir);
    expect(third.status, third.stderr).toBe(0);
    expect(existsSync(join(run, '.lock'))).toBe(false);
  }, 180_000);
});

describe('a loss that turns non-finite', () => {
  it('stops with NON_FINITE_LOSS at that step and keeps the last checkpoint', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const run = join(dir, 'diverged');
    expect(colorize(['train', '--data', 'photos', ...TINY, '--pretrain-epochs', '1', '--epochs', '1', '--out', run], dir).status).toBe(0);
    const before = await restoreRun(run);
    expect(before?.phase).toBe('gan');
    // The run diverges on resuming: its learning rates (part of the run's config; WGAN-GP's is
    // ganLr) made absurd, so the critic's weights (no normalisation in its first block) overflow.
    const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8')) as { lr: number; ganLr: number };
    expect(config.ganLr).toBe(config.lr);
    await writeFile(join(run, 'config.json'), JSON.stringify({ ...config, lr: 1e30, ganLr: 1e30 }));
    const r = colorize(['train', '--out', run, '--resume', '--epochs', '4'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^colorize: training step \d+: the loss is (NaN|Infinity|-Infinity); the step's gradients were not applied\.$/m);
    expect(await restoreRun(run)).toEqual(before);
  }, 120_000);
});
