import { describe, expect, it } from 'vitest';
import {
  annualisedSharpe,
  calendarMonthReturns,
  equityCurve,
  equitySharpe,
  maxDrawdown,
  periodReturns,
} from '../../src/analytics/equity';
import { DAY, HOUR, pnlAt } from './ledger-fixture';

const T0 = Date.UTC(2024, 0, 1);

describe('equityCurve', () => {
  it('starts at initial capital and steps by netPnl at each exit, in exit order', () => {
    // Rows deliberately out of order.
    const rows = [pnlAt(T0 + 3 * HOUR, -20), pnlAt(T0 + HOUR, 50), pnlAt(T0 + 2 * HOUR, 5)];
    expect(equityCurve(rows, 1000, T0)).toEqual({
      time: [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR],
      equity: [1000, 1050, 1055, 1035],
    });
    expect(equityCurve([], 1000, T0)).toEqual({ time: [T0], equity: [1000] });
  });
});

describe('maxDrawdown', () => {
  it('peak-to-trough, fraction and absolute maximised independently', () => {
    // 100 → 200 → 150 (dd 50 = 25% of 200) → 1000 → 900 (dd 100 = 10% of 1000)
    const dd = maxDrawdown([100, 200, 150, 1000, 900]);
    expect(dd.maxDrawdown).toBeCloseTo(0.25, 12);
    expect(dd.maxDrawdownAbs).toBe(100);
    expect(maxDrawdown([100, 110, 120])).toEqual({ maxDrawdown: 0, maxDrawdownAbs: 0 });
  });
});

describe('Sharpe on a hand-built equity path', () => {
  it('hourly: 3-hour span, returns +10%, −5%, +10% → √2920', () => {
    // Equity 1000 at T0; exits: 0.5 h +100 → 1100; 1.5 h −55 → 1045; 2.5 h +104.5 → 1149.5.
    // Hour-end equity 1100, 1045, 1149.5 → returns 0.10, −0.05, 0.10.
    // mean = 0.05; deviations 0.05, −0.10, 0.05; Σ² = 0.0025 + 0.01 + 0.0025 = 0.015;
    // sample variance 0.015/2 = 0.0075, sd = 0.0866025; mean/sd = 1/√3;
    // Sharpe = (1/√3) · √8760 = √2920 = 54.03702.
    const rows = [pnlAt(T0 + 0.5 * HOUR, 100), pnlAt(T0 + 1.5 * HOUR, -55), pnlAt(T0 + 2.5 * HOUR, 104.5)];
    const r = periodReturns(rows, 1000, T0, T0 + 3 * HOUR, HOUR)!;
    expect(r).toHaveLength(3);
    expect(r[0]).toBeCloseTo(0.1, 12);
    expect(r[1]).toBeCloseTo(-0.05, 12);
    expect(r[2]).toBeCloseTo(0.1, 12);
    const s = equitySharpe(rows, 1000, T0, T0 + 3 * HOUR);
    expect(s.basis).toBe('hourly');
    expect(s.periods).toBe(3);
    expect(s.sharpe).toBeCloseTo(Math.sqrt(2920), 9);
    expect(s.sharpe).toBeCloseTo(54.03702, 4);
  });

  it('daily: 30-day span, returns +10%, −5%, then 28 flat days', () => {
    // Day 1 exit +100 → 1100 (+10%); day 2 exit −55 → 1045 (−5%); 28 zero returns.
    // n = 30, mean = 0.05/30 = 1/600 = 0.00166667
    // Σ(r − mean)² = Σr² − n·mean² = (0.01 + 0.0025) − 30/360000 = 0.01241667
    // sd = √(0.01241667/29) = 0.0206920; Sharpe = (1/600)/0.0206920 · √365 = 1.538834
    const rows = [pnlAt(T0 + 12 * HOUR, 100), pnlAt(T0 + DAY + 12 * HOUR, -55)];
    const s = equitySharpe(rows, 1000, T0, T0 + 30 * DAY);
    expect(s.basis).toBe('daily');
    expect(s.periods).toBe(30);
    const mean = 1 / 600;
    const sd = Math.sqrt((0.0125 - 30 * mean * mean) / 29);
    expect(s.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 10);
    expect(s.sharpe).toBeCloseTo(1.538834, 5);
  });

  it('basis switches at 30 days; a partial last period counts', () => {
    expect(equitySharpe([], 1000, T0, T0 + 30 * DAY - 1).basis).toBe('hourly');
    expect(equitySharpe([], 1000, T0, T0 + 30 * DAY - 1).periods).toBe(720);
    expect(equitySharpe([], 1000, T0, T0 + 2.5 * HOUR).periods).toBe(3);
    // An exit in the partial last half hour lands in the third return.
    const r = periodReturns([pnlAt(T0 + 2.25 * HOUR, 10)], 1000, T0, T0 + 2.5 * HOUR, HOUR)!;
    expect(r[2]).toBeCloseTo(0.01, 12);
  });

  it('exits at a period end count in that period', () => {
    const r = periodReturns([pnlAt(T0 + HOUR, 10)], 1000, T0, T0 + 2 * HOUR, HOUR)!;
    expect(r[0]).toBeCloseTo(0.01, 12);
    expect(r[1]).toBe(0);
  });

  it('null when undefined: < 2 periods, zero variance, flat curve, ruin', () => {
    expect(annualisedSharpe([0.01], 365)).toBeNull();
    expect(annualisedSharpe([0.01, 0.01, 0.01], 365)).toBeNull();
    expect(equitySharpe([], 1000, T0, T0 + 5 * DAY).sharpe).toBeNull(); // flat
    expect(equitySharpe([pnlAt(T0 + HOUR / 2, 10)], 1000, T0, T0 + HOUR).sharpe).toBeNull(); // 1 period
    // Equity hits 0 in hour 1, so hour 2's return is undefined.
    const ruin = [pnlAt(T0 + HOUR / 2, -1000), pnlAt(T0 + 1.5 * HOUR, 10)];
    expect(periodReturns(ruin, 1000, T0, T0 + 3 * HOUR, HOUR)).toBeNull();
    expect(equitySharpe(ruin, 1000, T0, T0 + 3 * HOUR).sharpe).toBeNull();
  });
});

