import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The command people point at their only copy of a family archive never writes over a photo
 * (issue 32, item 1): not with `-o .` beside the photos, not when two photos share a name, and
 * a second run does not colorize the first one's results.
 */
const BIN = resolve('packages/cli/bin/colorize.js');
const PHOTO = resolve('packages/train/demo-photos/python3-skimage__rocket.jpg');
let dir: string;
let original: Buffer;

function colorize(args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--engine', 'tfjs'], { cwd, encoding: 'utf8', env: { ...process.env, COLORIZE_BACKEND: 'wasm' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colorize-originals-'));
  original = await readFile(PHOTO);
  for (const sub of ['photos', 'd1', 'd2', 'album']) {
    await mkdir(join(dir, sub));
    await copyFile(PHOTO, join(dir, sub, 'p.jpg'));
  }
  await copyFile(PHOTO, join(dir, 'album', 'q.jpg'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('colorize never writes over a photo', () => {
  it('refuses -o . beside the photo and a folder colorized into its parent, leaving every original as it was', async () => {
    const one = colorize(['p.jpg', '-o', '.'], join(dir, 'photos'));
    expect(one.status).toBe(1);
    expect(one.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^colorize: p\.jpg: its output \/.*\/photos\/p\.jpg would overwrite the photo itself; choose another output folder \(-o\)$/)]);
    const folder = colorize(['photos', '-o', '.'], dir);
    expect(folder.status).toBe(1);
    expect(folder.stderr).toMatch(/photos\/p\.jpg would overwrite the photo itself/);
    expect(await readFile(join(dir, 'photos', 'p.jpg'))).toEqual(original);
    expect(await readdir(join(dir, 'photos'))).toEqual(['p.jpg']);
  });

  it('colorizes one of two photos of the same name into one folder and reports the other, instead of writing one over the other', async () => {
    const r = colorize([join('d1', 'p.jpg'), join('d2', 'p.jpg'), '-o', 'out'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/d2\/p\.jpg: its output \/.*\/out\/p\.jpg is also d1\/p\.jpg's; colorize photos of the same name into separate output folders/);
    expect(r.stdout.trim()).toMatch(/\/out\/p\.jpg$/); // the one photo done
    expect(await readdir(join(dir, 'out'))).toEqual(['p.jpg']);
  });

  it('does not colorize its own earlier results on a second run of the same folder', async () => {
    const first = colorize(['.'], join(dir, 'album'));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/colorized 2 of 2 images into/);
    const second = colorize(['.'], join(dir, 'album'));
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/colorized 2 of 2 images into/);
    expect((await readdir(join(dir, 'album', 'colorized'), { recursive: true })).sort()).toEqual(['album', 'album/p.jpg', 'album/q.jpg']);
    expect(await readFile(join(dir, 'album', 'p.jpg'))).toEqual(original);
  });
});
