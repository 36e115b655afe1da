/**
 * A progress bar with rate and ETA on stderr. Redraws in place on a TTY (at most ~10×/s);
 * elsewhere prints a plain line every ~5 s so CI logs stay short.
 */
export interface ProgressOptions {
  total: number;
  label?: string;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Force (true) or suppress (false) output; default: on unless ROBOFM_PROGRESS=0. */
  enabled?: boolean;
}

export class ProgressBar {
  private done = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private status = '';
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly tty: boolean;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = opts.enabled ?? process.env.ROBOFM_PROGRESS !== '0';
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Advance by `n` and optionally set a short status text (e.g. `loss=0.12`). */
  tick(n = 1, status?: string): void {
    this.done += n;
    if (status !== undefined) this.status = status;
    const now = performance.now();
    if (now - this.lastDraw >= (this.tty ? 100 : 5000) || this.done >= this.opts.total) this.draw(now);
  }

  get count(): number {
    return this.done;
  }

  /** Elapsed seconds since creation. */
  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  finish(status?: string): void {
    if (status !== undefined) this.status = status;
    this.draw(performance.now(), true);
  }

  render(now = performance.now()): string {
    const { total, label = '', unit = 'it' } = this.opts;
    const secs = Math.max(1e-9, (now - this.start) / 1000);
    const rate = this.done / secs;
    const frac = total > 0 ? Math.min(1, this.done / total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const eta = rate > 0 ? Math.max(0, (total - this.done) / rate) : Number.NaN;
    return `${label ? `${label} ` : ''}${bar} ${this.done}/${total} ${(frac * 100).toFixed(0)}% ${formatRate(rate)} ${unit}/s elapsed ${formatDuration(secs)} eta ${formatDuration(eta)}${this.status ? ` ${this.status}` : ''}`;
  }

  private draw(now: number, final = false): void {
    this.lastDraw = now;
    if (!this.enabled) return;
    const line = this.render(now);
    if (this.tty) this.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}

function formatRate(r: number): string {
  if (r >= 100) return r.toFixed(0);
  if (r >= 1) return r.toFixed(1);
  return r.toFixed(3);
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}
