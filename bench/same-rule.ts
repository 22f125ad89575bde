/**
 * The same rule written two ways (issue 12): a V1-like rule as an ordinary
 * user `Strategy` run through `runBacktest`, and as one hand-written fused
 * loop that a speed-minded trader would write instead. The bench times both
 * on the same seeded tape in the same process; test/bench/same-rule.test.ts
 * proves they give the same round trips, exit reasons and P&L.
 *
 * The rule: imbalance = Σ side·amount / Σ amount over the last 200 trades
 * (the current one included); enter long when it is > 0.6, short when it is
 * < −0.6, decided on a print and filled as taker at the next one; at least
 * 60 s between entries (the engine's `maxTradesPerMinute: 1`); a 0.5% stop /
 * 1.5% target bracket watched from the print after the fill; a 30-minute time
 * exit; 0.04% fees on both legs (maker and taker alike); a fixed $1,000
 * notional; whatever is open at the end closes at the last print.
 */
import type { StrategySignals } from '../src/core/signals';
import { runBacktest, type BacktestResult } from '../src/run/run';
import type { MarketTape, TradeTape } from '../src/data/tape';
import type { PresetFile } from '../src/config/run-config';
import type { Strategy } from '../src/strategies/strategy';

export const RULE = {
  windowTrades: 200,
  threshold: 0.6,
  minSpacingMs: 60_000,
  stopPct: 0.5,
  targetPct: 1.5,
  maxHoldMs: 1_800_000,
  feeRate: 0.0004,
  notional: 1000,
} as const;

/**
 * The rule's decision as a user would write it: one causal pass over the
 * tape, nothing but the entry decision (the engine does the rest).
 */
export const V1_LIKE: Strategy<{ windowTrades: number; threshold: number }> = {
  id: 'V1LIKE',
  name: 'V1-like imbalance over the last 200 trades',
  type: 'microstructure',
  description: 'Long when the signed-volume imbalance of the last N trades exceeds the threshold, short below minus it.',
  params: {
    windowTrades: { default: RULE.windowTrades, min: 1, integer: true, series: true, unit: 'trades', doc: 'Trades in the rolling window.' },
    threshold: { default: RULE.threshold, min: 0, max: 1, unit: 'fraction', doc: 'Enter when |imbalance| exceeds this.' },
  },
  signals(tape: MarketTape, p): StrategySignals {
    if (tape.kind !== 'trades') throw new Error('V1LIKE needs a trade tape');
    const { amount, side } = tape as TradeTape;
    const n = tape.length;
    const W = p.windowTrades;
    const thr = p.threshold;
    const entry = new Int8Array(n);
    let signed = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = amount[i];
      signed += side[i] * a;
      total += a;
      if (i >= W) {
        const b = amount[i - W];
        signed -= side[i - W] * b;
        total -= b;
      }
      if (i >= W - 1) {
        const imb = signed / total;
        entry[i] = imb > thr ? 1 : imb < -thr ? -1 : 0;
      }
    }
    return { entry };
  },
};

/** The rule's gate, exits and costs as a `--config` document on top of the `before` preset. */
export const V1_LIKE_CONFIG: PresetFile = {
  engine: {
    fees: { maker: RULE.feeRate, taker: RULE.feeRate },
    slippageBps: 0,
    initialCapital: RULE.notional,
    sizing: { mode: 'fixed', notional: RULE.notional },
  },
  strategies: {
    V1LIKE: {
      stopPct: RULE.stopPct,
      targetPct: RULE.targetPct,
      signalExit: false,
      maxHoldMs: RULE.maxHoldMs,
      minHoldMs: 0,
      bracketDuringHold: 'active',
      maxTradesPerMinute: 1,
      maxTradesPerHour: null,
      maxTradesPerDay: null,
      minConfirmations: 0,
    },
  },
} as unknown as PresetFile;

/** The engine path: the user's strategy through `runBacktest`. */
export function engineWay(tape: TradeTape): BacktestResult {
  return runBacktest(tape, { strategies: [V1_LIKE], preset: 'before', config: V1_LIKE_CONFIG });
}

/** Round trips of the fused loop, columnar. */
export interface FusedTrades {
  count: number;
  side: Int8Array;
  entryIndex: Int32Array;
  exitIndex: Int32Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  /** 1 stop, 2 target, 3 time, 4 end (the ledger's EXIT_REASONS indices). */
  reason: Uint8Array;
  netPnl: Float64Array;
}

