import { describeValue, invalid } from '@colorize/core';

/** Options of {@link spreadHints}. @group Hints */
export interface SpreadHintsOptions {
  /**
   * Gauss–Seidel sweeps (one forward, one backward pass each) at full size; each coarser level
   * gets twice as many as the one above it (at most `coarseSweeps`), which costs about twice
   * the full-size sweeps in all. Defaults to 6.
   */
  sweeps?: number;
  /** Sweeps at the coarsest level (its longer side at most 8 px). Defaults to 40. */
  coarseSweeps?: number;
}

/** One level of the pyramid: its size, intensity in [0, 1] and Levin et al.'s neighbour weights. */
interface Level {
  height: number;
  width: number;
  intensity: Float32Array;
  /** `[n · 8]`, in {@link NEIGHBOURS}' order, each pixel's summing to 1; 0 outside the image. */
  weights: Float32Array;
}

/** One level's hints: a and b `[n · 2]` and the mask. */
interface LevelHints {
  hint: Float32Array;
  mask: Uint8Array;
}

const NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1],
];
/** ln(0.01): the nearest neighbour's weight stays at least 0.01 (getColorExact.m). */
const LOG_MIN_WEIGHT = Math.log(0.01);

/** The last photo's pyramid, kept for its next hints. */
let last: { L: Float32Array; height: number; width: number; levels: Level[] } | undefined;

/**
 * Spreads sparse colour hints over a photo along its intensity, as Levin, Lischinski and Weiss's
 * "Colorization using Optimization" (SIGGRAPH 2004) does: every unhinted pixel's a and b are the
 * weighted mean of its 3 × 3 neighbours', with weights `exp(−(Y(r) − Y(s))² / 2σ²)` normalised to
 * sum to 1 and 2σ² = max(0.6 · the window's variance, the value that keeps the nearest
 * neighbour's weight ≥ 0.01, 2e−6), the constants of the authors' `getColorExact.m`; hinted
 * pixels keep their hint. Where they solve the sparse system exactly, this approaches its
 * solution coarse to fine (a pyramid of 2 × 2 means, Gauss–Seidel sweeps at each level, started
 * from the coarser level's answer), which takes milliseconds at 256 × 256 in plain JavaScript and
 * runs the same on every backend. The pyramid and weights of the last L are kept, so new hints
 * on the same photo (a live editor) only pay for the sweeps.
 *
 * A hint model of 6 input channels (`colorize train --hints`) sees this beside the hints
 * themselves, so it starts from Levin et al.'s answer and learns where to depart from it.
 *
 * @param L - model-space L (`L/50 − 1`, in [−1, 1]), `[height · width]`, row-major.
 * @param hints - `[height · width · 3]`: hint a, hint b (any scale, e.g. model space `ab/110`)
 *   and mask (1 where a hint is, else 0), as {@link rasterizeHints} makes them.
 * @returns the spread a and b, `[height · width · 2]`, on the hints' scale; all 0 (grey) when
 *   there is no hint.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_SHAPE` when the arrays do not match the size.
 * @group Hints
 */
export function spreadHints(L: Float32Array, hints: Float32Array, height: number, width: number, options?: SpreadHintsOptions): Float32Array {
  const fn = 'spreadHints';
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw invalid('INVALID_SHAPE', fn, 'height and width to be integers ≥ 1', `${describeValue(height)} × ${describeValue(width)}`);
  }
  const n = height * width;
  if (!(L instanceof Float32Array) || L.length !== n) throw invalid('INVALID_SHAPE', fn, `L as a Float32Array of ${height}×${width} values`, describeValue(L));
  if (!(hints instanceof Float32Array) || hints.length !== n * 3) throw invalid('INVALID_SHAPE', fn, `hints as a Float32Array of ${height}×${width}×3 values`, describeValue(hints));
  const sweeps = options?.sweeps ?? 6;
  const coarseSweeps = options?.coarseSweeps ?? 40;
  for (const [name, v] of [['sweeps', sweeps], ['coarseSweeps', coarseSweeps]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 10_000) throw invalid('INVALID_OPTION', fn, `${name} to be an integer in [0, 10000]`, describeValue(v));
  }
  const top: LevelHints = { hint: new Float32Array(n * 2), mask: new Uint8Array(n) };
  let any = false;
  for (let i = 0; i < n; i += 1) {
    if (hints[i * 3 + 2]! > 0.5) {
      top.mask[i] = 1;
      top.hint[i * 2] = hints[i * 3]!;
      top.hint[i * 2 + 1] = hints[i * 3 + 1]!;
      any = true;
    }
  }
  if (!any) return new Float32Array(n * 2);
  const levels = pyramid(L, height, width);
  const levelHints = [top];
  for (let k = 1; k < levels.length; k += 1) levelHints.push(coarserHints(levelHints[k - 1]!, levels[k - 1]!, levels[k]!));
  let x: Float32Array | undefined;
  for (let k = levels.length - 1; k >= 0; k -= 1) {
    x = x === undefined ? flatStart(levelHints[k]!) : finer(x, levels[k + 1]!, levels[k]!);
    solve(levels[k]!, levelHints[k]!, x, k === levels.length - 1 ? coarseSweeps : Math.min(coarseSweeps, sweeps * 2 ** k));
  }
  return x!;
}

