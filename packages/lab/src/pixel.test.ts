import { describe, expect, it } from 'vitest';

import vectors from './__fixtures__/lab-vectors.json' with { type: 'json' };
import { labToRgbPixel, rgbToLabPixel } from './pixel.js';

/** The bar for the float64 functions: scikit-image's own float64 values to 1e-9. */
const FLOAT64_TOL = 1e-9;

describe('rgbToLabPixel / labToRgbPixel (float64)', () => {
  it('match skimage.color.rgb2lab on all 1000 reference vectors to 1e-9', () => {
    for (const v of vectors.rgb2lab) {
      const lab = rgbToLabPixel([v.rgb[0]! / 255, v.rgb[1]! / 255, v.rgb[2]! / 255]);
      lab.forEach((x, i) => expect(Math.abs(x - v.lab[i]!)).toBeLessThan(FLOAT64_TOL));
    }
  });

  it('match skimage.color.lab2rgb on all 500 reference vectors to 1e-9, including z < 0 clamping and clipping', () => {
    let clamped = 0;
    let clipped = 0;
    for (const v of vectors.lab2rgb) {
      const rgb = labToRgbPixel(v.lab as [number, number, number]);
      rgb.forEach((x, i) => expect(Math.abs(x - v.rgb[i]!)).toBeLessThan(FLOAT64_TOL));
      if (v.z_clamped) clamped += 1;
      if (!v.in_gamut) clipped += 1;
    }
    expect(clamped).toBeGreaterThan(0); // the fixture exercises both behaviours
    expect(clipped).toBeGreaterThan(0);
  });

  it('maps white to scikit-image\'s (100, −0.00245, 0.00465), not (100, 0, 0), and black to 0', () => {
    const [L, a, b] = rgbToLabPixel([1, 1, 1]);
    expect(L).toBeCloseTo(100, 12);
    expect(a).toBeCloseTo(-0.0024549378620508655, 12);
    expect(b).toBeCloseTo(0.004653421154054982, 12);
    expect(rgbToLabPixel([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('leaves out-of-gamut values unclipped when asked', () => {
    const out = labToRgbPixel([50, 120, -120], { clip: false });
    expect(Math.max(...out)).toBeGreaterThan(1);
    expect(labToRgbPixel([50, 120, -120]).every((c) => c >= 0 && c <= 1)).toBe(true);
  });

  it('rejects anything but three finite numbers', () => {
    expect(() => rgbToLabPixel([1, 2] as never)).toThrow('rgbToLabPixel: expected an sRGB colour as three finite numbers, got [1, 2].');
    expect(() => labToRgbPixel([50, Number.NaN, 0])).toThrow(/labToRgbPixel: expected a CIELAB colour as three finite numbers, got \[50, NaN, 0\]/);
  });
});
