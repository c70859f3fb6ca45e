import * as tf from '@tensorflow/tfjs-core';
import { ColorizeError, initBackend } from '@colorize/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { TEST_BACKENDS } from '../../../../scripts/test-backends.js';
import { SeededRandom } from '../random.js';
import { tensorDataset } from '../tensor-dataset.js';
import { simulateHints, withSimulatedHints } from './simulated-hints.js';

/** ab in model space whose value at (n, y, x) is a plain function of its place, so patch means can be checked. */
function rampAb(b: number, h: number, w: number): Float32Array {
  const ab = new Float32Array(b * h * w * 2);
  for (let n = 0; n < b; n += 1)
    for (let y = 0; y < h; y += 1)
      for (let x = 0; x < w; x += 1) {
        const i = ((n * h + y) * w + x) * 2;
        ab[i] = (x - y) / 100 + n / 10;
        ab[i + 1] = (x + y) / 200;
      }
  return ab;
}

/** The hinted squares of one image: each connected run of mask as found by scanning for top-left corners is not needed; the mask's cells suffice. */
function maskCells(hints: Float32Array, n: number, h: number, w: number): number[] {
  const cells: number[] = [];
  for (let p = 0; p < h * w; p += 1) if (hints[(n * h * w + p) * 3 + 2] === 1) cells.push(p);
  return cells;
}

describe('simulateHints (Zhang et al. 2017)', () => {
  it('draws a geometric number of patches per image: none about one time in eight, about 7 on average', () => {
    // One-pixel patches at uniform places on a large image count the patches exactly (bar overlaps, rare at 1 in 65,536).
    const [b, h, w] = [4000, 256, 256];
    const random = new SeededRandom(7);
    const counts: number[] = [];
    for (let k = 0; k < b; k += 400) {
      const hints = simulateHints(new Float32Array(400 * h * w * 2), [400, h, w], random, { maxPatch: 1, placement: 'uniform' });
      for (let n = 0; n < 400; n += 1) counts.push(maskCells(hints, n, h, w).length);
    }
    const none = counts.filter((c) => c === 0).length / counts.length;
    const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
    // Binomial standard errors at 4000 images: 0.005 for P(0) and 0.11 for the mean.
    expect(none).toBeGreaterThan(0.125 - 0.02);
    expect(none).toBeLessThan(0.125 + 0.02);
    expect(mean).toBeGreaterThan(7 - 0.45);
    expect(mean).toBeLessThan(7 + 0.45);
  });

  it('sets each square patch (1 to 9 px) to its mean ab, with mask 1, and leaves every other pixel 0', () => {
    const [b, h, w] = [64, 32, 32];
    const ab = rampAb(b, h, w);
    const hints = simulateHints(ab, [b, h, w], new SeededRandom(3), { p: 0.5 });
    let patches = 0;
    for (let n = 0; n < b; n += 1) {
      for (let p = 0; p < h * w; p += 1) {
        const j = (n * h * w + p) * 3;
        if (hints[j + 2] === 0) {
          expect([hints[j], hints[j + 1]]).toEqual([0, 0]);
        } else {
          expect(hints[j + 2]).toBe(1);
        }
      }
      // A lone patch (no overlap): its values equal the mean of ab over its cells.
      const cells = maskCells(hints, n, h, w);
      if (cells.length === 0) continue;
      const xs = cells.map((p) => p % w);
      const ys = cells.map((p) => Math.floor(p / w));
      const side = Math.max(...xs) - Math.min(...xs) + 1;
      if (side !== Math.max(...ys) - Math.min(...ys) + 1 || side * side !== cells.length) continue;
      patches += 1;
      expect(side).toBeLessThanOrEqual(9);
      let [sa, sb] = [0, 0];
      for (const p of cells) {
        sa += ab[(n * h * w + p) * 2]!;
        sb += ab[(n * h * w + p) * 2 + 1]!;
      }
      const j = (n * h * w + cells[0]!) * 3;
      expect(hints[j]).toBeCloseTo(sa / cells.length, 6);
      expect(hints[j + 1]).toBeCloseTo(sb / cells.length, 6);
    }
    expect(patches).toBeGreaterThan(10);
  });

  it('is a function of the seed: equal draws give equal hints, others differ', () => {
    const ab = rampAb(8, 16, 16);
    const one = simulateHints(ab, [8, 16, 16], new SeededRandom(1));
    expect(simulateHints(ab, [8, 16, 16], new SeededRandom(1))).toEqual(one);
    expect(simulateHints(ab, [8, 16, 16], new SeededRandom(2))).not.toEqual(one);
  });

  it('refuses bad options and a mismatched array with one clear error', () => {
    const r = new SeededRandom(0);
    expect(() => simulateHints(new Float32Array(10), [1, 4, 4], r)).toThrow(/simulateHints: expected ab of 1×4×4×2 values/);
    expect(() => simulateHints(new Float32Array(32), [1, 4, 4], r, { p: 0 })).toThrow(/simulateHints: expected p in \(0, 1\]/);
    expect(() => simulateHints(new Float32Array(32), [1, 4, 4], r, { maxPatch: 0 })).toThrow(/maxPatch/);
    expect(() => simulateHints(new Float32Array(32), [1, 4, 4], r, { placement: 'edge' as 'uniform' })).toThrow(/placement/);
    expect(() => simulateHints(new Float32Array(32), [1, 4, 4], r, { q: 1 } as never)).toThrow(ColorizeError);
  });
});

describe.each(TEST_BACKENDS)('withSimulatedHints on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, env: {} });
  });

  it('adds hints [b, h, w, 3] made from each batch\'s ab, the same for the same epoch and batch (resume), and leaks nothing', async () => {
    const L = tf.zeros([10, 16, 16, 1]) as tf.Tensor4D;
    const ab = tf.tensor4d(rampAb(10, 16, 16), [10, 16, 16, 2]);
    const base = tensorDataset({ L, ab }, { batchSize: 4, seed: 1 });
    tf.dispose([L, ab]);
    const data = withSimulatedHints(base, { seed: 5, p: 0.3 });
    expect(data.size).toBe(10);
    expect(data.batchesPerEpoch).toBe(3);
    const before = tf.memory().numTensors;
    const read = async (epoch: number, from = 0): Promise<number[][]> => {
      const out: number[][] = [];
      for await (const batch of data.batches(epoch, { from })) {
        expect(batch.hints!.shape).toEqual([batch.L.shape[0], 16, 16, 3]);
        const values = Array.from(await batch.hints!.data());
        // Where the mask is 1, the hint is the mean of this batch's own ab over a patch: within its range.
        const abValues = await batch.ab.data();
        const hi = Math.max(...abValues);
        expect(values.every((v) => v <= Math.max(1, hi) + 1e-6)).toBe(true);
        out.push(values);
        tf.dispose([batch.L, batch.ab, batch.hints!]);
      }
      return out;
    };
    const epoch0 = await read(0);
    expect(await read(0)).toEqual(epoch0);
    expect((await read(0, 1))[0]).toEqual(epoch0[1]);
    expect(await read(1)).not.toEqual(epoch0);
    expect(epoch0.some((v) => v.some((x, i) => i % 3 === 2 && x === 1))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    base.dispose();
  });

  it('refuses something that is not a dataset', () => {
    expect(() => withSimulatedHints({} as never)).toThrow(/withSimulatedHints: expected data as a dataset/);
  });
});