/** The pyramid of L (the last one's, when L is the same), down to a longer side of at most 8. */
function pyramid(L: Float32Array, height: number, width: number): Level[] {
  if (last !== undefined && last.height === height && last.width === width && last.L.every((v, i) => v === L[i])) return last.levels;
  const intensity = new Float32Array(L.length);
  for (let i = 0; i < L.length; i += 1) intensity[i] = (L[i]! + 1) / 2;
  const levels = [level(height, width, intensity)];
  while (Math.max(levels.at(-1)!.height, levels.at(-1)!.width) > 8) levels.push(coarser(levels.at(-1)!));
  last = { L: Float32Array.from(L), height, width, levels };
  return levels;
}

function level(height: number, width: number, intensity: Float32Array): Level {
  return { height, width, intensity, weights: weights(height, width, intensity) };
}

/** The next level: each intensity the mean of a 2 × 2 block (edge blocks smaller). */
function coarser(from: Level): Level {
  const height = Math.ceil(from.height / 2);
  const width = Math.ceil(from.width / 2);
  const intensity = new Float32Array(height * width);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      let count = 0;
      for (let yy = 2 * y; yy < Math.min(2 * y + 2, from.height); yy += 1) {
        for (let xx = 2 * x; xx < Math.min(2 * x + 2, from.width); xx += 1) {
          sum += from.intensity[yy * from.width + xx]!;
          count += 1;
        }
      }
      intensity[y * width + x] = sum / count;
    }
  }
  return level(height, width, intensity);
}

/** The next level's hints: a block is hinted if any of its pixels is, with their mean hint. */
function coarserHints(hints: LevelHints, from: Level, to: Level): LevelHints {
  const out: LevelHints = { hint: new Float32Array(to.height * to.width * 2), mask: new Uint8Array(to.height * to.width) };
  for (let y = 0; y < to.height; y += 1) {
    for (let x = 0; x < to.width; x += 1) {
      let a = 0;
      let b = 0;
      let count = 0;
      for (let yy = 2 * y; yy < Math.min(2 * y + 2, from.height); yy += 1) {
        for (let xx = 2 * x; xx < Math.min(2 * x + 2, from.width); xx += 1) {
          const i = yy * from.width + xx;
          if (!hints.mask[i]) continue;
          a += hints.hint[i * 2]!;
          b += hints.hint[i * 2 + 1]!;
          count += 1;
        }
      }
      if (count === 0) continue;
      const j = y * to.width + x;
      out.mask[j] = 1;
      out.hint[j * 2] = a / count;
      out.hint[j * 2 + 1] = b / count;
    }
  }
  return out;
}

/** The coarsest level's start, `[n · 2]`: every pixel the mean hint. */
function flatStart(hints: LevelHints): Float32Array {
  let a = 0;
  let b = 0;
  let count = 0;
  for (let i = 0; i < hints.mask.length; i += 1) {
    if (hints.mask[i]) {
      a += hints.hint[i * 2]!;
      b += hints.hint[i * 2 + 1]!;
      count += 1;
    }
  }
  const x = new Float32Array(hints.mask.length * 2);
  for (let i = 0; i < hints.mask.length; i += 1) {
    x[i * 2] = a / count;
    x[i * 2 + 1] = b / count;
  }
  return x;
}

/** A finer level's start, `[n · 2]`: each pixel its block's value at the coarser level. */
function finer(x: Float32Array, from: Level, to: Level): Float32Array {
  const out = new Float32Array(to.height * to.width * 2);
  for (let y = 0; y < to.height; y += 1) {
    for (let xx = 0; xx < to.width; xx += 1) {
      const i = y * to.width + xx;
      const j = (y >> 1) * from.width + (xx >> 1);
      out[i * 2] = x[j * 2]!;
      out[i * 2 + 1] = x[j * 2 + 1]!;
    }
  }
  return out;
}

