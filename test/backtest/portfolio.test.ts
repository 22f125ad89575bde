/**
 * Portfolio mode: the unit-notional replay against one capital pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replayPortfolio, type PortfolioLeg } from '../../src/backtest/portfolio';
import { PLAN_ALLOCATIONS, resolveAllocations, runPortfolio } from '../../src/run/portfolio';
import { parseAllocations } from '../../src/cli/portfolio';
import { tapeMarkPrice } from '../../src/data/tape';
import type { LedgerRow } from '../../src/core/ledger';
import { runBacktest } from '../../src/run/run';
import { loadBars } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { PLAN_STRATEGY_IDS } from '../../src/strategies/registry';
import { UserError } from '../../src/util/errors';
import { bars as makeBars, ticks } from '../helpers/tapes';
import { edgelab } from '../helpers/cli';

const H = 3_600_000;
const D = 24 * H;
const D0 = Date.UTC(2024, 0, 1);

/** A round trip at notional 1 (qty = 1 / entryPrice) with fee rates on each leg's traded value. */
function unitRow(strategy: string, side: 'long' | 'short', entryTime: number, entryPrice: number, exitTime: number, exitPrice: number, feeRate = 0): LedgerRow {
  const qty = 1 / entryPrice;
  const sgn = side === 'long' ? 1 : -1;
  const entryFee = entryPrice * qty * feeRate;
  const exitFee = exitPrice * qty * feeRate;
  const grossPnl = sgn * (exitPrice - entryPrice) * qty;
  return {
    strategy,
    side,
    entryTime,
    entryPrice,
    exitTime,
    exitPrice,
    qty,
    stopPrice: null,
    targetPrice: null,
    entryFee,
    exitFee,
    entryLiquidity: 'taker',
    exitLiquidity: 'taker',
    grossPnl,
    netPnl: grossPnl - entryFee - exitFee,
    exitReason: 'signal',
    holdMs: exitTime - entryTime,
    exitDelayedBy: null,
    blockedSignals: 0,
    blockedBy: null,
    capitalAfter: 0,
    entryIndex: 0,
    exitIndex: 0,
    entryIso: new Date(entryTime).toISOString(),
    exitIso: new Date(exitTime).toISOString(),
  };
}