describe('calendarMonthReturns', () => {
  it('UTC calendar months, partial at the edges, compounding to the total', () => {
    const from = Date.UTC(2024, 0, 15);
    const to = Date.UTC(2024, 2, 10);
    // Jan 20 +100 → 1100 (+10%); Feb 10 −110 → 990 (−10%); Mar 5 +99 → 1089 (+10%).
    const rows = [pnlAt(Date.UTC(2024, 0, 20), 100), pnlAt(Date.UTC(2024, 1, 10), -110), pnlAt(Date.UTC(2024, 2, 5), 99)];
    const m = calendarMonthReturns(rows, 1000, from, to);
    expect(m.map((x) => x.month)).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(m[0].return).toBeCloseTo(0.1, 12);
    expect(m[1].return).toBeCloseTo(-0.1, 12);
    expect(m[2].return).toBeCloseTo(0.1, 12);
    const compounded = m.reduce((acc, x) => acc * (1 + x.return!), 1) - 1;
    expect(compounded).toBeCloseTo(1089 / 1000 - 1, 12);
  });

  it('an exit at 00:00 on the 1st belongs to the new month; no empty trailing month; year rollover', () => {
    const from = Date.UTC(2023, 11, 20);
    const to = Date.UTC(2024, 1, 1); // ends exactly at Feb 1 00:00
    const m = calendarMonthReturns([pnlAt(Date.UTC(2024, 0, 1), 50)], 1000, from, to);
    expect(m.map((x) => x.month)).toEqual(['2023-12', '2024-01']);
    expect(m[0].return).toBe(0);
    expect(m[1].return).toBeCloseTo(0.05, 12);
    expect(calendarMonthReturns([], 1000, from, from)).toEqual([]);
  });
});
