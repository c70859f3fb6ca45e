/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Parses a positive integer flag value. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects an integer ≥ ${min}, got "${value}".`);
  return n;
}

/** Parses a finite number flag value. */
export function numberFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} expects a number ≥ ${min}, got "${value}".`);
  return n;
}
