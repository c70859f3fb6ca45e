import { describe, expect, it } from 'vitest';

import { hintSeed, revealHints } from './reveal-hints.js';

function image(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1)
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      data[i] = x * 4;
      data[i + 1] = y * 4;
      data[i + 2] = 100;
    }
  return { width, height, data };
}

describe('revealHints', () => {
  it('gives count hints inside the photo, each the mean sRGB of the 5×5 patch there, clipped at the borders', () => {
    const photo = image(40, 30);
    const hints = revealHints(photo, 50, { seed: 3 });
    expect(hints).toHaveLength(50);
    for (const h of hints) {
      expect(Number.isInteger(h.x) && h.x >= 0 && h.x < 40).toBe(true);
      expect(Number.isInteger(h.y) && h.y >= 0 && h.y < 30).toBe(true);
      const xs = [-2, -1, 0, 1, 2].map((d) => h.x + d).filter((x) => x >= 0 && x < 40);
      const ys = [-2, -1, 0, 1, 2].map((d) => h.y + d).filter((y) => y >= 0 && y < 30);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      expect(h.color).toEqual([mean(xs) * 4, mean(ys) * 4, 100]);
      expect(h.radius).toBe(2);
    }
  });

  it('is seeded by file name and count, the same on every run', () => {
    const photo = image(40, 30);
    const a = revealHints(photo, 10, { seed: hintSeed('dog.jpg', 10) });
    expect(revealHints(photo, 10, { seed: hintSeed('dog.jpg', 10) })).toEqual(a);
    expect(revealHints(photo, 10, { seed: hintSeed('cat.jpg', 10) })).not.toEqual(a);
    expect(hintSeed('dog.jpg', 10)).not.toBe(hintSeed('dog.jpg', 20));
    expect(revealHints(photo, 0)).toEqual([]);
  });

  it('refuses a bad image, count or option', () => {
    expect(() => revealHints({ width: 2, height: 2, data: new Uint8Array(3) }, 1)).toThrow(/revealHints: expected an image/);
    expect(() => revealHints(image(4, 4), -1)).toThrow(/revealHints: expected count to be an integer ≥ 0/);
    expect(() => revealHints(image(4, 4), 1, { patch: 4 })).toThrow(/patch to be an odd integer/);
  });
});
