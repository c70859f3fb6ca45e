/**
 * Why an operation failed. Stable across releases: match on `code`, not on the message.
 *
 * - `INVALID_SHAPE`: a tensor or array has the wrong rank, size or channel count.
 * - `INVALID_DTYPE`: a tensor has a dtype the function cannot use.
 * - `INVALID_RANGE`: a number is outside the range the function accepts.
 * - `INVALID_OPTION`: an option is unknown, of the wrong type, or has a value outside its set.
 * - `BACKEND_UNAVAILABLE`: the tfjs backend asked for cannot be started here.
 * - `INVALID_MODEL_FILE`: a saved model folder is malformed, unsafe, truncated or inconsistent.
 * - `IO_ERROR`: reading or writing a file failed.
 * - `NON_FINITE_LOSS`: training produced NaN or Infinity.
 * - `TENSOR_LEAK`: a call left tensors allocated that it should have disposed.
 * - `UNSUPPORTED`: a valid request colorize cannot carry out correctly, rather than answer wrongly.
 * - `EMPTY_DATASET`: a dataset has no usable image.
 * - `CHECKSUM_MISMATCH`: a downloaded or given file is not the one expected; it was not used.
 *
 * @group Errors
 */
export type ColorizeErrorCode =
  | 'INVALID_SHAPE'
  | 'INVALID_DTYPE'
  | 'INVALID_RANGE'
  | 'INVALID_OPTION'
  | 'BACKEND_UNAVAILABLE'
  | 'INVALID_MODEL_FILE'
  | 'IO_ERROR'
  | 'NON_FINITE_LOSS'
  | 'TENSOR_LEAK'
  | 'UNSUPPORTED'
  | 'EMPTY_DATASET'
  | 'CHECKSUM_MISMATCH';

/**
 * Marks errors from any copy of `@colorize/core`. `Symbol.for` is shared across realms and
 * across two installed copies of this package (say ESM and CJS, or two versions), where
 * `instanceof` is not.
 */
const BRAND = Symbol.for('@colorize/core.ColorizeError');

/**
 * The one error class of colorize. Messages read `"<fn>: expected <what>, got <actual>."`.
 *
 * @example
 * ```ts
 * try {
 *   await initBackend({ backend: 'webgpu' });
 * } catch (err) {
 *   if (ColorizeError.isInstance(err) && err.code === 'BACKEND_UNAVAILABLE') {
 *     await initBackend({ backend: 'wasm' });
 *   }
 * }
 * ```
 * @group Errors
 */
export class ColorizeError extends Error {
  /** Why it failed; see {@link ColorizeErrorCode}. */
  readonly code: ColorizeErrorCode;

  constructor(code: ColorizeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ColorizeError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Whether `value` is a `ColorizeError`, also one thrown by another installed copy of
   * `@colorize/core` (where `instanceof` gives false).
   */
  static isInstance(value: unknown): value is ColorizeError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }
}

/**
 * Builds the house message `"<fn>: expected <expected>, got <actual>."` and the error.
 *
 * @param code - the error code.
 * @param fn - the public function that rejects its input, e.g. `'rgbToLab'`.
 * @param expected - what was expected, e.g. `'an image of shape [h, w, 3] or [b, h, w, 3]'`.
 * @param actual - what came, already formatted (see {@link describeValue}).
 * @group Errors
 */
export function invalid(
  code: ColorizeErrorCode,
  fn: string,
  expected: string,
  actual: string,
  options?: { cause?: unknown },
): ColorizeError {
  return new ColorizeError(code, `${fn}: expected ${expected}, got ${actual}.`, options);
}

/**
 * Formats a value for an error message: shapes as `[2, 64, 64, 1]`, strings quoted, other
 * values by type.
 *
 * @group Errors
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.length <= 8 ? `[${value.map(describeValue).join(', ')}]` : `an array of ${value.length}`;
  }
  if (typeof value === 'function') return 'a function';
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}
