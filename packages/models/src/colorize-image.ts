import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertOptions, describeValue, invalid } from '@colorize/core';
import { modelLabToRgb8, rgb8ToModelLab } from '@colorize/lab';

/** An 8-bit sRGB image, row-major, 3 (RGB) or 4 (RGBA) bytes per pixel; `ImageData` is one. @group Inference */
export interface Rgb8Image {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Options of {@link colorizeImage}. @group Inference */
export interface ColorizeImageOptions {
  /**
   * Side of the square the generator runs at, rounded to a multiple of `multiple`. Defaults to
   * the size in the model's metadata (`colorize.size`, written by `colorize train`), else 256.
   */
  renderSize?: number;
  /** The multiple the generator's input sides must be (2^depth). Defaults to 16. */
  multiple?: number;
  /** Bytes per pixel of `data`: 3 or 4 (alpha is copied to the output). Defaults to `data.length / (width · height)`. */
  channels?: 3 | 4;
}

/**
 * Colorizes a photo at full resolution: the generator predicts a and b from L at the render
 * size; they are resized back (bilinear) and joined with the photo's own full-resolution L, so
 * every detail of the original stays and the output's L is the input's (up to 8-bit rounding).
 * This is the approach of Zhang et al. 2016 and DeOldify's render factor.
 *
 * @param generator - L `[1, s, s, 1]` → ab `[1, s, s, 2]` in model space, e.g. `buildUNet()` trained.
 * @param image - the photo; its colours are ignored, only its L is used.
 * @returns the colorized photo, same size and channel count (alpha copied). Asynchronous: the
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
export async function colorizeImage(generator: tfl.LayersModel, image: Rgb8Image, options?: ColorizeImageOptions): Promise<Rgb8Image> {
  const fn = 'colorizeImage';
  const o = assertOptions(fn, options, ['renderSize', 'multiple', 'channels']);
  const { width, height, data } = image ?? ({} as Rgb8Image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw invalid('INVALID_SHAPE', fn, 'an image { width, height, data: 8-bit RGB or RGBA bytes }', describeValue(image));
  }
  const channels = o.channels ?? data.length / (width * height);
  if ((channels !== 3 && channels !== 4) || data.length !== width * height * channels) {
    throw invalid('INVALID_SHAPE', fn, `${width}×${height}×3 or ×4 bytes`, `${data.length} bytes`);
  }
  const multiple = o.multiple ?? 16;
  const meta = (generator.getUserDefinedMetadata() as { colorize?: { size?: number } } | undefined)?.colorize;
  const renderSize = o.renderSize ?? meta?.size ?? 256;
  if (!Number.isInteger(multiple) || multiple < 1) throw invalid('INVALID_OPTION', fn, 'multiple to be an integer ≥ 1', describeValue(multiple));
  if (!(renderSize > 0)) throw invalid('INVALID_OPTION', fn, 'renderSize to be > 0', describeValue(renderSize));
  const side = Math.max(multiple, Math.round(renderSize / multiple) * multiple);
  const { L } = rgb8ToModelLab(data, { channels: channels as 3 | 4 });
  const ab = tf.tidy(() => {
    const full = tf.tensor4d(L, [1, height, width, 1]);
    const small = tf.image.resizeBilinear(full, [side, side], true);
    const pred = generator.predict(small) as tf.Tensor4D;
    return tf.image.resizeBilinear(pred, [height, width], true);
  });
  try {
    // An asynchronous read: webgpu's synchronous one returned zeros here (Chromium, SwiftShader).
    const out = modelLabToRgb8(L, (await ab.data()) as Float32Array, { channels: channels as 3 | 4 });
    if (channels === 4) for (let p = 3; p < out.length; p += 4) out[p] = data[p]!;
    return { width, height, data: out };
  } finally {
    ab.dispose();
  }
}
