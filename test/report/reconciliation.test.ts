import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import type { BarTape, TradeTape } from '../../src/data/tape';
import { runBacktest } from '../../src/run/run';
import type { LedgerRow } from '../../src/core/ledger';
import { reconcile, type LiveTrade, type StrategyReconciliation } from '../../src/report/reconciliation';

const bars = loadData(bundledData.bars5m).tape as BarTape;
const ticks = loadData(bundledData.trades).tape as TradeTape;

/** A "live log" made from a real backtest ledger, with the entry price moved `bps` against the trader. */
function liveFrom(rows: LedgerRow[], bps: number, feeRate = 0.0004): LiveTrade[] {
  return rows.map((r, i) => {
    const dir = r.side === 'long' ? 1 : -1;
    const entryPrice = r.entryPrice * (1 + (dir * bps) / 10_000);
    const entryFee = entryPrice * r.qty * feeRate;
    const gross = dir * (r.exitPrice - entryPrice) * r.qty;
    return {
      strategy: r.strategy,
      side: r.side,
      entryTime: r.entryTime,
      exitTime: r.exitTime,
      entryPrice,
      exitPrice: r.exitPrice,
      qty: r.qty,
      entryFee,
      exitFee: r.exitFee,
      netPnl: gross - entryFee - r.exitFee,
      exitReason: r.exitReason,
      source: { file: 'live.csv', line: i + 2 },
    };
  });
}

describe('reconciliation against a real backtest ledger (5m BTC/USDT bars)', () => {
  const rows = runBacktest(bars, { strategies: ['V4'], preset: 'phase2' }).strategies.V4.ledger.filter((r) => r.exitReason !== 'end');

  it('an unshifted log reconciles exactly: 0 bps, every exit agrees, no edge difference', () => {
    const r = reconcile(bars, liveFrom(rows, 0), { preset: 'phase2' }).V4 as StrategyReconciliation;
    expect(r.matched).toBe(rows.length);
    expect(r.entrySlippageBpsMean).toBeCloseTo(0, 9);
    expect(r.exitSlippageBpsMean).toBeCloseTo(0, 9);
    expect(r.exitReasonAgreement).toBe(1);
    expect(r.exitedDifferently).toBe(0);
    expect(Math.abs(r.liveEdgePerTrade! - r.replayEdgePerTrade!)).toBeLessThan(1e-12);
  });

  it('entries shifted 5 bps against the trader measure +5 bps, and the live edge is lower by the cost of 5 bps', () => {
    const live = liveFrom(rows, 5);
    const r = reconcile(bars, live, { preset: 'phase2' }).V4 as StrategyReconciliation;
    expect(r.matched).toBe(rows.length);
    expect(r.entrySlippageBpsMean!).toBeCloseTo(5, 6);
    for (const p of r.perTrade) expect(p.entrySlippageBps).toBeCloseTo(5, 6);
    // Same exits: the replay's bracket sits on the market entry, the live exit is the ledger's.
    expect(r.exitSlippageBpsMean!).toBeCloseTo(0, 9);
    expect(r.exitReasonAgreement).toBe(1);
    // Hand calculation: per trade the live P&L loses 5 bps of the entry notional, and the entry fee moves with the
    // price (a long pays 0.04% on a price 5 bps higher, a short on one 5 bps lower).
    const dir = (x: LedgerRow) => (x.side === 'long' ? 1 : -1);
    const expected = rows.reduce((s, x) => s - x.entryPrice * x.qty * 0.0005 * (1 + dir(x) * 0.0004), 0) / rows.length;
    expect(r.liveEdgePerTrade! - r.replayEdgePerTrade!).toBeCloseTo(expected, 9);
    expect(r.differenceCi![0]).toBeLessThan(0);
    expect(r.differenceCi![1]).toBeLessThan(0);
    expect(r.feeDriftPerTrade!).toBeCloseTo(rows.reduce((s, x) => s + dir(x) * x.entryPrice * x.qty * 0.0005 * 0.0004, 0) / rows.length, 12);
  });

  it('a favourable fill is negative slippage, and a different exit is counted', () => {
    const live = liveFrom(rows.slice(0, 40), -3);
    live[0] = { ...live[0], exitReason: live[0].exitReason === 'stop' ? 'target' : 'stop' };
    const r = reconcile(bars, live, { preset: 'phase2' }).V4 as StrategyReconciliation;
    expect(r.entrySlippageBpsMean!).toBeCloseTo(-3, 6);
    expect(r.exitedDifferently).toBe(1);
    expect(r.exitReasonAgreement).toBeCloseTo(39 / 40, 12);
  });

  it('overlapping live entries are each replayed (further engine passes), and trades outside the data are not', () => {
    const live = liveFrom(rows.slice(0, 10), 0);
    // A second entry one bar after the first, while the first replay is still open.
    const extra = { ...live[0], entryTime: live[0].entryTime + 300_000, source: { file: 'live.csv', line: 99 } };
    const outside = { ...live[1], entryTime: Date.UTC(2030, 0, 1), exitTime: Date.UTC(2030, 0, 2), source: { file: 'live.csv', line: 100 } };
    const r = reconcile(bars, [...live, extra, outside], { preset: 'phase2' }).V4 as StrategyReconciliation;
    expect(r.trades).toBe(12);
    expect(r.matched).toBe(11);
    expect(r.notCovered).toBe(1);
    const e = r.perTrade.find((p) => p.line === 99)!;
    expect(e.entryTime).toBe(extra.entryTime);
  });

  it('an unknown strategy is skipped with the reason', () => {
    const live = liveFrom(rows.slice(0, 3), 0).map((t) => ({ ...t, strategy: 'MyFreqtradeStrategy' }));
    expect(reconcile(bars, live).MyFreqtradeStrategy).toMatchObject({ skipped: expect.stringContaining('not an edgelab strategy') });
  });
});

describe('reconciliation on the Tardis trade tape', () => {
  it('entries shifted 5 bps adverse measure ≈ 5 bps against the print at the entry time', () => {
    const rows = runBacktest(ticks, { strategies: ['V1'], preset: 'before' }).strategies.V1.ledger.filter((r) => r.exitReason !== 'end');
    expect(rows.length).toBeGreaterThan(20);
    const r = reconcile(ticks, liveFrom(rows, 5), { preset: 'before' }).V1 as StrategyReconciliation;
    expect(r.matched).toBe(rows.length);
    // Several prints can share a millisecond: the market price is the first of them, so ≈ 5, not exactly.
    expect(r.entrySlippageBpsMean!).toBeGreaterThan(4.5);
    expect(r.entrySlippageBpsMean!).toBeLessThan(5.5);
  });
});

describe('reconciliation with maker entries (the plan’s post-only order) on the trade tape', () => {
  it('replays every trade of a maker backtest and finds its own entries again', () => {
    const res = runBacktest(ticks, { strategies: ['V1'], preset: 'before', execution: 'maker' });
    const rows = res.strategies.V1.ledger.filter((r) => r.exitReason !== 'end');
    expect(rows.some((r) => r.entryLiquidity === 'maker')).toBe(true);
    // The replay posts the same post-only order at the live entry time; it may rest, fill later or fall back
    // to taker, and is still matched to the live trade it replays.
    const r = reconcile(ticks, liveFrom(rows, 0), { preset: 'before', config: { name: 'maker', engine: { execution: 'maker' } } }).V1 as StrategyReconciliation;
    expect(r.matched).toBe(rows.length);
  });
});

