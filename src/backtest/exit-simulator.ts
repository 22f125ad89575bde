/**
 * One exit policy simulated from one entry: the engine's fill rules
 * (src/exits/fill-rules.ts) with no gate and no minimum hold, so that
 * compare-exits can replay the same entries under several exits
 * independently. `exitFrom` is proved equal to `runTickEngine` /
 * `runBarEngine` for an isolated entry (test/research/compare-exits.test.ts).
 *
 * Ticks: the entry print cannot trigger the bracket (as in the engine);
 * a signal exit is decided on one print and filled at the next; a time exit
 * at the first print at or after entry + maxHoldMs. Bars: the entry bar
 * counts for the bracket; stop first when one bar reaches both (no tick tape
 * is used to resolve such bars); signal and time exits at a later bar's open.
 * A position still open at the end closes at the last price (`end`).
 */
import type { BarTape, MarketTape, TradeTape } from '../data/tape';
import type { FeeModel } from '../execution/fees';
import { NO_SLIPPAGE, type SlippageModel } from '../execution/slippage';
import {
  HIT_NONE,
  HIT_STOP,
  bracketHitByPrint,
  bracketHitInBar,
  barStopFillPrice,
  pctToFraction,
  stopFirst,
  stopLevel,
  targetLevel,
  triggerLevel,
} from '../exits/fill-rules';
import { UserError } from '../util/errors';
import type { ExitReason, Liquidity } from '../core/ledger';

export interface ExitPolicy {
  /** File-name-safe id, used in the JSON and as `<name>-trades.csv` (e.g. `3to1`, `s0.5-t1.5`, `signal`). */
  name: string;
  /** Human label (e.g. `3:1`, `0.5%/1.5%`, `signal`). */
  label: string;
  /** Stop distance in percent of the entry price; null for none. */
  stopPct: number | null;
  targetPct: number | null;
  /** Close on the strategy's own exit signal. */
  signalExit: boolean;
  /** Close at the first print (bar open) at or after entry + maxHoldMs; null for none. */
  maxHoldMs: number | null;
}

const fmtNum = (x: number) => String(Number(x.toPrecision(12)));

function positive(x: number, what: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new UserError(`${what} must be a positive number, got '${x}'`);
  return x;
}

/** A bracket with target = ratio × stop, e.g. ratioPolicy(3, 1, 0.5) → `3to1`, stop 0.5%, target 1.5%. */
export function ratioPolicy(reward: number, risk: number, stopPct: number, maxHoldMs: number | null = null): ExitPolicy {
  positive(reward, 'ratio reward');
  positive(risk, 'ratio risk');
  positive(stopPct, '--stop-pct');
  return {
    name: `${fmtNum(reward)}to${fmtNum(risk)}`,
    label: `${fmtNum(reward)}:${fmtNum(risk)}`,
    stopPct,
    targetPct: Number(((stopPct * reward) / risk).toPrecision(12)),
    signalExit: false,
    maxHoldMs,
  };
}

/** An explicit stop/target pair in percent. */
export function pairPolicy(stopPct: number, targetPct: number, maxHoldMs: number | null = null): ExitPolicy {
  return {
    name: `s${fmtNum(stopPct)}-t${fmtNum(targetPct)}`,
    label: `${fmtNum(stopPct)}%/${fmtNum(targetPct)}%`,
    stopPct,
    targetPct,
    signalExit: false,
    maxHoldMs,
  };
}

/** The strategy's own signal exit (no bracket). */
export function signalPolicy(maxHoldMs: number | null = null): ExitPolicy {
  return { name: 'signal', label: 'signal', stopPct: null, targetPct: null, signalExit: true, maxHoldMs };
}

/** What a simulated trade costs: fee and slippage models and the notional of every trade. */
export interface ExitCosts {
  fees: FeeModel;
  /** Applied to taker fills (stop, signal, time, end exits), as in the engine. Default none. */
  slippage?: SlippageModel;
  /** Quote notional of the position: qty = notional / entryPrice. */
  notional: number;
  /** Liquidity of the entry fill (default taker, as the engine fills entries). */
  entryLiquidity?: Liquidity;
}

export interface ExitOptions {
  /** Entry time (ms); default the tape time of the entry row. A trade-log entry passes its own time. */
  entryTime?: number;
  /** The strategy's exit requests (bit 1 exit long, bit 2 exit short); required by signal-exit policies. */
  exitSignals?: Uint8Array;
}

export interface SimulatedTrade {
  side: 1 | -1;
  entryIndex: number;
  entryTime: number;
  entryPrice: number;
  exitIndex: number;
  exitTime: number;
  exitPrice: number;
  exitReason: ExitReason;
  entryLiquidity: Liquidity;
  exitLiquidity: Liquidity;
  stopPrice: number | null;
  targetPrice: number | null;
  qty: number;
  entryFee: number;
  exitFee: number;
  grossPnl: number;
  netPnl: number;
}

/**
 * Simulate one exit policy from one entry, scanning forward from `entryRow`
 * with the engine's fill rules (module notes). `entryPrice` is the entry
 * fill price (the engine's, or the trade log's); stop and target are set
 * from it.
 */
