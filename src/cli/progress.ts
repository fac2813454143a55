/** Progress on stderr: a redrawn bar with rate and ETA on a terminal, plain periodic lines otherwise. */

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private readonly start = performance.now();
  private lastLine = 0;
  private doneHere = 0;

  constructor(
    private readonly total: number,
    private done: number,
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
    private readonly label = 'eval',
  ) {}

  tick(): void {
    this.done++;
    this.doneHere++;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = this.doneHere / elapsed;
    const eta = (this.total - this.done) / rate;
    const pct = (100 * this.done) / this.total;
    if (this.tty) {
      const width = 30,
        filled = Math.round((width * this.done) / this.total);
      this.write(
        `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${pct.toFixed(1)}% ` +
          `${rate.toFixed(2)}/s ETA ${duration(eta)}   ` +
          (this.done === this.total ? '\n' : ''),
      );
    } else if (performance.now() - this.lastLine > 10_000 || this.done === this.total) {
      this.lastLine = performance.now();
      this.write(`${this.label}: ${this.done}/${this.total} (${pct.toFixed(0)}%), ${rate.toFixed(2)} per s, ETA ${duration(eta)}\n`);
    }
  }
}
