import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';

import { ColorizeError } from '@colorize/core';

/** Download progress: bytes so far and in all (when the server says). @group Data */
export interface DownloadProgress {
  received: number;
  total: number | undefined;
}

export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Attempts after a dropped connection, each resuming where the last stopped. */
  retries?: number;
}

/** The MD5 of a file, as lowercase hex. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Downloads `url` to `target` through `target.part`, resuming a partial file with an HTTP Range
 * request (also after a dropped connection), then checks its MD5: a mismatch deletes the file
 * and throws `CHECKSUM_MISMATCH`; only a verified file is renamed to `target`.
 */
export async function download(fn: string, url: string, target: string, md5: string | null, options: DownloadOptions = {}): Promise<void> {
  const part = `${target}.part`;
  const retries = options.retries ?? 5;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    options.signal?.throwIfAborted();
    const have = (await stat(part).catch(() => undefined))?.size ?? 0;
    try {
      const res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, ...(options.signal ? { signal: options.signal } : {}) });
      if (res.status === 416) break; // the part is already whole
      if (!res.ok || !res.body) throw new ColorizeError('IO_ERROR', `${fn}: ${url} answered ${res.status} ${res.statusText}.`);
      // A login, captive-portal or error page served with 200: never a dataset.
      if (/^text\/html\b/i.test(res.headers.get('content-type') ?? '')) {
        await res.body.cancel();
        throw new ColorizeError('IO_ERROR', `${fn}: ${url} answered with a web page (content-type ${res.headers.get('content-type')}), not the file; nothing was kept.`);
      }
      const resumed = res.status === 206;
      let received = resumed ? have : 0;
      const length = Number(res.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(length) ? length + received : undefined;
      const file = await open(part, resumed ? 'a' : 'w');
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          await file.writeFile(chunk); // the whole chunk: a bare write() may take only part of it
          received += chunk.byteLength;
          options.onProgress?.({ received, total });
        }
        await file.sync();
      } finally {
        await file.close();
      }
      if (total !== undefined && received < total) throw new Error(`connection closed at ${received} of ${total} bytes`);
      lastError = undefined;
      break;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (ColorizeError.isInstance(err)) throw err;
      lastError = err;
    }
  }
  if (lastError !== undefined) {
    throw new ColorizeError('IO_ERROR', `${fn}: could not download ${url} (${(lastError as Error).message}); the partial file ${part} is kept and the next call resumes it.`, { cause: lastError });
  }
  if (md5 !== null) {
    const actual = await md5File(part);
    if (actual !== md5) {
      await rm(part, { force: true });
      throw new ColorizeError('CHECKSUM_MISMATCH', `${fn}: the download of ${url} has MD5 ${actual}, expected ${md5}; it was deleted and not used.`);
    }
  }
  await rename(part, target);
}
