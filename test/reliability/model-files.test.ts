// Hostile model files given to `colorize --model`: weight paths that leave the folder (to a FIFO
// outside it, which would hang the loader if it were ever opened), broken weights, an unknown
// layer, and a model.json that is not JSON. Each gets one clear line and a non-zero exit.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { colorize, photoFolder, tempDir } from './helpers.js';

const SHIPPED = resolve('packages/cli/model');
let dir: string;
let fifo: string;

type Manifest = { modelTopology: { config: { layers: { class_name?: string; className?: string }[] } }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[] };

/** A copy of the shipped model whose model.json (parsed) is changed by `edit`, or replaced by text. */
async function variant(name: string, edit: (m: Manifest, folder: string) => Promise<void> | void): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  for (const f of await readdir(SHIPPED)) if (f === 'model.json' || f.endsWith('.bin')) await copyFile(join(SHIPPED, f), join(folder, f));
  const m = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as Manifest;
  await edit(m, folder);
  await writeFile(join(folder, 'model.json'), JSON.stringify(m));
  return folder;
}

beforeAll(async () => {
  dir = await tempDir('models');
  await photoFolder(join(dir, 'in'), 1);
  fifo = join(dir, 'outside.fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('colorize --model with a hostile or broken model', () => {
  const cases: [string, (m: Manifest, folder: string) => Promise<void> | void, RegExp][] = [
    ['dotdot', (m) => void (m.weightsManifest[0]!.paths = ['../outside.fifo']), /weight path "\.\.\/outside\.fifo" leaves the model folder/],
    ['absolute', (m) => void (m.weightsManifest[0]!.paths = [fifo]), /leaves the model folder|absolute/],
    [
      'symlink',
      async (m, folder) => {
        await symlink(fifo, join(folder, 'link.bin'));
        m.weightsManifest[0]!.paths = ['link.bin'];
      },
      /leaves the model folder|link/,
    ],
    [
      'truncated',
      async (m, folder) => {
        const file = join(folder, m.weightsManifest[0]!.paths[0]!);
        await writeFile(file, (await readFile(file)).subarray(0, 1000));
      },
      /truncated|bytes|size/i,
    ],
    [
      'too-long',
      async (m, folder) => {
        const file = join(folder, m.weightsManifest[0]!.paths[0]!);
        await writeFile(file, Buffer.concat([await readFile(file), Buffer.alloc(4096)]));
      },
      /bytes|size|match/i,
    ],
    ['wrong-shape', (m) => void (m.weightsManifest[0]!.weights[0]!.shape = [5, 5, 1, 16]), /shape|bytes|match/i],
    [
      'unknown-layer',
      (m) => {
        const layer = m.modelTopology.config.layers[3]!;
        if (layer.class_name !== undefined) layer.class_name = 'EvilLayer';
        else layer.className = 'EvilLayer';
      },
      /EvilLayer/,
    ],
  ];

  for (const [name, edit, message] of cases) {
    it(`${name}: one clear line, exit 1, and nothing outside the folder opened`, async () => {
      const folder = await variant(name, edit);
      for (const engine of ['onnx', 'tfjs']) {
        // A loader that opened the FIFO would block here until spawnSync's time limit.
        const r = colorize([join('in', 'photo-0.jpg'), '--model', folder, '--engine', engine, '-o', 'out'], dir, { timeout: 30_000 });
        expect(r.signal, `${name} ${engine}: ${r.stderr}`).toBeNull();
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(/^colorize: /);
        expect(r.stderr).toMatch(message);
      }
    });
  }

  it('a model.json that is not JSON', async () => {
    const folder = await variant('not-json', () => undefined);
    await writeFile(join(folder, 'model.json'), '{"modelTopology": {"class_name": "Model", ');
    const r = colorize([join('in', 'photo-0.jpg'), '--model', folder, '-o', 'out'], dir, { timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^colorize: .*model\.json.*(JSON|json)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
