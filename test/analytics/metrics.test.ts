import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/core/ledger';
import { computeMetrics, equityCurve, planMetrics, validatePositiveEdge } from '../../src/analytics/metrics';
import { assertJsonSafe, DAY, HOUR, makeRow, pnlAt } from './ledger-fixture';

const T0 = Date.UTC(2024, 0, 1);
const OPTS = { initialCapital: 1000, fromMs: T0, toMs: T0 + 10 * DAY };

/**
 * Five round trips, one per day; trade k is held k hours, fees 1 + 1 each.
 *
 *  k  side   gross   fees  net   exit    liquidity (entry/exit)
 *  1  long    +32     2    +30   target  maker / maker
 *  2  short    −8     2    −10   stop    maker / taker
 *  3  long    +52     2    +50   target  maker / taker
 *  4  long    −38     2    −40   stop    taker / taker
 *  5  short    +2     2      0   time    taker / taker   (breakeven after fees)
 */
function fiveTrades(): LedgerRow[] {
  const spec: [LedgerRow['side'], number, LedgerRow['exitReason'], LedgerRow['entryLiquidity'], LedgerRow['exitLiquidity']][] = [
    ['long', 32, 'target', 'maker', 'maker'],
    ['short', -8, 'stop', 'maker', 'taker'],
    ['long', 52, 'target', 'maker', 'taker'],
    ['long', -38, 'stop', 'taker', 'taker'],
    ['short', 2, 'time', 'taker', 'taker'],
  ];
  return spec.map(([side, grossPnl, exitReason, entryLiquidity, exitLiquidity], i) => {
    const entryTime = T0 + i * DAY;
    return makeRow({
      side,
      entryTime,
      exitTime: entryTime + (i + 1) * HOUR,
      grossPnl,
      entryFee: 1,
      exitFee: 1,
      exitReason,
      entryLiquidity,
      exitLiquidity,
    });
  });
}

