/**
 * The tick engine skips an open position's quiet prints (src/exits/fill-rules.ts
 * `firstBracketPrint`, src/exits/time-exit.ts, blocks of 2,048 prints), and, once
 * a tape has been searched enough, whole quiet blocks of 256 by the tape's block
 * summary (src/data/print-blocks.ts, src/exits/quiet-blocks.ts). Neither skip
 * may change a single trade: here the engine is run against a literal
 * row-by-row reading of the same rules, written in this file, on random tapes
 * whose positions span many blocks, with fractional and repeated timestamps,
 * exit flags, minimum holds (bracket active and blocked), time exits and limits
 * (whose refusals the engine counts by search, not row by row).
 */
import { describe, expect, it } from 'vitest';
import { runTickEngine } from '../../src/backtest/engine';
import { makeTradeTape, type TradeTape } from '../../src/data/tape';
import { NotionalRateFeeModel } from '../../src/execution/fees';
import { NO_SLIPPAGE } from '../../src/execution/slippage';
import { FrequencyLimiter } from '../../src/risk/frequency-limits';
import { firstBracketPrint } from '../../src/exits/fill-rules';
import { buildPrintBlocks, notePrintsSearched, printBlocksFor } from '../../src/data/print-blocks';
import { firstEventfulBlock } from '../../src/exits/quiet-blocks';
import { timeExitRow } from '../../src/exits/time-exit';
import type { TradeRules } from '../../src/core/rules';
import { createPrng } from '../../src/util/prng';

interface Trip {
  side: number;
  entryIndex: number;
  exitIndex: number;
  exitPrice: number;
  reason: string;
  delayed: boolean;
}

const REASONS = ['signal', 'stop', 'target', 'time', 'end'];

/** Every print visited; the rules as README "Fill rules" states them. */
function literalEngine(tape: TradeTape, entry: Int8Array, exit: Uint8Array, r: TradeRules): { trips: Trip[]; entrySignals: number; blocked: number[] } {
  const { time, price } = tape;
  const n = tape.length;
  const out: Trip[] = [];
  const limiter = new FrequencyLimiter(r.limits);
  const stopF = r.stopPct === null ? NaN : r.stopPct / 100;
  const targetF = r.targetPct === null ? NaN : r.targetPct / 100;
  const maxHold = r.maxHoldMs ?? Infinity;
  let pos = 0;
  let pending = 0;
  let pendingExit = false;
  let entryIdx = 0;
  let entryT = 0;
  let stopTrig = NaN;
  let target = NaN;
  let targetTrig = NaN;
  let delayed = false;
  let entrySignals = 0;
  const blocked = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = time[i];
    const p = price[i];
    if (pending !== 0) {
      pos = pending;
      pending = 0;
      entryIdx = i;
      entryT = t;
      stopTrig = p * (1 - pos * stopF) * (1 + pos * 1e-12);
      target = p * (1 + pos * targetF);
      targetTrig = target * (1 + pos * 1e-12);
      delayed = false;
      limiter.record(t);
      continue;
    }
    if (pos !== 0) {
      const held = t - entryT;
      const holdDone = held >= r.minHoldMs;
      const stopHit = pos > 0 ? p <= stopTrig : p >= stopTrig;
      const targetHit = pos > 0 ? p > targetTrig : p < targetTrig;
      let reason = -1;
      let x = p;
      if (stopHit || targetHit) {
        if (holdDone || r.bracketDuringHold === 'active') {
          reason = stopHit ? 1 : 2;
          if (!stopHit) x = target;
        } else delayed = true;
      }
      if (reason < 0 && pendingExit) reason = 0;
      else if (reason < 0 && held >= maxHold && holdDone) reason = 3;
      if (reason >= 0) {
        out.push({ side: pos, entryIndex: entryIdx, exitIndex: i, exitPrice: x, reason: REASONS[reason], delayed });
        pos = 0;
        pendingExit = false;
      } else if (r.signalExit && !pendingExit && (exit[i] & (pos > 0 ? 1 : 2)) !== 0) {
        if (holdDone) pendingExit = true;
        else delayed = true;
      }
    }
    if (pos === 0 && entry[i] !== 0) {
      entrySignals++;
      if (limiter.allows(t)) pending = entry[i];
      else blocked[limiter.lastBlockedRule]++;
    }
  }
  if (pos !== 0) out.push({ side: pos, entryIndex: entryIdx, exitIndex: n - 1, exitPrice: price[n - 1], reason: 'end', delayed });
  return { trips: out, entrySignals, blocked };
}

