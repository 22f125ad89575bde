/**
 * The foundation's "must show" on the bundled REAL data: under phase2 the
 * ledger obeys the limits, the hold, the first-crossing bracket rules, the
 * price rules and the fee rule — re-checked by the independent audit.
 */
import { describe, expect, it } from 'vitest';
import { loadBars, loadTrades } from '../../src/data/load';
import { bundledData } from '../../src/data/bundled';
import { runBacktest } from '../../src/run/run';
import { auditBarLedger, auditTickLedger, maxEntriesInWindow } from '../../src/backtest/audit';
import { makeFeeModel } from '../../src/execution/fees';
import type { TradeRules } from '../../src/core/rules';

const trades = loadTrades(bundledData.trades).tape;
const bars = loadBars(bundledData.bars5m).tape;

function checkLimits(times: number[]) {
  expect(maxEntriesInWindow(times, 60_000)).toBeLessThanOrEqual(1);
  expect(maxEntriesInWindow(times, 3_600_000)).toBeLessThanOrEqual(10);
  expect(maxEntriesInWindow(times, 86_400_000)).toBeLessThanOrEqual(50);
}

describe('phase2 on the bundled real trade tape', () => {
  // The 2-hour tape rarely moves 0.5%: also run a tight bracket so stops and targets actually fire.
  for (const [label, config] of [
    ['plan bracket 0.5%/1.5%', undefined],
    ['tight bracket 0.02%/0.06%', { strategies: { V1: { stopPct: 0.02, targetPct: 0.06 }, V4: { stopPct: 0.02, targetPct: 0.06 } } }],
  ] as const) {
    it(`${label}: limits, hold, first-crossing exits, traded prices and fees all hold`, () => {
      const res = runBacktest(trades, { strategies: ['V1', 'V4'], preset: 'phase2', config: config as never });
      const fees = makeFeeModel(res.config.engine.fees);
      let exits = 0;
      for (const id of ['V1', 'V4']) {
        const r = res.strategies[id];
        const rules: TradeRules = res.config.strategies[id].rules;
        checkLimits(r.ledger.map((x) => x.entryTime));
        expect(auditTickLedger(trades, r.ledger, rules, fees)).toEqual([]);
        exits += r.ledger.filter((x) => x.exitReason === 'stop' || x.exitReason === 'target').length;
      }
      if (config) expect(exits).toBeGreaterThan(5); // the audit had bracket exits to check
    });
  }

  it('before overtrades relative to phase2 on the same data', () => {
    const before = runBacktest(trades, { strategies: ['V1'], preset: 'before' }).strategies.V1.metrics;
    const after = runBacktest(trades, { strategies: ['V1'], preset: 'phase2' }).strategies.V1.metrics;
    expect(before.trades).toBeGreaterThan(after.trades);
    expect(before.feesPaid).toBeGreaterThan(after.feesPaid);
  });

  it('the plan’s hold policy (stops blocked during the hold) is reported when it delays exits', () => {
    const res = runBacktest(trades, {
      strategies: ['V1'],
      preset: 'phase2',
      config: { name: 'x', strategies: { V1: { stopPct: 0.02, targetPct: 0.06, bracketDuringHold: 'blocked' } } },
    });
    const r = res.strategies.V1;
    expect(auditTickLedger(trades, r.ledger, res.config.strategies.V1.rules, makeFeeModel(res.config.engine.fees))).toEqual([]);
    expect(r.gate.exitsDelayedByMinHold).toBe(r.ledger.filter((x) => x.exitDelayedBy === 'minHold').length);
    expect(r.gate.exitsDelayedByMinHold).toBeGreaterThan(0);
  });
});

describe('phase2 on months of bundled 5m bars (pessimistic intra-bar rule)', () => {
  it('limits, hold, bracket and fees hold for V1 and V4', () => {
    const res = runBacktest(bars, { strategies: ['V1', 'V4'], preset: 'phase2' });
    const fees = makeFeeModel(res.config.engine.fees);
    for (const id of ['V1', 'V4']) {
      const r = res.strategies[id];
      expect(r.ledger.length).toBeGreaterThan(100);
      checkLimits(r.ledger.map((x) => x.entryTime));
      expect(auditBarLedger(bars, r.ledger, res.config.strategies[id].rules, fees)).toEqual([]);
      expect(r.ledger.some((x) => x.exitReason === 'stop')).toBe(true);
      expect(r.ledger.some((x) => x.exitReason === 'target')).toBe(true);
    }
  });

  it('phase1 signal exits never come before the minimum hold', () => {
    const res = runBacktest(bars, { strategies: ['V1', 'V4'], preset: 'phase1' });
    const fees = makeFeeModel(res.config.engine.fees);
    for (const id of ['V1', 'V4']) {
      const r = res.strategies[id];
      const hold = res.config.strategies[id].rules.minHoldMs;
      expect(hold).toBe(id === 'V1' ? 300_000 : 1_800_000);
      for (const x of r.ledger) if (x.exitReason === 'signal') expect(x.exitTime - x.entryTime).toBeGreaterThanOrEqual(hold);
      expect(auditBarLedger(bars, r.ledger, res.config.strategies[id].rules, fees)).toEqual([]);
    }
  });
});

