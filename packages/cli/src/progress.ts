/** A one-line progress bar for a terminal; on anything else, it prints nothing until `done`. */
export class ProgressBar {
  private readonly started = performance.now();
  private last = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly label: string,
    private readonly tty: boolean,
  ) {}

  /** Shows `done` of `total`, with a short status text and the ETA. */
  update(done: number, status = ''): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(this.total, 1));
    const elapsed = (now - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    this.write(`\r\x1b[2K${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${status} ${Number.isFinite(eta) ? `eta ${formatSeconds(eta)}` : ''}`);
  }

  /** Clears the bar. */
  done(): void {
    if (this.tty) this.write('\r\x1b[2K');
  }
}

/** 75 → "1m15s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