describe('computeMetrics: five-trade ledger by hand', () => {
  const rows = fiveTrades();
  const m = computeMetrics(rows, OPTS);

  it("the plan's set, net of fees", () => {
    // net = [30, −10, 50, −40, 0]; wins {30, 50}, losses {−10, −40}, breakeven {0}
    expect(m.trades).toBe(5);
    expect([m.winningTrades, m.losingTrades, m.breakevenTrades]).toEqual([2, 2, 1]);
    expect(m.winRate).toBe(0.4); //                2/5
    expect(m.avgWin).toBe(40); //                  (30 + 50)/2
    expect(m.avgLoss).toBe(25); //                 |(−10 − 40)/2|
    expect(m.riskReward).toBe(1.6); //             40/25
    expect(m.totalPnl).toBe(30); //                30 − 10 + 50 − 40 + 0
    expect(m.edgePerTrade).toBe(6); //             30/5
    expect(m.expectedValue).toBeCloseTo(1, 12); // 0.4·40 − 0.6·25 = 16 − 15
    // The plan's EV charges the breakeven trade as a loss:
    // edgePerTrade − EV = (breakevens/n)·avgLoss = 0.2·25 = 5.
    expect(m.edgePerTrade! - m.expectedValue!).toBeCloseTo(5, 12);
  });

  it('before fees', () => {
    // gross = [32, −8, 52, −38, 2]; wins {32, 52, 2}, losses {−8, −38}
    expect(m.grossPnl).toBe(40);
    expect(m.grossEdgePerTrade).toBe(8); //              40/5
    expect(m.winRateGross).toBe(0.6); //                 3/5
    expect(m.avgWinGross).toBeCloseTo(86 / 3, 12); //    (32 + 52 + 2)/3 = 28.667
    expect(m.avgLossGross).toBe(23); //                  (8 + 38)/2
    expect(m.expectedValueGross).toBeCloseTo(8, 12); //  0.6·86/3 − 0.4·23 = 17.2 − 9.2 (no breakevens: = edge)
    expect(m.feesPaid).toBe(10); //                      5 × (1 + 1) = grossPnl − totalPnl
  });

  it('activity', () => {
    expect(m.spanDays).toBe(10);
    expect(m.tradesPerDay).toBe(0.5); // 5 / 10 days
    expect(m.longTrades).toBe(3);
    expect(m.shortTrades).toBe(2);
    expect(m.exitReasons).toEqual({ signal: 0, stop: 2, target: 2, time: 1, end: 0 });
    expect(m.avgHoldMs).toBe(3 * HOUR); // (1 + 2 + 3 + 4 + 5)/5 hours
    expect(m.makerShare).toBe(0.4); //     4 maker fills of 10
  });

  it('equity, drawdown, returns', () => {
    // Equity: 1000 → 1030 → 1020 → 1070 → 1030 → 1030.
    // Peaks:  1000    1030   1030   1070   1070   1070
    // DD:        0       0  10/1030    0  40/1070  40/1070
    // maxDrawdown = max(0.0097087, 0.0373832) = 40/1070, maxDrawdownAbs = 40.
    expect(m.finalEquity).toBe(1030);
    expect(m.totalReturn).toBeCloseTo(0.03, 12);
    expect(m.maxDrawdown).toBeCloseTo(40 / 1070, 12);
    expect(m.maxDrawdownAbs).toBe(40);
    // 10-day span: monthly = 1.03^(30/10) − 1 = 1.092727 − 1
    expect(m.monthlyReturn).toBeCloseTo(1.03 ** 3 - 1, 12);
    expect(m.monthlyReturns).toHaveLength(1);
    expect(m.monthlyReturns[0].month).toBe('2024-01');
    expect(m.monthlyReturns[0].return).toBeCloseTo(0.03, 12);
  });

  it('Sharpe: hourly basis over 240 hours, equal to a brute-force recomputation', () => {
    expect(m.sharpeBasis).toBe('hourly');
    expect(m.sharpePeriods).toBe(240);
    // Independent recomputation: equity at each hour end = 1000 + Σ net of exits ≤ that instant.
    const eq = [1000];
    for (let h = 1; h <= 240; h++) {
      const end = T0 + h * HOUR;
      eq.push(1000 + rows.filter((r) => r.exitTime <= end).reduce((a, r) => a + r.netPnl, 0));
    }
    const ret = eq.slice(1).map((e, i) => e / eq[i] - 1);
    const mean = ret.reduce((a, b) => a + b, 0) / ret.length;
    const sd = Math.sqrt(ret.reduce((a, b) => a + (b - mean) ** 2, 0) / (ret.length - 1));
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(24 * 365), 9);
  });

  it('95% confidence intervals', () => {
    // Wilson 2/5 = [0.117621, 0.769276] (derived in stats.test.ts)
    expect(m.winRateCI![0]).toBeCloseTo(0.117621, 5);
    expect(m.winRateCI![1]).toBeCloseTo(0.769276, 5);
    // 6 ± t(0.975, 4)·√(1230/5) = 6 ± 2.776445·15.684387 = 6 ± 43.546840
    expect(m.edgePerTradeCI![0]).toBeCloseTo(-37.54684, 4);
    expect(m.edgePerTradeCI![1]).toBeCloseTo(49.54684, 4);
  });

  it('verdict with the default floor, and a configurable floor', () => {
    expect(m.evFloor).toBe(0.0005);
    expect(m.positiveEdge).toEqual({ ok: true, message: 'Positive edge confirmed' });
    const strict = computeMetrics(rows, { ...OPTS, evFloor: 2 });
    expect(strict.evFloor).toBe(2);
    expect(strict.positiveEdge).toEqual({ ok: false, message: 'EV too low: 1.0000' });
  });

  it('is JSON-safe and independent of row order', () => {
    assertJsonSafe(m);
    const shuffled = computeMetrics([rows[3], rows[0], rows[4], rows[2], rows[1]], OPTS);
    expect(shuffled.maxDrawdown).toBeCloseTo(m.maxDrawdown, 12);
    expect(shuffled.sharpe).toBeCloseTo(m.sharpe!, 12);
    expect(equityCurve(rows, 1000, T0).equity).toEqual([1000, 1030, 1020, 1070, 1030, 1030]);
  });
});