/** Levin et al.'s neighbour weights at every pixel, `[n · 8]`, 0 outside the image. */
function weights(height: number, width: number, intensity: Float32Array): Float32Array {
  const w = new Float32Array(height * width * 8);
  const g = new Float64Array(8);
  const inside = new Uint8Array(8);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      const t = intensity[i]!;
      let sum = t;
      let count = 1;
      for (let k = 0; k < 8; k += 1) {
        const yy = y + NEIGHBOURS[k]![0];
        const xx = x + NEIGHBOURS[k]![1];
        inside[k] = yy >= 0 && yy < height && xx >= 0 && xx < width ? 1 : 0;
        if (inside[k]) {
          g[k] = intensity[yy * width + xx]!;
          sum += g[k]!;
          count += 1;
        }
      }
      const mean = sum / count;
      let variance = (t - mean) ** 2;
      let nearest = Infinity;
      for (let k = 0; k < 8; k += 1) {
        if (!inside[k]) continue;
        variance += (g[k]! - mean) ** 2;
        nearest = Math.min(nearest, (g[k]! - t) ** 2);
      }
      variance /= count;
      const csig = Math.max(0.6 * variance, -nearest / LOG_MIN_WEIGHT, 2e-6);
      let total = 0;
      for (let k = 0; k < 8; k += 1) {
        const v = inside[k] ? Math.exp(-((g[k]! - t) ** 2) / csig) : 0;
        w[i * 8 + k] = v;
        total += v;
      }
      if (total > 0) for (let k = 0; k < 8; k += 1) w[i * 8 + k] = w[i * 8 + k]! / total;
    }
  }
  return w;
}

/** Gauss–Seidel sweeps of x_r = Σ w_rs x_s at unhinted pixels, hinted pixels fixed; x `[n · 2]`, in place. */
function solve(level: Level, hints: LevelHints, x: Float32Array, sweeps: number): void {
  const { height, width, weights: w } = level;
  const { hint, mask } = hints;
  for (let i = 0; i < height * width; i += 1) {
    if (mask[i]) {
      x[i * 2] = hint[i * 2]!;
      x[i * 2 + 1] = hint[i * 2 + 1]!;
    }
  }
  const offsets = NEIGHBOURS.map(([dy, dx]) => dy * width + dx);
  const [o0, o1, o2, o3, o4, o5, o6, o7] = offsets as [number, number, number, number, number, number, number, number];
  // Inside the image: all eight neighbours, unrolled.
  const inner = (i: number): void => {
    const k = i * 8;
    const j0 = (i + o0) * 2, j1 = (i + o1) * 2, j2 = (i + o2) * 2, j3 = (i + o3) * 2;
    const j4 = (i + o4) * 2, j5 = (i + o5) * 2, j6 = (i + o6) * 2, j7 = (i + o7) * 2;
    const w0 = w[k]!, w1 = w[k + 1]!, w2 = w[k + 2]!, w3 = w[k + 3]!, w4 = w[k + 4]!, w5 = w[k + 5]!, w6 = w[k + 6]!, w7 = w[k + 7]!;
    x[i * 2] = w0 * x[j0]! + w1 * x[j1]! + w2 * x[j2]! + w3 * x[j3]! + w4 * x[j4]! + w5 * x[j5]! + w6 * x[j6]! + w7 * x[j7]!;
    x[i * 2 + 1] = w0 * x[j0 + 1]! + w1 * x[j1 + 1]! + w2 * x[j2 + 1]! + w3 * x[j3 + 1]! + w4 * x[j4 + 1]! + w5 * x[j5 + 1]! + w6 * x[j6 + 1]! + w7 * x[j7 + 1]!;
  };
  // On the border: the neighbours inside (weight > 0).
  const edge = (i: number): void => {
    const k = i * 8;
    let a = 0;
    let b = 0;
    for (let q = 0; q < 8; q += 1) {
      const wq = w[k + q]!;
      if (wq === 0) continue;
      const j = (i + offsets[q]!) * 2;
      a += wq * x[j]!;
      b += wq * x[j + 1]!;
    }
    x[i * 2] = a;
    x[i * 2 + 1] = b;
  };
  const row = (y: number, forward: boolean): void => {
    const start = y * width;
    if (y === 0 || y === height - 1 || width < 3) {
      for (let q = 0; q < width; q += 1) {
        const i = forward ? start + q : start + width - 1 - q;
        if (!mask[i]) edge(i);
      }
      return;
    }
    const first = forward ? start : start + width - 1;
    const last = forward ? start + width - 1 : start;
    if (!mask[first]) edge(first);
    if (forward) {
      for (let i = start + 1; i < start + width - 1; i += 1) if (!mask[i]) inner(i);
    } else {
      for (let i = start + width - 2; i > start; i -= 1) if (!mask[i]) inner(i);
    }
    if (!mask[last]) edge(last);
  };
  for (let s = 0; s < sweeps; s += 1) {
    for (let y = 0; y < height; y += 1) row(y, true);
    for (let y = height - 1; y >= 0; y -= 1) row(y, false);
  }
}
