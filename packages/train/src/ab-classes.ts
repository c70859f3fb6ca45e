import * as tf from '@tensorflow/tfjs-core';
import { assertImage, describeValue, invalid } from '@colorize/core';
import { AB_SCALE } from '@colorize/lab';

import { disposeBatch } from './lab-batch.js';
import type { LabDataset } from './lab-batch.js';

// Colour classification (Zhang, Isola and Efros 2016, "Colorful Image Colorization",
// arXiv:1603.08511, section 2.1-2.2): ab quantised into bins, each pixel's target a soft
// encoding over its 5 nearest bins, each pixel weighted by the rarity of its colour
// (class rebalancing), and a multinomial cross-entropy.

/** Options of the soft encoding and its rebalancing weights. @group Losses */
export interface AbClassTargetOptions {
  /** Bins each pixel's target spreads over (its nearest). Defaults to 5 (Zhang et al.'s). */
  neighbours?: number;
  /** σ of the Gaussian over distance to those bins, in ab units. Defaults to 5 (Zhang et al.'s). */
  sigma?: number;
  /** One weight per bin ({@link abClassWeights}): each pixel's target is scaled by its nearest bin's. Defaults to null (all 1). */
  classWeights?: ArrayLike<number> | null;
}

/** ab in [−110, 110] rounded to whole units: the table's cells per axis. */
const SIDE = 2 * AB_SCALE + 1;

function assertCentres(fn: string, centres: unknown): Float32Array {
  if (!(centres instanceof Float32Array) || centres.length < 4 || centres.length % 2 !== 0 || !centres.every(Number.isFinite)) {
    throw invalid('INVALID_OPTION', fn, 'centres as a Float32Array of at least two (a, b) bin centres in ab units (abGamutBins().centres)', describeValue(centres));
  }
  return centres;
}

function positive(fn: string, name: string, v: unknown, fallback: number, integer = false): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw invalid('INVALID_OPTION', fn, `${name} to be ${integer ? 'an integer' : 'a number'} > 0`, describeValue(x));
  }
  return x;
}

function classWeightsOption(fn: string, v: unknown, count: number): Float64Array | null {
  if (v === undefined || v === null) return null;
  const arr = v as ArrayLike<unknown>;
  if (typeof arr !== 'object' || arr.length !== count || !Array.from(arr).every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
    throw invalid('INVALID_OPTION', fn, `classWeights as ${count} finite numbers ≥ 0, one per bin`, describeValue(v));
  }
  return Float64Array.from(arr as ArrayLike<number>);
}

/** Squared distances from (a, b) to every centre. */
function distances(centres: Float32Array, a: number, b: number, out: Float64Array): Float64Array {
  for (let q = 0; q < out.length; q += 1) out[q] = (centres[2 * q]! - a) ** 2 + (centres[2 * q + 1]! - b) ** 2;
  return out;
}

