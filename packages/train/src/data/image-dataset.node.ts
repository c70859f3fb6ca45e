import { availableParallelism } from 'node:os';
import { readdir, stat } from 'node:fs/promises';
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

/** Options of the Node datasets ({@link imageFolder}, `demoPhotos`, `flowers102`, `imageArchive`). @group Data */
export interface LocalImageDatasetOptions extends ImageDatasetOptions {
  /**
   * More images for the training split only: image files or folders (every JPEG, PNG and WebP
   * below it), absolute or relative to the working folder, added after the 70 / 15 / 15 split,
   * so the validation and test splits stay exactly as they are. Use it to train on the shipped
   * demo photos' training split and photos of your own while validating on the demo's held-out
   * photos. Only with `split: 'train'`. Defaults to none.
   */
  extraTrainFiles?: readonly string[];
}

/** Takes `extraTrainFiles` out of the options, checked; the rest go to {@link createImageDataset}. */
export function takeExtraTrainFiles(fn: string, options: LocalImageDatasetOptions | undefined): { extra: string[]; rest: ImageDatasetOptions | undefined } {
  if (options === undefined || options === null || typeof options !== 'object' || !('extraTrainFiles' in options)) return { extra: [], rest: options };
  const { extraTrainFiles, ...rest } = options;
  if (extraTrainFiles === undefined) return { extra: [], rest };
  if (!Array.isArray(extraTrainFiles) || extraTrainFiles.some((f) => typeof f !== 'string' || f === '')) {
    throw invalid('INVALID_OPTION', fn, 'extraTrainFiles to be an array of file or folder paths', describeValue(extraTrainFiles));
  }
  if (extraTrainFiles.length > 0 && (rest.split ?? 'train') !== 'train') {
    throw invalid('INVALID_OPTION', fn, 'extraTrainFiles only with split "train" (they never join the validation or test split)', describeValue(rest.split));
  }
  return { extra: extraTrainFiles.map((f) => resolve(f)), rest };
}

/** A dataset over files below `root`, decoded with sharp on the libuv pool. */
export async function imageDataset(fn: string, root: string, names: readonly string[], options: LocalImageDatasetOptions | undefined): Promise<ImageDataset> {
  const { extra, rest } = takeExtraTrainFiles(fn, options);
  const split = splitFiles(names, rest?.split ?? 'train', rest?.seed ?? 0, fn).map((n) => resolve(root, n));
  const extraFiles: string[] = [];
  for (const path of extra) {
    if ((await stat(path).catch(() => undefined))?.isDirectory()) extraFiles.push(...(await listImages(fn, path)).map((n) => join(path, n)));
    else extraFiles.push(path);
  }
  const sources = [...split, ...extraFiles].map((path) => ({ name: path, source: path }));
  return createImageDataset(fn, root, sources, { probe, decode: decodeSquare }, rest, availableParallelism());
}

/** Options of {@link imageFolder}. @group Data */
export interface ImageFolderOptions extends LocalImageDatasetOptions {
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
