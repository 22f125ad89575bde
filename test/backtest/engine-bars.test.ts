import { describe, expect, it } from 'vitest';
import { runBarEngine, type ExecutionSetup } from '../../src/backtest/engine';
import type { TradeRules } from '../../src/core/rules';
import { NotionalRateFeeModel } from '../../src/execution/fees';
import { NO_SLIPPAGE } from '../../src/execution/slippage';
import { bars, signals, ticks } from '../helpers/tapes';

const exec = (over: Partial<ExecutionSetup> = {}): ExecutionSetup => ({
  fees: new NotionalRateFeeModel({ maker: 0.0002, taker: 0.0004 }),
  slippage: NO_SLIPPAGE,
  sizing: { mode: 'fixed', notional: 1000 },
  initialCapital: 1000,
  ...over,
});
const bracket: TradeRules = {
  stopPct: 0.5,
  targetPct: 1.5,
  signalExit: false,
  maxHoldMs: null,
  minHoldMs: 0,
  bracketDuringHold: 'active',
  limits: null,
};

describe('bar engine', () => {
  it("fills at the next bar's open; the entry bar counts for the bracket; target at the target price", () => {
    // decision on bar 0's close → long at bar 1's open (100); bar 1's high 101.6 > 101.5 target
    const b = bars([
      [99, 100, 98, 100],
      [100, 101.6, 99.8, 101],
      [101, 102, 100, 101],
    ]);
    const [row] = runBarEngine(b, signals(3, { 0: 1 }), bracket, exec()).ledger.toRows('T');
    expect(row).toMatchObject({ entryPrice: 100, entryIndex: 1, exitReason: 'target', exitIndex: 1, exitLiquidity: 'maker' });
    expect(row.exitPrice).toBeCloseTo(101.5, 12);
  });

  it('a bar reaching both stop and target takes the stop (pessimistic), at the stop price', () => {
    const b = bars([
      [100, 100, 100, 100],
      [100, 102, 99, 101], // both 99.5 and 101.5 inside
      [101, 101, 101, 101],
    ]);
    const res = runBarEngine(b, signals(3, { 0: 1 }), bracket, exec());
    const [row] = res.ledger.toRows('T');
    expect(row).toMatchObject({ exitReason: 'stop', exitIndex: 1 });
    expect(row.exitPrice).toBeCloseTo(99.5, 12);
    expect(res.ambiguousBars).toBe(1);
    expect(res.ambiguousResolvedByTicks).toBe(0);
  });

  it('when a tick tape covers the ambiguous bar, the first level the ticks reach wins', () => {
    const b = bars([
      [100, 100, 100, 100],
      [100, 102, 99, 101],
      [101, 101, 101, 101],
    ]);
    const t0 = b.time[0];
    // inside bar 1 (300–600 s): up through the target first, then down through the stop
    const tk = ticks(
      [
        [0, 100],
        [310, 100.5],
        [320, 101.7],
        [400, 99.2],
        [700, 101],
      ],
      t0,
    );
    const res = runBarEngine(b, signals(3, { 0: 1 }), bracket, { ...exec(), ticks: tk });
    const [row] = res.ledger.toRows('T');
    expect(row.exitReason).toBe('target');
    expect(res.ambiguousResolvedByTicks).toBe(1);
  });

  it('a bar that opens beyond the stop fills the stop at the open', () => {
    const b = bars([
      [100, 100, 100, 100],
      [100, 100.5, 99.9, 100.2],
      [98, 98.5, 97, 98],
    ]);
    const [row] = runBarEngine(b, signals(3, { 0: 1 }), bracket, exec()).ledger.toRows('T');
    expect(row).toMatchObject({ exitReason: 'stop', exitIndex: 2, exitPrice: 98 });
  });

  it('short: stop above, target below, mirrored', () => {
    const b = bars([
      [100, 100, 100, 100],
      [100, 100.6, 99.9, 100.2], // high 100.6 ≥ 100.5 stop
    ]);
    const [row] = runBarEngine(b, signals(2, { 0: -1 }), bracket, exec()).ledger.toRows('T');
    expect(row).toMatchObject({ side: 'short', exitReason: 'stop' });
    expect(row.exitPrice).toBeCloseTo(100.5, 12);
  });

  it('signal exits fill at the next open and wait for the minimum hold (decision time = bar close)', () => {
    const rows: [number, number, number, number][] = [];
    for (let k = 0; k < 12; k++) rows.push([100 + k, 100 + k, 100 + k, 100 + k]);
    const b = bars(rows);
    const exits: Record<number, number> = {};
    for (let k = 0; k < 12; k++) exits[k] = 1;
    const rules = { ...bracket, stopPct: null, targetPct: null, signalExit: true, minHoldMs: 30 * 60_000 };
    const res = runBarEngine(b, signals(12, { 0: 1 }, exits), rules, exec());
    const [row] = res.ledger.toRows('T');
    // entry at bar 1 open (t = 5 min); 30 min hold → decision at close of bar 6 (t = 35 min), fill at bar 7 open
    expect(row.exitReason).toBe('signal');
    expect(row.exitIndex).toBe(7);
    expect(row.exitTime - row.entryTime).toBe(30 * 60_000);
    expect(row.exitDelayedBy).toBe('minHold');
  });
});