/** The `k` smallest entries' indices, nearest first (ties by index). */
function nearest(d: Float64Array, k: number): number[] {
  const best: number[] = [];
  for (let q = 0; q < d.length; q += 1) {
    let i = best.length;
    while (i > 0 && d[best[i - 1]!]! > d[q]!) i -= 1;
    if (i < k) {
      best.splice(i, 0, q);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** For every whole-unit ab in [−110, 110]² (cell `(a + 110) · 221 + (b + 110)`): its `k` nearest bins, nearest first (`index`, `[221², k]`), and a number for each (`value`). */
interface CellTable<V extends Float32Array | Float64Array> {
  k: number;
  index: Int32Array;
  value: V;
}

/** `make`, remembering its last result: the tables are built once for the settings a run trains with. */
function rememberLast<A extends unknown[], T>(make: (...args: A) => T): (...args: A) => T {
  let last: { key: string; value: T } | undefined;
  return (...args) => {
    const key = args.map((a) => (ArrayBuffer.isView(a) ? Array.from(a as Float32Array).join(',') : String(a))).join('|');
    if (last?.key !== key) last = { key, value: make(...args) };
    return last.value;
  };
}

/** The nearest bins of every cell and their squared distances. */
const neighbourTable = rememberLast((centres: Float32Array, k: number): CellTable<Float64Array> => {
  const table = { k, index: new Int32Array(SIDE * SIDE * k), value: new Float64Array(SIDE * SIDE * k) };
  const d = new Float64Array(centres.length / 2);
  for (let cell = 0; cell < SIDE * SIDE; cell += 1) {
    distances(centres, Math.floor(cell / SIDE) - AB_SCALE, (cell % SIDE) - AB_SCALE, d);
    nearest(d, k).forEach((q, n) => {
      table.index[cell * k + n] = q;
      table.value[cell * k + n] = d[q]!;
    });
  }
  return table;
});

/**
 * The soft-encoded, rebalanced target of every cell, sparse: the target value of each of its
 * nearest bins. Pixels are looked up at their ab rounded to whole units (8-bit sRGB itself moves
 * ab by about a unit a step).
 */
const targetTable = rememberLast((centres: Float32Array, neighbours: number, sigma: number, weights: Float64Array | null): CellTable<Float32Array> => {
  const { k, index, value: d2 } = neighbourTable(centres, Math.min(neighbours, centres.length / 2));
  const value = new Float32Array(index.length);
  for (let row = 0; row < index.length; row += k) {
    let sum = 0;
    for (let n = 0; n < k; n += 1) sum += Math.exp(-d2[row + n]! / (2 * sigma * sigma));
    const scale = (weights ? weights[index[row]!]! : 1) / sum;
    for (let n = 0; n < k; n += 1) value[row + n] = Math.exp(-d2[row + n]! / (2 * sigma * sigma)) * scale;
  }
  return { k, index, value };
});

/**
 * Each pixel's classification target (Zhang et al. 2016, eq. 2–4): a Gaussian (σ) over its
 * `neighbours` nearest bin centres, summing to 1, times the class weight of its nearest bin.
 *
 * @param ab - ab in model space (`ab / 110`), `[b, h, w, 2]`; looked up at whole ab units, clipped to [−110, 110].
 * @param centres - the bin centres in ab units, `[Q · 2]` (`abGamutBins().centres`).
 * @param options - see {@link AbClassTargetOptions}.
 * @returns `[b, h, w, Q]`, each pixel's row summing to its class weight (1 without weights).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` / `INVALID_OPTION` for bad input.
 * @group Losses
 */
export function abClassTargets(ab: tf.Tensor4D, centres: Float32Array, options?: AbClassTargetOptions): tf.Tensor4D {
  const fn = 'abClassTargets';
  assertImage(fn, ab, { ranks: [4], channels: [2], name: 'ab', dtypes: ['float32'] });
  return targets(fn, ab, assertCentres(fn, centres), options ?? {});
}

function targets(fn: string, ab: tf.Tensor4D, centres: Float32Array, o: AbClassTargetOptions): tf.Tensor4D {
  const count = centres.length / 2;
  const neighbours = positive(fn, 'neighbours', o.neighbours, 5, true);
  const sigma = positive(fn, 'sigma', o.sigma, 5);
  const weights = classWeightsOption(fn, o.classWeights, count);
  const { k, index, value } = targetTable(centres, neighbours, sigma, weights);
  return tf.tidy(() => {
    const [b, h, w] = ab.shape;
    const pixels = b * h * w;
    // Whole units from 0 (ab −110) to 220, exact in float32; the cell index as int32.
    const units = tf.add(tf.clipByValue(tf.round(tf.mul(ab, AB_SCALE)), -AB_SCALE, AB_SCALE), AB_SCALE);
    const [ua, ub] = tf.split(units, 2, 3);
    const cells = tf.cast(tf.reshape(tf.add(tf.mul(ua!, SIDE), ub!), [-1]), 'int32');
    // Each pixel's k (pixel, bin) entries scattered into a dense [pixels, Q]: about ten times
    // faster on wasm and cpu than gathering dense rows of a [221², Q] table.
    const bins = tf.reshape(tf.gather(tf.tensor2d(index, [SIDE * SIDE, k], 'int32'), cells), [pixels * k, 1]);
    const rows = tf.reshape(tf.tile(tf.reshape(tf.range(0, pixels, 1, 'int32'), [pixels, 1]), [1, k]), [pixels * k, 1]);
    const values = tf.reshape(tf.gather(tf.tensor2d(value, [SIDE * SIDE, k]), cells), [-1]);
    return tf.reshape(tf.scatterND(tf.concat([rows, bins], 1), values, [pixels, count]), [b, h, w, count]) as tf.Tensor4D;
  });
}

/**
 * The rebalanced multinomial cross-entropy of Zhang et al. (2016, eq. 2): the mean over pixels of
 * `−Σ_q Z_q · log softmax(logits)_q`, Z being {@link abClassTargets}. The annealed-mean
 * temperature plays no part in training: the model applies it after its logits.
 *
 * @param logits - the classification head's logits (before temperature and softmax), `[b, h, w, Q]`.
 * @param ab - the real ab in model space, `[b, h, w, 2]`.
 * @param centres - the bin centres in ab units, `[Q · 2]`.
 * @param options - see {@link AbClassTargetOptions}.
 * @returns a scalar ≥ 0 (lower is better).
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when logits and ab disagree or Q is not the centres'.
 * @group Losses
 */
export function abClassificationLoss(logits: tf.Tensor4D, ab: tf.Tensor4D, centres: Float32Array, options?: AbClassTargetOptions): tf.Scalar {
  const fn = 'abClassificationLoss';
  assertCentres(fn, centres);
  const count = centres.length / 2;
  assertImage(fn, logits, { ranks: [4], channels: [count], name: `logits (one per bin, ${count})`, dtypes: ['float32'] });
  assertImage(fn, ab, { ranks: [4], channels: [2], name: 'ab', dtypes: ['float32'] });
  if (logits.shape.slice(0, 3).some((d, i) => d !== ab.shape[i])) {
    throw invalid('INVALID_SHAPE', fn, `ab of shape [${logits.shape.slice(0, 3).join(', ')}, 2] to match the logits`, `[${ab.shape.join(', ')}]`);
  }
  const target = targets(fn, ab, centres, options ?? {});
  try {
    return tf.tidy(() => {
      const logP = tf.logSoftmax(logits);
      // Per pixel over the bins, then the mean over pixels: two short float32 sums round far
      // less than one over every element.
      return tf.neg(tf.mean(tf.sum(tf.mul(target, logP), 3))) as tf.Scalar;
    });
  } finally {
    target.dispose();
  }
}

/**
 * The empirical distribution of a dataset's ab over the bins: the share of pixels whose nearest
 * bin centre is each one, over one epoch's batches (as trained on, augmentation included).
 *
 * @param data - a {@link LabDataset}.
 * @param centres - the bin centres in ab units, `[Q · 2]`.
 * @param options - `epoch`: whose batches. Defaults to 0.
 * @returns `[Q]` probabilities summing to 1.
 * @group Losses
 */
export async function abClassPrior(data: LabDataset, centres: Float32Array, options?: { epoch?: number }): Promise<Float32Array> {
  const fn = 'abClassPrior';
  assertCentres(fn, centres);
  if (typeof data !== 'object' || data === null || typeof data.batches !== 'function') throw invalid('INVALID_OPTION', fn, 'data as a LabDataset', describeValue(data));
  const count = centres.length / 2;
  const nearestBin = neighbourTable(centres, 1).index;
  const counts = new Float64Array(count);
  let pixels = 0;
  for await (const batch of data.batches(options?.epoch ?? 0)) {
    const values = await batch.ab.data();
    disposeBatch(batch);
    const cell = (v: number): number => Math.min(SIDE - 1, Math.max(0, Math.round(v * AB_SCALE) + AB_SCALE));
    for (let p = 0; p < values.length; p += 2) {
      const q = nearestBin[cell(values[p]!) * SIDE + cell(values[p + 1]!)]!;
      counts[q] = counts[q]! + 1;
    }
    pixels += values.length / 2;
  }
  if (pixels === 0) throw invalid('INVALID_OPTION', fn, 'data with at least one batch', 'an empty dataset');
  return Float32Array.from(counts, (c) => c / pixels);
}

/**
 * Class-rebalancing weights (Zhang et al. 2016, eq. 4): the prior smoothed by a Gaussian (σ)
 * over the bins, mixed with the uniform distribution, inverted, and scaled so that their
 * expectation under the smoothed prior is 1: `w ∝ ((1 − λ) p̃ + λ / Q)^−1`, `Σ p̃_q w_q = 1`.
 *
 * @param prior - `[Q]` probabilities ({@link abClassPrior}).
 * @param centres - the bin centres in ab units, `[Q · 2]`.
 * @param options - `rebalance`: λ in [0, 1], 1 for no rebalancing (all weights 1). Defaults to 0.5.
 *   `sigma`: of the smoothing, in ab units. Defaults to 5.
 * @returns `[Q]` weights > 0.
 * @group Losses
 */
export function abClassWeights(prior: ArrayLike<number>, centres: Float32Array, options?: { rebalance?: number; sigma?: number }): Float32Array {
  const fn = 'abClassWeights';
  assertCentres(fn, centres);
  const count = centres.length / 2;
  const p = classWeightsOption(fn, prior, count);
  if (p === null || !(p.reduce((s, x) => s + x, 0) > 0)) throw invalid('INVALID_OPTION', fn, `prior as ${count} numbers ≥ 0 with a positive sum`, describeValue(prior));
  const lambda = options?.rebalance ?? 0.5;
  if (typeof lambda !== 'number' || !(lambda >= 0 && lambda <= 1)) throw invalid('INVALID_OPTION', fn, 'rebalance (λ) in [0, 1]', describeValue(lambda));
  const sigma = positive(fn, 'sigma', options?.sigma, 5);
  const smooth = new Float64Array(count);
  const d = new Float64Array(count);
  for (let q = 0; q < count; q += 1) {
    distances(centres, centres[2 * q]!, centres[2 * q + 1]!, d);
    let sum = 0;
    for (let r = 0; r < count; r += 1) sum += p[r]! * Math.exp(-d[r]! / (2 * sigma * sigma));
    smooth[q] = sum;
  }
  const total = smooth.reduce((s, x) => s + x, 0);
  const w = smooth.map((s) => 1 / ((1 - lambda) * (s / total) + lambda / count));
  const mean = smooth.reduce((s, x, q) => s + (x / total) * w[q]!, 0);
  return Float32Array.from(w, (x) => x / mean);
}