/**
 * The hand-written way: signal, gate, bracket, time exit, fees and the
 * round-trip log in one loop over the tape. Written from the rule, not from
 * the engine's code; the same arithmetic where results must be bit-equal.
 */
export function fusedWay(tape: TradeTape): FusedTrades {
  const { time, price, amount, side } = tape;
  const n = tape.length;
  const W = RULE.windowTrades;
  const thr = RULE.threshold;
  const stopF = RULE.stopPct / 100;
  const targetF = RULE.targetPct / 100;
  const fee = RULE.feeRate;
  const notional = RULE.notional;
  const EPS = 1e-12;
  let cap = 1024;
  let out: FusedTrades = alloc(cap);
  let count = 0;

  let signed = 0;
  let total = 0;
  let pos = 0;
  let pending = 0;
  let lastEntry = -Infinity;
  let entryIdx = 0;
  let entryT = 0;
  let entryP = 0;
  let qty = 0;
  let entryFee = 0;
  let stopTrig = 0;
  let target = 0;
  let targetTrig = 0;
  for (let i = 0; i < n; i++) {
    const a = amount[i];
    signed += side[i] * a;
    total += a;
    if (i >= W) {
      const b = amount[i - W];
      signed -= side[i - W] * b;
      total -= b;
    }
    if (pending !== 0) {
      pos = pending;
      pending = 0;
      entryIdx = i;
      entryT = time[i];
      entryP = price[i];
      lastEntry = entryT;
      qty = notional / entryP;
      entryFee = entryP * qty * fee;
      const stop = entryP * (1 - pos * stopF);
      target = entryP * (1 + pos * targetF);
      stopTrig = stop * (1 + pos * EPS);
      targetTrig = target * (1 + pos * EPS);
      continue;
    }
    if (pos !== 0) {
      const p = price[i];
      let r = 0;
      let x = p;
      if (pos > 0 ? p <= stopTrig : p >= stopTrig) r = 1;
      else if (pos > 0 ? p > targetTrig : p < targetTrig) {
        r = 2;
        x = target;
      } else if (time[i] - entryT >= RULE.maxHoldMs) r = 3;
      if (r === 0) continue;
      if (count === cap) out = grow(out, (cap *= 2));
      const exitFee = x * qty * fee;
      out.side[count] = pos;
      out.entryIndex[count] = entryIdx;
      out.exitIndex[count] = i;
      out.entryPrice[count] = entryP;
      out.exitPrice[count] = x;
      out.reason[count] = r;
      out.netPnl[count] = pos * (x - entryP) * qty - entryFee - exitFee;
      count++;
      pos = 0;
    }
    // Flat: decide on this print (the window must be full), at least 60 s after the last entry.
    if (i >= W - 1) {
      const imb = signed / total;
      const e = imb > thr ? 1 : imb < -thr ? -1 : 0;
      if (e !== 0 && time[i] - lastEntry >= RULE.minSpacingMs) pending = e;
    }
  }
  if (pos !== 0) {
    const i = n - 1;
    const x = price[i];
    if (count === cap) out = grow(out, (cap *= 2));
    out.side[count] = pos;
    out.entryIndex[count] = entryIdx;
    out.exitIndex[count] = i;
    out.entryPrice[count] = entryP;
    out.exitPrice[count] = x;
    out.reason[count] = 4;
    out.netPnl[count] = pos * (x - entryP) * qty - entryFee - x * qty * fee;
    count++;
  }
  out.count = count;
  return out;
}

function alloc(cap: number): FusedTrades {
  return {
    count: 0,
    side: new Int8Array(cap),
    entryIndex: new Int32Array(cap),
    exitIndex: new Int32Array(cap),
    entryPrice: new Float64Array(cap),
    exitPrice: new Float64Array(cap),
    reason: new Uint8Array(cap),
    netPnl: new Float64Array(cap),
  };
}

function grow(o: FusedTrades, cap: number): FusedTrades {
  const g = alloc(cap);
  g.side.set(o.side);
  g.entryIndex.set(o.entryIndex);
  g.exitIndex.set(o.exitIndex);
  g.entryPrice.set(o.entryPrice);
  g.exitPrice.set(o.exitPrice);
  g.reason.set(o.reason);
  g.netPnl.set(o.netPnl);
  return g;
}
