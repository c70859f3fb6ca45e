import { describe, expect, it } from 'vitest';

import { splitFiles } from './split.js';

const FLOWERS = Array.from({ length: 8189 }, (_, i) => `jpg/image_${String(i + 1).padStart(5, '0')}.jpg`);

describe('splitFiles', () => {
  it('splits Flowers102\'s 8,189 files 5,732 / 1,228 / 1,229, disjoint and complete', () => {
    const parts = (['train', 'validation', 'test'] as const).map((s) => splitFiles(FLOWERS, s, 0));
    expect(parts.map((p) => p.length)).toEqual([5732, 1228, 1229]);
    expect(new Set(parts.flat()).size).toBe(8189);
  });

  it('is the same on every machine for a seed, whatever the input order, and differs between seeds', () => {
    const shuffled = [...FLOWERS].reverse();
    expect(splitFiles(shuffled, 'validation', 0)).toEqual(splitFiles(FLOWERS, 'validation', 0));
    // Pinned: a change here changes every user's split.
    expect(splitFiles(FLOWERS, 'train', 0).slice(0, 3)).toMatchInlineSnapshot(`
      [
        "jpg/image_03283.jpg",
        "jpg/image_05916.jpg",
        "jpg/image_00487.jpg",
      ]
    `);
    expect(splitFiles(FLOWERS, 'test', 1)).not.toEqual(splitFiles(FLOWERS, 'test', 0));
  });

  it('rejects an unknown split', () => {
    expect(() => splitFiles(FLOWERS, 'val' as never)).toThrow(/splitFiles: expected split "train", "validation", "test" or "all", got "val"/);
  });
});
