import { assertOptions, describeValue, invalid } from '@colorize/core';
import type { ColorHint } from '@colorize/models';

import { deriveSeed, SeededRandom } from './random.js';

/** Options of {@link revealHints}. @group Hints */
export interface RevealHintsOptions {
  /** Seed of the points. Defaults to 0; {@link hintSeed} makes one from a file name and the count. */
  seed?: number;
  /** Side of the square whose mean sRGB is a hint's colour, odd. Defaults to 5. */
  patch?: number;
  /** Each hint's `radius` in pixels. Defaults to 2 (the hint file format's default). */
  radius?: number;
}

/**
 * A seed for {@link revealHints} from a photo's file name and the number of hints, so that an
 * evaluation reveals the same points on every machine and run (FNV-1a of the name's UTF-16 code
 * units, then mixed with the count).
 * @group Hints
 */
export function hintSeed(name: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return deriveSeed(h, count);
}

/**
 * Reveals `count` colour hints of a real photo, as an evaluation of a hint model does (and as a
 * user who knows the colours would give them): points uniform over the photo, each coloured by
 * the photo's mean sRGB over the `patch × patch` square around it (clipped at the borders).
 *
 * @param image - 8-bit sRGB, 3 bytes per pixel, row-major.
 * @returns `count` hints in the photo's pixels, colours as `[r, g, b]` in [0, 255] (not rounded).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a bad count or option, `INVALID_SHAPE` for a bad image.
 * @example
 * ```ts
 * const hints = revealHints(photo, 10, { seed: hintSeed('dog.jpg', 10) });
 * const out = await colorizeImage(generator, grey, { hints });
 * ```
 * @group Hints
 */
export function revealHints(image: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }, count: number, options?: RevealHintsOptions): ColorHint[] {
  const fn = 'revealHints';
  const o = assertOptions(fn, options, ['seed', 'patch', 'radius']);
  const { width, height, data } = image ?? ({} as typeof image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== width * height * 3) {
    throw invalid('INVALID_SHAPE', fn, 'an image { width, height, data: 8-bit RGB bytes }', describeValue(image));
  }
  if (!Number.isInteger(count) || count < 0) throw invalid('INVALID_OPTION', fn, 'count to be an integer ≥ 0', describeValue(count));
  const patch = o.patch ?? 5;
  if (!Number.isInteger(patch) || patch < 1 || patch % 2 === 0) throw invalid('INVALID_OPTION', fn, 'patch to be an odd integer ≥ 1', describeValue(patch));
  const radius = o.radius ?? 2;
  if (typeof radius !== 'number' || !(radius > 0)) throw invalid('INVALID_OPTION', fn, 'radius > 0', describeValue(radius));
  const random = new SeededRandom(o.seed ?? 0);
  const half = (patch - 1) / 2;
  const hints: ColorHint[] = [];
  for (let k = 0; k < count; k += 1) {
    const x = random.int(width);
    const y = random.int(height);
    const sum = [0, 0, 0];
    let n = 0;
    for (let yy = Math.max(0, y - half); yy <= Math.min(height - 1, y + half); yy += 1) {
      for (let xx = Math.max(0, x - half); xx <= Math.min(width - 1, x + half); xx += 1) {
        for (let c = 0; c < 3; c += 1) sum[c] = sum[c]! + data[(yy * width + xx) * 3 + c]!;
        n += 1;
      }
    }
    hints.push({ x, y, color: [sum[0]! / n, sum[1]! / n, sum[2]! / n], radius });
  }
  return hints;
}
