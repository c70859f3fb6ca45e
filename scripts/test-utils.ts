import type * as tf from '@tensorflow/tfjs-core';

import { ColorizeError } from '../packages/core/src/errors.js';

/** Awaits a promise that must reject with a ColorizeError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<ColorizeError> {
  try {
    await p;
  } catch (err) {
    if (ColorizeError.isInstance(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** max |a − b| / max |b|: the error of `a` relative to the size of the reference `b`. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i += 1) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    ref = Math.max(ref, Math.abs(b[i]!));
  }
  return diff / ref;
}

/** Writes the 8-bit colours start, start + 1, … (as 0xRRGGBB) into `bytes` as RGB, one per 3 bytes. */
export function fillRgb8Colours(bytes: Uint8Array, start: number): void {
  for (let p = 0; p < bytes.length / 3; p += 1) {
    const c = start + p;
    bytes[3 * p] = c >>> 16;
    bytes[3 * p + 1] = (c >>> 8) & 255;
    bytes[3 * p + 2] = c & 255;
  }
}

/**
 * Every pair of pixels a stride-1 conv joins (NHWC, an r × r filter, no dilation), for float64
 * references: `visit(xPixel, yPixel, tap)` for each output pixel (n, i, j), each tap (ky, kx)
 * and the input pixel (n, i + ky − top, j + kx − left) where it lies inside the image; pixels
 * numbered image by image, row by row, taps ky · r + kx. The taps of one output pixel come in order.
 */
export function forEachConvTap(info: tf.backend_util.Conv2DInfo, visit: (xPixel: number, yPixel: number, tap: number) => void): void {
  const { batchSize: b, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: r } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < b; n += 1) {
    for (let i = 0; i < oh; i += 1) {
      for (let j = 0; j < ow; j += 1) {
        for (let ky = 0; ky < r; ky += 1) {
          const iy = i + ky - top;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < r; kx += 1) {
            const ix = j + kx - left;
            if (ix >= 0 && ix < w) visit((n * h + iy) * w + ix, (n * oh + i) * ow + j, ky * r + kx);
          }
        }
      }
    }
  }
}
