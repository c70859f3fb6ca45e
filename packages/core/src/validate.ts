import { Tensor } from '@tensorflow/tfjs-core';
import type { DataType } from '@tensorflow/tfjs-core';

import { describeValue, invalid } from './errors.js';

/** What {@link assertImage} accepts. @group Validation */
export interface AssertImageOptions {
  /** Channel counts allowed in the last axis, e.g. `[3]` for RGB. Defaults to any. */
  channels?: readonly number[];
  /** Ranks allowed: 3 for `[h, w, c]`, 4 for `[b, h, w, c]`. Defaults to `[3, 4]`. */
  ranks?: readonly (3 | 4)[];
  /** Dtypes allowed. Defaults to any. */
  dtypes?: readonly DataType[];
  /** How the argument is named in the message. Defaults to `'an image'`. */
  name?: string;
}

function shapeText(ranks: readonly number[], channels: readonly number[] | undefined): string {
  const c = channels === undefined ? 'c' : channels.length === 1 ? String(channels[0]) : channels.join('|');
  return ranks.map((r) => (r === 3 ? `[h, w, ${c}]` : `[b, h, w, ${c}]`)).join(' or ');
}

/**
 * Checks that `x` is an NHWC image tensor with the allowed rank, channel count and dtype, and
 * that it is not empty. Throws the house error otherwise.
 *
 * @param fn - the public function name used in the message.
 * @param x - the value to check.
 * @returns `x`, typed as a rank-3 or rank-4 tensor.
 * @throws {@link ColorizeError} `INVALID_SHAPE` or `INVALID_DTYPE`.
 * @example
 * ```ts
 * assertImage('rgbToLab', x, { channels: [3] });
 * // rgbToLab: expected an image of shape [h, w, 3] or [b, h, w, 3], got [2, 64, 64, 1].
 * ```
 * @group Validation
 */
export function assertImage(
  fn: string,
  x: unknown,
  options: AssertImageOptions = {},
): Tensor {
  const ranks = options.ranks ?? [3, 4];
  const name = options.name ?? 'an image';
  const expected = `${name} of shape ${shapeText(ranks, options.channels)}`;
  if (!(x instanceof Tensor)) throw invalid('INVALID_SHAPE', fn, `${expected} tensor`, describeValue(x));
  if (x.isDisposed) throw invalid('INVALID_SHAPE', fn, `${expected}`, 'a disposed tensor');
  const { shape } = x;
  const channels = shape[shape.length - 1] ?? 0;
  if (
    !ranks.includes(shape.length as 3 | 4) ||
    (options.channels !== undefined && !options.channels.includes(channels)) ||
    shape.some((d: number) => d === 0)
  ) {
    throw invalid('INVALID_SHAPE', fn, expected, `[${shape.join(', ')}]`);
  }
  if (options.dtypes !== undefined && !options.dtypes.includes(x.dtype)) {
    throw invalid('INVALID_DTYPE', fn, `${name} of dtype ${options.dtypes.join(' or ')}`, x.dtype);
  }
  return x;
}

/**
 * Checks that two tensors have the same shape.
 *
 * @throws {@link ColorizeError} `INVALID_SHAPE`.
 * @group Validation
 */
export function assertSameShape(fn: string, a: Tensor, b: Tensor, names = ['pred', 'target']): void {
  const sa = a.shape;
  const sb = b.shape;
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
    throw invalid(
      'INVALID_SHAPE',
      fn,
      `${names[0]} and ${names[1]} of the same shape`,
      `[${sa.join(', ')}] and [${sb.join(', ')}]`,
    );
  }
}

/**
 * Checks an options object: it must be a plain object (or undefined), and every key must be
 * known. Unknown keys are usually typos, so they are an error that lists the valid ones.
 *
 * @returns the options, or `{}` when undefined.
 * @throws {@link ColorizeError} `INVALID_OPTION`.
 * @group Validation
 */
export function assertOptions<T extends object>(
  fn: string,
  options: T | undefined,
  known: readonly (keyof T & string)[],
): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid('INVALID_OPTION', fn, 'an options object', describeValue(options));
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      throw invalid('INVALID_OPTION', fn, `an option among ${known.join(', ')}`, `"${key}"`);
    }
  }
  return options;
}

/**
 * Checks that `value` is a finite number strictly greater than zero.
 *
 * @throws {@link ColorizeError} `INVALID_OPTION`.
 * @group Validation
 */
export function assertPositive(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid('INVALID_OPTION', fn, `${name} to be a finite number > 0`, describeValue(value));
  }
  return value;
}
