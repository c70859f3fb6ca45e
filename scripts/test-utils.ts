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