describe('computeMetrics: edge cases', () => {
  it('no trades: per-trade figures null, totals zero, JSON-safe', () => {
    const m = computeMetrics([], OPTS);
    expect(m.trades).toBe(0);
    for (const k of [
      'winRate', 'avgWin', 'avgLoss', 'riskReward', 'edgePerTrade', 'expectedValue',
      'grossEdgePerTrade', 'expectedValueGross', 'avgHoldMs', 'makerShare', 'winRateCI', 'edgePerTradeCI', 'sharpe',
    ] as const) {
      expect(m[k], k).toBeNull();
    }
    expect([m.totalPnl, m.grossPnl, m.feesPaid, m.tradesPerDay, m.totalReturn, m.maxDrawdown]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(m.monthlyReturn).toBe(0);
    expect(m.exitReasons).toEqual({ signal: 0, stop: 0, target: 0, time: 0, end: 0 });
    expect(m.positiveEdge).toEqual({ ok: false, message: 'Not enough trades' });
    assertJsonSafe(m);
  });

  it('all wins: avgLoss 0, riskReward null (plan: 0), EV = edge, Wilson upper 1', () => {
    const rows = [10, 20, 30].map((p, i) => pnlAt(T0 + (i + 1) * HOUR, p));
    const m = computeMetrics(rows, OPTS);
    expect(m.winRate).toBe(1);
    expect(m.avgWin).toBe(20);
    expect(m.avgLoss).toBe(0);
    expect(m.riskReward).toBeNull();
    expect(m.expectedValue).toBe(20); // 1·20 − 0·0
    expect(m.edgePerTrade).toBe(20);
    expect(m.maxDrawdown).toBe(0);
    expect(m.winRateCI![1]).toBe(1);
    expect(m.winRateCI![0]).toBeCloseTo(3 / (3 + 1.959963984540054 ** 2), 12);
    assertJsonSafe(m);
  });

  it('all losses: avgWin 0 and riskReward 0, as in the plan', () => {
    const m = computeMetrics([pnlAt(T0 + HOUR, -5), pnlAt(T0 + 2 * HOUR, -15)], OPTS);
    expect(m.avgWin).toBe(0);
    expect(m.avgLoss).toBe(10);
    expect(m.riskReward).toBe(0);
    expect(m.expectedValue).toBe(-10);
  });

  it('single trade: no t interval; short spans give no monthly extrapolation', () => {
    const m = computeMetrics([pnlAt(T0 + HOUR, 5)], { initialCapital: 1000, fromMs: T0, toMs: T0 + 12 * HOUR });
    expect(m.edgePerTradeCI).toBeNull();
    expect(m.winRateCI).not.toBeNull();
    expect(m.monthlyReturn).toBeNull(); // span < 1 day
    expect(m.totalReturn).toBeCloseTo(0.005, 12);
  });

  it('zero-length window: tradesPerDay null, no months', () => {
    const m = computeMetrics([], { initialCapital: 1000, fromMs: T0, toMs: T0 });
    expect(m.tradesPerDay).toBeNull();
    expect(m.monthlyReturns).toEqual([]);
    expect(m.sharpePeriods).toBe(0);
    assertJsonSafe(m);
  });

  it('equity wiped out: returns stay finite or null', () => {
    const m = computeMetrics([pnlAt(T0 + HOUR, -1500), pnlAt(T0 + DAY, 10)], OPTS);
    expect(m.totalReturn).toBeCloseTo(-1.49, 12);
    expect(m.monthlyReturn).toBeNull(); // negative equity: no compounded rate
    expect(m.sharpe).toBeNull();
    expect(m.maxDrawdown).toBeCloseTo(1.5, 12);
    assertJsonSafe(m);
  });

  it('rejects inputs that would produce NaN', () => {
    expect(() => computeMetrics([], { ...OPTS, initialCapital: 0 })).toThrow(RangeError);
    expect(() => computeMetrics([], { ...OPTS, toMs: T0 - 1 })).toThrow(RangeError);
    expect(() => computeMetrics([pnlAt(T0 + HOUR, Number.NaN)], OPTS)).toThrow(/row 0 netPnl/);
  });
});

describe("validatePositiveEdge: the plan's rules, each branch", () => {
  const verdict = (pnls: number[], floor?: number) =>
    validatePositiveEdge(computeMetrics(pnls.map((p, i) => pnlAt(T0 + (i + 1) * HOUR, p)), OPTS), floor);

  it('no trades → Not enough trades', () => {
    expect(verdict([])).toEqual({ ok: false, message: 'Not enough trades' });
  });
  it('edge ≤ 0 → Negative edge (4 dp)', () => {
    expect(verdict([-1, -2])).toEqual({ ok: false, message: 'Negative edge: -1.5000' });
    expect(verdict([5, -5])).toEqual({ ok: false, message: 'Negative edge: 0.0000' }); // exactly 0 fails too
  });
  it('EV ≤ floor → EV too low (4 dp), default floor 0.0005', () => {
    // edge = EV = 0.0003 > 0 but ≤ 0.0005
    expect(verdict([0.0003, 0.0003])).toEqual({ ok: false, message: 'EV too low: 0.0003' });
    // Positive edge (6) but the plan's EV is only 1 (breakeven charged as a loss)
    expect(validatePositiveEdge(computeMetrics(fiveTrades(), OPTS), 1)).toEqual({ ok: false, message: 'EV too low: 1.0000' });
  });
  it('otherwise → Positive edge confirmed; the floor is configurable', () => {
    expect(verdict([0.0003, 0.0003], 0.0001)).toEqual({ ok: true, message: 'Positive edge confirmed' });
    expect(verdict([10, -4, 6])).toEqual({ ok: true, message: 'Positive edge confirmed' });
  });
});

describe('planMetrics', () => {
  it('empty series', () => {
    expect(planMetrics([])).toMatchObject({ trades: 0, winRate: null, totalPnl: 0, expectedValue: null });
  });
});
