import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Writes a file atomically: the bytes go to a temporary file beside `target`, are flushed to
 * disk, and the temporary is renamed over `target`. A crash leaves either the old file or the
 * new one, never a torn one. Call {@link syncFolder} on the folder afterwards to make the
 * rename itself durable.
 *
 * @param target - the file to write.
 * @param data - its content: text (UTF-8), bytes, or chunks written in order.
 * @group Model files
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const chunks = typeof data === 'string' ? [new TextEncoder().encode(data)] : data instanceof Uint8Array ? [data] : data;
  const temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'w');
    for (const chunk of chunks) {
      // One write may take only part of a chunk (a full disk or a file-size limit lets the
      // first bytes through); keep writing, so the next write reports why the rest cannot go.
      for (let offset = 0; offset < chunk.length; ) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        if (bytesWritten === 0) throw Object.assign(new Error(`ENOSPC: no space left, write ${temp}`), { code: 'ENOSPC' });
        offset += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Flushes a folder's entries (its renames) to disk. Not every platform can open a folder for
 * this (Windows cannot); there the renames are still atomic, and this does nothing.
 *
 * @group Model files
 */
export async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
