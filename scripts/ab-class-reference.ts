// Float64 references for colour classification (Zhang et al. 2016), written out loop by loop,
// shared by the Node tests (packages/train/src/ab-classes.test.ts, packages/models/src/models.test.ts)
// and the browser checks (scripts/browser/checks-page.ts).

/** Zhang et al.'s soft encoding of one ab (units): its k nearest centres, Gaussian weights summing to 1, times the nearest bin's class weight. */
export function referenceTarget(centres: Float32Array, a: number, b: number, k = 5, sigma = 5, weights?: ArrayLike<number>): Float64Array {
  const count = centres.length / 2;
  const d = Array.from({ length: count }, (_, q) => ({ q, d2: (centres[2 * q]! - a) ** 2 + (centres[2 * q + 1]! - b) ** 2 }));
  d.sort((x, y) => x.d2 - y.d2 || x.q - y.q);
  const near = d.slice(0, k);
  const g = near.map((n) => Math.exp(-n.d2 / (2 * sigma * sigma)));
  const sum = g.reduce((s, x) => s + x, 0);
  const out = new Float64Array(count);
  near.forEach((n, i) => (out[n.q] = (g[i]! / sum) * (weights ? weights[near[0]!.q]! : 1)));
  return out;
}

/**
 * The rebalanced cross-entropy over pixels with ab at whole units `units` ([a, b] per pixel),
 * given logits `[pixels · Q]`: the mean of −Σ Z log softmax(z), and its gradient in the logits,
 * (softmax(z) · ΣZ − Z) / pixels.
 */
export function referenceLoss(centres: Float32Array, logits: ArrayLike<number>, units: readonly (readonly number[])[], weights?: ArrayLike<number>): { loss: number; grad: Float64Array } {
  const count = centres.length / 2;
  const n = units.length;
  let loss = 0;
  const grad = new Float64Array(n * count);
  units.forEach(([a, b], p) => {
    const target = referenceTarget(centres, a!, b!, 5, 5, weights);
    const row = Array.from({ length: count }, (_, q) => logits[p * count + q]!);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    const mass = target.reduce((s, v) => s + v, 0);
    for (let q = 0; q < count; q += 1) {
      loss -= (target[q]! * (row[q]! - lse)) / n;
      grad[p * count + q] = (Math.exp(row[q]! - lse) * mass - target[q]!) / n;
    }
  });
  return { loss, grad };
}

/** The annealed mean of each pixel's logits `[pixels · Q]` at temperature T, in model space (ab / 110): `[pixels · 2]`. */
export function referenceAnnealedMean(centres: Float32Array, logits: ArrayLike<number>, temperature: number): Float64Array {
  const count = centres.length / 2;
  const pixels = logits.length / count;
  const out = new Float64Array(pixels * 2);
  for (let p = 0; p < pixels; p += 1) {
    const z = Array.from({ length: count }, (_, q) => logits[p * count + q]! / temperature);
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((s, v) => s + v, 0);
    for (const k of [0, 1]) out[2 * p + k] = e.reduce((s, v, q) => s + (v / sum) * centres[2 * q + k]!, 0) / 110;
  }
  return out;
}
