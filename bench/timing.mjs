/**
 * Times an async function: a few warm-up calls, then repeats until `minMs` has passed (at
 * least `minRuns` times). Returns the median milliseconds per call, which resists the odd
 * slow run better than the mean on a shared machine.
 */
export async function time(fn, { warmup = 2, minRuns = 5, minMs = 1000 } = {}) {
  for (let i = 0; i < warmup; i += 1) await fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
