import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';

import { ColorizeError, writeFileAtomic } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertHints, colorizeImage } from '@colorize/models';
import type { AbPredictor, ColorHint } from '@colorize/models';
import { IMAGE_EXTENSIONS } from '@colorize/train';
import sharp from 'sharp';

/** Largest image the command decodes (pixels). */
const MAX_PIXELS = 100_000_000;

/** Largest hint file read (bytes): thousands of hints, far more than anyone clicks. */
const MAX_HINT_FILE_BYTES = 1_000_000;

/** An image file to colorize, where its result goes, and its hint file if it has one. */
export interface ImageJob {
  input: string;
  output: string;
  /** A JSON file of colour hints for this photo (`--hints`, or its `<name>.hints.json` sidecar). */
  hints?: string;
}

/** The sidecar hint file of a photo: `<name>.hints.json` beside `<name>.jpg`. */
export function sidecarOf(photo: string): string {
  return join(dirname(photo), `${basename(photo, extname(photo))}.hints.json`);
}

const isFile = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isFile() ?? false;

/**
 * Reads and checks a hint file against its photo: a JSON array of `{ x, y, color, radius? }`.
 * Any fault is one line naming the file and the entry.
 */
export async function readHints(path: string, photo: { width: number; height: number }): Promise<readonly ColorHint[]> {
  const info = await stat(path).catch((err: Error) => {
    throw new ColorizeError('IO_ERROR', `${path}: cannot read the hint file (${err.message.split('\n')[0]})`, { cause: err });
  });
  if (!info.isFile()) throw new ColorizeError('IO_ERROR', `${path}: the hint file is not a regular file`);
  if (info.size > MAX_HINT_FILE_BYTES) throw new ColorizeError('IO_ERROR', `${path}: the hint file is ${info.size} bytes, more than the ${MAX_HINT_FILE_BYTES} a hint file may be`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ColorizeError('INVALID_OPTION', `${path}: not a valid hint file (${(err as Error).message}); expected a JSON array of { "x": 120, "y": 45, "color": "#a03020" }`, { cause: err });
  }
  try {
    return assertHints(path, value, photo.width, photo.height);
  } catch (err) {
    // The library's message names the entry ("hints[2].x"); the file's name leads it.
    throw new ColorizeError('INVALID_OPTION', (err as Error).message.replace(/hints\[(\d+)\]/g, 'entry $1'), { cause: err });
  }
}

/**
 * Expands files and folders into image jobs; a missing path is an error of its own. Photos are
 * never overwritten: a job whose output would be one of the inputs, or another job's output, is
 * an error of its own, and folders are read without the output folder (a second run does not
 * colorize the first one's results).
 */
export async function collectImages(inputs: readonly string[], outDir: string, hintFile?: string): Promise<{ jobs: ImageJob[]; errors: string[] }> {
  const found: ImageJob[] = [];
  const errors: string[] = [];
  const out = resolve(outDir);
  const inside = (path: string): boolean => path === out || path.startsWith(out + sep);
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info === undefined) {
      errors.push(`${input}: no such file or folder`);
    } else if (info.isDirectory()) {
      const root = resolve(input);
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        if (!e.isFile() || !IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase() as (typeof IMAGE_EXTENSIONS)[number])) continue;
        const full = join(e.parentPath, e.name);
        if (inside(resolve(full)) && !inside(root)) continue; // an earlier run's output
        const sidecar = sidecarOf(full);
        found.push({ input: full, output: join(outDir, relative(resolve(root, '..'), full)), ...((await isFile(sidecar)) ? { hints: sidecar } : {}) });
      }
    } else if (!info.isFile()) {
      errors.push(`${input}: not a regular file (a FIFO, socket or device is never read)`);
    } else {
      const sidecar = sidecarOf(input);
      found.push({ input, output: join(outDir, resolve(input).split(/[\\/]/).pop()!), ...((await isFile(sidecar)) ? { hints: sidecar } : {}) });
    }
  }
  const inputPaths = new Set(found.map((j) => resolve(j.input)));
  const outputs = new Map<string, string>();
  const jobs: ImageJob[] = [];
  for (const job of found) {
    const target = resolve(job.output);
    const taken = outputs.get(target);
    if (inputPaths.has(target)) {
      errors.push(`${job.input}: its output ${job.output} would overwrite ${target === resolve(job.input) ? 'the photo itself' : 'another photo given'}; choose another output folder (-o)`);
    } else if (taken !== undefined) {
      errors.push(`${job.input}: its output ${job.output} is also ${taken}'s; colorize photos of the same name into separate output folders`);
    } else {
      outputs.set(target, job.input);
      jobs.push(job);
    }
  }
  if (hintFile !== undefined) for (const job of jobs) job.hints = hintFile;
  return { jobs, errors };
}

