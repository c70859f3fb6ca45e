import { mkdtemp, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { fileSystem, registerFileSystemRouters } from './file-system.js';
import { rejection } from '../../../../scripts/test-utils.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFileSystemRouters();
  registerFileSystemRouters(); // twice is harmless: tfjs would refuse two matching routers
});

/** A small conv model with Adam, trained one step so that its optimizer state is not zero. */
async function trainedModel(): Promise<tfl.LayersModel> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization(),
      tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanAbsoluteError' });
  const x = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 1);
  const y = tf.randomUniform([4, 8, 8, 2], -1, 1, 'float32', 2);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  return model;
}

async function values(ts: tf.Tensor[] | tf.Variable[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.data())));
}

async function optimizerValues(model: tfl.LayersModel): Promise<number[][]> {
  const weights = await model.optimizer.getWeights();
  return values(weights.map((w) => w.tensor));
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'colorize-io-'));
}

describe('file:// model files', () => {
  it('saves and loads a layers model with its optimizer state, exactly', async () => {
    const model = await trainedModel();
    const dir = join(await tempDir(), 'model');
    const result = await model.save(`file://${dir}`, { includeOptimizer: true });
    expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
    const files = await readdir(dir);
    expect(files.sort()).toEqual([expect.stringMatching(/^model\.json$/), expect.stringMatching(/^weights\.[0-9a-f]{16}\.bin$/)].sort());

    const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
    expect(await values(loaded.getWeights())).toEqual(await values(model.getWeights()));
    expect(loaded.optimizer).toBeDefined();
    expect(await optimizerValues(loaded)).toEqual(await optimizerValues(model));
    const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 3);
    expect(Array.from(await (loaded.predict(x) as tf.Tensor).data())).toEqual(
      Array.from(await (model.predict(x) as tf.Tensor).data()),
    );
    // the folder URL (no model.json) and the handler function load it too
    const again = await tfl.loadLayersModel(fileSystem(dir));
    expect(await values(again.getWeights())).toEqual(await values(model.getWeights()));
  });

  it('replaces the previous save and removes its weights', async () => {
    const dir = join(await tempDir(), 'model');
    const first = await trainedModel();
    await first.save(`file://${dir}`);
    const second = await trainedModel();
    second.setWeights(second.getWeights().map((w) => tf.add(w, 1)));
    await second.save(`file://${dir}`);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
    expect(await values(loaded.getWeights())).toEqual(await values(second.getWeights()));
  });

  it('refuses a weight path that leaves the model folder', async () => {
    const dir = join(await tempDir(), 'model');
    await (await trainedModel()).save(`file://${dir}`);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    for (const [path, message] of [
      ['../secret.bin', /weight path "\.\.\/secret\.bin" leaves the model folder/],
      ['/etc/passwd', /weight path "\/etc\/passwd" must be a relative path inside the model folder/],
      ['sub/../../x.bin', /leaves the model folder/],
    ] as const) {
      json.weightsManifest[0].paths = [path];
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      const err = await rejection(tfl.loadLayersModel(`file://${dir}/model.json`));
      expect(err.code).toBe('INVALID_MODEL_FILE');
      expect(err.message).toMatch(message);
    }
    // a link inside the folder that points outside it
    const outside = join(await tempDir(), 'outside.bin');
    await writeFile(outside, new Uint8Array(8));
    await symlink(outside, join(dir, 'link.bin'));
    json.weightsManifest[0].paths = ['link.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const err = await rejection(tfl.loadLayersModel(`file://${dir}/model.json`));
    expect(err.message).toMatch(/weight path "link\.bin" leaves the model folder through a link/);
  });

  it('reports a truncated weight file', async () => {
    const dir = join(await tempDir(), 'model');
    await (await trainedModel()).save(`file://${dir}`);
    const bin = (await readdir(dir)).find((f) => f.endsWith('.bin'))!;
    const full = (await readFile(join(dir, bin))).byteLength;
    await truncate(join(dir, bin), full - 10);
    const err = await rejection(tfl.loadLayersModel(`file://${dir}/model.json`));
    expect(err.code).toBe('INVALID_MODEL_FILE');
    expect(err.message).toMatch(new RegExp(`weight file ${bin.replace(/\./g, '\\.')} is truncated: the weights need ${full} bytes, the file holds ${full - 10}\\.$`));
  });

  it('reports weight specs that do not match the file size', async () => {
    const dir = join(await tempDir(), 'model');
    await (await trainedModel()).save(`file://${dir}`);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights.pop(); // the specs now describe fewer bytes than the file holds
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const err = await rejection(tfl.loadLayersModel(`file://${dir}/model.json`));
    expect(err.code).toBe('INVALID_MODEL_FILE');
    expect(err.message).toMatch(/does not match its specs: it holds \d+ bytes, the specs describe \d+\.$/);
  });

  it('reports a missing weight file, broken JSON and a missing topology, each clearly', async () => {
    const dir = join(await tempDir(), 'model');
    await (await trainedModel()).save(`file://${dir}`);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['weights.gone.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    expect((await rejection(tfl.loadLayersModel(`file://${dir}/model.json`))).message).toMatch(/weight file "weights\.gone\.bin" is missing/);
    await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
    const broken = await rejection(tfl.loadLayersModel(`file://${dir}/model.json`));
    expect(broken.code).toBe('INVALID_MODEL_FILE');
    expect(broken.message).toMatch(/model\.json: is not valid JSON/);
    await writeFile(join(dir, 'model.json'), '{"weightsManifest": []}');
    expect((await rejection(tfl.loadLayersModel(`file://${dir}/model.json`))).message).toMatch(/has no modelTopology object/);
    const missing = await rejection(tfl.loadLayersModel(`file://${dir}/nothing/model.json`));
    expect(missing.code).toBe('IO_ERROR');
  });
});
