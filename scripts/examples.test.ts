import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { build } from 'esbuild';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The programs in examples/ run as users would run them: compiled to plain JavaScript (types
 * stripped, every package left to Node to resolve) and run with node on the wasm backend.
 * `tsc` type-checks them in `npm run lint`.
 */
const OUT = resolve('node_modules/.cache/colorize-examples');
let work: string;

function runExample(name: string, args: string[]): string {
  return execFileSync(process.execPath, [join(OUT, `${name}.js`), ...args], { encoding: 'utf8', env: { ...process.env, COLORIZE_BACKEND: 'wasm' } });
}

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  await build({ entryPoints: ['examples/*.ts'], outdir: OUT, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', outExtension: { '.js': '.js' }, logLevel: 'warning' });
  work = await mkdtemp(join(tmpdir(), 'colorize-examples-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('examples/', () => {
  it('colorize-photo colorizes a photo at its full size with the shipped model', async () => {
    const output = join(work, 'out.png');
    expect(runExample('colorize-photo', ['packages/train/demo-photos/python3-skimage__rocket.jpg', output])).toMatch(/out\.png: 256×256/);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([256, 256, 3]);
  });

  it('train-folder trains on a folder, reports PSNR beside the grey baseline, checkpoints and saves the generator', async () => {
    const photos = join(work, 'photos');
    await mkdir(photos);
    for (const f of (await readdir('packages/train/demo-photos')).filter((x) => x.endsWith('.jpg')).slice(0, 14)) await copyFile(join('packages/train/demo-photos', f), join(photos, f));
    const out = runExample('train-folder', [photos, join(work, 'run'), '1']);
    expect(out).toMatch(/epoch 1: PSNR \d+\.\d\d dB \(grey \d+\.\d\d dB\)/);
    expect(existsSync(join(work, 'run', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(work, 'run', 'checkpoints', 'checkpoint.json'))).toBe(true);
  }, 120_000);

  it('custom-gan trains a critic of its own with the gradient penalty', () => {
    const out = runExample('custom-gan', ['2']);
    expect(out).toMatch(/^step 1: W -?\d+\.\d{4}, GP \d+\.\d{3}, grey-vs-real GP \d+\.\d{3}$/m);
    expect(out).toMatch(/^step 2: /m);
  }, 120_000);
});
