import sharp from 'sharp';
import type { Metadata } from 'sharp';

import type { SeededRandom } from '../random.js';
import { randomCropBox, SkipImage } from './image-dataset.js';
import type { DecodeOptions } from './image-dataset.js';

/** The oriented size of an image, from its header (EXIF orientations 5–8 swap width and height). */
export async function probe(input: string | Buffer, maxPixels: number): Promise<{ width: number; height: number }> {
  let meta: Metadata;
  try {
    // Only the header is read here, so no pixel limit is needed for it; the check below says why.
    meta = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (err) {
    throw new SkipImage(`not a readable image (${(err as Error).message})`);
  }
  const { width, height, orientation } = meta;
  if (!width || !height) throw new SkipImage('the header gives no size');
  if (width * height > maxPixels) throw new SkipImage(`${width}×${height} is more than ${maxPixels} pixels`);
  return (orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * Decodes a photo to `size × size` 8-bit sRGB: EXIF rotation applied, alpha composited on white,
 * grey, CMYK and 16-bit images converted, then cropped and resized (Lanczos).
 */
export async function decodeSquare(input: string | Buffer, o: DecodeOptions, random: SeededRandom | null): Promise<Uint8Array> {
  try {
    let image = sharp(input, { limitInputPixels: o.maxPixels, failOn: 'truncated' }).rotate();
    if (o.randomCrop && random) {
      const { width, height } = await probe(input, o.maxPixels);
      const { left, top, side } = randomCropBox(width, height, o.randomCrop, random);
      image = image.extract({ left, top, width: side, height: side }).resize(o.size, o.size, { fit: 'fill' });
    } else {
      image = image.resize(o.size, o.size, { fit: o.fit === 'crop' ? 'cover' : 'fill', position: 'centre' });
    }
    const { data, info } = await image
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== o.size || info.height !== o.size) {
      throw new SkipImage(`decoded to ${info.width}×${info.height}×${info.channels}, not ${o.size}×${o.size}×3`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    if (err instanceof SkipImage) throw err;
    throw new SkipImage(`cannot be decoded (${(err as Error).message})`);
  }
}
