import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, ColorizeError, describeValue, invalid } from '@colorize/core';
import { rgb8ToModelLab } from '@colorize/lab';

import type { LabBatch, LabDataset } from '../lab-batch.js';
import { intOption } from '../options.js';
import { deriveSeed, SeededRandom } from '../random.js';
import type { Split } from './split.js';

/** Options shared by every image dataset (`imageFolder`, `demoPhotos`, `flowers102`, {@link imageSources}). @group Data */
export interface ImageDatasetOptions {
  /** Which part of the seed's 70 / 15 / 15 split. Defaults to `'train'`. */
  split?: Split;
  /** Seed of the split, the shuffles and the augmentation. Defaults to 0. */
  seed?: number;
  /** Side of the square training images, in pixels. Defaults to 128 (the seed's; 256 is supported). */
  size?: number;
  /** Images per batch; the last batch of an epoch may be smaller. Defaults to 16. */
  batchSize?: number;
  /** `'crop'`: short side to `size`, centre crop; `'fill'`: stretch to a square. Defaults to `'crop'`. */
  fit?: 'crop' | 'fill';
  /** Shuffle each epoch. Defaults to true for `'train'`, false otherwise. */
  shuffle?: boolean;
  /** Random horizontal flips with p = 0.5 (the seed's). Defaults to true for `'train'`, false otherwise. */
  flip?: boolean;
  /**
   * Random resized crops: `[min, max]` fractions of the short side (e.g. `[0.5, 1]`), replacing the
   * fixed centre crop. Defaults to none.
   */
  randomCrop?: readonly [number, number] | null;
  /** Batches decoded ahead of the trainer. Defaults to 2. */
  prefetch?: number;
  /** Images decoded at once. Defaults to the number of cores, at most 8. */
  concurrency?: number;
  /** Images whose header claims more pixels are refused without decoding. Defaults to 64 000 000. */
  maxPixels?: number;
  /** Called once for every file that is not used, with its path and why. Defaults to none. */
  onSkip?: (path: string, reason: string) => void;
}

/** An image dataset: a {@link LabDataset} over image files, with the files it uses. @group Data */
export interface ImageDataset extends LabDataset {
  /** The images of this split (paths, or names in the browser), in split order. */
  readonly files: readonly string[];
  /** Files found but not used, with why. */
  readonly skipped: readonly { path: string; reason: string }[];
}

/** How a photo becomes a square training image. */
export interface DecodeOptions {
  /** Output side in pixels. */
  size: number;
  /** `'crop'`: scale the short side to `size` and take the centre; `'fill'`: stretch to a square. */
  fit: 'crop' | 'fill';
  /** Random resized crops: a square crop of this fraction range of the short side. `null` for none. */
  randomCrop: readonly [number, number] | null;
  /** Largest number of pixels a header may claim. */
  maxPixels: number;
}

/** Why an image was not used. */
export class SkipImage extends Error {}

/** Reads images for a dataset: Node's is sharp, the browser's createImageBitmap and OffscreenCanvas. */
export interface ImageDecoder<S> {
  /** The image's oriented size from its header; throws {@link SkipImage} for an unusable one. */
  probe(source: S, maxPixels: number): Promise<{ width: number; height: number }>;
  /** `size × size` 8-bit RGB; throws {@link SkipImage} for an unusable one. */
  decode(source: S, options: DecodeOptions, random: SeededRandom | null): Promise<Uint8Array>;
}

const OPTION_KEYS = ['split', 'seed', 'size', 'batchSize', 'fit', 'shuffle', 'flip', 'randomCrop', 'prefetch', 'concurrency', 'maxPixels', 'onSkip'] as const;


/** The crop box of a random resized crop, in the oriented image. */
export function randomCropBox(width: number, height: number, range: readonly [number, number], random: SeededRandom): { left: number; top: number; side: number } {
  const short = Math.min(width, height);
  const side = Math.max(1, Math.round(short * (range[0] + (range[1] - range[0]) * random.next())));
  const left = Math.floor(random.next() * (width - side + 1));
  const top = Math.floor(random.next() * (height - side + 1));
  return { left, top, side };
}

/**
 * Checks and resolves the options every image dataset shares, before any file is read (so a
 * download or an extraction never starts on options that would then be refused).
 *
 * @param fn - the public function name for messages.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` naming the option and what it accepts.
 */
export function resolveImageDatasetOptions(fn: string, options: ImageDatasetOptions | undefined, defaultConcurrency = 4) {
  const o = assertOptions(fn, options, OPTION_KEYS);
  const split = o.split ?? 'train';
  const seed = intOption(fn, 'seed', o.seed, 0, Number.MIN_SAFE_INTEGER);
  const size = intOption(fn, 'size', o.size, 128, 8);
  const batchSize = intOption(fn, 'batchSize', o.batchSize, 16, 1);
  const prefetch = intOption(fn, 'prefetch', o.prefetch, 2, 1);
  const concurrency = intOption(fn, 'concurrency', o.concurrency, Math.min(8, defaultConcurrency), 1);
  const maxPixels = intOption(fn, 'maxPixels', o.maxPixels, 64_000_000, 1);
  const fit = o.fit ?? 'crop';
  if (fit !== 'crop' && fit !== 'fill') throw invalid('INVALID_OPTION', fn, 'fit "crop" or "fill"', describeValue(fit));
  if (!['train', 'validation', 'test', 'all'].includes(split)) throw invalid('INVALID_OPTION', fn, 'split "train", "validation", "test" or "all"', describeValue(split));
  const training = split === 'train';
  const shuffle = o.shuffle ?? training;
  const flip = o.flip ?? training;
  const crop = o.randomCrop ?? null;
  if (crop !== null && !(Array.isArray(crop) && crop.length === 2 && crop.every((v) => typeof v === 'number' && v > 0 && v <= 1) && crop[0]! <= crop[1]!)) {
    throw invalid('INVALID_OPTION', fn, 'randomCrop as [min, max] with 0 < min ≤ max ≤ 1', describeValue(crop));
  }
  if (o.onSkip !== undefined && typeof o.onSkip !== 'function') throw invalid('INVALID_OPTION', fn, 'onSkip to be a function', describeValue(o.onSkip));
  return { o, split, seed, size, batchSize, prefetch, concurrency, maxPixels, fit, shuffle, flip, crop };
}

