import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fileSystem } from './file-system.js';

/**
 * Hostile model folders (issue 32): a FIFO where model.json or a weight file should be would
 * hang a read forever; a manifest naming one weight file many times made the loader read every
 * copy before checking sizes. Each is refused at once, in one short line, before any weight is read.
 */
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'colorize-hostile-'));
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [64], units: 64 })] });
  await model.save(fileSystem(join(dir, 'good')));
  model.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fifo = (path: string): void => void execFileSync('mkfifo', [path]);

describe('fileSystem.load of a hostile folder', () => {
  it('refuses a manifest that names one weight file many times, without reading it, in one short line', async () => {
    const json = JSON.parse(await readFile(join(dir, 'good', 'model.json'), 'utf8'));
    const weights = json.weightsManifest[0].paths[0];
    json.weightsManifest[0].paths = Array.from({ length: 400 }, () => weights);
    await writeFile(join(dir, 'good', 'bomb.json'), JSON.stringify(json));
    const err = await tfl.loadLayersModel(fileSystem(join(dir, 'good', 'bomb.json'))).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/bomb\.json.*weightsManifest lists weight file weights\.[0-9a-f]+\.bin more than once/);
    expect(err!.message.length).toBeLessThan(300);
  });

  it('refuses a FIFO as model.json or as a weight file instead of waiting on it', async () => {
    fifo(join(dir, 'fifo.json'));
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'fifo.json')))).rejects.toThrow(/fifo\.json.*is not a regular file/);
    const json = JSON.parse(await readFile(join(dir, 'good', 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['pipe.bin'];
    await writeFile(join(dir, 'good', 'piped.json'), JSON.stringify(json));
    fifo(join(dir, 'good', 'pipe.bin'));
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'good', 'piped.json')))).rejects.toThrow(/weight file pipe\.bin is not a regular file/);
  });
});