export function exitFrom(
  tape: MarketTape,
  entryRow: number,
  side: 1 | -1,
  entryPrice: number,
  policy: ExitPolicy,
  costs: ExitCosts,
  opts: ExitOptions = {},
): SimulatedTrade {
  const n = tape.length;
  if (!(Number.isInteger(entryRow) && entryRow >= 0 && entryRow < n)) throw new RangeError(`entryRow ${entryRow} is outside the tape (0..${n - 1})`);
  if (side !== 1 && side !== -1) throw new RangeError(`side must be +1 or -1, got ${side}`);
  if (!(Number.isFinite(entryPrice) && entryPrice > 0)) throw new RangeError(`entryPrice must be > 0, got ${entryPrice}`);
  if (!(Number.isFinite(costs.notional) && costs.notional > 0)) throw new RangeError(`notional must be > 0, got ${costs.notional}`);
  for (const [k, v] of [['stopPct', policy.stopPct], ['targetPct', policy.targetPct], ['maxHoldMs', policy.maxHoldMs]] as const) {
    if (v !== null && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${policy.name}: ${k} must be a positive number or null, got ${v}`);
  }
  const exitSig = policy.signalExit ? opts.exitSignals : undefined;
  if (policy.signalExit && !exitSig) throw new RangeError(`${policy.name}: a signal-exit policy needs the strategy's exit signals`);
  if (exitSig && exitSig.length !== n) throw new RangeError(`exit signals cover ${exitSig.length} rows, tape has ${n}`);

  const slip = costs.slippage ?? NO_SLIPPAGE;
  const stop = stopLevel(entryPrice, side, pctToFraction(policy.stopPct));
  const target = targetLevel(entryPrice, side, pctToFraction(policy.targetPct));
  const stopTrig = triggerLevel(stop, side);
  const targetTrig = triggerLevel(target, side);
  const maxHold = policy.maxHoldMs ?? Infinity;
  const entryTime = opts.entryTime ?? tape.time[entryRow];
  const bit = side > 0 ? 1 : 2;
  const time = tape.time;

  let exitIndex = n - 1;
  let exitTime: number;
  let exitPrice: number;
  let reason: ExitReason = 'end';
  let liq: Liquidity = 'taker';

  if (tape.kind === 'trades') {
    const price = (tape as TradeTape).price;
    exitTime = time[n - 1];
    exitPrice = slip.fillPrice(price[n - 1], -side);
    let pendingExit = false;
    // The entry print itself cannot trigger the bracket (engine: `continue` after the fill).
    for (let i = entryRow + 1; i < n; i++) {
      const p = price[i];
      const hit = bracketHitByPrint(p, side, stopTrig, targetTrig);
      let r: ExitReason | null = null;
      if (hit === HIT_STOP) {
        r = 'stop';
        exitPrice = slip.fillPrice(p, -side);
      } else if (hit !== HIT_NONE) {
        r = 'target';
        exitPrice = target;
        liq = 'maker';
      } else if (pendingExit) {
        r = 'signal';
        exitPrice = slip.fillPrice(p, -side);
      } else if (time[i] - entryTime >= maxHold) {
        r = 'time';
        exitPrice = slip.fillPrice(p, -side);
      } else if (exitSig && (exitSig[i] & bit) !== 0) {
        pendingExit = true; // decided on this print, filled on the next
      }
      if (r !== null) {
        reason = r;
        exitIndex = i;
        exitTime = time[i];
        break;
      }
    }
  } else {
    const bars = tape as BarTape;
    const { open, high, low, close } = bars;
    exitTime = time[n - 1] + bars.timeframeMs;
    exitPrice = slip.fillPrice(close[n - 1], -side);
    let pendingExit = false;
    for (let i = entryRow; i < n; i++) {
      const t = time[i];
      const o = open[i];
      let r: ExitReason | null = null;
      if (i > entryRow && pendingExit) {
        r = 'signal';
        exitPrice = slip.fillPrice(o, -side);
      } else if (i > entryRow && t - entryTime >= maxHold) {
        r = 'time';
        exitPrice = slip.fillPrice(o, -side);
      } else {
        // The bracket inside this bar (the entry bar counts); no ticks here, so stop first when both.
        const hit = stopFirst(bracketHitInBar(o, high[i], low[i], side, stopTrig, targetTrig));
        if (hit === HIT_STOP) {
          r = 'stop';
          exitPrice = slip.fillPrice(barStopFillPrice(o, side, stop, stopTrig), -side);
        } else if (hit !== HIT_NONE) {
          r = 'target';
          exitPrice = target;
          liq = 'maker';
        } else if (exitSig && (exitSig[i] & bit) !== 0) {
          pendingExit = true; // decided at this bar's close, filled at the next open
        }
      }
      if (r !== null) {
        reason = r;
        exitIndex = i;
        exitTime = t;
        break;
      }
    }
  }

  const qty = costs.notional / entryPrice;
  const entryLiquidity = costs.entryLiquidity ?? 'taker';
  const entryFee = entryPrice * qty * costs.fees.rate(entryLiquidity);
  const exitFee = exitPrice * qty * costs.fees.rate(liq);
  const grossPnl = side * (exitPrice - entryPrice) * qty;
  return {
    side,
    entryIndex: entryRow,
    entryTime,
    entryPrice,
    exitIndex,
    exitTime,
    exitPrice,
    exitReason: reason,
    entryLiquidity,
    exitLiquidity: liq,
    stopPrice: Number.isNaN(stop) ? null : stop,
    targetPrice: Number.isNaN(target) ? null : target,
    qty,
    entryFee,
    exitFee,
    grossPnl,
    netPnl: grossPnl - entryFee - exitFee,
  };
}
