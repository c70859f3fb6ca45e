/** Where the command writes; the real process streams by default, buffers in tests. */
export interface CliIO {
  /** Writes normal output. Defaults to `process.stdout`. */
  out: (text: string) => void;
  /** Writes errors and diagnostics. Defaults to `process.stderr`. */
  err: (text: string) => void;
}

export function defaultIO(): CliIO {
  return { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
}