describe('replayPortfolio: a two-strategy case computed by hand', () => {
  // One price tape (for the marks): 100 from D0 00:00, 120 at 06:00, 110 at 18:00, 132 at D2 06:00.
  const tape = ticks(
    [
      [0, 100],
      [6 * 3600, 120],
      [18 * 3600, 110],
      [54 * 3600, 132],
      [100 * 3600, 132],
    ],
    D0,
  );
  // A (target 40%): long D0 01:00 @100 → D0 06:00 @120, no fees (unit net +0.2);
  //                 long D2 01:00 @110 → D3 12:00 @132, no fees (unit net +0.2).
  // B (target 60%): short D0 02:00 @100 → D1 12:00 @110, fee 0.04% per leg:
  //                 unit gross −0.1, fees 0.0004 + 0.00044, unit net −0.10084.
  const legs: PortfolioLeg[] = [
    { id: 'A', weight: 0.4, unitLedger: [unitRow('A', 'long', D0 + 1 * H, 100, D0 + 6 * H, 120), unitRow('A', 'long', D0 + 2 * D + H, 110, D0 + 3 * D + 12 * H, 132)] },
    { id: 'B', weight: 0.6, unitLedger: [unitRow('B', 'short', D0 + 2 * H, 100, D0 + D + 12 * H, 110, 0.0004)] },
  ];
  const opts = { capital: 100, fromMs: D0, toMs: D0 + 4 * D + 6 * H, markPrice: tapeMarkPrice(tape) };
  const res = replayPortfolio(legs, opts);

  it('sizes each trade from its sleeve and realises N × unit net P&L', () => {
    // Sleeves start at A 40, B 60. A's first trade: N = 40 → +8 → A = 48. B: N = 60.
    // B exits at D1 12:00 after the D1 rebalance topped it up to 67.2096 (its position stays N = 60):
    //   60 × −0.10084 = −6.0504 → B = 61.1592.
    // A's second trade enters at D2 01:00 with the rebalanced A = 40.7904: +0.2 × 40.7904 = +8.15808.
    expect(res.trades.map((t) => [t.strategy, t.notional])).toEqual([
      ['A', 40],
      ['B', 60],
      ['A', expect.closeTo(40.7904, 10)],
    ]);
    expect(res.trades[0].netPnl).toBeCloseTo(8, 12);
    expect(res.trades[1].netPnl).toBeCloseTo(-6.0504, 12);
    expect(res.trades[1].entryFee).toBeCloseTo(60 * 0.0004, 12);
    expect(res.trades[1].qty).toBeCloseTo(0.6, 12);
    expect(res.trades[2].netPnl).toBeCloseTo(8.15808, 10);
    expect(res.sleeves.A.pnl).toBeCloseTo(16.15808, 10);
    expect(res.sleeves.B.pnl).toBeCloseTo(-6.0504, 10);
    expect(res.sleeves.A.contribution + res.sleeves.B.contribution).toBeCloseTo(res.totalReturn, 12);
  });

  it('marks open positions to market and rebalances at the drift band, logging the trigger', () => {
    // D1 00:00 check, price 110. A flat: 48. B short open, N = 60:
    //   60 + 60 × (−(110 − 100)/100 − 0.0004) = 53.976. Total 101.976.
    //   wA = 0.470698 → drift +17.67% > 10% (largest); wB = 0.529302 → drift −11.78%.
    //   Targets: A 40.7904, B 61.1856; A (flat) gives 7.2096 to B. Weights after: exactly 40/60.
    // D2 00:00: A 40.7904, B 61.1592 (after its exit), wA = 0.400103 → drift +0.03%: no rebalance.
    // D3 00:00, price 132. A long open, N = 40.7904: 40.7904 × 1.2 = 48.94848; B 61.1592; total 110.10768.
    //   wA = 0.444558 → drift +11.14% > 10%. A must give 4.905408 but its free cash is
    //   40.7904 − N = 0: nothing moves (limited by the open position); weights unchanged.
    // D4 00:00: A has exited (48.94848), same weights → A gives 4.905408: A 44.043072, B 66.064608.
    expect(res.checks.map((c) => [new Date(c.time).toISOString(), c.rebalanced])).toEqual([
      ['2024-01-02T00:00:00.000Z', true],
      ['2024-01-03T00:00:00.000Z', false],
      ['2024-01-04T00:00:00.000Z', true],
      ['2024-01-05T00:00:00.000Z', true],
    ]);
    expect(res.checks[1].maxDrift).toBeCloseTo(40.7904 / 101.9496 / 0.4 - 1, 12); // ≈ 0.00026
    expect(res.rebalances).toHaveLength(3);
    const [r1, r2, r3] = res.rebalances;
    expect(r1.iso).toBe('2024-01-02T00:00:00.000Z');
    expect(r1.strategy).toBe('A');
    expect(r1.drift).toBeCloseTo(48 / 101.976 / 0.4 - 1, 12);
    expect(r1.drifted.map((d) => d.id)).toEqual(['A', 'B']);
    expect(r1.drifted[1].drift).toBeCloseTo(53.976 / 101.976 / 0.6 - 1, 12);
    expect(r1.trigger).toMatch(/^A weight 47\.1% vs target 40\.0% \(drift \+17\.7% > 10\.0%\); also B -11\.8%/);
    expect(r1.weightsBefore.A).toBeCloseTo(48 / 101.976, 12); // 0.470699
    expect(r1.weightsAfter.A).toBeCloseTo(0.4, 12);
    expect(r1.weightsAfter.B).toBeCloseTo(0.6, 12);
    expect(r1.transfers.A).toBeCloseTo(-7.2096, 10);
    expect(r1.transfers.B).toBeCloseTo(7.2096, 10);
    expect(r1.limitedByOpenPositions).toBe(false);
    expect(r1.equity).toBeCloseTo(101.976, 10);

    expect(r2.iso).toBe('2024-01-04T00:00:00.000Z');
    expect(r2.strategy).toBe('A');
    expect(r2.drift).toBeCloseTo(48.94848 / 110.10768 / 0.4 - 1, 12);
    expect(r2.drifted.map((d) => d.id)).toEqual(['A']);
    expect(r2.moved).toBe(0);
    expect(r2.limitedByOpenPositions).toBe(true);
    expect(r2.weightsAfter.A).toBeCloseTo(r2.weightsBefore.A, 12);

    expect(r3.iso).toBe('2024-01-05T00:00:00.000Z');
    expect(r3.moved).toBeCloseTo(4.905408, 10);
    expect(r3.limitedByOpenPositions).toBe(false);
    expect(res.sleeves.A.finalValue).toBeCloseTo(44.043072, 10);
    expect(res.sleeves.B.finalValue).toBeCloseTo(66.064608, 10);
    expect(res.sleeves.A.transfersIn).toBeCloseTo(-7.2096 - 4.905408, 10);
    expect(res.sleeves.A.transfersIn + res.sleeves.B.transfersIn).toBeCloseTo(0, 12);
  });

  it('the portfolio equity curve and daily returns', () => {
    // At A's exit (D0 06:00, price 120) B is marked at 60 + 60 × (−0.2 − 0.0004) = 47.976: total 95.976,
    // the only drawdown (from 100): 4.024%.
    const pts = res.equity.time.map((t, k) => [new Date(t).toISOString().slice(0, 16), res.equity.event[k], +res.equity.equity[k].toFixed(8)]);
    expect(pts).toEqual([
      ['2024-01-01T00:00', 'start', 100],
      ['2024-01-01T06:00', 'exit', 95.976],
      ['2024-01-02T00:00', 'mark', 101.976],
      ['2024-01-02T00:00', 'rebalance', 101.976],
      ['2024-01-02T12:00', 'exit', 101.9496],
      ['2024-01-03T00:00', 'mark', 101.9496],
      ['2024-01-04T00:00', 'mark', 110.10768],
      ['2024-01-04T00:00', 'rebalance', 110.10768],
      ['2024-01-04T12:00', 'exit', 110.10768],
      ['2024-01-05T00:00', 'mark', 110.10768],
      ['2024-01-05T00:00', 'rebalance', 110.10768],
      ['2024-01-05T06:00', 'end', 110.10768],
    ]);
    expect(res.equity.sleeves.B[1]).toBeCloseTo(47.976, 10);
    expect(res.finalEquity).toBeCloseTo(100 + 8 - 6.0504 + 8.15808, 10);
    expect(res.maxDrawdown).toBeCloseTo(0.04024, 12);
    // Daily returns end at each midnight and at the end (a partial day).
    expect(res.daily.returns.map((r) => +r.toFixed(10))).toEqual(
      [101.976 / 100 - 1, 101.9496 / 101.976 - 1, 110.10768 / 101.9496 - 1, 0, 0].map((r) => +r.toFixed(10)),
    );
    // Sleeves' daily returns are time-weighted: the D1 transfer is not a return of B.
    expect(res.daily.sleeves.A.map((r) => +r.toFixed(10))).toEqual([0.2, 0, 0.2, 0, 0]);
    expect(res.daily.sleeves.B.map((r) => +r.toFixed(10))).toEqual([-0.1004, +(61.1592 / 61.1856 - 1).toFixed(10), 0, 0, 0]);
    // Weights at each day's start, after that instant's rebalance (D3's was limited: nothing moved).
    expect(res.daily.startWeights.A.map((w) => +w.toFixed(10))).toEqual(
      [0.4, 0.4, 40.7904 / 101.9496, 48.94848 / 110.10768, 0.4].map((w) => +w.toFixed(10)),
    );
    expect(res.sleeves.A.meanWeight).toBeCloseTo((0.4 + 0.4 + 40.7904 / 101.9496 + 48.94848 / 110.10768 + 0.4) / 5, 12);
  });

  it('without rebalancing the sleeves just compound', () => {
    const never = replayPortfolio(legs, { ...opts, rebalanceEveryMs: Infinity });
    // A: 40 → 48 → 48 × 1.2 = 57.6; B: 60 − 6.0504 = 53.9496.
    expect(never.checks).toHaveLength(0);
    expect(never.rebalances).toHaveLength(0);
    expect(never.finalEquity).toBeCloseTo(57.6 + 53.9496, 10);
  });

  it('a band of 20% lets the D1 drift (+17.7%) pass; the sleeves then drift further', () => {
    const wide = replayPortfolio(legs, { ...opts, driftBand: 0.2 });
    // D1: no rebalance, so A's second trade gets N = 48. D2: A 48, B 53.9496, drift A +17.7% again.
    // D3 (price 132): A 48 × 1.2 = 57.6 → wA = 57.6 / 111.5496 = 0.5164, drift +29.1%: triggered,
    // but A is in its trade (limited); D4: A has exited, the transfer happens.
    expect(wide.checks.map((c) => c.rebalanced)).toEqual([false, false, true, true]);
    expect(wide.checks[0].maxDrift).toBeCloseTo(48 / 101.976 / 0.4 - 1, 12);
    expect(wide.rebalances[0].drift).toBeCloseTo(57.6 / 111.5496 / 0.4 - 1, 12);
    expect(wide.rebalances[0].limitedByOpenPositions).toBe(true);
    expect(wide.rebalances[1].weightsAfter.A).toBeCloseTo(0.4, 12);
  });

  it('at one instant: exits, then the check, then entries sized from the rebalanced sleeve', () => {
    const flat = ticks([[0, 100], [200_000, 100]], D0);
    const l: PortfolioLeg[] = [
      // X doubles and exits exactly at D1 00:00; Y enters exactly at D1 00:00.
      { id: 'X', weight: 0.5, unitLedger: [unitRow('X', 'long', D0 + H, 100, D0 + D, 200)] },
      { id: 'Y', weight: 0.5, unitLedger: [unitRow('Y', 'long', D0 + D, 100, D0 + D + H, 100)] },
    ];
    const r = replayPortfolio(l, { capital: 100, fromMs: D0, toMs: D0 + D + 2 * H, markPrice: tapeMarkPrice(flat) });
    // X: 50 → 100 at 00:00; the check sees 100 / 150 → rebalances to 75 / 75; Y enters with 75.
    expect(r.rebalances).toHaveLength(1);
    expect(r.rebalances[0].weightsBefore.X).toBeCloseTo(2 / 3, 12);
    expect(r.trades.find((t) => t.strategy === 'Y')!.notional).toBeCloseTo(75, 12);
  });

  it('a sleeve worth ≤ 0 skips its entries; a fixed sizing gives a fixed notional', () => {
    const flat = ticks([[0, 100], [300_000, 100]], D0);
    const l: PortfolioLeg[] = [
      { id: 'Z', weight: 1, unitLedger: [unitRow('Z', 'short', D0 + H, 100, D0 + 2 * H, 300), unitRow('Z', 'long', D0 + 3 * H, 100, D0 + 4 * H, 110)] },
    ];
    const r = replayPortfolio(l, { capital: 10, fromMs: D0, toMs: D0 + 5 * H, markPrice: tapeMarkPrice(flat) });
    expect(r.finalEquity).toBeCloseTo(-10, 12); // 10 − 10 × 2
    expect(r.sleeves.Z.skippedEntries).toBe(1);
    expect(r.trades).toHaveLength(1);
    expect(r.sharpe).toBeNull();
    const fixed = replayPortfolio([{ ...l[0], unitLedger: [l[0].unitLedger[1]] }], {
      capital: 10,
      fromMs: D0,
      toMs: D0 + 5 * H,
      sizing: { mode: 'fixed', notional: 3 },
    });
    expect(fixed.trades[0].notional).toBe(3);
    expect(fixed.finalEquity).toBeCloseTo(10.3, 12);
  });

  it('rejects ledgers that are not at unit notional, and bad weights', () => {
    const row = unitRow('A', 'long', D0 + H, 100, D0 + 2 * H, 101);
    expect(() => replayPortfolio([{ id: 'A', weight: 1, unitLedger: [{ ...row, qty: 0.5 }] }], opts)).toThrow(/unit-notional/);
    expect(() => replayPortfolio([{ id: 'A', weight: 0.5, unitLedger: [row] }], opts)).toThrow(/sum to 0\.5/);
    expect(() => replayPortfolio([{ id: 'A', weight: 1, unitLedger: [row, row] }], opts)).toThrow(/out of time order/);
  });
});

