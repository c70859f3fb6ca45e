import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, initBackend } from '@colorize/core';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { demoPhotosDir } from './demo-photos.node.js';
import { md5File } from './download.node.js';
import { flowers102, imageArchive } from './flowers102.node.js';

/** A small archive with the real one's layout, `jpg/image_00001.jpg` …, made from the demo photos. */
let dir: string;
let archive: string;
let md5: string;
const N = 20;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', env: {} });
  dir = await mkdtemp(join(tmpdir(), 'colorize-flowers-'));
  const src = join(dir, 'src');
  await mkdir(join(src, 'jpg'), { recursive: true });
  const photos = (await readdir(demoPhotosDir())).filter((f) => f.endsWith('.jpg')).sort().slice(0, N);
  await Promise.all(photos.map((f, i) => copyFile(join(demoPhotosDir(), f), join(src, 'jpg', `image_${String(i + 1).padStart(5, '0')}.jpg`))));
  archive = join(dir, '102flowers.tgz');
  await create({ gzip: true, file: archive, cwd: src }, ['jpg']);
  md5 = await md5File(archive);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function count(data: { batches(e: number): AsyncIterable<{ L: tf.Tensor4D; ab: tf.Tensor4D }> }): Promise<number> {
  let n = 0;
  for await (const b of data.batches(0)) {
    expect(b.L.shape.slice(1)).toEqual([32, 32, 1]);
    expect(b.ab.shape.slice(1)).toEqual([32, 32, 2]);
    n += b.L.shape[0];
    tf.dispose([b.L, b.ab]);
  }
  return n;
}

describe('flowers102 from a local archive', () => {
  it('checks the MD5, extracts, splits 70 / 15 / 15 and yields Lab batches', async () => {
    const cache = join(dir, 'cache-local');
    const train = await flowers102({ root: archive, md5, cacheDir: cache, size: 32, batchSize: 5 });
    const validation = await flowers102({ root: archive, md5, cacheDir: cache, size: 32, split: 'validation' });
    const test = await flowers102({ root: archive, md5, cacheDir: cache, size: 32, split: 'test' });
    expect([train.size, validation.size, test.size]).toEqual([14, 3, 3]);
    expect(train.files.every((f) => /jpg[\\/]image_\d{5}\.jpg$/.test(f))).toBe(true);
    expect(await count(train)).toBe(14);
  });

  it('refuses an archive whose MD5 differs, and extracts nothing', async () => {
    const cache = join(dir, 'cache-bad');
    const error = await flowers102({ root: archive, md5: '0'.repeat(32), cacheDir: cache }).catch((e: unknown) => e);
    expect(ColorizeError.isInstance(error) && error.code).toBe('CHECKSUM_MISMATCH');
    expect((error as Error).message).toMatch(/has MD5 [0-9a-f]{32}, expected 0{32}; it was not used/);
    expect(existsSync(cache)).toBe(false);
  });
});

describe('imageArchive', () => {
  it('reads every photo of any tar archive, extracted once into the cache', async () => {
    const cache = join(dir, 'cache-archive');
    const all = await imageArchive({ archive, cacheDir: cache, split: 'all', size: 32 });
    expect(all.size).toBe(N);
    expect(await count(all)).toBe(N);
    expect((await readdir(cache)).filter((f) => f.startsWith('archive-'))).toHaveLength(1);
  });
});

describe('flowers102 download from a local HTTP server', () => {
  it('resumes after a dropped connection, reports progress, verifies and uses the archive', async () => {
    const bytes = await readFile(archive);
    const ranges: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      ranges.push(req.headers.range);
      const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (match) {
        const from = Number(match[1]);
        res.writeHead(206, { 'content-length': bytes.length - from, 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` });
        res.end(bytes.subarray(from));
        return;
      }
      // The first answer drops the connection a third of the way in.
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 3)), () => res.socket?.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/102flowers.tgz`;
    try {
      const cache = join(dir, 'cache-download');
      const progress: number[] = [];
      const data = await flowers102({ url, md5, cacheDir: cache, size: 32, split: 'test', onProgress: ({ received }) => progress.push(received) });
      expect(ranges[0]).toBeUndefined();
      expect(ranges[1]).toMatch(/^bytes=\d+-$/);
      expect(Number(ranges[1]!.slice(6, -1))).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(bytes.length);
      expect(await md5File(join(cache, '102flowers.tgz'))).toBe(md5);
      expect(await count(data)).toBe(3);

      const badCache = join(dir, 'cache-download-bad');
      const error = await flowers102({ url, md5: 'f'.repeat(32), cacheDir: badCache }).catch((e: unknown) => e);
      expect(ColorizeError.isInstance(error) && error.code).toBe('CHECKSUM_MISMATCH');
      expect((error as Error).message).toMatch(/was deleted and not used/);
      expect(await readdir(badCache)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
