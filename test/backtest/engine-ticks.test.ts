import { describe, expect, it } from 'vitest';
import { runTickEngine, type ExecutionSetup } from '../../src/backtest/engine';
import type { TradeRules } from '../../src/core/rules';
import { NotionalRateFeeModel } from '../../src/execution/fees';
import { FixedBpsSlippage, NO_SLIPPAGE } from '../../src/execution/slippage';
import { signals, ticks } from '../helpers/tapes';

const fees = new NotionalRateFeeModel({ maker: 0.0002, taker: 0.0004 });
const exec = (over: Partial<ExecutionSetup> = {}): ExecutionSetup => ({
  fees,
  slippage: NO_SLIPPAGE,
  sizing: { mode: 'fixed', notional: 1000 },
  initialCapital: 1000,
  ...over,
});
const rules = (over: Partial<TradeRules> = {}): TradeRules => ({
  stopPct: null,
  targetPct: null,
  signalExit: true,
  maxHoldMs: null,
  minHoldMs: 0,
  bracketDuringHold: 'active',
  limits: null,
  ...over,
});

describe('tick engine: entries', () => {
  it('fills a decision made on trade i at the price of trade i+1, as taker, fee on notional', () => {
    const tape = ticks([
      [0, 100],
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
    // long decided on row 0, exit signal on row 2 → exit fills on row 3
    const res = runTickEngine(tape, signals(4, { 0: 1 }, { 2: 1 }), rules(), exec());
    const [row] = res.ledger.toRows('T');
    expect(row.entryPrice).toBe(101);
    expect(row.entryTime).toBe(tape.time[1]);
    expect(row.exitPrice).toBe(103);
    expect(row.exitReason).toBe('signal');
    const qty = 1000 / 101;
    expect(row.qty).toBeCloseTo(qty, 12);
    // fees: notional × rate on each leg (taker 0.04%)
    expect(row.entryFee).toBeCloseTo(101 * qty * 0.0004, 12);
    expect(row.exitFee).toBeCloseTo(103 * qty * 0.0004, 12);
    expect(row.grossPnl).toBeCloseTo((103 - 101) * qty, 10);
    expect(row.netPnl).toBeCloseTo((103 - 101) * qty - row.entryFee - row.exitFee, 10);
    expect(row.entryLiquidity).toBe('taker');
    expect(row.exitLiquidity).toBe('taker');
  });

  it('never fills on the last print (nothing after it) and closes open positions at the end', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 99],
    ]);
    const res = runTickEngine(tape, signals(3, { 0: -1, 2: 1 }), rules({ signalExit: false }), exec());
    const rows = res.ledger.toRows('T');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ side: 'short', entryPrice: 100, exitPrice: 99, exitReason: 'end' });
  });

  it('applies slippage against the taker on both legs', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 100],
      [3, 100],
    ]);
    const res = runTickEngine(tape, signals(4, { 0: 1 }, { 2: 1 }), rules(), exec({ slippage: new FixedBpsSlippage(10) }));
    const [row] = res.ledger.toRows('T');
    expect(row.entryPrice).toBeCloseTo(100.1, 12);
    expect(row.exitPrice).toBeCloseTo(99.9, 12);
  });
});

describe('tick engine: bracket', () => {
  // long entry at 100 (row 1): stop 0.5% = 99.5, target 1.5% = 101.5
  it('stop: first print at or beyond the stop, filled at that print', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 99.6],
      [3, 99.5], // at the stop: triggers
      [4, 99.0],
    ]);
    const res = runTickEngine(tape, signals(5, { 0: 1 }), rules({ stopPct: 0.5, targetPct: 1.5 }), exec());
    const [row] = res.ledger.toRows('T');
    expect(row.exitReason).toBe('stop');
    expect(row.exitIndex).toBe(3);
    expect(row.exitPrice).toBe(99.5);
    expect(row.stopPrice).toBeCloseTo(99.5, 12);
    expect(row.targetPrice).toBeCloseTo(101.5, 12);
  });

  it('stop gaps through: filled at the print beyond the level, not at the level', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 98.7],
    ]);
    const [row] = runTickEngine(tape, signals(3, { 0: 1 }), rules({ stopPct: 0.5, targetPct: 1.5 }), exec()).ledger.toRows('T');
    expect(row).toMatchObject({ exitReason: 'stop', exitPrice: 98.7 });
  });

  it('target: a touch is not a fill; a print strictly through fills at the target price, as maker', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 101.5], // touch
      [3, 101.4],
      [4, 101.6], // through
    ]);
    const res = runTickEngine(tape, signals(5, { 0: 1 }), rules({ stopPct: 0.5, targetPct: 1.5, signalExit: false }), exec());
    const [row] = res.ledger.toRows('T');
    expect(row.exitReason).toBe('target');
    expect(row.exitIndex).toBe(4);
    expect(row.exitPrice).toBeCloseTo(101.5, 12);
    expect(row.exitLiquidity).toBe('maker');
    expect(row.exitFee).toBeCloseTo(101.5 * row.qty * 0.0002, 12);
  });

  it('short bracket mirrors the long one', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 98.5], // touch of the short target 98.5
      [3, 98.4],
    ]);
    const [row] = runTickEngine(tape, signals(4, { 0: -1 }), rules({ stopPct: 0.5, targetPct: 1.5 }), exec()).ledger.toRows('T');
    expect(row).toMatchObject({ side: 'short', exitReason: 'target', exitIndex: 3 });
    expect(row.exitPrice).toBeCloseTo(98.5, 12);
    expect(row.grossPnl).toBeCloseTo(1.5 * row.qty, 10);
  });

  it('the entry print itself cannot trigger the bracket', () => {
    // With 10 bps slippage the long fills at 100.1, so a 0.05% stop sits at 100.04995:
    // the entry print (100) is beyond it, but only later prints may trigger.
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 100],
    ]);
    const [row] = runTickEngine(tape, signals(3, { 0: 1 }), rules({ stopPct: 0.05 }), exec({ slippage: new FixedBpsSlippage(10) })).ledger.toRows('T');
    expect(row.entryIndex).toBe(1);
    expect(row).toMatchObject({ exitReason: 'stop', exitIndex: 2 });
  });
});