describe('tapeMarkPrice', () => {
  it('bars: the open from a bar’s start, its close once it has ended; ticks: the last print', () => {
    const b = makeBars([
      [10, 12, 9, 11],
      [11, 13, 10, 12.5],
    ]);
    const m = tapeMarkPrice(b);
    expect(m(D0 - 1)).toBeNull();
    expect(m(D0)).toBe(10);
    expect(m(D0 + 299_999)).toBe(10);
    expect(m(D0 + 300_000)).toBe(11); // bar 1's open
    expect(m(D0 + 600_000)).toBe(12.5); // bar 1 ended
    const t = tapeMarkPrice(ticks([[0, 5], [10, 6]], D0));
    expect(t(D0 + 9_999)).toBe(5);
    expect(t(D0 + 10_000)).toBe(6);
  });
});

describe('allocations and intervals', () => {
  const ids = [...PLAN_STRATEGY_IDS];
  it("the plan's allocations leave 5% to each of the four others; none given → equal weights", () => {
    const w = resolveAllocations(ids, PLAN_ALLOCATIONS);
    expect(w).toEqual({ V1: 0.05, V2: 0.05, V3: 0.15, V4: 0.15, V5: 0.05, V6: 0.2, V7: 0.05, V8: 0.3 });
    expect(resolveAllocations(['V1', 'V4'])).toEqual({ V1: 0.5, V4: 0.5 });
    expect(parseAllocations('V3=15, V4=15%,V6=20,V8=30')).toEqual({ V3: 15, V4: 15, V6: 20, V8: 30 });
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['unknown id', () => resolveAllocations(ids, { V9: 10 }), /unknown strategy 'V9'/],
    ['not being run', () => resolveAllocations(['V1', 'V2'], { V3: 50 }), /V3 is not among the strategies/],
    ['negative', () => resolveAllocations(ids, { V3: -5 }), /allocations: V3: must be > 0%, got -5/],
    ['zero', () => parseAllocations('V3=0'), /--allocations V3: must be > 0%, got 0/],
    ['non-numeric', () => parseAllocations('V3=abc'), /--allocations V3: expected a number > 0% and ≤ 100%, got 'abc'/],
    ['non-numeric object value', () => resolveAllocations(ids, { V4: 'x' as unknown as number }), /allocations: V4: expected a number > 0% and ≤ 100%, got "x"/],
    ['missing =', () => parseAllocations('V3:15'), /'V3:15' is not ID=PERCENT/],
    ['duplicate', () => parseAllocations('V3=10,V3=20'), /V3 is given twice/],
    ['over 100', () => resolveAllocations(ids, { V3: 60, V4: 50 }), /must not exceed 100.*sums to 110/],
    ['under 100, nothing left to take it', () => resolveAllocations(['V3', 'V4'], { V3: 30, V4: 30 }), /must sum to 100 \(they are not normalised\).*sums to 60/],
    ['100 with unlisted strategies', () => resolveAllocations(['V3', 'V4', 'V5'], { V3: 50, V4: 50 }), /leaving nothing for V5/],
  ];
  for (const [name, f, msg] of bad) {
    it(`${name} → UserError naming it`, () => {
      expect(f).toThrow(UserError);
      expect(f).toThrow(msg);
    });
  }
});

describe('on the bundled 5m bars (phase3)', () => {
  const tape = loadBars(bundledData.bars5m).tape;
  const ids = [...PLAN_STRATEGY_IDS];

  it('linearity: one strategy at 100% reproduces its own fraction-sized backtest', () => {
    // The presets size by a fixed $10; the portfolio compounds (fraction 1) unless told otherwise.
    for (const fraction of [1, 0.5]) {
      const config = { name: `fraction ${fraction}`, engine: { sizing: { mode: 'fraction', fraction } } };
      const bt = runBacktest(tape, { strategies: ids, preset: 'phase3', config: config as never });
      for (const id of ids) {
        const own = bt.strategies[id];
        const p = runPortfolio(tape, { strategies: [id], preset: 'phase3', sizing: { mode: 'fraction', fraction }, capital: own.metrics.initialCapital }).portfolio;
        expect(Math.abs(p.finalEquity / own.metrics.finalEquity - 1), `${id} ${config.name}`).toBeLessThan(1e-9);
        expect(p.trades.length).toBe(own.ledger.length);
        own.ledger.forEach((r, k) => {
          expect(p.trades[k].entryTime).toBe(r.entryTime);
          expect(Math.abs(p.trades[k].netPnl - r.netPnl)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r.netPnl)));
          expect(Math.abs(p.trades[k].capitalAfter / r.capitalAfter - 1)).toBeLessThan(1e-9);
        });
        expect(p.rebalances).toHaveLength(0);
      }
      // One sleeve is the whole portfolio: no diversification.
      expect(runPortfolio(tape, { strategies: ['V4'], preset: 'phase3', sizing: { mode: 'fraction', fraction } }).diversificationRatio).toBeCloseTo(1, 12);
    }
  });

  it("all eight with the plan's allocations: weights stay in the band between rebalances; the books balance", () => {
    const res = runPortfolio(tape, { strategies: ids, allocations: { ...PLAN_ALLOCATIONS }, preset: 'phase3' });
    const p = res.portfolio;
    const target = res.settings.targetWeights;
    expect(p.checks.length).toBeGreaterThan(200); // daily over 8 months
    expect(p.rebalances.length).toBeGreaterThan(0);
    // Recompute each check's weights from the equity curve's mark point at that time (not from the log).
    const byTime = new Map<number, number>();
    p.equity.time.forEach((t, k) => p.equity.event[k] === 'mark' && byTime.set(t, k));
    const logged = new Map(p.rebalances.map((r) => [r.time, r]));
    for (const c of p.checks) {
      expect(new Date(c.time).getUTCHours()).toBe(0);
      const k = byTime.get(c.time)!;
      const drifts = ids.map((id) => (p.equity.sleeves[id][k] / p.equity.equity[k] - target[id]) / target[id]);
      const worst = Math.max(...drifts.map(Math.abs));
      const r = logged.get(c.time);
      if (r) {
        expect(worst).toBeGreaterThan(0.1);
        expect(Math.abs(r.drift)).toBeCloseTo(worst, 12);
        expect(r.drifted.length).toBe(drifts.filter((d) => Math.abs(d) > 0.1).length);
        if (!r.limitedByOpenPositions) for (const id of ids) expect(r.weightsAfter[id]).toBeCloseTo(target[id], 9);
      } else {
        expect(worst).toBeLessThanOrEqual(0.1);
      }
    }
    expect(p.rebalances.length).toBe(p.checks.filter((c) => c.rebalanced).length);
    // Books: Σ transfers = 0; each sleeve = initial + P&L + transfers; the pool = capital + Σ P&L.
    let transfers = 0;
    let pnl = 0;
    for (const id of ids) {
      const s = p.sleeves[id];
      transfers += s.transfersIn;
      pnl += s.pnl;
      expect(s.finalValue).toBeCloseTo(s.initialValue + s.pnl + s.transfersIn, 9);
      expect(s.trades).toBe(res.unit.strategies[id].ledger.length);
    }
    expect(transfers).toBeCloseTo(0, 9);
    expect(p.finalEquity).toBeCloseTo(80 + pnl, 9);
    // Statistics are well formed.
    const m = res.correlations.matrix;
    ids.forEach((_, i) => ids.forEach((__, j) => expect(m[i][j]).toBeCloseTo(m[j][i]!, 12)));
    expect(res.diversificationRatio).toBeGreaterThan(1);
    expect(p.sharpe).not.toBeNull();
    for (const id of ids) expect(res.alone[id].trades).toBe(p.sleeves[id].trades);
  });
});

