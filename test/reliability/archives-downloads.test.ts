// Hostile dataset archives and broken downloads: refused or reported, nothing written outside the
// cache folder, nothing bad kept.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { ColorizeError } from '@colorize/core';
import { flowers102, imageArchive } from '@colorize/train';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PHOTOS, tempDir } from './helpers.js';

let dir: string;
let jpeg: Buffer;

/** One ustar entry: a 512-byte header (`type`: '0' file, '1' hard link, '2' symlink, '3' char device, '5' folder, '6' FIFO) and its padded body. */
function tarEntry(name: string, type: string, body: Buffer = Buffer.alloc(0), link = ''): Buffer {
  const h = Buffer.alloc(512);
  const field = (value: string, at: number, length: number): void => void h.write(value, at, length, 'utf8');
  const octal = (n: number, length: number): string => `${n.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(body.length, 12), 124, 12);
  field(octal(1_700_000_000, 12), 136, 12);
  field('        ', 148, 8);
  field(type, 156, 1);
  field(link, 157, 100);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

const tar = (...entries: Buffer[]): Buffer => Buffer.concat([...entries, Buffer.alloc(1024)]);

beforeAll(async () => {
  dir = await tempDir('archives');
  jpeg = await sharp(join(PHOTOS, 'python3-skimage__rocket.jpg')).resize(32, 32).jpeg().toBuffer();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a dataset archive with unsafe entries is refused, and nothing is written outside the cache', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['a ../ name', () => tar(tarEntry('photos/ok.jpg', '0', jpeg), tarEntry('../escaped.jpg', '0', jpeg)), /"\.\.\/escaped\.jpg" leaves the archive's folder/],
    ['a nested ../ name', () => tar(tarEntry('photos/../../escaped.jpg', '0', jpeg)), /leaves the archive's folder/],
    ['an absolute name', () => tar(tarEntry('ok.jpg', '0', jpeg), tarEntry(`${'/tmp'}/escaped-absolute.jpg`, '0', jpeg)), /is an absolute path/],
    ['a symbolic link', () => tar(tarEntry('ok.jpg', '0', jpeg), tarEntry('photos/link.jpg', '2', Buffer.alloc(0), '/etc/passwd')), /"photos\/link\.jpg" is a SymbolicLink entry/],
    ['a hard link', () => tar(tarEntry('ok.jpg', '0', jpeg), tarEntry('hard.jpg', '1', Buffer.alloc(0), '/etc/passwd')), /"hard\.jpg" is a Link entry/],
    ['a character device', () => tar(tarEntry('ok.jpg', '0', jpeg), tarEntry('dev.jpg', '3')), /"dev\.jpg" is a CharacterDevice entry/],
    ['a FIFO', () => tar(tarEntry('ok.jpg', '0', jpeg), tarEntry('pipe.jpg', '6')), /"pipe\.jpg" is a FIFO entry/],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const work = join(dir, what.replace(/\W+/g, '-'));
      const archive = join(dir, `${what.replace(/\W+/g, '-')}.tar`);
      await writeFile(archive, make());
      const cache = join(work, 'cache');
      const err = await imageArchive({ archive, cacheDir: cache, size: 32 }).catch((e: unknown) => e);
      expect(ColorizeError.isInstance(err), String(err)).toBe(true);
      expect((err as ColorizeError).code).toBe('UNSUPPORTED');
      expect((err as ColorizeError).message).toMatch(message);
      expect((err as ColorizeError).message).toMatch(/nothing was extracted/);
      // nothing extracted anywhere: not in the cache, not beside it, not at the absolute path
      expect(await readdir(cache).catch(() => [])).toEqual([]);
      expect(existsSync(join(work, 'escaped.jpg')) || existsSync(join(dir, 'escaped.jpg')) || existsSync('/tmp/escaped-absolute.jpg')).toBe(false);
    });
  }

  it('a clean archive of the same photos is read', async () => {
    const archive = join(dir, 'clean.tar');
    await writeFile(archive, tar(tarEntry('photos/', '5'), ...Array.from({ length: 8 }, (_, i) => tarEntry(`photos/p${i}.jpg`, '0', jpeg))));
    const data = await imageArchive({ archive, cacheDir: join(dir, 'clean-cache'), size: 32 });
    expect(data.size).toBe(5); // the training 70 % of 8
  });
});

describe('downloads that go wrong', () => {
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/102flowers.tgz`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('an HTML page instead of the archive: refused at once, nothing kept', async () => {
    const s = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Sign in</title>');
    });
    const cache = join(dir, 'dl-html');
    try {
      const err = (await flowers102({ url: s.url, cacheDir: cache }).catch((e: unknown) => e)) as ColorizeError;
      expect(err.code).toBe('IO_ERROR');
      expect(err.message).toMatch(/answered with a web page \(content-type text\/html; charset=utf-8\), not the file; nothing was kept/);
      expect((await readdir(cache).catch(() => [])).filter((f) => f.includes('102flowers'))).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a checksum mismatch: reported, the file deleted', async () => {
    const s = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 4096 });
      res.end(Buffer.alloc(4096, 7));
    });
    const cache = join(dir, 'dl-md5');
    try {
      const err = (await flowers102({ url: s.url, cacheDir: cache }).catch((e: unknown) => e)) as ColorizeError;
      expect(err.code).toBe('CHECKSUM_MISMATCH');
      expect(err.message).toMatch(/has MD5 [0-9a-f]{32}, expected [0-9a-f]{32}; it was deleted and not used/);
      expect((await readdir(cache)).filter((f) => f.includes('102flowers'))).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a connection that keeps dropping: reported after the retries, the partial file kept for the next call', async () => {
    // Honours ranges, but every answer breaks off 1,000 bytes in.
    const s = await serve((req, res) => {
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const headers = { 'content-type': 'application/octet-stream', 'content-length': 100_000 - from };
      res.writeHead(from > 0 ? 206 : 200, from > 0 ? { ...headers, 'content-range': `bytes ${from}-99999/100000` } : headers);
      res.write(Buffer.alloc(1000, 1), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const cache = join(dir, 'dl-drop');
    try {
      const err = (await flowers102({ url: s.url, cacheDir: cache }).catch((e: unknown) => e)) as ColorizeError;
      expect(err.code).toBe('IO_ERROR');
      expect(err.message).toMatch(/could not download .*; the partial file .*102flowers\.tgz\.part is kept and the next call resumes it/);
      // every attempt kept what it got: the file grew by each answer's 1,000 bytes
      expect((await readFile(join(cache, '102flowers.tgz.part'))).length).toBeGreaterThanOrEqual(2000);
      expect(existsSync(join(cache, '102flowers.tgz'))).toBe(false);
    } finally {
      await s.close();
    }
  });
});
