/**
 * The one progress reporter of every long command (backtest on big tapes,
 * calibrate sweeps, fetch, distributed sweeps).
 *
 * Policy, chosen once here:
 * - Always on stderr, so stdout stays the command's result (pipeable).
 * - On a TTY: one bar redrawn in place by `cli-progress` (bar, %, count,
 *   rate, elapsed, ETA).
 * - Not a TTY (CI logs, `2> file`): plain lines, not a redrawn bar — one at
 *   the start, then at most one every `plainEveryMs` (default 10 s) or every
 *   further 10 % of the total, whichever comes first, and one at the end. A log
 *   stays short yet shows a stuck run.
 * - `--quiet` silences it (every long command has the flag); a non-TTY is not
 *   silenced, since CI logs are where a slow run needs its progress.
 *
 * The interface is small on purpose (start / update / stop), so any producer
 * — an engine callback, a sweep pool, a queue of remote workers — can feed it.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressReporter {
  /** Begin a task of `total` units (rows, configs, …) called `label`. Stops any task still running. */
  start(total: number, label: string): void;
  /** `done` units finished so far (absolute, not an increment); `extra` is appended to the line. */
  update(done: number, extra?: string): void;
  /** End the task: prints the final state (a newline on a TTY, a last line otherwise). */
  stop(): void;
}

export interface ProgressOptions {
  /** Print nothing (the `--quiet` flag). */
  quiet?: boolean;
  /** What is counted ('rows', 'configs'); '' shows the percentage only (no count, no rate). Default ''. */
  unit?: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Overrides the stream's own TTY test (tests). */
  tty?: boolean;
  /** Clock in ms (tests inject one; the CLI reads the wall clock — progress is presentation, not a result). */
  now?: () => number;
  /** Non-TTY: the longest silence between two lines while work advances. Default 10 000 ms. */
  plainEveryMs?: number;
}

const SILENT: ProgressReporter = { start() {}, update() {}, stop() {} };

/** `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function rateText(r: number): string {
  if (!Number.isFinite(r)) return '—';
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`;
  if (r >= 1e4) return `${(r / 1e3).toFixed(0)}k`;
  return r >= 10 ? r.toFixed(0) : r.toFixed(1);
}

/**
 * The status text shared by both renderings, e.g.
 * `40% 4/10 configs, 2.1 configs/s, 1.9 s elapsed, ETA 2.9 s`.
 */
export function progressText(done: number, total: number, elapsedMs: number, unit: string, extra?: string): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const secs = elapsedMs / 1000;
  const eta = done > 0 && done < total ? (secs / done) * (total - done) : done >= total ? 0 : NaN;
  const parts = [`${(frac * 100).toFixed(frac < 0.1 ? 1 : 0)}%`];
  if (unit) {
    parts[0] += ` ${count(done)}/${count(total)} ${unit}`;
    parts.push(`${secs > 0 ? rateText(done / secs) : '—'} ${unit}/s`);
  }
  parts.push(`${formatSeconds(secs)} elapsed`);
  parts.push(`ETA ${formatSeconds(eta)}`);
  if (extra) parts.push(extra);
  return parts.join(', ');
}

export function createProgress(opts: ProgressOptions = {}): ProgressReporter {
  if (opts.quiet) return SILENT;
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const now = opts.now ?? Date.now;
  const unit = opts.unit ?? '';
  return tty ? ttyReporter(stream, unit, now) : plainReporter(stream, unit, now, opts.plainEveryMs ?? 10_000);
}

function plainReporter(stream: NodeJS.WritableStream, unit: string, now: () => number, everyMs: number): ProgressReporter {
  let label = '';
  let total = 0;
  let t0 = 0;
  let active = false;
  let lastAt = 0;
  let lastDecile = -1;
  let done = 0;
  let extra: string | undefined;
  const line = () => stream.write(`${label}: ${progressText(done, total, now() - t0, unit, extra)}\n`);
  return {
    start(n, l) {
      if (active) this.stop();
      label = l;
      total = n;
      t0 = lastAt = now();
      done = 0;
      extra = undefined;
      lastDecile = 0;
      active = true;
      stream.write(`${label}: started, ${unit ? `${count(total)} ${unit}` : 'running'}\n`);
    },
    update(d, x) {
      if (!active) return;
      done = d;
      extra = x;
      const decile = total > 0 ? Math.floor((10 * d) / total) : 10;
      const t = now();
      if (d >= total) return; // the end line is stop()'s
      if (decile > lastDecile || t - lastAt >= everyMs) {
        lastDecile = Math.max(lastDecile, decile);
        lastAt = t;
        line();
      }
    },
    stop() {
      if (!active) return;
      active = false;
      line();
    },
  };
}

function ttyReporter(stream: NodeJS.WritableStream, unit: string, now: () => number): ProgressReporter {
  let label = '';
  let total = 0;
  let t0 = 0;
  let done = 0;
  let extra: string | undefined;
  let bar: SingleBar | null = null;
  const width = 24;
  const format = () => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(width * frac);
    return `${label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${progressText(done, total, now() - t0, unit, extra)}`;
  };
  return {
    start(n, l) {
      if (bar) this.stop();
      label = l;
      total = n;
      done = 0;
      extra = undefined;
      t0 = now();
      // cli-progress owns the terminal work: throttled redraws, line clearing, cursor, width.
      bar = new SingleBar({ stream, format, fps: 5, hideCursor: false, clearOnComplete: false, linewrap: false, gracefulExit: true });
      bar.start(Math.max(1, n), 0);
    },
    update(d, x) {
      if (!bar) return;
      done = d;
      extra = x;
      bar.update(Math.min(d, Math.max(1, total)));
    },
    stop() {
      if (!bar) return;
      bar.update(Math.min(done, Math.max(1, total)));
      bar.stop(); // draws the final state and ends the line
      bar = null;
    },
  };
}

/**
 * Adapts a reporter to the library's `onProgress(done, total)` callbacks
 * (engine, sweeps): starts the task on the first call. Call `stop()` on the
 * reporter when the work returns.
 */
export function progressCallback(reporter: ProgressReporter, label: string): (done: number, total: number) => void {
  let started = false;
  return (done, total) => {
    if (!started) {
      reporter.start(total, label);
      started = true;
    }
    reporter.update(done);
  };
}

/**
 * Adapts a reporter to the runners' per-strategy `onProgress(id, done, total)`
 * (strategies run one after another): a new task per strategy, labelled
 * `<prefix> <id>`. Call `stop()` on the reporter when the run returns.
 */
export function perStrategyProgress(reporter: ProgressReporter, prefix: string): (id: string, done: number, total: number) => void {
  let running: string | null = null;
  return (id, done, total) => {
    if (id !== running) {
      reporter.start(total, `${prefix} ${id}`);
      running = id;
    }
    reporter.update(done);
  };
}