function randomCase(seed: number) {
  const rnd = createPrng(seed);
  const n = 20_000 + Math.floor(rnd.nextFloat() * 30_000);
  const time = new Float64Array(n);
  const price = new Float64Array(n);
  const amount = new Float64Array(n).fill(1);
  let t = 1_700_000_000_000;
  let p = 100;
  const vol = 2e-5 + rnd.nextFloat() * 2e-4;
  for (let i = 0; i < n; i++) {
    // Repeated stamps, whole and fractional milliseconds.
    const u = rnd.nextFloat();
    t += u < 0.3 ? 0 : u < 0.6 ? Math.floor(rnd.nextFloat() * 40) : rnd.nextFloat() * 40;
    p *= 1 + (rnd.nextFloat() - 0.5) * vol;
    time[i] = t;
    price[i] = p;
  }
  const tape = makeTradeTape({ time, price, amount });
  const entry = new Int8Array(n);
  const exit = new Uint8Array(n);
  const density = rnd.nextFloat() * 0.01;
  for (let i = 0; i < n; i++) {
    if (rnd.nextFloat() < density) entry[i] = rnd.nextFloat() < 0.5 ? 1 : -1;
    if (rnd.nextFloat() < density / 4) exit[i] = 1 + Math.floor(rnd.nextFloat() * 3);
  }
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd.nextFloat() * xs.length)];
  const rules: TradeRules = {
    stopPct: pick([null, 0.2, 0.5, 1]),
    targetPct: pick([null, 0.3, 1.5, 3]),
    signalExit: rnd.nextFloat() < 0.5,
    maxHoldMs: pick([null, 5_000, 60_000, 120_000.5]),
    minHoldMs: pick([0, 1_000, 30_000, 90_000]),
    bracketDuringHold: rnd.nextFloat() < 0.5 ? 'active' : 'blocked',
    limits: rnd.nextFloat() < 0.5 ? null : { perMinute: 1, perHour: pick([null, 10]), perDay: null },
  };
  return { tape, entry, exit, rules };
}

describe('skipping quiet prints of an open position', () => {
  it('gives the trades of a row-by-row reading of the rules, on 60 random tapes', () => {
    const exec = { fees: new NotionalRateFeeModel({ maker: 0.0002, taker: 0.0004 }), slippage: NO_SLIPPAGE, sizing: { mode: 'fixed' as const, notional: 100 }, initialCapital: 1000 };
    let long = 0;
    let blockedSeen = 0;
    const reasons = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const { tape, entry, exit, rules } = randomCase(seed);
      const lit = literalEngine(tape, entry, exit, rules);
      const want = lit.trips;
      // Without the tape's block summary, then with it (data/print-blocks.ts): notePrintsSearched
      // records the whole tape as searched, so the next backtest builds and uses it.
      for (const run of ['print by print', 'by block']) {
        if (run === 'by block') notePrintsSearched(tape, tape.length);
        expect(printBlocksFor(tape) !== null, `seed ${seed}, ${run}`).toBe(run === 'by block');
        const res = runTickEngine(tape, { entry, exit }, rules, exec);
        const got = res.ledger.toRows('X');
        // The limits' refusals are counted by search and four bytes at a time: the same counts.
        expect([res.entrySignals, res.blocked.minute, res.blocked.hour, res.blocked.day], `seed ${seed}, ${run}`).toEqual([lit.entrySignals, ...lit.blocked]);
        const simple = got.map((r) => ({
          side: r.side === 'long' ? 1 : -1,
          entryIndex: r.entryIndex,
          exitIndex: r.exitIndex,
          exitPrice: r.exitPrice,
          reason: r.exitReason,
          delayed: r.exitDelayedBy === 'minHold',
        }));
        expect(simple, `seed ${seed}, ${run}`).toEqual(want);
      }
      blockedSeen += lit.blocked[0] + lit.blocked[1];
      for (const w of want) {
        if (w.exitIndex - w.entryIndex > 2048) long++;
        reasons.add(w.reason);
      }
    }
    // The cases did exercise what the skip could get wrong.
    expect(long).toBeGreaterThan(20);
    expect(blockedSeen).toBeGreaterThan(500);
    expect([...reasons].sort()).toEqual(['end', 'signal', 'stop', 'target', 'time']);
  });
});

