import { invalid, describeValue } from '@colorize/core';

/**
 * A small seeded random number generator (sfc32) whose whole state is four 32-bit integers, so a
 * training run can save it in a checkpoint and continue the same sequence after `resume`.
 *
 * @example
 * ```ts
 * const rng = new SeededRandom(42);
 * rng.next();                    // in [0, 1)
 * const saved = rng.state;       // [a, b, c, d]
 * const again = SeededRandom.fromState(saved);
 * ```
 * @group Randomness
 */
export class SeededRandom {
  private s: Uint32Array;

  /** @param seed - any integer; equal seeds give equal sequences on every machine. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw invalid('INVALID_OPTION', 'SeededRandom', 'an integer seed', describeValue(seed));
    // splitmix32 spreads the seed over the state, then a few rounds warm it up.
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
      t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s = new Uint32Array([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator continuing from a saved {@link SeededRandom.state}. */
  static fromState(state: readonly number[]): SeededRandom {
    if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw invalid('INVALID_OPTION', 'SeededRandom.fromState', 'four unsigned 32-bit integers', describeValue(state));
    }
    const r = new SeededRandom(0);
    r.s = Uint32Array.from(state);
    return r;
  }

  /** The four 32-bit integers that determine every later draw. */
  get state(): number[] {
    return Array.from(this.s);
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t;
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * A seed derived from a base seed and a few integers (an epoch, an image index, …), so that
 * every epoch and image gets its own independent but reproducible draws.
 *
 * @group Randomness
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x85ebca6b) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0xcc9e2d51) >>> 0;
    h = ((h << 13) | (h >>> 19)) >>> 0;
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}
