import { mkdtemp, readdir } from 'node:fs/promises';
import type * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { registerFileSystemRouters } from './file-system.js';

/** Lets a test make the n-th rename fail, as a crash between writing a file and renaming it would. */
const failRename = vi.hoisted(() => ({ when: (_target: string): boolean => false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fsPromises>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (failRename.when(to)) throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
      return real.rename(from, to);
    },
  };
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFileSystemRouters();
});

function model(bias: number): tfl.LayersModel {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, biasInitializer: tfl.initializers.constant({ value: bias }) })] });
  return m;
}

async function biasOf(m: tfl.LayersModel): Promise<number[]> {
  return Array.from(await m.getWeights()[1]!.data());
}

describe('an interrupted save', () => {
  it.each([
    ['the weights', (to: string) => to.endsWith('.bin')],
    ['model.json', (to: string) => to.endsWith('model.json')],
  ])('between writing %s and renaming it leaves the previous model loadable', async (_what, when) => {
    const dir = join(await mkdtemp(join(tmpdir(), 'colorize-crash-')), 'model');
    await model(1).save(`file://${dir}`);
    failRename.when = when;
    await expect(model(2).save(`file://${dir}`)).rejects.toThrow(/fileSystem\.save: could not save the model to .*simulated crash before rename/);
    failRename.when = () => false;
    const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
    expect(await biasOf(loaded)).toEqual([1, 1]);
    // what is left is the old model and, at worst, an unreferenced weight file the next save removes
    await model(3).save(`file://${dir}`);
    expect((await readdir(dir)).sort()).toEqual(['model.json', expect.stringMatching(/^weights\.[0-9a-f]{16}\.bin$/)]);
    expect(await biasOf(await tfl.loadLayersModel(`file://${dir}/model.json`))).toEqual([3, 3]);
  });
});