/** An 8-bit sRGB photo at full resolution, with its alpha when it has one. */
export interface Photo {
  width: number;
  height: number;
  rgb: Uint8Array;
  alpha: Uint8Array | null;
}

/** Decodes any JPEG, PNG or WebP (grey, RGB, RGBA, CMYK, 16-bit; EXIF-rotated) to 8-bit sRGB. */
export async function readPhoto(path: string): Promise<Photo> {
  try {
    const image = sharp(path, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' }).rotate();
    // In sRGB an image with alpha has 4 channels (grey and alpha becomes RGBA).
    const { data, info } = await image.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels === 3) return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), alpha: null };
    const n = info.width * info.height;
    const rgb = new Uint8Array(n * 3);
    const alpha = info.channels === 4 ? new Uint8Array(n) : null;
    for (let p = 0; p < n; p++) {
      const s = p * info.channels;
      if (info.channels >= 3) {
        rgb[3 * p] = data[s]!;
        rgb[3 * p + 1] = data[s + 1]!;
        rgb[3 * p + 2] = data[s + 2]!;
      } else {
        rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = data[s]!;
      }
      if (alpha) alpha[p] = data[s + 3]!;
    }
    return { width: info.width, height: info.height, rgb, alpha };
  } catch (err) {
    throw new ColorizeError('IO_ERROR', `${path}: not a readable image (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
}

/** Colorizes a photo at full resolution with `colorizeImage` (the model's ab joined with the photo's own L). */
export async function colorizePhoto(photo: Photo, generator: tfl.LayersModel | AbPredictor, renderSize: number, multiple: number, hints?: readonly ColorHint[]): Promise<Uint8Array> {
  // In place: the decoded bytes are the command's own, and a photo's copy less is less memory traffic per worker.
  const options = { renderSize, multiple, inPlace: true, ...(hints && hints.length > 0 ? { hints } : {}) };
  try {
    return (await colorizeImage(generator, { width: photo.width, height: photo.height, data: photo.rgb }, options)).data as Uint8Array;
  } catch (err) {
    if (ColorizeError.isInstance(err) && /a hint model/.test(err.message)) {
      throw new ColorizeError('INVALID_OPTION', 'hints need a hint model (one trained with colorize train --hints, or the shipped one); this model colorizes from L alone', { cause: err });
    }
    throw err;
  }
}

/** Reads a job's photo and its hints, if it has a hint file. */
export async function readJob(job: ImageJob): Promise<{ photo: Photo; hints: readonly ColorHint[] | undefined }> {
  const photo = await readPhoto(job.input);
  return { photo, hints: job.hints === undefined ? undefined : await readHints(job.hints, photo) };
}

/** Reads, colorizes and writes one photo, making the output's folder. */
export async function colorizeFile(job: ImageJob, engine: { generator: tfl.LayersModel | AbPredictor; multiple: number }, renderSize: number): Promise<void> {
  const { photo, hints } = await readJob(job);
  const rgb = await colorizePhoto(photo, engine.generator, renderSize, engine.multiple, hints);
  await savePhoto(job.output, photo, rgb);
}

/** Writes a colorized photo with `writePhoto`, making its folder first. */
export async function savePhoto(path: string, photo: Photo, rgb: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writePhoto(path, photo, rgb);
}

/** Writes RGB (and alpha) in the format the path's extension names. */
export async function writePhoto(path: string, photo: Photo, rgb: Uint8Array): Promise<void> {
  const { width, height, alpha } = photo;
  let data: Uint8Array = rgb;
  if (alpha) {
    data = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      data[4 * p] = rgb[3 * p]!;
      data[4 * p + 1] = rgb[3 * p + 1]!;
      data[4 * p + 2] = rgb[3 * p + 2]!;
      data[4 * p + 3] = alpha[p]!;
    }
  }
  const image = sharp(data, { raw: { width, height, channels: alpha ? 4 : 3 } });
  const ext = extname(path).toLowerCase();
  const encoded = ext === '.png' ? image.png() : ext === '.webp' ? image.webp({ quality: 95 }) : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
  // Encoded in memory, then written beside the target and renamed over it: a full disk or a
  // kill leaves the old file (or none), never a truncated one.
  await writeFileAtomic(path, await encoded.toBuffer());
}
