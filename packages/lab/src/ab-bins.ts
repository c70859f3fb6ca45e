import { describeValue, invalid } from '@colorize/core';

import { rgbToLabPixel } from './pixel.js';

/**
 * The quantised ab plane of a colour-classification model (Zhang et al. 2016, "Colorful Image
 * Colorization", arXiv:1603.08511): the square cells of side `grid` centred on multiples of
 * `grid` that some sRGB colour falls in.
 */
export interface AbBins {
  /** The side of a cell in ab units. */
  readonly grid: number;
  /** The number of bins, Q (261 for grid 10). */
  readonly count: number;
  /** The bin centres in ab units, `[Q · 2]` as `a0, b0, a1, b1, …`, sorted by a, then b. */
  readonly centres: Float32Array;
}

const cache = new Map<number, AbBins>();

/**
 * The in-gamut ab bins at a grid spacing: every cell `[a − grid/2, a + grid/2) × [b − grid/2, b + grid/2)`
 * (a, b multiples of `grid`) that holds the ab of at least one 8-bit sRGB colour, at any L.
 *
 * The gamut's ab projection is that of the sRGB cube's surface (each ab line through the solid
 * leaves it there), so the surface's 6 · 256² colours are enough: the result is exact for 8-bit
 * sRGB. Zhang et al. used 313 bins found empirically on ImageNet; this is the same quantisation
 * derived from the colour space instead of a dataset, and needs no data file.
 *
 * @param grid - cell side in ab units, in [2, 50]. Defaults to 10 (Zhang et al.'s; 261 bins).
 * @returns the bins; computed once per grid (about 0.1 s) and cached.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for a grid outside [2, 50].
 * @example
 * ```ts
 * const bins = abGamutBins();   // bins.count === 261; bins.centres[0..1] is the first (a, b)
 * ```
 */
export function abGamutBins(grid = 10): AbBins {
  if (typeof grid !== 'number' || !Number.isFinite(grid) || grid < 2 || grid > 50) {
    throw invalid('INVALID_OPTION', 'abGamutBins', 'grid to be a number in [2, 50] (ab units)', describeValue(grid));
  }
  const hit = cache.get(grid);
  if (hit) return hit;
  const cells = new Map<string, [number, number]>();
  const rgb: [number, number, number] = [0, 0, 0];
  for (let face = 0; face < 6; face += 1) {
    const axis = face % 3;
    for (let i = 0; i < 256; i += 1) {
      for (let j = 0; j < 256; j += 1) {
        rgb[axis] = face < 3 ? 0 : 1;
        rgb[(axis + 1) % 3] = i / 255;
        rgb[(axis + 2) % 3] = j / 255;
        const [, a, b] = rgbToLabPixel(rgb);
        const ca = Math.round(a / grid);
        const cb = Math.round(b / grid);
        cells.set(`${ca},${cb}`, [ca * grid + 0, cb * grid + 0]); // + 0: no −0
      }
    }
  }
  const sorted = [...cells.values()].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const bins: AbBins = { grid, count: sorted.length, centres: Float32Array.from(sorted.flat()) };
  cache.set(grid, bins);
  return bins;
}
