import * as tf from '@tensorflow/tfjs-core';
import { assertOptions, describeValue, invalid } from '@colorize/core';
import { spreadHints } from '@colorize/models';

import type { LabBatch, LabDataset } from '../lab-batch.js';
import { deriveSeed, SeededRandom } from '../random.js';

/** Options of {@link simulateHints} and {@link withSimulatedHints}. @group Hints */
export interface SimulatedHintOptions {
  /**
   * The geometric distribution's p: each image gets k hints with probability `(1 − p)^k · p`, so
   * none with probability p and `(1 − p) / p` on average. Defaults to 0.125 (Zhang et al. 2017:
   * none one time in eight, 7 on average).
   */
  p?: number;
  /** The largest patch side in pixels; each hint's side is uniform in 1…maxPatch. Defaults to 9 (Zhang et al.'s 1–9). */
  maxPatch?: number;
  /**
   * Where patches fall: `'normal'` (Zhang et al.'s: each coordinate normal about the centre with
   * σ a quarter of the side, clipped) or `'uniform'`. Defaults to `'normal'`.
   */
  placement?: 'normal' | 'uniform';
  /** Seed; a batch's hints are a function of it, the epoch and the batch's index. Defaults to 0. */
  seed?: number;
  /**
   * {@link withSimulatedHints} only: also give each batch's hints spread over its photos by
   * `spreadHints` (Levin et al. 2004), as channels 4 and 5 of `batch.hints` (`[b, h, w, 5]`),
   * for a model that corrects them (`buildUNet({ inChannels: 6, residualPrior: true })`).
   * Defaults to false.
   */
  spread?: boolean;
}

/** Zhang et al. 2017's simulation. */
const DEFAULTS = { p: 0.125, maxPatch: 9, placement: 'normal' as 'normal' | 'uniform', seed: 0, spread: false };

function resolve(fn: string, options: SimulatedHintOptions | undefined): Required<SimulatedHintOptions> {
  const o = { ...DEFAULTS, ...assertOptions(fn, options, ['p', 'maxPatch', 'placement', 'seed', 'spread']) };
  if (typeof o.p !== 'number' || !(o.p > 0 && o.p <= 1)) throw invalid('INVALID_OPTION', fn, 'p in (0, 1]', describeValue(o.p));
  if (!Number.isInteger(o.maxPatch) || o.maxPatch < 1) throw invalid('INVALID_OPTION', fn, 'maxPatch to be an integer ≥ 1', describeValue(o.maxPatch));
  if (o.placement !== 'normal' && o.placement !== 'uniform') throw invalid('INVALID_OPTION', fn, 'placement "normal" or "uniform"', describeValue(o.placement));
  if (!Number.isInteger(o.seed)) throw invalid('INVALID_OPTION', fn, 'seed to be an integer', describeValue(o.seed));
  if (typeof o.spread !== 'boolean') throw invalid('INVALID_OPTION', fn, 'spread to be true or false', describeValue(o.spread));
  return o;
}

