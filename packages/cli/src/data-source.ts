import { stat } from 'node:fs/promises';

import { ColorizeError } from '@colorize/core';
import { demoPhotos, flowers102, imageArchive, imageFolder } from '@colorize/train';
import type { ImageDataset, LocalImageDatasetOptions } from '@colorize/train';

import { UsageError } from './usage-error.js';

const ARCHIVE = /\.(tar|tgz|tar\.gz)$/i;

/**
 * The dataset a `--data` value names: `demo` (the shipped photos), `flowers102` (downloaded once
 * into the cache, progress on stderr), a folder of photos, or a tar archive of photos (the
 * Flowers102 archive itself included).
 */
export async function openData(data: string | undefined, options: LocalImageDatasetOptions, report?: (text: string) => void): Promise<ImageDataset> {
  if (data === undefined) throw new UsageError('--data is required: demo, flowers102, a folder of photos or a .tgz archive.');
  if (data === 'demo') return demoPhotos(options);
  if (data === 'flowers102') {
    let last = 0;
    return flowers102({
      ...options,
      onProgress: ({ received, total }) => {
        if (!report || received - last < 8 << 20) return;
        last = received;
        report(`downloading Flowers102: ${(received / 2 ** 20).toFixed(0)}${total ? ` of ${(total / 2 ** 20).toFixed(0)}` : ''} MB\n`);
      },
    });
  }
  const info = await stat(data).catch(() => undefined);
  if (info?.isDirectory()) return imageFolder({ dir: data, ...options });
  if (info?.isFile() && ARCHIVE.test(data)) return imageArchive({ archive: data, ...options });
  if (info === undefined) throw new ColorizeError('IO_ERROR', `--data: "${data}" is neither demo, flowers102, nor an existing folder or archive.`);
  throw new UsageError(`--data "${data}" is a file but not a .tar or .tgz archive; give a folder of photos, an archive, demo or flowers102.`);
}
