import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, initBackend } from '@colorize/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { demoPhotosDir } from './demo-photos.node.js';
import { probe } from './decode.node.js';
import { imageFolder } from './image-dataset.node.js';

let dir: string;
const photo = (): string => join(demoPhotosDir(), 'python3-skimage__rocket.jpg');

/** CRC-32 of PNG chunks. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A valid little PNG whose header claims `w × h` pixels. */
async function pngClaiming(w: number, h: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer());
  png.writeUInt32BE(w, 16);
  png.writeUInt32BE(h, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu', env: {} });
  dir = await mkdtemp(join(tmpdir(), 'colorize-folder-'));
  const good = join(dir, 'good');
  const bad = join(dir, 'bad', 'unreadable');
  await mkdir(good, { recursive: true });
  await mkdir(bad, { recursive: true });
  const src = sharp(photo());
  await copyFile(photo(), join(good, 'plain.jpg'));
  await src.clone().grayscale().jpeg().toFile(join(good, 'grey.jpg'));
  await src.clone().ensureAlpha(0.5).png().toFile(join(good, 'rgba.png'));
  await src.clone().toColourspace('cmyk').jpeg().toFile(join(good, 'cmyk.jpg'));
  await src.clone().toColourspace('rgb16').png().toFile(join(good, 'sixteen-bit.png'));
  await src.clone().resize(40, 20).withMetadata({ orientation: 6 }).jpeg().toFile(join(good, 'exif-rotated.jpg'));
  await src.clone().resize(12, 12).webp().toFile(join(good, 'tiny.webp'));
  const bytes = await readFile(photo());
  await writeFile(join(dir, 'bad', 'truncated.jpg'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  await writeFile(join(bad, 'zero.jpg'), new Uint8Array(0));
  await writeFile(join(bad, 'notes.png'), 'not an image at all\n');
  const corrupt = Buffer.from(bytes);
  corrupt.fill(0x55, 2, 600); // the markers and tables after SOI
  await writeFile(join(bad, 'corrupt.jpg'), corrupt);
  await writeFile(join(bad, 'huge.png'), await pngClaiming(40000, 40000));
  await writeFile(join(dir, 'readme.txt'), 'ignored: not an image extension');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imageFolder with bad and unusual files', () => {
  it('converts every usable photo, reports every bad file with its path and reason, and never crashes', async () => {
    const reports: [string, string][] = [];
    const data = await imageFolder({ dir, split: 'all', size: 32, batchSize: 4, onSkip: (p, why) => reports.push([p, why]) });
    let images = 0;
    for await (const b of data.batches(0)) {
      const L = await b.L.data();
      expect(L.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
      expect((await b.ab.data()).every(Number.isFinite)).toBe(true);
      images += b.L.shape[0];
      tf.dispose([b.L, b.ab]);
    }
    expect(images).toBe(7);
    const byName = Object.fromEntries(reports.map(([p, why]) => [p.split(/[\\/]/).pop(), why]));
    expect(Object.keys(byName).sort()).toEqual(['corrupt.jpg', 'huge.png', 'notes.png', 'truncated.jpg', 'zero.jpg']);
    expect(byName['huge.png']).toMatch(/40000×40000 is more than 64000000 pixels/);
    expect(byName['zero.jpg']).toMatch(/not a readable image/);
    expect(byName['truncated.jpg']).toMatch(/cannot be decoded/);
    expect(reports.every(([p]) => p.startsWith(dir))).toBe(true);
    // A second epoch does not decode the failed files again, nor report them twice.
    for await (const b of data.batches(1)) tf.dispose([b.L, b.ab]);
    expect(reports).toHaveLength(5);
  });

  it('reads EXIF orientation: a 40×20 photo tagged "rotate 90°" is 20×40', async () => {
    expect(await probe(join(dir, 'good', 'exif-rotated.jpg'), 1e6)).toEqual({ width: 20, height: 40 });
  });

  it('a folder with no usable image is an EMPTY_DATASET error that says so', async () => {
    const error = await imageFolder({ dir: join(dir, 'bad', 'unreadable'), split: 'all' }).catch((e: unknown) => e);
    expect(ColorizeError.isInstance(error) && error.code).toBe('EMPTY_DATASET');
    expect((error as Error).message).toMatch(/^imageFolder: no usable image in .*unreadable for split "all" \(\d+ candidate files, \d+ skipped\)\.$/);
  });

  it('a missing folder and bad options are clear errors', async () => {
    await expect(imageFolder({ dir: join(dir, 'missing') })).rejects.toThrow(/imageFolder: could not read the folder/);
    await expect(imageFolder({ dir, size: 0 })).rejects.toThrow(/imageFolder: expected size to be an integer ≥ 8, got 0/);
    await expect(imageFolder({ dir, randomCrop: [0.9, 0.2] })).rejects.toThrow(/randomCrop as \[min, max\]/);
  });
});

describe('extraTrainFiles', () => {
  it('adds files and folders to the training split only, leaving validation and test exactly as they are', async () => {
    const { demoPhotos } = await import('./demo-photos.node.js');
    const plain = await demoPhotos({ split: 'train', size: 16 });
    const extraDir = join(dir, 'extra');
    await mkdir(join(extraDir, 'nested'), { recursive: true });
    await copyFile(photo(), join(extraDir, 'a.jpg'));
    await copyFile(photo(), join(extraDir, 'nested', 'b.jpg'));
    const single = join(dir, 'single.jpg');
    await copyFile(photo(), single);
    const train = await demoPhotos({ split: 'train', size: 16, extraTrainFiles: [extraDir, single] });
    expect(train.files.slice(0, plain.files.length)).toEqual(plain.files);
    expect(train.files.slice(plain.files.length)).toEqual([join(extraDir, 'a.jpg'), join(extraDir, 'nested', 'b.jpg'), single]);
    expect(train.size).toBe(plain.size + 3);
    // The held-out splits cannot take them.
    for (const split of ['validation', 'test', 'all'] as const) {
      await expect(demoPhotos({ split, extraTrainFiles: [single] })).rejects.toThrow(/^demoPhotos: expected extraTrainFiles only with split "train"/);
    }
    await expect(imageFolder({ dir: extraDir, extraTrainFiles: 'x' as unknown as string[] })).rejects.toThrow(/expected extraTrainFiles to be an array of file or folder paths/);
    // An empty list changes nothing, on any split.
    expect((await demoPhotos({ split: 'validation', extraTrainFiles: [] })).files).toEqual((await demoPhotos({ split: 'validation' })).files);
  });
});
