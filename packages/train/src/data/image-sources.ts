import { describeValue, invalid } from '@colorize/core';

import type { SeededRandom } from '../random.js';
import { createImageDataset, randomCropBox, SkipImage } from './image-dataset.js';
import type { DecodeOptions, ImageDataset, ImageDatasetOptions } from './image-dataset.js';
import { splitFiles } from './split.js';

/** An image for {@link imageSources}: a URL (fetched), or a `Blob` / `File` (a file input, a drop). @group Data */
export type ImageSource = string | Blob;

/** Options of {@link imageSources}. @group Data */
export interface ImageSourcesOptions extends ImageDatasetOptions {
  /** The images. Required. */
  sources: readonly ImageSource[];
}

async function bitmapOf(source: ImageSource): Promise<ImageBitmap> {
  let blob: Blob;
  try {
    blob = typeof source === 'string' ? await (await fetch(source)).blob() : source;
  } catch (err) {
    throw new SkipImage(`cannot be fetched (${(err as Error).message})`);
  }
  try {
    return await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
  } catch (err) {
    throw new SkipImage(`not a readable image (${(err as Error).message})`);
  }
}

/** The browser's decoder: createImageBitmap (EXIF orientation applied) and an OffscreenCanvas, alpha composited on white. */
const browserDecoder = {
  async probe(source: ImageSource, maxPixels: number): Promise<{ width: number; height: number }> {
    const bitmap = await bitmapOf(source);
    const { width, height } = bitmap;
    bitmap.close();
    if (width * height > maxPixels) throw new SkipImage(`${width}×${height} is more than ${maxPixels} pixels`);
    return { width, height };
  },
  async decode(source: ImageSource, o: DecodeOptions, random: SeededRandom | null): Promise<Uint8Array> {
    const bitmap = await bitmapOf(source);
    try {
      const { width, height } = bitmap;
      let box = { sx: 0, sy: 0, sw: width, sh: height };
      if (o.randomCrop && random) {
        const { left, top, side } = randomCropBox(width, height, o.randomCrop, random);
        box = { sx: left, sy: top, sw: side, sh: side };
      } else if (o.fit === 'crop') {
        const side = Math.min(width, height);
        box = { sx: Math.floor((width - side) / 2), sy: Math.floor((height - side) / 2), sw: side, sh: side };
      }
      const canvas = new OffscreenCanvas(o.size, o.size);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, o.size, o.size);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, box.sx, box.sy, box.sw, box.sh, 0, 0, o.size, o.size);
      const rgba = ctx.getImageData(0, 0, o.size, o.size).data;
      const rgb = new Uint8Array(o.size * o.size * 3);
      for (let p = 0; p < o.size * o.size; p++) {
        rgb[3 * p] = rgba[4 * p]!;
        rgb[3 * p + 1] = rgba[4 * p + 1]!;
        rgb[3 * p + 2] = rgba[4 * p + 2]!;
      }
      return rgb;
    } finally {
      bitmap.close();
    }
  },
};

/**
 * Images in the browser (URLs, files from an input or a drop) as a training dataset, with the
 * same options, split, transforms and batches as `imageFolder` in Node; decoded with
 * `createImageBitmap` and an `OffscreenCanvas` ahead of the trainer.
 *
 * @throws {@link @colorize/core!ColorizeError} `EMPTY_DATASET` when no image is usable.
 * @example
 * ```ts
 * const files = [...input.files!];
 * const train = await imageSources({ sources: files, size: 128 });
 * ```
 * @group Data
 */
export async function imageSources(options: ImageSourcesOptions): Promise<ImageDataset> {
  const fn = 'imageSources';
  if (typeof options !== 'object' || options === null || !Array.isArray(options.sources)) {
    throw invalid('INVALID_OPTION', fn, 'options with sources, an array of URLs or Blobs', describeValue(options?.sources ?? options));
  }
  const { sources, ...rest } = options;
  const named = sources.map((source, i) => ({
    name: typeof source === 'string' ? source : (source as Partial<File>).name ?? `blob-${String(i).padStart(6, '0')}`,
    source,
  }));
  const byName = new Map(named.map((s) => [s.name, s]));
  const split = splitFiles([...byName.keys()], rest.split ?? 'train', rest.seed ?? 0, 'imageSources').map((n) => byName.get(n)!);
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 4;
  return createImageDataset(fn, 'the given sources', split, browserDecoder, rest, cores);
}
