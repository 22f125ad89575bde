/**
 * The tick engine skips an open position's quiet prints (src/exits/fill-rules.ts
 * `firstBracketPrint`, src/exits/time-exit.ts, blocks of 2,048 prints). That skip
 * must not change a single trade: here the engine is run against a literal
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
      const res = runTickEngine(tape, { entry, exit }, rules, exec);
      const got = res.ledger.toRows('X');
      const lit = literalEngine(tape, entry, exit, rules);
      const want = lit.trips;
      // The limits' refusals are counted by search and four bytes at a time: the same counts.
      expect([res.entrySignals, res.blocked.minute, res.blocked.hour, res.blocked.day], `seed ${seed}`).toEqual([lit.entrySignals, ...lit.blocked]);
      blockedSeen += lit.blocked[0] + lit.blocked[1];
      const simple = got.map((r) => ({
        side: r.side === 'long' ? 1 : -1,
        entryIndex: r.entryIndex,
        exitIndex: r.exitIndex,
        exitPrice: r.exitPrice,
        reason: r.exitReason,
        delayed: r.exitDelayedBy === 'minHold',
      }));
      expect(simple, `seed ${seed}`).toEqual(want);
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

  it('timeExitRow is the first row with time − entry ≥ the hold, fractional milliseconds included', () => {
    const time = Float64Array.from([0, 0.1, 0.3, 0.30000000000000004, 1, 1, 2.5]);
    // 0.3 − 0.1 = 0.19999999999999998 < 0.2: row 2 is not due; 0.30000000000000004 − 0.1 = 0.20000000000000004 is.
    expect(timeExitRow(time, 1, time.length, 0.1, 0.2)).toBe(3);
    expect(timeExitRow(time, 0, time.length, 0, 1)).toBe(4);
    expect(timeExitRow(time, 0, 4, 0, 1)).toBe(4); // not inside [0, 4)
    expect(timeExitRow(time, 0, time.length, 0, 3)).toBe(time.length);
  });
});
