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

/** One level of the pyramid: its intensity, hint values and mask, row-major. */
interface Level {
  height: number;
  width: number;
  intensity: Float32Array;
  /** Hint a and b, `[n · 2]`. */
  hint: Float32Array;
  mask: Uint8Array;
}

const NEIGHBOURS: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1],
];
/** ln(0.01): the nearest neighbour's weight stays at least 0.01 (getColorExact.m). */
const LOG_MIN_WEIGHT = Math.log(0.01);

/**
 * Spreads sparse colour hints over a photo along its intensity, as Levin, Lischinski and Weiss's
 * "Colorization using Optimization" (SIGGRAPH 2004) does: every unhinted pixel's a and b are the
 * weighted mean of its 3 × 3 neighbours', with weights `exp(−(Y(r) − Y(s))² / 2σ²)` normalised to
 * sum to 1 and 2σ² = max(0.6 · the window's variance, the value that keeps the nearest
 * neighbour's weight ≥ 0.01, 2e−6), the constants of the authors' `getColorExact.m`; hinted
 * pixels keep their hint. Where they solve the sparse system exactly, this approaches its
 * solution coarse to fine (a pyramid of 2 × 2 means, Gauss–Seidel sweeps at each level, started
 * from the coarser level's answer), which takes milliseconds at 256 × 256 in plain JavaScript and
 * runs the same on every backend.
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
  const out = new Float32Array(n * 2);
  const top: Level = { height, width, intensity: new Float32Array(n), hint: new Float32Array(n * 2), mask: new Uint8Array(n) };
  let any = false;
  for (let i = 0; i < n; i += 1) {
    top.intensity[i] = (L[i]! + 1) / 2;
    if (hints[i * 3 + 2]! > 0.5) {
      top.mask[i] = 1;
      top.hint[i * 2] = hints[i * 3]!;
      top.hint[i * 2 + 1] = hints[i * 3 + 1]!;
      any = true;
    }
  }
  if (!any) return out;
  const levels = [top];
  while (Math.max(levels.at(-1)!.height, levels.at(-1)!.width) > 8) levels.push(coarser(levels.at(-1)!));
  let x: Float32Array | undefined;
  for (let k = levels.length - 1; k >= 0; k -= 1) {
    const level = levels[k]!;
    x = x === undefined ? flatStart(level) : finer(x, levels[k + 1]!, level);
    solve(level, x, k === levels.length - 1 ? coarseSweeps : Math.min(coarseSweeps, sweeps * 2 ** k));
  }
  return x!;
}

/** The next level: each value the mean of a 2 × 2 block (edge blocks smaller); hints the mean of a block's hinted pixels. */
function coarser(level: Level): Level {
  const height = Math.ceil(level.height / 2);
  const width = Math.ceil(level.width / 2);
  const next: Level = { height, width, intensity: new Float32Array(height * width), hint: new Float32Array(height * width * 2), mask: new Uint8Array(height * width) };
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      let count = 0;
      let hintA = 0;
      let hintB = 0;
      let hinted = 0;
      for (let dy = 0; dy < 2; dy += 1) {
        for (let dx = 0; dx < 2; dx += 1) {
          const yy = 2 * y + dy;
          const xx = 2 * x + dx;
          if (yy >= level.height || xx >= level.width) continue;
          const i = yy * level.width + xx;
          sum += level.intensity[i]!;
          count += 1;
          if (level.mask[i]) {
            hintA += level.hint[i * 2]!;
            hintB += level.hint[i * 2 + 1]!;
            hinted += 1;
          }
        }
      }
      const j = y * width + x;
      next.intensity[j] = sum / count;
      if (hinted > 0) {
        next.mask[j] = 1;
        next.hint[j * 2] = hintA / hinted;
        next.hint[j * 2 + 1] = hintB / hinted;
      }
    }
  }
  return next;
}

/** The coarsest level's start, `[n · 2]`: every pixel the mean hint. */
function flatStart(level: Level): Float32Array {
  let a = 0;
  let b = 0;
  let count = 0;
  for (let i = 0; i < level.mask.length; i += 1) {
    if (level.mask[i]) {
      a += level.hint[i * 2]!;
      b += level.hint[i * 2 + 1]!;
      count += 1;
    }
  }
  const x = new Float32Array(level.mask.length * 2);
  for (let i = 0; i < level.mask.length; i += 1) {
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
function weights(level: Level): Float32Array {
  const { height, width, intensity } = level;
  const w = new Float32Array(height * width * 8);
  const g = new Float64Array(8);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      const t = intensity[i]!;
      let sum = t;
      let count = 1;
      for (let k = 0; k < 8; k += 1) {
        const [dy, dx] = NEIGHBOURS[k]!;
        const yy = y + dy;
        const xx = x + dx;
        g[k] = yy < 0 || yy >= height || xx < 0 || xx >= width ? Number.NaN : intensity[yy * width + xx]!;
        if (!Number.isNaN(g[k]!)) {
          sum += g[k]!;
          count += 1;
        }
      }
      const mean = sum / count;
      let variance = (t - mean) ** 2;
      let nearest = Infinity;
      for (let k = 0; k < 8; k += 1) {
        if (Number.isNaN(g[k]!)) continue;
        variance += (g[k]! - mean) ** 2;
        nearest = Math.min(nearest, (g[k]! - t) ** 2);
      }
      variance /= count;
      const csig = Math.max(0.6 * variance, -nearest / LOG_MIN_WEIGHT, 2e-6);
      let total = 0;
      for (let k = 0; k < 8; k += 1) {
        const v = Number.isNaN(g[k]!) ? 0 : Math.exp(-((g[k]! - t) ** 2) / csig);
        w[i * 8 + k] = v;
        total += v;
      }
      for (let k = 0; k < 8; k += 1) w[i * 8 + k]! /= total;
    }
  }
  return w;
}

/** Gauss–Seidel sweeps of x_r = Σ w_rs x_s at unhinted pixels, hinted pixels fixed; x `[n · 2]`, in place. */
function solve(level: Level, x: Float32Array, sweeps: number): void {
  const { height, width, hint, mask } = level;
  const w = weights(level);
  const n = height * width;
  for (let i = 0; i < n; i += 1) {
    if (mask[i]) {
      x[i * 2] = hint[i * 2]!;
      x[i * 2 + 1] = hint[i * 2 + 1]!;
    }
  }
  const offsets = NEIGHBOURS.map(([dy, dx]) => dy * width + dx);
  const visit = (i: number): void => {
    if (mask[i]) return;
    let a = 0;
    let b = 0;
    for (let k = 0; k < 8; k += 1) {
      const wk = w[i * 8 + k]!;
      if (wk === 0) continue;
      const j = i + offsets[k]!;
      a += wk * x[j * 2]!;
      b += wk * x[j * 2 + 1]!;
    }
    x[i * 2] = a;
    x[i * 2 + 1] = b;
  };
  for (let s = 0; s < sweeps; s += 1) {
    for (let i = 0; i < n; i += 1) visit(i);
    for (let i = n - 1; i >= 0; i -= 1) visit(i);
  }
}
