import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

import { ColorizeError, describeValue, invalid } from '@colorize/core';
import { extract, list } from 'tar';

import { download, md5File } from './download.node.js';
import type { DownloadProgress } from './download.node.js';
import { resolveImageDatasetOptions } from './image-dataset.js';
import { IMAGE_EXTENSIONS, imageDataset, listImages, takeExtraTrainFiles } from './image-dataset.node.js';
import type { LocalImageDatasetOptions } from './image-dataset.node.js';
import type { ImageDataset } from './image-dataset.js';

/** The archive's home and checksum (Nilsback & Zisserman 2008). */
export const FLOWERS102 = {
  url: 'https://www.robots.ox.ac.uk/~vgg/data/flowers/102/102flowers.tgz',
  md5: '52808999861908f626f3c1f4e79d11fa',
  images: 8189,
} as const;

/** Options of {@link flowers102}. @group Data */
export interface Flowers102Options extends LocalImageDatasetOptions {
  /**
   * A local copy: the extracted folder (holding `jpg/image_00001.jpg`, …) or the `.tgz` archive.
   * Defaults to the cache, downloading the archive there when missing.
   */
  root?: string;
  /** Where downloads and extractions are kept. Defaults to `COLORIZE_CACHE`, then the platform's cache folder (`~/.cache/colorize` on Linux). */
  cacheDir?: string;
  /** The archive's address. Defaults to the dataset's home. */
  url?: string;
  /** The archive's expected MD5 (`null` to skip the check). Defaults to the real archive's. */
  md5?: string | null;
  /** Download progress. Defaults to none. */
  onProgress?: (p: DownloadProgress) => void;
  /** Cancels a download (the partial file is kept, and resumed next time). Defaults to none. */
  signal?: AbortSignal;
}

const isFlowersEntry = (path: string): boolean => /^(\.\/)?jpg\/[^/]*$/.test(path);

/** The cache folder: the option, then `COLORIZE_CACHE`, then the platform's. */
export function cacheDir(option?: string): string {
  if (option) return resolve(option);
  const env = process.env['COLORIZE_CACHE'];
  if (env) return resolve(env);
  const home = homedir();
  if (platform() === 'win32') return join(process.env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'colorize', 'Cache');
  if (platform() === 'darwin') return join(home, 'Library', 'Caches', 'colorize');
  return join(process.env['XDG_CACHE_HOME'] ?? join(home, '.cache'), 'colorize');
}

/**
 * Why an archive entry is refused, or null when it is a plain file or folder inside the archive:
 * absolute names, `..` segments, links (symbolic or hard), devices, FIFOs and anything else.
 */