describe('tick engine: frequency limits', () => {
  const everySecond = (n: number) => {
    const pts: [number, number][] = [];
    for (let k = 0; k < n; k++) pts.push([k, 100]);
    return ticks(pts);
  };

  it('1 per minute: entries at least 60 s apart; refused signals are counted by rule', () => {
    const n = 600; // 10 minutes, a print every second
    const tape = everySecond(n);
    const entries: Record<number, number> = {};
    const exits: Record<number, number> = {};
    for (let k = 0; k < n; k++) {
      entries[k] = 1;
      exits[k] = 1; // exit as soon as possible, so the limit is the only brake
    }
    const res = runTickEngine(tape, signals(n, entries, exits), rules({ limits: { perMinute: 1, perHour: null, perDay: null } }), exec());
    const rows = res.ledger.toRows('T');
    for (let k = 1; k < rows.length; k++) expect(rows[k].entryTime - rows[k - 1].entryTime).toBeGreaterThanOrEqual(60_000);
    // 600 s of data, first entry at t=1 s: entries at 1, 61, …, 541 → 10
    expect(rows).toHaveLength(10);
    expect(res.blocked.minute).toBeGreaterThan(0);
    expect(res.blocked.hour + res.blocked.day).toBe(0);
    expect(rows[1].blockedBy).toBe('minute');
    expect(rows[1].blockedSignals).toBeGreaterThan(0);
  });

  it('10 per hour and 50 per day hold over two days of constant signals', () => {
    const pts: [number, number][] = [];
    for (let s = 0; s < 2 * 86_400; s += 30) pts.push([s, 100]);
    const tape = ticks(pts);
    const n = tape.length;
    const e: Record<number, number> = {};
    const x: Record<number, number> = {};
    for (let k = 0; k < n; k++) {
      e[k] = k % 2 ? 1 : -1;
      x[k] = 3;
    }
    const res = runTickEngine(tape, signals(n, e, x), rules({ limits: { perMinute: 1, perHour: 10, perDay: 50 } }), exec());
    const times = res.ledger.toRows('T').map((r) => r.entryTime);
    const maxIn = (w: number) => {
      let best = 0;
      for (let a = 0, b = 0; b < times.length; b++) {
        while (times[b] - times[a] >= w) a++;
        best = Math.max(best, b - a + 1);
      }
      return best;
    };
    expect(maxIn(60_000)).toBe(1);
    expect(maxIn(3_600_000)).toBe(10);
    expect(maxIn(86_400_000)).toBe(50);
    expect(res.blocked.hour).toBeGreaterThan(0);
    expect(res.blocked.day).toBeGreaterThan(0);
  });
});

