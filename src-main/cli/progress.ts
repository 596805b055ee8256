/**
 * A progress bar on stderr for long commands: redrawn in place on a terminal, a line every few seconds
 * otherwise (logs, CI). stdout stays clean for reports.
 */
export class ProgressBar {
  private lastLineMs = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** `fraction` in [0, 1], or null when the total is unknown. */
  update(fraction: number | null, detail: string): void {
    const now = this.now();
    if (this.stream.isTTY) {
      if (now - this.lastLineMs < 100) return;
      this.lastLineMs = now;
      const width = 30;
      const bar =
        fraction === null ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(1).padStart(5)} % `;
      this.stream.write(`\r\x1b[2K${this.label} ${bar}${detail}`);
      this.drawn = true;
    } else if (now - this.lastLineMs >= 5000) {
      this.lastLineMs = now;
      this.stream.write(`${this.label} ${fraction === null ? '' : `${(fraction * 100).toFixed(1)} % `}${detail}\n`);
    }
  }

  done(detail: string): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${this.label} ${detail}\n`);
  }
}

/** `90s`, `10m`, `2h`, `1h30m`, or plain seconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) {
    if (!(Number(text) > 0)) throw new RangeError(`duration ${JSON.stringify(text)} is zero: give a positive duration, or none to run until Ctrl-C`);
    return Number(text) * 1000;
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '' || (!match[1] && !match[2] && !match[3])) {
    throw new RangeError(`cannot read duration ${JSON.stringify(text)}: use e.g. 90s, 10m, 2h or 1h30m`);
  }
  const ms = ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
  if (!(ms > 0)) throw new RangeError(`duration ${JSON.stringify(text)} is zero: give a positive duration, or none to run until Ctrl-C`);
  return ms;
}

/** An ISO 8601 time (`2026-11-21T12:00:00Z`) or epoch milliseconds. */
export function parseTime(text: string): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new RangeError(`cannot read time ${JSON.stringify(text)}: use ISO 8601 (2026-11-21T12:00:00Z) or epoch ms`);
  }
  return ms;
}