describe('the audit itself catches broken ledgers', () => {
  it('flags a late stop, a wrong fee, a fill that is not a print, and a limit breach', () => {
    const res = runBacktest(trades, {
      strategies: ['V1'],
      preset: 'phase2',
      config: { name: 'x', strategies: { V1: { stopPct: 0.02, targetPct: 0.06 } } },
    });
    const rules = res.config.strategies.V1.rules;
    const fees = makeFeeModel(res.config.engine.fees);
    const rows = res.strategies.V1.ledger;
    const k = rows.findIndex((x) => x.exitReason === 'stop');
    expect(k).toBeGreaterThanOrEqual(0);
    const late = rows.map((x, j) => (j === k ? { ...x, exitIndex: x.exitIndex + 1, exitTime: trades.time[x.exitIndex + 1], exitPrice: trades.price[x.exitIndex + 1] } : x));
    expect(auditTickLedger(trades, late, rules, fees).join('\n')).toMatch(/first crossing/);
    const badFee = rows.map((x, j) => (j === 0 ? { ...x, exitFee: x.exitFee / 2 } : x));
    expect(auditTickLedger(trades, badFee, rules, fees).join('\n')).toMatch(/exit fee/);
    const offPrint = rows.map((x, j) => (j === 0 ? { ...x, entryPrice: x.entryPrice + 0.5 } : x));
    expect(auditTickLedger(trades, offPrint, rules, fees).join('\n')).toMatch(/not the print/);
    const crowded = rows.map((x, j) => (j === 1 ? { ...x, entryTime: rows[0].entryTime + 1 } : x));
    expect(auditTickLedger(trades, crowded, rules, fees).join('\n')).toMatch(/entries within one minute/);
  });
});

describe('all eight strategies under phase3 on real data', () => {
  const ids = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'];
  it('5m bars: every strategy trades, and limits, hold, bracket, prices and fees hold', () => {
    const res = runBacktest(bars, { strategies: ids, preset: 'phase3' });
    const fees = makeFeeModel(res.config.engine.fees);
    for (const id of ids) {
      const r = res.strategies[id];
      expect(r.ledger.length, id).toBeGreaterThan(50);
      checkLimits(r.ledger.map((x) => x.entryTime));
      expect(auditBarLedger(bars, r.ledger, res.config.strategies[id].rules, fees), id).toEqual([]);
      // the confirmation gate ran and each entry says which confirmations it had (at least 2)
      expect(r.confirmation!.decisions).toBeGreaterThanOrEqual(r.confirmation!.passed);
      for (const x of r.ledger) expect((x.confirmations ?? '').split('+').filter(Boolean).length, id).toBeGreaterThanOrEqual(2);
    }
  });

  it('trade tape: all eight run and whatever trades they make obey the rules', () => {
    const res = runBacktest(trades, { strategies: ids, preset: 'phase3' });
    const fees = makeFeeModel(res.config.engine.fees);
    for (const id of ids) {
      const r = res.strategies[id];
      expect(r).toBeDefined();
      checkLimits(r.ledger.map((x) => x.entryTime));
      expect(auditTickLedger(trades, r.ledger, res.config.strategies[id].rules, fees), id).toEqual([]);
    }
  });
});

describe('maker entries (plan phase 4) in the engine', () => {
  it('entries post the plan’s 0.02% / 30 s limit: maker fills at the limit when a print goes through it, fallbacks pay taker; the rest of the rules still hold', () => {
    const res = runBacktest(trades, { strategies: ['V1', 'V2'], preset: 'before', execution: 'maker' });
    const fees = makeFeeModel(res.config.engine.fees);
    let maker = 0;
    for (const id of ['V1', 'V2']) {
      const r = res.strategies[id];
      expect(auditTickLedger(trades, r.ledger, res.config.strategies[id].rules, fees, { makerEntries: true }), id).toEqual([]);
      const f = r.entryFills!;
      expect(f.maker + f.taker).toBe(r.ledger.length);
      for (const x of r.ledger) {
        if (x.entryLiquidity === 'maker') {
          maker++;
          expect(x.entryFee).toBeCloseTo(x.entryPrice * x.qty * 0.0002, 12);
        } else expect(x.entryFee).toBeCloseTo(x.entryPrice * x.qty * 0.0004, 12);
      }
    }
    expect(maker).toBeGreaterThan(0);
    // the same decisions with taker entries pay more in entry fees per trade
    const taker = runBacktest(trades, { strategies: ['V1'], preset: 'before' }).strategies.V1;
    const mk = res.strategies.V1;
    const entryFeeRate = (rows: typeof mk.ledger) => rows.reduce((a, x) => a + x.entryFee, 0) / rows.reduce((a, x) => a + x.entryPrice * x.qty, 0);
    expect(entryFeeRate(mk.ledger)).toBeLessThan(entryFeeRate(taker.ledger));
  });

  it('is refused on bars with a clear message', () => {
    expect(() => runBacktest(bars, { strategies: ['V1'], execution: 'maker' })).toThrow(/needs a trade tape/);
  });
});
