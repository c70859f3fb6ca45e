import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ColorizeError } from '@colorize/core';

import { imageDataset, listImages } from './image-dataset.node.js';
import type { ImageDataset } from './image-dataset.js';
import type { LocalImageDatasetOptions } from './image-dataset.node.js';

/** The folder of the demo photos shipped in this package (`demo-photos/`, with `SOURCES.md`). @group Data */
export function demoPhotosDir(): string {
  // src/ and dist/ sit at different depths (the CJS build shims import.meta.url).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'demo-photos');
    if (existsSync(join(candidate, 'SOURCES.md'))) return candidate;
    dir = dirname(dir);
  }
  throw new ColorizeError('IO_ERROR', 'demoPhotos: the demo-photos folder of @colorize/train is missing from this installation.');
}

/**
 * The 64 real colour photos shipped with `@colorize/train` (from Debian packages, 256×256, their
 * licences in `demo-photos/SOURCES.md`), as a dataset: a fresh install trains and tests offline.
 * Same options and 70 / 15 / 15 split (44 / 9 / 11) as {@link imageFolder}.
 *
 * @example
 * ```ts
 * const train = await demoPhotos({ size: 128, randomCrop: [0.6, 1] });
 * const validation = await demoPhotos({ split: 'validation' });
 * ```
 * @group Data
 */
export async function demoPhotos(options?: LocalImageDatasetOptions): Promise<ImageDataset> {
  const dir = demoPhotosDir();
  return imageDataset('demoPhotos', dir, await listImages('demoPhotos', dir), options);
}