function unsafeEntry(path: string, type: string): string | null {
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\')) return `"${path}" is an absolute path`;
  if (path.split(/[\\/]/).includes('..')) return `"${path}" leaves the archive's folder (..)`;
  if (type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile' && type !== 'Directory') return `"${path}" is a ${type} entry, not a plain file`;
  return null;
}

/**
 * Extracts an archive's images into `folder` atomically (a temporary folder renamed into place).
 * An archive with any unsafe entry (see `unsafeEntry`) is refused as a whole before anything is
 * written: it is listed first.
 */
async function extractArchive(fn: string, archive: string, folder: string, filter: (path: string) => boolean): Promise<void> {
  let refused: string | null = null;
  try {
    await list({ file: archive, strict: true, onReadEntry: (entry) => void (refused ??= unsafeEntry(entry.path, entry.type)) });
  } catch (err) {
    throw new ColorizeError('IO_ERROR', `${fn}: could not read ${archive} (${(err as Error).message}).`, { cause: err });
  }
  if (refused !== null) throw new ColorizeError('UNSUPPORTED', `${fn}: refused ${archive}: ${refused}; nothing was extracted.`);
  const temp = `${folder}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(temp, { recursive: true });
  try {
    await extract({ file: archive, cwd: temp, strict: true, filter: (path, entry) => unsafeEntry(path, (entry as { type: string }).type) === null && (path.endsWith('/') || filter(path)) });
    await rm(folder, { recursive: true, force: true });
    await rename(temp, folder);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw new ColorizeError('IO_ERROR', `${fn}: could not extract ${archive} (${(err as Error).message}).`, { cause: err });
  }
}

/**
 * Oxford Flowers102 (8,189 photos), the seed's dataset: from a local folder or archive, or
 * downloaded once into the cache (progress reported, a broken download resumed, the MD5
 * checked: a mismatching file is deleted, reported and never used), extracted, then split
 * 70 / 15 / 15 (5,732 / 1,228 / 1,229) by a seeded shuffle of the file names, the same on every
 * machine.
 *
 * @throws {@link @colorize/core!ColorizeError} `CHECKSUM_MISMATCH`, `IO_ERROR`, `EMPTY_DATASET`.
 * @example
 * ```ts
 * const train = await flowers102({ size: 128, onProgress: ({ received, total }) => show(received, total) });
 * const validation = await flowers102({ split: 'validation' });
 * ```
 * @group Data
 */
export async function flowers102(options: Flowers102Options = {}): Promise<ImageDataset> {
  const fn = 'flowers102';
  if (typeof options !== 'object' || options === null) throw invalid('INVALID_OPTION', fn, 'an options object', describeValue(options));
  const { root, cacheDir: cacheOption, url = FLOWERS102.url, md5 = FLOWERS102.md5, onProgress, signal, ...datasetOptions } = options;
  // Every option is checked before anything is downloaded or extracted.
  resolveImageDatasetOptions(fn, takeExtraTrainFiles(fn, datasetOptions).rest);
  if (root !== undefined && typeof root !== 'string') throw invalid('INVALID_OPTION', fn, 'root to be a folder or archive path', describeValue(root));
  if (cacheOption !== undefined && typeof cacheOption !== 'string') throw invalid('INVALID_OPTION', fn, 'cacheDir to be a folder path', describeValue(cacheOption));
  if (typeof url !== 'string') throw invalid('INVALID_OPTION', fn, 'url to be a string', describeValue(url));
  if (md5 !== null && !(typeof md5 === 'string' && /^[0-9a-f]{32}$/i.test(md5))) throw invalid('INVALID_OPTION', fn, 'md5 as 32 hexadecimal digits, or null to skip the check', describeValue(md5));
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('INVALID_OPTION', fn, 'onProgress to be a function', describeValue(onProgress));
  let folder: string;
  if (root !== undefined) {
    const info = await stat(root).catch(() => undefined);
    if (info === undefined) throw new ColorizeError('IO_ERROR', `${fn}: root ${root} does not exist.`);
    if (info.isDirectory()) {
      folder = resolve(root);
    } else {
      if (md5 !== null) {
        const actual = await md5File(root);
        if (actual !== md5) throw new ColorizeError('CHECKSUM_MISMATCH', `${fn}: ${root} has MD5 ${actual}, expected ${md5}; it was not used.`);
      }
      folder = join(cacheDir(cacheOption), `flowers102-${(md5 ?? 'unchecked').slice(0, 8)}`);
      if (!existsSync(join(folder, 'jpg'))) {
        await mkdir(cacheDir(cacheOption), { recursive: true });
        await extractArchive(fn, root, folder, isFlowersEntry);
      }
    }
  } else {
    const cache = cacheDir(cacheOption);
    folder = join(cache, `flowers102-${(md5 ?? 'unchecked').slice(0, 8)}`);
    if (!existsSync(join(folder, 'jpg'))) {
      await mkdir(cache, { recursive: true });
      const archive = join(cache, '102flowers.tgz');
      if (!existsSync(archive)) await download(fn, url, archive, md5, { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
      await extractArchive(fn, archive, folder, isFlowersEntry);
    }
  }
  const names = (await listImages(fn, folder)).filter((n) => /^jpg[\\/]image_\d+\.jpg$/.test(n));
  return imageDataset(fn, folder, names, datasetOptions);
}

/** Options of {@link imageArchive}. @group Data */
export interface ImageArchiveOptions extends LocalImageDatasetOptions {
  /** A `.tar`, `.tgz` or `.tar.gz` of photos (JPEG, PNG, WebP, in any folders). Required. */
  archive: string;
  /** Where it is extracted once. Defaults to `COLORIZE_CACHE`, then the platform's cache folder. */
  cacheDir?: string;
}

/**
 * Every photo in a tar archive as a dataset: extracted once into the cache (keyed by the
 * archive's MD5, atomically), then read as {@link imageFolder} reads a folder.
 *
 * @group Data
 */
export async function imageArchive(options: ImageArchiveOptions): Promise<ImageDataset> {
  const fn = 'imageArchive';
  if (typeof options !== 'object' || options === null || typeof options.archive !== 'string') {
    throw invalid('INVALID_OPTION', fn, 'options with archive, a .tar or .tgz path', describeValue(options?.archive ?? options));
  }
  const { archive, cacheDir: cacheOption, ...datasetOptions } = options;
  resolveImageDatasetOptions(fn, takeExtraTrainFiles(fn, datasetOptions).rest);
  if (!(await stat(archive).catch(() => undefined))?.isFile()) throw new ColorizeError('IO_ERROR', `${fn}: ${archive} is not a file.`);
  const folder = join(cacheDir(cacheOption), `archive-${(await md5File(archive)).slice(0, 12)}`);
  if (!existsSync(folder)) {
    await mkdir(cacheDir(cacheOption), { recursive: true });
    await extractArchive(fn, archive, folder, (path) => IMAGE_EXTENSIONS.some((x) => path.toLowerCase().endsWith(x)));
  }
  return imageDataset(fn, folder, await listImages(fn, folder), datasetOptions);
}