/**
 * A dataset over images already split: header checks, decoding ahead of the trainer with
 * bounded concurrency and a bounded prefetch queue, the seed's transforms, and conversion to
 * model-space Lab. Tensors are made only as each batch is handed out.
 *
 * @param fn - the public function name for messages.
 * @param where - what the images are, for messages.
 * @param sources - the split's images, with their names.
 */
export async function createImageDataset<S>(
  fn: string,
  where: string,
  sources: readonly { name: string; source: S }[],
  decoder: ImageDecoder<S>,
  options: ImageDatasetOptions | undefined,
  defaultConcurrency: number,
): Promise<ImageDataset> {
  const { o, split, seed, size, batchSize, prefetch, concurrency, maxPixels, fit, shuffle, flip, crop } = resolveImageDatasetOptions(fn, options, defaultConcurrency);
  const decode: DecodeOptions = { size, fit, randomCrop: crop, maxPixels };

  const skipped: { path: string; reason: string }[] = [];
  const skip = (path: string, reason: string): void => {
    skipped.push({ path, reason });
    o.onSkip?.(path, reason);
  };
  // Check every header once (cheap: no pixels are decoded), in parallel.
  const checks = await mapLimit(sources, concurrency * 4, async ({ source }) => {
    try {
      await decoder.probe(source, maxPixels);
      return null;
    } catch (err) {
      return err instanceof SkipImage ? err.message : `cannot be read (${(err as Error).message})`;
    }
  });
  const usable = sources.filter((s, i) => (checks[i] === null ? true : (skip(s.name, checks[i]!), false)));
  if (usable.length === 0) {
    throw new ColorizeError('EMPTY_DATASET', `${fn}: no usable image in ${where} for split "${split}" (${sources.length} candidate files, ${skipped.length} skipped).`);
  }
  const failed = new Set<string>();
  const batchesPerEpoch = Math.ceil(usable.length / batchSize);
  const pixels = size * size;

  async function loadBatch(epoch: number, indices: readonly number[]): Promise<{ L: Float32Array; ab: Float32Array; n: number }> {
    const images = await mapLimit(indices, concurrency, async (i) => {
      const { name, source } = usable[i]!;
      if (failed.has(name)) return null;
      const random = new SeededRandom(deriveSeed(seed, epoch, i, 2));
      const mirror = flip && random.next() < 0.5;
      try {
        const rgb = await decoder.decode(source, decode, crop ? random : null);
        return mirror ? mirrorRows(rgb, size) : rgb;
      } catch (err) {
        failed.add(name);
        skip(name, err instanceof SkipImage ? err.message : String(err));
        return null;
      }
    });
    const good = images.filter((x): x is Uint8Array => x !== null);
    const L = new Float32Array(good.length * pixels);
    const ab = new Float32Array(good.length * pixels * 2);
    good.forEach((rgb, k) => rgb8ToModelLab(rgb, {}, { L: L.subarray(k * pixels, (k + 1) * pixels), ab: ab.subarray(2 * k * pixels, 2 * (k + 1) * pixels) }));
    return { L, ab, n: good.length };
  }

  return {
    files: usable.map((s) => s.name),
    skipped,
    size: usable.length,
    batchesPerEpoch,
    async *batches(epoch: number, opts?: { from?: number }): AsyncIterable<LabBatch> {
      const order = usable.map((_, i) => i);
      if (shuffle) new SeededRandom(deriveSeed(seed, epoch)).shuffle(order);
      const queue: Promise<{ L: Float32Array; ab: Float32Array; n: number }>[] = [];
      let next = opts?.from ?? 0;
      const fill = (): void => {
        while (queue.length < prefetch && next < batchesPerEpoch) {
          const p = loadBatch(epoch, order.slice(next * batchSize, (next + 1) * batchSize));
          p.catch(() => undefined); // awaited below; do not report it as unhandled meanwhile
          queue.push(p);
          next += 1;
        }
      };
      fill();
      while (queue.length > 0) {
        const { L, ab, n } = await queue.shift()!;
        fill();
        if (n === 0) continue;
        yield { L: tf.tensor4d(L, [n, size, size, 1]), ab: tf.tensor4d(ab, [n, size, size, 2]) };
      }
    },
  };
}

/** Mirrors an RGB image left–right. */
function mirrorRows(rgb: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < size; y++) {
    const row = y * size * 3;
    for (let x = 0; x < size; x++) {
      const s = row + x * 3;
      const d = row + (size - 1 - x) * 3;
      out[d] = rgb[s]!;
      out[d + 1] = rgb[s + 1]!;
      out[d + 2] = rgb[s + 2]!;
    }
  }
  return out;
}

/** `Promise.all(items.map(f))` with at most `limit` calls running at once; results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