describe('edgelab portfolio (CLI)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgelab-portfolio-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes portfolio.json, equity.csv, rebalances.csv and trades.csv and prints a table', () => {
    const out = path.join(tmp, 'ok');
    const r = edgelab([
      'portfolio', '--data', bundledData.bars5m, '--strategies', 'V3,V4,V8', '--allocations', 'V3=30,V4=30',
      '--drift-band', '0.05', '--rebalance-every', '12h', '--capital', '100', '--out', out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PORTFOLIO/);
    expect(r.stdout).toMatch(/diversification ratio/);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'portfolio.json'), 'utf8'));
    expect(j.settings.targetWeights).toEqual({ V3: 0.3, V4: 0.3, V8: 0.4 });
    expect(j.settings.rebalanceEveryMs).toBe(12 * H);
    expect(j.settings.driftBand).toBe(0.05);
    expect(j.summary.capital).toBe(100);
    expect(j.strategies.map((s: { id: string }) => s.id)).toEqual(['V3', 'V4', 'V8']);
    for (const k of ['pnl', 'contribution', 'trades', 'finalWeight', 'alone']) expect(j.strategies[0]).toHaveProperty(k);
    expect(j.correlations.ids).toEqual(['V3', 'V4', 'V8']);
    expect(j.summary).toHaveProperty('diversificationRatio');
    expect(j.summary.rebalances).toBe(j.rebalances.length);
    const eq = fs.readFileSync(path.join(out, 'equity.csv'), 'utf8').trim().split('\n');
    expect(eq[0]).toBe('timestamp,iso,event,equity,V3,V4,V8');
    expect(eq[1]).toMatch(/^\d+,2024-01-01T00:00:00.000Z,start,100,30,30,40$/);
    const last = eq[eq.length - 1].split(',');
    expect(Number(last[3])).toBeCloseTo(j.summary.finalEquity, 9);
    const rb = fs.readFileSync(path.join(out, 'rebalances.csv'), 'utf8').trim().split('\n');
    expect(rb[0]).toMatch(/^timestamp,iso,trigger,strategy,drift,drifted,moved,limitedByOpenPositions,equity,before_V3,before_V4,before_V8,after_V3,after_V4,after_V8$/);
    expect(rb.length - 1).toBe(j.summary.rebalances);
    const tr = fs.readFileSync(path.join(out, 'trades.csv'), 'utf8').trim().split('\n');
    expect(tr[0].split(',')).toEqual(expect.arrayContaining(['strategy', 'entryTime', 'notional', 'qty', 'netPnl', 'capitalAfter']));
    expect(tr.length - 1).toBe(j.summary.trades);
  });

  for (const [name, args, msg] of [
    ['unknown strategy in allocations', ['--allocations', 'V3=15,V9=10'], /unknown strategy 'V9'/],
    ['non-numeric allocation', ['--allocations', 'V3=lots'], /--allocations V3: expected a number > 0% and ≤ 100%, got 'lots'/],
    ['allocations over 100', ['--allocations', 'V3=80,V4=30'], /must not exceed 100/],
    ['bad interval', ['--rebalance-every', 'weekly'], /rebalance-every/],
    ['interval without a unit', ['--rebalance-every', '3600000'], /--rebalance-every: '3600000' has no unit/],
  ] as [string, string[], RegExp][]) {
    it(`${name}: exit 2, clear message, nothing written`, () => {
      const out = path.join(tmp, `bad-${name.replace(/\s/g, '-')}`);
      const r = edgelab(['portfolio', '--data', bundledData.bars5m, ...args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});
