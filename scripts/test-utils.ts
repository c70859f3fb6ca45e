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