/** A standard normal draw (Box–Muller) from the seeded generator. */
function normal(random: SeededRandom): number {
  const u = 1 - random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/**
 * Simulates a user's colour hints from the real colours, as Zhang et al. 2017 train their
 * user-guided network: per image a geometric number of square patches, each set to the patch's
 * mean ab, with a mask of 1 over them. Plain arrays, channels last.
 *
 * @param ab - ab in model space, `[b, h, w, 2]` as a flat array.
 * @param dims - `[b, h, w]`.
 * @param random - the draws (consumed).
 * @returns hints `[b, h, w, 3]`: hint a, hint b (model space, 0 where no hint), mask (1 or 0).
 * @group Hints
 */
export function simulateHints(ab: Float32Array, dims: readonly [number, number, number], random: SeededRandom, options?: SimulatedHintOptions): Float32Array {
  const fn = 'simulateHints';
  const o = resolve(fn, options);
  const [b, h, w] = dims;
  if (!(ab instanceof Float32Array) || ab.length !== b * h * w * 2) throw invalid('INVALID_SHAPE', fn, `ab of ${b}×${h}×${w}×2 values`, describeValue(ab));
  const hints = new Float32Array(b * h * w * 3);
  for (let n = 0; n < b; n += 1) {
    while (random.next() >= o.p) {
      const side = 1 + random.int(Math.min(o.maxPatch, h, w));
      const pick = (extent: number): number => {
        const room = extent - side + 1;
        if (o.placement === 'uniform') return random.int(room);
        return Math.min(room - 1, Math.max(0, Math.floor(room / 2 + (room / 4) * normal(random))));
      };
      const y0 = pick(h);
      const x0 = pick(w);
      let sa = 0;
      let sb = 0;
      for (let y = y0; y < y0 + side; y += 1) {
        for (let x = x0; x < x0 + side; x += 1) {
          const i = ((n * h + y) * w + x) * 2;
          sa += ab[i]!;
          sb += ab[i + 1]!;
        }
      }
      const count = side * side;
      for (let y = y0; y < y0 + side; y += 1) {
        for (let x = x0; x < x0 + side; x += 1) {
          const j = ((n * h + y) * w + x) * 3;
          hints[j] = sa / count;
          hints[j + 1] = sb / count;
          hints[j + 2] = 1;
        }
      }
    }
  }
  return hints;
}

/**
 * A dataset whose batches also carry simulated hints (`batch.hints`, see {@link simulateHints}),
 * for training and validating a hint model (`buildUNet({ inChannels: 4 })`). A batch's hints
 * depend only on the seed, the epoch and the batch's index, so a resumed run sees the same ones;
 * validation (which reads epoch 0) sees the same hints every epoch.
 *
 * @param data - any dataset of `{ L, ab }` batches.
 * @example
 * ```ts
 * const train = withSimulatedHints(await demoPhotos({ split: 'train', size: 64 }), { seed: 1 });
 * ```
 * @group Hints
 */
export function withSimulatedHints(data: LabDataset, options?: SimulatedHintOptions): LabDataset {
  const fn = 'withSimulatedHints';
  const o = resolve(fn, options);
  if (typeof (data as Partial<LabDataset> | null)?.batches !== 'function') throw invalid('INVALID_OPTION', fn, 'data as a dataset with batches(epoch)', describeValue(data));
  return {
    get size() {
      return data.size;
    },
    get batchesPerEpoch() {
      return data.batchesPerEpoch;
    },
    async *batches(epoch: number, batchOptions?: { from?: number }): AsyncIterable<LabBatch> {
      let index = batchOptions?.from ?? 0;
      for await (const batch of data.batches(epoch, batchOptions)) {
        const [n, h, w] = batch.ab.shape;
        const random = new SeededRandom(deriveSeed(o.seed, epoch, index));
        index += 1;
        let values: Float32Array;
        try {
          values = simulateHints((await batch.ab.data()) as Float32Array, [n, h, w], random, o);
        } catch (err) {
          tf.dispose([batch.L, batch.ab, ...(batch.hints ? [batch.hints] : [])]);
          throw err;
        }
        if (o.spread) {
          try {
            values = withSpread(values, (await batch.L.data()) as Float32Array, [n, h, w]);
          } catch (err) {
            tf.dispose([batch.L, batch.ab, ...(batch.hints ? [batch.hints] : [])]);
            throw err;
          }
        }
        batch.hints?.dispose();
        yield { L: batch.L, ab: batch.ab, hints: tf.tensor4d(values, [n, h, w, o.spread ? 5 : 3]) };
      }
    },
  };
}

/** `[b, h, w, 5]`: each image's hints `[b, h, w, 3]` then their spread by {@link spreadHints}. */
function withSpread(hints: Float32Array, L: Float32Array, [b, h, w]: readonly [number, number, number]): Float32Array {
  const n = h * w;
  const out = new Float32Array(b * n * 5);
  for (let i = 0; i < b; i += 1) {
    const own = hints.subarray(i * n * 3, (i + 1) * n * 3);
    const spread = spreadHints(L.subarray(i * n, (i + 1) * n), own, h, w);
    for (let p = 0; p < n; p += 1) {
      const j = (i * n + p) * 5;
      out[j] = own[p * 3]!;
      out[j + 1] = own[p * 3 + 1]!;
      out[j + 2] = own[p * 3 + 2]!;
      out[j + 3] = spread[p * 2]!;
      out[j + 4] = spread[p * 2 + 1]!;
    }
  }
  return out;
}
