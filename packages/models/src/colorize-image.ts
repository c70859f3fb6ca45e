import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, describeValue, invalid } from '@colorize/core';
import { recolorRgb8, rgb8ToModelL } from '@colorize/lab';

import { paintHints, rasterizeHints } from './color-hints.js';
import type { ColorHint } from './color-hints.js';
import { spreadHints } from './spread-hints.js';

/** An 8-bit sRGB image, row-major, 3 (RGB) or 4 (RGBA) bytes per pixel; `ImageData` is one. @group Inference */
export interface Rgb8Image {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * Any engine that maps L to ab in model space, NHWC: given its input `[b, h, w, c]` as a
 * Float32Array and its dims, resolves ab `[b, h, w, 2]`. The input is L (c = 1), or for a hint
 * model `[L, hint a, hint b, mask]` (c = 4, `inChannels: 4`), or those and the hints spread by
 * {@link spreadHints} (c = 6, `inChannels: 6`). {@link colorizeImage} accepts one
 * in place of a tfjs model; `onnxPredictor` from `@colorize/models/onnx` makes one from an
 * onnxruntime session.
 * @group Inference
 */
export interface AbPredictor {
  predictAb(input: Float32Array, dims: readonly [number, number, number, number]): Promise<Float32Array>;
  /** The input's channels: 1 (L), 4 (a hint model) or 6 (a hint model that also sees the spread hints). Defaults to 1. */
  readonly inChannels?: number;
}

/** The input channels of a generator: 1 (L), 4 (L and hints) or 6 (L, hints and the spread hints). */
export function generatorInChannels(generator: tfl.LayersModel | AbPredictor): number {
  if (typeof (generator as Partial<AbPredictor>).predictAb === 'function') return (generator as AbPredictor).inChannels ?? 1;
  return (generator as tfl.LayersModel).inputs?.[0]?.shape[3] ?? 1;
}

/** Options of {@link colorizeImage}. @group Inference */
export interface ColorizeImageOptions {
  /**
   * Side of the square the generator runs at, rounded to a multiple of `multiple`. Defaults to
   * the size in a tfjs model's metadata (`colorize.size`, written by `colorize train`), else 256.
   */
  renderSize?: number;
  /** The multiple the generator's input sides must be (2^depth). Defaults to 16. */
  multiple?: number;
  /** Bytes per pixel of `data`: 3 or 4 (alpha is copied to the output). Defaults to `data.length / (width · height)`. */
  channels?: 3 | 4;
  /**
   * The user's colour hints, in the photo's own pixels, for a hint model (one with 4 or 6 input
   * channels: `colorize train --hints`, `buildUNet({ inChannels: 4 })`). A hint model given none
   * colorizes on its own. Each hint's own square then gets the hint's colour exactly (the
   * photo's L, the hint's a and b), whatever the model made of it. Defaults to none.
   */
  hints?: readonly ColorHint[];
  /**
   * Write the colorized photo into `image.data` itself (its colours replaced, its alpha kept)
   * instead of a new array: one copy of the photo less, for a caller that no longer needs the
   * original. Defaults to false.
   */
  inPlace?: boolean;
}

/**
 * Colorizes a photo at full resolution: the generator predicts a and b from L at the render
 * size (L resized bilinearly, corners aligned); they are resized back (the same way, as each pixel
 * is converted) and joined with the photo's own full-resolution L, so every detail of the
 * original stays and the output's L is the input's (up to 8-bit rounding). No full-size L or ab
 * is made: {@link @colorize/lab!rgb8ToModelL} with `outSize` and {@link @colorize/lab!recolorRgb8} do the work.
 * This is the approach of Zhang et al. 2016 and DeOldify's render factor.
 *
 * @param generator - L `[1, s, s, 1]` → ab `[1, s, s, 2]` in model space: a tfjs model such as
 *   `buildUNet()` trained, or an {@link AbPredictor} (e.g. onnxruntime through `onnxPredictor`).
 * @param image - the photo; its colours are ignored, only its L is used.
 * @returns the colorized photo, same size and channel count (alpha copied); its data is
 *   `image.data` with `inPlace`, else a new `Uint8Array`. Asynchronous: the
 *   result is read back with `data()`, which every backend supports well (webgpu's synchronous
 *   read does not).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` for an image whose data does not match its size.
 * @example
 * ```ts
 * const out = await colorizeImage(generator, ctx.getImageData(0, 0, w, h));
 * ctx.putImageData(new ImageData(new Uint8ClampedArray(out.data), w, h), 0, 0);
 * ```
 * @group Inference
 */
export async function colorizeImage(generator: tfl.LayersModel | AbPredictor, image: Rgb8Image, options?: ColorizeImageOptions): Promise<Rgb8Image> {
  const fn = 'colorizeImage';
  const o = assertOptions(fn, options, ['renderSize', 'multiple', 'channels', 'inPlace', 'hints']);
  const { width, height, data } = image ?? ({} as Rgb8Image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw invalid('INVALID_SHAPE', fn, 'an image { width, height, data: 8-bit RGB or RGBA bytes }', describeValue(image));
  }
  const channels = o.channels ?? data.length / (width * height);
  if ((channels !== 3 && channels !== 4) || data.length !== width * height * channels) {
    throw invalid('INVALID_SHAPE', fn, `${width}×${height}×3 or ×4 bytes`, `${data.length} bytes`);
  }
  const multiple = o.multiple ?? 16;
  const isPredictor = typeof (generator as Partial<AbPredictor> | undefined)?.predictAb === 'function';
  if (!isPredictor && typeof (generator as Partial<tfl.LayersModel> | undefined)?.predict !== 'function') {
    throw invalid('INVALID_OPTION', fn, 'a tfjs layers model or an AbPredictor as the generator', describeValue(generator));
  }
  const meta = isPredictor ? undefined : ((generator as tfl.LayersModel).getUserDefinedMetadata() as { colorize?: { size?: number } } | undefined)?.colorize;
  const renderSize = o.renderSize ?? meta?.size ?? 256;
  if (o.inPlace !== undefined && typeof o.inPlace !== 'boolean') throw invalid('INVALID_OPTION', fn, 'inPlace to be true or false', describeValue(o.inPlace));
  if (!Number.isInteger(multiple) || multiple < 1) throw invalid('INVALID_OPTION', fn, 'multiple to be an integer ≥ 1', describeValue(multiple));
  if (typeof renderSize !== 'number' || !Number.isFinite(renderSize) || !(renderSize > 0)) throw invalid('INVALID_OPTION', fn, 'renderSize to be a finite number > 0', describeValue(renderSize));
  const side = Math.max(multiple, Math.round(renderSize / multiple) * multiple);
  const inChannels = generatorInChannels(generator);
  if (inChannels !== 1 && inChannels !== 4 && inChannels !== 6) {
    throw invalid('INVALID_OPTION', fn, 'a generator with 1 input channel (L), 4 (L and hints) or 6 (L, hints and spread hints)', `${inChannels}`);
  }
  if (o.hints !== undefined && o.hints.length > 0 && inChannels === 1) {
    throw invalid('INVALID_OPTION', fn, 'a hint model (4 or 6 input channels: colorize train --hints) for hints', 'a model of L alone');
  }
  const hintInput = inChannels > 1 ? rasterizeHints(o.hints ?? [], { width, height }, side, fn) : undefined;
  // The model's input: L resized to the render size, made only at the pixels the resize reads.
  const smallL = rgb8ToModelL(data, { channels: channels as 3 | 4, size: [height, width], outSize: [side, side] });
  const input = hintInput === undefined ? smallL : hintModelInput(smallL, hintInput, side, side, inChannels);
  let ab: Float32Array;
  if (isPredictor) {
    ab = await (generator as AbPredictor).predictAb(input, [1, side, side, inChannels]);
    if (!(ab instanceof Float32Array) || ab.length !== side * side * 2) {
      throw invalid('INVALID_SHAPE', fn, `the predictor to give ab as a Float32Array of 1×${side}×${side}×2 values`, describeValue(ab));
    }
  } else {
    const predicted = tf.tidy(() => (generator as tfl.LayersModel).predict(tf.tensor4d(input, [1, side, side, inChannels])) as tf.Tensor4D);
    try {
      const [b, h, w, c] = predicted.shape;
      if (b !== 1 || h !== side || w !== side || c !== 2) {
        throw invalid('INVALID_SHAPE', fn, `the generator to give ab of [1, ${side}, ${side}, 2]`, `[${predicted.shape.join(', ')}]`);
      }
      // An asynchronous read: webgpu's synchronous one returned zeros here (Chromium, SwiftShader).
      ab = (await predicted.data()) as Float32Array;
    } finally {
      predicted.dispose();
    }
  }
  // ab is resized to the photo's size as each pixel is converted, and joined with its own L, a
  // band of rows at a time (alpha copied).
  const out = recolorRgb8(data, ab, { channels: channels as 3 | 4, size: [height, width], abSize: [side, side] }, o.inPlace === true ? data : undefined);
  if (hintInput !== undefined && o.hints !== undefined) paintHints(out, { width, height, channels: channels as 3 | 4 }, o.hints);
  return { width, height, data: out };
}

/**
 * A hint model's input, channels last: `[L, hint a, hint b, mask]` (4 channels), then for a model
 * of 6 the hints spread over the image by {@link spreadHints}.
 *
 * @param L - model-space L, `[height · width]`.
 * @param hints - `[height · width · 3]`, as {@link rasterizeHints} makes them.
 * @param inChannels - the model's input channels: 4 or 6.
 * @returns `[height · width · inChannels]`.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when the arrays do not match the size, `INVALID_OPTION` for other channel counts.
 * @group Hints
 */
export function hintModelInput(L: Float32Array, hints: Float32Array, height: number, width: number, inChannels: number): Float32Array {
  if (inChannels !== 4 && inChannels !== 6) throw invalid('INVALID_OPTION', 'hintModelInput', 'inChannels 4 or 6', describeValue(inChannels));
  const n = height * width;
  if (L.length !== n || hints.length !== n * 3) throw invalid('INVALID_SHAPE', 'hintModelInput', `L of ${n} and hints of ${n * 3} values`, `${L.length} and ${hints.length}`);
  const spread = inChannels === 6 ? spreadHints(L, hints, height, width) : undefined;
  const out = new Float32Array(n * inChannels);
  for (let i = 0; i < n; i += 1) {
    const j = i * inChannels;
    out[j] = L[i]!;
    out[j + 1] = hints[i * 3]!;
    out[j + 2] = hints[i * 3 + 1]!;
    out[j + 3] = hints[i * 3 + 2]!;
    if (spread) {
      out[j + 4] = spread[i * 2]!;
      out[j + 5] = spread[i * 2 + 1]!;
    }
  }
  return out;
}
