import { stat } from 'node:fs/promises';

import { ColorizeError } from '@colorize/core';
import { demoPhotos, imageFolder } from '@colorize/train';
import type { ImageDataset, ImageDatasetOptions } from '@colorize/train';

import { UsageError } from './usage-error.js';

/**
 * The dataset a `--data` value names: `demo` (the shipped photos), `flowers102`, a folder of
 * photos, or a Flowers102-style archive.
 */
export async function openData(data: string | undefined, options: ImageDatasetOptions): Promise<ImageDataset> {
  if (data === undefined) throw new UsageError('--data is required: demo, flowers102, a folder of photos or a .tgz archive.');
  if (data === 'demo') return demoPhotos(options);
  const info = await stat(data).catch(() => undefined);
  if (info?.isDirectory()) return imageFolder({ dir: data, ...options });
  if (info === undefined) throw new ColorizeError('IO_ERROR', `--data: "${data}" is neither demo, flowers102, nor an existing folder or archive.`);
  throw new UsageError(`--data "${data}" is a file; give a folder of photos, a .tgz archive, demo or flowers102.`);
}
