import { availableParallelism } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

import { ColorizeError, describeValue, invalid } from '@colorize/core';

import { decodeSquare, probe } from './decode.node.js';
import { createImageDataset } from './image-dataset.js';
import type { ImageDataset, ImageDatasetOptions } from './image-dataset.js';
import { splitFiles } from './split.js';

/** File types read. @group Data */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;

/** Every JPEG, PNG and WebP below a folder, as paths relative to it (hidden entries skipped). */
export async function listImages(fn: string, dir: string): Promise<string[]> {
  const root = resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new ColorizeError('IO_ERROR', `${fn}: could not read the folder ${root} (${(err as Error).message}).`, { cause: err });
  }
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x)))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((p) => !p.split(/[\\/]/).some((part) => part.startsWith('.')));
}

/** A dataset over files below `root`, decoded with sharp on the libuv pool. */
export async function imageDataset(fn: string, root: string, names: readonly string[], options: ImageDatasetOptions | undefined): Promise<ImageDataset> {
  const split = splitFiles(names, options?.split ?? 'train', options?.seed ?? 0, fn).map((n) => ({ name: resolve(root, n), source: resolve(root, n) }));
  return createImageDataset(fn, root, split, { probe, decode: decodeSquare }, options, availableParallelism());
}

/** Options of {@link imageFolder}. @group Data */
export interface ImageFolderOptions extends ImageDatasetOptions {
  /** The folder; every JPEG, PNG and WebP below it is a candidate. Required. */
  dir: string;
}

/**
 * Every JPEG, PNG and WebP below a folder as a training dataset, split 70 / 15 / 15 with a seed.
 * Unusable files (corrupt, truncated, not images, too many pixels) are skipped and reported
 * through `onSkip`; grey, RGBA, CMYK, 16-bit and EXIF-rotated photos are converted.
 *
 * @throws {@link @colorize/core!ColorizeError} `EMPTY_DATASET` when no file is usable; `IO_ERROR` when the folder cannot be read.
 * @example
 * ```ts
 * const train = await imageFolder({ dir: 'photos', size: 128, onSkip: (p, why) => log(p, why) });
 * const validation = await imageFolder({ dir: 'photos', split: 'validation' });
 * ```
 * @group Data
 */
export async function imageFolder(options: ImageFolderOptions): Promise<ImageDataset> {
  const fn = 'imageFolder';
  if (typeof options !== 'object' || options === null || typeof options.dir !== 'string' || options.dir === '') {
    throw invalid('INVALID_OPTION', fn, 'options with dir, a folder path', describeValue(options?.dir ?? options));
  }
  const { dir, ...rest } = options;
  return imageDataset(fn, dir, await listImages(fn, dir), rest);
}
