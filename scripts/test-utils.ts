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
