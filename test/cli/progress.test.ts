import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createProgress, formatSeconds, perStrategyProgress, progressCallback, progressText } from '../../src/cli/progress';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 200;
  return { stream, text: () => chunks.join('') };
}

describe('progress reporter', () => {
  test('status text: percentage, count, rate, elapsed and ETA by hand', () => {
    // 4 of 10 configs in 2 s: 2 configs/s, 6 left at 0.5 s each = 3 s.
    expect(progressText(4, 10, 2000, 'configs')).toBe('40% 4/10 configs, 2.0 configs/s, 2.0 s elapsed, ETA 3.0 s');
    // No unit: percentage only; extra appended. 5% after 1 s → 19 s more.
    expect(progressText(50, 1000, 1000, '', '3 pages')).toBe('5.0%, 1.0 s elapsed, ETA 19 s, 3 pages');
    expect(progressText(0, 10, 0, 'rows')).toBe('0.0% 0/10 rows, — rows/s, 0.0 s elapsed, ETA —');
    expect(formatSeconds(125)).toBe('2 min 05 s');
    expect(formatSeconds(3720)).toBe('1 h 02 min');
  });

  test('not a TTY: a start line, a line per further 10% or per silence of plainEveryMs, one end line', () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress({ stream: out.stream, unit: 'rows', now: () => t, plainEveryMs: 10_000 });
    p.start(1000, 'backtest V1');
    for (let d = 1; d <= 999; d++) {
      t += 1; // 1 ms per row: no line from the clock, only from the deciles
      p.update(d);
    }
    p.update(1000);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('backtest V1: started, 1,000 rows');
    // deciles 10%..90% (100% is left to stop): 9 lines, then the end line
    expect(lines.length).toBe(1 + 9 + 1);
    expect(lines[1]).toMatch(/^backtest V1: 10% 100\/1,000 rows, /);
    expect(lines[10]).toBe('backtest V1: 100% 1,000/1,000 rows, 1001 rows/s, 1.0 s elapsed, ETA 0.0 s'); // 1000 rows in 999 ms
    expect(out.text()).not.toContain('\r');
  });

  test('not a TTY: a slow task still prints after plainEveryMs without a new decile', () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress({ stream: out.stream, unit: 'configs', now: () => t, plainEveryMs: 10_000 });
    p.start(1000, 'sweep');
    t = 9_999;
    p.update(5);
    t = 10_000;
    p.update(6);
    t = 15_000;
    p.update(7);
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^sweep: 0\.6% 6\/1,000 configs/);
  });

  test('--quiet prints nothing; progressCallback starts the task on the first call', () => {
    const out = sink(false);
    const q = createProgress({ quiet: true, stream: out.stream });
    const cb = progressCallback(q, 'x');
    cb(1, 2);
    q.stop();
    expect(out.text()).toBe('');
    const out2 = sink(false);
    const p = createProgress({ stream: out2.stream, unit: 'configs', now: () => 0 });
    const cb2 = progressCallback(p, 'calibrate V1');
    cb2(1, 4);
    cb2(2, 4);
    p.stop();
    expect(out2.text().split('\n')[0]).toBe('calibrate V1: started, 4 configs');
    expect(out2.text().trim().split('\n').at(-1)).toMatch(/^calibrate V1: 50% 2\/4 configs/);
  });

  test('a TTY: cli-progress redraws one line in place with the bar, ending with a newline', () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress({ stream: out.stream, unit: 'rows', now: () => t });
    p.start(100, 'backtest V2');
    t = 1000;
    p.update(50);
    t = 2000;
    p.update(100);
    p.stop();
    const s = out.text();
    expect(s).toContain('backtest V2 ████████████████████████ 100% 100/100 rows, 50 rows/s, 2.0 s elapsed, ETA 0.0 s');
    expect(s.endsWith('\n')).toBe(true);
    // redrawn in place: the cursor goes back to column 0 (ESC [ 1 G / ESC [ 0 G) rather than new lines per update
    expect(s.split('\n').length).toBeLessThanOrEqual(3);
  });

  test('perStrategyProgress: one task per strategy, each with its own total and label', () => {
    const out = sink(false);
    const p = createProgress({ stream: out.stream, unit: 'rows', now: () => 0 });
    const cb = perStrategyProgress(p, 'backtest');
    cb('V1', 50, 100);
    cb('V1', 100, 100);
    cb('V4', 10, 20);
    p.stop();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('backtest V1: started, 100 rows');
    expect(lines).toContain('backtest V4: started, 20 rows');
    // V1 ends with its own final line when V4 starts
    expect(lines[lines.indexOf('backtest V4: started, 20 rows') - 1]).toMatch(/^backtest V1: 100% 100\/100 rows/);
    expect(lines.at(-1)).toMatch(/^backtest V4: 50% 10\/20 rows/);
  });
});
