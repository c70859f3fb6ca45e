import { ColorizeError } from '@colorize/core';
import { describe, expect, it } from 'vitest';

import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { abGamutBins } from './ab-bins.js';
import { labToRgbPixel } from './pixel.js';

describe('abGamutBins', () => {
  const bins = abGamutBins();
  const has = (a: number, b: number): boolean => {
    for (let q = 0; q < bins.count; q += 1) if (bins.centres[2 * q] === a && bins.centres[2 * q + 1] === b) return true;
    return false;
  };

  it('has 261 bins of side 10, each once, sorted by a then b, on multiples of 10', () => {
    expect(bins.grid).toBe(10);
    expect(bins.count).toBe(261);
    expect(bins.centres).toHaveLength(2 * 261);
    const keys = new Set<string>();
    for (let q = 0; q < bins.count; q += 1) {
      const [a, b] = [bins.centres[2 * q]!, bins.centres[2 * q + 1]!];
      expect(Math.abs(a % 10)).toBe(0);
      expect(Math.abs(b % 10)).toBe(0);
      keys.add(`${a},${b}`);
      if (q > 0) expect(a > bins.centres[2 * q - 2]! || (a === bins.centres[2 * q - 2]! && b > bins.centres[2 * q - 1]!)).toBe(true);
    }
    expect(keys.size).toBe(261);
  });

  it("holds the bin of every one of scikit-image's 1000 reference colours (rgb2lab of 8-bit sRGB)", () => {
    for (const v of vectors.rgb2lab) expect(has(Math.round(v.lab[1]! / 10) * 10, Math.round(v.lab[2]! / 10) * 10), `${v.lab}`).toBe(true);
  });

  it('holds only cells with an in-gamut colour: some L and some ab in each cell give sRGB in [0, 1]', () => {
    for (let q = 0; q < bins.count; q += 1) {
      const [a, b] = [bins.centres[2 * q]!, bins.centres[2 * q + 1]!];
      let inGamut = false;
      for (let i = -5; i <= 5 && !inGamut; i += 1) {
        for (let j = -5; j <= 5 && !inGamut; j += 1) {
          for (let L = 0; L <= 100 && !inGamut; L += 0.5) {
            inGamut = labToRgbPixel([L, a + i * 0.999, b + j * 0.999], { clip: false }).every((c) => c >= -1e-9 && c <= 1 + 1e-9);
          }
        }
      }
      expect(inGamut, `bin (${a}, ${b})`).toBe(true);
    }
  });

  it('has grey, the primaries and their neighbourhoods, and not the far corners', () => {
    expect(has(0, 0)).toBe(true);
    expect(has(80, 70)).toBe(true); // red (80.1, 67.2)
    expect(has(-90, 80)).toBe(true); // green (−86.2, 83.2)
    expect(has(80, -110)).toBe(true); // blue (79.2, −107.9)
    expect(has(100, 100)).toBe(false);
    expect(has(-110, -110)).toBe(false);
  });

  it('other grids: coarser has fewer bins; the same grid is the same (cached) object', () => {
    expect(abGamutBins(20).count).toBeLessThan(261);
    expect(abGamutBins(10)).toBe(bins);
  });

  it('refuses a grid outside [2, 50]', () => {
    for (const grid of [0, 1, 51, Number.NaN, '10']) expect(() => abGamutBins(grid as number)).toThrow(ColorizeError);
    expect(() => abGamutBins(1)).toThrow(/abGamutBins.*grid/);
  });
});
