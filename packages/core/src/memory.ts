import * as tf from '@tensorflow/tfjs-core';

import { ColorizeError } from './errors.js';

/** Collects the tensors in a returned value: a tensor, or arrays and plain objects of them. */
function tensorsIn(value: unknown, found: Set<tf.Tensor>, seen = new Set<unknown>()): Set<tf.Tensor> {
  if (value instanceof tf.Tensor) {
    found.add(value);
  } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
      for (const v of Object.values(value)) tensorsIn(v, found, seen);
    }
  }
  return found;
}

/**
 * Runs `fn` and counts the tensors it left allocated, not counting the tensors it returns
 * (a tensor, or arrays and plain objects of tensors), which are disposed afterwards. A
 * well-behaved function gives 0. Works for sync and async functions.
 *
 * @returns the number of leaked tensors (negative if `fn` disposed tensors it did not create).
 * @example
 * ```ts
 * expect(await countLeakedTensors(() => psnr(a, b, { dataRange: 1 }))).toBe(0);
 * ```
 * @group Memory
 */
export async function countLeakedTensors(fn: () => unknown): Promise<number> {
  // Tensor ids grow with each tensor made, so the returned tensors made by fn (not its inputs
  // passed through) are those with a larger id than this probe's.
  const probe = tf.scalar(0);
  const firstId = probe.id;
  probe.dispose();
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  const made = [...tensorsIn(result, new Set())].filter((t) => t.id > firstId && !t.isDisposed);
  for (const t of made) t.dispose();
  return after - before - made.length;
}

/**
 * Like {@link countLeakedTensors}, but throws when anything leaked, and returns `fn`'s result
 * otherwise (its tensors are disposed, so use this for checks, not to keep results).
 *
 * @throws {@link ColorizeError} `TENSOR_LEAK` with the count.
 * @group Memory
 */
export async function assertNoLeakedTensors(fn: () => unknown, label = 'the call'): Promise<void> {
  const leaked = await countLeakedTensors(fn);
  if (leaked !== 0) {
    throw new ColorizeError('TENSOR_LEAK', `assertNoLeakedTensors: expected ${label} to leave no tensors, got ${leaked}.`);
  }
}
