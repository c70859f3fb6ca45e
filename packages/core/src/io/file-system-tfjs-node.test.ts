import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';

import { fileSystem, registerFileSystemRouters } from './file-system.js';

/**
 * `@tensorflow/tfjs-node` registers its own `file://` router when imported (it cannot be installed
 * here: its install downloads libtensorflow). This registers one the way it does
 * (`registerSaveRouter` / `registerLoadRouter` with a router that takes every `file://` URL), on
 * both sides of ours: tfjs refuses to save or load when two routers match a URL.
 */
const seen: string[] = [];
const nodeFileSystemRouter = (url: string | string[]): tf.io.IOHandler => {
  if (typeof url === 'string' && url.startsWith('file://')) {
    seen.push(url);
    return fileSystem(url); // stands in for tfjs-node's NodeFileSystem
  }
  return null as unknown as tf.io.IOHandler;
};

function smallModel(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('file:// beside tfjs-node', () => {
  it('saves and loads through exactly one handler whether tfjs-node registers before or after colorize, and through ours alone before it does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colorize-tfjs-node-'));
    registerFileSystemRouters();
    expect(tf.io.getSaveHandlers(`file://${dir}/a`)).toHaveLength(1); // ours, alone
    const model = smallModel();
    await model.save(`file://${join(dir, 'ours')}`);
    expect(seen).toEqual([]);
    // tfjs-node imported after colorize: its router joins ours, which steps aside.
    tf.io.registerSaveRouter(nodeFileSystemRouter);
    tf.io.registerLoadRouter(nodeFileSystemRouter);
    expect(tf.io.getSaveHandlers(`file://${dir}/b`)).toHaveLength(1);
    expect(tf.io.getLoadHandlers(`file://${dir}/ours/model.json`)).toHaveLength(1);
    seen.length = 0;
    await model.save(`file://${join(dir, 'theirs')}`);
    const loaded = await tfl.loadLayersModel(`file://${join(dir, 'theirs', 'model.json')}`);
    expect([...new Set(seen)]).toEqual([`file://${join(dir, 'theirs')}`, `file://${join(dir, 'theirs', 'model.json')}`]);
    expect(await readdir(join(dir, 'theirs'))).toContain('model.json');
    // Another copy of the package registering again (ESM beside CJS) adds nothing.
    registerFileSystemRouters();
    expect(tf.io.getSaveHandlers(`file://${dir}/c`)).toHaveLength(1);
    // Other schemes are left to their own routers.
    expect(tf.io.getSaveHandlers('indexeddb://x')).toHaveLength(0);
    model.dispose();
    loaded.dispose();
  });
});
