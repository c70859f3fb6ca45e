import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';

import { ColorizeError } from '@colorize/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { colorizeImage } from '@colorize/models';
import type { AbPredictor } from '@colorize/models';
import { IMAGE_EXTENSIONS } from '@colorize/train';
import sharp from 'sharp';

/** Largest image the command decodes (pixels). */
const MAX_PIXELS = 100_000_000;

/** An image file to colorize and where its result goes, relative to the output folder. */
export interface ImageJob {
  input: string;
  output: string;
}

/** Expands files and folders into image jobs; a missing path is an error of its own. */
export async function collectImages(inputs: readonly string[], outDir: string): Promise<{ jobs: ImageJob[]; errors: string[] }> {
  const jobs: ImageJob[] = [];
  const errors: string[] = [];
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
        jobs.push({ input: full, output: join(outDir, relative(resolve(root, '..'), full)) });
      }
    } else {
      jobs.push({ input, output: join(outDir, resolve(input).split(/[\\/]/).pop()!) });
    }
  }
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
export async function colorizePhoto(photo: Photo, generator: tfl.LayersModel | AbPredictor, renderSize: number, multiple: number): Promise<Uint8Array> {
  // In place: the decoded bytes are the command's own, and a photo's copy less is less memory traffic per worker.
  return (await colorizeImage(generator, { width: photo.width, height: photo.height, data: photo.rgb }, { renderSize, multiple, inPlace: true })).data as Uint8Array;
}

/** Reads, colorizes and writes one photo, making the output's folder. */
export async function colorizeFile(job: ImageJob, engine: { generator: tfl.LayersModel | AbPredictor; multiple: number }, renderSize: number): Promise<void> {
  const photo = await readPhoto(job.input);
  const rgb = await colorizePhoto(photo, engine.generator, renderSize, engine.multiple);
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
  await encoded.toFile(path);
}