describe('the scans the skip is made of', () => {
  it('firstBracketPrint finds the first print the per-print tests call a hit', () => {
    const rnd = createPrng(5);
    const price = Float64Array.from({ length: 5000 }, () => 100 + (rnd.nextFloat() - 0.5) * 4);
    for (const side of [1, -1]) {
      for (const [stop, target] of [[98.5, 101.7], [101.5, 98.3], [NaN, 101.9], [98.1, NaN]]) {
        const s = side > 0 ? stop : target;
        const tg = side > 0 ? target : stop;
        for (const from of [0, 17, 4000]) {
          let want = from;
          while (want < price.length && !(side > 0 ? price[want] <= s || price[want] > tg : price[want] >= s || price[want] < tg)) want++;
          expect(firstBracketPrint(price, from, price.length, side, s, tg)).toBe(want);
        }
      }
    }
  });

  it('firstEventfulBlock: the first block holding a print the per-print tests call a bracket hit or a due time exit', () => {
    const rnd = createPrng(9);
    const n = 20_000;
    let p = 100;
    let t = 0;
    // A random walk (long quiet stretches, so whole blocks are skipped) with NaN prints sprinkled in,
    // and repeated and fractional stamps.
    const price = Float64Array.from({ length: n }, () => (rnd.nextFloat() < 0.002 ? NaN : (p *= 1 + (rnd.nextFloat() - 0.5) * 4e-4)));
    const time = Float64Array.from({ length: n }, () => (t += rnd.nextFloat() < 0.3 ? 0 : rnd.nextFloat() * 10));
    let skipped = 0;
    for (const size of [1, 3, 64, 256]) {
      const blocks = buildPrintBlocks(time, price, size);
      for (let k = 0; k < 300; k++) {
        const from = Math.floor(rnd.nextFloat() * blocks.min.length);
        const to = Math.min(blocks.min.length, from + Math.floor(rnd.nextFloat() * 100));
        const side = rnd.nextFloat() < 0.5 ? 1 : -1;
        const ref = price[from * size] || 100;
        const stop = rnd.nextFloat() < 0.1 ? NaN : ref * (1 - side * rnd.nextFloat() * 0.01);
        const target = rnd.nextFloat() < 0.1 ? NaN : ref * (1 + side * rnd.nextFloat() * 0.02);
        const entryTime = time[from * size];
        const after = rnd.nextFloat() < 0.3 ? Infinity : rnd.nextFloat() * 20_000;
        // Literally: the first row from the block `from` on that fires, and its block.
        let row = from * size;
        const stopRow = Math.min(n, to * size);
        const fires = (i: number) =>
          (side > 0 ? price[i] <= stop || price[i] > target : price[i] >= stop || price[i] < target) || time[i] - entryTime >= after;
        while (row < stopRow && !fires(row)) row++;
        const want = row < stopRow ? Math.floor(row / size) : to;
        expect(firstEventfulBlock(blocks, from, to, side, stop, target, entryTime, after), `size ${size}, blocks [${from}, ${to}), side ${side}`).toBe(want);
        if (want - from > 2) skipped++;
      }
    }
    expect(skipped).toBeGreaterThan(300);
  });

  it('buildPrintBlocks: each block\'s lowest and highest print (NaN prints left out) and last time', () => {
    const b = buildPrintBlocks(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float64Array.from([3, 1, 2, NaN, 5, NaN, NaN, NaN, 4]), 3);
    expect([...b.min]).toEqual([1, 5, 4]);
    expect([...b.max]).toEqual([3, 5, 4]);
    expect([...b.lastTime]).toEqual([3, 6, 9]);
    const partial = buildPrintBlocks(Float64Array.from([1, 2, 3, 4, 5]), Float64Array.from([1, 2, 3, 4, 5]), 2);
    expect([...partial.lastTime]).toEqual([2, 4, 5]);
    const allNaN = buildPrintBlocks(Float64Array.from([1, 2]), Float64Array.from([NaN, NaN]), 2);
    expect([allNaN.min[0], allNaN.max[0]]).toEqual([Infinity, -Infinity]); // no comparison with them fires a level
    expect(() => buildPrintBlocks(new Float64Array(4), new Float64Array(4), 0)).toThrow(/size must be a positive integer/);
  });

  it('printBlocksFor: none until backtests have searched as many prints as the tape has, then built once', () => {
    const tape = makeTradeTape({ time: [1, 2, 3, 4], price: [10, 11, 9, 12], amount: [1, 1, 1, 1] });
    expect(printBlocksFor(tape)).toBeNull();
    notePrintsSearched(tape, 3);
    expect(printBlocksFor(tape)).toBeNull(); // 3 of 4: building would read more than was ever searched
    notePrintsSearched(tape, 1);
    const built = printBlocksFor(tape);
    expect(built && [...built.min, ...built.max, ...built.lastTime]).toEqual([9, 12, 4]);
    expect(printBlocksFor(tape)).toBe(built);
    expect(printBlocksFor({ ...tape })).toBeNull(); // another tape object starts again
  });

  it('the engine counts what it searched: a position open over the whole tape builds the summary for the third backtest', () => {
    const n = 5000;
    const tape = makeTradeTape({ time: Float64Array.from({ length: n }, (_, i) => i), price: new Float64Array(n).fill(100), amount: new Float64Array(n).fill(1) });
    const entry = new Int8Array(n);
    entry[0] = 1;
    const rules: TradeRules = { stopPct: 1, targetPct: 1, signalExit: false, maxHoldMs: null, minHoldMs: 0, bracketDuringHold: 'active', limits: null };
    const exec = { fees: new NotionalRateFeeModel({ maker: 0, taker: 0 }), slippage: NO_SLIPPAGE, sizing: { mode: 'fixed' as const, notional: 100 }, initialCapital: 1000 };
    const exits = () => runTickEngine(tape, { entry }, rules, exec).ledger.toRows('X').map((r) => [r.exitReason, r.exitIndex]);
    expect(exits()).toEqual([['end', n - 1]]);
    expect(printBlocksFor(tape)).toBeNull(); // n − 2 prints searched (filled at row 1, watched from row 2)
    expect(exits()).toEqual([['end', n - 1]]);
    expect(printBlocksFor(tape)).not.toBeNull();
    expect(exits()).toEqual([['end', n - 1]]);
  });

  it('timeExitRow is the first row with time − entry ≥ the hold, fractional milliseconds included', () => {
    const time = Float64Array.from([0, 0.1, 0.3, 0.30000000000000004, 1, 1, 2.5]);
    // 0.3 − 0.1 = 0.19999999999999998 < 0.2: row 2 is not due; 0.30000000000000004 − 0.1 = 0.20000000000000004 is.
    expect(timeExitRow(time, 1, time.length, 0.1, 0.2)).toBe(3);
    expect(timeExitRow(time, 0, time.length, 0, 1)).toBe(4);
    expect(timeExitRow(time, 0, 4, 0, 1)).toBe(4); // not inside [0, 4)
    expect(timeExitRow(time, 0, time.length, 0, 3)).toBe(time.length);
  });
});
