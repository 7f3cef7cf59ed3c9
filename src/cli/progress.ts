// A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise (CI logs).
export class ProgressBar {
  private lastTenth = -1;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, loss: number): void {
    const frac = done / this.total;
    const text = `epoch ${done}/${this.total}  loss ${loss.toFixed(6)}`;
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round(frac * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${text}`);
      if (done === this.total) this.stream.write('\n');
      return;
    }
    const tenth = Math.floor(frac * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${(frac * 100).toFixed(0).padStart(3)}%  ${text}\n`);
    }
  }
}