describe('tick engine: minimum hold', () => {
  // prints every 10 s for 20 min; long at row 1 (t = 10 s)
  const pts: [number, number][] = [];
  for (let s = 0; s <= 1200; s += 10) pts.push([s, 100]);

  it('signal exits wait for the hold and are counted as delayed', () => {
    const tape = ticks(pts);
    const n = tape.length;
    const res = runTickEngine(tape, signals(n, { 0: 1 }, { 3: 1, 4: 1, 40: 1 }), rules({ minHoldMs: 300_000 }), exec());
    const [row] = res.ledger.toRows('T');
    // exit requests at 30 s and 40 s are inside the hold; the one at 400 s fills at 410 s
    expect(row.exitReason).toBe('signal');
    expect(row.exitTime - row.entryTime).toBeGreaterThanOrEqual(300_000);
    expect(row.exitIndex).toBe(41);
    expect(row.exitDelayedBy).toBe('minHold');
    expect(res.exitsDelayedByMinHold).toBe(1);
  });

  it('protective stops fire during the hold by default; the plan’s policy blocks them and counts it', () => {
    const p2 = pts.map(([s, p]) => [s, s >= 60 ? 99 : p] as [number, number]); // falls 1% at 60 s
    const tape = ticks(p2);
    const n = tape.length;
    const active = runTickEngine(tape, signals(n, { 0: 1 }), rules({ minHoldMs: 300_000, stopPct: 0.5, targetPct: 1.5 }), exec());
    const a = active.ledger.toRows('T')[0];
    expect(a).toMatchObject({ exitReason: 'stop', exitIndex: 6, exitDelayedBy: null });
    const blocked = runTickEngine(
      tape,
      signals(n, { 0: 1 }),
      rules({ minHoldMs: 300_000, stopPct: 0.5, targetPct: 1.5, bracketDuringHold: 'blocked' }),
      exec(),
    );
    const b = blocked.ledger.toRows('T')[0];
    // hold ends at 10 s + 300 s = 310 s → first print then is row 31
    expect(b).toMatchObject({ exitReason: 'stop', exitIndex: 31, exitDelayedBy: 'minHold' });
    expect(blocked.exitsDelayedByMinHold).toBe(1);
  });

  it('time exit at the first print at or after entry + maxHold', () => {
    const tape = ticks(pts);
    const [row] = runTickEngine(tape, signals(tape.length, { 0: 1 }), rules({ maxHoldMs: 95_000, signalExit: false }), exec()).ledger.toRows('T');
    expect(row.exitReason).toBe('time');
    expect(row.exitTime - row.entryTime).toBe(100_000);
  });
});

describe('tick engine: sizing', () => {
  it('fraction of capital compounds: the second trade is sized from the capital after the first', () => {
    const tape = ticks([
      [0, 100],
      [1, 100],
      [2, 110],
      [3, 110],
      [4, 110],
      [5, 121],
    ]);
    const res = runTickEngine(tape, signals(6, { 0: 1, 3: 1 }, { 2: 1, 4: 1 }), rules(), exec({ sizing: { mode: 'fraction', fraction: 1 }, initialCapital: 100 }));
    const [r1, r2] = res.ledger.toRows('T');
    // trade 1: qty 1 @100 → 110: gross 10, fees 0.04 + 0.044
    expect(r1.netPnl).toBeCloseTo(10 - 0.04 - 0.044, 12);
    expect(r1.capitalAfter).toBeCloseTo(109.916, 12);
    // trade 2: decided on row 3, fills on row 4 (110), sized with 109.916; exits on row 5 (121)
    expect(r2.qty).toBeCloseTo(109.916 / 110, 12);
    expect(res.finalCapital).toBeCloseTo(r2.capitalAfter, 12);
  });
});

describe('skipping rows without a decision', () => {
  // The flat scan reads the entry column four bytes at a time when it can be viewed as 32-bit
  // words. The same decisions in a column that cannot (a view at byte offset 1) are scanned one
  // byte at a time: both runs must give the same round trips and counters, with decisions on
  // every residue mod 4, next to each other, and in the last rows.
  it('gives the same ledger whether the entry column is word-aligned or not', () => {
    const n = 5003;
    const points: [number, number][] = [];
    let px = 100;
    for (let i = 0; i < n; i++) {
      px *= 1 + 0.004 * Math.sin(i * 0.37) * Math.cos(i * 0.011);
      points.push([i, px]);
    }
    const tape = ticks(points);
    const aligned = new Int8Array(n);
    const rows = [1, 2, 3, 4, 101, 102, 777, 1503, 2222, 2223, 2224, 2225, 3001, 4999, 5000, 5001, 5002];
    for (let i = 250; i < 4900; i += 250) rows.push(i + (i % 3)); // isolated, after flat words: residues 0, 1, 2 mod 4
    for (const i of rows) aligned[i] = i % 2 ? 1 : -1;
    const buf = new Int8Array(n + 1);
    const unaligned = buf.subarray(1);
    unaligned.set(aligned);
    expect(unaligned.byteOffset & 3).not.toBe(0);
    const r = rules({ stopPct: 0.3, targetPct: 0.6, limits: null, minHoldMs: 0 });
    const a = runTickEngine(tape, { entry: aligned }, r, exec());
    const b = runTickEngine(tape, { entry: unaligned }, r, exec());
    expect(a.ledger.length).toBeGreaterThan(3);
    expect(a.ledger.toRows('x')).toEqual(b.ledger.toRows('x'));
    expect(a.entrySignals).toBe(b.entrySignals);
  });
});
