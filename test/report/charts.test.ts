import { describe, expect, it } from 'vitest';
import { dailyBuckets, equityFromTrades, rMultiples, rollingWinRate, thinSeries, underwater } from '../../src/report/charts';
import { bps, interval, money, pct } from '../../src/report/format';

describe('chart series', () => {
  it('thinning keeps the first and last point and the deepest trough, and never more than the cap', () => {
    const n = 100_000;
    const x = Array.from({ length: n }, (_, i) => i);
    // A slow drift with one sharp 1-point crash in the middle: thinning must not lose it.
    const y = x.map((i) => Math.sin(i / 5000) + (i === 54_321 ? -50 : 0));
    const t = thinSeries(x, y, 1500);
    expect(t.x.length).toBeLessThanOrEqual(1500);
    expect(t.x[0]).toBe(0);
    expect(t.x[t.x.length - 1]).toBe(n - 1);
    expect(Math.min(...t.y)).toBe(y[54_321]);
    expect(Math.max(...t.y)).toBe(Math.max(...y));
    for (let k = 1; k < t.x.length; k++) expect(t.x[k]).toBeGreaterThan(t.x[k - 1]);
    const short = thinSeries([1, 2, 3], [3, 2, 1]);
    expect(short).toEqual({ x: [1, 2, 3], y: [3, 2, 1] });
  });

  it('equity, underwater, daily buckets and R-multiples by hand', () => {
    const trades = [
      { exitTime: Date.UTC(2024, 0, 1, 10), netPnl: 2 },
      { exitTime: Date.UTC(2024, 0, 1, 12), netPnl: -1 },
      { exitTime: Date.UTC(2024, 0, 3, 1), netPnl: -3 },
      { exitTime: Date.UTC(2024, 0, 3, 2), netPnl: 4 },
    ];
    const e = equityFromTrades('A', trades, 10, Date.UTC(2024, 0, 1));
    expect(e.equity).toEqual([10, 12, 11, 8, 12]);
    expect(underwater(e.equity)).toEqual([0, 0, -1, -4, 0]);
    const b = dailyBuckets({ A: trades });
    expect(b.days).toEqual(['2024-01-01', '2024-01-03']);
    expect(b.pnl.A).toEqual([1, 1]);
    expect(b.count.A).toEqual([2, 2]);
    // Average loss = (1 + 3) / 2 = 2, so +2 → 1 R, −1 → −0.5 R, −3 → −1.5 R, +4 → 2 R.
    expect(rMultiples(trades.map((t) => t.netPnl))).toEqual([1, -0.5, -1.5, 2]);
  });

  it('rolling win rate over the last k trades with its Wilson band', () => {
    const pnl = [1, -1, 1, 1, -1, -1, 1, 1];
    const trades = pnl.map((p, i) => ({ exitTime: i * 1000, netPnl: p }));
    const r = rollingWinRate(trades, 4);
    expect(r.rate).toEqual([3 / 4, 2 / 4, 2 / 4, 2 / 4, 2 / 4]);
    // Wilson 95% for 2 of 4 (z = 1.959964): centre 0.5, half-width z·√(0.25/4 + z²/64) / (1 + z²/4).
    const z = 1.959963984540054;
    const half = (z * Math.sqrt(0.25 / 4 + (z * z) / 64)) / (1 + (z * z) / 4);
    expect(r.lo[1]).toBeCloseTo(0.5 - half, 9);
    expect(r.hi[1]).toBeCloseTo(0.5 + half, 9);
  });
});

describe('the one number formatter', () => {
  it('prints missing values as a dash and signs with a typographic minus', () => {
    expect(money(-0.00571)).toBe('−$0.0057');
    expect(money(12.345)).toBe('$12.35');
    expect(money(null)).toBe('—');
    expect(money(NaN)).toBe('—');
    expect(pct(0.2731)).toBe('27.3%');
    expect(pct(-0.12)).toBe('−12.0%');
    expect(bps(5)).toBe('+5.0 bps');
    expect(bps(-3.04)).toBe('−3.0 bps');
    expect(interval([-0.0102, -0.0012], (x) => money(x))).toBe('[−$0.0102, −$0.0012]');
    expect(interval(null, (x) => money(x))).toBe('—');
  });
});
