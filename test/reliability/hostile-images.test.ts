// Bad and hostile images given to `colorize`: corrupt, truncated, empty, wrongly named,
// decompression bombs, and 300 seeded random mutations of valid JPEG and PNG files.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { colorize, PHOTOS, tempDir } from './helpers.js';

let dir: string;

/** A PNG chunk with its length and CRC. */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid PNG header claiming `side` × `side` grey pixels, with a few bytes of data: a decompression bomb. */
function pngBomb(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(side + 1))), chunk('IEND', new Uint8Array(0))]);
}

/** A valid JPEG whose SOF header is patched to claim `side` × `side` pixels. */
function jpegBomb(jpeg: Buffer, side: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; i += 1) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(side, i + 5);
      out.writeUInt16BE(side, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker');
}

/** sfc32: a small seeded generator, so the mutations are the same on every run. */
function random(seed: number): () => number {
  let [a, b, c, d] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0];
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** One random mutation of `bytes`: flipped bytes, a truncation, an inserted run, or a copied block. */
function mutate(bytes: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(bytes);
  const at = (): number => Math.floor(rand() * out.length);
  switch (Math.floor(rand() * 4)) {
    case 0:
      for (let k = 0, n = 1 + Math.floor(rand() * 12); k < n; k += 1) out[at()] = Math.floor(rand() * 256);
      return out;
    case 1:
      return out.subarray(0, at());
    case 2: {
      const p = at();
      return Buffer.concat([out.subarray(0, p), Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))), out.subarray(p)]);
    }
    default: {
      const from = at();
      const to = at();
      out.copy(out, to, from, Math.min(out.length, from + 1 + Math.floor(rand() * 256)));
      return out;
    }
  }
}

const names = new Map<string, 'valid' | 'bad' | 'either'>();

beforeAll(async () => {
  dir = await tempDir('hostile');
  const corpus = join(dir, 'corpus');
  await mkdir(corpus, { recursive: true });
  const source = sharp(join(PHOTOS, 'python3-skimage__rocket.jpg')).resize(64, 48);
  const jpeg = await source.clone().jpeg({ quality: 90 }).toBuffer();
  const png = await source.clone().png().toBuffer();
  const put = async (name: string, data: Uint8Array | string, kind: 'valid' | 'bad' | 'either'): Promise<void> => {
    await writeFile(join(corpus, name), data);
    names.set(name, kind);
  };
  await put('valid.jpg', jpeg, 'valid');
  await put('valid.png', png, 'valid');
  await put('png-named-as.jpg', png, 'valid'); // decoded by content, not by name
  await put('empty.jpg', new Uint8Array(0), 'bad');
  await put('empty.png', new Uint8Array(0), 'bad');
  await put('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'bad');
  await put('truncated.png', png.subarray(0, Math.floor(png.length * 0.6)), 'bad');
  await put('header-only.jpg', jpeg.subarray(0, 20), 'bad');
  await put('text.png', 'this is not an image\n', 'bad');
  await put('garbage.webp', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), 'bad');
  await put('bomb.png', pngBomb(50_000), 'bad');
  await put('bomb.jpg', jpegBomb(jpeg, 50_000), 'bad');
  const rand = random(12);
  for (let i = 0; i < 300; i += 1) {
    const base = i % 2 === 0 ? jpeg : png;
    await put(`mutant-${String(i).padStart(3, '0')}.${i % 2 === 0 ? 'jpg' : 'png'}`, mutate(base, rand), 'either');
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('colorize on a corpus of bad and hostile images', () => {
  it('never crashes or hangs: each bad file gets one clear line, every other file is colorized', async () => {
    const started = performance.now();
    const r = colorize(['corpus', '-o', 'out', '--timeout', '30'], dir, { timeout: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(seconds).toBeLessThan(300);
    const lines = r.stderr.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^colorize: .*corpus\/[\w.-]+: .+/);
    const failed = new Set(lines.map((l) => /corpus\/([\w.-]+):/.exec(l)![1]!));
    let colorized = 0;
    for (const [name, kind] of names) {
      const out = existsSync(join(dir, 'out', 'corpus', name));
      // exactly one of: an output, or one error line naming the file
      expect(out !== failed.has(name), name).toBe(true);
      expect(lines.filter((l) => l.includes(`corpus/${name}:`)), name).toHaveLength(failed.has(name) ? 1 : 0);
      if (kind === 'valid') expect(out, name).toBe(true);
      if (kind === 'bad') expect(failed.has(name), name).toBe(true);
      if (out) colorized += 1;
    }
    expect(r.stdout).toMatch(new RegExp(`colorized ${colorized} of ${names.size} images`));
    const bomb = lines.find((l) => l.includes('bomb.png'))!;
    expect(bomb).toMatch(/pixel limit|exceeds|too large/i);
    // the outputs that were written are real images of the input's size
    const meta = await sharp(await readFile(join(dir, 'out', 'corpus', 'valid.jpg'))).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);
  }, 600_000);

  it('gives up on a photo that takes too long, reports it and goes on with a new worker', () => {
    const r = colorize([join('corpus', 'valid.jpg'), join('corpus', 'valid.png'), join('corpus', 'png-named-as.jpg'), '-o', 'slow', '--timeout', '0.001', '--engine', 'tfjs', '-j', '2'], dir);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^colorize: corpus\/[\w.-]+: gave up after 0\.001 s \(the file may be hostile; --timeout sets the limit\)$/);
    expect(r.stdout).toMatch(/colorized 0 of 3 images/);
  });
});
