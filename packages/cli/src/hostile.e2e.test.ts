import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { fileSystem, initBackend } from '@colorize/core';
import { buildUNet } from '@colorize/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Broken models and odd inputs end at once in one line (issue 32): NaN weights wrote all-black
 * photos with exit 0; a size in the metadata or a --render-size of thousands of pixels asked for
 * gigabytes; a FIFO among the inputs hung the run.
 */
const BIN = resolve('packages/cli/bin/colorize.js');
const PHOTO = resolve('packages/train/demo-photos/python3-skimage__rocket.jpg');
let dir: string;

function colorize(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, COLORIZE_BACKEND: 'wasm' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function saveModel(name: string, change: (model: ReturnType<typeof buildUNet>) => void, size = 32): Promise<void> {
  const model = buildUNet({ base: 2, depth: 1 });
  change(model);
  model.setUserDefinedMetadata({ colorize: { size, depth: 1 } });
  await model.save(fileSystem(join(dir, name)));
  model.dispose();
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu', env: {} });
  dir = await mkdtemp(join(tmpdir(), 'colorize-hostile-cli-'));
  await mkdir(join(dir, 'in'));
  await copyFile(PHOTO, join(dir, 'in', 'p.jpg'));
  await saveModel('good', () => undefined);
  await saveModel('nan', (m) => {
    const head = m.getLayer('head_conv');
    const [kernel, bias] = head.getWeights();
    const bad = tf.fill(kernel!.shape, Number.NaN);
    head.setWeights([bad, bias!]);
    bad.dispose();
  });
  await saveModel('huge', () => undefined, 8000);
  const json = JSON.parse(await readFile(join(dir, 'huge', 'model.json'), 'utf8'));
  expect(json.userDefinedMetadata.colorize.size).toBe(8000);
  execFileSync('mkfifo', [join(dir, 'in', 'pipe.jpg')]);
  execFileSync('mkfifo', [join(dir, 'fifo.jpg')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('broken models and odd inputs', () => {
  it.each(['tfjs', 'onnx'])('refuses a model with NaN weights in one line instead of writing black photos (engine %s)', (engine) => {
    const r = colorize([join('in', 'p.jpg'), '--model', 'nan', '--engine', engine, '-o', `nan-${engine}`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/nan gives NaN or infinite colours for a test image: its weights are broken/)]);
    const e = colorize(['eval', '--data', 'demo', '--model', 'nan']);
    expect(e.status).not.toBe(0);
    expect(e.stderr).toMatch(/its weights are broken/);
  });

  it('refuses a size in the metadata or a --render-size far beyond any photo, before allocating it', () => {
    const meta = colorize([join('in', 'p.jpg'), '--model', 'huge', '--engine', 'tfjs', '-o', 'huge']);
    expect(meta.status).not.toBe(0);
    expect(meta.stderr.trim().split('\n')).toEqual([expect.stringMatching(/huge has colorize\.size 8000 in its metadata; expected an integer in \[16, 4096\]/)]);
    const flag = colorize([join('in', 'p.jpg'), '--model', 'good', '--render-size', '20000', '-o', 'big']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--render-size expects a side of at most 4096 px, got 20000/);
  });

  it('skips a FIFO in a folder and refuses one given by name, and still colorizes the rest', () => {
    const folder = colorize(['in', '--model', 'good', '--engine', 'tfjs', '-o', 'out', '--timeout', '20']);
    expect(folder.status).toBe(0);
    expect(folder.stdout).toMatch(/^colorized 1 of 1 images into|\/out\/in\/p\.jpg$/m);
    const named = colorize(['fifo.jpg', join('in', 'p.jpg'), '--model', 'good', '--engine', 'tfjs', '-o', 'named']);
    expect(named.status).toBe(1);
    expect(named.stderr).toMatch(/fifo\.jpg: not a regular file \(a FIFO, socket or device is never read\)/);
    expect(named.stdout).toMatch(/named\/p\.jpg/);
  });
});

describe('links out of a model folder', () => {
  it('refuses a model.json, a run\'s model/ folder and a cached ONNX export that link outside, reading none of them', async () => {
    const { symlink } = await import('node:fs/promises');
    // model.json: a link to the good model's, from another folder.
    await mkdir(join(dir, 'linked'));
    await symlink(join(dir, 'good', 'model.json'), join(dir, 'linked', 'model.json'));
    const json = colorize([join('in', 'p.jpg'), '--model', 'linked', '--engine', 'tfjs', '-o', 'linked-out']);
    expect(json.status).not.toBe(0);
    expect(json.stderr.trim().split('\n')).toEqual([expect.stringMatching(/linked\/model\.json.*is a link to .*good\/model\.json, outside its model folder/)]);
    // A training run whose model/ is a link to a folder elsewhere.
    await mkdir(join(dir, 'run'));
    await symlink(join(dir, 'good'), join(dir, 'run', 'model'));
    const run = colorize([join('in', 'p.jpg'), '--model', 'run', '--engine', 'tfjs', '-o', 'run-out']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/run\/model is a link to .*\/good, outside the training run .*\/run; give that folder itself/);
    // The cached export: a link where model.<hash>.onnx goes is not read; the model is exported again.
    const { modelHash } = await import('./onnx-engine.js');
    await mkdir(join(dir, 'cached'));
    for (const f of await (await import('node:fs/promises')).readdir(join(dir, 'good'))) if (!f.endsWith('.onnx')) await copyFile(join(dir, 'good', f), join(dir, 'cached', f));
    const cache = join(dir, 'cached', `model.${await modelHash(join(dir, 'cached', 'model.json'))}.onnx`);
    execFileSync('mkfifo', [join(dir, 'outside.onnx')]); // reading it would hang
    await symlink(join(dir, 'outside.onnx'), cache);
    const onnx = colorize([join('in', 'p.jpg'), '--model', 'cached', '--engine', 'onnx', '-o', 'cached-out']);
    expect(onnx.stderr).toBe('');
    expect(onnx.status).toBe(0);
  });
});
